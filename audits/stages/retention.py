"""The stages that look after a site's earlier runs: health kept with each run for the
trend, and `[store] keep_runs` pruning old runs down to their summaries.

The engine runs them; the reports only read what they keep (`reports.health`).
"""

from __future__ import annotations

import contextlib
import sqlite3

from audits.store import PRUNED_STAT, Store
from reports.health import (
    COUNTS_KEY,
    HEALTH_VERSION,
    STATS_KEY,
    Health,
    category_counts,
    compute_run_health,
    count_categories,
    kept_counts,
    kept_health,
    trend_runs,
)


def keep_health(store: Store, run_id: int) -> None:
    """Keep the health scores and findings per category of `run_id`, and of the earlier
    runs on its trend that have none yet (or scores by an outdated formula), so the
    report's trend reads them instead of going through every run's findings; a read-only
    or busy store just goes without."""
    for run in trend_runs(store, run_id):
        health = kept_health(run.stats) if run.id != run_id else None
        if health is not None and kept_counts(run.stats) is not None:
            continue
        if health is None:
            health = compute_run_health(store, run.id)
        _keep(store, run.id, *health, count_categories(store, [run.id])[run.id])


def _keep(store: Store, run_id: int, pages: int, health: Health, counts: dict[str, int]) -> None:
    value = {"version": HEALTH_VERSION, "pages": pages, "health": health, COUNTS_KEY: counts}
    with contextlib.suppress(sqlite3.Error):
        store.set_stat(run_id, STATS_KEY, value)


def prune_old_runs(store: Store, run_id: int, keep: int) -> list[int]:
    """Keep the details of the `keep` latest finished runs of run_id's site; for older
    runs keep only their summary (health, findings per category). The pruned run ids."""
    runs = store.runs()
    site = next(r for r in runs if r.id == run_id).start_url
    finished = [r.id for r in runs if r.start_url == site and r.status == "finished"]
    if keep <= 0 or len(finished) <= keep:
        return []
    oldest_kept = finished[-keep]
    pruned = []
    for run in runs:
        if run.start_url != site or run.id >= oldest_kept or PRUNED_STAT in run.stats:
            continue
        health = kept_health(run.stats)
        counts = category_counts(store, [run.id])[run.id]
        if health is None:  # the trend needs it once the findings are gone
            health = compute_run_health(store, run.id)
            _keep(store, run.id, *health, counts)
        with store.transaction():
            store.prune(run.id, {COUNTS_KEY: counts, "pages": health[0]})
        pruned.append(run.id)
    return pruned
