"""The curated public API: everything in ``__all__`` exists and the error tree is rooted."""

from __future__ import annotations

import vaxpass
from vaxpass import errors


def test_every_public_name_exists() -> None:
    for name in vaxpass.__all__:
        assert hasattr(vaxpass, name), name


def test_every_error_is_a_vaxpass_error_with_a_stable_code() -> None:
    error_types = [
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, Exception)
    ]
    assert len(error_types) >= 6
    for error_type in error_types:
        assert issubclass(error_type, errors.VaxpassError)
        assert isinstance(error_type.code, errors.ErrorCode)


def test_codes_are_their_own_names() -> None:
    # Codes travel in JSON and exit reports: the value is the stable name itself.
    for code in errors.ErrorCode:
        assert code.value == code.name
