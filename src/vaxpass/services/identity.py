"""``verify_identities``: check pending records against the population registry in batches."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine

from vaxpass.domain.matching import IdentityQuery, MatchOutcome, MatchResult
from vaxpass.domain.states import RecordState
from vaxpass.registry.port import PopulationRegistry
from vaxpass.storage.records import (
    IdentityOutcome,
    PendingPerson,
    count_pending,
    pending_people,
    record_identity_outcomes,
)

_STATE_OF: dict[MatchOutcome, RecordState] = {
    MatchOutcome.MATCHED: RecordState.IDENTITY_VERIFIED,
    MatchOutcome.MISMATCH: RecordState.IDENTITY_MISMATCH,
    MatchOutcome.NOT_FOUND: RecordState.IDENTITY_NOT_FOUND,
}
Progress = Callable[[int], None]


def _outcome(person: PendingPerson, result: MatchResult) -> IdentityOutcome:
    return IdentityOutcome(person.id, _STATE_OF[result.outcome], result.fields)


def _query(person: PendingPerson) -> IdentityQuery:
    return IdentityQuery(person.full_name, person.sex, person.birth_date, person.id_number)


def pending_count(engine: Engine, limit: int | None = None) -> int:
    with engine.connect() as conn:
        total = count_pending(conn)
    return total if limit is None else min(total, limit)


def verify_identities(
    engine: Engine,
    registry: PopulationRegistry,
    at: datetime,
    *,
    limit: int | None = None,
    batch_size: int = 1000,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Check up to ``limit`` pending records; each batch commits on its own, so an interrupted
    run resumes where it stopped. Returns how many records reached each state."""
    totals: Counter[str] = Counter()
    after_id, remaining = 0, limit
    while remaining is None or remaining > 0:
        size = batch_size if remaining is None else min(batch_size, remaining)
        with engine.connect() as conn:
            batch = pending_people(conn, after_id=after_id, limit=size)
        if not batch:
            break
        results = registry.match_batch([_query(p) for p in batch])
        outcomes = [_outcome(p, r) for p, r in zip(batch, results, strict=True)]
        with engine.begin() as conn:
            record_identity_outcomes(conn, outcomes, at)
        totals.update(o.state.value for o in outcomes)
        after_id = batch[-1].id
        remaining = None if remaining is None else remaining - len(batch)
        if progress is not None:
            progress(len(batch))
    return dict(totals)
