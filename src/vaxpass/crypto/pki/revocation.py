"""Per-certificate revocation in the EU DCC form, and the verifier's checker.

Each revoked DCC is recorded as three 16-byte SHA-256 prefixes (EU DCC revocation hash types):
``UCI`` over the certificate identifier, ``COUNTRYCODEUCI`` over the issuing country (the CWT
issuer ``iss``, claim 1, as the EU DCC revocation specification and the national verifier apps
define it; not the entry's ``co``) then the identifier, ``SIGNATURE`` over the COSE signature
(for ES256 only its ``r`` half). The export groups them by kid and hash type into batches of at
most 1,000 entries and signs the whole list;
``revokedKids`` adds every revoked DSC, so a verifier still holding an older trust list rejects
what that DSC signed as ``REVOKED`` too.

The list is marked ``"format": "revocations"`` (so no other signed list passes as one) and a
reader refuses it when it lacks ``batches`` or ``revokedKids``, or when its ``issuedAt`` is more
than ``max_age`` (default ``MAX_AGE``, 7 days: the trust-list validity) before the time of the
check, so an old list that predates a revocation cannot be replayed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from cryptography import x509

from vaxpass.crypto.pki.lifecycle import KeyManager
from vaxpass.crypto.pki.listsign import verify_list
from vaxpass.crypto.pki.state import KeyState
from vaxpass.crypto.pki.statefile import write_atomically
from vaxpass.crypto.signer import CoseAlgorithm, Signer
from vaxpass.errors import ErrorCode, TrustStoreError, ValidationError, VaxpassError
from vaxpass.formats.cose import CoseSign1, algorithm_of
from vaxpass.formats.cwt import decode_cwt

BATCH_SIZE = 1000
HASH_LENGTH = 16
LIST_NAME = "revocations"
LIST_FORMAT = "revocations"
MAX_AGE = timedelta(days=7)


class HashType(StrEnum):
    UCI = "UCI"
    COUNTRYCODEUCI = "COUNTRYCODEUCI"
    SIGNATURE = "SIGNATURE"


class HasKid(Protocol):
    @property
    def kid(self) -> bytes: ...


def _prefix(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()[:HASH_LENGTH]


def _first_entry(dcc: Mapping[str, Any]) -> Mapping[str, Any]:
    for kind in ("v", "t", "r"):
        entries = dcc.get(kind)
        if isinstance(entries, list) and entries and isinstance(entries[0], Mapping):
            return entries[0]
    raise ValidationError("the DCC holds no v, t or r entry")


def _text(value: Any) -> str:
    """A text field of the entry; any other value (the schema rejects it) hashes as empty."""
    return value if isinstance(value, str) else ""


def revocation_hashes(
    message: CoseSign1, dcc: Mapping[str, Any], *, issuer: str | None = None
) -> dict[HashType, bytes]:
    """The three revocation hashes of a signed DCC; ``issuer`` is its CWT ``iss`` claim, read
    from the message's payload when not given."""
    entry = _first_entry(dcc)
    uci = _text(entry.get("ci"))
    country = _text(issuer if issuer is not None else _issuer_of(message))
    signature = message.signature
    if algorithm_of(message) is CoseAlgorithm.ES256:
        signature = signature[: len(signature) // 2]
    return {
        HashType.UCI: _prefix(uci.encode()),
        HashType.COUNTRYCODEUCI: _prefix((country + uci).encode()),
        HashType.SIGNATURE: _prefix(signature),
    }


def _issuer_of(message: CoseSign1) -> str | None:
    try:
        return decode_cwt(message.payload).issuer
    except VaxpassError:
        return None


@dataclass(frozen=True, slots=True)
class RevokedCertificate:
    kid: str  # base64
    expires: str  # when the DCC expires anyway; the entry can then be dropped
    hashes: Mapping[str, str]  # hash type -> base64 prefix


class RevocationStore:
    """Revoked DCCs of this issuer (hashes only: no personal data), one JSON file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def add(
        self, message: CoseSign1, dcc: Mapping[str, Any], *, expires: datetime
    ) -> RevokedCertificate:
        if message.kid is None:
            raise ValidationError("the certificate carries no kid")
        hashes = {str(kind): _b64(value) for kind, value in revocation_hashes(message, dcc).items()}
        entry = RevokedCertificate(_b64(message.kid), expires.isoformat(), hashes)
        entries = [item for item in self.entries() if item.hashes != hashes] + [entry]
        self._write(entries)
        return entry

    def entries(self) -> list[RevokedCertificate]:
        if not self.path.exists():
            return []
        return [RevokedCertificate(**item) for item in json.loads(self.path.read_text())]

    def _write(self, entries: Iterable[RevokedCertificate]) -> None:
        body = [{"kid": e.kid, "expires": e.expires, "hashes": dict(e.hashes)} for e in entries]
        write_atomically(self.path, json.dumps(body, indent=2))


def revocation_batches(
    entries: Sequence[RevokedCertificate], country: str, at: datetime
) -> list[dict[str, Any]]:
    """EU-form batches: per kid and hash type, at most ``BATCH_SIZE`` entries each."""
    live = [entry for entry in entries if datetime.fromisoformat(entry.expires) > at]
    groups: dict[tuple[str, str], list[RevokedCertificate]] = {}
    for entry in live:
        for kind in HashType:
            groups.setdefault((entry.kid, kind.value), []).append(entry)
    batches = []
    for (kid, hash_type), members in sorted(groups.items()):
        for chunk in _chunks(members, BATCH_SIZE):
            batches.append(
                {
                    "country": country,
                    "kid": kid,
                    "hashType": hash_type,
                    "expires": max(item.expires for item in chunk),
                    "entries": [{"hash": item.hashes[hash_type]} for item in chunk],
                }
            )
    return batches


def export_revocations(manager: KeyManager, store: RevocationStore, *, at: datetime) -> bytes:
    def build(state: KeyState, signer: Signer) -> dict[str, Any]:
        del signer  # the list signature covers every batch
        revoked = [
            {"kid": record.kid_text, "revokedAt": record.revoked_at}
            for record in state.dscs
            if record.revoked_at is not None
        ]
        batches = revocation_batches(store.entries(), state.country, at)
        return {
            "format": LIST_FORMAT,
            "country": state.country,
            "batches": batches,
            "revokedKids": revoked,
        }

    document = manager.publish(LIST_NAME, at=at, build=build)
    return json.dumps(document, indent=2).encode() + b"\n"


class RevocationList:
    """A ``RevocationChecker`` for the verifier, built from one or more signed lists."""

    def __init__(self) -> None:
        self._hashes: dict[bytes, set[bytes]] = {}
        self._kids: set[bytes] = set()

    def add_document(self, document: Mapping[str, Any]) -> None:
        try:
            for kid in document.get("revokedKids", []):
                self._kids.add(base64.b64decode(kid["kid"], validate=True))
            for batch in document.get("batches", []):
                known = self._hashes.setdefault(
                    base64.b64decode(batch["kid"], validate=True), set()
                )
                known.update(
                    base64.b64decode(item["hash"], validate=True) for item in batch["entries"]
                )
        except (KeyError, TypeError, ValueError, binascii.Error) as exc:
            raise TrustStoreError("malformed revocation list") from exc

    def is_revoked(self, signer: HasKid, message: CoseSign1, dcc: Mapping[str, Any]) -> bool:
        if signer.kid in self._kids:
            return True
        known = self._hashes.get(signer.kid)
        if not known:
            return False
        try:
            hashes = revocation_hashes(message, dcc)
        except ValidationError:
            return False
        return any(value in known for value in hashes.values())


def load_revocation_list(
    paths: Iterable[Path],
    *,
    at: datetime,
    anchors: Sequence[x509.Certificate] | None = None,
    max_age: timedelta = MAX_AGE,
) -> RevocationList:
    """Read signed revocation lists; each must verify (and chain to ``anchors`` when given),
    be a revocation list and have been issued at most ``max_age`` before ``at``."""
    checker = RevocationList()
    for path in paths:
        try:
            document = json.loads(path.read_bytes())
        except (OSError, ValueError) as exc:
            raise TrustStoreError(f"cannot read revocation list {path.name}") from exc
        verify_list(document, anchors, at=at)
        _require_revocation_list(document, at=at, max_age=max_age)
        checker.add_document(document)
    return checker


def _require_revocation_list(
    document: Mapping[str, Any], *, at: datetime, max_age: timedelta
) -> None:
    if document.get("format") != LIST_FORMAT:
        raise TrustStoreError("not a revocation list (format)")
    if not isinstance(document.get("batches"), list) or not isinstance(
        document.get("revokedKids"), list
    ):
        raise TrustStoreError("malformed revocation list (batches, revokedKids)")
    try:
        issued = datetime.fromisoformat(str(document["issuedAt"]))
        age = at - issued
    except (KeyError, ValueError, TypeError) as exc:
        raise TrustStoreError("the revocation list has no valid issuedAt") from exc
    if age > max_age:
        raise TrustStoreError(
            f"the revocation list was issued {age.days} days before the check (max {max_age.days})",
            code=ErrorCode.REVOCATION_LIST_STALE,
        )


def _chunks(items: list[RevokedCertificate], size: int) -> Iterator[list[RevokedCertificate]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode()
