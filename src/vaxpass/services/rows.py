"""Validation of one import row into a staged person-and-dose, or a list of field errors.

Errors name the field and the reason, never the value. Every cell is first checked for bytes
that were not valid text, excessive length, control and bidirectional-override characters and
spreadsheet-formula prefixes (``=``, ``+``, ``-``, ``@``).
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from vaxpass.domain.dates import PartialDate, parse_full_date, parse_partial_date
from vaxpass.domain.dose import Dose, dose_errors
from vaxpass.domain.facility import facility_code_ok
from vaxpass.domain.names import name_key
from vaxpass.domain.person import Person, country_ok, email_ok, make_person, phone_ok
from vaxpass.domain.provinces import is_province_code
from vaxpass.domain.sex import parse_sex
from vaxpass.domain.vaccines import Vaccine, find_vaccine
from vaxpass.errors import FieldError
from vaxpass.services.sources import EXTRA_CELLS
from vaxpass.storage.staging import StagedRow

COLUMNS: tuple[str, ...] = (
    "id_number", "full_name", "sex", "birth_date", "nationality", "phone", "email",
    "dose_number", "series_doses", "vaccinated_on", "product", "manufacturer", "prophylaxis",
    "lot_number", "facility_code", "facility_name", "facility_province", "country",
)  # fmt: skip
REQUIRED = frozenset(
    {"full_name", "sex", "birth_date", "dose_number", "vaccinated_on", "product",
     "facility_code", "facility_province"}
)  # fmt: skip
MAX_LENGTH = {"full_name": 120, "email": 254, "facility_name": 200}
DEFAULT_MAX_LENGTH = 40
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_EXEMPT = frozenset({"phone"})  # "+84…" is a phone number; the pattern check covers it


def _has_bad_char(value: str) -> bool:
    return any(unicodedata.category(c) in {"Cc", "Cf", "Cs", "Co", "Cn"} for c in value)


def cell_problem(field: str, value: str) -> str | None:
    """Why a raw cell is unacceptable, whatever the field means; ``None`` when it is fine."""
    checks: tuple[tuple[Callable[[], bool], str], ...] = (
        (lambda: any("\udc80" <= c <= "\udcff" for c in value), "not valid text in its encoding"),
        (lambda: len(value) > MAX_LENGTH.get(field, DEFAULT_MAX_LENGTH), "too long"),
        (lambda: _has_bad_char(value), "contains control or bidi characters"),
        (lambda: field not in _FORMULA_EXEMPT and value.startswith(_FORMULA_PREFIXES),
         "starts like a spreadsheet formula"),
    )  # fmt: skip
    return next((reason for failed, reason in checks if failed()), None)


def _int_1_9(text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise ValueError("not a whole number")
    value = int(text)
    if not 1 <= value <= 9:
        raise ValueError("out of range 1-9")
    return value


def _checked(predicate: Callable[[str], bool], reason: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if not predicate(text):
            raise ValueError(reason)
        return text

    return parse


_PARSERS: dict[str, Callable[[str], Any]] = {
    "full_name": _checked(lambda t: len(t.split()) >= 2, "needs family and given name"),
    "sex": parse_sex,
    "birth_date": parse_partial_date,
    "dose_number": _int_1_9,
    "series_doses": _int_1_9,
    "vaccinated_on": parse_full_date,
    "product": find_vaccine,
    "facility_code": _checked(facility_code_ok, "letters, digits, . _ - only"),
    "facility_province": _checked(is_province_code, "not a 2021-22 province GSO code"),
    "nationality": _checked(country_ok, "not an ISO 3166 alpha-2 code"),
    "country": _checked(country_ok, "not an ISO 3166 alpha-2 code"),
    "phone": _checked(phone_ok, "not a phone number"),
    "email": _checked(email_ok, "not an e-mail address"),
}


def _parse_cell(field: str, raw: str) -> tuple[Any, str | None]:
    problem = cell_problem(field, raw)
    if problem is not None:
        return None, problem
    try:
        return _PARSERS.get(field, str)(raw), None
    except KeyError:
        return None, "unknown value"
    except ValueError as exc:
        reason = str(exc.args[0]) if exc.args else "invalid"
        return None, "invalid" if raw in reason else reason  # never echo the value


def _parse_cells(cells: Mapping[str, str]) -> tuple[dict[str, Any], list[FieldError]]:
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for field in COLUMNS:
        raw = cells.get(field, "").strip()
        if not raw:
            if field in REQUIRED:
                errors.append(FieldError(field, "missing"))
            continue
        value, reason = _parse_cell(field, raw)
        if reason is None:
            values[field] = value
        else:
            errors.append(FieldError(field, reason))
    return values, errors


@dataclass(frozen=True, slots=True)
class RowRules:
    today: date


def _dose(values: dict[str, Any]) -> Dose:
    vaccine: Vaccine = values["product"]
    number: int = values["dose_number"]
    default_series = vaccine.primary_doses if number <= vaccine.primary_doses else number
    return Dose(
        product=vaccine.mp,
        manufacturer=values.get("manufacturer", vaccine.ma),
        prophylaxis=values.get("prophylaxis", vaccine.vp[0]),
        dose_number=number,
        series_doses=values.get("series_doses", default_series),
        vaccinated_on=values["vaccinated_on"],
        facility_code=values["facility_code"],
        country=values.get("country", "VN"),
        lot_number=values.get("lot_number", ""),
    )


def record_key(person: Person, raw_id: str) -> str:
    """Natural key of a record: the document, or a digest when there is no usable document."""
    if person.document is not None:
        return f"{person.document.kind.value}:{person.document.number}"
    basis = "|".join(
        (name_key(person.full_name), person.sex, person.birth_date.isoformat(), raw_id)
    )
    return "x:" + hashlib.sha256(basis.encode()).hexdigest()[:40]


def _staged(row_no: int, values: dict[str, Any], person: Person, dose: Dose) -> StagedRow:
    document = person.document
    return StagedRow(
        row_no, record_key(person, values.get("id_number", "")),
        document.kind.value if document else None, document.number if document else None,
        person.full_name, name_key(person.full_name), person.name_icao, person.sex.value,
        person.birth_date.isoformat(), person.nationality, person.phone, person.email,
        person.initial_state.value, ",".join(p.value for p in person.id_problems),
        dose.dose_number, dose.series_doses, dose.vaccinated_on, dose.product,
        dose.manufacturer, dose.prophylaxis, dose.lot_number, dose.facility_code,
        values.get("facility_name", dose.facility_code), values["facility_province"], dose.country,
    )  # fmt: skip


def validate_row(
    row_no: int, cells: Mapping[str, str], rules: RowRules
) -> StagedRow | list[FieldError]:
    """A staged row ready for the database, or every reason the row is rejected."""
    if EXTRA_CELLS in cells:
        return [FieldError("_row", "more cells than header columns")]
    values, errors = _parse_cells(cells)
    if errors:
        return errors
    birth: PartialDate = values["birth_date"]
    person = make_person(
        values["full_name"], values["sex"], birth, values.get("id_number", ""),
        nationality=values.get("nationality", "VN"), phone=values.get("phone", ""),
        email=values.get("email", ""),
    )  # fmt: skip
    dose = _dose(values)
    problems = dose_errors(dose, birth, rules.today)
    if birth.earliest() > rules.today:
        problems.append(FieldError("birth_date", "in the future"))
    return problems or _staged(row_no, values, person, dose)
