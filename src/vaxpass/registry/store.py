"""The reference registry's own store: one SQLite table of citizens keyed by ID number."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

from vaxpass.domain.matching import IdentityQuery, MatchResult, match_identity

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS citizens ("
    "id_number TEXT PRIMARY KEY, full_name TEXT NOT NULL, sex TEXT NOT NULL, "
    "birth_date TEXT NOT NULL) WITHOUT ROWID"
)
_CHUNK = 2000  # ID numbers per lookup (SQLite allows 32766 parameters)
_SELECT = "SELECT full_name, sex, birth_date, id_number FROM citizens"


class RegistryStore:
    """Thread-safe: every thread gets its own read connection."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    def _reader(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
        return conn

    def load(self, citizens: Iterable[IdentityQuery]) -> int:
        """Insert or replace citizens, keyed by ID number; returns how many were written."""
        rows = ((c.id_number, c.full_name, c.sex, c.birth_date) for c in citizens)
        with self._connect() as conn:
            before = conn.total_changes
            conn.executemany("INSERT OR REPLACE INTO citizens VALUES (?, ?, ?, ?)", rows)
            return conn.total_changes - before

    def count(self) -> int:
        return int(self._reader().execute("SELECT COUNT(*) FROM citizens").fetchone()[0])

    def find(self, id_numbers: Sequence[str]) -> dict[str, IdentityQuery]:
        found: dict[str, IdentityQuery] = {}
        unique = sorted(set(id_numbers))
        for start in range(0, len(unique), _CHUNK):
            chunk = unique[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            sql = f"{_SELECT} WHERE id_number IN ({marks})"
            for row in self._reader().execute(sql, chunk):
                found[row[3]] = IdentityQuery(*row)
        return found

    def match_batch(self, queries: Sequence[IdentityQuery]) -> list[MatchResult]:
        citizens = self.find([q.id_number.strip() for q in queries])
        return [match_identity(q, citizens.get(q.id_number.strip())) for q in queries]

    def close(self) -> None:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
