"""The reference registry over real loopback HTTP: endpoints, errors, loading."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from vaxpass.domain.matching import IdentityQuery
from vaxpass.errors import FieldError
from vaxpass.registry.loader import load_registry_file
from vaxpass.registry.server import RunningRegistry, start_registry
from vaxpass.registry.store import RegistryStore

CITIZEN = IdentityQuery("Trần Thị Hòa", "female", "2001-03-04", "079301000001")


@pytest.fixture
def running(tmp_path: Path) -> Iterator[RunningRegistry]:
    store = RegistryStore(tmp_path / "registry.sqlite3")
    store.load([CITIZEN])
    service = start_registry(store)
    yield service
    service.stop()
    store.close()


def query(**change: str) -> dict[str, str]:
    return {"full_name": CITIZEN.full_name, "sex": CITIZEN.sex,
            "birth_date": CITIZEN.birth_date, "id_number": CITIZEN.id_number, **change}  # fmt: skip


def test_single_match(running: RunningRegistry) -> None:
    answer = httpx.post(f"{running.url}/v1/match", json=query(full_name="trần thị hoà"))
    assert answer.json() == {"result": "matched", "fields": []}


def test_batch_match(running: RunningRegistry) -> None:
    body = {"queries": [query(), query(sex="male"), query(id_number="079301000002")]}
    answer = httpx.post(f"{running.url}/v1/match/batch", json=body).json()
    assert answer == {"results": [
        {"result": "matched", "fields": []},
        {"result": "mismatch", "fields": ["sex"]},
        {"result": "not_found", "fields": []},
    ]}  # fmt: skip


def test_health(running: RunningRegistry) -> None:
    assert httpx.get(f"{running.url}/v1/health").json() == {"status": "ok", "citizens": 1}


@pytest.mark.parametrize(
    ("path", "content", "status"),
    [("/v1/match", b"not json", 400), ("/v1/match", b'{"full_name": 5}', 400),
     ("/v1/match/batch", b'{"queries": 1}', 400), ("/v1/nothing", b"{}", 404),
     ("/v1/match", b"", 413)],
)  # fmt: skip
def test_bad_requests(running: RunningRegistry, path: str, content: bytes, status: int) -> None:
    answer = httpx.post(f"{running.url}{path}", content=content)
    assert answer.status_code == status
    assert set(answer.json()) == {"error", "detail"}


def test_load_file_skips_invalid_rows(tmp_path: Path) -> None:
    path = tmp_path / "citizens.csv"
    path.write_text(
        "id_number,full_name,sex,birth_date\n"
        "001090012345,Nguyễn Văn A,Nam,1990-01-02\n"
        "12,Nguyễn Văn B,Nam,1990\n"
        "001090012346,,x,1990\n",
        encoding="utf-8",
    )
    store = RegistryStore(tmp_path / "r.sqlite3")
    errors: list[tuple[int, FieldError]] = []
    assert load_registry_file(store, path, lambda row, e: errors.append((row, e))) == 1
    assert [(row, e.field) for row, e in errors] == [(3, "id_number"), (4, "full_name"),
                                                    (4, "sex")]  # fmt: skip
    assert store.count() == 1
    store.close()
