"""Composition root for keys and trust: builds the configured key backend, key manager, signer,
revocation store and the verifier's accepted foreign trust lists from ``Settings``.

Exactly one backend is used, chosen by ``VAXPASS_SIGNER``; when the HSM fails, signing fails
(there is never a fallback to a software key).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from vaxpass.config import Settings
from vaxpass.crypto.backend import KeyBackend
from vaxpass.crypto.keystore import SoftwareKeyStore
from vaxpass.crypto.pkcs11 import Pkcs11KeyStore
from vaxpass.crypto.pki.authorities import AuthorityPolicy, AuthorityRegistry
from vaxpass.crypto.pki.lifecycle import NATIONAL, ActiveSigner, KeyManager, RotationPolicy
from vaxpass.crypto.pki.revocation import RevocationStore
from vaxpass.crypto.pki.trustlist import TrustListStore
from vaxpass.errors import ConfigurationError
from vaxpass.registry.client import HttpPopulationRegistry
from vaxpass.registry.connect import ClientOptions, connect_registry


def _software_backend(settings: Settings) -> KeyBackend:
    secret = settings.key_passphrase
    passphrase = secret.get_secret_value().encode() if secret else None
    return SoftwareKeyStore(settings.keys_dir, passphrase)


def _pkcs11_backend(settings: Settings) -> KeyBackend:
    module, token, pin = settings.pkcs11_module, settings.pkcs11_token, settings.pkcs11_pin
    if module is None or not token or pin is None:
        raise ConfigurationError(
            "VAXPASS_SIGNER=pkcs11 needs VAXPASS_PKCS11_MODULE, VAXPASS_PKCS11_TOKEN "
            "and VAXPASS_PKCS11_PIN"
        )
    return Pkcs11KeyStore(module, token, pin.get_secret_value())


_BACKENDS: dict[str, Callable[[Settings], KeyBackend]] = {
    "software": _software_backend,
    "pkcs11": _pkcs11_backend,
}


def key_backend(settings: Settings) -> KeyBackend:
    return _BACKENDS[settings.signer](settings)


def rotation_policy(settings: Settings) -> RotationPolicy:
    return RotationPolicy(
        usage_days=settings.dsc_usage_days,
        lead_days=settings.dsc_publish_lead_days,
        certificate_days=settings.certificate_valid_days,
        csca_days=settings.csca_valid_days,
    )


def key_manager(settings: Settings) -> KeyManager:
    return KeyManager(settings.keys_dir, key_backend(settings), rotation_policy(settings))


def ensure_keys(settings: Settings, *, at: datetime) -> KeyManager:
    """The key manager, with keys generated on first run for the embedded software default.

    An HSM is never initialised implicitly: ``vaxpass keys init`` does that on purpose.
    """
    manager = key_manager(settings)
    if not manager.state_path.exists():
        if settings.signer != "software":
            raise ConfigurationError("no keys on the HSM yet: run `vaxpass keys init`")
        manager.initialise(at=at, country=settings.issuer_country)
    return manager


@contextmanager
def configured_signer(
    settings: Settings, *, at: datetime, covers_until: datetime, authority: str = NATIONAL
) -> Iterator[ActiveSigner]:
    """The active DSC on the configured backend, for one batch (one backend session).

    ``covers_until`` is the latest ``exp`` the batch will carry: the DSC must outlive it.
    """
    with ensure_keys(settings, at=at).active_signer(
        at=at, covers_until=covers_until, authority=authority
    ) as active:
        yield active


def revocation_store(settings: Settings) -> RevocationStore:
    return RevocationStore(settings.keys_dir / "revoked-certificates.json")


def trust_list_store(settings: Settings) -> TrustListStore:
    return TrustListStore(settings.trust_dir)


@contextmanager
def population_registry(settings: Settings) -> Iterator[HttpPopulationRegistry]:
    """The population registry client for ``settings``: ``VAXPASS_REGISTRY_URL``, or the
    reference service on the local registry store for as long as the context lasts."""
    options = ClientOptions(
        timeout=settings.registry_timeout_seconds,
        retries=settings.registry_retries,
        batch_size=settings.registry_batch_size,
    )
    with connect_registry(
        settings.registry_url, settings.effective_registry_store, options
    ) as registry:
        yield registry


def authority_registry(settings: Settings) -> AuthorityRegistry:
    """The confirming authorities, their development CA and keys on the configured backend."""
    policy = AuthorityPolicy(
        country=settings.issuer_country,
        certificate_days=settings.authority_certificate_days,
        ca_days=settings.csca_valid_days,
    )
    return AuthorityRegistry(settings.keys_dir, key_backend(settings), policy)
