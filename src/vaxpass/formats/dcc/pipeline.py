"""The HCERT pipeline: payload → CWT → COSE_Sign1 → zlib → Base45 → ``HC1:`` text.

Every intermediate artefact is kept, both when encoding and when decoding, so that tools,
tests and error reports can show each stage.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from vaxpass.crypto.signer import Signer
from vaxpass.formats.base45 import decode_base45, encode_base45
from vaxpass.formats.cose import sign_cose
from vaxpass.formats.cwt import encode_cwt
from vaxpass.formats.dcc.prefix import add_prefix, remove_prefix
from vaxpass.formats.zlib import compress_zlib, decompress_zlib


@dataclass(frozen=True, slots=True)
class EncodedDcc:
    """Every stage of one encoded certificate, from payload to QR text."""

    payload: Mapping[str, Any]
    cwt: bytes
    cose: bytes
    compressed: bytes
    base45: str
    qr_text: str


@dataclass(frozen=True, slots=True)
class TransportLayers:
    """The transport stages of a decoded QR text, down to the COSE bytes."""

    qr_text: str
    base45: str
    compressed: bytes
    cose: bytes


def encode_dcc(
    payload: Mapping[str, Any],
    signer: Signer,
    *,
    issuer: str,
    issued_at: datetime,
    expires_at: datetime,
) -> EncodedDcc:
    """Sign ``payload`` as an EU DCC and encode it for a QR code."""
    cwt = encode_cwt(
        issuer=issuer,
        issued_at=int(issued_at.timestamp()),
        expires_at=int(expires_at.timestamp()),
        dcc=payload,
    )
    cose = sign_cose(cwt, signer)
    compressed = compress_zlib(cose)
    base45 = encode_base45(compressed)
    return EncodedDcc(payload, cwt, cose, compressed, base45, add_prefix(base45))


def decode_transport(qr_text: str) -> TransportLayers:
    """Undo prefix, Base45 and zlib; raises ``DecodeError`` naming the failing stage."""
    base45 = remove_prefix(qr_text)
    compressed = decode_base45(base45)
    cose = decompress_zlib(compressed)
    return TransportLayers(qr_text, base45, compressed, cose)
