"""The port through which services reach the population registry."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from vaxpass.domain.matching import IdentityQuery, MatchResult


class PopulationRegistry(Protocol):
    def match_batch(self, queries: Sequence[IdentityQuery]) -> list[MatchResult]:
        """One result per query, in order. Raises ``RegistryError`` when unreachable."""
        ...
