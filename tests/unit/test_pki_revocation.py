"""Per-certificate revocation lists (EU DCC form) and the verifier's checker."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest

from pki_support import T0, days, dumps, issue, loads, software_manager, store_of, uci
from vaxpass.crypto.pki.lifecycle import KeyManager
from vaxpass.crypto.pki.revocation import (
    BATCH_SIZE,
    HashType,
    RevocationStore,
    RevokedCertificate,
    export_revocations,
    load_revocation_list,
    revocation_batches,
    revocation_hashes,
)
from vaxpass.crypto.pki.trustlist import TrustListFormat, export_trust_list
from vaxpass.errors import ErrorCode, TrustStoreError
from vaxpass.formats.cose import decode_cose
from vaxpass.formats.cwt import decode_cwt
from vaxpass.formats.dcc.pipeline import decode_transport
from vaxpass.formats.dcc.sample import sample_vaccination_payload
from vaxpass.formats.dcc.verify import verify_qr
from vaxpass.services.sign import sign_certificate

AT = T0 + days(1)


@pytest.fixture
def manager(tmp_path: Path) -> KeyManager:
    return software_manager(tmp_path / "keys")


def revoke(store: RevocationStore, qr: str) -> None:
    message = decode_cose(decode_transport(qr).cose)
    claims = decode_cwt(message.payload)
    assert claims.dcc is not None
    store.add(message, claims.dcc, expires=AT + days(365))


def test_hashes_follow_the_eu_definitions(manager: KeyManager) -> None:
    message = decode_cose(decode_transport(issue(manager, AT, 5)).cose)
    dcc = decode_cwt(message.payload).dcc
    assert dcc is not None
    hashes = revocation_hashes(message, dcc)
    assert hashes[HashType.UCI] == hashlib.sha256(uci(5).encode()).digest()[:16]
    assert hashes[HashType.COUNTRYCODEUCI] == hashlib.sha256(f"VN{uci(5)}".encode()).digest()[:16]
    # ES256: only the r half of the signature.
    assert hashes[HashType.SIGNATURE] == hashlib.sha256(message.signature[:32]).digest()[:16]


def test_revoked_certificate_fails_with_revoked_and_others_pass(
    manager: KeyManager, tmp_path: Path
) -> None:
    revoked, kept = issue(manager, AT, 1), issue(manager, AT, 2)
    store = RevocationStore(tmp_path / "revoked.json")
    revoke(store, revoked)
    path = tmp_path / "list.json"
    path.write_bytes(export_revocations(manager, store, at=AT))
    checker = load_revocation_list([path], at=AT, anchors=[manager.load().csca.certificate])
    trust = store_of(export_trust_list(manager, TrustListFormat.EU_DSC_LIST, at=AT))
    result = verify_qr(revoked, trust, at=AT, revocations=checker)
    assert result.error is not None
    assert result.error.code is ErrorCode.REVOKED
    assert verify_qr(kept, trust, at=AT, revocations=checker).valid


def test_export_groups_by_kid_and_hash_type_in_batches_of_1000() -> None:
    hashes = {kind.value: base64.b64encode(bytes(16)).decode() for kind in HashType}
    expires = (AT + days(30)).isoformat()
    entries = [RevokedCertificate("a2lkMQ==", expires, hashes)] * (BATCH_SIZE + 1)
    batches = revocation_batches(entries, "VN", AT)
    assert len(batches) == 2 * len(HashType)
    assert sorted(len(batch["entries"]) for batch in batches) == [1] * 3 + [BATCH_SIZE] * 3
    assert {batch["hashType"] for batch in batches} == {"UCI", "COUNTRYCODEUCI", "SIGNATURE"}
    assert revocation_batches(entries, "VN", AT + days(31)) == []  # expired entries are dropped


def test_tampered_or_unsigned_revocation_list_is_refused(
    manager: KeyManager, tmp_path: Path
) -> None:
    document = loads(export_revocations(manager, RevocationStore(tmp_path / "r.json"), at=AT))
    document["revokedKids"] = [{"kid": "AAAAAAAAAAA=", "revokedAt": AT.isoformat()}]
    path = tmp_path / "tampered.json"
    path.write_bytes(dumps(document))
    with pytest.raises(TrustStoreError) as raised:
        load_revocation_list([path], at=AT)
    assert raised.value.code is ErrorCode.TRUST_LIST_SIGNATURE_INVALID
    del document["listSignature"]
    path.write_bytes(dumps(document))
    with pytest.raises(TrustStoreError) as raised:
        load_revocation_list([path], at=AT)
    assert raised.value.code is ErrorCode.TRUST_LIST_UNSIGNED


def test_a_signed_trust_list_is_not_accepted_as_a_revocation_list(
    manager: KeyManager, tmp_path: Path
) -> None:
    path = tmp_path / "tl.json"
    path.write_bytes(export_trust_list(manager, TrustListFormat.EU_DSC_LIST, at=AT))
    with pytest.raises(TrustStoreError):
        load_revocation_list([path], at=AT, anchors=[manager.load().csca.certificate])
    exported = loads(export_revocations(manager, RevocationStore(tmp_path / "r.json"), at=AT))
    assert exported["format"] == "revocations"


def test_a_stale_revocation_list_is_refused(manager: KeyManager, tmp_path: Path) -> None:
    store = RevocationStore(tmp_path / "r.json")
    old = tmp_path / "old.json"
    old.write_bytes(export_revocations(manager, store, at=AT))
    manager.revoke(manager.load().dscs[0].kid, at=AT + days(8), reason="key-compromise")
    new = tmp_path / "new.json"
    new.write_bytes(export_revocations(manager, store, at=AT + days(8)))
    anchors = [manager.load().csca.certificate]
    later = AT + days(8)
    with pytest.raises(TrustStoreError) as raised:
        load_revocation_list([old], at=later, anchors=anchors)
    assert raised.value.code is ErrorCode.REVOCATION_LIST_STALE
    assert load_revocation_list([old], at=AT + days(7), anchors=anchors) is not None
    assert load_revocation_list([old], at=later, anchors=anchors, max_age=days(10)) is not None
    checker = load_revocation_list([new], at=later, anchors=anchors)
    assert manager.load().dscs[0].kid in checker._kids


def test_countrycodeuci_hashes_the_cwt_issuer_not_the_entry_country(manager: KeyManager) -> None:
    payload = sample_vaccination_payload(certificate_id=uci(9))
    payload["v"][0]["co"] = "DE"  # vaccinated abroad, certificate issued by VN
    with manager.active_signer(at=AT, covers_until=AT + days(365)) as active:
        qr = sign_certificate(
            payload, active.signer, active.certificate, issuer="VN", at=AT, valid_days=365
        ).qr_text
    message = decode_cose(decode_transport(qr).cose)
    claims = decode_cwt(message.payload)
    assert claims.dcc is not None
    assert claims.issuer == "VN"
    expected = hashlib.sha256(f"VN{uci(9)}".encode()).digest()[:16]
    assert revocation_hashes(message, claims.dcc)[HashType.COUNTRYCODEUCI] == expected
    assert revocation_hashes(message, claims.dcc, issuer="VN")[HashType.COUNTRYCODEUCI] == expected
