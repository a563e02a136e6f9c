"""Time as an argument: every use case takes a ``Clock`` or an explicit ``at``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock stopped at one instant (tests, vector runs, ``--at``)."""

    def __init__(self, at: datetime) -> None:
        self._at = as_utc(at)

    def now(self) -> datetime:
        return self._at


def as_utc(moment: datetime) -> datetime:
    """A naive datetime means UTC (as the DCC test suite's clocks do)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_instant(text: str) -> datetime:
    """Parse an ISO-8601 instant; no offset means UTC. Raises ``ValueError`` for anything else,
    including instants that fall outside the representable range once moved to UTC."""
    cleaned = text.strip()
    if cleaned.endswith(("Z", "z")):
        cleaned = cleaned[:-1] + "+00:00"
    try:
        return as_utc(datetime.fromisoformat(cleaned))
    except OverflowError as exc:
        raise ValueError("instant out of range") from exc
