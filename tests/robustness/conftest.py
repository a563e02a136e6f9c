"""Keys, certificates and genuine certificates for the robustness tests, once per process."""

from __future__ import annotations

import pytest

from robustness.hostile import Kit, make_kit


@pytest.fixture(scope="session")
def kit() -> Kit:
    return make_kit()
