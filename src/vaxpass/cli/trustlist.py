"""``vaxpass trustlist export|import``: publish our signed lists, accept other countries'."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from vaxpass.bootstrap import key_manager, trust_list_store
from vaxpass.cli.app import app
from vaxpass.cli.keys import AtOption, instant, run
from vaxpass.cli.output import console
from vaxpass.config import get_settings
from vaxpass.crypto.pki.trustlist import TrustListFormat, export_trust_list, load_anchors

trustlist_app = typer.Typer(help="Trust lists for foreign verifiers.", no_args_is_help=True)
app.add_typer(trustlist_app, name="trustlist")

OutputOption = Annotated[
    Path | None, typer.Option("-o", "--output", help="Write here instead of standard output")
]


def write_output(data: bytes, output: Path | None) -> None:
    if output is None:
        typer.echo(data.decode(), nl=False)
    else:
        output.write_bytes(data)


@trustlist_app.command("export")
def export_command(
    form: Annotated[TrustListFormat, typer.Option("--format", help="List to export")],
    output: OutputOption = None,
    at: AtOption = None,
) -> None:
    """Export the signed DSC list, the JWKS or the CSCA certificate."""
    manager = key_manager(get_settings())
    write_output(run(lambda: export_trust_list(manager, form, at=instant(at))), output)


@trustlist_app.command("import")
def import_command(
    source: Annotated[Path, typer.Argument(metavar="FILE", exists=True, help="List or folder")],
    anchor: Annotated[
        list[Path], typer.Option("--anchor", exists=True, help="Pinned CSCA certificate")
    ],
    at: AtOption = None,
) -> None:
    """Accept another country's list (EU JSON, JWKS or a folder of certificates)."""
    store = trust_list_store(get_settings())
    moment = instant(at)
    imported = run(lambda: store.import_file(source, load_anchors(anchor), at=moment))
    console.print(
        f"accepted {len(imported.certificates)} signer(s) of {imported.country} "
        f"(sequence {imported.sequence}) into {imported.path.name}"
    )
