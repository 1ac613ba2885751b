"""The crawl stage: Scrapy in this process, given one crawl plan.

The engine (audits/engine.py) runs it for an audit in one process, and each worker of a
shared crawl (audits/stages/shared_crawl.py) runs it for its part; neither imports the other for
it. The plan is built here from what the store holds, or from what the coordinator of a
shared crawl hands over, and the spider reads nothing else (crawler/plan.py).
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import gc
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from audits.core.config import AuditConfig
from audits.core.credentials import Credentials, CredentialScope, from_environment
from audits.stages.resume import resume_state
from audits.store import Store
from crawler.plan import CarryOn, CrawlPlan, EarlierRun
from rules.urls import normalise

# Young objects are collected every this many allocations during the crawl, not every 700:
# the crawl makes and drops a great many short-lived objects for each response, and the
# collector took 15% of the crawl's CPU (1.1 s of 7.3 on a 2,000-page links-only audit;
# 0.2 s with this and gc.freeze()).
CRAWL_GC_THRESHOLD = 50_000


def crawl(
    start_url: str,
    config: AuditConfig,
    store_path: Path,
    run_id: int,
    *,
    progress: bool,
    log_file: Path | None,
    resume: bool = False,
    credentials: Credentials | None = None,
    only_urls: list[str] | None = None,
    previous_run: int | None = None,
    shared: tuple[dict[str, Any], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Run the Scrapy crawl in this process; return its stats.

    `shared` makes this process one worker of a crawl shared through Redis: (settings,
    parts of the crawl plan) from audits.stages.shared_crawl; such a worker has no store."""
    from scrapy.crawler import AsyncCrawlerProcess
    from scrapy.utils.project import get_project_settings

    from crawler.spiders.site import SiteSpider

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = get_project_settings()
    crawl_config = config.crawl
    overrides: dict[str, Any] = {
        "SITEAUDIT_STORE": str(store_path),
        "SITEAUDIT_RUN_ID": run_id,
        "SITEAUDIT_PROGRESS": progress,
        # Every host gets the external allowance; the site's own hosts get the configured
        # concurrency and delay (crawler/throttle.py, DOWNLOAD_SLOTS per host).
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawl_config.external_concurrency,
        "CONCURRENT_REQUESTS": max(32, crawl_config.concurrency * 2),
        "DOWNLOAD_DELAY": crawl_config.external_delay,
        "DOWNLOAD_TIMEOUT": crawl_config.timeout,
        "DOWNLOAD_MAXSIZE": crawl_config.max_page_bytes,
        "SITEAUDIT_CONCURRENCY": crawl_config.concurrency,
        "SITEAUDIT_DELAY": crawl_config.delay,
        "SITEAUDIT_MAX_CRAWL_DELAY": crawl_config.max_crawl_delay,
        "SITEAUDIT_RETRIES": crawl_config.retries,
        "SITEAUDIT_MAX_RETRY_AFTER": crawl_config.max_retry_after,
        "LOG_ENABLED": log_file is not None,
    }
    if log_file is not None:
        overrides.update({"LOG_FILE": str(log_file), "LOG_FILE_APPEND": False})
    if shared is not None:
        overrides.update(shared[0])
    settings.setdict(overrides, priority="cmdline")
    settings.set("LOG_INSTALL_ROOT_HANDLER", log_file is not None, priority="cmdline")
    staging = CredentialScope.for_site(
        credentials if credentials is not None else from_environment(),
        normalise(start_url),
        crawl_config.hosts,
    )
    store = Store(str(store_path)) if shared is None else None
    try:
        if store is None:
            assert shared is not None
            plan = shared_worker_plan(start_url, config, staging, shared[1])
        else:
            plan = crawl_plan(
                start_url,
                config,
                staging,
                store,
                run_id,
                resume=resume,
                only_urls=only_urls,
                previous_run=previous_run,
            )
            if plan.earlier is None:
                store.close()  # the crawl itself reads nothing from it
                store = None
        process = AsyncCrawlerProcess(settings)
        crawler = process.create_crawler(SiteSpider)
        process.crawl(crawler, plan=plan)
        with collecting_less():
            process.start()
    finally:
        if store is not None:
            store.close()
    assert crawler.stats is not None
    return crawler.stats.get_stats()


@contextlib.contextmanager
def collecting_less() -> Iterator[None]:
    """While crawling: what is loaded by now (Scrapy, the rules, the plan) lives as long as
    the crawl, so the garbage collector stops walking it (gc.freeze), and it runs less
    often. The stages after the crawl get the collector as it was."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(CRAWL_GC_THRESHOLD, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def give_back_memory() -> None:
    """Hand the memory this process freed back to the operating system, between stages.

    What a stage drops is freed to the allocator, not to the system: glibc keeps the
    free pages of its heaps for the next allocation, so the crawl's peak working set
    (responses in flight, queued requests) stays resident under the site stage and the
    reports. Collecting the garbage and then `malloc_trim(0)` returns those pages. Does
    nothing where the C library has no malloc_trim (musl, macOS)."""
    gc.collect()
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError):
        return
    trim(0)


def crawl_plan(
    start_url: str,
    config: AuditConfig,
    credentials: CredentialScope,
    store: Store,
    run_id: int,
    *,
    resume: bool,
    only_urls: list[str] | None,
    previous_run: int | None,
) -> CrawlPlan:
    """The plan of one crawl in this process, from what the store holds: the frontier of
    a run carried on (`resume`), the validators of an incremental re-audit's base run
    (`previous_run`, whose links `store` gives while the crawl runs) and recent verdicts
    on external links."""
    start_url = normalise(start_url)
    crawl_config = config.crawl
    carry_on = None
    if resume:
        done, frontier, sitemap = resume_state(store, run_id)
        carry_on = CarryOn(frozenset(done), tuple(frontier), tuple(sitemap))
    earlier = None
    if previous_run is not None:
        earlier = EarlierRun(
            previous_run,
            store.validators(previous_run),
            functools.partial(store.links_from, previous_run),
        )
    known: dict[str, tuple[int, str, str]] = {}
    if crawl_config.check_external and crawl_config.external_cache_hours > 0:
        known = store.recent_external_verdicts(start_url, crawl_config.external_cache_hours)
    pages = frozenset(normalise(url) for url in only_urls) if only_urls is not None else None
    return CrawlPlan(
        start_url,
        config,
        credentials,
        only_urls=pages,
        carry_on=carry_on,
        earlier=earlier,
        known_external=known,
    )


def shared_worker_plan(
    start_url: str, config: AuditConfig, credentials: CredentialScope, parts: dict[str, Any]
) -> CrawlPlan:
    """The plan of one worker of a crawl shared through Redis: its frontier, the verdicts
    and the carried-on frontier come from the coordinator (audits.stages.shared_crawl)."""
    carried = parts.get("carried_on")
    carry_on = CarryOn(frozenset(), tuple(carried[0]), tuple(carried[1])) if carried else None
    known = parts.get("known_external") or {}
    if not (config.crawl.check_external and config.crawl.external_cache_hours > 0):
        known = {}
    return CrawlPlan(
        normalise(start_url),
        config,
        credentials,
        frontier=parts["frontier"],
        seed=parts.get("seed", True),
        carry_on=carry_on,
        known_external=known,
    )
