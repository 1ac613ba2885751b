"""The report stage: prioritise every finding, keep the run's health, write the reports.

Prioritising writes to the store (scores, bands, first-seen dates, the health trend);
the reports that follow only read it (they open the store read-only when run alone).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from audits.core.config import AuditConfig, ConfigError, ReportConfig
from audits.rule_engine import available_rules
from audits.stages.browser import write_screenshots
from audits.stages.prioritise import Comparison, compare, inbound_counts, prioritise
from audits.stages.retention import keep_health
from audits.store import PRUNED_STAT, Store
from reports.health import trend_runs


def run_prioritise_stage(
    store: Store, run_id: int, report: ReportConfig | None
) -> tuple[Comparison, dict[str, int]]:
    """Score, band and date every finding of a run (by page views when `[report]`
    names an analytics export), and keep the run's health with it for the trend, and
    the services' scores of the runs before it for the scorecard's trend.

    Returns what it read that the reports read too (the comparison with the previous
    run, inbound link counts), so they need not read it again.
    """
    from reports.pageviews import PageViewsError, load_page_views

    views = None
    if report is not None and report.page_views:
        try:
            views = load_page_views(report.page_views, store.run(run_id).start_url)
        except PageViewsError as exc:
            raise ConfigError(str(exc)) from None
    comparison = compare(store, run_id)
    inbound = inbound_counts(store, run_id)
    prioritise(store, run_id, views, comparison=comparison, inbound=inbound)
    keep_health(store, run_id)
    keep_service_scores(store, run_id)
    return comparison, inbound


def render(
    store: Store, run_id: int, out_dir: Path, config: AuditConfig | None = None
) -> dict[str, Path]:
    """Run the prioritise stage, then write the reports `[report]` asks for (by default
    index.html and findings.json), which only read the store."""
    from reports import PageViewsError, write_reports

    plugins = config.plugins if config is not None else True
    report = config.report if config is not None else None
    comparison, inbound = run_prioritise_stage(store, run_id, report)
    write_screenshots(store, run_id, out_dir)  # the reports refer to them by relative path
    rules = list(available_rules(plugins=plugins).values())
    try:
        return write_reports(
            store, run_id, out_dir, rules, config=report, comparison=comparison, inbound=inbound
        )
    except PageViewsError as exc:
        raise ConfigError(str(exc)) from None


def keep_service_scores(store: Store, run_id: int) -> None:
    """Keep with each finished run before `run_id` on its trend the services' scores, if
    it has none yet, so later reports read them instead of working out the run's whole
    scorecard again each night (a read-only or busy store just goes without)."""
    from reports.services import (
        SCORES_KEY,
        SCORES_VERSION,
        TREND_RUNS,
        kept_service_scores,
        service_scores,
    )

    for run in trend_runs(store, run_id, TREND_RUNS):
        if run.id == run_id or PRUNED_STAT in run.stats:
            continue
        if kept_service_scores(run.stats) is not None:
            continue
        value = {"version": SCORES_VERSION, "scores": service_scores(store, run.id)}
        try:
            store.set_stat(run.id, SCORES_KEY, value)
        except sqlite3.Error:
            return
