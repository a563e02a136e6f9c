"""Import throughput: dose rows per second from a CSV export into SQLite and PostgreSQL.

    python benchmarks/import_throughput.py [--rows 1000000] [--postgres URL] [--no-postgres]

Generates a synthetic export (seeded, so every run imports the same file), then imports it into
a fresh SQLite file and a fresh PostgreSQL database (COPY into staging, then merge). Prints
rows/s and, measured in the same run on the same file, a raw limit without validation, merge
or indexes; the ratio says how close the import gets to it. Asserts nothing about time.

Raw limits: SQLite, ``csv.reader`` + one ``executemany`` of every row into a plain table in one
transaction; PostgreSQL, server-side ``COPY ... (FORMAT csv)`` of the file into an unlogged
table of text columns.
"""

from __future__ import annotations

import argparse
import csv
import secrets
import sqlite3
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


def measure(url: str, path: Path) -> float:
    """Import ``path`` into ``url``; print and return rows/s."""
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
    print(f"  import    {summary.rows_read:>9} rows  {elapsed:7.1f} s  {rate:9,.0f} rows/s  "
          f"({summary.doses_added} doses, {summary.people_added} people added, "
          f"{rejected} errors)")  # fmt: skip
    return rate


def report_raw(label: str, rows: int, elapsed: float, rate: float) -> None:
    raw = rows / elapsed
    print(f"  raw limit {rows:>9} rows  {elapsed:7.1f} s  {raw:9,.0f} rows/s  ({label})")
    print(f"  ratio     {rate / raw:.2f} of the raw limit")


def sqlite_raw(path: Path, database: Path) -> tuple[int, float]:
    """Rows/s of csv.reader + executemany into a plain table, no validation or index."""
    started = time.perf_counter()
    with path.open(newline="", encoding="utf-8") as stream, sqlite3.connect(database) as conn:
        reader = csv.reader(stream)
        header = next(reader)
        conn.execute(f"CREATE TABLE raw ({', '.join(f'c{i} TEXT' for i in range(len(header)))})")
        marks = ", ".join("?" * len(header))
        cursor = conn.executemany(f"INSERT INTO raw VALUES ({marks})", reader)
        rows = cursor.rowcount
    return rows, time.perf_counter() - started


def postgres_raw(libpq: str, path: Path) -> tuple[int, float]:
    """Rows/s of a server-side COPY of the file into an unlogged table of text columns."""
    with path.open(encoding="utf-8") as stream:
        width = len(next(csv.reader(stream)))
    with psycopg.connect(libpq) as conn:
        columns = ", ".join(f"c{i} text" for i in range(width))
        conn.execute(f"CREATE UNLOGGED TABLE raw_copy ({columns})")
        started = time.perf_counter()
        with conn.cursor() as cursor, path.open("rb") as stream:
            with cursor.copy("COPY raw_copy FROM STDIN (FORMAT csv, HEADER true)") as copy:
                while block := stream.read(1 << 20):
                    copy.write(block)
            rows = cursor.rowcount
        conn.commit()
        return rows, time.perf_counter() - started


def with_sqlite(tmp: Path, path: Path) -> None:
    print("sqlite")
    rate = measure(f"sqlite:///{tmp / 'bench.sqlite3'}", path)
    rows, elapsed = sqlite_raw(path, tmp / "raw.sqlite3")
    report_raw("csv.reader + executemany, one transaction", rows, elapsed, rate)


def with_postgres(admin_url: str, path: Path) -> None:
    print("postgresql")
    name = f"vaxpass_bench_{secrets.token_hex(4)}"
    libpq = make_url(admin_url).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(libpq, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        url = make_url(admin_url).set(database=name)
        rate = measure(url.render_as_string(False), path)
        database = url.set(drivername="postgresql").render_as_string(False)
        rows, elapsed = postgres_raw(database, path)
        report_raw("COPY FORMAT csv into an unlogged table", rows, elapsed, rate)
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
        with_sqlite(Path(tmp), export)
        if not args.no_postgres:
            with_postgres(args.postgres, export)


if __name__ == "__main__":
    main()
