"""A throw-away SoftHSM2 token for the PKCS#11 tests (its own config file and token folder).

Skipped with a reason when SoftHSM2 is not installed; a failure under ``CI=true``, where the
integration suites are required.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

MODULE_PATHS = (
    Path("/usr/lib/softhsm/libsofthsm2.so"),
    Path("/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"),
    Path("/usr/local/lib/softhsm/libsofthsm2.so"),
)
PIN = "246810"
SO_PIN = "13579111"


@dataclass(frozen=True, slots=True)
class SoftHsmToken:
    module: Path
    label: str
    pin: str


def softhsm_missing() -> str | None:
    if shutil.which("softhsm2-util") is None:
        return "softhsm2-util is not installed (apt-get install softhsm2)"
    if _module() is None:
        return "libsofthsm2.so was not found"
    return None


def require_softhsm() -> Path:
    reason = softhsm_missing()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"SoftHSM2 is required in CI: {reason}")
        pytest.skip(reason)
    module = _module()
    assert module is not None
    return module


def create_token(directory: Path, label: str, monkeypatch: pytest.MonkeyPatch) -> SoftHsmToken:
    """Initialise a fresh token under ``directory``, with SOFTHSM2_CONF pointing at it."""
    module = require_softhsm()
    tokens = directory / "tokens"
    tokens.mkdir(parents=True)
    config = directory / "softhsm2.conf"
    config.write_text(
        f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n"
    )
    monkeypatch.setenv("SOFTHSM2_CONF", str(config))
    subprocess.run(
        [
            "softhsm2-util",
            "--init-token",
            "--free",
            "--label",
            label,
            "--pin",
            PIN,
            "--so-pin",
            SO_PIN,
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "SOFTHSM2_CONF": str(config)},
    )
    return SoftHsmToken(module, label, PIN)


def _module() -> Path | None:
    return next((path for path in MODULE_PATHS if path.exists()), None)
