from __future__ import annotations

import cbor2
import pytest
from cryptography import x509
from hypothesis import given, settings
from hypothesis import strategies as st

from vaxpass.crypto.keys import verify_signature
from vaxpass.crypto.signer import CoseAlgorithm
from vaxpass.crypto.software import SoftwareSigner, generate_signing_key
from vaxpass.errors import DecodeError, ErrorCode, SigningError
from vaxpass.formats.cose import (
    COSE_SIGN1_TAG,
    CWT_TAG,
    HEADER_KID,
    algorithm_of,
    decode_cose,
    sign_cose,
)
from vaxpass.formats.cwt import decode_cwt, encode_cwt


@given(payload=st.binary(max_size=512))
@settings(max_examples=30, deadline=None)
def test_sign_then_decode_and_verify(es256_signer: SoftwareSigner, payload: bytes) -> None:
    message = decode_cose(sign_cose(payload, es256_signer))
    assert message.payload == payload
    assert message.kid == es256_signer.kid
    assert algorithm_of(message) is CoseAlgorithm.ES256
    key = es256_signer.certificate.public_key()
    assert verify_signature(CoseAlgorithm.ES256, key, message.to_be_signed(), message.signature)
    assert not verify_signature(
        CoseAlgorithm.ES256, key, message.to_be_signed() + b"x", message.signature
    )


def test_ps256_round_trip(ps256_signer: SoftwareSigner) -> None:
    message = decode_cose(sign_cose(b"payload", ps256_signer))
    assert algorithm_of(message) is CoseAlgorithm.PS256
    key = ps256_signer.certificate.public_key()
    assert verify_signature(CoseAlgorithm.PS256, key, message.to_be_signed(), message.signature)
    # The same signature under ES256 with an RSA key is refused by the key-type binding.
    assert not verify_signature(CoseAlgorithm.ES256, key, message.to_be_signed(), message.signature)


def test_protected_kid_wins_over_unprotected(es256_signer: SoftwareSigner) -> None:
    tagged = cbor2.loads(sign_cose(b"p", es256_signer))
    tagged = cbor2.CBORTag(
        tagged.tag, [tagged.value[0], {HEADER_KID: b"12345678"}, *tagged.value[2:]]
    )
    assert decode_cose(cbor2.dumps(tagged)).kid == es256_signer.kid


def test_kid_in_the_unprotected_header_is_found(es256_signer: SoftwareSigner) -> None:
    message = decode_cose(sign_cose(b"p", es256_signer, kid_in_protected=False))
    assert message.kid == es256_signer.kid
    assert HEADER_KID not in message.protected_header


def test_cwt_tag_wrapping_and_untagged_arrays_are_accepted(es256_signer: SoftwareSigner) -> None:
    inner = cbor2.loads(sign_cose(b"p", es256_signer))
    assert inner.tag == COSE_SIGN1_TAG
    assert decode_cose(cbor2.dumps(cbor2.CBORTag(CWT_TAG, inner))).payload == b"p"
    assert decode_cose(cbor2.dumps(inner.value)).payload == b"p"


@pytest.mark.parametrize(
    "item",
    [
        [],
        [b"", {}, b""],
        cbor2.CBORTag(98, [b"", {}, b"", b""]),
        [b"\xa1", {}, b"", b""],  # truncated protected header
        [b"\x80", {}, b"", b""],  # protected header is not a map
        ["text", {}, b"", b""],
        [b"", [], b"", b""],
        [b"", {}, "payload", b""],
        {"not": "an array"},
    ],
)
def test_malformed_structures(item: object) -> None:
    with pytest.raises(DecodeError) as caught:
        decode_cose(cbor2.dumps(item))
    assert caught.value.code is ErrorCode.COSE_INVALID


def test_not_cbor_at_all() -> None:
    with pytest.raises(DecodeError):
        decode_cose(b"\xff\xff\xff")


@given(
    issuer=st.text(max_size=4),
    issued_at=st.integers(0, 2**40),
    lifetime=st.integers(0, 2**30),
    name=st.text(max_size=20),
)
def test_cwt_round_trip(issuer: str, issued_at: int, lifetime: int, name: str) -> None:
    dcc = {"ver": "1.3.0", "nam": {"fnt": name}}
    encoded = encode_cwt(
        issuer=issuer, issued_at=issued_at, expires_at=issued_at + lifetime, dcc=dcc
    )
    claims = decode_cwt(encoded)
    assert (claims.issuer, claims.issued_at, claims.expires_at) == (
        issuer,
        issued_at,
        issued_at + lifetime,
    )
    assert claims.dcc == dcc


@pytest.mark.parametrize(
    "claims",
    [
        [1, 2, 3],
        {1: 5},
        {4: "tomorrow"},
        {6: float("nan")},
        {-260: [1]},
        {-260: {1: "text"}},
    ],
)
def test_cwt_rejects_wrong_types(claims: object) -> None:
    with pytest.raises(DecodeError) as caught:
        decode_cwt(cbor2.dumps(claims))
    assert caught.value.code is ErrorCode.CBOR_INVALID


def test_signer_refuses_a_key_that_is_not_its_certificates(
    es256_signer: SoftwareSigner, ps256_signer: SoftwareSigner
) -> None:
    certificate: x509.Certificate = es256_signer.certificate
    with pytest.raises(SigningError):
        SoftwareSigner(generate_signing_key(), certificate)
