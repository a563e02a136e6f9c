"""Signing through PKCS#11 on a SoftHSM2 token: keys stay inside, DCCs verify like any other."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pkcs11
import pytest
from pkcs11 import Attribute, ObjectClass
from softhsm import SoftHsmToken, create_token

from pki_support import POLICY, T0, days, issue, loads, sign_with, store_of
from vaxpass.bootstrap import key_backend
from vaxpass.config import Settings
from vaxpass.crypto.keys import verify_signature
from vaxpass.crypto.pkcs11 import HsmError, Pkcs11KeyStore, Pkcs11Signer
from vaxpass.crypto.pki.authorities import AuthorityRegistry
from vaxpass.crypto.pki.lifecycle import KeyManager
from vaxpass.crypto.pki.trustlist import TrustListFormat, TrustListStore, export_trust_list
from vaxpass.crypto.signer import CoseAlgorithm
from vaxpass.domain.facility import AuthorityKind, SigningAuthority
from vaxpass.errors import ConfigurationError, ErrorCode
from vaxpass.formats.dcc.verify import verify_qr

AT = T0 + days(1)


@pytest.fixture(scope="module")
def token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SoftHsmToken]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield create_token(tmp_path_factory.mktemp("softhsm"), "vaxpass-test", monkeypatch)


@pytest.fixture(scope="module")
def hsm(token: SoftHsmToken) -> Pkcs11KeyStore:
    return Pkcs11KeyStore(token.module, token.label, token.pin, rsa_bits=2048)


@pytest.fixture(scope="module")
def manager(hsm: Pkcs11KeyStore, tmp_path_factory: pytest.TempPathFactory) -> KeyManager:
    keys = KeyManager(tmp_path_factory.mktemp("keys"), hsm, POLICY)
    keys.initialise(at=T0, country="VN")
    return keys


@pytest.mark.parametrize("algorithm", list(CoseAlgorithm))
def test_token_signatures_verify_with_the_exported_public_key(
    hsm: Pkcs11KeyStore, algorithm: CoseAlgorithm
) -> None:
    label = f"probe-{algorithm.name.lower()}"
    with hsm.open() as session:
        public_key = session.generate(label, algorithm)
        signer = Pkcs11Signer(session._key(label, ObjectClass.PRIVATE_KEY), algorithm, b"kid-0001")
        signature = signer.sign(b"to be signed")
    assert verify_signature(algorithm, public_key, b"to be signed", signature)
    assert not verify_signature(algorithm, public_key, b"something else", signature)


def test_keys_are_generated_sensitive_and_not_extractable(
    hsm: Pkcs11KeyStore, manager: KeyManager
) -> None:
    label = manager.load().dscs[0].label
    with hsm.open() as session:
        assert session.key_attributes(label) == {
            "sensitive": True,
            "extractable": False,
            "always_sensitive": True,
            "never_extractable": True,
        }
        private = session._key(label, ObjectClass.PRIVATE_KEY)
        with pytest.raises(pkcs11.exceptions.AttributeSensitive):
            private[Attribute.VALUE]
    assert not list(manager.directory.glob("*.pem"))  # nothing written to files


def test_dcc_signed_in_the_hsm_verifies_like_a_software_one(manager: KeyManager) -> None:
    qr = issue(manager, AT, 11)
    trust = store_of(export_trust_list(manager, TrustListFormat.EU_DSC_LIST, at=AT))
    result = verify_qr(qr, trust, at=AT)
    assert result.valid, result.codes


def test_rsa_dsc_in_the_hsm_signs_ps256(manager: KeyManager) -> None:
    record = manager.rotate(at=AT, algorithm=CoseAlgorithm.PS256, authority="dpm")
    with manager.active_signer(at=AT, covers_until=AT + days(365), authority="dpm") as active:
        assert active.signer.algorithm is CoseAlgorithm.PS256
        qr = sign_with(active, AT, 12)
    trust = store_of(export_trust_list(manager, TrustListFormat.EU_DSC_LIST, at=AT))
    result = verify_qr(qr, trust, at=AT)
    assert result.valid, result.codes
    assert result.signer is not None
    assert result.signer.kid == record.kid


def test_hsm_trust_list_is_importable_against_the_hsm_csca(
    manager: KeyManager, tmp_path: Path
) -> None:
    data = export_trust_list(manager, TrustListFormat.EU_DSC_LIST, at=AT)
    imported = TrustListStore(tmp_path).import_list(data, [manager.load().csca.certificate], at=AT)
    assert len(imported.certificates) == len(loads(data)["certificates"])


def test_authority_key_on_the_hsm_confirms_a_batch(
    hsm: Pkcs11KeyStore, tmp_path_factory: pytest.TempPathFactory
) -> None:
    registry = AuthorityRegistry(tmp_path_factory.mktemp("authorities"), hsm)
    dpm = SigningAuthority(AuthorityKind.DPM, "VN")
    record = registry.issue(dpm, name="Cục Y tế dự phòng", at=T0)
    batch = b"daily batch 2026-01-02: 40,000 certificates"
    with registry.signer(record.id, at=AT) as signer:
        signature = signer.sign(batch)
    assert registry.verify_confirmation(batch, signature, record.id, at=AT, authority=dpm)
    assert record.label is not None
    with hsm.open() as session:
        assert session.key_attributes(record.label)["extractable"] is False
    assert not list(registry.directory.glob("*.pem"))  # no key file: CA and authority on the token


def test_a_batch_signs_through_one_session_and_a_lost_session_is_retryable(
    manager: KeyManager,
) -> None:
    with manager.active_signer(at=AT, covers_until=AT + days(30)) as active:
        assert active.signer.sign(b"one") != active.signer.sign(b"two")
        # Lose the batch's session under it, as a device reset or network HSM failover does.
        active.signer._key.session.close()  # type: ignore[attr-defined]
        with pytest.raises(HsmError) as raised:
            active.signer.sign(b"three")
    assert raised.value.code is ErrorCode.HSM_UNAVAILABLE
    assert raised.value.retryable
    with manager.active_signer(at=AT, covers_until=AT + days(30)) as active:
        assert active.signer.sign(b"three")  # the retry works with a new session


def test_wrong_pin_fails_without_any_fallback(token: SoftHsmToken) -> None:
    wrong = Pkcs11KeyStore(token.module, token.label, "000000")
    with pytest.raises(HsmError) as raised, wrong.open():
        pass
    assert raised.value.code is ErrorCode.HSM_UNAVAILABLE


def test_missing_module_or_settings_never_fall_back_to_software(tmp_path: Path) -> None:
    with pytest.raises(HsmError) as raised, Pkcs11KeyStore(tmp_path / "none.so", "t", "1").open():
        pass
    assert not raised.value.retryable
    with pytest.raises(ConfigurationError):
        key_backend(Settings(data_dir=tmp_path, signer="pkcs11"))
    assert key_backend(Settings(data_dir=tmp_path, signer="software")).name == "software"
