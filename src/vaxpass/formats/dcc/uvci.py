"""Unique Vaccination Certificate/assertion Identifier (UVCI, eHN guidelines Annex 2).

Shape: ``URN:UVCI:`` (optional) + version ``01`` + country + opaque parts separated by ``/`` or
``:``, then optionally ``#`` and one check character. The check character is Luhn mod N over
the 38-character code-point alphabet ``A–Z 0–9 / :`` used by the eHN reference implementation,
computed over everything before ``#`` (prefix included).

Issuers chose different layouts, letter cases and check schemes (one or two characters, other
algorithms), so :func:`validate_uvci` checks structure only, case-insensitively, and verifies a
check character only for the countries in ``check_countries`` (by default our own, ``VN``), whose
identifiers :func:`generate_uvci` makes: there it must be exactly one correct Luhn mod 38
character.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Collection

from vaxpass.errors import FieldError

LUHN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/:"
PREFIX = "URN:UVCI:"
VERSION = "01"
MAX_LENGTH = 80  # the schema's maxLength for ``ci``
OPAQUE_BYTES = 16  # 32 hexadecimal characters, as Viet Nam issued

_N = len(LUHN_ALPHABET)
_CODE_POINT = {char: index for index, char in enumerate(LUHN_ALPHABET)}
_BODY = re.compile(
    r"(?P<version>\d{2})[:/]?(?P<country>[A-Z]{2})[:/]?(?P<rest>[A-Z0-9/:]*[A-Z0-9][A-Z0-9/:]*)"
)
_COUNTRY = re.compile(r"[A-Z]{2}")
_CHECK = re.compile(r"[A-Z0-9/:]{1,2}")
_OPAQUE = re.compile(r"[A-Z0-9]+(?:/[A-Z0-9]+)*")


def _luhn_sum(text: str, factor: int) -> int:
    total = 0
    for char in reversed(text):
        addend = factor * _CODE_POINT[char]
        total += addend // _N + addend % _N
        factor = 3 - factor  # alternate 2, 1, 2, ...
    return total % _N


def uvci_check_character(body: str) -> str:
    """Luhn mod 38 check character of ``body`` (the UVCI before ``#``, upper case).

    Raises ``ValueError`` if ``body`` holds a character outside :data:`LUHN_ALPHABET`.
    """
    if not body or any(char not in _CODE_POINT for char in body):
        raise ValueError("UVCI body must be non-empty and use only A-Z, 0-9, '/' and ':'")
    return LUHN_ALPHABET[(_N - _luhn_sum(body, 2)) % _N]


def has_valid_check_character(uvci: str) -> bool:
    """True if ``uvci`` ends in ``#`` plus the correct Luhn mod 38 check character."""
    body, sep, check = uvci.upper().rpartition("#")
    if not sep or len(check) != 1 or check not in _CODE_POINT:
        return False
    try:
        return _luhn_sum(body + check, 1) == 0
    except KeyError:
        return False


def generate_uvci(
    country: str = "VN",
    opaque: str | None = None,
    *,
    random_source: Callable[[int], bytes] = secrets.token_bytes,
) -> str:
    """A new ``URN:UVCI:01:<country>:<opaque>#<check>``.

    ``opaque`` defaults to 32 upper-case hexadecimal digits from ``random_source``.
    """
    if not _COUNTRY.fullmatch(country):
        raise ValueError("country must be two upper-case letters (ISO 3166-1 alpha-2)")
    if opaque is None:
        opaque = random_source(OPAQUE_BYTES).hex().upper()
    elif not _OPAQUE.fullmatch(opaque):
        raise ValueError("opaque part must be upper-case A-Z/0-9 blocks separated by '/'")
    body = f"{PREFIX}{VERSION}:{country}:{opaque}"
    if len(body) + 2 > MAX_LENGTH:
        raise ValueError(f"UVCI would exceed {MAX_LENGTH} characters")
    return f"{body}#{uvci_check_character(body)}"


def validate_uvci(
    text: str, *, field: str = "ci", check_countries: Collection[str] = frozenset({"VN"})
) -> list[FieldError]:
    """Structural problems of a UVCI (empty list = acceptable); reasons never echo the value.

    The ``URN:UVCI:`` prefix and the ``#`` check part are optional; the check part is verified
    only when the country is in ``check_countries``.
    """
    if not isinstance(text, str) or not text:
        return [FieldError(field, "must be a non-empty string")]
    if len(text) > MAX_LENGTH:
        return [FieldError(field, f"must be at most {MAX_LENGTH} characters")]
    uvci = text.upper()
    body, sep, check = uvci.partition("#")
    match = _BODY.fullmatch(body.removeprefix(PREFIX))
    if match is None:
        return [FieldError(field, "must be version, country and identifier in A-Z, 0-9, '/', ':'")]
    if sep and not _CHECK.fullmatch(check):
        return [FieldError(field, "check part must be one or two characters after a single '#'")]
    if sep and match["country"] in check_countries and not has_valid_check_character(uvci):
        return [FieldError(field, "check character does not match (Luhn mod 38)")]
    return []
