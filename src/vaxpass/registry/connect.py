"""Choosing the registry: the configured URL, or the reference service started in-process."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from vaxpass.config import Settings
from vaxpass.registry.client import HttpPopulationRegistry
from vaxpass.registry.server import start_registry
from vaxpass.registry.store import RegistryStore


def _client(settings: Settings, url: str) -> HttpPopulationRegistry:
    return HttpPopulationRegistry(
        url,
        timeout=settings.registry_timeout_seconds,
        retries=settings.registry_retries,
        batch_size=settings.registry_batch_size,
    )


@contextmanager
def connect_registry(settings: Settings) -> Iterator[HttpPopulationRegistry]:
    """An HTTP client to ``VAXPASS_REGISTRY_URL``; without it, the embedded default serves the
    local registry store on a free loopback port for as long as the context lasts."""
    if settings.registry_url:
        client = _client(settings, settings.registry_url)
        try:
            yield client
        finally:
            client.close()
        return
    store = RegistryStore(settings.effective_registry_store)
    running = start_registry(store)
    client = _client(settings, running.url)
    try:
        yield client
    finally:
        client.close()
        running.stop()
        store.close()
