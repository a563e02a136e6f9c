"""Signing throughput: SoftHSM2 (PKCS#11) vs software keys vs raw ``openssl speed``, ES256 and
PS256, measured in the same run and printed as signatures per second and ratios.

Run: ``.venv/bin/python benchmarks/signing_backends.py [--seconds 3]`` (needs softhsm2-util).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from vaxpass.crypto.keystore import SoftwareKeyStore
from vaxpass.crypto.pkcs11 import Pkcs11KeyStore
from vaxpass.crypto.pki.lifecycle import KeyManager, RotationPolicy
from vaxpass.crypto.signer import CoseAlgorithm

MODULE = Path("/usr/lib/softhsm/libsofthsm2.so")
ROW = "{:6} {:>10} {:>11} {:>11} {:>8} {:>9} {:>7}"
PAYLOAD = b"\xa1" * 300  # about the size of a DCC Sig_structure
OPENSSL = {
    CoseAlgorithm.ES256: ("ecdsap256", r"256 bits ecdsa \(nistp256\)"),
    CoseAlgorithm.PS256: ("rsa3072", r"rsa 3072 bits"),
}


def rate(sign: Callable[[bytes], bytes], seconds: float) -> float:
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        sign(PAYLOAD)
        count += 1
    return count / (time.perf_counter() - start)


def openssl_rate(algorithm: CoseAlgorithm, seconds: int) -> float:
    name, pattern = OPENSSL[algorithm]
    output = subprocess.run(
        ["openssl", "speed", "-seconds", str(seconds), name],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(
        line for line in output.splitlines() if re.search(pattern, line) and re.search(r"\d", line)
    )
    # "... sign verify sign/s verify/s": the second-to-last number is signatures per second.
    return float(line.split()[-2])


def backend_rate(manager: KeyManager, algorithm: CoseAlgorithm, seconds: float) -> float:
    at = datetime.now(UTC)
    manager.rotate(at=at, algorithm=algorithm, authority=algorithm.name)
    with manager.active_signer(at=at, covers_until=at, authority=algorithm.name) as active:
        return rate(active.signer.sign, seconds)


def softhsm_store(directory: Path) -> Pkcs11KeyStore:
    config = directory / "softhsm2.conf"
    (directory / "tokens").mkdir()
    config.write_text(
        f"directories.tokendir = {directory / 'tokens'}\nobjectstore.backend = file\n"
    )
    os.environ["SOFTHSM2_CONF"] = str(config)
    subprocess.run(
        [
            "softhsm2-util",
            "--init-token",
            "--free",
            "--label",
            "bench",
            "--pin",
            "1234",
            "--so-pin",
            "123456",
        ],
        check=True,
        capture_output=True,
    )
    return Pkcs11KeyStore(MODULE, "bench", "1234", rsa_bits=3072)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=3)
    seconds = parser.parse_args().seconds

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        policy = RotationPolicy()
        software = KeyManager(root / "sw", SoftwareKeyStore(root / "sw", b"bench"), policy)
        hsm = KeyManager(root / "hsm", softhsm_store(root), policy)
        for manager in (software, hsm):
            manager.initialise(at=datetime.now(UTC), country="VN")
        print(
            ROW.format(
                "alg", "openssl/s", "software/s", "softhsm2/s", "sw/ossl", "hsm/ossl", "hsm/sw"
            )
        )
        for algorithm in CoseAlgorithm:
            raw = openssl_rate(algorithm, seconds)
            sw = backend_rate(software, algorithm, seconds)
            hw = backend_rate(hsm, algorithm, seconds)
            ratios = (f"{sw / raw:.2f}", f"{hw / raw:.2f}", f"{hw / sw:.2f}")
            print(ROW.format(algorithm.name, f"{raw:.0f}", f"{sw:.0f}", f"{hw:.0f}", *ratios))
    version = sys.version.split()[0]
    print(f"({seconds} s per measurement, P-256 and RSA-3072 keys everywhere, python {version})")


if __name__ == "__main__":
    main()
