"""Validation of one import row into a staged person-and-dose, or a list of field errors.

Errors name the field and the reason, never the value. Every cell is first checked for bytes
that were not valid text, excessive length, control and bidirectional-override characters and
spreadsheet-formula prefixes (``=``, ``+``, ``-``, ``@``).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from operator import itemgetter
from typing import Any, NamedTuple

from vaxpass.domain.dates import PartialDate, parse_full_date, parse_partial_date
from vaxpass.domain.dose import Dose, dose_date_errors, dose_rule_errors
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


_BAD_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
_UNDECODABLE = re.compile("[\udc80-\udcff]")


def _has_bad_char(value: str) -> bool:
    return any(unicodedata.category(c) in _BAD_CATEGORIES for c in value)


def _unusual_cell_problem(value: str, limit: int) -> str | None:
    """The checks that only matter when a cell holds a character that ``isprintable`` refuses
    (every control, format, surrogate, private-use or unassigned character is one of them)."""
    if _UNDECODABLE.search(value):
        return "not valid text in its encoding"
    if len(value) > limit:
        return "too long"
    if _has_bad_char(value):
        return "contains control or bidi characters"
    return None


def cell_problem(field: str, value: str) -> str | None:
    """Why a raw cell is unacceptable, whatever the field means; ``None`` when it is fine."""
    limit = MAX_LENGTH.get(field, DEFAULT_MAX_LENGTH)
    if not value.isprintable():
        problem = _unusual_cell_problem(value, limit)
        if problem is not None:
            return problem
    elif len(value) > limit:
        return "too long"
    if field not in _FORMULA_EXEMPT and value.startswith(_FORMULA_PREFIXES):
        return "starts like a spreadsheet formula"
    return None


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


def _parse_cells(
    fields: Sequence[str], raws: Sequence[str]
) -> tuple[dict[str, Any], list[FieldError]]:
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for field, cell in zip(fields, raws, strict=True):
        raw = cell.strip()
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


# A row is validated in parts. Each part depends only on its own cells, so its outcome is
# remembered (bounded caches): the person's cells repeat on each of their doses, and products,
# dates, dose numbers and facilities repeat throughout an export.
_PERSON_FIELDS = COLUMNS[0:7]
_DOSE_FIELDS = COLUMNS[7:13]
_LOT = COLUMNS.index("lot_number")
_FACILITY_FIELDS = COLUMNS[14:17]
_COUNTRY = COLUMNS.index("country")
_NO_ERRORS: tuple[FieldError, ...] = ()
_UNKNOWN_BIRTH = PartialDate(1900)
_NO_DOSE = Dose("", "", "", 1, 1, date.min, "")


class _PersonPart(NamedTuple):
    errors: tuple[FieldError, ...]
    staged: tuple[Any, ...] = ()  # record_key … id_problems, as in ``StagedRow``
    birth: PartialDate = _UNKNOWN_BIRTH


class _DosePart(NamedTuple):
    errors: tuple[FieldError, ...]
    staged: tuple[Any, ...] = ()  # dose_number … prophylaxis, as in ``StagedRow``
    dose: Dose = _NO_DOSE
    rule_errors: tuple[FieldError, ...] = ()


def record_key(person: Person, raw_id: str) -> str:
    """Natural key of a record: the document, or a digest when there is no usable document."""
    if person.document is not None:
        return f"{person.document.kind.value}:{person.document.number}"
    basis = "|".join(
        (name_key(person.full_name), person.sex, person.birth_date.isoformat(), raw_id)
    )
    return "x:" + hashlib.sha256(basis.encode()).hexdigest()[:40]


@lru_cache(maxsize=4096)
def _person_part(raws: tuple[str, ...]) -> _PersonPart:
    values, errors = _parse_cells(_PERSON_FIELDS, raws)
    if errors:
        return _PersonPart(tuple(errors))
    birth: PartialDate = values["birth_date"]
    raw_id: str = values.get("id_number", "")
    person = make_person(
        values["full_name"], values["sex"], birth, raw_id,
        nationality=values.get("nationality", "VN"), phone=values.get("phone", ""),
        email=values.get("email", ""),
    )  # fmt: skip
    document = person.document
    staged = (
        record_key(person, raw_id), document.kind.value if document else None,
        document.number if document else None, person.full_name, name_key(person.full_name),
        person.name_icao, person.sex.value, birth.isoformat(), person.nationality, person.phone,
        person.email, person.initial_state.value, ",".join(p.value for p in person.id_problems),
    )  # fmt: skip
    return _PersonPart(_NO_ERRORS, staged, birth)


@lru_cache(maxsize=16384)
def _dose_part(raws: tuple[str, ...]) -> _DosePart:
    values, errors = _parse_cells(_DOSE_FIELDS, raws)
    if errors:
        return _DosePart(tuple(errors))
    vaccine: Vaccine = values["product"]
    number: int = values["dose_number"]
    default_series = vaccine.primary_doses if number <= vaccine.primary_doses else number
    dose = Dose(
        product=vaccine.mp,
        manufacturer=values.get("manufacturer", vaccine.ma),
        prophylaxis=values.get("prophylaxis", vaccine.vp[0]),
        dose_number=number,
        series_doses=values.get("series_doses", default_series),
        vaccinated_on=values["vaccinated_on"],
        facility_code="",  # the rules on a dose do not depend on where it was given
    )
    staged = (dose.dose_number, dose.series_doses, dose.vaccinated_on, dose.product,
              dose.manufacturer, dose.prophylaxis)  # fmt: skip
    return _DosePart(_NO_ERRORS, staged, dose, tuple(dose_rule_errors(dose)))


@lru_cache(maxsize=4096)
def _facility_part(raws: tuple[str, ...]) -> tuple[tuple[FieldError, ...], tuple[str, ...]]:
    values, errors = _parse_cells(_FACILITY_FIELDS, raws)
    if errors:
        return tuple(errors), ()
    code: str = values["facility_code"]
    return _NO_ERRORS, (code, values.get("facility_name", code), values["facility_province"])


@lru_cache(maxsize=256)
def _country_part(raw: str) -> tuple[tuple[FieldError, ...], str]:
    values, errors = _parse_cells(("country",), (raw,))
    return tuple(errors), values.get("country", "VN")


def _lot_part(cell: str) -> tuple[tuple[FieldError, ...], str]:
    raw = cell.strip()
    problem = cell_problem("lot_number", raw) if raw else None
    return ((FieldError("lot_number", problem),), "") if problem else (_NO_ERRORS, raw)


def _rule_errors(person: _PersonPart, dose: _DosePart, today: date) -> list[FieldError]:
    problems = [*dose.rule_errors, *dose_date_errors(dose.dose, person.birth, today)]
    if person.birth.earliest() > today:
        problems.append(FieldError("birth_date", "in the future"))
    return problems


_ALL_CELLS = itemgetter(*COLUMNS)


def _raw_cells(cells: Mapping[str, str]) -> tuple[str, ...]:
    """The cells of every known column, unstripped (the cached parts strip them)."""
    try:
        found: tuple[str, ...] = _ALL_CELLS(cells)
    except KeyError:
        return tuple(cells.get(field, "") for field in COLUMNS)
    return found


def validate_row(
    row_no: int, cells: Mapping[str, str], rules: RowRules
) -> StagedRow | list[FieldError]:
    """A staged row ready for the database, or every reason the row is rejected."""
    if EXTRA_CELLS in cells:
        return [FieldError("_row", "more cells than header columns")]
    raws = _raw_cells(cells)
    person = _person_part(raws[0:7])
    dose = _dose_part(raws[7:13])
    lot_errors, lot = _lot_part(raws[_LOT])
    facility_errors, facility = _facility_part(raws[14:17])
    country_errors, country = _country_part(raws[_COUNTRY])
    errors = person.errors + dose.errors + lot_errors + facility_errors + country_errors
    if errors:
        return list(errors)
    problems = _rule_errors(person, dose, rules.today)
    if problems:
        return problems
    return StagedRow._make((row_no, *person.staged, *dose.staged, lot, *facility, country))
