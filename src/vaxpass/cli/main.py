"""The ``vaxpass`` command: the root app with its command groups registered.

Command modules pull in very different dependencies (the verifier needs a few codecs, the
records commands a database stack), so only the module of the command being run is imported;
help and unknown commands load them all. This keeps ``vaxpass verify`` quick to start.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

from vaxpass.cli.app import app

# Top-level command name → the module that registers it on ``app``.
COMMAND_MODULES: dict[str, str] = {
    "demo": "demo",
    "verify": "verify",
    "dcc": "dcc",
    "keys": "keys",
    "trustlist": "trustlist",
    "revocations": "revocations",
    "authorities": "authorities",
    "registry": "registry",
    "import": "records",
    "seed": "records",
    "verify-identities": "records",
    "stats": "records",
}


def modules_for(argv: Sequence[str]) -> list[str]:
    """The command modules needed to run ``argv`` (all of them for help or a typo)."""
    command = next((arg for arg in argv if not arg.startswith("-")), None)
    if command in COMMAND_MODULES:
        return [COMMAND_MODULES[command]]
    return sorted(set(COMMAND_MODULES.values()))


def register(modules: Sequence[str]) -> None:
    for module in modules:
        importlib.import_module(f"vaxpass.cli.{module}")


register(modules_for(sys.argv[1:]))

__all__ = ["app"]
