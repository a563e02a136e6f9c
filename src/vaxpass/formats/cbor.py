"""Strict CBOR decoding: exactly one data item, nothing after it."""

from __future__ import annotations

import io
from typing import Any

import cbor2


def loads_whole(data: bytes, **options: Any) -> Any:
    """``cbor2.loads`` that also refuses bytes after the first item (``cbor2.loads`` ignores
    them, which would let data be appended to a signed structure unnoticed)."""
    stream = io.BytesIO(data)
    item = cbor2.load(stream, **options)
    if stream.tell() != len(data):
        raise cbor2.CBORDecodeError("trailing bytes after the CBOR data item")
    return item
