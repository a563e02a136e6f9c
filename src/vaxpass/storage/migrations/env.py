"""Alembic environment: runs on the connection handed over by ``storage.database.migrate``,
or on ``sqlalchemy.url`` from alembic.ini / VAXPASS settings when run from the alembic CLI."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from vaxpass.config import get_settings
from vaxpass.storage.database import make_engine
from vaxpass.storage.tables import metadata


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def _main() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url") or get_settings().effective_database_url
    with make_engine(url).begin() as fresh:
        _run(fresh)


_main()
