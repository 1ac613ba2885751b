"""One audit from start to finish: a list of stages run in order on one `AuditRun`.

    open the run -> carry over unchanged pages -> crawl -> browser -> site rules
    -> merge agreeing findings -> finish the run -> prioritise and report -> notify -> prune old runs

Each stage is a function of the run (the store, the rule engine, the crawl's stats) and
decides from it whether it has work to do: an interrupted crawl skips the browser, a
start URL that gave nothing skips the browser and the site rules and ends the audit with
SiteUnreachable once the run is recorded. The stages' own modules are in audits/stages/.

The crawl runs in this process on Scrapy's reactor, which cannot be restarted: one audit
per process (tests run audits in subprocesses).
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from audits import __version__
from audits.core.config import AuditConfig
from audits.core.coverage import (
    BROWSER,
    CRAWL,
    RESUME_FIX,
    SITE,
    SKIPPED,
    STAGES_STAT,
    STOPPED,
    StageOutcome,
    record_stage,
    stage_outcomes,
)
from audits.core.credentials import Credentials, CredentialScope, from_environment
from audits.core.errors import SiteUnreachable, UsageError
from audits.core.progress import audit_clock
from audits.core.runnotes import NOTE_STATS, SECTION_LINKS_UNCHECKED, SECTION_PAGES_UNCHECKED
from audits.rule_engine import RuleEngine, rule_engine
from audits.stages.browser import BrowserOutcome, run_browser_stage
from audits.stages.crawl import crawl, give_back_memory
from audits.stages.merge import merge_agreeing_findings
from audits.stages.report import render
from audits.stages.resume import unfinished_run
from audits.stages.site import run_site_stage
from audits.store import Store, StoredSite
from rules.analyses.fragments import section_links_outside
from rules.analyses.site_search import SITE_SEARCH_STAT
from rules.site import SOFT_404_TITLE_STAT
from rules.urls import host_of, normalise


@dataclass
class AuditResult:
    """What one audit produced, for the CLI's summary."""

    run_id: int
    store_path: Path
    start_url: str
    status: str
    pages: int
    other_urls: int
    findings: Counter[str] = field(default_factory=Counter)
    rule_errors: int = 0
    outputs: dict[str, Path] = field(default_factory=dict)
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    """Things that went wrong without spoiling the audit (an undelivered notification)."""
    stages: dict[str, StageOutcome] = field(default_factory=dict)
    """What each checking stage did (audits.core.coverage)."""


