"""Retention: dropping old runs' details while keeping their summaries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from audits.store.runs import RunsStore
from audits.store.schema import RUN_TABLES

PRUNED_STAT = "siteaudit/pruned"
"""In a pruned run's stats: what is kept of it (findings per category)."""


class RetentionStore(RunsStore):
    """Pruning runs."""

    def prune(self, run_id: int, summary: Mapping[str, Any]) -> None:
        """Delete a run's details (pages, links, statuses, findings, browser results),
        keeping its row with `summary` added to its stats, for trends and history."""
        for table in RUN_TABLES:
            self.db.execute(f"DELETE FROM {table} WHERE run_id = ?", (run_id,))  # our table names
        self.save_stats(run_id, {**self.run(run_id).stats, PRUNED_STAT: dict(summary)})
