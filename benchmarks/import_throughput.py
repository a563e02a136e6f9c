"""Import throughput: dose rows per second from a CSV export into SQLite and PostgreSQL.

    python benchmarks/import_throughput.py [--rows 1000000] [--postgres URL] [--no-postgres]

Generates a synthetic export (seeded, so every run imports the same file), then imports it into
a fresh SQLite file and a fresh PostgreSQL database (COPY into staging, then merge). Prints
rows/s; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import csv
import secrets
import tempfile
import time
from datetime import date
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from vaxpass.services.importer import import_records
from vaxpass.services.rows import COLUMNS, RowRules
from vaxpass.services.sources import read_rows
from vaxpass.services.synthetic import generate_people
from vaxpass.storage.database import open_database

RULES = RowRules(today=date(2023, 1, 1))
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def write_export(path: Path, rows: int) -> int:
    written = 0
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for person in generate_people(rows, seed=1, error_rate=0.05):
            for cells in person.rows:
                writer.writerow(cells)
                written += 1
                if written >= rows:
                    return written
    return written


def measure(url: str, path: Path, label: str) -> None:
    engine = open_database(url)
    rejected = 0

    def count(_row: int, _error: object) -> None:
        nonlocal rejected
        rejected += 1

    started = time.perf_counter()
    summary = import_records(engine, read_rows(path), RULES, count)
    elapsed = time.perf_counter() - started
    engine.dispose()
    rate = summary.rows_read / elapsed
    print(f"{label:<11} {summary.rows_read:>9} rows  {elapsed:7.1f} s  {rate:9,.0f} rows/s  "
          f"({summary.doses_added} doses, {summary.people_added} people added)")  # fmt: skip


def with_postgres(admin_url: str, path: Path) -> None:
    name = f"vaxpass_bench_{secrets.token_hex(4)}"
    libpq = make_url(admin_url).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(libpq, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        measure(make_url(admin_url).set(database=name).render_as_string(False), path, "postgresql")
    finally:
        with psycopg.connect(libpq, autocommit=True) as admin:
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            admin.execute(drop.format(sql.Identifier(name)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / "export.csv"
        started = time.perf_counter()
        rows = write_export(export, args.rows)
        print(f"generated {rows} rows in {time.perf_counter() - started:.1f} s")
        measure(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", export, "sqlite")
        if not args.no_postgres:
            with_postgres(args.postgres, export)


if __name__ == "__main__":
    main()
