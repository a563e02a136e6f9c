"""``vaxpass keys init|rotate|revoke|list``: the CSCA and document signers on the configured
backend (``VAXPASS_SIGNER=software|pkcs11``)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, TypeVar

import typer
from rich.table import Table

from vaxpass.bootstrap import key_manager
from vaxpass.cli.app import app
from vaxpass.cli.output import console, errors, print_json
from vaxpass.clock import SystemClock, parse_instant
from vaxpass.config import get_settings
from vaxpass.crypto.pki.lifecycle import NATIONAL
from vaxpass.crypto.pki.state import KeyRecord
from vaxpass.crypto.signer import CoseAlgorithm
from vaxpass.errors import VaxpassError

keys_app = typer.Typer(help="Signing keys: CSCA and document signers.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")

FAILED = 1
T = TypeVar("T")

AtOption = Annotated[
    str | None, typer.Option("--at", help="Act as of this ISO-8601 instant (default: now)")
]
AlgorithmOption = Annotated[
    str | None, typer.Option("--algorithm", help="ES256 (P-256) or PS256 (RSA)")
]


def instant(at: str | None) -> datetime:
    return parse_instant(at) if at else SystemClock().now()


@contextmanager
def reported() -> Iterator[None]:
    """Print a vaxpass error with its stable code and exit non-zero."""
    try:
        yield
    except VaxpassError as error:
        errors.print(f"error: {error.message} ({error.code})")
        raise typer.Exit(FAILED) from error


def run(action: Callable[[], T]) -> T:
    with reported():
        return action()


def _algorithm(name: str | None) -> CoseAlgorithm | None:
    if name is None:
        return None
    try:
        return CoseAlgorithm[name.upper()]
    except KeyError:
        raise typer.BadParameter("use ES256 or PS256", param_hint="--algorithm") from None


@keys_app.command("init")
def init_command(algorithm: AlgorithmOption = None, at: AtOption = None) -> None:
    """Create the CSCA, the trust-list signer and the first document signer."""
    settings = get_settings()
    chosen = _algorithm(algorithm) or CoseAlgorithm[settings.signing_algorithm]
    manager = key_manager(settings)
    state = run(
        lambda: manager.initialise(
            at=instant(at), country=settings.issuer_country, algorithm=chosen
        )
    )
    console.print(f"CSCA {state.csca.label} and DSC {state.dscs[0].kid_text} on {state.backend}")


@keys_app.command("rotate")
def rotate_command(
    algorithm: AlgorithmOption = None,
    authority: Annotated[str, typer.Option("--authority")] = NATIONAL,
    at: AtOption = None,
) -> None:
    """Publish a new document signer; the current one signs until the hand-over."""
    manager = key_manager(get_settings())
    record = run(
        lambda: manager.rotate(at=instant(at), algorithm=_algorithm(algorithm), authority=authority)
    )
    console.print(f"new DSC {record.kid_text} signs from {record.usage_start}")


@keys_app.command("revoke")
def revoke_command(
    kid: Annotated[str, typer.Argument(help="kid of the DSC (base64, as in the trust list)")],
    reason: Annotated[str, typer.Option("--reason", help="e.g. key-compromise")],
    at: AtOption = None,
) -> None:
    """Revoke a document signer: it leaves the trust list and its certificates fail REVOKED."""
    manager = key_manager(get_settings())
    record = run(lambda: manager.revoke(_kid(kid), at=instant(at), reason=reason))
    console.print(f"revoked DSC {record.kid_text}: run `vaxpass keys rotate` if it was signing")


@keys_app.command("list")
def list_command(
    at: AtOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
) -> None:
    """The document signers and their phases, and the audit log's state."""
    manager = key_manager(get_settings())
    moment = instant(at)
    state = run(lambda: manager.reconcile(moment))
    entries = run(manager.audit.verify)
    rows = [_row(record, moment) for record in state.dscs]
    if as_json:
        print_json(
            {
                "backend": state.backend,
                "country": state.country,
                "csca": state.csca.label,
                "signers": rows,
                "audit": {"entries": entries, "head": manager.audit.head()},
            }
        )
        return
    table = Table(*rows[0].keys()) if rows else Table("kid")
    for row in rows:
        table.add_row(*row.values())
    console.print(table)
    console.print(f"audit log: {entries} entries, chain intact, head {manager.audit.head()}")


def _row(record: KeyRecord, at: datetime) -> dict[str, str]:
    return {
        "kid": record.kid_text,
        "phase": str(record.phase(at)),
        "authority": record.authority,
        "algorithm": record.algorithm,
        "usage_start": record.usage_start or "",
        "usage_end": record.usage_end or "",
        "not_after": record.certificate.not_valid_after_utc.isoformat(),
    }


def _kid(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (ValueError, binascii.Error):
        pass
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise typer.BadParameter("give the kid in base64 or hex", param_hint="KID") from None
