"""Shared test configuration."""

from __future__ import annotations

import sys
from pathlib import Path

# Test helpers (testdata.py, fakes) are imported as top-level modules.
sys.path.insert(0, str(Path(__file__).resolve().parent))
