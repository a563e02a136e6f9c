"""JSON state files under the keys and trust directories: written atomically (a temporary file
renamed over the old one), versioned, and refused with ``KEY_STATE_INVALID`` when unreadable."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from vaxpass.errors import ErrorCode, SigningError


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def save_versioned(path: Path, body: Mapping[str, Any], version: int) -> None:
    document = {**body, "version": version}
    write_atomically(path, json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False))


@contextmanager
def read_versioned(path: Path, version: int, *, name: str) -> Iterator[dict[str, Any]]:
    """Yield the body of a state file of ``version`` (without it); any fault reading it or
    building from it within the block is ``KEY_STATE_INVALID`` ("the ``name`` is unreadable")."""
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        if body.pop("version") != version:
            raise ValueError("unsupported state version")
        yield body
    except (ValueError, KeyError, TypeError) as exc:
        raise SigningError(f"the {name} is unreadable", code=ErrorCode.KEY_STATE_INVALID) from exc
