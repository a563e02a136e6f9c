"""Bulk import through temporary staging tables, merged into the real tables by natural key.

The import streams in chunks. Each chunk goes into three staging tables (PostgreSQL: ``COPY``;
SQLite: ``executemany``): ``import_doses`` gets every row's dose, ``import_people`` the first
row of each person in the chunk and ``import_facilities`` the first row of each facility, so
person and facility cells are sent once per chunk rather than once per dose. Three set-based
``INSERT ... SELECT`` statements then merge the chunk, skipping natural keys already stored (the
first occurrence in the file wins), and the staging tables are emptied for the next chunk. A
fourth table, ``import_added``, keeps the natural key and file row of every dose the import adds,
so that a later chunk's repeat of it can be reported against that row.
Everything happens inside the caller's transaction: a crash leaves nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import islice
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import ARRAY, ColumnElement, Connection, Text, any_, bindparam, select, text

from vaxpass.storage.tables import doses, people


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


class StoredDose(NamedTuple):
    record_key: str
    dose_number: int
    vaccinated_on: date
    product: str


COLUMNS = StagedRow._fields
_PERSON = (
    "record_key, id_kind, id_number, full_name, name_key, name_icao, sex, birth_date, "
    "nationality, phone, email, state, id_problems"
)
_DOSE = (
    "dose_number, series_doses, vaccinated_on, product, manufacturer, prophylaxis, "
    "lot_number, facility_code, country"
)
_STAGING: dict[str, tuple[str, ...]] = {
    "import_people": COLUMNS[0:14],
    "import_doses": ("row_no", "record_key", *(c.strip() for c in _DOSE.split(","))),
    "import_facilities": ("facility_code", "facility_name", "facility_province"),
    "import_added": ("record_key", "vaccinated_on", "product", "row_no"),
}
_ADDED_INDEX = "CREATE INDEX import_added_key ON import_added (record_key, vaccinated_on, product)"
_DOSE_CELLS = itemgetter(*(COLUMNS.index(c) for c in _STAGING["import_doses"]))
_TYPES = {"row_no": "BIGINT", "dose_number": "SMALLINT", "series_doses": "SMALLINT"}
_KEYS_PER_QUERY = 5000


@dataclass(frozen=True, slots=True)
class MergeCounts:
    facilities_added: int = 0
    people_added: int = 0
    doses_added: int = 0

    def __add__(self, other: MergeCounts) -> MergeCounts:
        return MergeCounts(
            self.facilities_added + other.facilities_added,
            self.people_added + other.people_added,
            self.doses_added + other.doses_added,
        )


@dataclass(frozen=True, slots=True)
class _Dialect:
    temp_suffix: str
    date_type: str
    insert: str
    conflict: str
    empty: str
    setup: tuple[str, ...]
    teardown: tuple[str, ...]
    person_ids: str  # the chunk's doses with their person's id as ``p.id``


# PostgreSQL: each person of the chunk is looked up once through the record-key index (the
# LIMIT keeps the lookup a per-person index probe whatever the statistics say); a plain join
# would be planned as a hash of the whole ``people`` table, which grows with every chunk.
# SQLite already probes the index for each row of the plain join.
_PG_PERSON_IDS = (
    "import_doses s JOIN import_people i ON i.record_key = s.record_key "
    "CROSS JOIN LATERAL (SELECT id FROM people WHERE people.record_key = i.record_key "
    "LIMIT 1) p"
)
_SQLITE_PERSON_IDS = "import_doses s JOIN people p ON p.record_key = s.record_key"


# SQLite: a larger page cache for the index updates while importing, put back at the end.
# Durability settings stay as they are: the import is one transaction, so a crash still leaves
# nothing behind. PostgreSQL: enough memory to sort a chunk without temporary files, and no JIT
# compilation (it costs more per chunk statement than it saves at this size).
_DIALECTS: dict[str, _Dialect] = {
    "postgresql": _Dialect(
        " ON COMMIT DROP", "DATE", "INSERT", " ON CONFLICT DO NOTHING", "TRUNCATE {}",
        ("SET LOCAL work_mem = '64MB'", "SET LOCAL jit = off"), (), _PG_PERSON_IDS,
    ),
    "sqlite": _Dialect(
        "", "TEXT", "INSERT OR IGNORE", "", "DELETE FROM {}", ("PRAGMA cache_size = -65536",),
        ("PRAGMA cache_size = -2000", *(f"DROP TABLE IF EXISTS {t}" for t in _STAGING)),
        _SQLITE_PERSON_IDS,
    ),
}  # fmt: skip


def _dialect(conn: Connection) -> _Dialect:
    return _DIALECTS[conn.dialect.name]


def create_staging(conn: Connection) -> None:
    """Prepare the connection for a bulk import and create the (empty) staging tables."""
    d = _dialect(conn)
    for statement in d.setup:
        conn.exec_driver_sql(statement)
    types = {**_TYPES, "vaccinated_on": d.date_type}
    for table, names in _STAGING.items():
        columns = ", ".join(f"{c} {types.get(c, 'TEXT')}" for c in names)
        conn.execute(text(f"DROP TABLE IF EXISTS {table}"))
        conn.execute(text(f"CREATE TEMP TABLE {table} ({columns}){d.temp_suffix}"))
    conn.execute(text(_ADDED_INDEX))


def finish_staging(conn: Connection) -> None:
    """Put the connection's settings back (PostgreSQL drops the tables at commit)."""
    for statement in _dialect(conn).teardown:
        conn.exec_driver_sql(statement)


