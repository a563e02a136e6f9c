"""Typed settings from ``VAXPASS_*`` environment variables; nothing else reads the environment."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VAXPASS_", extra="ignore")

    data_dir: Path = Path("./var")
    database_url: str | None = None
    issuer_country: str = "VN"
    certificate_valid_days: int = 365
    registry_url: str | None = None
    registry_timeout_seconds: float = 10.0
    registry_retries: int = 3
    registry_batch_size: int = 1000
    registry_store: Path | None = None
    # Signing keys: "software" (encrypted PKCS#8 files under keys_dir) or "pkcs11" (an HSM).
    signer: Literal["software", "pkcs11"] = "software"
    signing_algorithm: Literal["ES256", "PS256"] = "ES256"
    key_passphrase: SecretStr | None = None
    pkcs11_module: Path | None = None
    pkcs11_token: str | None = None
    pkcs11_pin: SecretStr | None = None
    dsc_usage_days: int = 180
    dsc_publish_lead_days: int = 2
    csca_valid_days: int = 3650
    authority_certificate_days: int = 730  # certificates the development authority CA issues
    trust_list_valid_days: int = 7

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'vaxpass.sqlite3').resolve()}"

    @property
    def effective_registry_store(self) -> Path:
        """SQLite file of the reference population registry (``registry serve``/``load``)."""
        return self.registry_store or self.data_dir / "registry.sqlite3"

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    @property
    def trust_dir(self) -> Path:
        """Foreign trust lists accepted by ``trustlist import`` (the verifier's trust store)."""
        return self.data_dir / "trust"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
