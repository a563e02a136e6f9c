"""EU DCC throughput: issuance (``encode_dcc``) and offline verification (``verify_qr``), ES256
and PS256 (RSA-2048), on 1 and 2 processes, each printed beside the raw ``openssl speed`` rate
measured in the same run (``ecdsap256`` / ``rsa2048``; ``-multi 2`` for two processes).

encode: payload → CWT → COSE_Sign1 (signed) → zlib → Base45 → ``HC1:`` text.
verify: ``HC1:`` text → every check a verifier runs (trust lookup, signature, time claims,
schema, key usage) against a trust store holding the document signer certificate.

Every process builds its own CSCA, document signer and keys, then runs for a fixed duration;
the rate of a row is the sum of its processes' rates. ``openssl speed`` divides by the CPU time
it was given (user time; ``-elapsed`` would use the wall clock), so the compared rate (items/s)
divides by each worker's CPU time too (user + system: slightly in openssl's favour); the wall
clock rate is printed beside it, and is lower whenever other work shares the cores. Each row is
the best of ``--repeat`` rounds, and every round runs ``openssl speed`` right before the vaxpass
measurement, so a ratio compares figures taken under the same load. Timings are reported, never
asserted.

Run: ``make bench`` or ``.venv/bin/python benchmarks/dcc_throughput.py [--seconds 3]
[--repeat 3] [--quick] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import re
import subprocess
import sys
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.queues import SimpleQueue
from multiprocessing.synchronize import Barrier
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, rsa
from isal import isal_zlib

from vaxpass.crypto.signer import CoseAlgorithm
from vaxpass.crypto.software import SigningKey, SoftwareSigner, ephemeral_signer
from vaxpass.formats.dcc.pipeline import encode_dcc
from vaxpass.formats.dcc.sample import sample_vaccination_payload
from vaxpass.formats.dcc.trust import InMemoryTrustStore, TrustedSigner
from vaxpass.formats.dcc.uvci import generate_uvci
from vaxpass.formats.dcc.verify import verify_qr

EPOCH = datetime(2022, 1, 1, tzinfo=UTC)
ISSUED_AT = EPOCH + timedelta(days=30)
VALID_FOR = timedelta(days=270)
ISSUER = "VN"
DISTINCT_ITEMS = 32  # payloads (and QR texts) cycled through, so no item is a repeat of the last
PROCESS_COUNTS = (1, 2)
OPERATIONS = ("encode", "verify")
ALGORITHMS = (CoseAlgorithm.ES256, CoseAlgorithm.PS256)
OPENSSL_ALGORITHMS = {
    CoseAlgorithm.ES256: ("ecdsap256", r"\b256 bits ecdsa \(nistp256\)"),
    CoseAlgorithm.PS256: ("rsa2048", r"\brsa 2048 bits\b"),
}
# The raw rate an operation is compared with: encoding signs, verifying verifies.
OPENSSL_COLUMN = {"encode": "sign", "verify": "verify"}
HEADER = ("operation", "alg", "processes", "items/s", "wall/s", "openssl/s", "ratio %")
ROW = "{:<9} {:<5} {:>9} {:>10} {:>10} {:>10} {:>8}"


@dataclass(frozen=True)
class Row:
    operation: str
    algorithm: str
    processes: int
    items_per_second: float  # per second of CPU time, as openssl speed counts
    openssl_per_second: float
    wall_items_per_second: float

    @property
    def ratio(self) -> float:
        return 100 * self.items_per_second / self.openssl_per_second

    def cells(self) -> tuple[str, ...]:
        return (
            self.operation,
            self.algorithm,
            str(self.processes),
            f"{self.items_per_second:.0f}",
            f"{self.wall_items_per_second:.0f}",
            f"{self.openssl_per_second:.0f}",
            f"{self.ratio:.1f}",
        )

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "ratio_percent": round(self.ratio, 1)}


# --- raw OpenSSL rates -------------------------------------------------------------------------


def openssl_rates(algorithm: CoseAlgorithm, seconds: int, processes: int) -> dict[str, float]:
    """``{"sign": …, "verify": …}`` per second from ``openssl speed`` (summed over processes)."""
    name, pattern = OPENSSL_ALGORITHMS[algorithm]
    command = ["openssl", "speed", "-seconds", str(seconds)]
    if processes > 1:
        command += ["-multi", str(processes)]
    output = subprocess.run([*command, name], capture_output=True, text=True, check=True).stdout
    return parse_openssl_speed(output, pattern)


def parse_openssl_speed(output: str, pattern: str) -> dict[str, float]:
    """The last two numbers of the result line: ``… sign/s verify/s``."""
    lines = [line for line in output.splitlines() if re.search(pattern, line)]
    if not lines:
        raise RuntimeError(f"no line matching {pattern!r} in the openssl speed output")
    numbers = re.findall(r"\d+(?:\.\d+)?", lines[-1])
    return {"sign": float(numbers[-2]), "verify": float(numbers[-1])}


# --- one worker process ------------------------------------------------------------------------


def signing_key(algorithm: CoseAlgorithm) -> SigningKey:
    if algorithm is CoseAlgorithm.ES256:
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def document_signer(algorithm: CoseAlgorithm) -> SoftwareSigner:
    """A document signer for ``algorithm``'s key under a fresh in-memory CSCA."""
    return ephemeral_signer(signing_key(algorithm), not_before=EPOCH, days=730)


