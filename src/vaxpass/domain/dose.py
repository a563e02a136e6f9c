"""A vaccination event (dose) and its rules."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import Protocol

from vaxpass.domain.dates import PartialDate
from vaxpass.domain.vaccines import find_vaccine
from vaxpass.errors import FieldError

FIRST_COVID_VACCINATION = date(2020, 12, 1)
MAX_DOSE_NUMBER = 9


@dataclass(frozen=True, slots=True)
class Dose:
    """One dose. ``lot_number`` is kept for recalls and never goes into a QR."""

    product: str  # EU value-set medicinal-product code (mp)
    manufacturer: str  # ma
    prophylaxis: str  # vp
    dose_number: int  # dn
    series_doses: int  # sd
    vaccinated_on: date
    facility_code: str
    country: str = "VN"
    lot_number: str = ""


def _product_errors(dose: Dose) -> list[FieldError]:
    try:
        vaccine = find_vaccine(dose.product)
    except KeyError:
        return [FieldError("product", "unknown vaccine product")]
    errors = []
    if dose.product != vaccine.mp:
        errors.append(FieldError("product", "not a value-set product code"))
    if dose.manufacturer != vaccine.ma:
        errors.append(FieldError("manufacturer", "inconsistent with product"))
    if dose.prophylaxis not in vaccine.vp:
        errors.append(FieldError("prophylaxis", "inconsistent with product"))
    return errors


def _series_errors(dose: Dose) -> list[FieldError]:
    dn, sd = dose.dose_number, dose.series_doses
    if not (1 <= dn <= MAX_DOSE_NUMBER and 1 <= sd <= MAX_DOSE_NUMBER):
        return [FieldError("dose_number", "out of range 1-9")]
    try:
        primary = find_vaccine(dose.product).primary_doses
    except KeyError:
        return []
    if dn <= primary and sd not in {primary, dn}:
        return [FieldError("series_doses", "inconsistent with the product's primary series")]
    if dn > primary and sd not in {dn, primary}:
        return [FieldError("series_doses", "booster must be n/n or n/primary series")]
    return []


def _date_errors(dose: Dose, birth: PartialDate, today: date) -> list[FieldError]:
    when = dose.vaccinated_on
    rules = (
        (when > today, "in the future"),
        (when < FIRST_COVID_VACCINATION, "before COVID-19 vaccines existed"),
        (when < birth.earliest(), "before the date of birth"),
    )
    return [FieldError("vaccinated_on", reason) for failed, reason in rules if failed]


def dose_rule_errors(dose: Dose) -> list[FieldError]:
    """The rules that depend on the dose alone: product, manufacturer, prophylaxis, series."""
    return _product_errors(dose) + _series_errors(dose)


def dose_date_errors(dose: Dose, birth: PartialDate, today: date) -> list[FieldError]:
    """The rules on the date of vaccination: not in the future, not before vaccines or birth."""
    return _date_errors(dose, birth, today)


def dose_errors(dose: Dose, birth: PartialDate, today: date) -> list[FieldError]:
    """Every rule the dose breaks on its own: product, series and dates."""
    return dose_rule_errors(dose) + _date_errors(dose, birth, today)


DOSE_GIVEN_TWICE = "dose number given twice"
DATED_BEFORE_EARLIER_DOSE = "dated before earlier dose"


class SequencedDose(Protocol):
    """What the sequence rules look at: a ``Dose``, or any record with these two fields."""

    @property
    def dose_number(self) -> int: ...

    @property
    def vaccinated_on(self) -> date: ...


def sequence_conflicts(doses: Sequence[SequencedDose]) -> list[tuple[int, int, FieldError]]:
    """Like ``sequence_errors``, with the positions (in ``doses``) of the earlier and the later
    dose of each impossible pair; the error is about the later one."""
    order = sorted(range(len(doses)), key=lambda i: (doses[i].dose_number, doses[i].vaccinated_on))
    conflicts: list[tuple[int, int, FieldError]] = []
    for first, second in pairwise(order):
        before, after = doses[first], doses[second]
        if after.dose_number == before.dose_number and after.vaccinated_on != before.vaccinated_on:
            reason = DOSE_GIVEN_TWICE
        elif after.vaccinated_on <= before.vaccinated_on:
            reason = DATED_BEFORE_EARLIER_DOSE
        else:
            continue
        conflicts.append((first, second, FieldError(f"dose[{after.dose_number}]", reason)))
    return conflicts


def sequence_errors(doses: Iterable[SequencedDose]) -> list[FieldError]:
    """Impossible sequences across one person's doses: a later dose number dated earlier, or
    the same dose number on two different dates."""
    return [error for _, _, error in sequence_conflicts(list(doses))]
