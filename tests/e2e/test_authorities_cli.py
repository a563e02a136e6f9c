"""``vaxpass authorities …`` and ``vaxpass verify --anchor`` end to end, on the software backend."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from typer.testing import CliRunner

from pki_support import T0, days
from vaxpass.cli.main import app
from vaxpass.config import get_settings
from vaxpass.crypto.pki.profiles import key_usage
from vaxpass.formats.dcc.sample import sample_vaccination_payload

runner = CliRunner()
AT = (T0 + days(1)).isoformat()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    use(tmp_path / "issuer", monkeypatch)
    yield tmp_path
    get_settings.cache_clear()


def use(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAXPASS_DATA_DIR", str(data_dir))
    get_settings.cache_clear()


def invoke(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def _certificate(
    name: str, key: ec.EllipticCurvePrivateKey, issuer: x509.Certificate | None, signer: object
) -> x509.Certificate:
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
        ]
    )
    ca = issuer is None
    assert isinstance(signer, ec.EllipticCurvePrivateKey)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(T0)
        .not_valid_after(T0 + days(365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            key_usage(digital_signature=not ca, non_repudiation=not ca, certificate_signing=ca),
            critical=True,
        )
        .sign(signer, hashes.SHA256())
    )


def write_pem(path: Path, *certificates: x509.Certificate) -> Path:
    path.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates))
    return path


def government_pki(folder: Path) -> tuple[Path, Path, Path]:
    """(leaf chain, its root, an unrelated root) as PEM files."""
    root_key, other_key = (
        ec.generate_private_key(ec.SECP256R1()),
        ec.generate_private_key(ec.SECP256R1()),
    )
    root = _certificate("Root CA", root_key, None, root_key)
    other = _certificate("Other CA", other_key, None, other_key)
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = _certificate("Trung tâm Kiểm soát bệnh tật TP.HCM", leaf_key, root, root_key)
    return (
        write_pem(folder / "cdc.pem", leaf),
        write_pem(folder / "root.pem", root),
        write_pem(folder / "other.pem", other),
    )


def test_authorities_are_issued_imported_listed_and_revoked(home: Path) -> None:
    out = invoke(
        "authorities",
        "issue",
        "--role",
        "doh",
        "--scope",
        "01",
        "--name",
        "Sở Y tế Hà Nội",
        "--at",
        AT,
    )
    issued = out.split()[2]
    assert "issued authority" in out
    out = invoke("authorities", "issue", "--role", "doh", "--scope", "XX", "--name", "x", code=1)
    assert "VALIDATION_FAILED" in out
    invoke("authorities", "issue", "--role", "mayor", "--scope", "01", "--name", "x", code=2)

    chain, root, other = government_pki(home)
    common = ("--role", "cdc", "--scope", "79", "--at", AT)
    out = invoke("authorities", "import", str(chain), "--anchor", str(other), *common, code=1)
    assert "AUTHORITY_UNTRUSTED" in out
    assert "imported authority" in invoke(
        "authorities", "import", str(chain), "--anchor", str(root), *common
    )

    invoke("authorities", "revoke", issued, "--reason", "key-compromise", "--at", AT)
    listed = json.loads(invoke("authorities", "list", "--json", "--at", AT))["authorities"]
    assert [(row["role"], row["scope"], row["origin"], row["status"]) for row in listed] == [
        ("doh", "01", "issued", "revoked"),
        ("cdc", "79", "imported", "valid"),
    ]
    assert "Sở Y tế Hà Nội" in listed[0]["subject"]
    out = invoke("authorities", "revoke", "0" * 16, "--reason", "x", code=1)
    assert "AUTHORITY_UNKNOWN" in out


@pytest.fixture
def issuer_files(home: Path) -> dict[str, Path]:
    """A signed DCC with the issuer's exported trust list, revocation list and CSCA."""
    invoke("keys", "init")
    payload = home / "payload.json"
    payload.write_text(
        json.dumps(sample_vaccination_payload(certificate_id="URN:UVCI:01:VN:" + "B" * 32))
    )
    qr = home / "qr.txt"
    qr.write_text(invoke("dcc", "sign", str(payload)).strip())
    files = {"qr": qr}
    for name, command in (
        ("dsc", ("trustlist", "export", "--format", "eu-dsc-list")),
        ("csca", ("trustlist", "export", "--format", "csca")),
        ("revocations", ("revocations", "export")),
    ):
        files[name] = home / f"{name}.out"
        invoke(*command, "-o", str(files[name]))
    return files


def test_verify_accepts_lists_that_chain_to_the_anchor(issuer_files: dict[str, Path]) -> None:
    files = issuer_files
    out = invoke(
        "verify",
        str(files["qr"]),
        "--trust",
        str(files["dsc"]),
        "--revocations",
        str(files["revocations"]),
        "--anchor",
        str(files["csca"]),
        "--json",
    )
    assert json.loads(out)["valid"] is True


def test_verify_refuses_lists_from_another_anchor(
    issuer_files: dict[str, Path], home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = issuer_files
    use(home / "elsewhere", monkeypatch)
    invoke("keys", "init")
    foreign = home / "foreign-csca.pem"
    invoke("trustlist", "export", "--format", "csca", "-o", str(foreign))
    qr, dsc, revocations = str(files["qr"]), str(files["dsc"]), str(files["revocations"])
    out = invoke("verify", qr, "--revocations", revocations, "--anchor", str(foreign), code=2)
    assert "TRUST_LIST_UNTRUSTED" in out
    assert "revocations.out" in out
    out = invoke("verify", qr, "--trust", dsc, "--anchor", str(foreign), "--json", code=2)
    assert "TRUST_LIST_UNTRUSTED" in out
    # Without --anchor the contract is unchanged: integrity only.
    assert json.loads(invoke("verify", qr, "--trust", dsc, "--revocations", revocations, "--json"))[
        "valid"
    ]
    # An unsigned trust source (a bare certificate) is not a list: --anchor leaves it alone.
    entry = json.loads(files["dsc"].read_text())["certificates"][0]
    certificate = home / "dsc.der"
    certificate.write_bytes(base64.b64decode(entry["rawData"]))
    invoke("verify", qr, "--trust", str(certificate), "--anchor", str(files["csca"]))
    invoke("verify", qr, "--trust", str(certificate), "--anchor", str(foreign))