def payloads() -> list[dict[str, Any]]:
    """Distinct realistic Vietnamese vaccination payloads (a fresh UVCI each)."""
    return [
        sample_vaccination_payload(certificate_id=generate_uvci(ISSUER))
        for _ in range(DISTINCT_ITEMS)
    ]


def encode(payload: dict[str, Any], signer: SoftwareSigner) -> str:
    return encode_dcc(
        payload, signer, issuer=ISSUER, issued_at=ISSUED_AT, expires_at=ISSUED_AT + VALID_FOR
    ).qr_text


def workload(operation: str, algorithm: CoseAlgorithm) -> Callable[[int], object]:
    """One item of work, indexed; checked once for correctness before it is timed."""
    signer = document_signer(algorithm)
    items = payloads()
    if operation == "encode":
        return lambda index: encode(items[index % DISTINCT_ITEMS], signer)
    texts = [encode(payload, signer) for payload in items]
    store = InMemoryTrustStore([TrustedSigner.from_certificate(signer.certificate)])
    at = ISSUED_AT + timedelta(days=1)
    for text in texts:
        result = verify_qr(text, store, at=at)
        if not result.valid:
            raise RuntimeError(f"benchmark certificate does not verify: {result.codes}")
    return lambda index: verify_qr(texts[index % DISTINCT_ITEMS], store, at=at)


def run_for(work: Callable[[int], object], seconds: float) -> tuple[int, float, float]:
    """Items done, wall seconds and CPU seconds taken; the clocks are read every few items."""
    count, start, cpu_start = 0, time.perf_counter(), time.process_time()
    deadline = start + seconds
    while True:
        for _ in range(16):
            work(count)
            count += 1
        now = time.perf_counter()
        if now >= deadline:
            return count, now - start, time.process_time() - cpu_start


def worker(
    operation: str,
    algorithm: str,
    seconds: float,
    barrier: Barrier,
    results: SimpleQueue[tuple[float, float]],
) -> None:
    work = workload(operation, CoseAlgorithm[algorithm])
    run_for(work, min(0.3, seconds / 4))  # warm-up: caches, allocator, branch predictors
    barrier.wait()
    count, elapsed, cpu = run_for(work, seconds)
    results.put((count / cpu, count / elapsed))


