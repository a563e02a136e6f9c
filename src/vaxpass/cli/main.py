"""The ``vaxpass`` command. Each command group lives in its own module and registers here."""

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


def _register() -> None:
    # Imported for their side effect of adding commands to ``app``.
    from vaxpass.cli import dcc as _dcc  # noqa: F401
    from vaxpass.cli import demo as _demo  # noqa: F401
    from vaxpass.cli import keys as _keys  # noqa: F401
    from vaxpass.cli import records as _records  # noqa: F401
    from vaxpass.cli import registry as _registry  # noqa: F401
    from vaxpass.cli import revocations as _revocations  # noqa: F401
    from vaxpass.cli import trustlist as _trustlist  # noqa: F401
    from vaxpass.cli import verify as _verify  # noqa: F401


_register()
