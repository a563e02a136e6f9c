"""The ``vaxpass`` command: the root app with every command group registered."""

from __future__ import annotations

# Imported for their side effect of adding commands to ``app``.
from vaxpass.cli import (  # noqa: F401
    authorities,
    dcc,
    demo,
    keys,
    records,
    registry,
    revocations,
    trustlist,
    verify,
)
from vaxpass.cli.app import app

__all__ = ["app"]
