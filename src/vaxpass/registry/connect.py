"""Choosing the registry: a service at a given URL, or the reference service started in-process
on a local store. Plain parameters only: the composition root reads the settings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from vaxpass.registry.client import HttpPopulationRegistry
from vaxpass.registry.server import start_registry
from vaxpass.registry.store import RegistryStore


@dataclass(frozen=True, slots=True)
class ClientOptions:
    timeout: float = 10.0
    retries: int = 3
    batch_size: int = 1000


def _client(url: str, options: ClientOptions) -> HttpPopulationRegistry:
    return HttpPopulationRegistry(
        url, timeout=options.timeout, retries=options.retries, batch_size=options.batch_size
    )


@contextmanager
def connect_registry(
    url: str | None, store_path: Path, options: ClientOptions | None = None
) -> Iterator[HttpPopulationRegistry]:
    """An HTTP client to ``url``; without one, the reference service serves the store at
    ``store_path`` on a free loopback port for as long as the context lasts."""
    options = options or ClientOptions()
    if url:
        client = _client(url, options)
        try:
            yield client
        finally:
            client.close()
        return
    store = RegistryStore(store_path)
    running = start_registry(store)
    client = _client(running.url, options)
    try:
        yield client
    finally:
        client.close()
        running.stop()
        store.close()