def measure(
    operation: str, algorithm: CoseAlgorithm, processes: int, seconds: float
) -> tuple[float, float]:
    """Aggregate items per CPU second and per wall second of ``processes`` workers running
    side by side."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(processes)
    results: SimpleQueue[tuple[float, float]] = context.SimpleQueue()
    arguments = (operation, algorithm.name, seconds, barrier, results)
    workers = [context.Process(target=worker, args=arguments) for _ in range(processes)]
    for process in workers:
        process.start()
    for process in workers:
        process.join()
        if process.exitcode != 0:
            raise RuntimeError(f"a {operation} {algorithm.name} worker failed")
    rates = [results.get() for _ in workers]
    return sum(cpu for cpu, _ in rates), sum(wall for _, wall in rates)


# --- QR size per compression level --------------------------------------------------------------


def compressed_sizes() -> list[dict[str, Any]]:
    """Bytes of the sample's COSE message after each compressor, and of its QR text."""
    sizes = []
    for algorithm in ALGORITHMS:
        signer = document_signer(algorithm)
        cose = encode_dcc(
            payloads()[0],
            signer,
            issuer=ISSUER,
            issued_at=ISSUED_AT,
            expires_at=ISSUED_AT + VALID_FOR,
        ).cose
        variants = {f"isal level {level}": isal_zlib.compress(cose, level) for level in range(4)}
        variants["zlib level 9"] = zlib.compress(cose, 9)
        variants["stored (zlib level 0)"] = zlib.compress(cose, 0)
        for name, data in variants.items():
            sizes.append(
                {
                    "algorithm": algorithm.name,
                    "compressor": name,
                    "cose_bytes": len(cose),
                    "compressed_bytes": len(data),
                    "qr_characters": len("HC1:") + _base45_length(len(data)),
                }
            )
    return sizes


def _base45_length(size: int) -> int:
    return 3 * (size // 2) + 2 * (size % 2)


# --- the run -----------------------------------------------------------------------------------


def run(
    seconds: float, openssl_seconds: int, repeats: int, report: Callable[[str], None]
) -> list[Row]:
    """Every row, best of ``repeats`` rounds; each round measures openssl and then vaxpass, so
    both sides of a ratio see the same machine (other load comes and goes on a shared host)."""
    rows = []
    for processes in PROCESS_COUNTS:
        for algorithm in ALGORITHMS:
            raw: dict[str, float] = {}
            rates: dict[str, float] = {}
            wall: dict[str, float] = {}
            for round_number in range(1, repeats + 1):
                report(f"{algorithm.name}, {processes} process(es), round {round_number}")
                for column, value in openssl_rates(algorithm, openssl_seconds, processes).items():
                    raw[column] = max(raw.get(column, 0.0), value)
                for operation in OPERATIONS:
                    rate, wall_rate = measure(operation, algorithm, processes, seconds)
                    rates[operation] = max(rates.get(operation, 0.0), rate)
                    wall[operation] = max(wall.get(operation, 0.0), wall_rate)
            rows += [
                Row(op, algorithm.name, processes, rates[op], raw[column], wall[op])
                for op, column in OPENSSL_COLUMN.items()
            ]
    return sorted(rows, key=lambda row: (OPERATIONS.index(row.operation), row.algorithm))


def table(rows: Sequence[Row]) -> str:
    lines = [ROW.format(*HEADER)]
    lines += [ROW.format(*row.cells()) for row in rows]
    return "\n".join(lines)


def size_table(sizes: Sequence[dict[str, Any]]) -> str:
    form = "{:<5} {:<22} {:>10} {:>11} {:>9}"
    lines = [form.format("alg", "compressor", "COSE bytes", "compressed", "QR chars")]
    lines += [
        form.format(
            size["algorithm"],
            size["compressor"],
            size["cose_bytes"],
            size["compressed_bytes"],
            size["qr_characters"],
        )
        for size in sizes
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="per measurement (default 3)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds, best kept (default 3)")
    parser.add_argument("--quick", action="store_true", help="one round of 1 second")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    args = parser.parse_args(argv)
    seconds = 1.0 if args.quick else args.seconds
    repeats = 1 if args.quick else max(1, args.repeat)
    openssl_seconds = max(1, round(seconds))
    progress = (lambda _message: None) if args.json else (lambda message: print(f"# {message}"))
    rows = run(seconds, openssl_seconds, repeats, progress)
    sizes = compressed_sizes()
    if args.json:
        document = {
            "seconds": seconds,
            "repeats": repeats,
            "openssl": subprocess.run(
                ["openssl", "version"], capture_output=True, text=True, check=True
            ).stdout.strip(),
            "cpus": multiprocessing.cpu_count(),
            "results": [row.to_json() for row in rows],
            "compression": sizes,
        }
        json.dump(document, sys.stdout, indent=2)
        print()
        return
    print()
    print(table(rows))
    print()
    print(size_table(sizes))


if __name__ == "__main__":
    main()
