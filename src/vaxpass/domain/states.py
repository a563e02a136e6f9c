"""The life of a vaccination record, as a table of allowed transitions."""

from __future__ import annotations

from enum import StrEnum


class RecordState(StrEnum):
    RECORDED = "recorded"
    IDENTITY_VERIFIED = "identity_verified"
    IDENTITY_MISMATCH = "identity_mismatch"
    IDENTITY_NOT_FOUND = "identity_not_found"
    ID_INVALID = "id_invalid"
    CONFIRMED = "confirmed"
    CERTIFICATE_ISSUED = "certificate_issued"


_IDENTITY_OUTCOMES = frozenset(
    {
        RecordState.IDENTITY_VERIFIED,
        RecordState.IDENTITY_MISMATCH,
        RecordState.IDENTITY_NOT_FOUND,
    }
)

TRANSITIONS: dict[RecordState, frozenset[RecordState]] = {
    RecordState.RECORDED: _IDENTITY_OUTCOMES | {RecordState.ID_INVALID},
    RecordState.IDENTITY_MISMATCH: frozenset({RecordState.RECORDED}),
    RecordState.IDENTITY_NOT_FOUND: frozenset({RecordState.RECORDED}),
    RecordState.ID_INVALID: frozenset({RecordState.RECORDED}),
    RecordState.IDENTITY_VERIFIED: frozenset({RecordState.CONFIRMED, RecordState.RECORDED}),
    RecordState.CONFIRMED: frozenset({RecordState.CERTIFICATE_ISSUED}),
    RecordState.CERTIFICATE_ISSUED: frozenset({RecordState.RECORDED}),
}
"""Mismatches go back to ``recorded`` after a correction; a corrected issued record too."""

PENDING_IDENTITY_CHECK = RecordState.RECORDED


def can_transition(current: RecordState, target: RecordState) -> bool:
    return target in TRANSITIONS[current]