@dataclass
class AuditRun:
    """One audit as its stages see it: what was asked, and what the stages so far made."""

    start_url: str
    config: AuditConfig
    out_dir: Path
    store_path: Path
    store: Store
    run_id: int
    engine: RuleEngine
    credentials: Credentials
    staging: CredentialScope
    progress: bool = False
    resume: bool = False
    only_urls: list[str] | None = None
    redis_url: str | None = None
    workers: int = 1
    previous: int | None = None
    """The base run of an incremental re-audit."""
    dated: datetime | None = None
    """When the run counts as started, if not now (the demo's earlier weeks)."""
    began: float = field(default_factory=time.monotonic)
    stats: dict[str, Any] = field(default_factory=dict)
    status: str = "running"
    start_problem: str | None = None
    """Why the start URL gave nothing to audit; set after the crawl."""
    outputs: dict[str, Path] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def check_start_url(url: str) -> str:
    """The normalised start URL, or UsageError saying what is wrong with it."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        raise UsageError(f"{url!r} is not a web address: give a URL starting http:// or https://")
    if not parts.hostname:
        raise UsageError(f"{url!r} has no host name")
    try:
        _ = parts.port
    except ValueError:
        raise UsageError(f"{url!r} has an invalid port") from None
    return normalise(url)


def audit(
    start_url: str,
    config: AuditConfig,
    out_dir: Path,
    *,
    progress: bool = False,
    resume: bool = False,
    only_urls: list[str] | None = None,
    redis_url: str | None = None,
    workers: int = 1,
    dated: datetime | None = None,
) -> AuditResult:
    """Crawl and audit a site; write the store and the reports into out_dir.

    `resume` carries on the site's last run if it was interrupted or killed; `only_urls`
    audits just those pages (and checks their links). With `redis_url` the crawl is
    shared by `workers` local workers and any that join from elsewhere
    (audits.stages.shared_crawl). `dated` records the run as started then rather than now
    (with `--as-of` in its rules, an audit of how the site was that day).
    """
    began = time.monotonic()
    audit_clock.restart()
    run = open_run(
        start_url,
        config,
        out_dir,
        progress=progress,
        resume=resume,
        only_urls=only_urls,
        redis_url=redis_url,
        workers=workers,
        dated=dated,
    )
    try:
        for stage in STAGES:
            stage(run)
        return _result(run, began)
    finally:
        run.store.close()


def _result(run: AuditRun, began: float) -> AuditResult:
    store, run_id = run.store, run.run_id
    pages = store.count_pages(run_id)
    return AuditResult(
        run_id=run_id,
        store_path=run.store_path,
        start_url=run.start_url,
        status=run.status,
        pages=pages,
        other_urls=store.count_pages(run_id, html_only=False) - pages,
        # Counted by the store: reading the findings would hold them all at once.
        findings=Counter(store.severity_counts(run_id)),
        rule_errors=len(store.rule_errors(run_id)),
        outputs=run.outputs,
        seconds=time.monotonic() - began,
        warnings=run.warnings,
        stages=stage_outcomes(run.stats),
    )


def open_run(
    start_url: str,
    config: AuditConfig,
    out_dir: Path,
    *,
    progress: bool,
    resume: bool,
    only_urls: list[str] | None,
    redis_url: str | None,
    workers: int,
    dated: datetime | None = None,
) -> AuditRun:
    """Check what was asked (every mistake in it fails before any request is made), then
    open the store and begin the run, or reopen the interrupted one to resume."""
    start_url = check_start_url(start_url)
    if redis_url is not None and only_urls is not None:
        raise UsageError("--urls audits a few pages: it has no use for --redis")
    if redis_url is not None:
        from audits.stages.shared_crawl import connect

        connect(redis_url).close()  # an unusable Redis fails before the run is opened
    engine = rule_engine(config)  # config errors surface before any request is made
    credentials = from_environment()  # likewise for a malformed staging-credentials setting
    staging = CredentialScope.for_site(credentials, start_url, config.crawl.hosts)
    out_dir.mkdir(parents=True, exist_ok=True)
    store_path = Path(config.store) if config.store else out_dir / "audit.db"
    store = Store(str(store_path))
    run_id = unfinished_run(store, start_url) if resume else None
    previous = None
    if config.crawl.incremental:
        previous = store.incremental_base(start_url, __version__, _public_config(config)["rules"])
    if run_id is not None:
        store.reopen_run(run_id)
    else:
        started = _iso(dated) if dated is not None else None
        run_id = store.begin_run(start_url, __version__, _public_config(config), started)
    return AuditRun(
        start_url=start_url,
        config=config,
        out_dir=out_dir,
        store_path=store_path,
        store=store,
        run_id=run_id,
        engine=engine,
        credentials=credentials,
        staging=staging,
        progress=progress,
        resume=resume,
        only_urls=only_urls,
        redis_url=redis_url,
        workers=workers,
        previous=previous,
        dated=dated,
    )


def carry_over_unchanged(run: AuditRun) -> None:
    """Before an incremental crawl: carry the pages and files that answer 304 over from
    the base run (audits.stages.revalidate), adding what it did to the crawl's stats
    (files count as the crawl counts them, under siteaudit/urls_other)."""
    if run.previous is None or run.resume or run.only_urls is not None:
        return
    from audits.stages.revalidate import revalidate
    from crawler.scope import Scope

    began = time.monotonic()
    crawl_config = run.config.crawl
    scope = Scope(
        run.start_url,
        hosts=crawl_config.hosts,
        include=crawl_config.include,
        exclude=crawl_config.exclude,
    )
    landing = run.store.site(run.previous).page(run.start_url)
    if landing is not None and landing.final_url != run.start_url:
        scope.add_host(host_of(landing.final_url))  # the site lives there
    result = revalidate(
        run.store,
        run.run_id,
        run.previous,
        crawl_config,
        scope,
        run.staging,
        tuple(rule.id for rule in run.engine.page_rules),
    )
    reused = len(result.unchanged) - result.files
    run.stats.update(
        {
            "siteaudit/pages_reused": reused,
            "siteaudit/pages_html": reused,
            "siteaudit/urls_other": result.files,
            "siteaudit/revalidated": result.asked,
            "elapsed_time_seconds": time.monotonic() - began,
        }
    )


def crawl_site(run: AuditRun) -> None:
    """Crawl the site (through Redis when the run is a shared crawl). The crawl writes to
    the store from its own connection, so the run's is closed meanwhile."""
    carried = dict(run.stats)
    # Pages carried over unchanged are done: the crawl carries on from their links.
    resume = run.resume or bool(
        carried.get("siteaudit/pages_reused") or carried.get("siteaudit/urls_other")
    )
    run.store.close()
    if run.redis_url is not None:
        from audits.stages.shared_crawl import crawl as shared_crawl

        stats = shared_crawl(
            run.start_url,
            run.config,
            run.store_path,
            run.run_id,
            redis_url=run.redis_url,
            workers=run.workers,
            progress=run.progress,
            log_dir=run.out_dir,
            resume=resume,
        )
    else:
        stats = crawl(
            run.start_url,
            run.config,
            run.store_path,
            run.run_id,
            progress=run.progress,
            log_file=run.out_dir / "crawl.log",
            resume=resume,
            credentials=run.credentials,
            only_urls=run.only_urls,
            previous_run=run.previous,
        )
    give_back_memory()  # the crawl's peak working set, before the stages after it
    for key, value in carried.items():
        stats[key] = stats.get(key, 0) + value
    run.stats = stats
    run.store = Store(str(run.store_path))
    if stats.get("finish_reason", "finished") == "shutdown":
        run.status = "interrupted"
        record_stage(stats, CRAWL, StageOutcome(STOPPED, "interrupted (Ctrl-C)", RESUME_FIX))
    else:
        record_stage(stats, CRAWL, StageOutcome())
    run.start_problem = _start_problem(run.store.site(run.run_id))


