"""Deterministic hostile inputs for the DCC verifier, attacked layer by layer.

Every case starts from a certificate the real pipeline produced and mutates one layer; when the
mutated layer is an inner one (zlib stream, COSE structure, CWT claims, payload), the outer
layers are rebuilt properly (re-signed with the real key, re-compressed, re-encoded) so that the
mutation reaches the stage it targets. Each case names the error codes it may end with: an
empty set marks a control, which must verify.

Generation is seeded per sub-family, so a failure names a case that can be rebuilt exactly
(ECDSA signatures are randomised, the mutations are not).
"""

from __future__ import annotations

import base64
import random
import struct
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import cbor2
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    encode_dss_signature,
)

from vaxpass.crypto.pki.profiles import Validity, issue_csca, issue_dsc
from vaxpass.crypto.pki.revocation import RevocationList
from vaxpass.crypto.software import SoftwareSigner
from vaxpass.errors import DecodeError, ErrorCode
from vaxpass.formats.base45 import ALPHABET, decode_base45, encode_base45
from vaxpass.formats.cose import sig_structure
from vaxpass.formats.dcc.pipeline import encode_dcc
from vaxpass.formats.dcc.sample import sample_vaccination_payload
from vaxpass.formats.dcc.trust import InMemoryTrustStore, TrustedSigner
from vaxpass.formats.qr import render_qr_png
from vaxpass.formats.zlib import compress_zlib

E = ErrorCode
EPOCH = datetime(2022, 1, 1, tzinfo=UTC)
AT = EPOCH + timedelta(days=100)
ISSUED = AT - timedelta(days=1)
EXPIRES = AT + timedelta(days=300)
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
MAX_QR_TEXT = 8 * 1024

VALID: frozenset[ErrorCode] = frozenset()
TRANSPORT = frozenset(
    {E.PREFIX_INVALID, E.BASE45_INVALID, E.DECOMPRESSION_FAILED, E.DECOMPRESSED_TOO_LARGE}
)
ZLIB = frozenset({E.DECOMPRESSION_FAILED, E.DECOMPRESSED_TOO_LARGE})
PREFIX = frozenset({E.PREFIX_INVALID})
BASE45 = frozenset({E.BASE45_INVALID})
COSE = frozenset({E.COSE_INVALID})
CBOR = frozenset({E.CBOR_INVALID})
ALG = frozenset({E.ALGORITHM_NOT_ALLOWED})
SIGNATURE = frozenset({E.SIGNATURE_INVALID})
SCHEMA = frozenset({E.SCHEMA_INVALID})
ENTRIES = frozenset({E.ENTRY_COUNT_INVALID})
PICTURE = frozenset({E.PICTURE_DECODE_FAILED})


@dataclass(frozen=True, slots=True)
class Case:
    """One input; ``expect`` lists the acceptable first error codes (empty: must verify)."""

    label: str
    data: bytes | str
    expect: frozenset[ErrorCode]
    via: str = "qr"  # "qr": verify_qr; "cose": verify_cose_message


@dataclass(frozen=True, slots=True)
class Base:
    """One genuine certificate and every stage of its encoding."""

    payload: dict[str, Any]
    claims: dict[int, Any]
    cwt: bytes
    cose: bytes
    compressed: bytes
    base45: str
    qr: str


@dataclass(frozen=True, slots=True)
class Kit:
    es256: SoftwareSigner
    ps256: SoftwareSigner
    store: InMemoryTrustStore
    revocations: RevocationList
    bases: tuple[Base, ...]
    ps256_base: Base


def _dsc(csca_key: ec.EllipticCurvePrivateKey, csca: Any, key: Any, name: str) -> SoftwareSigner:
    certificate = issue_dsc(
        csca_key,
        csca,
        key.public_key(),
        common_name=name,
        validity=Validity.starting(EPOCH, 1000),
    )
    return SoftwareSigner(key, certificate)


def _base(signer: SoftwareSigner, index: int) -> Base:
    payload = sample_vaccination_payload(
        family_name=("Nguyễn", "Trần", "Lê Văn")[index % 3],
        certificate_id=f"URN:UVCI:01:VN:ROBUST{index:04d}#K",
    )
    encoded = encode_dcc(payload, signer, issuer="VN", issued_at=ISSUED, expires_at=EXPIRES)
    return Base(
        payload,
        claims_of(payload),
        encoded.cwt,
        encoded.cose,
        encoded.compressed,
        encoded.base45,
        encoded.qr_text,
    )


@cache
def make_kit() -> Kit:
    """Keys, certificates and genuine certificates, once per process."""
    csca_key = ec.derive_private_key(0x5EED_C5CA, ec.SECP256R1())
    csca = issue_csca(
        csca_key,
        country="VN",
        common_name="Robustness CSCA",
        validity=Validity.starting(EPOCH, 3650),
    )
    es256 = _dsc(csca_key, csca, ec.derive_private_key(0x5EED_0D5C, ec.SECP256R1()), "EC DSC")
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ps256 = _dsc(csca_key, csca, rsa_key, "RSA DSC")
    store = InMemoryTrustStore(
        [
            TrustedSigner.from_certificate(es256.certificate),
            TrustedSigner.from_certificate(ps256.certificate),
        ]
    )
    # A revocation list holding (unrelated) hashes for both kids, so that every input whose
    # signature verifies also runs the revocation hashing.
    revocations = RevocationList()
    batches = [
        {"kid": _b64(signer.kid), "entries": [{"hash": _b64(bytes(16))}]}
        for signer in (es256, ps256)
    ]
    revocations.add_document({"batches": batches})
    bases = tuple(_base(es256, index) for index in range(4))
    return Kit(es256, ps256, store, revocations, bases, _base(ps256, 9))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


# --- building blocks ------------------------------------------------------------------------------


def claims_of(payload: Any, **changes: Any) -> dict[int, Any]:
    claims: dict[int, Any] = {
        1: "VN",
        6: int(ISSUED.timestamp()),
        4: int(EXPIRES.timestamp()),
        -260: {1: payload},
    }
    claims.update({_CLAIM_NAMES[name]: value for name, value in changes.items()})
    return claims


_CLAIM_NAMES = {"iss": 1, "iat": 6, "exp": 4, "hcert": -260}
HOLE = "\x00robustness-hole\x00"  # marks where with_raw() splices raw bytes in
_HOLE_CBOR = cbor2.dumps(HOLE)
ABSENT = object()  # as a header or field value: leave it out


def with_raw(structure: Any, raw: bytes) -> bytes:
    """CBOR of ``structure`` with the one ``HOLE`` in it replaced by the raw bytes ``raw``."""
    encoded = cbor2.dumps(structure)
    assert encoded.count(_HOLE_CBOR) == 1
    return encoded.replace(_HOLE_CBOR, raw)


def cbor_map(pairs: Sequence[tuple[bytes, bytes]]) -> bytes:
    """A definite-length map of already encoded keys and values (duplicates allowed)."""
    return _head(5, len(pairs)) + b"".join(key + value for key, value in pairs)


def _head(major: int, length: int) -> bytes:
    if length < 24:
        return bytes([major << 5 | length])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if length < 1 << (8 * size):
            return bytes([major << 5 | info]) + length.to_bytes(size, "big")
    raise ValueError(length)


def protected_of(signer: SoftwareSigner, **changes: Any) -> bytes:
    header: dict[Any, Any] = {1: int(signer.algorithm), 4: signer.kid}
    for name, value in changes.items():
        label = {"alg": 1, "kid": 4}[name]
        if value is ABSENT:
            header.pop(label, None)
        else:
            header[label] = value
    return cbor2.dumps(header)


def sign1(
    kit: Kit,
    payload: bytes,
    *,
    protected: bytes | None = None,
    unprotected: Any = None,
    signer: SoftwareSigner | None = None,
    tags: Sequence[int] = (18,),
    signature: bytes | None = None,
) -> bytes:
    """A COSE_Sign1 signed properly over whatever headers and payload it is given."""
    signer = signer or kit.es256
    protected = protected_of(signer) if protected is None else protected
    if signature is None:
        signature = signer.sign(sig_structure(protected, payload))
    item: Any = [protected, {} if unprotected is None else unprotected, payload, signature]
    for tag in tags:
        item = cbor2.CBORTag(tag, item)
    return cbor2.dumps(item)


def wrap(cose: bytes, *, level: int | None = None) -> str:
    """``HC1:`` text of COSE bytes (ISA-L like the issuer, or stdlib zlib at ``level``)."""
    compressed = compress_zlib(cose) if level is None else zlib.compress(cose, level)
    return "HC1:" + encode_base45(compressed)


def qr_of_claims(kit: Kit, claims: bytes) -> str:
    return wrap(sign1(kit, claims), level=9)


def fits(text: str) -> bool:
    return len(text) <= MAX_QR_TEXT


# --- (a) text level -------------------------------------------------------------------------------

