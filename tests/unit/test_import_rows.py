"""Row validation and the streaming CSV reader (in memory, no files)."""

from __future__ import annotations

import codecs
import io
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vaxpass.errors import ImportFileError
from vaxpass.services.rows import COLUMNS, RowRules, cell_problem, validate_row
from vaxpass.services.sources import read_csv
from vaxpass.storage.staging import StagedRow

RULES = RowRules(today=date(2022, 12, 31))
GOOD = {
    "id_number": "001090012345", "full_name": "Nguyễn  Bá Hùng", "sex": "Nam",
    "birth_date": "1990-05-17", "dose_number": "3", "vaccinated_on": "2022-01-10",
    "product": "Comirnaty", "facility_code": "HN-BM", "facility_province": "01",
}  # fmt: skip


def test_good_row_is_staged_with_defaults() -> None:
    staged = validate_row(2, GOOD, RULES)
    assert isinstance(staged, StagedRow)
    assert (staged.full_name, staged.name_icao) == ("Nguyễn Bá Hùng", "NGUYEN<BA<HUNG")
    assert (staged.manufacturer, staged.series_doses, staged.state) == (
        "ORG-100030215",
        3,
        "recorded",
    )
    assert staged.record_key == "cccd:001090012345"


def test_inconsistent_cccd_is_kept_as_id_invalid() -> None:
    staged = validate_row(2, {**GOOD, "sex": "Nữ"}, RULES)
    assert isinstance(staged, StagedRow)
    assert staged.state == "id_invalid"
    assert "sex" in staged.id_problems


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("full_name", "=HYPERLINK(\"x\")", "starts like a spreadsheet formula"),
        ("full_name", "@SUM(A1)", "starts like a spreadsheet formula"),
        ("full_name", "Nguyễn \u202eHùng", "contains control or bidi characters"),
        ("full_name", "Nguyễn \x00Hùng", "contains control or bidi characters"),
        ("full_name", "Nguyễn \udcffHùng", "not valid text in its encoding"),
        ("lot_number", "x" * 1_000_000, "too long"),
        ("full_name", "Hùng", "needs family and given name"),
        ("dose_number", "٣", "not a whole number"),
        ("product", "snake oil", "unknown value"),
        ("facility_province", "99", "not a 2021-22 province GSO code"),
        ("sex", "", "missing"),
    ],
)  # fmt: skip
def test_bad_cells_are_rejected_by_field(field: str, value: str, reason: str) -> None:
    outcome = validate_row(5, {**GOOD, field: value}, RULES)
    assert isinstance(outcome, list)
    assert [(e.field, e.reason) for e in outcome] == [(field, reason)]


def test_reasons_never_echo_values() -> None:
    outcome = validate_row(2, {**GOOD, "dose_number": "12abc", "birth_date": "1990-99-99"}, RULES)
    assert isinstance(outcome, list)
    assert all("12abc" not in e.reason and "99" not in e.reason for e in outcome)


def test_phone_may_start_with_plus() -> None:
    assert cell_problem("phone", "+84912345678") is None
    assert isinstance(validate_row(2, {**GOOD, "phone": "+84 912 345 678"}, RULES), StagedRow)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(COLUMNS), st.text(max_size=30)))
def test_any_cells_give_a_row_or_errors(cells: dict[str, str]) -> None:
    outcome = validate_row(2, {**GOOD, **cells}, RULES)
    assert isinstance(outcome, StagedRow) or all(e.field in COLUMNS for e in outcome)


def rows_of(data: bytes) -> list[tuple[int, dict[str, str]]]:
    return list(read_csv(io.BufferedReader(io.BytesIO(data))))  # type: ignore[arg-type]


def test_csv_reader_handles_boms_and_utf16() -> None:
    text = "Full_Name,sex\nNguyễn Văn A,M\n"
    for data in (text.encode(), codecs.BOM_UTF8 + text.encode(), text.encode("utf-16")):
        assert rows_of(data) == [(2, {"full_name": "Nguyễn Văn A", "sex": "M"})]


def test_csv_reader_keeps_bad_bytes_for_the_validator() -> None:
    ((_, cells),) = rows_of(b"full_name\nNguy\xe1\xbb\n")
    assert cell_problem("full_name", cells["full_name"]) == "not valid text in its encoding"


@pytest.mark.parametrize("data", [b"", b"\n\n", b'a,b\n"unterminated' + b"x" * (5 << 20)])
def test_unreadable_csv_raises_typed_error(data: bytes) -> None:
    with pytest.raises(ImportFileError):
        rows_of(data)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_give_rows_or_a_typed_error(data: bytes) -> None:
    try:
        rows = rows_of(b"full_name,sex\n" + data)
    except ImportFileError:
        return
    assert all(isinstance(cells, dict) for _, cells in rows)


def test_unusual_but_harmless_characters_pass() -> None:
    # Not printable for str.isprintable (a separator), yet no control or bidi character.
    assert cell_problem("full_name", "Nguyễn\u00a0Bá Hùng") is None
    assert cell_problem("full_name", "Nguyễn\u2028Bá") is None


def test_cached_parts_still_report_each_row() -> None:
    bad = {**GOOD, "dose_number": "0"}
    for row_no in (2, 3):
        assert validate_row(row_no, bad, RULES) == validate_row(row_no, bad, RULES)
        assert isinstance(validate_row(row_no, GOOD, RULES), StagedRow)
    staged = validate_row(7, GOOD, RULES)
    assert isinstance(staged, StagedRow)
    assert staged.row_no == 7
