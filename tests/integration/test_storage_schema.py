"""Migrations on both databases: idempotent, matching the table definitions, reversible."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from vaxpass.storage.database import alembic_config, make_engine, migrate
from vaxpass.storage.tables import metadata


def test_migrations_create_every_table(engine: Engine) -> None:
    assert {"people", "doses", "facilities"} <= set(inspect(engine).get_table_names())


def test_migrating_twice_is_harmless(engine: Engine) -> None:
    migrate(engine)
    with engine.connect() as conn:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    assert version == "0001_records"


def test_migration_matches_table_definitions(engine: Engine) -> None:
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []


def test_downgrade_removes_tables(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert "people" not in inspect(engine).get_table_names()
    migrate(engine)
    engine.dispose()