_ODD_CHARS = (
    *"abcdefghijklmnopqrstuvwxyz#=_!@&,;<>'\"\\^`{|}~?[]()",
    *"\x00\x01\x07\x1b\x7f",
    *("é", "ß", "Ａ", "С", "Η", "٠", "\u200b", "\u202e", "\ufeff", "\ud800", "😀", "中"),
)
_WHITESPACE = (" ", "\t", "\n", "\r", "\x0b", "\x0c", "\u00a0", "\u2028", "\u3000", "\x1c", "\x85")


def _as_bytes_sometimes(rng: random.Random, text: str) -> bytes | str:
    if rng.random() < 0.5:
        return text
    return text.encode("utf-8", "surrogatepass")


def text_bitflips(kit: Kit, rng: random.Random) -> Iterator[Case]:
    produced = 0
    while produced < 6000:
        base = rng.choice(kit.bases).qr
        chars = list(base)
        for _ in range(rng.choice((1, 1, 1, 2, 3))):
            position = rng.randrange(len(chars))
            chars[position] = chr(ord(chars[position]) ^ (1 << rng.randrange(8)))
        text = "".join(chars)
        if text.strip() == base:
            continue
        data: bytes | str = text.encode("latin-1") if rng.random() < 0.5 else text
        # A flip that lands in the deflate stream's padding bits leaves the same certificate.
        expect = VALID if _same_certificate(text, base_cose=_cose_of(kit, base)) else TRANSPORT
        yield Case(f"bitflip {produced}", data, expect)
        produced += 1


def _cose_of(kit: Kit, qr_text: str) -> bytes:
    return next(item.cose for item in kit.bases if item.qr == qr_text)


def _same_certificate(text: str, *, base_cose: bytes) -> bool:
    """Whether ``text`` still carries exactly the original COSE message (plain decoders)."""
    stripped = text.strip()
    if not stripped.startswith("HC1:"):
        return False
    try:
        stream = decode_base45(stripped[4:])
    except DecodeError:
        return False
    return zlib_oracle(stream) == base_cose


def text_substitutions(kit: Kit, rng: random.Random) -> Iterator[Case]:
    pool = (*ALPHABET, *_ODD_CHARS)
    produced = 0
    while produced < 4000:
        base = rng.choice(kit.bases).qr
        position = rng.randrange(len(base))
        char = rng.choice(pool)
        text = base[:position] + char + base[position + 1 :]
        if text.strip() == base:
            continue
        expect = VALID if _same_certificate(text, base_cose=_cose_of(kit, base)) else TRANSPORT
        yield Case(f"substitution {produced}", _as_bytes_sometimes(rng, text), expect)
        produced += 1


def text_truncations(kit: Kit, rng: random.Random) -> Iterator[Case]:
    del rng
    for index, base in enumerate(kit.bases):
        for length in range(len(base.qr)):
            yield Case(f"base {index} first {length} chars", base.qr[:length], TRANSPORT)
        for start in range(1, len(base.qr)):
            yield Case(f"base {index} from char {start}", base.qr[start:], TRANSPORT)


_PREFIXES = (
    "",
    "HC2:",
    "HC0:",
    "HC9:",
    "hc1:",
    "Hc1:",
    "hC1:",
    "HC1",
    "HC1;",
    "HC1::",
    "HC:",
    "H C1:",
    "HC1 :",
    "HC1\t:",
    "LT1:",
    "DE1:",
    "NZCP:/1/",
    "shc:/",
    "\ufeffHC1:",
    "HC1：",
    "ＨＣ１：",
    "НС1:",
    "HС1:",
    "HC1\x00:",
    "\x00HC1:",
    "HC1:HC1:",
    "HC1:HC2:",
    "HC1: ",
    "HC1:/",
    "HC1:%",
    "https://dcc.example/HC1:",
    "HC1:\u200b",
)


def text_prefixes(kit: Kit, rng: random.Random) -> Iterator[Case]:
    produced = 0
    for base in kit.bases:
        for prefix in _PREFIXES:
            yield _prefixed(f"prefix {prefix!r}", prefix + base.base45)
            produced += 1
        for variant in (base.qr.lower(), base.qr.swapcase(), base.qr[:4] + base.qr[4:].lower()):
            yield _prefixed("case-changed text", variant)
            produced += 1
    while produced < 1000:
        base = rng.choice(kit.bases)
        prefix = rng.choice(_PREFIXES)
        body = base.base45[: rng.randrange(len(base.base45) + 1)]
        yield _prefixed(f"prefix {prefix!r} body {len(body)}", prefix + body)
        produced += 1


def _prefixed(label: str, text: str) -> Case:
    expect = TRANSPORT if text.strip().startswith("HC1:") else PREFIX
    return Case(label, text, expect)


def text_whitespace(kit: Kit, rng: random.Random) -> Iterator[Case]:
    base = kit.bases[0].qr
    # Around the text, whitespace is only framing (the verifier strips it): controls.
    for padding in (" ", "\n", "\r\n", "\t \n", " " * 100_000):
        yield Case(f"padded {len(padding)}", padding + base + padding, VALID)
    yield Case("trailing newline, bytes", (base + "\n").encode(), VALID)
    for produced in range(2000):
        base = rng.choice(kit.bases).qr
        position = rng.randrange(1, len(base) - 1)
        inserted = "".join(rng.choice(_WHITESPACE) for _ in range(rng.randint(1, 3)))
        text = base[:position] + inserted + base[position:]
        yield Case(
            f"whitespace at {position} #{produced}", _as_bytes_sometimes(rng, text), TRANSPORT
        )


_HOMOGLYPHS = {"H": "Н", "C": "С", "1": "１", ":": "："}


def text_non_ascii(kit: Kit, rng: random.Random) -> Iterator[Case]:
    base = kit.bases[0]
    yield Case("fullwidth text", "".join(chr(ord(c) + 0xFEE0) for c in base.qr), PREFIX)
    for encoding in ("utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8-sig", "cp037"):
        yield Case(f"encoded {encoding}", base.qr.encode(encoding), PREFIX)
    for char, glyph in _HOMOGLYPHS.items():
        yield Case(f"homoglyph {glyph!r}", base.qr.replace(char, glyph, 1), TRANSPORT)
    for produced in range(1500):
        base = rng.choice(kit.bases)
        kind = produced % 3
        if kind == 0:  # non-ASCII characters inside the body
            position = rng.randrange(5, len(base.qr) - 1)
            odd = "".join(rng.choice(_ODD_CHARS[-12:]) for _ in range(rng.randint(1, 4)))
            text = base.qr[:position] + odd + base.qr[position:]
            yield Case(f"non-ASCII at {position}", _as_bytes_sometimes(rng, text), TRANSPORT)
        elif kind == 1:  # random high bytes after the prefix
            junk = bytes(rng.randrange(128, 256) for _ in range(rng.randint(1, 400)))
            yield Case(f"high bytes {len(junk)}", b"HC1:" + junk, PREFIX)
        else:  # random printable ASCII, with or without the prefix
            length = rng.randint(0, 600)
            junk = "".join(chr(rng.randrange(32, 127)) for _ in range(length))
            yield _prefixed(f"ASCII junk {length}", rng.choice(("", "HC1:")) + junk)


