"""The picture stage against every EU DCC vector that carries a QR picture (``2DCODE``) and an
``EXPECTEDPICTUREDECODE`` result: the picture must decode to ``PREFIX`` when expected to, and
must not when expected not to. Deviations are listed in ``known_issues.csv`` (check
``EXPECTEDPICTUREDECODE``) and run as strict xfails, so a fixed one shows up.
"""

from __future__ import annotations

import base64
import csv
import json
from pathlib import Path
from typing import Any

import pytest

import testdata
from vaxpass.errors import DecodeError, Stage
from vaxpass.formats.qr import read_qr_image

CHECK = "EXPECTEDPICTUREDECODE"
KNOWN_ISSUES_FILE = Path(__file__).with_name("known_issues.csv")


def _name(path: Path) -> str:
    return path.relative_to(testdata.testdata_root() / "dgc").as_posix()


def _picture_vectors() -> list[Any]:
    with KNOWN_ISSUES_FILE.open(encoding="utf-8") as handle:
        known = {
            row["file"]: row["reason"] for row in csv.DictReader(handle) if row["check"] == CHECK
        }
    cases = []
    for path in testdata.vector_files("dgc", pattern="**/2DCode/raw/*.json"):
        vector = json.loads(path.read_text(encoding="utf-8"))
        expected = vector.get("EXPECTEDRESULTS", {}).get(CHECK)
        if "2DCODE" not in vector or expected is None:
            continue
        marks = []
        if _name(path) in known:
            marks.append(pytest.mark.xfail(reason=known[_name(path)], strict=True))
        cases.append(pytest.param(vector, expected, id=_name(path), marks=marks))
    return cases


PICTURE_VECTORS = _picture_vectors()


def test_picture_vectors_present() -> None:
    testdata.require_testdata("dgc")
    assert len(PICTURE_VECTORS) > 100, "expected the EU DCC suite's QR pictures"


@pytest.mark.parametrize(("vector", "expected"), PICTURE_VECTORS)
def test_picture_decode(vector: dict[str, Any], expected: bool) -> None:
    picture = base64.b64decode(vector["2DCODE"])
    if expected:
        assert read_qr_image(picture) == vector["PREFIX"]
        return
    try:
        text: str | None = read_qr_image(picture)
    except DecodeError as exc:
        text, stage = None, exc.stage
        assert stage == Stage.PICTURE
    assert text is None or text != vector.get("PREFIX")
