"""The HCERT context identifier prefix (``HC1:``)."""

from __future__ import annotations

from vaxpass.errors import DecodeError, ErrorCode, Stage

PREFIX = "HC1:"


def add_prefix(base45_text: str) -> str:
    return PREFIX + base45_text


def remove_prefix(text: str) -> str:
    """Strip ``HC1:``; any other context identifier (or none) is an error."""
    if not text.startswith(PREFIX):
        raise DecodeError(
            Stage.PREFIX, ErrorCode.PREFIX_INVALID, "missing or unsupported context prefix"
        )
    return text[len(PREFIX) :]