def text_huge(kit: Kit, rng: random.Random) -> Iterator[Case]:
    base = kit.bases[0]
    body = "".join(rng.choice(ALPHABET.strip()) for _ in range(MAX_QR_TEXT))
    yield Case("random body at the size limit", "HC1:" + body[:-4], TRANSPORT)
    yield Case(
        "random body over the size limit", "HC1:" + body[:-3], frozenset({E.INPUT_TOO_LARGE})
    )
    for size in (MAX_QR_TEXT + 1, 10_000, 100_000, 1 << 20, 10 << 20):
        for fill in ("A", base.base45):
            text = "HC1:" + (fill * (size // len(fill) + 1))[:size]
            yield Case(f"huge {size} str", text, frozenset({E.INPUT_TOO_LARGE}))
            yield Case(f"huge {size} bytes", text.encode(), frozenset({E.INPUT_TOO_LARGE}))
    yield Case("huge non-ASCII", "HC1:" + "é" * (1 << 20), frozenset({E.INPUT_TOO_LARGE}))
    yield Case("huge high bytes", b"HC1:" + b"\xe9" * (1 << 20), PREFIX)
    yield Case(
        "genuine text padded inside", base.qr + " x" * 10_000, frozenset({E.INPUT_TOO_LARGE})
    )


# --- (b) Base45 level -----------------------------------------------------------------------------


def _base45_value(group: str) -> int:
    return sum(ALPHABET.index(char) * 45**power for power, char in enumerate(group))


def _group_for(value: int, width: int) -> str:
    chars = []
    for _ in range(width):
        value, digit = divmod(value, 45)
        chars.append(ALPHABET[digit])
    return "".join(chars)


def base45_overflow(kit: Kit, rng: random.Random) -> Iterator[Case]:
    produced = 0
    while produced < 2500:
        body = rng.choice(kit.bases).base45
        if rng.random() < 0.2 and len(body) % 3 == 2:
            group = _group_for(rng.randint(256, 45**2 - 1), 2)  # a final pair above one byte
            text = body[:-2] + group
        else:
            start = 3 * rng.randrange(len(body) // 3)
            group = _group_for(rng.randint(65536, 45**3 - 1), 3)
            text = body[:start] + group + body[start + 3 :]
        assert _base45_value(group) > (255 if len(group) == 2 else 65535)
        yield Case(f"overflow group {group!r}", "HC1:" + text, BASE45)
        produced += 1


def base45_invalid_chars(kit: Kit, rng: random.Random) -> Iterator[Case]:
    pool = [char for char in _ODD_CHARS if not char.isspace()]
    for produced in range(1500):
        body = rng.choice(kit.bases).base45
        position = rng.randrange(len(body))
        text = body[:position] + rng.choice(pool) + body[position + 1 :]
        yield Case(f"invalid char #{produced}", "HC1:" + text, BASE45)


def base45_dangling(kit: Kit, rng: random.Random) -> Iterator[Case]:
    for produced in range(500):
        body = rng.choice(kit.bases).base45
        keep = rng.randrange(len(body) + 1)
        text = body[:keep].rstrip()  # a trailing space would be stripped as framing
        while len(text) % 3 != 1:
            text += rng.choice(ALPHABET.replace(" ", ""))
        yield Case(f"dangling #{produced} ({len(text)} chars)", "HC1:" + text, BASE45)
    for base in kit.bases:
        yield Case("lower-case body", "HC1:" + base.base45.lower(), BASE45)


def base45_wrong_content(kit: Kit, rng: random.Random) -> Iterator[Case]:
    base = kit.bases[0]
    failed = frozenset({E.DECOMPRESSION_FAILED})
    # There is no "maybe it was not compressed" fallback.
    yield Case("uncompressed COSE", "HC1:" + encode_base45(base.cose), failed)
    yield Case("uncompressed CWT", "HC1:" + encode_base45(base.cwt), failed)
    yield Case("empty", "HC1:", failed)
    for produced in range(1000):
        junk = bytes(rng.randrange(256) for _ in range(rng.randint(1, 600)))
        if zlib_oracle(junk) is not None:
            continue
        yield Case(f"random bytes {len(junk)} #{produced}", "HC1:" + encode_base45(junk), ZLIB)


def zlib_oracle(stream: bytes) -> bytes | None:
    """What a plain zlib inflater makes of ``stream`` (``None``: not one complete stream)."""
    inflater = zlib.decompressobj()
    try:
        output = inflater.decompress(stream, 1 << 20)
    except zlib.error:
        return None
    if not inflater.eof or inflater.unused_data or inflater.unconsumed_tail:
        return None
    return output


# --- (c) zlib level -------------------------------------------------------------------------------


def _text_of_stream(stream: bytes) -> str:
    return "HC1:" + encode_base45(stream)


def zlib_truncations(kit: Kit, rng: random.Random) -> Iterator[Case]:
    del rng
    failed = frozenset({E.DECOMPRESSION_FAILED})
    for index, base in enumerate(kit.bases):
        for level in (None, 9):
            stream = base.compressed if level is None else zlib.compress(base.cose, level)
            for length in range(len(stream)):
                yield Case(
                    f"base {index} level {level} first {length}",
                    _text_of_stream(stream[:length]),
                    failed,
                )


def zlib_bitflips(kit: Kit, rng: random.Random) -> Iterator[Case]:
    for produced in range(3000):
        base = rng.choice(kit.bases)
        stream = bytearray(base.compressed)
        for _ in range(rng.choice((1, 1, 2, 4))):
            stream[rng.randrange(len(stream))] ^= 1 << rng.randrange(8)
        # Padding bits after the last deflate block are not data: a flip there changes nothing.
        expect = VALID if zlib_oracle(bytes(stream)) == base.cose else ZLIB
        yield Case(f"bit flips #{produced}", _text_of_stream(bytes(stream)), expect)


def zlib_headers(kit: Kit, rng: random.Random) -> Iterator[Case]:
    for produced in range(1500):
        base = rng.choice(kit.bases)
        header = rng.randrange(65536).to_bytes(2, "big")
        stream = header + base.compressed[2:]
        expect = VALID if zlib_oracle(stream) == base.cose else ZLIB
        yield Case(f"header {header.hex()} #{produced}", _text_of_stream(stream), expect)


def zlib_containers(kit: Kit, rng: random.Random) -> Iterator[Case]:
    failed = frozenset({E.DECOMPRESSION_FAILED})
    for index, base in enumerate(kit.bases):
        cose = base.cose
        for level in range(10):
            for strategy in (
                zlib.Z_DEFAULT_STRATEGY,
                zlib.Z_FILTERED,
                zlib.Z_HUFFMAN_ONLY,
                zlib.Z_RLE,
                zlib.Z_FIXED,
            ):
                for wbits in (9, 15):
                    packer = zlib.compressobj(level, zlib.DEFLATED, wbits, 9, strategy)
                    stream = packer.compress(cose) + packer.flush()
                    # Any conforming zlib stream is fine: controls.
                    yield Case(
                        f"base {index} level {level} strategy {strategy} wbits {wbits}",
                        _text_of_stream(stream),
                        VALID,
                    )
                    for container, bits in (("raw deflate", -wbits), ("gzip", 16 + wbits)):
                        packer = zlib.compressobj(level, zlib.DEFLATED, bits, 9, strategy)
                        other = packer.compress(cose) + packer.flush()
                        yield Case(
                            f"base {index} {container} level {level}",
                            _text_of_stream(other),
                            failed,
                        )
        stream = base.compressed
        yield Case("two streams", _text_of_stream(stream + stream), failed)
        yield Case("adler zeroed", _text_of_stream(stream[:-4] + bytes(4)), failed)
        packer = zlib.compressobj(9, zlib.DEFLATED, 15, 9, zlib.Z_DEFAULT_STRATEGY, zdict=cose[:64])
        yield Case(
            "preset dictionary", _text_of_stream(packer.compress(cose) + packer.flush()), failed
        )
    for produced in range(400):
        base = rng.choice(kit.bases)
        tail = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
        yield Case(
            f"trailing {len(tail)} bytes #{produced}",
            _text_of_stream(base.compressed + tail),
            failed,
        )
    for stream, expect in (
        (b"", failed),
        (b"\x78", failed),
        (b"\x78\x9c", failed),
        (b"\x78\x9c\x03\x00", failed),
        (zlib.compress(b""), COSE),
        (zlib.compress(b"\x00"), COSE),
    ):
        yield Case(f"tiny stream {stream.hex()}", _text_of_stream(stream), expect)
    for produced in range(500):  # well-formed zlib around bytes that are no COSE_Sign1
        junk = bytes(rng.randrange(256) for _ in range(rng.randint(0, 300)))
        yield Case(f"zlib of junk #{produced}", _text_of_stream(zlib.compress(junk)), COSE)


@cache
def _bomb(size: int, fill: bytes) -> bytes:
    packer = zlib.compressobj(9)
    chunk = (fill * (65536 // len(fill) + 1))[:65536]
    parts = [packer.compress(chunk) for _ in range(size // 65536)]
    parts.append(packer.compress(chunk[: size % 65536]))
    parts.append(packer.flush())
    return b"".join(parts)


def zlib_bombs(kit: Kit, rng: random.Random) -> Iterator[Case]:
    too_large = frozenset({E.DECOMPRESSED_TOO_LARGE})
    cose = kit.bases[0].cose
    # Exactly at the 64 KiB cap: inflates, then is no COSE_Sign1.
    yield Case("64 KiB of zeros", _text_of_stream(zlib.compress(bytes(65536), 9)), COSE)
    yield Case(
        "genuine COSE then 64 KiB",
        _text_of_stream(zlib.compress(cose + bytes(65536), 9)),
        too_large,
    )
    for size in (65537, 100_000, 1 << 20, 5 << 20):
        for fill in (b"\x00", b"A", b"HC1", cose[:16]):
            stream = _bomb(size, fill)
            text = _text_of_stream(stream)
            yield Case(
                f"bomb {size} of {fill[:4].hex()}",
                text,
                too_large if fits(text) else frozenset({E.INPUT_TOO_LARGE}),
            )
    # 50 MB of zeros compresses to ~50 KB: far beyond any QR code, refused before inflating.
    yield Case(
        "50 MB bomb", _text_of_stream(_bomb(50_000_000, b"\x00")), frozenset({E.INPUT_TOO_LARGE})
    )
    for produced in range(100):
        size = rng.randint(65537, 2 << 20)
        stream = zlib.compress(bytes(size), 9)
        yield Case(f"bomb {size} #{produced}", _text_of_stream(stream), too_large)


# --- (d) COSE level -------------------------------------------------------------------------------

_WRONG_VALUES: tuple[Any, ...] = (
    0,
    1,
    -7,
    2**64 - 1,
    -(2**64),
    1.5,
    float("nan"),
    float("inf"),
    "",
    "text",
    "\x00" * 40,
    [],
    [b""],
    [1, 2, 3, 4],
    None,
    True,
    False,
    cbor2.undefined,
    cbor2.CBORSimpleValue(99),
    cbor2.CBORTag(99, b"x"),
    cbor2.CBORTag(24, b"\x40"),
    cbor2.CBORTag(2, b"\x01"),
)
_WRONG_FOR = (
    (*_WRONG_VALUES, {}, {1: -7}),  # protected must be a byte string
    (*_WRONG_VALUES, b"", b"\xa0", b"\x01" * 8),  # unprotected must be a map
    (*_WRONG_VALUES, {}, {1: b""}),  # payload must be a byte string
    (*_WRONG_VALUES, {}, {1: b""}),  # signature must be a byte string
)
_WRAPPINGS: tuple[tuple[int, ...], ...] = ((18,), (18, 61), ())


def cose_array_sizes(kit: Kit, rng: random.Random) -> Iterator[Case]:
    base = kit.bases[0]
    message = cbor2.loads(base.cose).value
    for produced in range(400):
        size = rng.choice((0, 1, 2, 3, 5, 6, 7, 8, 100))
        items = (message * (size // 4 + 1))[:size]
        if size == 100:
            items = [rng.choice(message) for _ in range(size)]
        item: Any = items
        for tag in rng.choice(_WRAPPINGS):
            item = cbor2.CBORTag(tag, item)
        yield Case(f"array of {size} #{produced}", wrap(cbor2.dumps(item)), COSE)
    for top in (
        {},
        {1: message},
        b"",
        "COSE",
        18,
        None,
        cbor2.CBORTag(18, {}),
        cbor2.CBORTag(18, b"x"),
    ):
        yield Case(f"top level {type(top).__name__}", wrap(cbor2.dumps(top)), COSE)


def cose_element_types(kit: Kit, rng: random.Random) -> Iterator[Case]:
    base = kit.bases[0]
    protected = protected_of(kit.es256)
    for produced in range(1800):
        position = rng.randrange(4)
        items: list[Any] = [protected, {}, base.cwt, b"\x00" * 64]
        items[position] = rng.choice(_WRONG_FOR[position])
        item: Any = items
        for tag in rng.choice(_WRAPPINGS):
            item = cbor2.CBORTag(tag, item)
        yield Case(f"element {position} #{produced}", wrap(cbor2.dumps(item)), COSE)


# Tags under which cbor2 hands back the enclosed array unchanged (value sharing, string
# references, self-described CBOR): the message is then read as an untagged COSE_Sign1.
_TRANSPARENT_TAGS = frozenset({18, 61, 28, 256, 55799})


def cose_tags(kit: Kit, rng: random.Random) -> Iterator[Case]:
    del rng
    message = cbor2.loads(kit.bases[0].cose)
    tags = [
        tag
        for tag in (*range(0, 300), 996, 1040, 2**16, 2**32, 2**64 - 1)
        if tag not in _TRANSPARENT_TAGS
    ]
    for tag in tags:
        yield Case(
            f"tag {tag} around the array",
            wrap(cbor2.dumps(cbor2.CBORTag(tag, message.value))),
            COSE,
        )
        yield Case(f"tag {tag} around tag 18", wrap(cbor2.dumps(cbor2.CBORTag(tag, message))), COSE)
        inner = cbor2.CBORTag(61, cbor2.CBORTag(tag, message.value))
        yield Case(f"tag 61 around tag {tag}", wrap(cbor2.dumps(inner)), COSE)
    for nesting in ((18, 18), (61, 18, 61), (61, 61), (18, 61, 61)):
        item: Any = message.value
        for tag in nesting:
            item = cbor2.CBORTag(tag, item)
        yield Case(f"tags {nesting}", wrap(cbor2.dumps(item)), COSE)
    # Controls: tag 18, tag 61 around it, or no tag at all.
    for nesting in ((18,), (18, 61), (), (61,)):
        item = message.value
        for tag in nesting:
            item = cbor2.CBORTag(tag, item)
        yield Case(f"tags {nesting} (control)", wrap(cbor2.dumps(item)), VALID)


def _not_a_map(rng: random.Random) -> bytes:
    kind = rng.randrange(8)
    if kind == 0:
        return cbor2.dumps(rng.choice(_WRONG_VALUES))
    if kind == 1:  # junk that does not start like a map or a tag
        first = rng.choice((*range(0xA0), *range(0xE0, 0x100)))
        return bytes([first, *(rng.randrange(256) for _ in range(rng.randint(0, 40)))]) + b"\xff"
    if kind == 2:
        return b"\xa2\x01\x26\x01\x26"  # duplicate alg
    if kind == 3:
        return rng.choice((b"\x5b", b"\x7b", b"\x9b", b"\xbb")) + rng.randrange(
            2**40, 2**64
        ).to_bytes(8, "big")
    if kind == 4:
        return b"\x81" * rng.randint(401, 5000) + b"\x00"
    if kind == 5:
        return b"\xa1" + b"\x01"  # truncated map
    if kind == 6:
        return b"\xbf\x01\x26"  # unterminated indefinite map
    return cbor2.dumps(cbor2.CBORTag(rng.choice((18, 61, 99)), {1: -7}))


def cose_protected(kit: Kit, rng: random.Random) -> Iterator[Case]:
    for produced in range(1200):
        protected = _not_a_map(rng)
        cose = sign1(
            kit, rng.choice(kit.bases).cwt, protected=protected, tags=rng.choice(_WRAPPINGS)
        )
        yield Case(f"protected {protected[:12].hex()} #{produced}", wrap(cose), COSE)
    # A map header as a map (not wrapped in a byte string).
    items = [{1: -7, 4: kit.es256.kid}, {}, kit.bases[0].cwt, bytes(64)]
    yield Case("protected header not wrapped", wrap(cbor2.dumps(cbor2.CBORTag(18, items))), COSE)


_UNKNOWN_ALGS: tuple[Any, ...] = (
    -8,
    -35,
    -36,
    -38,
    -39,
    -257,
    -258,
    -259,
    -65535,
    0,
    1,
    7,
    37,
    2**63,
    -(2**64),
    "ES256",
    "-7",
    b"\xf9",
    -7.0,
    -37.0,
    True,
    False,
    None,
    [-7],
    {1: -7},
    cbor2.CBORTag(2, b"\x07"),
    cbor2.CBORTag(2, b"\x01" * 600),  # a 4,800-bit algorithm number
)


def cose_algorithms(kit: Kit, rng: random.Random) -> Iterator[Case]:
    es, ps = kit.es256, kit.ps256
    produced = 0
    while produced < 1500:
        base = rng.choice(kit.bases)
        kind = produced % 6
        unprotected: dict[Any, Any] = {}
        if kind == 0:  # missing
            protected = protected_of(es, alg=ABSENT)
            label = "alg missing"
        elif kind == 1:  # unknown or wrongly typed
            alg = rng.choice(_UNKNOWN_ALGS)
            protected = protected_of(es, alg=alg)
            label = f"alg {alg!r:.30}"
        elif kind == 2:  # RSA algorithm, EC key and kid
            protected = protected_of(es, alg=-37)
            label = "PS256 with an EC key"
        elif kind == 3:  # EC algorithm, RSA key's kid (signature by the EC key)
            protected = cbor2.dumps({1: -7, 4: ps.kid})
            label = "ES256 with an RSA key"
        elif kind == 4:  # unknown algorithm only in the unprotected header
            protected = protected_of(es, alg=ABSENT)
            unprotected = {1: rng.choice(_UNKNOWN_ALGS[:15])}
            label = f"unprotected alg {unprotected[1]!r:.30}"
        else:  # the protected value wins over a good unprotected one
            protected = protected_of(es, alg=rng.choice((-37, -8, -35, "ES256")))
            unprotected = {1: -7}
            label = "bad protected alg, good unprotected alg"
        cose = sign1(kit, base.cwt, protected=protected, unprotected=unprotected)
        yield Case(f"{label} #{produced}", wrap(cose), ALG)
        produced += 1
    # The RSA signer with an EC algorithm, signed by the RSA key itself.
    protected = cbor2.dumps({1: -7, 4: ps.kid})
    for index in range(20):
        cose = sign1(kit, kit.bases[index % 4].cwt, protected=protected, signer=ps)
        yield Case(f"RSA signature under ES256 #{index}", wrap(cose), ALG)
    # Controls: the documented fall-back to the unprotected header and protected precedence.
    base = kit.bases[1]
    cose = sign1(kit, base.cwt, protected=protected_of(es, alg=ABSENT), unprotected={1: -7})
    yield Case("alg only in the unprotected header (control)", wrap(cose), VALID)
    cose = sign1(kit, base.cwt, protected=protected_of(es), unprotected={1: -37})
    yield Case("protected alg wins (control)", wrap(cose), VALID)
    yield Case("PS256 certificate (control)", kit.ps256_base.qr, VALID)


_WRONG_KIDS: tuple[Any, ...] = (
    "kid",
    8,
    -1,
    1.5,
    True,
    [b"12345678"],
    {4: b"x"},
    cbor2.CBORTag(99, b"12345678"),
)


def cose_kids(kit: Kit, rng: random.Random) -> Iterator[Case]:
    es = kit.es256
    kid_missing, kid_unknown = frozenset({E.KID_MISSING}), frozenset({E.KID_UNKNOWN})
    for produced in range(1200):
        base = rng.choice(kit.bases)
        kind = produced % 5
        unprotected: dict[Any, Any] = {}
        if kind == 0:
            protected, expect, label = protected_of(es, kid=ABSENT), kid_missing, "kid missing"
        elif kind == 1:
            kid = rng.choice(_WRONG_KIDS)
            protected, expect, label = protected_of(es, kid=kid), kid_missing, f"kid {kid!r:.20}"
        elif kind == 2:
            kid = bytes(rng.randrange(256) for _ in range(rng.choice((0, 1, 7, 9, 16, 32, 64))))
            protected, expect, label = (
                protected_of(es, kid=kid),
                kid_unknown,
                f"kid of {len(kid)} bytes",
            )
        elif kind == 3:
            kid = rng.choice((es.kid[:7], es.kid + b"\x00", es.kid[::-1], bytes(8)))
            protected, expect, label = protected_of(es, kid=kid), kid_unknown, f"kid {kid.hex()}"
        else:  # a bad protected kid is not rescued by a good unprotected one
            kid = rng.choice((*_WRONG_KIDS, bytes(8)))
            protected = protected_of(es, kid=kid)
            unprotected = {4: es.kid}
            expect = kid_unknown if isinstance(kid, bytes) else kid_missing
            label = "bad protected kid, good unprotected kid"
        cose = sign1(kit, base.cwt, protected=protected, unprotected=unprotected)
        yield Case(f"{label} #{produced}", wrap(cose), expect)
    for wrong in _WRONG_KIDS:
        cose = sign1(
            kit, kit.bases[0].cwt, protected=protected_of(es, kid=ABSENT), unprotected={4: wrong}
        )
        yield Case(f"unprotected kid {wrong!r:.20}", wrap(cose), kid_missing)
    cose = sign1(
        kit, kit.bases[0].cwt, protected=protected_of(es, kid=ABSENT), unprotected={4: es.kid}
    )
    yield Case("kid only in the unprotected header (control)", wrap(cose), VALID)


def _raw_signature(r: int, s: int) -> bytes:
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def cose_signatures(kit: Kit, rng: random.Random) -> Iterator[Case]:
    produced = 0
    for base in kit.bases:
        message = cbor2.loads(base.cose).value
        signature = message[3]
        r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        high_s = P256_ORDER - s

        def signed(sig: bytes, message: list[Any] = message) -> str:
            return wrap(cbor2.dumps(cbor2.CBORTag(18, [*message[:3], sig])))

        variants: list[tuple[str, bytes]] = [
            ("DER of the real r, s", encode_dss_signature(r, s)),
            ("DER of r, high s", encode_dss_signature(r, high_s)),
            ("DER of s, r", encode_dss_signature(s, r)),
            ("DER cut to 64 bytes", encode_dss_signature(r, s)[:64]),
            ("s || r", _raw_signature(s, r)),
            ("zero", bytes(64)),
            ("all ones", b"\xff" * 64),
            ("r = 0", _raw_signature(0, s)),
            ("s = 0", _raw_signature(r, 0)),
            ("r = n", _raw_signature(P256_ORDER, s)),
            ("s = n", _raw_signature(r, P256_ORDER)),
            ("r = n - 1, s = n - 1", _raw_signature(P256_ORDER - 1, P256_ORDER - 1)),
            ("empty", b""),
            ("signature + 1 byte", signature + b"\x00"),
            ("leading zero byte", b"\x00" + signature),
            ("twice", signature * 2),
            ("PSS-sized", signature * 4),
        ]
        for label, sig in variants:
            yield Case(label, signed(sig), SIGNATURE)
        # ECDSA is malleable: (r, n - s) is the same signature. It verifies, and the revocation
        # hash covers r only, so it cannot dodge a revocation either (control).
        yield Case("raw high s (control)", signed(_raw_signature(r, high_s)), VALID)
        for length in range(64):
            yield Case(f"truncated to {length}", signed(signature[:length]), SIGNATURE)
    while produced < 1800:
        base = rng.choice(kit.bases)
        message = cbor2.loads(base.cose).value
        sig = bytearray(message[3])
        kind = produced % 3
        if kind == 0:
            for _ in range(rng.choice((1, 2, 8))):
                sig[rng.randrange(64)] ^= 1 << rng.randrange(8)
            label = "flipped signature bits"
        elif kind == 1:
            sig = bytearray(rng.randrange(256) for _ in range(64))
            label = "random signature"
        else:
            other = rng.choice([b for b in kit.bases if b is not base])
            sig = bytearray(cbor2.loads(other.cose).value[3])
            label = "another certificate's signature"
        cose = cbor2.dumps(cbor2.CBORTag(18, [*message[:3], bytes(sig)]))
        yield Case(f"{label} #{produced}", wrap(cose), SIGNATURE)
        produced += 1
    # RSA-PSS signatures tampered with.
    message = cbor2.loads(kit.ps256_base.cose).value
    for length in (0, 1, 255, 257, 512):
        sig = (message[3] * 2)[:length]
        yield Case(
            f"PSS signature of {length} bytes",
            wrap(cbor2.dumps(cbor2.CBORTag(18, [*message[:3], sig]))),
            SIGNATURE,
        )
    for index in range(40):
        sig = bytearray(message[3])
        sig[rng.randrange(len(sig))] ^= 1 << rng.randrange(8)
        yield Case(
            f"PSS bit flip #{index}",
            wrap(cbor2.dumps(cbor2.CBORTag(18, [*message[:3], bytes(sig)]))),
            SIGNATURE,
        )


def cose_swaps(kit: Kit, rng: random.Random) -> Iterator[Case]:
    messages = [cbor2.loads(base.cose).value for base in kit.bases]
    for produced in range(900):
        first, second = rng.sample(messages, 2)
        kind = produced % 3
        if kind == 0:
            items, label = [*first[:2], second[2], first[3]], "payload swapped"
        elif kind == 1:
            payload = bytearray(first[2])
            payload[rng.randrange(len(payload))] ^= 1 << rng.randrange(8)
            items, label = [*first[:2], bytes(payload), first[3]], "payload bit flipped"
        else:
            reordered = cbor2.dumps({4: kit.es256.kid, 1: -7})
            items, label = [reordered, first[1], first[2], first[3]], "protected header re-encoded"
        yield Case(f"{label} #{produced}", wrap(cbor2.dumps(cbor2.CBORTag(18, items))), SIGNATURE)


def cose_unprotected(kit: Kit, rng: random.Random) -> Iterator[Case]:
    base = kit.bases[0]
    message = cbor2.loads(base.cose).value
    protected, payload, signature = message[0], message[2], message[3]
    for produced in range(600):
        kind = produced % 4
        if kind == 0:
            raw = cbor_map([(b"\x04", b"\x41a"), (b"\x04", b"\x41b")])
        elif kind == 1:
            raw = b"\xa1\x20" + b"\x81" * rng.randint(401, 10_000) + b"\x00"
        elif kind == 2:
            raw = (
                b"\xa1\x20"
                + rng.choice((b"\x5b", b"\x7b", b"\x9b"))
                + rng.randrange(2**32, 2**64).to_bytes(8, "big")
            )
        else:
            raw = b"\xbb" + rng.randrange(2**20, 2**64).to_bytes(8, "big") + b"\x01\x02"
        cose = with_raw(cbor2.CBORTag(18, [protected, HOLE, payload, signature]), raw)
        yield Case(f"unprotected {raw[:6].hex()} #{produced}", wrap(cose), COSE)
    # Unknown unprotected parameters are ignored (control).
    cose = cbor2.dumps(cbor2.CBORTag(18, [protected, {99: "x", -1: [1, 2]}, payload, signature]))
    yield Case("unknown unprotected parameters (control)", wrap(cose), VALID)


# --- (e) CWT level --------------------------------------------------------------------------------


def _sign_claims(kit: Kit, claims: Any) -> str:
    return qr_of_claims(kit, claims if isinstance(claims, bytes) else cbor2.dumps(claims))


def cwt_not_a_map(kit: Kit, rng: random.Random) -> Iterator[Case]:
    base = kit.bases[0]
    for value in _WRONG_VALUES:
        yield Case(f"claims {value!r:.30}", _sign_claims(kit, cbor2.dumps(value)), CBOR)
    yield Case(
        "claims as an array", _sign_claims(kit, cbor2.dumps(list(base.claims.items()))), CBOR
    )
    yield Case("claims double-encoded", _sign_claims(kit, cbor2.dumps(base.cwt)), CBOR)
    yield Case("empty payload", _sign_claims(kit, b""), CBOR)
    for length in range(len(base.cwt)):
        yield Case(f"claims truncated to {length}", _sign_claims(kit, base.cwt[:length]), CBOR)
    for produced in range(300):
        junk = b"\xff" + bytes(rng.randrange(256) for _ in range(rng.randint(0, 200)))
        yield Case(f"claims junk #{produced}", _sign_claims(kit, junk), CBOR)


def _time_values(rng: random.Random) -> list[tuple[Any, frozenset[ErrorCode]]]:
    now = int(AT.timestamp())
    not_yet, expired = frozenset({E.NOT_YET_VALID}), frozenset({E.EXPIRED})
    outside = frozenset({E.SIGNER_CERTIFICATE_NOT_VALID})
    bad_type = [
        "1700000000",
        "",
        b"\x01",
        [now],
        {1: now},
        True,
        False,
        float("nan"),
        float("inf"),
        float("-inf"),
        cbor2.undefined,
        cbor2.CBORSimpleValue(100),
        cbor2.CBORTag(1, now),  # a NumericDate carries no tag (RFC 8392)
        cbor2.CBORTag(0, "2022-04-11T00:00:00Z"),
        cbor2.CBORTag(4, [-1, 17000000000]),
        cbor2.CBORTag(2, b"\x01" * 9),  # wider than 64 bits
    ]
    iat = [(value, CBOR) for value in bad_type] + [
        (now + rng.randint(1, 10**9), not_yet),
        (1e300, not_yet),
        (2**64 - 1, not_yet),
        (float(now + 3600), not_yet),
        (0, outside),
        (-(2**64), outside),
        (-1e300, outside),
        (int(EPOCH.timestamp()) - rng.randint(1, 10**8), outside),
    ]
    exp = [(value, CBOR) for value in bad_type] + [
        (None, expired),
        (now - rng.randint(1, 10**9), expired),
        (0, expired),
        (-1.5, expired),
        (-1e300, expired),
        (-(2**64), expired),
        (1e300, outside),
        (2**64 - 1, outside),
        (int((EPOCH + timedelta(days=1001)).timestamp()) + rng.randint(0, 10**8), outside),
    ]
    return [("iat", value, expect) for value, expect in iat] + [
        ("exp", value, expect) for value, expect in exp
    ]


def cwt_claim_types(kit: Kit, rng: random.Random) -> Iterator[Case]:
    hcert_missing = frozenset({E.HCERT_MISSING})
    for produced in range(3000):
        base = rng.choice(kit.bases)
        kind = produced % 3
        if kind == 0:
            name, value, expect = rng.choice(_time_values(rng))
        elif kind == 1:
            name = "iss"
            value = rng.choice(
                [v for v in _WRONG_VALUES if not isinstance(v, str) and v is not None]
            )
            expect = CBOR
        else:
            name = "hcert"
            value, expect = rng.choice(
                [
                    *((wrong, CBOR) for wrong in _WRONG_VALUES if wrong is not None),
                    (None, hcert_missing),
                    ({}, hcert_missing),
                    ({2: base.payload}, hcert_missing),
                    ({1: None}, hcert_missing),
                    ({"1": base.payload}, hcert_missing),
                    ({1: [base.payload]}, CBOR),
                    ({1: "payload"}, CBOR),
                    ({1: cbor2.dumps(base.payload)}, CBOR),
                    ({1: {}}, ENTRIES),
                ]
            )
        claims = claims_of(base.payload, **{name: value})
        yield Case(f"{name} = {value!r:.40} #{produced}", _sign_claims(kit, claims), expect)
    for base in kit.bases:
        claims = dict(base.claims)
        del claims[-260]
        yield Case("hcert claim removed", _sign_claims(kit, claims), hcert_missing)


_SEMANTIC_ODDITIES: tuple[Any, ...] = (
    cbor2.CBORTag(2, b"\x7f" * 3000),  # a 24,000-bit integer
    cbor2.CBORTag(3, b"\x7f" * 3000),
    cbor2.CBORTag(4, [-2, 12345]),
    cbor2.CBORTag(4, [10**6, 1]),
    cbor2.CBORTag(5, [2**20, 3]),
    cbor2.CBORTag(30, [1, 3]),
    cbor2.CBORTag(35, "(a+)+$"),
    cbor2.CBORTag(36, "Content-Type: text/plain\n\nx"),
    cbor2.CBORTag(37, bytes(16)),
    cbor2.CBORTag(258, [1, 2, 3]),
    cbor2.CBORTag(260, bytes(4)),
    cbor2.CBORTag(1, 2**63),
    cbor2.CBORTag(1, -1e300),
    cbor2.CBORTag(99999, "x"),
    cbor2.undefined,
    cbor2.CBORSimpleValue(42),
    float("nan"),
    float("-inf"),
)

# Shared values and string references: cyclic or exponentially large documents from a few bytes.
_SHARED_VALUES: tuple[bytes, ...] = (
    bytes.fromhex("d81c81d81d00"),  # an array that contains itself
    bytes.fromhex("d81ca1617ad81d00"),  # a map that contains itself
    bytes.fromhex("d90100") + cbor2.dumps(["repeated", cbor2.CBORTag(25, 0)]),
    bytes.fromhex("d81d00"),  # a reference to nothing
)


def _dag(depth: int) -> bytes:
    """``depth`` arrays each holding the next one twice (by reference): 2**depth leaves."""
    encoded = b"\xd8\x1c\x81\x00"
    for level in range(1, depth + 1):
        encoded = b"\xd8\x1c\x82" + encoded + b"\xd8\x1d" + cbor2.dumps(depth - level + 1)
    return encoded


_STRING_FIELDS = (
    ("ver",),
    ("nam", "fn"),
    ("nam", "fnt"),
    ("nam", "gn"),
    ("nam", "gnt"),
    ("dob",),
    ("v", 0, "tg"),
    ("v", 0, "vp"),
    ("v", 0, "mp"),
    ("v", 0, "ma"),
    ("v", 0, "dt"),
    ("v", 0, "co"),
    ("v", 0, "is"),
    ("v", 0, "ci"),
)
_INTEGER_FIELDS = (("v", 0, "dn"), ("v", 0, "sd"))
_OBJECT_FIELDS = (("nam",), ("v", 0))
_REQUIRED_FIELDS = (
    ("ver",),
    ("nam",),
    ("dob",),
    ("nam", "fnt"),
    ("v", 0, "tg"),
    ("v", 0, "ci"),
    ("v", 0, "dn"),
)


def _copy(payload: Any) -> Any:
    if isinstance(payload, dict):
        return {key: _copy(value) for key, value in payload.items()}
    if isinstance(payload, list):
        return [_copy(item) for item in payload]
    return payload


def _set(payload: dict[str, Any], path: Sequence[Any], value: Any) -> dict[str, Any]:
    copy = _copy(payload)
    target = copy
    for step in path[:-1]:
        target = target[step]
    if value is ABSENT:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return copy


def _is_integral_tag(value: Any) -> bool:
    return isinstance(value, cbor2.CBORTag) and value.tag == 1 and isinstance(value.value, int)


def _wrong_for(kind: str, rng: random.Random) -> Any:
    common = [
        None,
        True,
        [],
        ["x"],
        {"x": 1},
        b"bytes",
        cbor2.undefined,
        *_SEMANTIC_ODDITIES,
    ]
    if kind == "string":
        return rng.choice([*common, 0, 1, -1, 2**64 - 1, 1.5, {}])
    if kind == "integer":
        # Not 1e300, nor a tag-1 date beyond datetime's range (kept as the number): both are
        # integers as JSON Schema sees them, and the schema sets no maximum.
        odd = [value for value in common if not _is_integral_tag(value)]
        return rng.choice([*odd, "1", "", 1.5, -0.5, {}])
    return rng.choice([*common, "x", "", 0, 1.5])  # objects


def _too_wide(value: Any) -> bool:
    """A bignum beyond 64 bits: refused by the CBOR decoder already."""
    return isinstance(value, cbor2.CBORTag) and value.tag in (2, 3) and len(value.value) > 8


def cwt_payload_types(kit: Kit, rng: random.Random) -> Iterator[Case]:
    for produced in range(3600):
        base = rng.choice(kit.bases)
        kind = produced % 9
        expect = SCHEMA
        if kind < 4:
            path = rng.choice(_STRING_FIELDS)
            value = _wrong_for("string", rng)
        elif kind == 4:
            path, value = rng.choice(_INTEGER_FIELDS), _wrong_for("integer", rng)
        elif kind == 5:
            path, value = rng.choice(_OBJECT_FIELDS), _wrong_for("object", rng)
        elif kind == 6:
            path, value = rng.choice(_REQUIRED_FIELDS), ABSENT
        elif kind == 7:
            path = ("ver",)
            value = rng.choice(
                (
                    "2.0.0",
                    "1.9.0",
                    "0.9.0",
                    "1.3",
                    "1.3.0 ",
                    "v1.3.0",
                    "01.3.0",
                    "",
                    "1.3.0.0",
                    "１.３.０",
                )
            )
        else:
            path, value = ("v",), rng.choice(("v", 1, {}, None, {"0": base.payload["v"][0]}))
        if _too_wide(value):
            expect = CBOR
        payload = _set(base.payload, path, value)
        yield Case(
            f"{'/'.join(map(str, path))} = {value!r:.40} #{produced}",
            _sign_claims(kit, claims_of(payload)),
            expect,
        )


def cwt_entries(kit: Kit, rng: random.Random) -> Iterator[Case]:
    for produced in range(1200):
        base = rng.choice(kit.bases)
        payload = _copy(base.payload)
        entry = payload["v"][0]
        kind = produced % 6
        if kind == 0:
            payload["v"] = []
        elif kind == 1:
            payload["v"] = [entry] * rng.randint(2, 50)
        elif kind == 2:
            payload[rng.choice(("t", "r"))] = [entry]
        elif kind == 3:
            del payload["v"]
        elif kind == 4:
            payload["t"], payload["r"] = [entry], [entry]
            del payload["v"]
        else:
            payload["t"] = []
        yield Case(
            f"entries variant {kind} #{produced}", _sign_claims(kit, claims_of(payload)), ENTRIES
        )
    # Thousands of entries, decoded within the caps.
    payload = _copy(kit.bases[0].payload)
    payload["v"] = [payload["v"][0]] * 150
    yield Case("150 entries", _sign_claims(kit, claims_of(payload)), ENTRIES)
    payload["v"] = [payload["v"][0]] * 200
    yield Case(
        "200 entries (COSE)", sign1(kit, cbor2.dumps(claims_of(payload))), ENTRIES, via="cose"
    )


def cwt_semantic_tags(kit: Kit, rng: random.Random) -> Iterator[Case]:
    for produced in range(1200):
        base = rng.choice(kit.bases)
        where = rng.randrange(4)
        if where < 3:
            path = rng.choice(_STRING_FIELDS + _INTEGER_FIELDS)
            payload = _set(base.payload, path, HOLE)
            raw = rng.choice((*_SHARED_VALUES, _dag(rng.randint(20, 60))))
            claims_bytes = with_raw(claims_of(payload), raw)
            expect = CBOR
            label = f"shared value at {path}"
        else:
            value = rng.choice(_SEMANTIC_ODDITIES)
            fields = _STRING_FIELDS if _is_integral_tag(value) else _STRING_FIELDS + _INTEGER_FIELDS
            path = rng.choice(fields)
            payload = _set(base.payload, path, value)
            try:
                claims_bytes = cbor2.dumps(claims_of(payload))
            except (ValueError, TypeError):
                continue
            expect = CBOR if _too_wide(value) else SCHEMA
            label = f"{value!r:.30} at {path}"
        yield Case(f"{label} #{produced}", _sign_claims(kit, claims_bytes), expect)
    # In an extra field, which the schema allows, shared values are still refused.
    for raw in (*_SHARED_VALUES, _dag(60)):
        payload = dict(kit.bases[0].payload, extra=HOLE)
        yield Case(
            f"shared value in an extra field {raw[:6].hex()}",
            _sign_claims(kit, with_raw(claims_of(payload), raw)),
            CBOR,
        )
    payload = dict(kit.bases[0].payload, extra=HOLE)
    big = cbor2.dumps(cbor2.CBORTag(2, b"\x7f" * 3000))
    yield Case(
        "24,000-bit integer in an extra field",
        _sign_claims(kit, with_raw(claims_of(payload), big)),
        CBOR,
    )


def _deep(depth: int, rng: random.Random) -> bytes:
    kind = rng.randrange(4)
    if kind == 0:
        return b"\x81" * depth + b"\x00"
    if kind == 1:
        return b"\xa1\x00" * depth + b"\x00"
    if kind == 2:
        return b"\x9f" * depth + b"\x00" + b"\xff" * depth
    return b"\xd9\xff\xff" * depth + b"\x00"


def cwt_structure(kit: Kit, rng: random.Random) -> Iterator[Case]:
    """Deep nesting, huge declared lengths, malformed indefinite lengths, at every level."""
    for produced in range(1500):
        base = rng.choice(kit.bases)
        kind = produced % 3
        if kind == 0:
            raw = _deep(rng.choice((401, 500, 1000, 10_000, rng.randint(401, 10_000))), rng)
        elif kind == 1:
            head = rng.choice((b"\x5b", b"\x7b", b"\x9b", b"\xbb"))
            raw = head + rng.choice(
                (2**60, 2**64 - 1, 2**32, rng.randrange(2**20, 2**63))
            ).to_bytes(8, "big")
            raw += bytes(rng.randint(0, 16))
        else:
            raw = rng.choice(
                (
                    b"\x9f\x01\x02",  # unterminated array
                    b"\x5f\x41a",  # unterminated byte string
                    b"\x5f\x61a\xff",  # text chunk in a byte string
                    b"\x7f\x41a\xff",  # byte chunk in a text string
                    b"\x5f\x5f\xff\xff",  # nested indefinite chunk
                    b"\xbf\x01\xff",  # odd indefinite map
                    b"\x82\x01\xff",  # break inside a definite array
                    b"\xff",  # lone break
                    b"\x1c",  # reserved additional information
                    b"\xfc",
                    b"\xf8\x10",  # two-byte simple value below 32
                )
            )
        where = rng.randrange(4)
        if where == 0:
            claims_bytes, label = raw, "as the claims"
        elif where == 1:
            claims_bytes, label = with_raw(claims_of(base.payload, iss=HOLE), raw), "as iss"
        elif where == 2:
            claims_bytes, label = with_raw(claims_of(base.payload, hcert=HOLE), raw), "as hcert"
        else:
            payload = _set(base.payload, rng.choice(_STRING_FIELDS), HOLE)
            claims_bytes, label = with_raw(claims_of(payload), raw), "in the payload"
        yield Case(f"{raw[:4].hex()} {label} #{produced}", _sign_claims(kit, claims_bytes), CBOR)
    # Well-formed indefinite-length encoding is still CBOR (control).
    claims = cbor2.dumps(kit.bases[0].claims, indefinite_containers=True)
    yield Case("indefinite-length claims (control)", _sign_claims(kit, claims), VALID)


def cwt_duplicates(kit: Kit, rng: random.Random) -> Iterator[Case]:
    variants = {
        1: (b"\x01", b"\x18\x01", b"\xf9\x3c\x00"),  # 1, non-minimal 1, half-float 1.0
        4: (b"\x04", b"\x19\x00\x04"),
        6: (b"\x06", b"\x1a\x00\x00\x00\x06"),
        -260: (b"\x39\x01\x03", b"\x3a\x00\x00\x01\x03"),
    }
    for produced in range(1000):
        base = rng.choice(kit.bases)
        level = produced % 4
        if level == 0:  # claims
            pairs = [(cbor2.dumps(key), cbor2.dumps(value)) for key, value in base.claims.items()]
            label = rng.choice(list(variants))
            pairs.insert(
                rng.randrange(len(pairs) + 1),
                (rng.choice(variants[label]), cbor2.dumps(base.claims[label])),
            )
            claims_bytes = cbor_map(pairs)
        else:
            payload = _copy(base.payload)
            if level == 1:
                container, name = payload, rng.choice(("ver", "nam", "dob", "v"))
            elif level == 2:
                container, name = payload["nam"], rng.choice(("fn", "fnt", "gn", "gnt"))
            else:
                container, name = payload["v"][0], rng.choice(("ci", "co", "dn", "tg"))
            pairs = [(cbor2.dumps(key), cbor2.dumps(value)) for key, value in container.items()]
            # The same key again, sometimes as an indefinite-length text string.
            key = cbor2.dumps(name) if rng.random() < 0.5 else b"\x7f" + cbor2.dumps(name) + b"\xff"
            pairs.insert(rng.randrange(len(pairs) + 1), (key, cbor2.dumps(container[name])))
            if level == 1:
                claims_bytes = with_raw(claims_of(HOLE), cbor_map(pairs))
            elif level == 2:
                claims_bytes = with_raw(claims_of(_set(payload, ("nam",), HOLE)), cbor_map(pairs))
            else:
                claims_bytes = with_raw(claims_of(_set(payload, ("v",), [HOLE])), cbor_map(pairs))
            label = f"{name!r}"
        yield Case(
            f"duplicate {label} at level {level} #{produced}", _sign_claims(kit, claims_bytes), CBOR
        )
    # Map keys of every kind, equal in Python terms: still duplicates.
    pairs = [(b"\x01", b"\x62VN"), (b"\xf9\x3c\x00", b"\x62VN")]
    yield Case("1 and 1.0 as keys", _sign_claims(kit, cbor_map(pairs)), CBOR)


def cwt_sizes(kit: Kit, rng: random.Random) -> Iterator[Case]:
    """Huge strings and maps: refused by the size caps, or by the schema within them."""
    too_large = frozenset({E.DECOMPRESSED_TOO_LARGE})
    for produced in range(160):
        base = rng.choice(kit.bases)
        path = rng.choice((("nam", "fn"), ("nam", "gnt"), ("v", 0, "ci"), ("v", 0, "is"), ("dob",)))
        if produced % 2:
            size = rng.randint(100_000, 1_200_000)
            payload = _set(base.payload, path, rng.choice("AZ9é") * size)
            claims = cbor2.dumps(claims_of(payload))
            cose = sign1(kit, claims)
            text = wrap(cose, level=9)
            expect = too_large if fits(text) else frozenset({E.INPUT_TOO_LARGE})
            yield Case(f"{size} chars at {path} #{produced}", text, expect)
            yield Case(f"{size} chars at {path} (COSE) #{produced}", cose, COSE, via="cose")
        else:
            size = rng.randint(1_000, 60_000)
            payload = _set(base.payload, path, "A" * size)
            text = _sign_claims(kit, claims_of(payload))
            yield Case(f"{size} chars at {path} #{produced}", text, SCHEMA)
    # Huge maps within the 64 KiB cap, where a value is expected.
    for produced in range(40):
        base = rng.choice(kit.bases)
        entries = rng.randint(1000, 12_000)
        where = produced % 3
        big_map = dict.fromkeys(range(entries), 0)
        if where == 0:
            claims = claims_of(base.payload, iss=big_map)
            expect = CBOR
        elif where == 1:
            claims = claims_of(base.payload, exp=big_map)
            expect = CBOR
        else:
            claims = claims_of(_set(base.payload, ("dob",), big_map))
            expect = SCHEMA
        cose = sign1(kit, cbor2.dumps(claims))
        if len(cose) > 65536:
            continue
        yield Case(f"map of {entries} entries as {where} (COSE)", cose, expect, via="cose")
        text = wrap(cose, level=9)
        if fits(text):
            yield Case(f"map of {entries} entries as {where}", text, expect)
    # Thousands of unknown claims are ignored (control).
    claims = dict(kit.bases[0].claims)
    claims.update({1000 + index: index for index in range(3000)})
    yield Case("3,000 unknown claims (control)", sign1(kit, cbor2.dumps(claims)), VALID, via="cose")


# --- (f) pictures ---------------------------------------------------------------------------------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png(width: int, height: int, rest: bytes, *, depth: int = 8, colour: int = 0) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + rest


def _jpeg(width: int, height: int, rest: bytes) -> bytes:
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return (
        b"\xff\xd8\xff\xe0"
        + struct.pack(">H", 16)
        + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        + sof
        + rest
    )


def _gif(width: int, height: int, rest: bytes) -> bytes:
    return b"GIF89a" + struct.pack("<HH", width, height) + b"\x80\x00\x00" + b"\x00" * 6 + rest


def _bmp(width: int, height: int, rest: bytes) -> bytes:
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, 0, 2835, 2835, 0, 0)
    return b"BM" + struct.pack("<IHHI", 54 + len(rest), 0, 0, 54) + info + rest


def _webp(rest: bytes) -> bytes:
    return b"RIFF" + struct.pack("<I", 4 + len(rest)) + b"WEBP" + rest


_MAGICS = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"RIFF\x00\x00\x00\x00WEBP")


def pictures(kit: Kit, rng: random.Random) -> Iterator[Case]:
    for produced in range(600):
        junk = bytes(rng.randrange(256) for _ in range(rng.randint(0, 2048)))
        yield Case(f"magic and junk #{produced}", rng.choice(_MAGICS) + junk, PICTURE)
    huge = [
        (100_000, 100_000),
        (2**31 - 1, 2**31 - 1),
        (65_535, 65_535),
        (5001, 5000),
        (1, 25_000_001),
        (25_000_001, 1),
    ]
    for produced in range(300):
        width, height = rng.choice(
            [*huge, (rng.randint(5001, 2**31 - 1), rng.randint(5001, 2**31 - 1))]
        )
        junk = bytes(rng.randrange(256) for _ in range(rng.randint(0, 256)))
        kind = produced % 5
        if kind == 0:
            idat = _png_chunk(b"IDAT", zlib.compress(bytes(1 << 16), 9)) + _png_chunk(b"IEND", b"")
            data = _png(width, height, rng.choice((idat, junk)))
        elif kind == 1:
            data = _jpeg(min(width, 65535), min(height, 65535), junk)
        elif kind == 2:
            data = _gif(min(width, 65535), min(height, 65535), junk)
        elif kind == 3:
            data = _bmp(min(width, 2**31 - 1), rng.choice((1, -1)) * min(height, 2**31 - 1), junk)
        else:
            data = _webp(
                b"VP8X"
                + struct.pack("<I", 10)
                + b"\x00" * 4
                + (width % 2**24).to_bytes(3, "little")
                + (height % 2**24).to_bytes(3, "little")
                + junk
            )
        yield Case(f"bomb header {width}x{height} kind {kind}", data, PICTURE)
    # Text-chunk bombs: Pillow caps the inflated text.
    text_bomb = _png_chunk(b"zTXt", b"k\x00\x00" + zlib.compress(bytes(50 << 20), 9))
    yield Case("zTXt bomb", _png(10, 10, text_bomb + _png_chunk(b"IEND", b"")), PICTURE)
    yield Case(
        "over 16 MiB", b"\x89PNG\r\n\x1a\n" + bytes(16 << 20), frozenset({E.INPUT_TOO_LARGE})
    )
    # Genuine pictures: a certificate's QR code (control), and of hostile texts.
    yield Case("QR picture (control)", render_qr_png(kit.bases[0].qr), VALID)
    yield Case("QR picture of an HC2 text", render_qr_png("HC2:" + kit.bases[0].base45), PREFIX)
    yield Case("QR picture of a truncated text", render_qr_png(kit.bases[0].qr[:-7]), TRANSPORT)
    blank = _png(
        4000,
        4000,
        _png_chunk(
            b"IDAT", zlib.compress(b"".join(b"\x00" + b"\xff" * 4000 for _ in range(4000)), 9)
        )
        + _png_chunk(b"IEND", b""),
    )
    yield Case("16 megapixel blank picture", blank, PICTURE)
    yield Case("'BM' text is not a picture", b"BM" + kit.bases[0].qr.encode(), PREFIX)


# --- controls -------------------------------------------------------------------------------------


def controls(kit: Kit, rng: random.Random) -> Iterator[Case]:
    del rng
    for base in kit.bases:
        yield Case("genuine text", base.qr, VALID)
        yield Case("genuine bytes", base.qr.encode(), VALID)
        yield Case("genuine COSE", base.cose, VALID, via="cose")
    yield Case("genuine PS256", kit.ps256_base.qr, VALID)
    # Semantic failures of genuine-looking certificates.
    claims = claims_of(kit.bases[0].payload, exp=int(AT.timestamp()) - 1)
    yield Case("expired a second ago", _sign_claims(kit, claims), frozenset({E.EXPIRED}))
    claims = claims_of(kit.bases[0].payload, iat=int(AT.timestamp()) + 1)
    yield Case("issued a second from now", _sign_claims(kit, claims), frozenset({E.NOT_YET_VALID}))


Generator = Callable[[Kit, random.Random], Iterator[Case]]

# name: (family, generator, the fewest inputs it makes: the total of these is what the
# robustness test promises)
SUBFAMILIES: dict[str, tuple[str, Generator, int]] = {
    "text/bitflips": ("text", text_bitflips, 6_000),
    "text/substitutions": ("text", text_substitutions, 4_000),
    "text/truncations": ("text", text_truncations, 4_200),
    "text/prefixes": ("text", text_prefixes, 1_000),
    "text/whitespace": ("text", text_whitespace, 2_000),
    "text/non-ascii": ("text", text_non_ascii, 1_500),
    "text/huge": ("text", text_huge, 25),
    "base45/overflow": ("base45", base45_overflow, 2_500),
    "base45/invalid-chars": ("base45", base45_invalid_chars, 1_500),
    "base45/dangling": ("base45", base45_dangling, 500),
    "base45/wrong-content": ("base45", base45_wrong_content, 950),
    "zlib/truncations": ("zlib", zlib_truncations, 2_800),
    "zlib/bitflips": ("zlib", zlib_bitflips, 3_000),
    "zlib/headers": ("zlib", zlib_headers, 1_500),
    "zlib/containers": ("zlib", zlib_containers, 2_100),
    "zlib/bombs": ("zlib", zlib_bombs, 110),
    "cose/array-sizes": ("cose", cose_array_sizes, 400),
    "cose/element-types": ("cose", cose_element_types, 1_800),
    "cose/tags": ("cose", cose_tags, 900),
    "cose/protected": ("cose", cose_protected, 1_200),
    "cose/algorithms": ("cose", cose_algorithms, 1_500),
    "cose/kids": ("cose", cose_kids, 1_200),
    "cose/signatures": ("cose", cose_signatures, 2_100),
    "cose/swaps": ("cose", cose_swaps, 900),
    "cose/unprotected": ("cose", cose_unprotected, 600),
    "cwt/not-a-map": ("cwt", cwt_not_a_map, 550),
    "cwt/claim-types": ("cwt", cwt_claim_types, 3_000),
    "cwt/payload-types": ("cwt", cwt_payload_types, 3_600),
    "cwt/entries": ("cwt", cwt_entries, 1_200),
    "cwt/semantic-tags": ("cwt", cwt_semantic_tags, 1_150),
    "cwt/structure": ("cwt", cwt_structure, 1_500),
    "cwt/duplicates": ("cwt", cwt_duplicates, 1_000),
    "cwt/sizes": ("cwt", cwt_sizes, 250),
    "picture/hostile": ("picture", pictures, 900),
    "controls": ("controls", controls, 15),
}

# Sub-families whose inputs are built to exhaust memory: their peak allocation is measured.
MEMORY_BOUND = frozenset({"text/huge", "zlib/bombs", "cwt/sizes", "picture/hostile"})


def generate(name: str, kit: Kit) -> list[Case]:
    _, generator, _ = SUBFAMILIES[name]
    return list(generator(kit, random.Random(f"vaxpass-robustness/{name}")))
