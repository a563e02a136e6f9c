"""The record commands end to end on a fresh data directory; the registry is served by a
separate ``vaxpass registry serve`` process."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from records_files import GOOD_ROWS, write_csv
from vaxpass.cli.main import app
from vaxpass.config import get_settings

VAXPASS = [sys.executable, "-c", "from vaxpass.cli.main import app; app()"]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"VAXPASS_DATA_DIR": str(tmp_path / "data")}


def run(env: dict[str, str], *args: str, code: int = 0) -> Any:
    """Run one command through the real command-line entry point (in this process)."""
    get_settings.cache_clear()
    unset: dict[str, str | None] = {k: None for k in os.environ if k.startswith("VAXPASS_")}
    done = CliRunner().invoke(app, list(args), env={**unset, **env}, catch_exceptions=False)
    get_settings.cache_clear()
    assert done.exit_code == code, done.stderr
    return json.loads(done.stdout) if code == 0 else done.stderr


def test_seed_verify_and_stats(env: dict[str, str]) -> None:
    seeded = run(env, "seed", "--people", "60", "--error-rate", "0.3")
    assert seeded["people"] == 60
    assert seeded["import"]["rows_rejected"] == 0
    before = run(env, "stats", "--json")["records_by_state"]
    assert before["recorded"] + before["id_invalid"] == 60
    first = run(env, "verify-identities", "--limit", "10")
    assert first["checked"] == 10
    run(env, "verify-identities")
    after = run(env, "stats", "--json")["records_by_state"]
    assert after["recorded"] == 0
    assert after["id_invalid"] == before["id_invalid"]
    assert after["identity_mismatch"] + after["identity_not_found"] > 0


def test_import_writes_an_error_report_and_is_idempotent(
    env: dict[str, str], tmp_path: Path
) -> None:
    bad = [*GOOD_ROWS[0][:1], '=HYPERLINK("x")', *GOOD_ROWS[0][2:]]
    path = write_csv(tmp_path / "export.csv", [*GOOD_ROWS, bad])
    first = run(env, "import", str(path))
    assert (first["doses_added"], first["rows_rejected"], first["errors"]) == (4, 1, 1)
    report = Path(first["error_report"]).read_text(encoding="utf-8").splitlines()
    assert report == ["row,field,reason", "6,full_name,starts like a spreadsheet formula"]
    second = run(env, "import", str(path))
    assert (second["doses_added"], second["people_added"]) == (0, 0)
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a workbook")
    assert "IMPORT_FILE_INVALID" in run(env, "import", str(junk), code=2)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen([*VAXPASS, "registry", "serve", "--port", str(port)],
                               env={**os.environ, **env},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/v1/health", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=10)


def test_registry_load_and_check_through_a_served_registry(
    env: dict[str, str], served: str, tmp_path: Path
) -> None:
    citizens = tmp_path / "citizens.csv"
    citizens.write_text(
        "id_number,full_name,sex,birth_date\n001090012345,Nguyễn Bá Hùng,Nam,1990-05-17\n"
        "079301000001,Trần Thị Hòa,Nữ,2001\n",
        encoding="utf-8",
    )
    assert run(env, "registry", "load", str(citizens))["loaded"] == 2
    run(env, "import", str(write_csv(tmp_path / "export.csv", GOOD_ROWS)))
    checked = run({**env, "VAXPASS_REGISTRY_URL": served}, "verify-identities")
    assert checked["outcomes"] == {"identity_verified": 2, "identity_not_found": 1}
