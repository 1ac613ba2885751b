"""One audit from start to finish: crawl, site rules, prioritising, reports.

The crawl runs in this process on Scrapy's reactor, which cannot be restarted: one audit
per process (tests run audits in subprocesses).
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from audits import __version__
from audits.browser import run_browser_stage, write_screenshots
from audits.config import AuditConfig, ConfigError, ReportConfig
from audits.crawl_stage import crawl
from audits.credentials import CredentialScope, from_environment
from audits.errors import SiteUnreachable, UsageError
from audits.pagestage import _describe
from audits.prioritise import Comparison, compare, inbound_counts, prioritise
from audits.resume import unfinished_run
from audits.ruleset import RuleSet, available_rules, finding_row, load_ruleset
from audits.runnotes import NOTE_STATS, SECTION_LINKS_UNCHECKED, SECTION_PAGES_UNCHECKED
from audits.store import Store, StoredSite
from rules.analyses.click_graph import click_depths
from rules.analyses.fragments import section_links_outside
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
) -> AuditResult:
    """Crawl and audit a site; write the store and the reports into out_dir.

    `resume` carries on the site's last run if it was interrupted or killed; `only_urls`
    audits just those pages (and checks their links). With `redis_url` the crawl is
    shared by `workers` local workers and any that join from elsewhere (audits.shared_crawl).
    """
    began = time.monotonic()
    start_url = check_start_url(start_url)
    if redis_url is not None and only_urls is not None:
        raise UsageError("--urls audits a few pages: it has no use for --redis")
    if redis_url is not None:
        from audits.shared_crawl import connect

        connect(redis_url).close()  # an unusable Redis fails before the run is opened
    ruleset = load_ruleset(config)  # config errors surface before any request is made
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
        run_id = store.begin_run(start_url, __version__, _public_config(config))
    carried: dict[str, Any] = {}
    if previous is not None and not resume and only_urls is None:
        carried = _carry_over_unchanged(
            store,
            run_id,
            previous,
            start_url,
            config,
            ruleset,
            staging,
        )
    store.close()

    if redis_url is not None:
        from audits.shared_crawl import crawl as shared_crawl

        stats = shared_crawl(
            start_url,
            config,
            store_path,
            run_id,
            redis_url=redis_url,
            workers=workers,
            progress=progress,
            log_dir=out_dir,
            resume=resume or bool(carried.get("siteaudit/pages_reused")),
        )
    else:
        stats = crawl(
            start_url,
            config,
            store_path,
            run_id,
            progress=progress,
            log_file=out_dir / "crawl.log",
            # Pages carried over unchanged are done: the crawl carries on from their links.
            resume=resume or bool(carried.get("siteaudit/pages_reused")),
            credentials=credentials,
            only_urls=only_urls,
            previous_run=previous,
        )
    for key, value in carried.items():
        stats[key] = stats.get(key, 0) + value
    reason = stats.get("finish_reason", "finished")
    interrupted = reason == "shutdown"

    store = Store(str(store_path))
    try:
        site = store.site(run_id)
        start_problem = _start_problem(site)
        if not (start_problem or interrupted):
            browser = run_browser_stage(
                store, run_id, config.browser, progress=progress, credentials=staging
            )
            stats.update(browser.stats)
            interrupted = browser.interrupted
        status = "interrupted" if interrupted else ("failed" if start_problem else "finished")
        if only_urls is not None:
            read = {start_url, *(normalise(url) for url in only_urls)}  # the pages parsed
            links, pages = section_links_outside(site, read)
            stats[SECTION_LINKS_UNCHECKED], stats[SECTION_PAGES_UNCHECKED] = links, pages
        store.save_stats(run_id, _summary_stats(stats))
        if not start_problem and run_site_stage(store, run_id, ruleset, previous):
            stats["siteaudit/site_results_reused"] = 1
        store.finish_run(run_id, status, _summary_stats(stats))
        result = AuditResult(
            run_id=run_id,
            store_path=store_path,
            start_url=start_url,
            status=status,
            pages=store.count_pages(run_id),
            other_urls=store.count_pages(run_id, html_only=False) - store.count_pages(run_id),
        )
        if start_problem:
            raise SiteUnreachable(start_problem)
        result.outputs = render(store, run_id, out_dir, config)
        result.findings = Counter(f.finding.severity.value for f in store.findings(run_id))
        result.rule_errors = len(store.rule_errors(run_id))
        result.warnings = notify(store, run_id, config, result.outputs.get("html"))
        if config.keep_runs and status == "finished":
            from audits.retention import prune_old_runs

            prune_old_runs(store, run_id, config.keep_runs)
    finally:
        store.close()
    result.seconds = time.monotonic() - began
    return result


def _carry_over_unchanged(
    store: Store,
    run_id: int,
    previous: int,
    start_url: str,
    config: AuditConfig,
    ruleset: RuleSet,
    credentials: CredentialScope,
) -> dict[str, Any]:
    """Before an incremental crawl: carry the pages that answer 304 over from the previous
    run (audits.revalidate); the stats to add to the crawl's."""
    from audits.revalidate import revalidate
    from crawler.scope import Scope

    began = time.monotonic()
    crawl_config = config.crawl
    scope = Scope(
        start_url,
        hosts=crawl_config.hosts,
        include=crawl_config.include,
        exclude=crawl_config.exclude,
    )
    landing = store.site(previous).page(start_url)
    if landing is not None and landing.final_url != start_url:
        scope.add_host(host_of(landing.final_url))  # the site lives there
    result = revalidate(
        store,
        run_id,
        previous,
        crawl_config,
        scope,
        credentials,
        tuple(rule.id for rule in ruleset.page_rules),
    )
    reused = len(result.unchanged)
    return {
        "siteaudit/pages_reused": reused,
        "siteaudit/pages_html": reused,
        "siteaudit/revalidated": result.asked,
        "elapsed_time_seconds": time.monotonic() - began,
    }