def check_in_browser(run: AuditRun) -> None:
    """Run axe-core on every page in headless Chromium (audits.stages.browser)."""
    if run.start_problem:
        return
    if run.status == "interrupted":
        outcome = StageOutcome(SKIPPED, "the audit was interrupted before it", RESUME_FIX)
    elif not run.config.browser.enabled:
        outcome = StageOutcome(
            SKIPPED, "it was turned off (--no-browser, or [browser] enabled = false)"
        )
    else:
        browser = run_browser_stage(
            run.store,
            run.run_id,
            run.config.browser,
            progress=run.progress,
            credentials=run.staging,
        )
        run.stats.update(browser.stats)
        if browser.interrupted:
            run.status = "interrupted"
        outcome = _browser_outcome(browser)
    record_stage(run.stats, BROWSER, outcome)


def _browser_outcome(browser: BrowserOutcome) -> StageOutcome:
    """Ran; skipped when no page was checked; stopped when some were."""
    if browser.interrupted:
        return StageOutcome(STOPPED, "interrupted (Ctrl-C)", RESUME_FIX)
    if browser.problem is None:
        return StageOutcome()
    checked = browser.stats.get("browser/pages", 0) - browser.stats.get("browser/errors", 0)
    problem = browser.problem
    return StageOutcome(STOPPED if checked > 0 else SKIPPED, problem.reason, problem.fix)


def check_site(run: AuditRun) -> None:
    """Click depths and the site rules (audits.stages.site)."""
    if run.status == "running":
        run.status = "failed" if run.start_problem else "finished"
    if run.only_urls is not None:
        # Links to sections of pages outside --urls: those pages were not read.
        read = {run.start_url, *(normalise(url) for url in run.only_urls)}
        links, pages = section_links_outside(run.store.site(run.run_id), read)
        run.stats[SECTION_LINKS_UNCHECKED], run.stats[SECTION_PAGES_UNCHECKED] = links, pages
    run.store.save_stats(run.run_id, _summary_stats(run.stats))
    if run.start_problem:
        return
    if run_site_stage(run.store, run.run_id, run.engine, run.previous):
        run.stats["siteaudit/site_results_reused"] = 1
    give_back_memory()  # the site stage's working set, before the reports
    record_stage(run.stats, SITE, StageOutcome())


