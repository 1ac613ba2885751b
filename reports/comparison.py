"""The comparison index of a multi-site audit (`siteaudit audit --sites FILE`).

Written into the --out folder, beside each site's own report in `<folder>/`:

    index.html        one row per site: health per category and overall, pages audited,
                      problems by severity, a link to the site's report; sortable
    comparison.json   the same figures for other tools
    comparison.csv    the same, a row per site, for spreadsheets

The figures are read from each site's store (its latest run), with the functions the
site's own report uses, so a site's row always says what its overview and findings.json
say. Category health is `reports.health`'s score; overall health is the mean of the
category scores (of those checked), rounded down, so that every kind of problem weighs
the same whatever the size of the site. Sites that could not be audited have a row too, with the reason.

Everything from crawled pages (a home page's title) and from the sites file (names) is
shown through the report's autoescaping jinja2 environment, under the report's
Content-Security-Policy; CSV cells are guarded against formulas like findings.csv's.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup

from audits import PROJECT_URL, __version__
from audits.store import Store, StoreError, now
from reports.csv_export import cell
from reports.files import atomic_open, write_atomic
from reports.health import CATEGORIES, Health, compute_run_health, kept_health
from reports.html import (
    CONTENT_SECURITY_POLICY,
    INDEX_HTML,
    SCRIPT,
    STYLESHEET,
    environment,
    render_atomic,
    stylesheet,
)
from rules.base import Severity

COMPARISON_HTML = INDEX_HTML
COMPARISON_JSON = "comparison.json"
COMPARISON_CSV = "comparison.csv"
COMPARISON_VERSION = 1
RESERVED_NAMES = frozenset({COMPARISON_HTML, COMPARISON_JSON, COMPARISON_CSV, STYLESHEET})
"""Files of the comparison itself: no site's folder may take one of these names."""

SEVERITIES: tuple[str, ...] = tuple(s.value for s in Severity)

STATES: dict[str, str] = {
    "audited": "Audited",
    "failed-gate": "Audited; fails the gate",
    "browser-skipped": "Audited without the browser's accessibility checks (--require-browser)",
    "interrupted": "Interrupted; covers the pages reached",
    "not-audited": "Could not be audited",
    "waiting": "Not audited in this run",
}
"""A site's state in the comparison, and how the index says it."""
FIGURED_STATES = frozenset({"audited", "failed-gate", "browser-skipped", "interrupted"})
"""States whose site has figures and a report from this run."""


@dataclass(frozen=True, slots=True)
class SiteFigures:
    """One site's latest run, as its own report counts it."""

    run_id: int
    started: str
    run_status: str
    title: str
    """The home page's title: crawled text, untrusted."""
    pages: int
    """HTML pages audited (findings.json's run.pages)."""
    by_severity: dict[str, int]
    health: Health

    @property
    def findings(self) -> int:
        """Every finding of the run."""
        return sum(self.by_severity.values())

    @property
    def overall(self) -> int:
        """Overall health: the mean of the category scores, rounded down."""
        return overall_health(self.health)


@dataclass(frozen=True, slots=True)
class SiteResult:
    """One site's row in the comparison."""

    url: str
    folder: str
    """The site's folder under --out, holding its store and report."""
    state: str
    """A key of STATES."""
    name: str = ""
    """The name the sites file gives, if any."""
    reason: str = ""
    """Why a site could not be audited: the one-line error of its audit."""
    exit_code: int | None = None
    figures: SiteFigures | None = None
    """The latest run's figures; only for states in FIGURED_STATES."""

    @property
    def label(self) -> str:
        """What the index calls the site: its given name, else its home page's title, else
        its host."""
        title = self.figures.title.strip() if self.figures is not None else ""
        return self.name or title or (urlsplit(self.url).hostname or self.url)


def overall_health(health: Mapping[str, int | None]) -> int:
    """The mean of the checked categories' scores, rounded down (100 when there are none)."""
    scores = [score for c in CATEGORIES if (score := health.get(c, 100)) is not None]
    return math.floor(sum(scores) / len(scores)) if scores else 100


