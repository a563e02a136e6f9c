"""Append-only, hash-chained log of key events.

Each line is one JSON entry whose ``digest`` is SHA-256 over its canonical form, which includes
the previous entry's digest: changing, removing or reordering any entry breaks the chain from
that point on. Each line must be exactly the canonical JSON of an entry with exactly the entry's
members and types, so no edit passes even when it keeps the meaning. Every append first checks
the whole chain, then records the head digest and the entry count in ``<log>.head`` (written
atomically); ``verify`` compares them, so cutting the tail off is detected too (``keys list``
prints the head, and every published list carries it).
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

from vaxpass.crypto.pki.statefile import write_atomically
from vaxpass.errors import ErrorCode, VaxpassError

GENESIS = "0" * 64
_MEMBERS = frozenset({"sequence", "at", "event", "subject", "details", "previous", "digest"})


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
        entries = self._checked()
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
        self._record_head(entry.digest, entry.sequence)
        return entry

    def entries(self) -> list[AuditEntry]:
        if not self.path.exists():
            return []
        lines = self.path.read_bytes().splitlines()
        return [_parse(number, line) for number, line in enumerate(lines, start=1)]

    def head(self) -> str:
        entries = self.entries()
        return entries[-1].digest if entries else GENESIS

    @property
    def head_path(self) -> Path:
        return self.path.with_name(self.path.name + ".head")

    def verify(self) -> int:
        """Check the whole chain and the recorded head; return the number of entries or raise
        at the first bad one."""
        return len(self._checked())

    def _checked(self) -> list[AuditEntry]:
        previous = GENESIS
        entries = self.entries()
        for number, entry in enumerate(entries, start=1):
            if entry.sequence != number or entry.previous != previous:
                raise _tampered(number, "the chain is broken")
            if entry.digest != entry.expected_digest():
                raise _tampered(number, "the entry was altered")
            previous = entry.digest
        recorded = self._recorded_head()
        if recorded != (previous, len(entries)):
            raise _tampered(len(entries), "the log does not end at the recorded head")
        return entries

    def _recorded_head(self) -> tuple[str, int]:
        if not self.head_path.exists():
            if self.path.exists():
                raise _tampered(0, "the recorded head is missing")
            return GENESIS, 0
        try:
            data = json.loads(self.head_path.read_bytes())
            head, count = data["head"], data["count"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise _tampered(0, "the recorded head is unreadable") from exc
        if not isinstance(head, str) or type(count) is not int:
            raise _tampered(0, "the recorded head is unreadable")
        return head, count

    def _record_head(self, head: str, count: int) -> None:
        write_atomically(self.head_path, json.dumps({"head": head, "count": count}))


def _parse(number: int, line: bytes) -> AuditEntry:
    try:
        data = json.loads(line)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _tampered(number, "the entry is unreadable") from exc
    if not _well_formed(data):
        raise _tampered(number, "the entry is not a well-formed entry")
    details = data["details"]
    entry = AuditEntry(
        sequence=data["sequence"],
        at=data["at"],
        event=data["event"],
        subject=data["subject"],
        details=dict(details),
        previous=data["previous"],
        digest=data["digest"],
    )
    if canonical_json(asdict(entry)) != line:
        raise _tampered(number, "the entry is not in its canonical form")
    return entry


def _well_formed(data: Any) -> bool:
    """Exactly the entry's members with their types (``details`` text to text)."""
    if not isinstance(data, dict) or set(data) != _MEMBERS:
        return False
    if type(data["sequence"]) is not int or not isinstance(data["details"], dict):
        return False
    texts = [data[key] for key in ("at", "event", "subject", "previous", "digest")]
    texts += [*data["details"], *data["details"].values()]
    return all(isinstance(value, str) for value in texts)


def _tampered(number: int, reason: str) -> VaxpassError:
    return VaxpassError(f"audit log entry {number}: {reason}", code=ErrorCode.AUDIT_LOG_TAMPERED)
