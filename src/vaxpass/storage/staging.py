"""Bulk import through a temporary staging table, merged into the real tables by natural key.

Rows stream into ``import_staging`` (PostgreSQL: ``COPY``; SQLite: batched inserts), then three
``INSERT ... SELECT`` statements merge facilities, people and doses, ignoring rows whose natural
key already exists. Everything happens inside the caller's transaction: a crash leaves nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import Connection, text


class StagedRow(NamedTuple):
    row_no: int
    record_key: str
    id_kind: str | None
    id_number: str | None
    full_name: str
    name_key: str
    name_icao: str
    sex: str
    birth_date: str
    nationality: str
    phone: str
    email: str
    state: str
    id_problems: str
    dose_number: int
    series_doses: int
    vaccinated_on: date
    product: str
    manufacturer: str
    prophylaxis: str
    lot_number: str
    facility_code: str
    facility_name: str
    facility_province: str
    country: str


COLUMNS = StagedRow._fields
_PERSON = (
    "record_key, id_kind, id_number, full_name, name_key, name_icao, sex, birth_date, "
    "nationality, phone, email, state, id_problems"
)
_DOSE = (
    "dose_number, series_doses, vaccinated_on, product, manufacturer, prophylaxis, "
    "lot_number, facility_code, country"
)
_INT_COLUMNS = {"row_no": "BIGINT", "dose_number": "SMALLINT", "series_doses": "SMALLINT"}


@dataclass(frozen=True, slots=True)
class MergeCounts:
    facilities_added: int
    people_added: int
    doses_added: int


@dataclass(frozen=True, slots=True)
class _Dialect:
    temp_suffix: str
    date_type: str
    insert: str
    conflict: str


_DIALECTS: dict[str, _Dialect] = {
    "postgresql": _Dialect(" ON COMMIT DROP", "DATE", "INSERT", " ON CONFLICT DO NOTHING"),
    "sqlite": _Dialect("", "TEXT", "INSERT OR IGNORE", ""),
}


def _dialect(conn: Connection) -> _Dialect:
    return _DIALECTS[conn.dialect.name]


def create_staging(conn: Connection) -> None:
    d = _dialect(conn)
    types = {**_INT_COLUMNS, "vaccinated_on": d.date_type}
    columns = ", ".join(f"{c} {types.get(c, 'TEXT')}" for c in COLUMNS)
    conn.execute(text("DROP TABLE IF EXISTS import_staging"))
    conn.execute(text(f"CREATE TEMP TABLE import_staging ({columns}){d.temp_suffix}"))


def _copy_rows(conn: Connection, rows: Sequence[StagedRow]) -> None:
    raw: Any = conn.connection.driver_connection
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY import_staging ({', '.join(COLUMNS)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _insert_rows(conn: Connection, rows: Sequence[StagedRow]) -> None:
    placeholders = ", ".join("?" for _ in COLUMNS)
    raw: Any = conn.connection.driver_connection
    raw.executemany(f"INSERT INTO import_staging VALUES ({placeholders})", rows)


_WRITERS = {"postgresql": _copy_rows, "sqlite": _insert_rows}


def write_staging(conn: Connection, rows: Sequence[StagedRow]) -> None:
    if rows:
        _WRITERS[conn.dialect.name](conn, rows)


def _merge_statements(d: _Dialect) -> tuple[str, str, str]:
    facilities = (
        f"{d.insert} INTO facilities (code, name, province_code) "
        "SELECT facility_code, MIN(facility_name), MIN(facility_province) "
        f"FROM import_staging GROUP BY facility_code{d.conflict}"
    )
    people = (
        f"{d.insert} INTO people ({_PERSON}, mismatch_fields) "
        f"SELECT {_PERSON}, '' FROM import_staging WHERE row_no IN "
        f"(SELECT MIN(row_no) FROM import_staging GROUP BY record_key){d.conflict}"
    )
    dose_columns = ", ".join(f"s.{c.strip()}" for c in _DOSE.split(","))
    doses = (
        f"{d.insert} INTO doses (person_id, {_DOSE}) SELECT p.id, {dose_columns} "
        "FROM import_staging s JOIN people p ON p.record_key = s.record_key "
        f"ORDER BY s.row_no{d.conflict}"
    )
    return facilities, people, doses


def merge_staging(conn: Connection) -> MergeCounts:
    """Merge the staged rows; existing natural keys are left as they are (idempotent)."""
    conn.execute(text("CREATE INDEX ix_import_staging_key ON import_staging (record_key, row_no)"))
    conn.execute(text("ANALYZE import_staging"))
    counts = [conn.execute(text(sql)).rowcount for sql in _merge_statements(_dialect(conn))]
    return MergeCounts(*counts)
