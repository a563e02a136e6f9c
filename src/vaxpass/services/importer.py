"""``import_records``: stream rows into the database in one transaction.

Rows are validated one by one; rejected rows go to the error sink as (row, field, reason). Valid
rows are collected in chunks (constant memory). Each chunk's doses are checked, person by
person, against the dose-sequence rules together with the doses already stored for the same
people (earlier chunks included); the rows that break them are reported too. The rest is staged
and merged by natural key, so importing the same file twice changes nothing, and a crash before
the commit leaves nothing behind. Staged doses that the merge skips (a repeat within the file, or a
dose stored before the import) are reported under the field ``_duplicate``; they are not rejected.

While the database merges a chunk (on a helper thread, which waits with the interpreter lock
released), the next chunk is read and validated.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, Engine

from vaxpass.domain.dose import (
    DATED_BEFORE_EARLIER_DOSE,
    DOSE_GIVEN_TWICE,
    SequencedDose,
    sequence_conflicts,
)
from vaxpass.errors import FieldError
from vaxpass.services.rows import RowRules, validate_row
from vaxpass.services.sources import Row
from vaxpass.storage.staging import (
    AddedDose,
    MergeCounts,
    StagedRow,
    StoredDose,
    create_staging,
    earlier_rows,
    finish_staging,
    merge_staging,
    record_added,
    stored_doses,
    write_staging,
)

CHUNK_ROWS = 20_000
ErrorSink = Callable[[int, FieldError], None]
Progress = Callable[[int], None]
# The import file's column that a sequence error is reported against.
_SEQUENCE_FIELD = {DOSE_GIVEN_TWICE: "dose_number", DATED_BEFORE_EARLIER_DOSE: "vaccinated_on"}
# Report lines for staged doses that are not added (counted in ``doses_already_present``).
DUPLICATE_FIELD = "_duplicate"
ALREADY_RECORDED = "already recorded"


def duplicate_of(row_no: int) -> str:
    return f"duplicate of row {row_no} in this file"


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
    merged: MergeCounts = field(default_factory=MergeCounts)


def _ignore_progress(_rows: int) -> None:
    """No progress display."""


def _chunks(
    rows: Iterable[Row], rules: RowRules, on_error: ErrorSink, tally: _Tally
) -> Iterator[list[StagedRow]]:
    """Valid rows in lists of ``CHUNK_ROWS``; rejected rows are reported on the way."""
    chunk: list[StagedRow] = []
    for row_no, cells in rows:
        tally.read += 1
        outcome = validate_row(row_no, cells, rules)
        if isinstance(outcome, list):
            tally.rejected += 1
            for error in outcome:
                on_error(row_no, error)
            continue
        chunk.append(outcome)
        if len(chunk) >= CHUNK_ROWS:
            yield chunk
            chunk = []
    yield chunk


def _person_rejects(
    stored: list[StoredDose], staged: list[StagedRow]
) -> Iterator[tuple[int, FieldError]]:
    """(row, error) for the staged rows of one person that make their doses impossible.
    A dose already present (same date and product) is not a second dose."""
    seen = {(d.vaccinated_on, d.product) for d in stored}
    candidates: list[StagedRow] = []
    for row in staged:
        key = (row.vaccinated_on, row.product)
        if key not in seen:
            seen.add(key)
            candidates.append(row)
    if len(stored) + len(candidates) < 2:
        return
    doses: list[SequencedDose] = [*stored, *candidates]
    for earlier, later, error in sequence_conflicts(doses):
        position = later if later >= len(stored) else earlier
        if position >= len(stored):
            field = _SEQUENCE_FIELD.get(error.reason, "dose_number")
            yield candidates[position - len(stored)].row_no, FieldError(field, error.reason)


def _check_sequences(
    chunk: list[StagedRow], stored: list[StoredDose], on_error: ErrorSink, tally: _Tally
) -> list[StagedRow]:
    """The chunk without the rows that break the dose-sequence rules (those are reported)."""
    by_person: dict[str, list[StagedRow]] = {}
    for row in chunk:
        by_person.setdefault(row.record_key, []).append(row)
    stored_by_person: dict[str, list[StoredDose]] = {}
    for dose in stored:
        stored_by_person.setdefault(dose.record_key, []).append(dose)
    rejected: set[int] = set()
    for key, staged in by_person.items():
        if len(staged) > 1 or key in stored_by_person:
            for row_no, error in _person_rejects(stored_by_person.get(key, []), staged):
                rejected.add(row_no)
                on_error(row_no, error)
    if not rejected:
        return chunk
    tally.rejected += len(rejected)
    return [row for row in chunk if row.row_no not in rejected]


def _report_duplicates(
    conn: Connection, staged: list[StagedRow], stored: list[StoredDose], on_error: ErrorSink
) -> None:
    """Report the staged doses the merge will skip, and remember the ones it adds.

    ``stored`` holds every stored dose of the chunk's people (earlier chunks of this import
    included), so a staged dose is skipped exactly when its natural key is in ``stored`` or on
    an earlier row of the chunk. Doses stored by an earlier chunk are told apart from doses
    stored before the import by one query on the staging tables, run only when needed.
    """
    present = {(d.record_key, d.vaccinated_on, d.product) for d in stored}
    first_rows: dict[tuple[str, date, str], int] = {}
    matched: list[int] = []
    lines: list[tuple[int, str]] = []
    added: list[AddedDose] = []
    for row in staged:
        key = (row.record_key, row.vaccinated_on, row.product)
        if key in present:
            matched.append(row.row_no)
        elif (first := first_rows.get(key)) is not None:
            lines.append((row.row_no, duplicate_of(first)))
        else:
            first_rows[key] = row.row_no
            added.append((*key, row.row_no))
    if matched:
        earlier = earlier_rows(conn)
        for row_no in matched:
            first = earlier.get(row_no)
            lines.append((row_no, ALREADY_RECORDED if first is None else duplicate_of(first)))
    for row_no, reason in sorted(lines):
        on_error(row_no, FieldError(DUPLICATE_FIELD, reason))
    record_added(conn, added)


def _stored_for(conn: Connection, chunk: list[StagedRow]) -> list[StoredDose]:
    return list(stored_doses(conn, (row.record_key for row in chunk)))


def _merged(merging: Future[MergeCounts] | None) -> MergeCounts:
    return MergeCounts() if merging is None else merging.result()


def _merge_chunks(
    conn: Connection, chunks: Iterable[list[StagedRow]], on_error: ErrorSink, tally: _Tally,
    progress: Progress,
) -> None:  # fmt: skip
    """Stage each chunk and merge it on the helper thread; the connection is only ever used by
    one thread at a time (the next chunk is staged once the previous merge has finished)."""
    create_staging(conn)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-merge") as database:
        merging: Future[MergeCounts] | None = None
        for chunk in chunks:  # validating this chunk overlaps the previous merge
            tally.merged += _merged(merging)
            stored = _stored_for(conn, chunk)
            accepted = _check_sequences(chunk, stored, on_error, tally)
            write_staging(conn, accepted)
            _report_duplicates(conn, accepted, stored, on_error)
            tally.staged += len(accepted)
            merging = database.submit(merge_staging, conn) if accepted else None
            progress(tally.read)
        tally.merged += _merged(merging)
    finish_staging(conn)


def import_records(
    engine: Engine,
    rows: Iterable[Row],
    rules: RowRules,
    on_error: ErrorSink,
    progress: Progress = _ignore_progress,
) -> ImportSummary:
    tally = _Tally()
    with engine.begin() as conn:
        _merge_chunks(conn, _chunks(rows, rules, on_error, tally), on_error, tally, progress)
    merged = tally.merged
    return ImportSummary(
        rows_read=tally.read,
        rows_rejected=tally.rejected,
        people_added=merged.people_added,
        doses_added=merged.doses_added,
        doses_already_present=tally.staged - merged.doses_added,
        facilities_added=merged.facilities_added,
    )


class ErrorReport:
    """A CSV error report (``row,field,reason``) written as errors arrive. ``count`` counts the
    lines of rejected rows, ``duplicates`` the lines of doses not added as duplicates."""

    HEADER = ("row", "field", "reason")

    def __init__(self, stream: IO[str]) -> None:
        self._writer = csv.writer(stream)
        self._writer.writerow(self.HEADER)
        self.count = 0
        self.duplicates = 0

    def __call__(self, row_no: int, error: FieldError) -> None:
        self._writer.writerow((row_no, error.field, error.reason))
        if error.field == DUPLICATE_FIELD:
            self.duplicates += 1
        else:
            self.count += 1


def default_report_path(source: Path) -> Path:
    return source.with_name(source.name + ".errors.csv")
