"""``vaxpass revocations add|export``: revoke single certificates, publish the signed list."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from vaxpass.bootstrap import key_manager, revocation_store
from vaxpass.cli.app import app
from vaxpass.cli.keys import AtOption, instant, run
from vaxpass.cli.output import console
from vaxpass.cli.trustlist import OutputOption, write_output
from vaxpass.config import get_settings
from vaxpass.crypto.pki.revocation import export_revocations
from vaxpass.errors import ValidationError
from vaxpass.formats.cose import decode_cose
from vaxpass.formats.cwt import decode_cwt
from vaxpass.formats.dcc.pipeline import decode_transport

revocations_app = typer.Typer(help="Per-certificate revocation lists.", no_args_is_help=True)
app.add_typer(revocations_app, name="revocations")


@revocations_app.command("add")
def add_command(
    qr: Annotated[Path, typer.Argument(metavar="QR.txt", exists=True, help="File with HC1 text")],
) -> None:
    """Revoke one issued certificate (recorded as hashes only)."""
    store = revocation_store(get_settings())

    def add() -> str:
        message = decode_cose(decode_transport(qr.read_text().strip()).cose)
        claims = decode_cwt(message.payload)
        if claims.dcc is None or claims.expires_at is None:
            raise ValidationError("not a DCC with an expiry")
        expires = datetime.fromtimestamp(claims.expires_at, UTC)
        return store.add(message, claims.dcc, expires=expires).kid

    console.print(f"revoked a certificate signed by {run(add)}")


@revocations_app.command("export")
def export_command(output: OutputOption = None, at: AtOption = None) -> None:
    """Export the signed revocation list (EU batches by kid and hash type)."""
    settings = get_settings()
    manager, store = key_manager(settings), revocation_store(settings)
    write_output(run(lambda: export_revocations(manager, store, at=instant(at))), output)
