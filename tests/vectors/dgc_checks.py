"""One function per ``EXPECTED…`` key of the EU DCC test suite: each runs the stage that key
is about on that stage's own input field and says whether it succeeded."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from cryptography import x509

from vaxpass.clock import parse_instant
from vaxpass.errors import DecodeError, ErrorCode
from vaxpass.formats.base45 import decode_base45
from vaxpass.formats.cose import decode_cose
from vaxpass.formats.cwt import decode_cbor_document, decode_cwt
from vaxpass.formats.dcc.prefix import remove_prefix
from vaxpass.formats.dcc.report import CheckRecorder, VerificationResult
from vaxpass.formats.dcc.rules import check_key_usage, check_schema
from vaxpass.formats.dcc.trust import InMemoryTrustStore, TrustedSigner
from vaxpass.formats.dcc.verify import verify_cose_message, verify_qr
from vaxpass.formats.qr import read_qr_image
from vaxpass.formats.zlib import decompress_zlib

Vector = Mapping[str, Any]


class VectorContext:
    def __init__(self, vector: Vector) -> None:
        self.vector = vector
        context = vector.get("TESTCTX", {})
        clock = context.get("VALIDATIONCLOCK")
        self.at: datetime = parse_instant(clock) if clock else datetime.now().astimezone()
        self.store = InMemoryTrustStore()
        certificate = context.get("CERTIFICATE")
        if certificate:
            der = base64.b64decode(certificate)
            self.store.add(TrustedSigner.from_certificate(x509.load_der_x509_certificate(der)))
        self._cose_result: VerificationResult | None = None

    def field(self, name: str) -> Any:
        return self.vector.get(name)

    def stage_input(self, name: str) -> Any:
        """A stage's input field, derived from the stage before it when the file omits it."""
        value = self.vector.get(name)
        if value is not None or name not in _DERIVATIONS:
            return value
        source_name, derive = _DERIVATIONS[name]
        source = self.stage_input(source_name)
        if source is None:
            return None
        try:
            return derive(source)
        except DecodeError:
            return None

    def cose_result(self) -> VerificationResult:
        if self._cose_result is None:
            cose = bytes.fromhex(self.stage_input("COSE") or "")
            self._cose_result = verify_cose_message(cose, self.store, at=self.at)
        return self._cose_result


_DERIVATIONS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "BASE45": ("PREFIX", remove_prefix),
    "COMPRESSED": ("BASE45", lambda text: decode_base45(text).hex()),
    "COSE": ("COMPRESSED", lambda hex_: decompress_zlib(bytes.fromhex(hex_)).hex()),
}


def _picture(ctx: VectorContext) -> bool:
    if ctx.field("2DCODE") is None:
        return False
    try:
        text = read_qr_image(base64.b64decode(ctx.field("2DCODE")))
    except DecodeError:
        return False
    prefix = ctx.field("PREFIX")
    return prefix is None or text == prefix


def _unprefix(ctx: VectorContext) -> bool:
    try:
        base45 = remove_prefix(ctx.field("PREFIX"))
    except DecodeError:
        return False
    expected = ctx.field("BASE45")
    return expected is None or base45 == expected


def _base45(ctx: VectorContext) -> bool:
    try:
        data = decode_base45(ctx.stage_input("BASE45"))
    except DecodeError:
        return False
    expected = ctx.field("COMPRESSED")
    return expected is None or data == bytes.fromhex(expected)


def _compression(ctx: VectorContext) -> bool:
    try:
        data = decompress_zlib(bytes.fromhex(ctx.stage_input("COMPRESSED")))
    except DecodeError:
        return False
    expected = ctx.field("COSE")
    return expected is None or data == bytes.fromhex(expected)


def _verify(ctx: VectorContext) -> bool:
    return ctx.cose_result().checks["signature"] is True


def _dcc_from_cose(ctx: VectorContext) -> Mapping[str, Any] | None:
    try:
        return decode_cwt(decode_cose(bytes.fromhex(ctx.stage_input("COSE"))).payload).dcc
    except DecodeError:
        return None


def _decode(ctx: VectorContext) -> bool:
    try:
        claims = decode_cwt(decode_cose(bytes.fromhex(ctx.stage_input("COSE"))).payload)
    except DecodeError:
        return False
    if claims.dcc is None:
        return False
    expected_hex = ctx.field("CBOR")
    if expected_hex is None:
        return True
    try:
        expected = decode_cbor_document(bytes.fromhex(expected_hex))
    except (DecodeError, ValueError):
        return False
    # Suites differ in what CBOR holds: the whole CWT claims set or only the DCC payload.
    actual = claims.raw if isinstance(expected, Mapping) and -260 in expected else claims.dcc
    return _canonical(actual) == _canonical(expected)


def _valid_json(ctx: VectorContext) -> bool:
    source = ctx.field("PREFIX")
    if source is None and ctx.field("2DCODE"):
        source = base64.b64decode(ctx.field("2DCODE"))
    if source is None:
        return False
    result = verify_qr(source, ctx.store, at=ctx.at)
    if result.payload is None:
        return False
    return _canonical(result.payload) == _canonical(ctx.field("JSON"))


class _Outcome(CheckRecorder):
    def __init__(self) -> None:
        self.ok: bool | None = None

    def passed(self, check: str) -> None:
        self.ok = True if self.ok is None else self.ok

    def failed(self, check: str, code: ErrorCode, message: str) -> None:
        self.ok = False


def _schema(ctx: VectorContext) -> bool:
    payload = _dcc_from_cose(ctx) if ctx.stage_input("COSE") else None
    if payload is None and ctx.field("CBOR"):
        payload = decode_cbor_document(bytes.fromhex(ctx.field("CBOR")))
    if payload is None:
        payload = ctx.field("JSON")
    if not isinstance(payload, Mapping):
        return False
    outcome = _Outcome()
    check_schema(payload, outcome)
    return outcome.ok is True


def _expiration(ctx: VectorContext) -> bool:
    return ctx.cose_result().checks["expiration"] is True


def _key_usage(ctx: VectorContext) -> bool:
    # The suite asks whether TESTCTX.CERTIFICATE's key usage fits the content, whatever the kid.
    dcc = _dcc_from_cose(ctx)
    signers = list(ctx.store)
    if dcc is None or not signers:
        return False
    outcome = _Outcome()
    check_key_usage(dcc, signers[0], outcome)
    return outcome.ok is True


def _canonical(value: Any) -> str:
    """JSON documents compared by meaning: key order ignored, date-times compared as instants."""
    return json.dumps(_normalised(value), sort_keys=True, ensure_ascii=False, default=str)


_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")


def _normalised(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(key): _normalised(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_normalised(item) for item in value]
    if isinstance(value, str) and _DATE_TIME.fullmatch(value):
        try:
            return parse_instant(value).isoformat()
        except ValueError:
            return value
    return value


CHECKS: dict[str, Callable[[VectorContext], bool]] = {
    "EXPECTEDPICTUREDECODE": _picture,
    "EXPECTEDUNPREFIX": _unprefix,
    "EXPECTEDB45DECODE": _base45,
    "EXPECTEDCOMPRESSION": _compression,
    "EXPECTEDVERIFY": _verify,
    "EXPECTEDDECODE": _decode,
    "EXPECTEDVALIDJSON": _valid_json,
    "EXPECTEDSCHEMAVALIDATION": _schema,
    "EXPECTEDEXPIRATIONCHECK": _expiration,
    "EXPECTEDKEYUSAGE": _key_usage,
}