def check_merge(run: AuditRun) -> None:
    """One barrier, one finding: a static check and axe-core that agree on a page, an
    element and a WCAG criterion become one finding with both sources
    (audits.stages.merge)."""
    if not run.start_problem:
        merge_agreeing_findings(run.store, run.run_id, run.engine.all)


def finish_run(run: AuditRun) -> None:
    """Record the run's end and its stats; a start URL that gave nothing ends it here."""
    finished = None
    if run.dated is not None:
        finished = _iso(run.dated + timedelta(seconds=time.monotonic() - run.began))
    run.store.finish_run(run.run_id, run.status, _summary_stats(run.stats), finished)
    if run.start_problem:
        raise SiteUnreachable(run.start_problem)


def report(run: AuditRun) -> None:
    """Prioritise, keep the health trend and write the reports (audits.stages.report)."""
    run.outputs = render(run.store, run.run_id, run.out_dir, run.config)


def notify(run: AuditRun) -> None:
    """Webhook and e-mail digests (audits.stages.notify); failures become warnings."""
    from audits.stages.notify import notify_run

    run.warnings = notify_run(run.store, run.run_id, run.config.notify, run.outputs.get("html"))


def prune(run: AuditRun) -> None:
    """Keep only the last `keep_runs` finished runs (audits.stages.retention)."""
    if run.config.keep_runs and run.status == "finished":
        from audits.stages.retention import prune_old_runs

        prune_old_runs(run.store, run.run_id, run.config.keep_runs)


STAGES: tuple[Callable[[AuditRun], None], ...] = (
    carry_over_unchanged,
    crawl_site,
    check_in_browser,
    check_site,
    check_merge,
    finish_run,
    report,
    notify,
    prune,
)
"""The stages of `audit`, in order."""


def _iso(moment: datetime) -> str:
    """A moment as the store writes times: UTC, ISO 8601, to the second."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def _start_problem(site: StoredSite) -> str | None:
    """Why the start URL gave nothing to audit, or None when it is a working HTML page."""
    page = site.page(site.start_url)
    if page is None:
        return f"could not crawl {site.start_url}: no response was recorded"
    if page.error and page.status is None:
        return f"could not crawl {site.start_url}: {page.error}"
    if page.status is not None and page.status >= 400:
        return f"could not crawl {site.start_url}: the server answered {page.status}"
    landing = site.page(page.final_url) if page.final_url != page.url else page
    if landing is None or not landing.is_html:
        kind = (landing.content_type if landing else page.content_type) or "unknown type"
        if (
            page.final_url != page.url
            and urlsplit(page.final_url).netloc != urlsplit(page.url).netloc
        ):
            return f"could not crawl {site.start_url}: it redirects to {page.final_url}"
        return f"could not crawl {site.start_url}: it is not an HTML page ({kind})"
    return None


def _summary_stats(stats: Mapping[str, Any]) -> dict[str, Any]:
    keep = (
        "finish_reason",
        "downloader/request_count",
        "downloader/response_count",
        "siteaudit/pages_html",
        "siteaudit/pages_reused",
        "siteaudit/revalidated",
        "siteaudit/site_results_reused",
        "siteaudit/urls_other",
        "siteaudit/findings",
        "robotstxt/forbidden",
        "elapsed_time_seconds",
        SOFT_404_TITLE_STAT,
        SITE_SEARCH_STAT,  # what the site's own search gave (the site search rules read it)
    )
    # The browser stage's figures, axe-core's version among them (findings.json shows it).
    keep += ("axe_core", "browser/pages", "browser/reused", "browser/errors", "browser/seconds")
    keep += NOTE_STATS  # what the report's run notes are made of
    keep += (STAGES_STAT,)  # which stages ran (audits.core.coverage)
    return {k: stats[k] for k in keep if k in stats}


def _public_config(config: AuditConfig) -> dict[str, Any]:
    """The configuration as recorded with the run (nothing secret lives in it)."""
    data = dataclasses.asdict(config)
    data["rules"] = {k: dict(v) for k, v in config.rules.items()}
    return data


__all__ = ["STAGES", "AuditResult", "AuditRun", "audit", "render"]
