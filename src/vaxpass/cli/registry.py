"""``vaxpass registry serve`` and ``vaxpass registry load FILE``: the reference population
registry (national population database matching service)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from vaxpass.cli.app import app
from vaxpass.cli.records import emit, fail
from vaxpass.config import get_settings
from vaxpass.errors import FieldError, VaxpassError
from vaxpass.registry.loader import load_registry_file
from vaxpass.registry.server import make_server
from vaxpass.registry.store import RegistryStore

registry_app = typer.Typer(help="Reference population registry (identity matching service).")
app.add_typer(registry_app, name="registry")


@registry_app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option("--host", help="Bind address (loopback)")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535)] = 8765,
) -> None:
    """Serve POST /v1/match, POST /v1/match/batch and GET /v1/health until interrupted."""
    store = RegistryStore(get_settings().effective_registry_store)
    server = make_server(store, host, port)
    bound_host, bound_port = server.server_address[:2]
    typer.echo(f"registry listening on http://{bound_host!s}:{bound_port}", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        store.close()


@registry_app.command("load")
def load_command(
    file: Annotated[Path, typer.Argument(help="CSV/XLSX: id_number, full_name, sex, birth_date")],
) -> None:
    """Fill the registry store; invalid rows are skipped and listed by row and field."""
    store = RegistryStore(get_settings().effective_registry_store)
    rejected: list[dict[str, object]] = []

    def remember(row_no: int, error: FieldError) -> None:
        rejected.append({"row": row_no, "field": error.field, "reason": error.reason})

    try:
        loaded = load_registry_file(store, file, remember)
    except VaxpassError as error:
        fail(error)
    finally:
        store.close()
    emit({"loaded": loaded, "rejected": rejected[:1000], "rejected_count": len(rejected)})