def read_figures(store_path: Path, start_url: str) -> SiteFigures | None:
    """The figures of the latest run of `start_url` in a site's store; None without one."""
    if not store_path.is_file():
        return None
    try:
        store = Store(str(store_path), read_only=True)
    except StoreError:
        return None
    try:
        runs = [r for r in store.runs() if r.start_url == start_url]
        if not runs:
            return None
        run = runs[-1]
        # The site's report kept its scores with the run; a run reported without HTML has
        # none, and gets them from the same function the report would have used.
        kept = kept_health(run.stats)
        _, health = kept if kept is not None else compute_run_health(store, run.id)
        counts = store.severity_counts(run.id)
        return SiteFigures(
            run_id=run.id,
            started=run.started,
            run_status=run.status,
            title=_home_title(store, run.id, start_url),
            pages=store.count_pages(run.id),
            by_severity={s: int(counts.get(s, 0)) for s in SEVERITIES},
            health=health,
        )
    finally:
        store.close()


def _home_title(store: Store, run_id: int, start_url: str) -> str:
    """The title of the page the start URL led to (after redirects), or ''."""
    site = store.site(run_id)
    page = site.page(start_url)
    if page is not None and page.final_url != page.url:
        page = site.page(page.final_url) or page
    return page.title if page is not None else ""


def report_link(out_dir: Path, result: SiteResult) -> str | None:
    """The site's report relative to the comparison, when this run made one."""
    if result.state not in FIGURED_STATES:
        return None
    href = f"{result.folder}/{INDEX_HTML}"
    return href if (out_dir / href).is_file() else None


def comparison_data(
    results: Sequence[SiteResult], out_dir: Path, *, finished: bool
) -> dict[str, Any]:
    """The comparison.json document."""
    sites = []
    for r in results:
        f = r.figures
        sites.append(
            {
                "name": r.label,
                "url": r.url,
                "folder": r.folder,
                "report": report_link(out_dir, r),
                "state": r.state,
                "exit_code": r.exit_code,
                "reason": r.reason or None,
                "run": None
                if f is None
                else {"id": f.run_id, "started": f.started, "status": f.run_status},
                "pages": None if f is None else f.pages,
                "findings": None if f is None else f.findings,
                "by_severity": None if f is None else f.by_severity,
                "health": None if f is None else {"overall": f.overall, **f.health},
            }
        )
    return {
        "comparison_version": COMPARISON_VERSION,
        "tool": {"name": "siteaudit", "version": __version__},
        "written": now(),
        "finished": finished,
        "sites": sites,
    }


CSV_COLUMNS: tuple[str, ...] = (
    "name",
    "url",
    "state",
    "reason",
    "pages",
    "findings",
    *SEVERITIES,
    "health_overall",
    *(f"health_{c}" for c in CATEGORIES),
    "report",
    "run",
    "started",
)


def csv_rows(data: Mapping[str, Any]) -> list[list[str | int | float]]:
    """The rows of comparison.csv for a comparison.json document."""
    rows = []
    for site in data["sites"]:
        severity = site["by_severity"] or {}
        health = site["health"] or {}
        run = site["run"] or {}
        values = (
            site["name"],
            site["url"],
            site["state"],
            site["reason"],
            site["pages"],
            site["findings"],
            *(severity.get(s) for s in SEVERITIES),
            health.get("overall"),
            *(health.get(c) for c in CATEGORIES),
            site["report"],
            run.get("id"),
            run.get("started"),
        )
        rows.append([cell(v) for v in values])
    return rows


def write_comparison(
    results: Sequence[SiteResult], out_dir: Path, *, finished: bool = True
) -> dict[str, Path]:
    """Write index.html, comparison.json and comparison.csv into `out_dir`, each atomically.

    `finished` is false while sites are still being audited: the index says so.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    data = comparison_data(results, out_dir, finished=finished)
    json_path = write_atomic(
        out_dir / COMPARISON_JSON, json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    )
    csv_path = out_dir / COMPARISON_CSV
    # UTF-8 with a byte-order mark and CRLF, as findings.csv, so Excel opens it as it is.
    with atomic_open(csv_path, encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        writer.writerows(csv_rows(data))
    write_atomic(out_dir / STYLESHEET, stylesheet())
    html_path = render_atomic(
        out_dir / COMPARISON_HTML,
        environment().get_template("comparison.html.j2"),
        {
            "csp": CONTENT_SECURITY_POLICY,
            "script": Markup(SCRIPT),  # noqa: S704 - our own file, checked for '</'
            "version": __version__,
            "project_url": PROJECT_URL,
            "written": data["written"],
            "finished": finished,
            "rows": [(r, report_link(out_dir, r)) for r in results],
            "states": STATES,
            "category_keys": CATEGORIES,
            "severity_keys": SEVERITIES,
            "counts": {state: sum(1 for r in results if r.state == state) for state in STATES},
        },
    )
    return {"html": html_path, "json": json_path, "csv": csv_path}
