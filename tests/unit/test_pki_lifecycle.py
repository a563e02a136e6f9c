"""CSCA/DSC lifecycle: profile, rotation, revocation, refusal to outlive the signer."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509

from pki_support import POLICY, T0, days, dumps, issue, loads, software_manager, store_of
from vaxpass.crypto.keystore import SoftwareKeyStore
from vaxpass.crypto.pki.lifecycle import KeyManager
from vaxpass.crypto.pki.profiles import KEY_USAGE_OIDS, CertificateType
from vaxpass.crypto.pki.revocation import RevocationStore, export_revocations, load_revocation_list
from vaxpass.crypto.pki.state import Phase
from vaxpass.crypto.pki.statefile import write_atomically
from vaxpass.crypto.pki.trustlist import TrustListFormat, export_trust_list
from vaxpass.crypto.signer import CoseAlgorithm
from vaxpass.errors import ErrorCode, SigningError
from vaxpass.formats.dcc.verify import verify_qr


@pytest.fixture
def manager(tmp_path: Path) -> KeyManager:
    return software_manager(tmp_path / "keys")


@pytest.fixture(scope="module")
def rsa_manager(tmp_path_factory: pytest.TempPathFactory) -> KeyManager:
    # RSA key generation is slow: one PS256 key set for the module.
    directory = tmp_path_factory.mktemp("rsa-keys")
    manager = KeyManager(directory, SoftwareKeyStore(directory, b"pw"), POLICY)
    manager.initialise(at=T0, country="VN", algorithm=CoseAlgorithm.PS256)
    return manager


def test_software_ps256_signer_issues_certificates_that_verify(rsa_manager: KeyManager) -> None:
    record = rsa_manager.load().dscs[0]
    assert record.algorithm == "PS256"
    at = T0 + days(1)
    qr = issue(rsa_manager, at, 21)
    with rsa_manager.active_signer(at=at, covers_until=at + days(1)) as active:
        assert active.signer.algorithm is CoseAlgorithm.PS256
    trust = store_of(export_trust_list(rsa_manager, TrustListFormat.EU_DSC_LIST, at=at))
    result = verify_qr(qr, trust, at=at)
    assert result.valid, result.codes
    assert result.signer is not None
    assert result.signer.kid == record.kid


def test_dsc_follows_the_eu_profile_and_chains_to_the_csca(manager: KeyManager) -> None:
    state = manager.load()
    csca, dsc = state.csca.certificate, state.dscs[0].certificate
    dsc.verify_directly_issued_by(csca)
    assert csca.subject.get_attributes_for_oid(x509.NameOID.COUNTRY_NAME)[0].value == "VN"
    usage = dsc.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature
    assert not usage.key_cert_sign
    aki = dsc.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    ski = csca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    assert aki.key_identifier == ski.digest
    # notAfter covers the whole usage period plus the longest DCC validity.
    assert dsc.not_valid_after_utc >= T0 + days(30 + 365)


def test_dsc_restricted_to_vaccination_carries_its_eku(tmp_path: Path) -> None:
    manager = KeyManager(tmp_path, SoftwareKeyStore(tmp_path, b"pw"), POLICY)
    manager.initialise(at=T0, country="VN", types=[CertificateType.VACCINATION])
    dsc = manager.load().dscs[0].certificate
    eku = dsc.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert [oid.dotted_string for oid in eku] == [KEY_USAGE_OIDS[CertificateType.VACCINATION][0]]


def test_rotation_publishes_ahead_hands_over_and_keeps_old_certificates_valid(
    manager: KeyManager,
) -> None:
    old_kid = manager.load().dscs[0].kid
    old_certificate = issue(manager, T0 + days(1), 1)
    new = manager.rotate(at=T0 + days(10))
    assert new.phase(T0 + days(10)) is Phase.PUBLISHED
    # Published ahead of first use: the old DSC still signs during the lead time.
    with manager.active_signer(at=T0 + days(11), covers_until=T0 + days(12)) as active:
        assert active.signer.kid == old_kid
    new_certificate = issue(manager, T0 + days(13), 2)
    trust = store_of(export_trust_list(manager, TrustListFormat.EU_DSC_LIST, at=T0 + days(13)))
    for qr, kid in ((old_certificate, old_kid), (new_certificate, new.kid)):
        result = verify_qr(qr, trust, at=T0 + days(14))
        assert result.valid, result.codes
        assert result.signer is not None
        assert result.signer.kid == kid
    assert manager.load().dscs[0].phase(T0 + days(13)) is Phase.RETIRED


def test_retired_signer_stays_in_the_trust_list_until_its_certificate_expires(
    manager: KeyManager,
) -> None:
    manager.rotate(at=T0 + days(5))
    old = manager.load().dscs[0]
    end = old.certificate.not_valid_after_utc
    listed = loads(export_trust_list(manager, TrustListFormat.EU_DSC_LIST, at=end - days(1)))
    assert old.kid_text in {entry["kid"] for entry in listed["certificates"]}
    listed = loads(export_trust_list(manager, TrustListFormat.EU_DSC_LIST, at=end))
    assert old.kid_text not in {entry["kid"] for entry in listed["certificates"]}


def test_revoked_signer_leaves_the_list_and_its_certificates_fail(
    manager: KeyManager, tmp_path: Path
) -> None:
    first = issue(manager, T0 + days(1), 1)
    old_list = export_trust_list(manager, TrustListFormat.EU_DSC_LIST, at=T0 + days(1))
    kid = manager.load().dscs[0].kid
    manager.revoke(kid, at=T0 + days(2), reason="key-compromise")
    fresh = loads(export_trust_list(manager, TrustListFormat.EU_DSC_LIST, at=T0 + days(2)))
    assert fresh["certificates"] == []
    # A verifier with the fresh list does not know the kid any more ...
    result = verify_qr(first, store_of(dumps(fresh)), at=T0 + days(3))
    assert result.error is not None
    assert result.error.code is ErrorCode.KID_UNKNOWN
    # ... and one still holding the old list rejects it as REVOKED through the revocation list.
    revocations = tmp_path / "revocations.json"
    store = RevocationStore(tmp_path / "revoked.json")
    revocations.write_bytes(export_revocations(manager, store, at=T0 + days(2)))
    checker = load_revocation_list([revocations], at=T0 + days(3))
    result = verify_qr(first, store_of(old_list), at=T0 + days(3), revocations=checker)
    assert result.error is not None
    assert result.error.code is ErrorCode.REVOKED
    with pytest.raises(SigningError) as raised:
        issue(manager, T0 + days(3), 2)
    assert raised.value.code is ErrorCode.NO_ACTIVE_SIGNER


def test_issuer_refuses_a_certificate_that_would_outlive_its_signer(manager: KeyManager) -> None:
    not_after = manager.load().dscs[0].certificate.not_valid_after_utc
    with pytest.raises(SigningError) as raised:  # noqa: SIM117 - the context is what raises
        with manager.active_signer(at=T0, covers_until=not_after + days(1)):
            pass
    assert raised.value.code is ErrorCode.SIGNER_VALIDITY_EXCEEDED


def test_key_events_are_audited_in_order(manager: KeyManager) -> None:
    manager.rotate(at=T0 + days(1))
    manager.reconcile(T0 + days(4))
    manager.revoke(manager.load().dscs[1].kid, at=T0 + days(5), reason="key-compromise")
    events = [entry.event for entry in manager.audit.entries()]
    assert events == [
        "created",  # CSCA
        "created",  # trust-list signer
        "created",  # first DSC
        "activated",
        "created",  # second DSC
        "rotated",
        "retired",
        "activated",
        "revoked",
    ]
    assert manager.audit.verify() == len(events)


def test_keys_cannot_be_initialised_twice(manager: KeyManager) -> None:
    with pytest.raises(SigningError) as raised:
        manager.initialise(at=T0, country="VN")
    assert raised.value.code is ErrorCode.KEY_STATE_INVALID


def test_software_keys_are_encrypted_at_rest(manager: KeyManager) -> None:
    files = list(manager.directory.glob("*.key.pem"))
    assert len(files) == 3
    assert all(b"ENCRYPTED PRIVATE KEY" in file.read_bytes() for file in files)
    assert all(file.stat().st_mode & 0o077 == 0 for file in files)


def test_an_empty_passphrase_file_is_refused_not_used(tmp_path: Path) -> None:
    (tmp_path / ".passphrase").touch(mode=0o600)  # e.g. a crash before it was written
    with pytest.raises(SigningError) as raised, SoftwareKeyStore(tmp_path).open() as session:
        session.generate("dsc-x", CoseAlgorithm.ES256)
    assert raised.value.code is ErrorCode.CONFIGURATION_INVALID
    assert not (tmp_path / "dsc-x.key.pem").exists()


def test_the_development_passphrase_is_random_and_owner_only(tmp_path: Path) -> None:
    with SoftwareKeyStore(tmp_path).open() as session:
        session.generate("dsc-x", CoseAlgorithm.ES256)
    secret = tmp_path / ".passphrase"
    assert secret.stat().st_mode & 0o777 == 0o600
    assert len(secret.read_bytes().strip()) >= 32
    assert b"ENCRYPTED" in (tmp_path / "dsc-x.key.pem").read_bytes()
    assert sorted(path.name for path in tmp_path.iterdir()) == [".passphrase", "dsc-x.key.pem"]


def test_state_files_are_replaced_atomically_and_owner_only(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    (tmp_path / "state.tmp").write_text("someone else's file")
    write_atomically(target, '{"a": 1}')
    write_atomically(target, '{"a": 2}')
    assert target.read_text() == '{"a": 2}'
    assert target.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "state.tmp").read_text() == "someone else's file"  # no fixed temp name
    assert sorted(path.name for path in tmp_path.iterdir()) == ["state.json", "state.tmp"]