def notify(store: Store, run_id: int, config: AuditConfig, report: Path | None) -> list[str]:
    """Send the configured notifications; what could not be delivered, one line each."""
    from audits.notify import NotifyError, post_webhook, run_summary, send_digests

    settings = config.notify
    location = report.resolve().as_uri() if report is not None else ""
    problems = []
    if settings.webhook:
        try:
            post_webhook(settings.webhook, run_summary(store, run_id, location))
        except NotifyError as exc:
            problems.append(str(exc))
    try:
        send_digests(settings, store, run_id, location)
    except NotifyError as exc:
        problems.append(str(exc))
    return problems


def run_site_stage(
    store: Store, run_id: int, ruleset: RuleSet, previous: int | None = None
) -> bool:
    """After the crawl: click depths, sitemap flags, then every site rule.

    With `previous` (an incremental re-audit's base run), when the crawl found exactly
    what that run found (audits.siteinputs), the site rules' results are carried over
    rather than worked out again; rules that depend on the date run afresh. True when
    they were.
    """
    from audits.siteinputs import (
        carry_site_results,
        dated_rules,
        remember_site_inputs,
        site_inputs_of,
    )

    site = store.site(run_id)
    rules = list(ruleset.site_rules)
    # Idempotent: a resumed or re-rendered run must not get a second set of these.
    store.forget_findings(run_id, [rule.id for rule in rules])
    digest = remember_site_inputs(store, run_id)
    carried = previous is not None and digest == site_inputs_of(store, previous)
    if carried:
        dated = dated_rules(rules)
        with store.transaction():
            carry_site_results(store, run_id, previous, [r.id for r in rules if r not in dated])
        rules = dated
    else:
        with store.transaction():
            store.set_click_depths(run_id, click_depths(site))
            store.mark_in_sitemap(run_id)
    for rule in rules:
        try:
            rows = [finding_row(f) for f in rule.check_site(site)]
        except Exception as exc:  # a faulty rule must not cost the rest of the audit
            store.add_rule_error(run_id, rule.id, site.start_url, _describe(exc))
            continue
        with store.transaction():
            store.add_findings(run_id, rows)
    return carried


def run_prioritise_stage(
    store: Store, run_id: int, report: ReportConfig | None
) -> tuple[Comparison, dict[str, int]]:
    """Score, band and date every finding of a run (by page views when `[report]`
    names an analytics export), and keep the run's health with it for the trend.

    Returns what it read that the reports read too (the comparison with the previous
    run, inbound link counts), so they need not read it again.
    """
    from audits.retention import keep_health
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
    )
    # The browser stage's figures, axe-core's version among them (findings.json shows it).
    keep += ("axe_core", "browser/pages", "browser/reused", "browser/errors", "browser/seconds")
    keep += NOTE_STATS  # what the report's run notes are made of
    return {k: stats[k] for k in keep if k in stats}


def _public_config(config: AuditConfig) -> dict[str, Any]:
    """The configuration as recorded with the run (nothing secret lives in it)."""
    data = dataclasses.asdict(config)
    data["rules"] = {k: dict(v) for k, v in config.rules.items()}
    return data


__all__ = ["AuditResult", "audit", "render"]
