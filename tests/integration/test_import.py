"""Bulk import on SQLite and PostgreSQL: idempotence, duplicates, atomicity, hostile files."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine, select

from records_files import GOOD_ROWS, HEADER, csv_bytes, write_csv
from vaxpass.errors import ErrorCode, FieldError, ImportFileError
from vaxpass.services import importer
from vaxpass.services.importer import import_records
from vaxpass.services.rows import RowRules, validate_row
from vaxpass.services.sources import Row, read_rows
from vaxpass.storage import staging
from vaxpass.storage.records import counts_by_state, table_counts
from vaxpass.storage.tables import people

RULES = RowRules(today=date(2022, 12, 31))


class Errors:
    def __init__(self) -> None:
        self.items: list[tuple[int, str, str]] = []

    def __call__(self, row_no: int, error: FieldError) -> None:
        self.items.append((row_no, error.field, error.reason))


def run_import(engine: Engine, path: Path) -> tuple[importer.ImportSummary, Errors]:
    errors = Errors()
    return import_records(engine, read_rows(path), RULES, errors), errors


def totals(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return table_counts(conn)


def test_good_file_imports_every_row(engine: Engine, tmp_path: Path) -> None:
    summary, errors = run_import(engine, write_csv(tmp_path / "a.csv", GOOD_ROWS))
    assert errors.items == []
    assert (summary.rows_read, summary.people_added, summary.doses_added) == (4, 3, 4)
    assert totals(engine) == {"people": 3, "doses": 4, "facilities": 3}


def test_same_file_twice_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", GOOD_ROWS)
    run_import(engine, path)
    with engine.connect() as conn:
        before = conn.execute(select(people).order_by(people.c.id)).all()
    again, errors = run_import(engine, path)
    with engine.connect() as conn:
        after = conn.execute(select(people).order_by(people.c.id)).all()
    assert (again.people_added, again.doses_added, again.doses_already_present) == (0, 0, 4)
    assert errors.items == [(n, "_duplicate", "already recorded") for n in range(2, 6)]
    assert before == after
    assert totals(engine) == {"people": 3, "doses": 4, "facilities": 3}


def test_same_dose_from_two_facilities_is_kept_once(engine: Engine, tmp_path: Path) -> None:
    twice = [GOOD_ROWS[0], [*GOOD_ROWS[0][:8], "HN-K", "Bệnh viện K", "01"]]
    summary, _ = run_import(engine, write_csv(tmp_path / "dup.csv", twice))
    assert (summary.doses_added, summary.doses_already_present) == (1, 1)
    assert totals(engine)["doses"] == 1


def test_duplicates_are_reported_by_row_and_stored_once(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "CHUNK_ROWS", 2)  # a repeat in the same and in a later chunk
    other_site = [*GOOD_ROWS[0][:8], "HN-K", "Bệnh viện K", "01"]
    rows = [GOOD_ROWS[0], other_site, GOOD_ROWS[1], GOOD_ROWS[0], *GOOD_ROWS[2:]]
    summary, errors = run_import(engine, write_csv(tmp_path / "dup.csv", rows))
    assert errors.items == [
        (3, "_duplicate", "duplicate of row 2 in this file"),
        (5, "_duplicate", "duplicate of row 2 in this file"),
    ]
    assert (summary.rows_rejected, summary.doses_added, summary.doses_already_present) == (0, 4, 2)
    assert totals(engine) == {"people": 3, "doses": 4, "facilities": 4}
    again, errors = run_import(engine, write_csv(tmp_path / "dup.csv", rows))
    assert errors.items == [(n, "_duplicate", "already recorded") for n in range(2, 8)]
    assert (again.rows_rejected, again.doses_added, again.doses_already_present) == (0, 0, 6)
    assert totals(engine) == {"people": 3, "doses": 4, "facilities": 4}


def test_report_counts_duplicates_apart_from_rejections(engine: Engine, tmp_path: Path) -> None:
    path = hostile_file(tmp_path / "hostile.csv")
    stream = io.StringIO()
    report = importer.ErrorReport(stream)
    import_records(engine, read_rows(path), RULES, report)
    lines = list(csv.reader(io.StringIO(stream.getvalue())))
    assert ["15", "_duplicate", "duplicate of row 2 in this file"] in lines
    assert (report.count, report.duplicates) == (len(lines) - 2, 1)


def test_invalid_id_numbers_are_kept_in_state_id_invalid(engine: Engine, tmp_path: Path) -> None:
    rows = [
        ["", "Phạm Văn Nam", "M", "1970", "1", "2021-08-01", "Vaxzevria", "", "HP", "", "31"],
        ["12345", "Phạm Thị Lan", "F", "1971", "1", "2021-08-01", "Vaxzevria", "", "HP", "", "31"],
        ["001190012345", "Đỗ Văn An", "M", "1990", "1", "2021-08-01", "Vaxzevria", "", "HP", "",
         "31"],
    ]  # fmt: skip
    summary, errors = run_import(engine, write_csv(tmp_path / "ids.csv", rows))
    assert errors.items == []
    assert summary.people_added == 3
    with engine.connect() as conn:
        assert counts_by_state(conn)["id_invalid"] == 3


def test_crash_leaves_nothing_half_imported(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "CHUNK_ROWS", 2)  # staging is flushed before the crash

    def rows_then_crash() -> Iterator[Row]:
        yield from read_rows(write_csv(tmp_path / "a.csv", GOOD_ROWS))
        raise OSError("disk vanished")

    with pytest.raises(OSError, match="disk vanished"):
        import_records(engine, rows_then_crash(), RULES, Errors())
    assert totals(engine) == {"people": 0, "doses": 0, "facilities": 0}


def hostile_file(path: Path) -> Path:
    good = csv_bytes(GOOD_ROWS)
    bad = [
        ["001090000001", "=HYPERLINK(\"http://x\",\"click\")", "M", "1990", "1", "2021-07-01",
         "Vaxzevria", "", "HN-BM", "", "01"],
        ["001090000002", "Nguyễn\x07 Văn Bell", "M", "1990", "1", "2021-07-01", "Vaxzevria", "",
         "HN-BM", "", "01"],
        ["001090000003", "Nguyễn \u202eVăn Bidi", "M", "1990", "1", "2021-07-01", "Vaxzevria",
         "", "HN-BM", "", "01"],
        ["001090000004", "Nguyễn Văn Lớn", "M", "1990", "1", "2021-07-01", "Vaxzevria",
         "L" * 1_000_000, "HN-BM", "", "01"],
        ["001090000005", "Nguyễn Văn Tương", "M", "1990", "1", "2030-07-01", "Vaxzevria", "",
         "HN-BM", "", "01"],
        ["001090000006", "Nguyễn Văn Vắc", "M", "1990", "1", "2021-07-01", "Snake oil", "",
         "HN-BM", "", "01"],
        ["001090000007", "Nguyễn Văn Thừa", "M", "1990", "1", "2021-07-01", "Vaxzevria", "",
         "HN-BM", "", "01", "extra"],
    ]  # fmt: skip
    rows = csv_bytes(bad).split(b"\r\n", 1)[1]
    latin1 = "001090000008,Nguy\xeamn V\xe3n Latin,M,1990,1,2021-07-01,Vaxzevria,,HN-BM,,01\r\n"
    nul = "001090000009,Nguyễn Văn\x00Nul,M,1990,1,2021-07-01,Vaxzevria,,HN-BM,,01\r\n"
    duplicate = csv_bytes(GOOD_ROWS[:1]).split(b"\r\n", 1)[1]
    path.write_bytes(
        good + rows + latin1.encode("latin-1") + nul.encode() + duplicate + b"\xff\xfe\xfd\r\n"
    )
    return path


def test_hostile_file_rejects_bad_rows_and_keeps_good_ones(engine: Engine, tmp_path: Path) -> None:
    summary, errors = run_import(engine, hostile_file(tmp_path / "hostile.csv"))
    rejected = {(row, field) for row, field, _ in errors.items if field != "_duplicate"}
    assert {(6, "full_name"), (7, "full_name"), (8, "full_name"), (9, "lot_number"),
            (10, "vaccinated_on"), (11, "product"), (12, "_row"), (13, "full_name"),
            (14, "full_name"), (16, "id_number")} <= rejected  # fmt: skip
    assert {row for row, _ in rejected} == set(range(6, 15)) | {16}
    assert all("Nguy" not in reason and "HYPERLINK" not in reason for *_, reason in errors.items)
    assert summary.doses_added == 4
    assert summary.doses_already_present == 1
    assert (15, "_duplicate", "duplicate of row 2 in this file") in errors.items
    assert totals(engine) == {"people": 3, "doses": 4, "facilities": 3}


def test_xlsx_import_reads_dates_and_refuses_formulas(engine: Engine, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append([*GOOD_ROWS[0][:5], date(2021, 7, 1), *GOOD_ROWS[0][6:]])
    sheet.append(["001090000001", '=HYPERLINK("http://x","y")', *GOOD_ROWS[0][2:]])
    path = tmp_path / "export.xlsx"
    book.save(path)
    summary, errors = run_import(engine, path)
    assert summary.doses_added == 1
    assert [(row, field) for row, field, _ in errors.items] == [(3, "full_name")]


@pytest.mark.parametrize(
    ("name", "content"),
    [("junk.xlsx", b"PK\x03\x04 not really a zip"), ("empty.csv", b""), ("x.pdf", b"%PDF")],
)
def test_unreadable_files_raise_a_typed_error(
    engine: Engine, tmp_path: Path, name: str, content: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImportFileError) as caught:
        run_import(engine, path)
    assert caught.value.code is ErrorCode.IMPORT_FILE_INVALID
    assert totals(engine)["people"] == 0


def test_impossible_dose_sequences_are_reported_by_row(engine: Engine, tmp_path: Path) -> None:
    person = ["001090012345", "Nguyễn Bá Hùng", "M", "1990-05-17"]
    site = ["", "HN-BM", "Bệnh viện Bạch Mai", "01"]
    first = [[*person, "1", "2021-07-01", "Vaxzevria", *site],
             [*person, "2", "2021-06-01", "Vaxzevria", *site]]  # fmt: skip
    summary, errors = run_import(engine, write_csv(tmp_path / "a.csv", first))
    assert errors.items == [(3, "vaccinated_on", "dated before earlier dose")]
    assert (summary.rows_rejected, summary.doses_added) == (1, 1)
    later = [[*person, "1", "2021-08-01", "Vaxzevria", *site]]  # against the stored dose 1
    summary, errors = run_import(engine, write_csv(tmp_path / "b.csv", later))
    assert errors.items == [(2, "dose_number", "dose number given twice")]
    assert (summary.rows_rejected, summary.doses_added) == (1, 0)
    assert totals(engine)["doses"] == 1


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_postgres_dose_merge_looks_people_up_by_index(engine: Engine, tmp_path: Path) -> None:
    """The chunk's people are found through the record-key index, not by reading ``people``
    whole (which would cost more with every chunk of a large import)."""
    assert engine.dialect.name == "postgresql"
    run_import(engine, write_csv(tmp_path / "a.csv", GOOD_ROWS))
    rows = read_rows(write_csv(tmp_path / "b.csv", GOOD_ROWS))
    staged = [r for n, c in rows if not isinstance(r := validate_row(n, c, RULES), list)]
    with engine.begin() as conn:
        staging.create_staging(conn)
        staging.write_staging(conn, staged)
        doses_merge = staging._merge_statements(staging._dialect(conn))[2]
        plan = "\n".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN {doses_merge}"))
        conn.rollback()
    assert "uq_people_record_key" in plan
    assert "Seq Scan on people" not in plan
