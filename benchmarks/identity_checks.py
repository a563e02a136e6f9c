"""Identity checks per second through the HTTP reference registry, in batches.

    python benchmarks/identity_checks.py [--citizens 200000] [--checks 200000] [--batch 1000]

Fills a registry store, starts ``vaxpass registry serve`` as its own process on loopback, and
sends batch queries through ``HttpPopulationRegistry`` (a bounded number of requests). Prints
checks/s and two limits measured in the same run: the same checks matched in-process on the
same store (no HTTP, no JSON), with the ratio, and round trips per second of an empty batch
(the HTTP cost alone). Asserts nothing about time.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

from vaxpass.domain.matching import IdentityQuery
from vaxpass.registry.client import HttpPopulationRegistry
from vaxpass.registry.loader import load_citizens
from vaxpass.registry.store import RegistryStore
from vaxpass.services.synthetic import generate_people

SERVE = [sys.executable, "-c", "from vaxpass.cli.main import app; app()", "registry", "serve"]


def citizens(count: int) -> list[IdentityQuery]:
    people = generate_people(count, seed=3, error_rate=0.0)
    return [p.citizen for p in people if p.citizen is not None]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/v1/health", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit("registry did not start")


def run(url: str, queries: list[IdentityQuery], batch: int) -> float:
    client = HttpPopulationRegistry(url, batch_size=batch, timeout=30)
    started = time.perf_counter()
    results = client.match_batch(queries)
    elapsed = time.perf_counter() - started
    client.close()
    outcomes = Counter(r.outcome.value for r in results)
    rate = len(queries) / elapsed
    print(f"http      {len(queries)} checks in batches of {batch}: {elapsed:.1f} s, "
          f"{rate:,.0f} checks/s  {dict(outcomes)}")  # fmt: skip
    return rate


def in_process(store: RegistryStore, queries: list[IdentityQuery], batch: int) -> float:
    """The same checks on the same store without HTTP or JSON: the matching limit."""
    started = time.perf_counter()
    for start in range(0, len(queries), batch):
        store.match_batch(queries[start : start + batch])
    elapsed = time.perf_counter() - started
    rate = len(queries) / elapsed
    print(f"raw limit {len(queries)} checks matched in-process: {elapsed:.1f} s, "
          f"{rate:,.0f} checks/s")  # fmt: skip
    return rate


def empty_round_trips(url: str, count: int = 2000) -> None:
    with httpx.Client(base_url=url) as client:
        started = time.perf_counter()
        for _ in range(count):
            client.post("/v1/match/batch", content=b'{"queries":[]}')
        elapsed = time.perf_counter() - started
    print(f"http      {count} empty batches: {count / elapsed:,.0f} round trips/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--citizens", type=int, default=200_000)
    parser.add_argument("--checks", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store_path = Path(tmp) / "registry.sqlite3"
        people = citizens(args.citizens)
        load_citizens(RegistryStore(store_path), people)
        queries = (people * (args.checks // max(1, len(people)) + 1))[: args.checks]
        port = free_port()
        env = {**os.environ, "VAXPASS_REGISTRY_STORE": str(store_path)}
        server = subprocess.Popen([*SERVE, "--port", str(port)], env=env)
        try:
            wait_ready(f"http://127.0.0.1:{port}")
            rate = run(f"http://127.0.0.1:{port}", queries, args.batch)
            empty_round_trips(f"http://127.0.0.1:{port}")
        finally:
            server.terminate()
            server.wait(timeout=10)
        store = RegistryStore(store_path)
        limit = in_process(store, queries, args.batch)
        store.close()
        print(f"ratio     {rate / limit:.2f} of the in-process limit")


if __name__ == "__main__":
    main()
