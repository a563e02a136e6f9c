"""``seed_people``: synthetic people loaded into both the system and the reference registry,
so that every identity-check outcome is exercised."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import Engine

from vaxpass.domain.matching import IdentityQuery
from vaxpass.errors import FieldError
from vaxpass.registry.store import RegistryStore
from vaxpass.services.importer import ImportSummary, Progress, import_records
from vaxpass.services.rows import RowRules
from vaxpass.services.sources import Row
from vaxpass.services.synthetic import generate_people

_REGISTRY_CHUNK = 10_000


@dataclass
class SeedSummary:
    people: int = 0
    citizens_loaded: int = 0
    injected_errors: Counter[str] = field(default_factory=Counter)
    rejected: list[tuple[int, FieldError]] = field(default_factory=list)
    imported: ImportSummary | None = None


def _flush(store: RegistryStore, pending: list[IdentityQuery], summary: SeedSummary) -> None:
    summary.citizens_loaded += store.load(pending)
    pending.clear()


def _rows(
    count: int, seed: int, error_rate: float, store: RegistryStore, summary: SeedSummary
) -> Iterator[Row]:
    pending: list[IdentityQuery] = []
    row_no = 1
    for person in generate_people(count, seed=seed, error_rate=error_rate):
        summary.people += 1
        if person.error:
            summary.injected_errors[person.error] += 1
        if person.citizen is not None:
            pending.append(person.citizen)
        if len(pending) >= _REGISTRY_CHUNK:
            _flush(store, pending, summary)
        for cells in person.rows:
            row_no += 1
            yield row_no, cells
    _flush(store, pending, summary)


def seed_people(
    engine: Engine,
    store: RegistryStore,
    count: int,
    rules: RowRules,
    *,
    seed: int = 2022,
    error_rate: float = 0.1,
    progress: Progress | None = None,
) -> SeedSummary:
    summary = SeedSummary()
    rows = _rows(count, seed, error_rate, store, summary)

    def remember(row_no: int, error: FieldError) -> None:
        summary.rejected.append((row_no, error))

    summary.imported = import_records(engine, rows, rules, remember, progress or (lambda _: None))
    return summary
