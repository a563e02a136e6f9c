"""The eu-dcc-schema repository's own test cases and examples, driven by their expected validity.

``tests/valid`` and ``examples/**`` must pass, ``tests/invalid`` must fail (on the field the
suite's readme names). The suite lives in ``$VAXPASS_TESTDATA/dcc-schema`` (default: the
``shared/testdata`` folder beside the repository); without it the tests skip, except under
``CI=true`` where a missing suite is a failure.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from vaxpass.formats.dcc.payload import validate_payload
from vaxpass.formats.dcc.valuesets import check_value_sets

REPO_ROOT = Path(__file__).resolve().parents[2]
TESTDATA = Path(os.environ.get("VAXPASS_TESTDATA", REPO_ROOT.parent / "shared" / "testdata"))
SUITE = TESTDATA / "dcc-schema"

# What each invalid case breaks, from the suite's tests/readme.md.
INVALID_FIELDS = {
    "empty.json": "/v",
    "invalid_dob.json": "/dob",
    "invalid_dob2.json": "/dob",
    "invalid_vac.json": "/v/0/dn",
    "missing_dob.json": "/dob",
    "missing_fnt_gnt.json": "/nam",
}


def _cases(*patterns: str) -> list[Any]:
    if not SUITE.is_dir():
        return [pytest.param(None, id="suite-missing")]
    files = sorted(f for pattern in patterns for f in SUITE.glob(pattern))
    return [pytest.param(f, id=str(f.relative_to(SUITE))) for f in files]


def _load(case: Path | None) -> dict[str, Any]:
    if case is None:
        message = f"DCC schema suite not found at {SUITE} (set VAXPASS_TESTDATA)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    payload: dict[str, Any] = json.loads(case.read_text(encoding="utf-8"))
    return payload


@pytest.mark.parametrize("case", _cases("tests/valid/*.json", "examples/*/*.json"))
def test_valid_cases_pass(case: Path | None) -> None:
    payload = _load(case)
    assert validate_payload(payload) == []
    assert check_value_sets(payload) == []


@pytest.mark.parametrize("case", _cases("tests/invalid/*.json"))
def test_invalid_cases_fail(case: Path | None) -> None:
    payload = _load(case)
    errors = validate_payload(payload)
    assert errors
    assert case is not None
    if case.name in INVALID_FIELDS:
        assert INVALID_FIELDS[case.name] in [error.field for error in errors]


def test_suite_is_not_empty() -> None:
    if not SUITE.is_dir():
        _load(None)
    assert len(_cases("tests/valid/*.json", "examples/*/*.json")) >= 10
    assert len(_cases("tests/invalid/*.json")) >= 5
