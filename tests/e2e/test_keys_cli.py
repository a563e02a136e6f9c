"""The key, trust-list and revocation commands end to end, on the software backend."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vaxpass.cli.main import app
from vaxpass.config import get_settings
from vaxpass.formats.dcc.sample import sample_vaccination_payload

runner = CliRunner()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    def use(data_dir: Path) -> None:
        monkeypatch.setenv("VAXPASS_DATA_DIR", str(data_dir))
        get_settings.cache_clear()

    use(tmp_path / "issuer")
    yield tmp_path
    get_settings.cache_clear()


def invoke(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def test_issuer_publishes_and_a_verifier_imports_rotates_and_revokes(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    invoke("keys", "init")
    listed = json.loads(invoke("keys", "list", "--json"))
    assert listed["backend"] == "software"
    assert [signer["phase"] for signer in listed["signers"]] == ["active"]
    payload = home / "payload.json"
    payload.write_text(
        json.dumps(sample_vaccination_payload(certificate_id="URN:UVCI:01:VN:" + "A" * 32))
    )
    qr = invoke("dcc", "sign", str(payload)).strip()
    assert qr.startswith("HC1:")
    invoke("trustlist", "export", "--format", "eu-dsc-list", "-o", str(home / "dsc.json"))
    invoke("trustlist", "export", "--format", "csca", "-o", str(home / "csca.pem"))
    jwks = json.loads(invoke("trustlist", "export", "--format", "jwks"))
    assert jwks["keys"][0]["kty"] == "EC"
    (home / "qr.txt").write_text(qr)
    invoke("verify", str(home / "qr.txt"), "--trust", str(home / "dsc.json"))

    invoke("keys", "rotate")
    listed = json.loads(invoke("keys", "list", "--json"))
    assert [signer["phase"] for signer in listed["signers"]] == ["active", "published"]
    kid = listed["signers"][0]["kid"]
    invoke("revocations", "add", str(home / "qr.txt"))
    invoke("revocations", "export", "-o", str(home / "revocations.json"))
    out = invoke(
        "verify",
        str(home / "qr.txt"),
        "--trust",
        str(home / "dsc.json"),
        "--revocations",
        str(home / "revocations.json"),
        "--json",
        code=1,
    )
    assert json.loads(out)["error"]["code"] == "REVOKED"
    invoke("keys", "revoke", kid, "--reason", "key-compromise")
    assert "revoked" in invoke("keys", "list")
    # The verifier side: another data directory imports the list against the pinned CSCA.
    monkeypatch.setenv("VAXPASS_DATA_DIR", str(home / "verifier"))
    get_settings.cache_clear()
    assert "accepted 1 signer(s) of VN" in invoke(
        "trustlist", "import", str(home / "dsc.json"), "--anchor", str(home / "csca.pem")
    )
    out = invoke(
        "trustlist", "import", str(home / "dsc.json"), "--anchor", str(home / "dsc.json"), code=1
    )
    assert "TRUST_STORE_INVALID" in out or "TRUST_LIST" in out


def test_commands_report_missing_keys_with_a_code(home: Path) -> None:
    out = invoke("keys", "rotate", code=1)
    assert "NO_ACTIVE_SIGNER" in out
