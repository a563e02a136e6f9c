"""``record_stats``: counts for dashboards and ``vaxpass stats`` (no personal data)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from vaxpass.storage.records import counts_by_state, mismatch_field_counts, table_counts


def record_stats(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        return {
            "records_by_state": counts_by_state(conn),
            "mismatch_fields": mismatch_field_counts(conn),
            "totals": table_counts(conn),
        }
