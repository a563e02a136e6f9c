"""The command-line contract of ``vaxpass dcc sign`` and ``vaxpass verify``, driven as a user
would: real processes, real files, exit codes and the ``--json`` shape."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from testdata import vector_files, vectors_root
from vaxpass.crypto.pki.profiles import CertificateType, Validity, issue_csca, issue_dsc
from vaxpass.crypto.software import generate_signing_key, save_private_key
from vaxpass.formats.dcc.sample import sample_vaccination_payload
from vaxpass.formats.dcc.uvci import generate_uvci

CHECK_KEYS = {
    "picture_decode",
    "unprefix",
    "base45_decode",
    "decompress",
    "cose_decode",
    "cbor_decode",
    "schema",
    "signature",
    "key_usage",
    "expiration",
}


def vaxpass(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VAXPASS_DATA_DIR": str(data_dir), "COLUMNS": "120"}
    return subprocess.run(
        [sys.executable, "-m", "vaxpass", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def sign_with_files(
    files: dict[str, Path], *options: str, data_dir: Path, payload: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``vaxpass dcc sign`` with the test DSC's key and certificate files."""
    key, cert = str(files["key"]), str(files["cert"])
    target = str(payload or files["payload"])
    return vaxpass("dcc", "sign", target, "--key", key, "--cert", cert, *options, data_dir=data_dir)


@pytest.fixture(scope="module")
def signer_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pki")
    start = datetime.now(UTC)
    csca_key = generate_signing_key()
    csca = issue_csca(
        csca_key, country="VN", common_name="CLI CSCA", validity=Validity.starting(start, 3650)
    )
    dsc_key = generate_signing_key()
    dsc = issue_dsc(
        csca_key,
        csca,
        dsc_key.public_key(),
        common_name="CLI DSC",
        validity=Validity.starting(start, 730),
        types=(CertificateType.VACCINATION,),
    )
    files = {"key": folder / "dsc-key.pem", "cert": folder / "dsc.pem", "other": folder / "o.pem"}
    save_private_key(dsc_key, files["key"], None)
    files["cert"].write_bytes(dsc.public_bytes(serialization.Encoding.PEM))
    files["other"].write_bytes(csca.public_bytes(serialization.Encoding.PEM))
    payload = folder / "payload.json"
    payload.write_text(
        json.dumps(sample_vaccination_payload(certificate_id=generate_uvci()), ensure_ascii=False),
        encoding="utf-8",
    )
    files["payload"] = payload
    return files


@pytest.fixture(scope="module")
def signed(signer_files: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("signed")
    png, svg = folder / "qr.png", folder / "qr.svg"
    options = ("--iss", "VN", "--valid-days", "365", "--qr-png", str(png), "--qr-svg", str(svg))
    result = sign_with_files(signer_files, *options, data_dir=folder)
    assert result.returncode == 0, result.stderr
    text = result.stdout.strip()
    assert text.startswith("HC1:")
    assert png.read_bytes().startswith(b"\x89PNG")
    assert "<svg" in svg.read_text(encoding="utf-8")
    (folder / "hc1.txt").write_text(text + "\n", encoding="ascii")
    return folder


def _verify_json(*args: str, data_dir: Path) -> tuple[int, dict[str, object]]:
    result = vaxpass("verify", *args, "--json", data_dir=data_dir)
    return result.returncode, json.loads(result.stdout)


def test_verify_text_file_and_picture(signed: Path, signer_files: dict[str, Path]) -> None:
    trust = ("--trust", str(signer_files["cert"]))
    text = (signed / "hc1.txt").read_text(encoding="ascii").strip()
    for source in (text, str(signed / "hc1.txt"), str(signed / "qr.png")):
        code, report = _verify_json(source, *trust, data_dir=signed)
        assert code == 0
        assert report["valid"] is True
        assert report["format"] == "dcc"
        assert report["error"] is None
        checks = report["checks"]
        assert isinstance(checks, dict)
        assert set(checks) >= CHECK_KEYS
        assert all(checks[key] is True for key in CHECK_KEYS - {"picture_decode"})
        assert checks["picture_decode"] is (source.endswith(".png") or None)
        header = report["header"]
        assert isinstance(header, dict)
        assert header["alg"] == "ES256"
        assert header["iss"] == "VN"
        assert set(header) == {"kid", "alg", "iss", "iat", "exp"}
        payload = report["payload"]
        assert isinstance(payload, dict)
        assert payload["nam"]["fn"] == "Nguyễn"


def test_untrusted_signer_is_invalid_with_a_code(
    signed: Path, signer_files: dict[str, Path]
) -> None:
    code, report = _verify_json(
        str(signed / "hc1.txt"), "--trust", str(signer_files["other"]), data_dir=signed
    )
    assert code == 1
    assert report["valid"] is False
    assert report["error"] == {"code": "KID_UNKNOWN", "message": report["error"]["message"]}  # type: ignore[index]
    # Later checks still ran: the payload is schema-valid even though no signer is trusted.
    assert report["checks"]["schema"] is True  # type: ignore[index]
    assert report["checks"]["signature"] is False  # type: ignore[index]


def test_expired_at_a_later_time(signed: Path, signer_files: dict[str, Path]) -> None:
    code, report = _verify_json(
        str(signed / "hc1.txt"),
        "--trust",
        str(signer_files["cert"]),
        "--at",
        "2099-01-01T00:00:00Z",
        data_dir=signed,
    )
    assert code == 1
    assert report["error"]["code"] == "EXPIRED"  # type: ignore[index]
    assert report["checks"]["expiration"] is False  # type: ignore[index]
    assert report["checks"]["signature"] is True  # type: ignore[index]


def test_garbage_is_invalid_not_a_crash(signed: Path) -> None:
    code, report = _verify_json("HC1:NOT*BASE45", data_dir=signed)
    assert code == 1
    assert report["error"]["code"] == "BASE45_INVALID"  # type: ignore[index]
    assert report["checks"]["unprefix"] is True  # type: ignore[index]
    assert report["checks"]["cose_decode"] is None  # type: ignore[index]


@pytest.mark.parametrize(
    "args",
    [
        ("HC1:ABC", "--at", "yesterday"),
        ("HC1:ABC", "--trust", "/nonexistent/trust.pem"),
        ("missing-file.txt",),
        (),
    ],
)
def test_usage_errors_exit_2(args: tuple[str, ...], tmp_path: Path) -> None:
    assert vaxpass("verify", *args, data_dir=tmp_path).returncode == 2


def test_sign_refuses_an_invalid_payload(signer_files: dict[str, Path], tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"ver": "1.3.0", "nam": {}, "dob": "x"}), encoding="utf-8")
    result = sign_with_files(signer_files, data_dir=tmp_path, payload=bad)
    assert result.returncode == 1
    assert not result.stdout.strip()


