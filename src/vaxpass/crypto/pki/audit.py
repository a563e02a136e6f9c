"""Append-only, hash-chained log of key events.

Each line is one JSON entry whose ``digest`` is SHA-256 over its canonical form, which includes
the previous entry's digest: changing, removing or reordering any entry breaks the chain from
that point on. (Cutting the tail off is only visible against a head digest recorded elsewhere:
``keys list`` prints it, and every published list carries it.)
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from vaxpass.errors import ErrorCode, VaxpassError

GENESIS = "0" * 64


class AuditEvent(StrEnum):
    CREATED = "created"
    ACTIVATED = "activated"
    ROTATED = "rotated"
    RETIRED = "retired"
    REVOKED = "revoked"
    LIST_PUBLISHED = "list_published"
    ISSUED = "issued"  # an authority certificate from the development authority CA
    IMPORTED = "imported"  # an authority certificate from an external PKI


@dataclass(frozen=True, slots=True)
class AuditEntry:
    sequence: int
    at: str
    event: str
    subject: str
    details: Mapping[str, str] = field(default_factory=dict)
    previous: str = GENESIS
    digest: str = ""

    def expected_digest(self) -> str:
        body = asdict(self)
        body.pop("digest")
        body["details"] = dict(self.details)
        return hashlib.sha256(canonical_json(body)).hexdigest()


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class AuditLog:
    """The audit log file; ``append`` is the only way to write it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def append(
        self,
        event: AuditEvent,
        subject: str,
        *,
        at: datetime,
        details: Mapping[str, str] | None = None,
    ) -> AuditEntry:
        entries = self.entries()
        last = entries[-1] if entries else None
        draft = AuditEntry(
            sequence=last.sequence + 1 if last else 1,
            at=at.isoformat(),
            event=str(event),
            subject=subject,
            details=dict(details or {}),
            previous=last.digest if last else GENESIS,
        )
        entry = AuditEntry(**{**asdict(draft), "digest": draft.expected_digest()})
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("ab") as handle:
            handle.write(canonical_json(asdict(entry)) + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
        return entry

    def entries(self) -> list[AuditEntry]:
        if not self.path.exists():
            return []
        lines = self.path.read_bytes().splitlines()
        return [_parse(number, line) for number, line in enumerate(lines, start=1)]

    def head(self) -> str:
        entries = self.entries()
        return entries[-1].digest if entries else GENESIS

    def verify(self) -> int:
        """Check the whole chain; return the number of entries or raise at the first bad one."""
        previous = GENESIS
        entries = self.entries()
        for number, entry in enumerate(entries, start=1):
            if entry.sequence != number or entry.previous != previous:
                raise _tampered(number, "the chain is broken")
            if entry.digest != entry.expected_digest():
                raise _tampered(number, "the entry was altered")
            previous = entry.digest
        return len(entries)


def _parse(number: int, line: bytes) -> AuditEntry:
    try:
        data = json.loads(line)
        return AuditEntry(
            sequence=int(data["sequence"]),
            at=str(data["at"]),
            event=str(data["event"]),
            subject=str(data["subject"]),
            details={str(k): str(v) for k, v in dict(data["details"]).items()},
            previous=str(data["previous"]),
            digest=str(data["digest"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise _tampered(number, "the entry is unreadable") from exc


def _tampered(number: int, reason: str) -> VaxpassError:
    return VaxpassError(f"audit log entry {number}: {reason}", code=ErrorCode.AUDIT_LOG_TAMPERED)
