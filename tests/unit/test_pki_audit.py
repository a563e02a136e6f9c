"""The hash-chained audit log: appends chain; any edit, removal or reordering is detected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pki_support import T0
from vaxpass.crypto.pki.audit import GENESIS, AuditEvent, AuditLog
from vaxpass.errors import ErrorCode, VaxpassError


@pytest.fixture
def log(tmp_path: Path) -> AuditLog:
    audit = AuditLog(tmp_path / "audit.log")
    for event in (AuditEvent.CREATED, AuditEvent.ACTIVATED, AuditEvent.ROTATED):
        audit.append(event, "kid", at=T0, details={"why": "test"})
    return audit


def lines(log: AuditLog) -> list[str]:
    return log.path.read_text().splitlines()


def tampered_at(log: AuditLog) -> str:
    with pytest.raises(VaxpassError) as raised:
        log.verify()
    assert raised.value.code is ErrorCode.AUDIT_LOG_TAMPERED
    return raised.value.message


def test_entries_chain_from_the_genesis(log: AuditLog) -> None:
    entries = log.entries()
    assert entries[0].previous == GENESIS
    assert [entry.previous for entry in entries[1:]] == [entry.digest for entry in entries[:-1]]
    assert log.verify() == 3
    assert log.head() == entries[-1].digest


def test_an_edited_entry_is_detected(log: AuditLog) -> None:
    content = lines(log)
    entry = json.loads(content[1])
    entry["subject"] = "another-kid"
    content[1] = json.dumps(entry)
    log.path.write_text("\n".join(content) + "\n")
    assert "entry 2" in tampered_at(log)


@pytest.mark.parametrize(
    "edit", [lambda c: c.pop(1), lambda c: c.reverse()], ids=["removed", "reordered"]
)
def test_removed_or_reordered_entries_are_detected(log: AuditLog, edit: object) -> None:
    content = lines(log)
    edit(content)  # type: ignore[operator]
    log.path.write_text("\n".join(content) + "\n")
    tampered_at(log)


def test_a_garbled_line_is_detected(log: AuditLog) -> None:
    log.path.write_text(log.path.read_text() + "not json\n")
    assert "entry 4" in tampered_at(log)


def test_cutting_off_the_tail_is_detected(log: AuditLog) -> None:
    kept = lines(log)[:-1]
    log.path.write_text("\n".join(kept) + "\n")
    assert "recorded head" in tampered_at(log)


@pytest.mark.parametrize(
    "edit",
    [
        lambda entry: entry.update(sequence="1"),
        lambda entry: entry.update(approvedBy="mallory"),
        lambda entry: None,  # the same members, re-serialised with whitespace
    ],
    ids=["sequence-as-text", "extra-member", "whitespace"],
)
def test_meaning_preserving_edits_are_detected(log: AuditLog, edit: object) -> None:
    original = lines(log)
    entry = json.loads(original[0])
    assert callable(edit)
    edit(entry)
    log.path.write_text("\n".join([json.dumps(entry), *original[1:]]) + "\n")
    tampered_at(log)


def test_nothing_is_appended_to_a_tampered_log(log: AuditLog) -> None:
    before = lines(log)[:-1]
    log.path.write_text("\n".join(before) + "\n")
    with pytest.raises(VaxpassError) as raised:
        log.append(AuditEvent.REVOKED, "kid", at=T0)
    assert raised.value.code is ErrorCode.AUDIT_LOG_TAMPERED
    assert lines(log) == before