def test_sign_refuses_to_outlive_the_signer(signer_files: dict[str, Path], tmp_path: Path) -> None:
    result = sign_with_files(signer_files, "--valid-days", "3650", data_dir=tmp_path)
    assert result.returncode == 1
    assert "HC1:" not in result.stdout


OFFICIAL = list(vector_files("dgc", pattern="common/2DCode/raw/CO*.json"))


@pytest.mark.parametrize("path", OFFICIAL[:6], ids=lambda p: p.name)
def test_official_vectors_through_the_command(path: Path, tmp_path: Path) -> None:
    vector = json.loads(path.read_text(encoding="utf-8"))
    context = vector["TESTCTX"]
    certificate = tmp_path / "signer.b64"
    certificate.write_text(context["CERTIFICATE"], encoding="ascii")
    code, report = _verify_json(
        vector["PREFIX"],
        "--trust",
        str(certificate),
        "--at",
        context["VALIDATIONCLOCK"],
        data_dir=tmp_path,
    )
    expected = vector["EXPECTEDRESULTS"]
    if "EXPECTEDVERIFY" in expected:
        assert report["checks"]["signature"] is expected["EXPECTEDVERIFY"]  # type: ignore[index]
    if "EXPECTEDEXPIRATIONCHECK" in expected:
        assert report["checks"]["expiration"] is expected["EXPECTEDEXPIRATIONCHECK"]  # type: ignore[index]
    assert code == (0 if report["valid"] else 1)
    assert base64.b64decode(report["header"]["kid"] or "")  # type: ignore[index]
    assert vectors_root().is_dir()


def test_pasted_text_with_leading_space_verifies(
    signed: Path, signer_files: dict[str, Path]
) -> None:
    text = " " + (signed / "hc1.txt").read_text(encoding="ascii").strip()
    code, report = _verify_json(text, "--trust", str(signer_files["cert"]), data_dir=signed)
    assert code == 0
    assert report["valid"] is True


def test_another_context_prefix_is_invalid_not_a_usage_error(signed: Path) -> None:
    code, report = _verify_json("HC2:AB/CD.EF", data_dir=signed)
    assert code == 1
    assert report["error"]["code"] == "PREFIX_INVALID"  # type: ignore[index]


def test_an_out_of_range_time_is_a_usage_error(signed: Path) -> None:
    result = vaxpass("verify", "HC1:ABC", "--at", "0001-01-01T00:00:00+01:00", data_dir=signed)
    assert result.returncode == 2


def test_an_unusable_trusted_key_is_a_usage_error(
    signed: Path, signer_files: dict[str, Path], tmp_path: Path
) -> None:
    der = bytearray(
        x509.load_pem_x509_certificate(signer_files["cert"].read_bytes()).public_bytes(
            serialization.Encoding.DER
        )
    )
    point = der.find(b"\x03\x42\x00\x04") + 4  # the uncompressed EC point of the DSC key
    der[point + 10] ^= 0x01
    broken = tmp_path / "broken.der"
    broken.write_bytes(bytes(der))
    result = vaxpass("verify", str(signed / "hc1.txt"), "--trust", str(broken), data_dir=signed)
    assert result.returncode == 2


@pytest.mark.parametrize(("option", "value"), [("--valid-days", "0"), ("--iss", "vn")])
def test_sign_rejects_bad_options(
    signer_files: dict[str, Path], tmp_path: Path, option: str, value: str
) -> None:
    result = sign_with_files(signer_files, option, value, data_dir=tmp_path)
    assert result.returncode == 2
    assert "HC1:" not in result.stdout
