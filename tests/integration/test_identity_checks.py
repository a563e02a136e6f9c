"""Identity checks through the HTTP registry, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from vaxpass.registry.client import HttpPopulationRegistry
from vaxpass.registry.server import start_registry
from vaxpass.registry.store import RegistryStore
from vaxpass.services.identity import verify_identities
from vaxpass.services.rows import RowRules
from vaxpass.services.seed import SeedSummary, seed_people
from vaxpass.services.stats import record_stats

AT = datetime(2022, 6, 1, tzinfo=UTC)
EXPECTED_STATE = {
    "": "identity_verified",
    "misspelt_name": "identity_mismatch",
    "wrong_birth_date": "identity_mismatch",
    "not_in_registry": "identity_not_found",
    "missing_id": "id_invalid",
    "malformed_id": "id_invalid",
}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[RegistryStore]:
    store = RegistryStore(tmp_path / "registry.sqlite3")
    yield store
    store.close()


@pytest.fixture
def registry(store: RegistryStore) -> Iterator[HttpPopulationRegistry]:
    running = start_registry(store)
    client = HttpPopulationRegistry(running.url, batch_size=7, timeout=5)
    yield client
    client.close()
    running.stop()


def seeded(engine: Engine, store: RegistryStore, people: int = 80) -> SeedSummary:
    return seed_people(engine, store, people, RowRules(date(2023, 1, 1)), seed=7, error_rate=0.5)


def expected_states(summary: SeedSummary, people: int) -> Counter[str]:
    expected = Counter(EXPECTED_STATE[kind] for kind in summary.injected_errors.elements())
    expected["identity_verified"] += people - sum(summary.injected_errors.values())
    return expected


def test_every_outcome_reaches_its_state(
    engine: Engine, store: RegistryStore, registry: HttpPopulationRegistry
) -> None:
    summary = seeded(engine, store)
    assert len(summary.injected_errors) == 5  # every kind of error was injected
    outcomes = verify_identities(engine, registry, AT, batch_size=10)
    by_state = {k: v for k, v in record_stats(engine)["records_by_state"].items() if v}
    assert by_state == dict(expected_states(summary, 80))
    assert sum(outcomes.values()) == 80 - by_state["id_invalid"]


def test_mismatches_name_the_differing_fields(
    engine: Engine, store: RegistryStore, registry: HttpPopulationRegistry
) -> None:
    summary = seeded(engine, store)
    verify_identities(engine, registry, AT)
    fields = record_stats(engine)["mismatch_fields"]
    assert fields == {
        "birth_date": summary.injected_errors["wrong_birth_date"],
        "full_name": summary.injected_errors["misspelt_name"],
    }


def test_limit_and_resume(
    engine: Engine, store: RegistryStore, registry: HttpPopulationRegistry
) -> None:
    seeded(engine, store, people=30)
    first = verify_identities(engine, registry, AT, limit=11, batch_size=4)
    assert sum(first.values()) == 11
    rest = verify_identities(engine, registry, AT)
    again = verify_identities(engine, registry, AT)
    assert record_stats(engine)["records_by_state"]["recorded"] == 0
    assert sum(rest.values()) > 0
    assert again == {}