def _split(rows: Sequence[StagedRow]) -> dict[str, list[tuple[Any, ...]]]:
    """The chunk's rows for each staging table: every dose, first person and facility rows."""
    people_seen: set[str] = set()
    facilities_seen: set[str] = set()
    persons: list[tuple[Any, ...]] = []
    facilities: list[tuple[Any, ...]] = []
    for row in rows:
        if row.record_key not in people_seen:
            people_seen.add(row.record_key)
            persons.append(row[0:14])  # row_no … id_problems
        if row.facility_code not in facilities_seen:
            facilities_seen.add(row.facility_code)
            facilities.append(row[21:24])  # facility code, name, province
    doses = list(map(_DOSE_CELLS, rows))
    return {"import_people": persons, "import_doses": doses, "import_facilities": facilities}


def _copy_rows(conn: Connection, table: str, rows: Sequence[tuple[Any, ...]]) -> None:
    raw: Any = conn.connection.driver_connection
    columns = ", ".join(_STAGING[table])
    with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _insert_rows(conn: Connection, table: str, rows: Sequence[tuple[Any, ...]]) -> None:
    placeholders = ", ".join("?" for _ in _STAGING[table])
    raw: Any = conn.connection.driver_connection
    raw.executemany(f"INSERT INTO {table} VALUES ({placeholders})", rows)


_WRITERS = {"postgresql": _copy_rows, "sqlite": _insert_rows}


def write_staging(conn: Connection, rows: Sequence[StagedRow]) -> None:
    """Replace the staging tables' content with ``rows`` (one chunk)."""
    empty = _dialect(conn).empty
    for table, staged in _split(rows).items():
        conn.exec_driver_sql(empty.format(table))
        if staged:
            _WRITERS[conn.dialect.name](conn, table, staged)


AddedDose = tuple[str, date, str, int]  # record key, date, product, file row

# Staged rows whose natural key an earlier chunk of the same import added: (row, earlier row).
_EARLIER_ROWS = (
    "SELECT s.row_no, a.row_no FROM import_doses s JOIN import_added a "
    "ON a.record_key = s.record_key AND a.vaccinated_on = s.vaccinated_on "
    "AND a.product = s.product"
)


def earlier_rows(conn: Connection) -> dict[int, int]:
    """For each staged dose that this import already added from an earlier chunk, the file row
    it was added from (one set-based query over the staging tables)."""
    return {int(r[0]): int(r[1]) for r in conn.exec_driver_sql(_EARLIER_ROWS)}


def record_added(conn: Connection, added: list[AddedDose]) -> None:
    """Remember the doses the staged chunk adds, with their file rows, for later chunks."""
    if added:
        _WRITERS[conn.dialect.name](conn, "import_added", added)


_STORED = select(people.c.record_key, doses.c.dose_number, doses.c.vaccinated_on,
                 doses.c.product).join(doses, doses.c.person_id == people.c.id)  # fmt: skip


def _key_filter(conn: Connection, keys: list[str]) -> ColumnElement[bool]:
    if conn.dialect.name == "postgresql":  # one array parameter instead of a list of them
        return people.c.record_key == any_(bindparam("keys", keys, ARRAY(Text)))
    return people.c.record_key.in_(keys)


def stored_doses(conn: Connection, record_keys: Iterable[str]) -> Iterator[StoredDose]:
    """The doses already stored for these people (by record key)."""
    unique = iter(sorted(set(record_keys)))
    while keys := list(islice(unique, _KEYS_PER_QUERY)):
        for row in conn.execute(_STORED.where(_key_filter(conn, keys))):
            yield StoredDose(*row)


def _merge_statements(d: _Dialect) -> tuple[str, str, str]:
    facilities = (
        f"{d.insert} INTO facilities (code, name, province_code) "
        f"SELECT facility_code, facility_name, facility_province FROM import_facilities"
        f"{d.conflict}"
    )
    people = (
        f"{d.insert} INTO people ({_PERSON}, mismatch_fields) "
        f"SELECT {_PERSON}, '' FROM import_people ORDER BY row_no{d.conflict}"
    )
    dose_columns = ", ".join(f"s.{c.strip()}" for c in _DOSE.split(","))
    doses = (
        f"{d.insert} INTO doses (person_id, {_DOSE}) SELECT p.id, {dose_columns} "
        f"FROM {d.person_ids} ORDER BY s.row_no{d.conflict}"
    )
    return facilities, people, doses


def merge_staging(conn: Connection) -> MergeCounts:
    """Merge the staged chunk; existing natural keys are left as they are (idempotent)."""
    counts = [conn.exec_driver_sql(sql).rowcount for sql in _merge_statements(_dialect(conn))]
    return MergeCounts(*counts)
