"""Every case of the official EU DCC test suite, driven by its ``EXPECTEDRESULTS``.

Each expected outcome is asserted at the file's ``VALIDATIONCLOCK`` with its ``CERTIFICATE``
as the only trusted key. Deviations are listed, with a reason each, in ``known_issues.csv``;
a listed deviation that no longer occurs fails too, so the list cannot go stale.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from dgc_checks import CHECKS, VectorContext

from testdata import require_vectors, vector_files, vectors_root

KNOWN_ISSUES_FILE = Path(__file__).with_name("known_issues.csv")
VECTORS = vector_files("dgc", pattern="**/2DCode/raw/*.json")


def _known_issues() -> dict[tuple[str, str], str]:
    with KNOWN_ISSUES_FILE.open(encoding="utf-8") as handle:
        return {(row["file"], row["check"]): row["reason"] for row in csv.DictReader(handle)}


def _name(path: Path) -> str:
    return path.relative_to(vectors_root() / "dgc").as_posix()


def test_suite_present() -> None:
    folder = require_vectors("dgc")
    assert len(VECTORS) > 100, f"expected the full EU DCC suite under {folder}"


@pytest.mark.parametrize("path", VECTORS, ids=_name)
def test_vector(path: Path) -> None:
    vector = json.loads(path.read_text(encoding="utf-8"))
    expected_results = vector.get("EXPECTEDRESULTS", {})
    context = VectorContext(vector)
    name = _name(path)
    known = _known_issues()
    deviations: list[str] = []
    for key, expected in expected_results.items():
        check = CHECKS.get(key)
        if check is None:
            continue
        actual = check(context)
        listed = (name, key) in known
        if (actual != expected) and not listed:
            deviations.append(f"{key}: expected {expected}, got {actual}")
        if (actual == expected) and listed:
            deviations.append(f"{key}: listed as a known issue but now passes")
    assert not deviations, "; ".join(deviations)
