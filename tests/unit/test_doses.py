"""Dose rules: products and manufacturers, series and boosters, dates, sequences."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from vaxpass.domain.dates import PartialDate, parse_full_date, parse_partial_date
from vaxpass.domain.dose import Dose, dose_errors, sequence_conflicts, sequence_errors
from vaxpass.domain.vaccines import VACCINES, find_vaccine

TODAY = date(2022, 12, 31)
BORN = PartialDate(1990, 5, 17)
DOSE = Dose("EU/1/20/1528", "ORG-100030215", "1119349007", 1, 2, date(2021, 8, 1), "HN-BM")


def fields(dose: Dose, born: PartialDate = BORN) -> list[str]:
    return [e.field for e in dose_errors(dose, born, TODAY)]


def test_valid_dose() -> None:
    assert fields(DOSE) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"manufacturer": "ORG-100001699"}, "manufacturer"),
        ({"prophylaxis": "1157024006"}, "prophylaxis"),
        ({"product": "Snake-Oil"}, "product"),
        ({"vaccinated_on": date(2023, 1, 1)}, "vaccinated_on"),
        ({"vaccinated_on": date(2020, 6, 1)}, "vaccinated_on"),
        ({"dose_number": 0}, "dose_number"),
        ({"dose_number": 1, "series_doses": 3}, "series_doses"),
        ({"dose_number": 4, "series_doses": 3}, "series_doses"),
    ],
)
def test_rule_breaks_name_the_field(change: dict[str, object], field: str) -> None:
    assert field in fields(replace(DOSE, **change))  # type: ignore[arg-type]


@pytest.mark.parametrize(("dn", "sd"), [(1, 2), (2, 2), (3, 3), (3, 2), (4, 4), (1, 1)])
def test_booster_semantics(dn: int, sd: int) -> None:
    assert fields(replace(DOSE, dose_number=dn, series_doses=sd)) == []


def test_vaccination_before_birth() -> None:
    assert fields(DOSE, PartialDate(2021, 9)) == ["vaccinated_on"]
    assert fields(DOSE, PartialDate(2021)) == []  # may have been born before August


def test_sequence_errors() -> None:
    second = replace(DOSE, dose_number=2, vaccinated_on=date(2021, 7, 1))
    assert [e.reason for e in sequence_errors([DOSE, second])] == ["dated before earlier dose"]
    again = replace(DOSE, vaccinated_on=date(2021, 8, 2))
    assert [e.reason for e in sequence_errors([DOSE, again])] == ["dose number given twice"]
    ok = replace(DOSE, dose_number=2, vaccinated_on=date(2021, 9, 1))
    assert sequence_errors([ok, DOSE]) == []


def test_vaccine_table_is_consistent() -> None:
    assert len({v.mp for v in VACCINES}) == len(VACCINES)
    assert find_vaccine("vero cell").mp == "BBIBP-CorV"
    assert find_vaccine(" PFIZER ").mp == "EU/1/20/1528"
    with pytest.raises(KeyError):
        find_vaccine("Inactivated-SARS-CoV-2-Vero-Cell")


@pytest.mark.parametrize(
    ("text", "iso"),
    [("1990", "1990"), ("1990-05", "1990-05"), ("1990-05-17", "1990-05-17"),
     ("17/5/1990", "1990-05-17")],
)  # fmt: skip
def test_partial_dates(text: str, iso: str) -> None:
    assert parse_partial_date(text).isoformat() == iso


@pytest.mark.parametrize("text", ["1990-02-30", "1990-13", "1850", "19900517", "", "1990-5"])
def test_impossible_dates(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        parse_partial_date(text)


def test_full_date_needs_a_day() -> None:
    with pytest.raises(ValueError, match="incomplete"):
        parse_full_date("2021-07")


def test_partial_date_bounds() -> None:
    assert PartialDate(2020, 2).latest() == date(2020, 2, 29)
    assert PartialDate(2021).earliest() == date(2021, 1, 1)


def test_sequence_conflicts_name_the_pair() -> None:
    second = replace(DOSE, dose_number=2, vaccinated_on=date(2021, 7, 1))
    ((earlier, later, error),) = sequence_conflicts([second, DOSE])
    assert (earlier, later, error.reason) == (1, 0, "dated before earlier dose")
