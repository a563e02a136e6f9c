"""Partial dates of birth (year, year-month or full date), as population records allow."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

_ISO = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", re.ASCII)
_VN = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)
_MIN_YEAR = 1880


@dataclass(frozen=True, slots=True, order=True)
class PartialDate:
    """A date whose month and day may be unknown; always has a year."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.day is not None and self.month is None:
            raise ValueError("a day needs a month")
        date(self.year, self.month or 1, self.day or 1)  # raises ValueError when impossible

    def isoformat(self) -> str:
        parts = [f"{self.year:04d}"]
        parts += [f"{v:02d}" for v in (self.month, self.day) if v is not None]
        return "-".join(parts)

    def earliest(self) -> date:
        return date(self.year, self.month or 1, self.day or 1)

    def latest(self) -> date:
        month = self.month or 12
        return date(self.year, month, self.day or calendar.monthrange(self.year, month)[1])


def parse_partial_date(text: str) -> PartialDate:
    """Parse ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or ``DD/MM/YYYY``; raise ``ValueError``."""
    cleaned = text.strip()
    iso = _ISO.fullmatch(cleaned)
    if iso:
        year, month, day = (int(g) if g else None for g in iso.groups())
        return _checked(PartialDate(year or 0, month, day))
    vn = _VN.fullmatch(cleaned)
    if vn:
        day, month, year = (int(g) for g in vn.groups())
        return _checked(PartialDate(year, month, day))
    raise ValueError("not a date")


def parse_full_date(text: str) -> date:
    """A complete date (``YYYY-MM-DD`` or ``DD/MM/YYYY``); raise ``ValueError`` otherwise."""
    partial = parse_partial_date(text)
    if partial.day is None:
        raise ValueError("incomplete date")
    return partial.earliest()


def _checked(value: PartialDate) -> PartialDate:
    if value.year < _MIN_YEAR:
        raise ValueError("year out of range")
    return value
