"""The root Typer application; command modules add their commands to it."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="vaxpass",
    help="National electronic vaccine passports: issue, publish and verify EU DCC certificates.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _root() -> None:
    """vaxpass command line."""
