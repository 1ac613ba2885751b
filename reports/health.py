"""Health scores per category, and their history across runs of the same site.

A category's health is the share of the site's HTML pages that are free of serious
problems of that kind, from 0 (every page has a high or critical one) to 100 (none has
a medium, high or critical one):

    page penalty  = 1    when the page has a critical or high problem in the category
                    0.5  when its worst problem in the category is medium
                    0    otherwise (low and info problems do not count)
    health        = 100 * (1 - sum of page penalties / HTML pages), rounded down

A category whose checks did not run (the browser stage skipped: no axe-core or Chromium)
has no score: its health is None, "not checked" in the report (audits.core.coverage).

A problem shared by many pages (a template problem) counts on every one of them.
Every page weighs the same, so the score of one run can be compared with another's,
however the site's traffic moved; the priorities are where traffic counts.

Each run's scores, and its findings per category, are computed once and kept with the
run (`stats.report_health` in the store, written by the engine's
`audits.stages.retention.keep_health` stage before the reports) so that the trend over many
runs costs no recount of their findings.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from audits.core.coverage import unchecked_categories
from audits.store import PRUNED_STAT
from rules.base import Category

if TYPE_CHECKING:
    from audits.store import RunInfo, Store

PENALTIES: dict[str, float] = {"critical": 1.0, "high": 1.0, "medium": 0.5}
HEALTH_VERSION = 1
"""Raised whenever the formula changes, so kept scores are worked out again."""
STATS_KEY = "report_health"
COUNTS_KEY = "findings_by_category"
"""Findings per category, kept with a run's health and in a pruned run's summary."""
MAX_HISTORY = 30
"""Runs shown in the trend charts, the latest ones."""

CATEGORIES: tuple[str, ...] = tuple(c.value for c in Category)


def page_penalties(
    findings: Iterable[tuple[str, str, str, Sequence[str]]], pages: set[str]
) -> dict[str, dict[str, float]]:
    """category -> page -> penalty, from (category, severity, url, pages) of findings.

    Only pages in `pages` (the run's HTML pages) count.
    """
    result: dict[str, dict[str, float]] = {c: {} for c in CATEGORIES}
    for category, severity, url, shared in findings:
        penalty = PENALTIES.get(severity)
        if penalty is None:
            continue
        by_page = result.setdefault(category, {})
        for page in (url, *shared) if shared else (url,):
            if page in pages and by_page.get(page, 0.0) < penalty:
                by_page[page] = penalty
    return result


def health_score(page_count: int, penalties: Iterable[float]) -> int:
    """100 * (1 - penalties / pages), rounded down, within 0..100; 100 for no pages."""
    if page_count <= 0:
        return 100
    value = 100.0 * (1.0 - sum(penalties) / page_count)
    return max(0, min(100, math.floor(value + 1e-9)))


Health = dict[str, int | None]
"""Category -> health score, None for a category that was not checked."""


def health_scores(
    findings: Iterable[tuple[str, str, str, Sequence[str]]],
    pages: set[str],
    unchecked: Iterable[str] = (),
) -> Health:
    """Every category's health for one run; None for the `unchecked` categories."""
    penalties = page_penalties(findings, pages)
    skipped = set(unchecked)
    return {
        c: None if c in skipped else health_score(len(pages), penalties.get(c, {}).values())
        for c in CATEGORIES
    }


@dataclass(frozen=True, slots=True)
class RunHealth:
    """One run's point on the trend charts."""

    run_id: int
    started: str
    status: str
    pages: int
    findings: dict[str, int]
    """Findings per category."""
    health: Health


def category_counts(store: Store, run_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """run id -> findings per category (every category present): as kept with each run
    (`kept_counts`), else counted, the runs without them in one query."""
    counts: dict[int, dict[str, int]] = {}
    wanted = set(run_ids)
    for run in store.runs() if wanted else ():
        if run.id in wanted and (kept := kept_counts(run.stats)) is not None:
            counts[run.id] = kept
    counted = [run_id for run_id in run_ids if run_id not in counts]
    counts.update(count_categories(store, counted))
    return {run_id: counts[run_id] for run_id in run_ids}


def count_categories(store: Store, run_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """run id -> findings per category (every category present) of the runs' stored
    findings, in one query."""
    counts: dict[int, dict[str, int]] = {r: dict.fromkeys(CATEGORIES, 0) for r in run_ids}
    if run_ids:
        for run_id, category, count in store.category_counts(run_ids):
            counts[run_id][category] = int(count)
    return counts


def kept_counts(stats: Any) -> dict[str, int] | None:
    """Findings per category kept with a run: in the summary of a run whose findings were
    deleted ([store] keep_runs), else with its health scores (`STATS_KEY`)."""
    if not isinstance(stats, dict):
        return None
    for key in (PRUNED_STAT, STATS_KEY):
        kept = stats.get(key)
        counts = kept.get(COUNTS_KEY) if isinstance(kept, dict) else None
        if isinstance(counts, dict) and all(isinstance(n, int) for n in counts.values()):
            return {c: counts.get(c, 0) for c in CATEGORIES}
    return None


def compute_run_health(store: Store, run_id: int) -> tuple[int, Health]:
    """(HTML pages, health per category) of a stored run, read with two lean queries."""
    pages = store.html_page_urls(run_id)
    findings = store.findings_of_severity(run_id, tuple(PENALTIES))
    unchecked = unchecked_categories(store.run(run_id).stats)
    return len(pages), health_scores(findings, pages, unchecked)


def kept_health(stats: Any) -> tuple[int, Health] | None:
    """The scores kept with a run by an earlier report, if made by this formula."""
    if not isinstance(stats, dict):
        return None
    kept = stats.get(STATS_KEY)
    if not isinstance(kept, dict) or kept.get("version") != HEALTH_VERSION:
        return None
    health, pages = kept.get("health"), kept.get("pages")
    if not isinstance(health, dict) or not isinstance(pages, int):
        return None
    return pages, {c: _score(health.get(c, 100)) for c in CATEGORIES}


def _score(value: Any) -> int | None:
    return None if value is None else int(value)


def trend_runs(store: Store, run_id: int, limit: int = MAX_HISTORY) -> list[RunInfo]:
    """Finished runs of the same start URL up to `run_id`, and `run_id` itself, oldest
    first, at most `limit` of them."""
    runs = store.runs()
    this = next(r for r in runs if r.id == run_id)
    return [
        r
        for r in runs
        if r.start_url == this.start_url
        and (r.id == run_id or (r.id < run_id and r.status == "finished"))
    ][-limit:]


def history(
    store: Store,
    run_id: int,
    current: tuple[int, Health] | None = None,
    limit: int = MAX_HISTORY,
) -> list[RunHealth]:
    """The trend (`trend_runs`) with each run's health: kept with the run
    (`audits.stages.retention.keep_health`), else worked out now.

    `current` is (pages, health) of `run_id` when the caller has worked it out already.
    """
    chosen = trend_runs(store, run_id, limit)
    counts = category_counts(store, [r.id for r in chosen])
    points = []
    for run in chosen:
        if run.id == run_id and current is not None:
            pages, health = current
        else:
            pages, health = kept_health(run.stats) or compute_run_health(store, run.id)
        points.append(RunHealth(run.id, run.started, run.status, pages, counts[run.id], health))
    return points
