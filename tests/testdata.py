"""Where the official test vectors are: ``VAXPASS_TESTDATA`` or ``shared/testdata`` beside the
repository. Missing vectors skip locally and fail under ``CI=true``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def vectors_root() -> Path:
    configured = os.environ.get("VAXPASS_TESTDATA")
    return Path(configured) if configured else REPO_ROOT.parent / "shared" / "testdata"


def require_vectors(*parts: str) -> Path:
    """The folder of one vector suite; skip (or fail under CI) when it is absent."""
    folder = vectors_root().joinpath(*parts)
    if not folder.is_dir():
        message = f"official test vectors not found at {folder} (set VAXPASS_TESTDATA)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return folder


def vector_files(*parts: str, pattern: str) -> list[Path]:
    """Vector files for parametrisation (an empty list when the suite is absent)."""
    folder = vectors_root().joinpath(*parts)
    return sorted(folder.glob(pattern)) if folder.is_dir() else []
