"""``vaxpass authorities issue|import|list|revoke``: certificates of the authorities that confirm
batches (facility heads, provincial DoH and CDC, the Department of Preventive Medicine)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from vaxpass.bootstrap import authority_registry
from vaxpass.cli.app import app
from vaxpass.cli.keys import AlgorithmOption, AtOption, instant, run
from vaxpass.cli.output import console, print_json
from vaxpass.config import get_settings
from vaxpass.crypto.pki.authorities import AuthorityRecord, AuthorityRegistry, authority_for
from vaxpass.crypto.pki.trustlist import load_anchors
from vaxpass.crypto.signer import CoseAlgorithm
from vaxpass.domain.facility import AuthorityKind

authorities_app = typer.Typer(
    help="Certificates of the authorities that confirm batches.", no_args_is_help=True
)
app.add_typer(authorities_app, name="authorities")

_COLUMNS = ("id", "role", "scope", "name", "origin", "status", "not_after")

RoleOption = Annotated[AuthorityKind, typer.Option("--role", help="Who confirms")]
ScopeOption = Annotated[
    str,
    typer.Option("--scope", help="Facility code, province GSO code (doh, cdc) or national (dpm)"),
]


def _registry() -> AuthorityRegistry:
    settings = get_settings()
    return run(lambda: authority_registry(settings))


def _algorithm(name: str | None) -> CoseAlgorithm:
    try:
        return CoseAlgorithm[(name or "ES256").upper()]
    except KeyError:
        raise typer.BadParameter("use ES256 or PS256", param_hint="--algorithm") from None


@authorities_app.command("issue")
def issue_command(
    role: RoleOption,
    scope: ScopeOption,
    name: Annotated[str, typer.Option("--name", help="Organisation, e.g. Sở Y tế Hà Nội")],
    common_name: Annotated[
        str | None, typer.Option("--common-name", help="Holder's name (default: --name)")
    ] = None,
    algorithm: AlgorithmOption = None,
    at: AtOption = None,
) -> None:
    """Issue a certificate from the development authority CA; the key stays on the backend."""
    registry = _registry()
    chosen = _algorithm(algorithm)
    record = run(
        lambda: registry.issue(
            authority_for(role.value, scope),
            name=name,
            at=instant(at),
            common_name=common_name,
            algorithm=chosen,
        )
    )
    console.print(f"issued authority {record.id} ({record.role} {record.scope}) on {chosen.name}")


@authorities_app.command("import")
def import_command(
    certificate: Annotated[
        Path, typer.Argument(metavar="CERT.pem", exists=True, help="Certificate, then its chain")
    ],
    anchor: Annotated[
        Path, typer.Option("--anchor", exists=True, help="Pinned root of the issuing PKI")
    ],
    role: RoleOption,
    scope: ScopeOption,
    name: Annotated[str | None, typer.Option("--name", help="Default: the subject's O")] = None,
    at: AtOption = None,
) -> None:
    """Register an externally issued certificate after checking its chain to the anchor."""
    registry = _registry()
    moment = instant(at)

    def register() -> AuthorityRecord:
        authority = authority_for(role.value, scope)
        anchors = load_anchors([anchor])
        if len(anchors) != 1:
            raise typer.BadParameter("give one anchor certificate", param_hint="--anchor")
        return registry.import_chain(
            certificate.read_bytes(), anchors[0], authority, at=moment, name=name
        )

    record = run(register)
    console.print(f"imported authority {record.id} ({record.role} {record.scope})")


@authorities_app.command("list")
def list_command(
    at: AtOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
) -> None:
    """The registered authorities and their certificates' status."""
    registry = _registry()
    moment = instant(at)
    rows = [_row(record, moment) for record in run(registry.load).authorities]
    if as_json:
        print_json({"authorities": rows})
        return
    table = Table(*_COLUMNS)
    table.columns[0].no_wrap = True
    for row in rows:
        table.add_row(*(row[column] for column in _COLUMNS))
    console.print(table)


@authorities_app.command("revoke")
def revoke_command(
    identifier: Annotated[str, typer.Argument(metavar="ID", help="Authority id (from list)")],
    reason: Annotated[str, typer.Option("--reason", help="e.g. key-compromise")],
    at: AtOption = None,
) -> None:
    """Revoke an authority: its key stops signing and its confirmations stop verifying."""
    registry = _registry()
    record = run(lambda: registry.revoke(identifier, at=instant(at), reason=reason))
    console.print(f"revoked authority {record.id} ({record.role} {record.scope})")


def _row(record: AuthorityRecord, at: datetime) -> dict[str, str]:
    certificate = record.certificate
    return {
        "id": record.id,
        "role": record.role,
        "scope": record.scope,
        "name": record.name,
        "origin": record.origin,
        "status": record.status(at),
        "not_after": certificate.not_valid_after_utc.isoformat(),
        "subject": certificate.subject.rfc4514_string(),
    }
