"""JSON state files under the keys and trust directories: written atomically (a uniquely named
temporary file in the same directory, owner-only, synced, renamed over the old one, then the
directory synced), versioned, and refused with ``KEY_STATE_INVALID`` when unreadable."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from vaxpass.errors import ErrorCode, SigningError


def write_atomically(path: Path, text: str, *, mode: int = 0o600) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(text.encode("utf-8"))
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_directory(path.parent)


def _sync_directory(directory: Path) -> None:
    """Make the rename durable (where the platform can open a directory)."""
    try:
        handle = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


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
