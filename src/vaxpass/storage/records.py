"""Repository functions for vaccination records (people and their doses)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, func, select, update

from vaxpass.domain.states import PENDING_IDENTITY_CHECK, RecordState
from vaxpass.storage.tables import doses, facilities, people


@dataclass(frozen=True, slots=True)
class PendingPerson:
    """The four fields the population registry matches, plus the row id."""

    id: int
    full_name: str
    sex: str
    birth_date: str
    id_number: str


@dataclass(frozen=True, slots=True)
class IdentityOutcome:
    person_id: int
    state: RecordState
    mismatch_fields: tuple[str, ...] = ()


def pending_people(conn: Connection, *, after_id: int, limit: int) -> list[PendingPerson]:
    """The next ``limit`` people waiting for the identity check, in id order."""
    query = (
        select(
            people.c.id, people.c.full_name, people.c.sex, people.c.birth_date, people.c.id_number
        )
        .where(people.c.state == PENDING_IDENTITY_CHECK.value, people.c.id > after_id)
        .order_by(people.c.id)
        .limit(limit)
    )
    return [PendingPerson(*row) for row in conn.execute(query)]


def count_pending(conn: Connection) -> int:
    query = select(func.count()).where(people.c.state == PENDING_IDENTITY_CHECK.value)
    return int(conn.execute(query).scalar_one())


def _by_answer(outcomes: Sequence[IdentityOutcome]) -> dict[tuple[str, str], list[int]]:
    groups: dict[tuple[str, str], list[int]] = {}
    for o in outcomes:
        groups.setdefault((o.state.value, ",".join(o.mismatch_fields)), []).append(o.person_id)
    return groups


def record_identity_outcomes(
    conn: Connection, outcomes: Sequence[IdentityOutcome], at: datetime
) -> None:
    """Store the registry's answers; only records still pending are changed. One set-based
    UPDATE per distinct answer (most of a batch shares a handful of them)."""
    statement = (
        update(people)
        .where(
            people.c.id.in_(bindparam("ids", expanding=True)),
            people.c.state == PENDING_IDENTITY_CHECK.value,
        )
        .values(state=bindparam("new_state"), mismatch_fields=bindparam("fields"), checked_at=at)
    )
    for (state, fields), ids in _by_answer(outcomes).items():
        conn.execute(statement, {"ids": ids, "new_state": state, "fields": fields})


def counts_by_state(conn: Connection) -> dict[str, int]:
    rows = conn.execute(select(people.c.state, func.count()).group_by(people.c.state))
    found = {state: int(n) for state, n in rows}
    return {state.value: found.get(state.value, 0) for state in RecordState}


def table_counts(conn: Connection) -> dict[str, int]:
    tables = {"people": people, "doses": doses, "facilities": facilities}
    return {
        name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
        for name, t in tables.items()
    }


def mismatch_field_counts(conn: Connection) -> dict[str, int]:
    """How often each field differed in identity mismatches (field names only)."""
    query = (
        select(people.c.mismatch_fields, func.count())
        .where(people.c.state == RecordState.IDENTITY_MISMATCH.value)
        .group_by(people.c.mismatch_fields)
    )
    totals: dict[str, int] = {}
    for fields, n in conn.execute(query):
        for field in filter(None, str(fields).split(",")):
            totals[field] = totals.get(field, 0) + int(n)
    return dict(sorted(totals.items()))
