"""``load_registry_file``: fill the reference registry from a CSV or XLSX file with the columns
``id_number, full_name, sex, birth_date``. Rows that break a rule are skipped and reported by
row number and field."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path

from vaxpass.domain.dates import parse_partial_date
from vaxpass.domain.identity import classify_id
from vaxpass.domain.matching import IdentityQuery
from vaxpass.domain.names import normalise_name
from vaxpass.domain.sex import parse_sex
from vaxpass.errors import FieldError
from vaxpass.registry.store import RegistryStore
from vaxpass.services.sources import Row, read_rows

_CHUNK = 10_000
_PARSERS: dict[str, Callable[[str], str]] = {
    "id_number": lambda t: classify_id(t).number,
    "full_name": lambda t: normalise_name(t) if t.strip() else _missing(),
    "sex": lambda t: parse_sex(t).value,
    "birth_date": lambda t: parse_partial_date(t).isoformat(),
}


def _missing() -> str:
    raise ValueError("missing")


def citizen_from_row(cells: dict[str, str]) -> IdentityQuery | list[FieldError]:
    values: dict[str, str] = {}
    errors: list[FieldError] = []
    for field, parse in _PARSERS.items():
        try:
            values[field] = parse(cells.get(field, ""))
        except ValueError:
            errors.append(FieldError(field, "missing or invalid"))
    return errors or IdentityQuery(**values)


def _citizens(
    rows: Iterable[Row], on_error: Callable[[int, FieldError], None]
) -> Iterator[IdentityQuery]:
    for row_no, cells in rows:
        outcome = citizen_from_row(cells)
        if isinstance(outcome, list):
            for error in outcome:
                on_error(row_no, error)
        else:
            yield outcome


def load_citizens(store: RegistryStore, citizens: Iterable[IdentityQuery]) -> int:
    """Write citizens in chunks; returns how many were written."""
    written, iterator = 0, iter(citizens)
    while chunk := list(islice(iterator, _CHUNK)):
        written += store.load(chunk)
    return written


def load_registry_file(
    store: RegistryStore, path: Path, on_error: Callable[[int, FieldError], None]
) -> int:
    return load_citizens(store, _citizens(read_rows(path), on_error))
