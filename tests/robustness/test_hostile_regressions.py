"""Regressions found by the robustness tests: each input once made the verifier raise, hang or
accept what it should refuse."""

from __future__ import annotations

import json
import time

import cbor2
import pytest

from robustness.hostile import (
    AT,
    HOLE,
    Kit,
    claims_of,
    protected_of,
    qr_of_claims,
    sign1,
    with_raw,
    wrap,
)
from vaxpass.crypto.pki.revocation import revocation_hashes
from vaxpass.errors import ErrorCode
from vaxpass.formats.cose import decode_cose
from vaxpass.formats.dcc.report import VerificationResult
from vaxpass.formats.dcc.verify import verify_cose_message, verify_qr

WIDE_INTEGER = cbor2.CBORTag(2, b"\x7f" * 3000)  # 24,000 bits: over 4,300 decimal digits


def _verify(kit: Kit, text: str) -> VerificationResult:
    result = verify_qr(text, kit.store, at=AT, revocations=kit.revocations)
    json.dumps(result.to_json())
    return result


@pytest.mark.parametrize("claim", ["exp", "iat"])
def test_a_time_claim_wider_than_64_bits_is_malformed_cbor(kit: Kit, claim: str) -> None:
    # Was: accepted up to the signer-validity check, then to_json() raised ValueError.
    claims = claims_of(kit.bases[0].payload, **{claim: WIDE_INTEGER})
    result = _verify(kit, qr_of_claims(kit, cbor2.dumps(claims)))
    assert result.error is not None
    assert result.error.code is ErrorCode.CBOR_INVALID


@pytest.mark.parametrize("field", ["ci", "dn", "extra"])
def test_a_payload_integer_wider_than_64_bits_is_malformed_cbor(kit: Kit, field: str) -> None:
    # Was: ValueError from the schema's error messages ("dn"), from the revocation hash ("ci"),
    # or from to_json() ("extra", a field the schema allows).
    payload = dict(kit.bases[0].payload)
    if field == "extra":
        payload["extra"] = WIDE_INTEGER
    else:
        payload["v"] = [dict(payload["v"][0], **{field: WIDE_INTEGER})]
    result = _verify(kit, qr_of_claims(kit, cbor2.dumps(claims_of(payload))))
    assert result.error is not None
    assert result.error.code is ErrorCode.CBOR_INVALID


def test_an_algorithm_number_wider_than_64_bits_is_reported(kit: Kit) -> None:
    # Was: ALGORITHM_NOT_ALLOWED, then to_json() raised ValueError on the header's alg.
    protected = protected_of(kit.es256, alg=WIDE_INTEGER)
    result = _verify(kit, wrap(sign1(kit, kit.bases[0].cwt, protected=protected)))
    assert result.error is not None
    assert result.error.code is ErrorCode.ALGORITHM_NOT_ALLOWED
    assert str(result.to_json()["header"]["alg"]).startswith("0x")


@pytest.mark.parametrize("field", ["dn", "extra"])
def test_a_complex_number_in_the_payload_is_malformed_cbor(kit: Kit, field: str) -> None:
    # Was: TypeError out of the schema check ("dn" has a minimum), signed or not. JSON has no
    # complex numbers, so like shared values they are refused anywhere in the document.
    payload = dict(kit.bases[0].payload)
    complex_number = cbor2.CBORTag(43000, [2.0, 1.0])
    if field == "extra":
        payload["extra"] = complex_number
    else:
        payload["v"] = [dict(payload["v"][0], **{field: complex_number})]
    result = _verify(kit, qr_of_claims(kit, cbor2.dumps(claims_of(payload))))
    assert result.error is not None
    assert result.error.code is ErrorCode.CBOR_INVALID


def _dag(depth: int) -> bytes:
    encoded = b"\xd8\x1c\x81\x00"
    for level in range(1, depth + 1):
        encoded = b"\xd8\x1c\x82" + encoded + b"\xd8\x1d" + cbor2.dumps(depth - level + 1)
    return encoded


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(bytes.fromhex("d81c81d81d00"), id="array containing itself"),
        pytest.param(_dag(60), id="2**60 leaves by reference"),
        pytest.param(
            bytes.fromhex("d90100") + cbor2.dumps(["x" * 1000, *[cbor2.CBORTag(25, 0)] * 5000]),
            id="string references",
        ),
    ],
)
def test_shared_values_in_the_payload_are_malformed_cbor(kit: Kit, raw: bytes) -> None:
    # Was: a valid certificate whose to_json() recursed forever (cycle), ran for ever (2**60
    # leaves) or grew a thousandfold (string references), in a field the schema allows.
    payload = dict(kit.bases[0].payload, extra=HOLE)
    started = time.perf_counter()
    result = _verify(kit, wrap(sign1(kit, with_raw(claims_of(payload), raw)), level=9))
    assert time.perf_counter() - started < 2
    assert result.error is not None
    assert result.error.code is ErrorCode.CBOR_INVALID


def test_report_json_survives_integers_too_wide_for_decimal_text() -> None:
    huge = 1 << 20_000
    result = VerificationResult(
        valid=False,
        error=None,
        failures=(),
        checks={},
        payload={"n": huge, "m": -huge, (huge,): 1, huge: [huge]},
    )
    document = json.loads(json.dumps(result.to_json()))
    assert document["payload"]["n"] == hex(huge)
    assert document["payload"]["m"] == hex(-huge)


def test_revocation_hashes_take_only_text_identifiers(kit: Kit) -> None:
    message = decode_cose(kit.bases[0].cose)
    entry = dict(kit.bases[0].payload["v"][0])
    wide = dict(entry, ci=1 << 20_000, co=["VN"])
    missing = {key: value for key, value in entry.items() if key not in ("ci", "co")}
    # Was: ValueError out of str() of the integer, escaping the verifier.
    assert revocation_hashes(message, {"v": [wide]}) == revocation_hashes(message, {"v": [missing]})


@pytest.mark.parametrize("where", ["message", "protected", "claims"])
def test_bytes_after_a_cbor_item_are_refused(kit: Kit, where: str) -> None:
    # Was: accepted, since cbor2.loads ignores bytes after the first item.
    base = kit.bases[0]
    if where == "message":
        cose = base.cose + b"\x00"
    elif where == "protected":
        cose = sign1(kit, base.cwt, protected=protected_of(kit.es256) + b"\x00")
    else:
        cose = sign1(kit, base.cwt + b"\x00")
    result = verify_cose_message(cose, kit.store, at=AT)
    assert not result.valid
