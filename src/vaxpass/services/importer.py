"""``import_records``: stream rows into the database in one transaction.

Valid rows go to a staging table in chunks (constant memory), rejected rows go to the error
sink as (row, field, reason), and the merge at the end adds only what is new: importing the same
file twice changes nothing, and a crash before the commit leaves nothing behind.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, Engine

from vaxpass.errors import FieldError
from vaxpass.services.rows import RowRules, validate_row
from vaxpass.services.sources import Row
from vaxpass.storage.staging import StagedRow, create_staging, merge_staging, write_staging

CHUNK_ROWS = 5000
ErrorSink = Callable[[int, FieldError], None]
Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class ImportSummary:
    rows_read: int
    rows_rejected: int
    people_added: int
    doses_added: int
    doses_already_present: int
    facilities_added: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass
class _Tally:
    read: int = 0
    rejected: int = 0
    staged: int = 0


def _ignore_progress(_rows: int) -> None:
    """No progress display."""


def import_records(
    engine: Engine,
    rows: Iterable[Row],
    rules: RowRules,
    on_error: ErrorSink,
    progress: Progress = _ignore_progress,
) -> ImportSummary:
    tally = _Tally()
    with engine.begin() as conn:
        create_staging(conn)
        buffer: list[StagedRow] = []
        for row_no, cells in rows:
            tally.read += 1
            outcome = validate_row(row_no, cells, rules)
            if isinstance(outcome, list):
                tally.rejected += 1
                for error in outcome:
                    on_error(row_no, error)
            else:
                buffer.append(outcome)
            if len(buffer) >= CHUNK_ROWS:
                tally.staged += _flush(conn, buffer)
                progress(tally.read)
        tally.staged += _flush(conn, buffer)
        progress(tally.read)
        merged = merge_staging(conn)
    return ImportSummary(
        rows_read=tally.read,
        rows_rejected=tally.rejected,
        people_added=merged.people_added,
        doses_added=merged.doses_added,
        doses_already_present=tally.staged - merged.doses_added,
        facilities_added=merged.facilities_added,
    )


def _flush(conn: Connection, buffer: list[StagedRow]) -> int:
    write_staging(conn, buffer)
    count = len(buffer)
    buffer.clear()
    return count


class ErrorReport:
    """A CSV error report (``row,field,reason``) written as errors arrive."""

    HEADER = ("row", "field", "reason")

    def __init__(self, stream: IO[str]) -> None:
        self._writer = csv.writer(stream)
        self._writer.writerow(self.HEADER)
        self.count = 0

    def __call__(self, row_no: int, error: FieldError) -> None:
        self._writer.writerow((row_no, error.field, error.reason))
        self.count += 1


def default_report_path(source: Path) -> Path:
    return source.with_name(source.name + ".errors.csv")
