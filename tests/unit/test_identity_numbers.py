"""Identity document rules: CCCD structure, CMND and passport shapes (property-based)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vaxpass.domain.identity import (
    IdKind,
    IdProblem,
    cccd_prefix,
    cccd_problems,
    classify_id,
)
from vaxpass.domain.provinces import PROVINCES
from vaxpass.domain.sex import Sex

provinces = st.sampled_from(sorted(PROVINCES))
sexes = st.sampled_from(list(Sex))
years = st.integers(min_value=1900, max_value=2099)
serials = st.integers(min_value=0, max_value=999_999)


def cccd(province: str, sex: Sex, year: int, serial: int) -> str:
    return f"{cccd_prefix(province, sex, year)}{serial:06d}"


@given(provinces, sexes, years, serials)
def test_composed_cccd_is_consistent(province: str, sex: Sex, year: int, serial: int) -> None:
    number = cccd(province, sex, year, serial)
    assert classify_id(number).kind is IdKind.CCCD
    assert cccd_problems(number, sex, year) == []


@given(provinces, sexes, years, serials)
def test_other_sex_is_detected(province: str, sex: Sex, year: int, serial: int) -> None:
    other = Sex.FEMALE if sex is Sex.MALE else Sex.MALE
    assert IdProblem.SEX_MISMATCH in cccd_problems(cccd(province, sex, year, serial), other, year)


@given(provinces, sexes, years, serials, st.integers(min_value=1, max_value=99))
def test_other_birth_year_is_detected(
    province: str, sex: Sex, year: int, serial: int, shift: int
) -> None:
    problems = cccd_problems(cccd(province, sex, year, serial), sex, year + shift)
    assert problems
    assert set(problems) <= {IdProblem.CENTURY_MISMATCH, IdProblem.YEAR_MISMATCH}


@given(st.integers(min_value=0, max_value=99).filter(lambda c: f"{c:02d}" not in PROVINCES))
def test_unknown_province_is_detected(code: int) -> None:
    number = f"0{code:02d}090123456"
    assert IdProblem.UNKNOWN_PROVINCE in cccd_problems(number, Sex.MALE, 1990)


def test_known_examples() -> None:
    assert cccd_problems("001090012345", Sex.MALE, 1990) == []
    assert cccd_problems("079301000001", Sex.FEMALE, 2001) == []
    assert cccd_problems("101090012345", Sex.MALE, 1990) == [IdProblem.UNKNOWN_PROVINCE]


@pytest.mark.parametrize(
    ("text", "kind"),
    [("123456789", IdKind.CMND), (" b1234567 ", IdKind.PASSPORT), ("001090012345", IdKind.CCCD)],
)
def test_shapes(text: str, kind: IdKind) -> None:
    assert classify_id(text).kind is kind


@pytest.mark.parametrize(
    ("text", "problem"),
    [("", IdProblem.MISSING), ("  ", IdProblem.MISSING), ("12345", IdProblem.MALFORMED),
     ("00109001234X", IdProblem.MALFORMED), ("AB123456", IdProblem.MALFORMED),
     ("٠٠١٠٩٠٠١٢٣٤٥", IdProblem.MALFORMED)],
)  # fmt: skip
def test_refusals(text: str, problem: IdProblem) -> None:
    with pytest.raises(ValueError, match=problem.value):
        classify_id(text)


def classification(text: str) -> str | IdProblem:
    try:
        return classify_id(text).number
    except ValueError as exc:
        return IdProblem(exc.args[0])


@given(st.text(max_size=20))
def test_classify_never_crashes(text: str) -> None:
    outcome = classification(text)
    assert isinstance(outcome, IdProblem) or outcome.isascii()
