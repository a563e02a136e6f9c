"""The verifier's decisions, one rule at a time, with the error code each must produce."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import cbor2
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st

from vaxpass.crypto.keys import kid_for_certificate
from vaxpass.crypto.pki.profiles import CertificateType, Validity, issue_csca, issue_dsc
from vaxpass.crypto.signer import CoseAlgorithm
from vaxpass.crypto.software import SoftwareSigner, generate_signing_key
from vaxpass.errors import ErrorCode
from vaxpass.formats.base45 import encode_base45
from vaxpass.formats.cose import HEADER_ALG, HEADER_KID, sig_structure
from vaxpass.formats.cwt import encode_cwt
from vaxpass.formats.dcc.pipeline import decode_transport, encode_dcc
from vaxpass.formats.dcc.prefix import add_prefix
from vaxpass.formats.dcc.sample import sample_vaccination_payload
from vaxpass.formats.dcc.trust import InMemoryTrustStore, TrustedSigner
from vaxpass.formats.dcc.verify import verify_qr
from vaxpass.formats.zlib import compress_zlib
from vaxpass.services.verify import parse_trust_data

EPOCH = datetime(2022, 1, 1, tzinfo=UTC)  # the start of the signing fixtures' validity
ISSUED = EPOCH + timedelta(days=30)
CLOCK = ISSUED + timedelta(days=1)
UVCI = "URN:UVCI:01:VN:0123456789ABCDEF0123456789ABCDEF#5"


def payload(**changes: Any) -> dict[str, Any]:
    document = sample_vaccination_payload(certificate_id=UVCI)
    document.update(changes)
    return document


def issue(signer: SoftwareSigner, document: dict[str, Any] | None = None, days: int = 365) -> str:
    return encode_dcc(
        document or payload(),
        signer,
        issuer="VN",
        issued_at=ISSUED,
        expires_at=ISSUED + timedelta(days=days),
    ).qr_text


def trust(*signers: SoftwareSigner) -> InMemoryTrustStore:
    return InMemoryTrustStore(TrustedSigner.from_certificate(s.certificate) for s in signers)


def assemble(
    signer: SoftwareSigner,
    *,
    protected: dict[int, Any],
    unprotected: dict[int, Any] | None = None,
    claims: bytes | None = None,
    sign: Callable[[bytes], bytes] | None = None,
) -> str:
    """Hand-build a COSE_Sign1 to exercise header and signature rules."""
    body = claims or encode_cwt(
        issuer="VN",
        issued_at=int(ISSUED.timestamp()),
        expires_at=int((ISSUED + timedelta(days=365)).timestamp()),
        dcc=payload(),
    )
    protected_bytes = cbor2.dumps(protected) if protected else b""
    signature = (sign or signer.sign)(sig_structure(protected_bytes, body))
    message = cbor2.CBORTag(18, [protected_bytes, unprotected or {}, body, signature])
    return add_prefix(encode_base45(compress_zlib(cbor2.dumps(message))))


def test_a_fresh_certificate_verifies(es256_signer: SoftwareSigner) -> None:
    result = verify_qr(issue(es256_signer), trust(es256_signer), at=CLOCK)
    assert result.valid, result.failures
    assert result.error is None
    assert result.signer is not None
    assert result.payload is not None
    assert result.payload["nam"]["fnt"] == "NGUYEN"
    assert result.header.kid == es256_signer.kid
    assert result.checks["picture_decode"] is None


def test_ps256_verifies(ps256_signer: SoftwareSigner) -> None:
    assert verify_qr(issue(ps256_signer), trust(ps256_signer), at=CLOCK).valid


@given(
    family=st.text(min_size=1, max_size=20, alphabet="Đđăâêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹ NguyễnThịHoà-"),
    given_name=st.text(min_size=1, max_size=30, alphabet="ĐđăâêôơưàảãáạHoàngBảoDuy -"),
)
@settings(max_examples=25, deadline=None)
def test_pipeline_round_trip_keeps_vietnamese_names(
    es256_signer: SoftwareSigner, family: str, given_name: str
) -> None:
    document = sample_vaccination_payload(
        family_name=family, given_name=given_name, certificate_id=UVCI
    )
    encoded = encode_dcc(
        document,
        es256_signer,
        issuer="VN",
        issued_at=ISSUED,
        expires_at=ISSUED + timedelta(days=365),
    )
    layers = decode_transport(encoded.qr_text)
    assert (layers.base45, layers.compressed, layers.cose) == (
        encoded.base45,
        encoded.compressed,
        encoded.cose,
    )
    result = verify_qr(encoded.qr_text, trust(es256_signer), at=CLOCK)
    assert result.payload == document
    assert result.checks["signature"] is True


def test_expired_and_not_yet_valid(es256_signer: SoftwareSigner) -> None:
    text = issue(es256_signer, days=10)
    store = trust(es256_signer)
    late = verify_qr(text, store, at=ISSUED + timedelta(days=11))
    early = verify_qr(text, store, at=ISSUED - timedelta(hours=1))
    assert late.error is not None
    assert late.error.code is ErrorCode.EXPIRED
    assert early.error is not None
    assert early.error.code is ErrorCode.NOT_YET_VALID
    assert late.checks["signature"] is True


def test_validation_time_without_offset_is_utc(es256_signer: SoftwareSigner) -> None:
    text = issue(es256_signer, days=1)
    expiry = ISSUED + timedelta(days=1)
    naive_just_after = (expiry + timedelta(minutes=30)).replace(tzinfo=None)
    assert not verify_qr(text, trust(es256_signer), at=naive_just_after).valid
    assert verify_qr(text, trust(es256_signer), at=expiry.replace(tzinfo=None)).valid


def test_certificate_outliving_its_signer_is_refused(es256_signer: SoftwareSigner) -> None:
    text = issue(es256_signer, days=5000)
    result = verify_qr(text, trust(es256_signer), at=CLOCK)
    assert result.error is not None
    assert result.error.code is ErrorCode.SIGNER_CERTIFICATE_NOT_VALID


def test_unknown_kid_still_reports_the_schema(
    es256_signer: SoftwareSigner, ps256_signer: SoftwareSigner
) -> None:
    result = verify_qr(issue(es256_signer), trust(ps256_signer), at=CLOCK)
    assert result.error is not None
    assert result.error.code is ErrorCode.KID_UNKNOWN
    assert result.checks["schema"] is True
    assert result.checks["signature"] is False
    assert result.checks["key_usage"] is None


def test_every_certificate_with_the_kid_is_tried(es256_signer: SoftwareSigner) -> None:
    impostor = generate_signing_key()
    impostor_certificate = (
        x509.CertificateBuilder()
        .subject_name(es256_signer.certificate.subject)
        .issuer_name(es256_signer.certificate.issuer)
        .public_key(impostor.public_key())
        .serial_number(1)
        .not_valid_before(EPOCH)
        .not_valid_after(EPOCH + timedelta(days=1000))
        .sign(impostor, hashes.SHA256())
    )
    store = InMemoryTrustStore(
        [
            TrustedSigner(impostor_certificate, es256_signer.kid),
            TrustedSigner.from_certificate(es256_signer.certificate),
        ]
    )
    assert verify_qr(issue(es256_signer), store, at=CLOCK).valid


def test_kid_in_the_unprotected_header_only(es256_signer: SoftwareSigner) -> None:
    text = assemble(
        es256_signer,
        protected={HEADER_ALG: -7},
        unprotected={HEADER_KID: es256_signer.kid},
    )
    assert verify_qr(text, trust(es256_signer), at=CLOCK).valid


def test_wrong_protected_kid_wins_over_a_right_unprotected_one(
    es256_signer: SoftwareSigner,
) -> None:
    text = assemble(
        es256_signer,
        protected={HEADER_ALG: -7, HEADER_KID: b"\x00" * 8},
        unprotected={HEADER_KID: es256_signer.kid},
    )
    result = verify_qr(text, trust(es256_signer), at=CLOCK)
    assert result.error is not None
    assert result.error.code is ErrorCode.KID_UNKNOWN


def test_alg_from_the_unprotected_header_when_absent_from_the_protected_one(
    es256_signer: SoftwareSigner,
) -> None:
    text = assemble(
        es256_signer,
        protected={HEADER_KID: es256_signer.kid},
        unprotected={HEADER_ALG: -7},
    )
    assert verify_qr(text, trust(es256_signer), at=CLOCK).valid


@pytest.mark.parametrize("alg", [-35, -36, -257, 0, "ES256", None])
def test_algorithms_outside_the_allow_list(es256_signer: SoftwareSigner, alg: object) -> None:
    header: dict[int, Any] = {HEADER_KID: es256_signer.kid}
    if alg is not None:
        header[HEADER_ALG] = alg
    result = verify_qr(assemble(es256_signer, protected=header), trust(es256_signer), at=CLOCK)
    assert result.error is not None
    assert result.error.code is ErrorCode.ALGORITHM_NOT_ALLOWED


def test_missing_kid(es256_signer: SoftwareSigner) -> None:
    text = assemble(es256_signer, protected={HEADER_ALG: -7})
    result = verify_qr(text, trust(es256_signer), at=CLOCK)
    assert result.error is not None
    assert result.error.code is ErrorCode.KID_MISSING


def test_a_der_signature_is_invalid(es256_signer: SoftwareSigner) -> None:
    key = generate_signing_key()
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    signer = SoftwareSigner(key, _self_signed(key))

    def der(data: bytes) -> bytes:
        return key.sign(data, ec.ECDSA(hashes.SHA256()))

    text = assemble(signer, protected={HEADER_ALG: -7, HEADER_KID: signer.kid}, sign=der)
    result = verify_qr(text, trust(signer), at=CLOCK)
    assert result.error is not None
    assert result.error.code is ErrorCode.SIGNATURE_INVALID


def test_rsa_key_under_es256(ps256_signer: SoftwareSigner) -> None:
    text = assemble(ps256_signer, protected={HEADER_ALG: -7, HEADER_KID: ps256_signer.kid})
    result = verify_qr(text, trust(ps256_signer), at=CLOCK)
    assert result.error is not None
    assert result.error.code is ErrorCode.ALGORITHM_NOT_ALLOWED


def test_p384_key_under_es256() -> None:
    key = ec.generate_private_key(ec.SECP384R1())
    certificate = _self_signed(key)
    kid = kid_for_certificate(certificate)

    def sign(data: bytes) -> bytes:
        return bytes(96)

    body = encode_cwt(issuer="VN", issued_at=0, expires_at=2**31, dcc=payload())
    protected = cbor2.dumps({HEADER_ALG: -7, HEADER_KID: kid})
    message = cbor2.CBORTag(18, [protected, {}, body, sign(b"")])
    text = add_prefix(encode_base45(compress_zlib(cbor2.dumps(message))))
    store = InMemoryTrustStore([TrustedSigner(certificate, kid)])
    result = verify_qr(text, store, at=CLOCK)
    assert result.error is not None
    assert result.error.code is ErrorCode.ALGORITHM_NOT_ALLOWED


def test_a_tampered_payload_fails_the_signature_only(es256_signer: SoftwareSigner) -> None:
    good = payload()
    claims = encode_cwt(
        issuer="VN",
        issued_at=int(ISSUED.timestamp()),
        expires_at=int((ISSUED + timedelta(days=365)).timestamp()),
        dcc=good,
    )
    tampered = claims.replace(b"NGUYEN", b"NGUYAN")
    header = {HEADER_ALG: -7, HEADER_KID: es256_signer.kid}

    def sign_original(_: bytes) -> bytes:
        return es256_signer.sign(sig_structure(cbor2.dumps(header), claims))

    text = assemble(es256_signer, protected=header, claims=tampered, sign=sign_original)
    result = verify_qr(text, trust(es256_signer), at=CLOCK)
    assert result.error is not None
    assert result.error.code is ErrorCode.SIGNATURE_INVALID
    assert result.checks["schema"] is True
    assert result.checks["expiration"] is True


def test_key_usage_restricts_the_entry_type(vaccination_only_signer: SoftwareSigner) -> None:
    vaccination = payload()
    recovery = payload()
    del recovery["v"]
    recovery["r"] = [
        {
            "tg": "840539006",
            "fr": "2022-01-10",
            "co": "VN",
            "is": "Ministry of Health of Viet Nam",
            "df": "2022-01-20",
            "du": "2022-07-09",
            "ci": UVCI,
        }
    ]
    store = trust(vaccination_only_signer)
    assert verify_qr(issue(vaccination_only_signer, vaccination), store, at=CLOCK).valid
    result = verify_qr(issue(vaccination_only_signer, recovery), store, at=CLOCK)
    assert result.error is not None
    assert result.error.code is ErrorCode.KEY_USAGE_MISMATCH
    assert result.checks["schema"] is True


def test_more_than_one_entry_is_refused_even_where_the_schema_allows_it(
    es256_signer: SoftwareSigner,
) -> None:
    two_doses = payload(ver="1.0.0")
    two_doses["v"] = [two_doses["v"][0], {**two_doses["v"][0], "dn": 2}]
    result = verify_qr(issue(es256_signer, two_doses), trust(es256_signer), at=CLOCK)
    assert result.error is not None
    assert result.error.code is ErrorCode.ENTRY_COUNT_INVALID


def test_schema_errors_name_the_field_not_the_value(es256_signer: SoftwareSigner) -> None:
    broken = payload(dob="not a date at all")
    broken["v"][0]["dn"] = "three"
    result = verify_qr(issue(es256_signer, broken), trust(es256_signer), at=CLOCK)
    assert result.error is not None
    assert result.error.code is ErrorCode.SCHEMA_INVALID
    assert "three" not in result.error.message
    assert result.checks["signature"] is True


def test_missing_hcert_claim(es256_signer: SoftwareSigner) -> None:
    expiry = int((ISSUED + timedelta(days=365)).timestamp())
    claims = cbor2.dumps({1: "VN", 6: int(ISSUED.timestamp()), 4: expiry})
    text = assemble(
        es256_signer, protected={HEADER_ALG: -7, HEADER_KID: es256_signer.kid}, claims=claims
    )
    result = verify_qr(text, trust(es256_signer), at=CLOCK)
    assert result.error is not None
    assert result.error.code is ErrorCode.HCERT_MISSING
    assert result.payload is None


def test_to_json_has_the_contract_shape(es256_signer: SoftwareSigner) -> None:
    document = verify_qr(issue(es256_signer), trust(es256_signer), at=CLOCK).to_json()
    assert set(document) == {"valid", "format", "error", "checks", "header", "payload"}
    assert document["header"]["alg"] == "ES256"
    assert document["header"]["iss"] == "VN"
    assert document["header"]["iat"] == int(ISSUED.timestamp())


def _self_signed(key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "self")])
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(EPOCH)
        .not_valid_after(EPOCH + timedelta(days=1000))
        .sign(key, hashes.SHA256())
    )


def test_csca_profile_types_round_trip() -> None:
    key = generate_signing_key()
    csca = issue_csca(key, country="VN", common_name="c", validity=Validity.starting(EPOCH, 10))
    dsc = issue_dsc(
        key,
        csca,
        generate_signing_key(CoseAlgorithm.ES256).public_key(),
        common_name="d",
        validity=Validity.starting(EPOCH, 5),
        types=(CertificateType.TEST,),
    )
    assert TrustedSigner.from_certificate(dsc).allowed_types == {CertificateType.TEST}
    assert datetime.now(UTC) > dsc.not_valid_after_utc


def test_boolean_header_labels_are_not_integer_labels(es256_signer: SoftwareSigner) -> None:
    # In Python ``True == 1``: a ``true`` key must not be read as the ``alg`` label.
    text = assemble(es256_signer, protected={True: -7, HEADER_KID: es256_signer.kid})
    result = verify_qr(text, trust(es256_signer), at=CLOCK)
    assert result.error is not None
    assert result.error.code is ErrorCode.COSE_INVALID


def test_a_protected_kid_that_is_not_bytes_is_not_replaced_by_the_unprotected_one(
    es256_signer: SoftwareSigner,
) -> None:
    text = assemble(
        es256_signer,
        protected={HEADER_ALG: -7, HEADER_KID: None},
        unprotected={HEADER_KID: es256_signer.kid},
    )
    result = verify_qr(text, trust(es256_signer), at=CLOCK)
    assert result.error is not None
    assert result.error.code is ErrorCode.KID_MISSING


def test_fractional_times_never_widen_the_validity(es256_signer: SoftwareSigner) -> None:
    issued = ISSUED.timestamp() + 0.9
    claims = cbor2.dumps(
        {
            1: "VN",
            6: issued,
            4: ISSUED.timestamp() + 100.5,
            -260: {1: payload()},
        }
    )
    header = {HEADER_ALG: -7, HEADER_KID: es256_signer.kid}
    text = assemble(es256_signer, protected=header, claims=claims)
    store = trust(es256_signer)
    before_issue = datetime.fromtimestamp(ISSUED.timestamp() + 0.5, UTC)
    after_expiry = datetime.fromtimestamp(ISSUED.timestamp() + 100.2, UTC)
    early = verify_qr(text, store, at=before_issue)
    assert early.error is not None
    assert early.error.code is ErrorCode.NOT_YET_VALID
    late = verify_qr(text, store, at=after_expiry + timedelta(seconds=1))
    assert late.error is not None
    assert late.error.code is ErrorCode.EXPIRED
    assert verify_qr(text, store, at=ISSUED + timedelta(seconds=50)).valid


def test_a_refused_algorithm_still_reports_key_usage(es256_signer: SoftwareSigner) -> None:
    text = assemble(es256_signer, protected={HEADER_ALG: -35, HEADER_KID: es256_signer.kid})
    result = verify_qr(text, trust(es256_signer), at=CLOCK)
    assert result.error is not None
    assert result.error.code is ErrorCode.ALGORITHM_NOT_ALLOWED
    assert result.checks["key_usage"] is True
    assert result.checks["expiration"] is True


def test_unparsable_extensions_never_widen_key_usage() -> None:
    key = generate_signing_key()
    csca = issue_csca(key, country="VN", common_name="c", validity=Validity.starting(EPOCH, 3650))
    dsc_key = generate_signing_key()
    assert isinstance(dsc_key, ec.EllipticCurvePrivateKey)
    garbled_policies = x509.UnrecognizedExtension(
        x509.oid.ExtensionOID.CERTIFICATE_POLICIES, b"\x05\x00"
    )
    test_only = x509.ExtendedKeyUsage([x509.ObjectIdentifier("1.3.6.1.4.1.1847.2021.1.1")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(csca.subject)
        .issuer_name(csca.subject)
        .public_key(dsc_key.public_key())
        .serial_number(9)
        .not_valid_before(EPOCH)
        .not_valid_after(EPOCH + timedelta(days=1000))
        .add_extension(test_only, critical=False)
        .add_extension(garbled_policies, critical=False)
        .sign(key, hashes.SHA256())
    )
    signer = SoftwareSigner(dsc_key, certificate)
    result = verify_qr(issue(signer), trust(signer), at=CLOCK)  # a vaccination entry
    assert result.error is not None
    assert result.error.code is ErrorCode.KEY_USAGE_MISMATCH


def test_a_der_certificate_ending_in_a_whitespace_byte_is_read_whole() -> None:
    key = generate_signing_key()
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    # Re-sign until the DER's last byte (part of the signature) looks like white space.
    for _ in range(5000):
        certificate = _self_signed(key)
        der = certificate.public_bytes(serialization.Encoding.DER)
        if der[-1:].isspace():
            break
    else:
        pytest.fail("no certificate ending in a white-space byte was produced")
    assert parse_trust_data(der)[0].kid == kid_for_certificate(certificate)
    assert parse_trust_data(base64.b64encode(der) + b"\n")[0].kid == kid_for_certificate(
        certificate
    )
