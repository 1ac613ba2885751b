"""The `site` spider: walks one website breadth-first and checks every link target once.

- HTML pages in scope are fetched, analysed by the page stage (links, page rules) and
  their links followed;
- PDFs in scope are fetched and the links inside them followed, so pages and forms that
  only a document leads to are found;
- other documents and assets in scope (images, scripts, stylesheets, form actions) and,
  when enabled, external targets get a status check only: HEAD, then GET if HEAD fails;
- server errors and rate limits are retried with growing waits (Retry-After honoured),
  and refusals that look like bot protection once with a browser's user agent, so that
  verdicts don't cry wolf;
- external hosts get their own, smaller concurrency, and OK verdicts from a recent run
  are reused rather than asked for again;
- redirects are followed here rather than by Scrapy's middleware, so that each chain is
  recorded and a redirect off the site ends in a status check, never a crawl;
- robots.txt is obeyed (Scrapy's middleware), its Crawl-delay honoured and its Sitemap
  lines, plus /sitemap.xml, seed the crawl after the pages links lead to;
- a request for a page that cannot exist learns what the site's "not found" page looks
  like, for soft-404 detection.

Run it on its own for debugging: `scrapy crawl site -a start_url=https://example.org/`.
"""

from __future__ import annotations

import asyncio
import secrets
import sys
import time
from collections import Counter, defaultdict, deque
from collections.abc import AsyncIterator, Iterator
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin

import lxml.html
import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.http import Response
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap
from twisted.python.failure import Failure
from w3lib.encoding import read_bom

from audits.config import AuditConfig, load_config
from audits.credentials import Credentials, CredentialScope, from_environment
from audits.pagestage import PageStage, PageStageError
from audits.resume import resume_state
from audits.runnotes import (
    CRAWL_DELAY_ASKED,
    CRAWL_DELAY_USED,
    SITEMAP_URLS_LEFT,
    SITEMAP_URLS_LISTED,
    SITEMAP_URLS_READ,
    SITEMAPS_REQUESTED,
    SITEMAPS_SKIPPED,
    crawl_delay_line,
)
from audits.store import Store, now
from crawler.frontier import Frontier, Role
from crawler.items import LinkStatusItem, PageItem, ReusedPageItem, SitemapItem, TrapItem
from crawler.middlewares import RobotsTxtUnavailable
from crawler.scope import Scope, Trap
from rules.page import Link
from rules.site import (
    DOCUMENT_DATE_FACT,
    PRIVATE_ADDRESS,
    ROBOTS_FORBIDDEN,
    SOFT_404_TITLE_STAT,
    TIMED_OUT,
    TrapHit,
)
from rules.urls import absolute, host_of, is_document, normalise

_MAX_REDIRECTS = 10
# Element kinds whose target is a page to crawl (when in scope); the others are files.
_PAGE_KINDS = frozenset({"a", "area", "iframe"})
# Element kinds whose target gets a status check.
_CHECKED_KINDS = frozenset(
    {
        "a",
        "area",
        "iframe",
        "img",
        "script",
        "link",
        "form",
        "source",
        "video",
        "audio",
        "embed",
        "object",
    }
)
# Sitemap-only URLs are fetched after everything links lead to.
_SITEMAP_PRIORITY = -1_000_000
_EXTERNAL_PRIORITY = -100
_HTML_TYPES = ("text/html", "application/xhtml+xml")
# Answers that often mean "not for robots" rather than "not here".
_REFUSALS = frozenset({401, 403, 999})
# Asked once more with this, when a server refuses our own user agent.
BROWSER_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0 Safari/537.36"
)


class SiteSpider(scrapy.Spider):
    """Crawl one site; yield PageItem, LinkStatusItem, SitemapItem and TrapItem."""

    name = "site"

    def __init__(
        self,
        start_url: str,
        audit_config: AuditConfig | None = None,
        config: str | None = None,
        credentials: Credentials | None = None,
        only_urls: list[str] | None = None,
        frontier: Frontier | None = None,
        known_external: dict[str, tuple[int, str, str]] | None = None,
        seed: bool = True,
        carried_on: tuple[list[tuple[str, str, int, str]], list[str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.only_urls = {normalise(u) for u in only_urls} if only_urls is not None else None
        """With --urls: the pages to audit; every other link target gets a status check."""
        self.audit_config = audit_config or load_config(config)
        crawl = self.audit_config.crawl
        self.start_url = normalise(start_url)
        self.credentials = CredentialScope.for_site(
            credentials if credentials is not None else from_environment(),
            self.start_url,
            crawl.hosts,
        )
        """Staging credentials and their hosts: fixed now, whatever the crawl's scope becomes."""
        self.scope = Scope(
            self.start_url,
            hosts=crawl.hosts,
            include=crawl.include,
            exclude=crawl.exclude,
            max_url_variants=crawl.max_url_variants,
            max_family_pages=crawl.max_family_pages,
        )
        self.shared = frontier is not None
        """A worker of a crawl shared through Redis (audits.distributed)."""
        self.frontier = frontier if frontier is not None else Frontier(crawl.max_pages)
        """Who requests what: this process's own claims, or a shared crawl's in Redis."""
        if frontier is not None:
            self.scope.count = frontier.count  # trap caps count across workers
        self.seed = seed
        """False for a worker joining a shared crawl: its first requests come from Redis."""
        self.handed_external = known_external
        self.carried_on = carried_on
        """A shared crawl's frontier and sitemap URLs, when it carries on from a store."""
        self.page_stage: PageStage | None = None
        self.known_external: dict[str, tuple[int, str, str]] = {}
        # Incremental re-audits: the earlier run whose unchanged pages are reused.
        self.previous_run: int | None = None
        self.previous_store: Store | None = None
        self.validators: dict[str, tuple[str | None, str | None]] = {}
        self.page_rule_ids: tuple[str, ...] = ()
        self.external_checks: Counter[str] = Counter()
        self.external_waiting: defaultdict[str, deque[scrapy.Request]] = defaultdict(deque)
        self.sitemaps: set[str] = set()
        """Sitemap files requested (at most `max_sitemaps`)."""
        self.sitemap_urls_read = 0

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SiteSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(spider._closed, signal=signals.spider_closed)
        crawler.signals.connect(spider._idle, signal=signals.spider_idle)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """The start URL, a page that cannot exist, then /sitemap.xml."""
        crawl = self.audit_config.crawl
        self.page_stage = PageStage(self.audit_config)
        self.known_external = self._recent_external_verdicts()
        for host in self.scope.hosts:
            self._set_site_slot(host)
        self.previous_run = self.settings.getint("SITEAUDIT_PREVIOUS_RUN") or None
        if self.previous_run is not None:
            self.previous_store = Store(self.settings.get("SITEAUDIT_STORE"))
            self.validators = self.previous_store.validators(self.previous_run)
            self.page_rule_ids = tuple(rule.id for rule in self.page_stage.ruleset.page_rules)
        if self.carried_on is not None:
            # A shared crawl carried on: the coordinator claimed what its store holds.
            for request in self._carry_on(*self.carried_on):
                yield request
        elif self.settings.getbool("SITEAUDIT_RESUME"):
            for request in self._resume():
                yield request
        if not self.seed:
            return
        if self.frontier.claim(self.start_url, Role.PAGE):
            yield self._page_request(self.start_url, depth=0, chain=[], is_start=True)
        if self.only_urls is not None:
            # A release's changed pages: audit those, check their links, crawl nothing else.
            for url in sorted(self.only_urls):
                if self.frontier.claim(url, Role.OTHER):
                    yield self._page_request(url, depth=1, chain=[])
            return
        probe = urljoin(self.start_url, f"/siteaudit-check-{secrets.token_hex(6)}-not-a-page")
        yield scrapy.Request(
            probe,
            callback=self.parse_probe,
            errback=self._ignore,
            dont_filter=True,
            meta={"siteaudit": "probe"},
        )
        if crawl.use_sitemaps:
            sitemap = self._sitemap_request(urljoin(self.start_url, "/sitemap.xml"))
            if sitemap is not None:
                yield sitemap

    def _resume(self) -> Iterator[Any]:
        """Carry on an interrupted run: what the store holds is done; the links from stored
        pages to targets it doesn't hold yet are the frontier."""
        store = Store(self.settings.get("SITEAUDIT_STORE"))
        try:
            done, frontier, sitemap = resume_state(store, self.settings.getint("SITEAUDIT_RUN_ID"))
        finally:
            store.close()
        self.frontier.restore(done, sum(1 for url in done if self.scope.is_internal(url)))
        self.logger.info("resuming: %d URLs done, %d links to follow", len(done), len(frontier))
        return self._carry_on(frontier, sitemap)

    def _carry_on(
        self, frontier: list[tuple[str, str, int, str]], sitemap: list[str]
    ) -> Iterator[Any]:
        """Follow the frontier of a run carried on (and the sitemap URLs it had not done)."""
        for target, kind, depth, source in frontier:
            followed = self._follow(target, depth=depth, kind=kind, source=source)
            if followed is not None:
                yield followed
        for url in sitemap:
            followed = self._follow(url, depth=0, kind="a", source=url, priority=_SITEMAP_PRIORITY)
            if followed is not None:
                yield followed

    def _closed(self) -> None:
        if self.page_stage is not None:
            self.page_stage.close()
        if self.previous_store is not None:
            self.previous_store.close()

    def _recent_external_verdicts(self) -> dict[str, tuple[int, str, str]]:
        """OK verdicts on external links from this site's recent runs, to reuse."""
        path = self.settings.get("SITEAUDIT_STORE")
        hours = self.audit_config.crawl.external_cache_hours
        if hours <= 0 or not self.audit_config.crawl.check_external:
            return {}
        if self.handed_external is not None or not path:
            # A worker of a shared crawl has them from the coordinator.
            return dict(self.handed_external or {})
        store = Store(path)
        try:
            return store.recent_external_verdicts(self.start_url, hours)
        finally:
            store.close()

    def _set_site_slot(self, host: str) -> None:
        """The site's own hosts get the configured concurrency and delay; every other
        host gets the smaller external allowance (CONCURRENT_REQUESTS_PER_DOMAIN)."""
        crawl = self.audit_config.crawl
        downloader = self.crawler.engine.downloader
        key = host.split(":")[0]
        settings = {"concurrency": crawl.concurrency, "delay": crawl.delay}
        downloader.per_slot_settings[key] = settings
        slot = downloader.slots.get(key)
        if slot is not None:
            slot.concurrency, slot.delay = crawl.concurrency, crawl.delay

    def _slow_down(self, host: str, delay: float) -> None:
        """At least `delay` seconds between requests to `host`, now and after its idle
        download slot is recycled."""
        downloader = self.crawler.engine.downloader
        key = host.split(":")[0]
        settings = downloader.per_slot_settings.setdefault(key, {})
        if delay > settings.get("delay", 0.0):
            settings["delay"] = delay
            self.logger.info("%s asks for %.1f s between requests", host, delay)
        slot = downloader.slots.get(key)
        if slot is not None and delay > slot.delay:
            slot.delay = delay

    def _tell_crawl_delay(self, host: str, asked: float, used: float) -> None:
        """Say on the console, and keep for the report, that the site slows the crawl."""
        stats = self.crawler.stats
        assert stats is not None
        stats.max_value(CRAWL_DELAY_ASKED, asked)
        stats.max_value(CRAWL_DELAY_USED, used)
        if self.settings.getbool("SITEAUDIT_PROGRESS"):
            clear = "\r\033[K" if sys.stderr.isatty() else ""  # the progress line, if any
            print(clear + crawl_delay_line(host, asked, used), file=sys.stderr, flush=True)

    # -- robots.txt -------------------------------------------------------------------

    def _robots_parsed(self, robotparser: Any, request: scrapy.Request) -> None:
        """Honour any host's Crawl-delay; read the Sitemap lines of the site's robots.txt."""
        internal = self.scope.is_internal(request.url)
        crawl = self.audit_config.crawl
        delay = robotparser.crawl_delay(self.settings.get("USER_AGENT"))
        if delay:
            host = host_of(request.url)
            used = min(float(delay), crawl.max_crawl_delay if internal else crawl.max_retry_after)
            self._slow_down(host, used)
            if internal:
                self._tell_crawl_delay(host, float(delay), used)
        if internal and crawl.use_sitemaps:
            for sitemap_url in getattr(getattr(robotparser, "rp", None), "sitemaps", ()):
                resolved = absolute(request.url, sitemap_url)
                if resolved and self.scope.is_internal(resolved[0]):
                    sitemap = self._sitemap_request(resolved[0])
                    if sitemap is not None:
                        self.crawler.engine.crawl(sitemap)

    # -- sitemaps ---------------------------------------------------------------------

    def _sitemap_request(self, url: str) -> scrapy.Request | None:
        """The request for a sitemap file the site names, or None when it was asked for
        already or the sitemap limits (`max_sitemaps`, the URL budget) are reached."""
        if url in self.sitemaps:
            return None
        crawl = self.audit_config.crawl
        stats = self.crawler.stats
        assert stats is not None
        if self.sitemap_urls_read >= crawl.sitemap_url_budget:
            stats.set_value(SITEMAP_URLS_LEFT, True)
            return None
        if len(self.sitemaps) >= crawl.max_sitemaps:
            stats.inc_value(SITEMAPS_SKIPPED)
            return None
        self.sitemaps.add(url)
        stats.inc_value(SITEMAPS_REQUESTED)
        return scrapy.Request(
            url,
            callback=self.parse_sitemap,
            errback=self._ignore,
            priority=_SITEMAP_PRIORITY + 1,
            meta={"siteaudit": "sitemap"},
        )

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        """Read a sitemap or sitemap index (gzip or not); queue its in-scope pages."""
        if response.status != 200:
            return
        if self.sitemap_urls_read >= self.audit_config.crawl.sitemap_url_budget:
            # Queued before the address budget was spent: not worth parsing.
            assert self.crawler.stats is not None
            self.crawler.stats.set_value(SITEMAP_URLS_LEFT, True)
            return
        body = response.body
        if body[:2] == b"\x1f\x8b":
            try:
                body = gunzip(body, max_size=self.audit_config.crawl.max_page_bytes)
            except (OSError, EOFError, ValueError):
                self.logger.warning("sitemap %s is not valid gzip (or too large)", response.url)
                return
        try:
            sitemap = Sitemap(body)
        except Exception:  # lxml raises several types for non-XML bodies
            self.logger.warning("sitemap %s is not valid XML", response.url)
            return
        if sitemap.type == "sitemapindex":
            for entry in sitemap:
                resolved = absolute(response.url, entry.get("loc", ""))
                if resolved and self.scope.is_internal(resolved[0]):
                    request = self._sitemap_request(resolved[0])
                    if request is not None:
                        yield request
            return
        entries = self._sitemap_entries(sitemap, response.url)
        yield SitemapItem(entries)
        for url, _lastmod in entries:
            followed = self._follow(
                url, depth=0, kind="a", source=response.url, priority=_SITEMAP_PRIORITY
            )
            if followed is not None:
                yield followed

    def _sitemap_entries(self, sitemap: Sitemap, url: str) -> list[tuple[str, str | None]]:
        """The in-scope (address, lastmod) pairs of a sitemap, within what is left of the
        sitemap URL budget (they count against max_pages); all are counted for the report."""
        room = self.audit_config.crawl.sitemap_url_budget - self.sitemap_urls_read
        entries = []
        listed = 0
        for entry in sitemap:
            resolved = absolute(url, entry.get("loc", ""))
            if resolved and self.scope.is_internal(resolved[0]):
                listed += 1
                if len(entries) < room:
                    entries.append((resolved[0], entry.get("lastmod")))
        self.sitemap_urls_read += len(entries)
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value(SITEMAP_URLS_LISTED, listed)
        stats.inc_value(SITEMAP_URLS_READ, len(entries))
        return entries

    # -- the site's "not found" page ------------------------------------------------

    def parse_probe(self, response: Response) -> None:
        """A page that cannot exist answered 200: remember its title to spot soft 404s."""
        if response.status != 200 or not _content_type(response).startswith(_HTML_TYPES):
            return
        try:
            title = lxml.html.document_fromstring(response.text).findtext(".//title") or ""
        except (ValueError, lxml.etree.ParserError):
            return
        if title.strip():
            assert self.crawler.stats is not None
            self.crawler.stats.set_value(SOFT_404_TITLE_STAT, " ".join(title.split()))

    # -- requests ---------------------------------------------------------------------

    def _page_request(
        self,
        url: str,
        *,
        depth: int,
        chain: list[str],
        is_start: bool = False,
        priority: int | None = None,
    ) -> scrapy.Request:
        headers = {}
        etag, modified = self.validators.get(url, (None, None)) if not chain else (None, None)
        if etag:
            headers["If-None-Match"] = etag
        if modified:
            headers["If-Modified-Since"] = modified
        return scrapy.Request(
            url,
            headers=headers,
            callback=self.parse_page,
            errback=self.request_failed,
            priority=-depth if priority is None else priority,
            dont_filter=True,  # claimed in the frontier before a Request is even built
            meta={
                "siteaudit": "page",
                "internal": True,
                "depth": depth,
                "chain": chain,
                "start": is_start,
            },
        )

    def _check_request(
        self,
        url: str,
        *,
        internal: bool,
        method: str = "HEAD",
        chain: list[str] | None = None,
        depth: int = 0,
    ) -> scrapy.Request:
        return scrapy.Request(
            url,
            method=method,
            callback=self.parse_checked,
            errback=self.request_failed,
            priority=-depth if internal else _EXTERNAL_PRIORITY,
            dont_filter=True,
            meta={
                "siteaudit": "check",
                "internal": internal,
                "chain": chain or [],
                "depth": depth,
            },
        )

    def _follow(
        self, url: str, *, depth: int, kind: str, source: str, priority: int | None = None
    ) -> scrapy.Request | LinkStatusItem | TrapItem | None:
        """The request for a newly seen link target; a cached verdict for a recently checked
        external target; a TrapItem the first time a URL family is capped; or None when the
        target is already seen or out of bounds."""
        if kind not in _CHECKED_KINDS or not url.startswith("http"):
            return None  # mailto: and tel: links are recorded, never requested
        crawl = self.audit_config.crawl
        frontier = self.frontier
        if self.scope.wanted(url):
            crawlable = self.only_urls is None or url in self.only_urls
            if kind in _PAGE_KINDS and not is_document(url) and crawlable:
                if crawl.max_depth and depth > crawl.max_depth:
                    return None
                # A URL first met as a form action or embed and now as a link is claimed
                # again here: it is a page after all.
                if not frontier.claim(url, Role.PAGE):
                    return None
                trap = self.scope.trap(url)
                if trap is not None:
                    frontier.uncount(url)
                    return self._trap_item(trap, url, source)
                return self._page_request(url, depth=depth, chain=[], priority=priority)
            if not frontier.claim(url, Role.FILE):
                return None
            # A PDF is read for the links inside it; other files only need a status.
            method = "GET" if url.lower().endswith(".pdf") else "HEAD"
            return self._check_request(url, internal=True, method=method, depth=depth)
        if self.scope.is_internal(url) or not crawl.check_external:
            return None  # excluded by config: neither crawled nor checked
        if not frontier.claim(url, Role.OTHER):
            return None
        if self.scope.is_private(url):
            return LinkStatusItem(url, None, PRIVATE_ADDRESS, url, now())
        known = self.known_external.get(url)
        if known is not None:
            status, final_url, checked_at = known
            return LinkStatusItem(url, status, None, final_url, checked_at=checked_at, cached=True)
        return self._admit_external(self._check_request(url, internal=False))

    # Scrapy 2.19's download slots let a burst of queued requests past their concurrency
    # (requests are counted as transferring only once their coroutine starts), so the
    # spider keeps other people's servers to `external_concurrency` checks itself.

    def _admit_external(self, request: scrapy.Request) -> scrapy.Request | None:
        """The request, if its host has a check to spare; else None (it waits its turn).

        In a crawl shared through Redis any worker may take the request from the queue,
        so this worker could not count its answer: there, each worker's download slots
        (CONCURRENT_REQUESTS_PER_DOMAIN) are the limit."""
        if self.shared:
            return request
        host = host_of(request.url)
        if self.external_checks[host] < self.audit_config.crawl.external_concurrency:
            self.external_checks[host] += 1
            return request
        self.external_waiting[host].append(request)
        return None

    def _release_external(self, url: str) -> None:
        """A check of an external target is over: start the host's next waiting one."""
        if self.shared:
            return
        host = host_of(url)
        if self.external_waiting[host]:
            self.crawler.engine.crawl(self.external_waiting[host].popleft())
        else:
            self.external_checks[host] = max(0, self.external_checks[host] - 1)

    def _idle(self) -> None:
        """Never close with checks still waiting (a safety net: releases start them)."""
        waiting = [host for host, queue in self.external_waiting.items() if queue]
        for host in waiting:
            self.crawler.engine.crawl(self.external_waiting[host].popleft())
        if waiting:
            raise DontCloseSpider

    def _trap_item(self, trap: Trap, url: str, source: str) -> TrapItem | None:
        if not self.frontier.new_trap(trap.pattern):
            return None
        return TrapItem(TrapHit(trap.pattern, trap.reason, url, source, trap.variants))

    def _follow_links(self, links: tuple[Link, ...], depth: int, source: str) -> Iterator[Any]:
        for link in links:
            followed = self._follow(link.url, depth=depth, kind=link.kind, source=source)
            if followed is not None:
                yield followed

    # -- responses --------------------------------------------------------------------

    async def _retry(self, response: Response) -> scrapy.Request | None:
        """The same request again, after a wait, when the answer may be passing: a server
        error or rate limit (with growing waits, honouring Retry-After), or a refusal
        that may be bot protection (once, with a browser's user agent)."""
        crawl = self.audit_config.crawl
        request, meta, status = response.request, response.meta, response.status
        if request is None:
            return None
        tries = meta.get("tries", 0)
        headers: dict[str, str] = {}
        if status in _REFUSALS and not meta.get("browser_ua"):
            wait = 0.0
            headers["User-Agent"] = BROWSER_USER_AGENT
        elif (status == 429 or status >= 500) and tries < crawl.retries:
            asked = _retry_after(response.headers.get("Retry-After", b"").decode("latin-1"))
            wait = asked if asked is not None else float(2**tries)
            if wait > crawl.max_retry_after:
                return None
        else:
            return None
        if wait:
            await asyncio.sleep(wait)
        retry = _again(request)
        retry.meta["tries"] = tries + 1
        if headers:
            retry.meta["browser_ua"] = True
            retry.headers.update(headers)
        return retry

    async def parse_page(self, response: Response) -> AsyncIterator[Any]:
        """A response to a page request: follow a redirect, record a document, or analyse."""
        meta = response.meta
        chain: list[str] = meta["chain"]
        requested = chain[0] if chain else normalise(response.url)
        if response.status == 304 and self.previous_run is not None and not chain:
            for output in self._reuse(requested, meta["depth"]):
                yield output
            return
        if 300 <= response.status < 400 and b"Location" in response.headers:
            for request_or_item in self._redirect(response):
                yield request_or_item
            return
        retry = await self._retry(response) if response.status >= 400 else None
        if retry is not None:
            yield retry
            return
        item = self._page_item(response, requested, chain)
        if _is_pdf(response):
            async for output in self._read_pdf(response, item):
                yield output
            for output in self._chain_end(response, item):
                yield output
            return
        if not item.content_type.startswith(_HTML_TYPES) or response.status >= 400:
            yield item
            for output in self._chain_end(response, item):
                yield output
            return
        if _is_binary(response.body):
            item.error = "binary content served as text/html"
            yield item
            for output in self._chain_end(response, item):
                yield output
            return
        final = item.final_url
        if chain and final != requested:
            # Record the redirect under the linked URL; audit the page under its own URL,
            # unless that URL is crawled (or queued) already.
            yield item
            if meta.get("claimed") != final and not self.frontier.claim(final, Role.OTHER):
                return
            item = self._page_item(response, final, [])
        item.is_html = True
        assert self.page_stage is not None
        try:
            analysis = await self.page_stage.analyse(
                final,
                response.body,
                getattr(response, "encoding", None) or "utf-8",
                _headers(response),
                meta["depth"],
            )
        except PageStageError as exc:
            item.error = str(exc)
            yield item
            return
        item.title, item.lang = analysis.title, analysis.lang
        item.content_hash = analysis.content_hash
        item.links, item.findings = analysis.links, analysis.findings
        item.facts, item.rule_errors = analysis.facts, analysis.rule_errors
        yield item
        for output in self._follow_links(analysis.links, meta["depth"] + 1, final):
            yield output

    def _chain_end(self, response: Response, item: PageItem) -> Iterator[PageItem]:
        """The last hop of a redirect chain, recorded under its own URL too: it was claimed
        for the chain, so a direct link to it was not followed."""
        final = item.final_url
        if item.redirects and response.meta.get("claimed") == final and final != item.url:
            own = self._page_item(response, final, [])
            own.error = item.error
            yield own

    def _reuse(self, url: str, depth: int) -> Iterator[Any]:
        """An unchanged page: its earlier results are carried over, its earlier links
        followed, and nothing is parsed or analysed again."""
        assert self.previous_run is not None and self.previous_store is not None
        yield ReusedPageItem(url, self.previous_run, depth, now(), self.page_rule_ids)
        for target, kind in self.previous_store.links_from(self.previous_run, url):
            followed = self._follow(target, depth=depth + 1, kind=kind, source=url)
            if followed is not None:
                yield followed

    async def _read_pdf(self, response: Response, item: PageItem) -> AsyncIterator[Any]:
        """Record an in-scope PDF with the links inside it, and follow them."""
        assert self.page_stage is not None
        try:
            reading = await self.page_stage.read_pdf(item.final_url, response.body)
        except PageStageError as exc:
            item.error = str(exc)
        else:
            item.links = reading.links
            if reading.modified:
                item.facts[DOCUMENT_DATE_FACT] = {
                    "date": reading.modified,
                    "source": "PDF metadata",
                }
        yield item
        for output in self._follow_links(item.links, response.meta["depth"] + 1, item.url):
            yield output

    def _page_item(self, response: Response, url: str, chain: list[str]) -> PageItem:
        latency = response.meta.get("download_latency")
        return PageItem(
            url=url,
            final_url=normalise(response.url),
            status=response.status,
            content_type=_content_type(response),
            size=len(response.body),
            depth=response.meta.get("depth", 0),
            fetched_at=now(),
            elapsed_ms=int(latency * 1000) if latency is not None else None,
            redirects=[*chain, normalise(response.url)] if chain else [],
            etag=_header(response, "ETag"),
            last_modified=_header(response, "Last-Modified"),
        )

    def _redirect(self, response: Response) -> Iterator[Any]:
        """Follow one redirect hop: in scope keeps crawling, off site gets a status check."""
        meta = response.meta
        chain = (
            [*meta["chain"], normalise(response.url)]
            if meta["chain"]
            else [normalise(response.url)]
        )
        requested = chain[0]
        location = response.headers.get("Location", b"").decode("latin-1")
        resolved = absolute(response.url, location)
        if resolved is None:
            yield self._failure(meta, requested, "redirect to an unusable address", chain)
            return
        target = resolved[0]
        if target in chain:
            yield self._failure(meta, requested, "redirect loop", chain)
            return
        if len(chain) > _MAX_REDIRECTS:
            yield self._failure(meta, requested, f"more than {_MAX_REDIRECTS} redirects", chain)
            return
        if meta.get("start") and host_of(target) != host_of(requested):
            # example.org -> www.example.org: the site lives at the redirect target. The
            # credentials don't go there unless it was named (self.credentials).
            self.scope.add_host(host_of(target))
            self._set_site_slot(host_of(target))
        if meta["siteaudit"] == "page" and self.scope.is_internal(target):
            if not self.frontier.claim(target, Role.OTHER):
                # Crawled (or queued) under its own URL already: record the hop, and let
                # the store resolve the redirect's outcome through the target's row.
                item = self._page_item(response, requested, chain)
                item.final_url, item.redirects = target, [*chain, target]
                yield item
                return
            # Claimed now, so a direct link met meanwhile doesn't fetch it a second time;
            # the chain's last hop is audited under its own URL too.
            request = self._page_request(target, depth=meta["depth"], chain=chain)
            request.meta["start"] = meta.get("start", False)
            request.meta["claimed"] = target
        else:
            method = response.request.method if response.request else "GET"
            request = self._check_request(
                target,
                internal=meta.get("internal", True),
                method=method,
                chain=chain,
                depth=meta["depth"],
            )
            request.meta["from_page"] = meta["siteaudit"] == "page" or meta.get("from_page", False)
        yield request

    async def parse_checked(self, response: Response) -> AsyncIterator[Any]:
        """A status check answered: follow redirects, retry, read PDFs, record the status."""
        meta = response.meta
        chain = meta["chain"]
        requested = chain[0] if chain else normalise(response.url)
        if (
            meta["internal"]
            and not meta.get("from_page")
            and not self.frontier.still_file(requested)
        ):
            # Crawled as a page meanwhile (that record is the better one): asking again,
            # with GET or after a redirect, would fetch the page a second time.
            return
        if 300 <= response.status < 400 and b"Location" in response.headers:
            for output in self._redirect(response):
                yield output
            return
        request = response.request
        if request is not None and request.method == "HEAD" and response.status >= 400:
            # Some servers refuse or mishandle HEAD; ask again properly before judging.
            yield _again(request, method="GET")
            return
        retry = await self._retry(response) if response.status >= 400 else None
        if retry is not None:
            yield retry
            return
        if not meta["internal"]:
            self._release_external(requested)
            yield LinkStatusItem(requested, response.status, None, normalise(response.url), now())
            return
        item = self._page_item(response, requested, chain)
        modified = _http_date(response.headers.get("Last-Modified", b"").decode("latin-1"))
        if modified and response.status < 400:
            item.facts[DOCUMENT_DATE_FACT] = {"date": modified, "source": "HTTP Last-Modified"}
        if _is_pdf(response) and response.status < 400 and not chain:
            async for output in self._read_pdf(response, item):
                yield output
            return
        yield item

    def request_failed(self, failure: Failure) -> Iterator[Any]:
        """A request got no answer (refused, timed out, too large...): record why."""
        request = failure.request  # type: ignore[attr-defined]
        meta = request.meta
        requested = meta["chain"][0] if meta["chain"] else normalise(request.url)
        error = _describe_failure(failure, self.audit_config.crawl.timeout)
        upgraded = meta["internal"] and not self.frontier.still_file(requested)
        if meta["siteaudit"] == "check" and not meta.get("from_page") and upgraded:
            return  # crawled as a page meanwhile
        if meta["internal"]:
            yield self._failure(meta, requested, error, meta["chain"])
        else:
            self._release_external(requested)
            yield LinkStatusItem(requested, None, error, normalise(request.url), now())

    def _failure(
        self, meta: dict[str, Any], url: str, error: str, chain: list[str]
    ) -> PageItem | LinkStatusItem:
        if not meta.get("internal", True):
            self._release_external(url)
            return LinkStatusItem(url, None, error, chain[-1] if chain else url, now())
        return PageItem(
            url=url,
            final_url=chain[-1] if chain else url,
            status=None,
            depth=meta.get("depth", 0),
            fetched_at=now(),
            error=error,
            redirects=list(chain),
        )

    def _ignore(self, failure: Failure) -> None:
        self.logger.info(
            "not fetched: %s", _describe_failure(failure, self.audit_config.crawl.timeout)
        )


def _again(request: scrapy.Request, **changes: Any) -> scrapy.Request:
    """A copy of a request to send again, without what Scrapy noted on the first sending."""
    retry = request.replace(dont_filter=True, **changes)
    retry.meta.pop("download_latency", None)
    return retry


def _retry_after(value: str) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _header(response: Response, name: str) -> str | None:
    """One response header as text, or None."""
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _http_date(value: str) -> str | None:
    """An HTTP date header as an ISO date, or None."""
    try:
        return parsedate_to_datetime(value).date().isoformat() if value.strip() else None
    except (TypeError, ValueError):
        return None


def _content_type(response: Response) -> str:
    raw = response.headers.get("Content-Type", b"").decode("latin-1")
    return raw.split(";", 1)[0].strip().lower()


def _is_pdf(response: Response) -> bool:
    return response.body[:5] == b"%PDF-" or _content_type(response) == "application/pdf"


def _headers(response: Response) -> dict[str, str]:
    """The response headers rules may read (lower-case names, first value)."""
    return {
        key.decode("latin-1").lower(): values[0].decode("latin-1")
        for key, values in response.headers.items()
        if values
    }


def _is_binary(body: bytes) -> bool:
    """True for bodies that are plainly not text (NUL bytes early on). A byte order mark
    says the body is text: UTF-16 is full of NUL bytes."""
    return read_bom(body[:4])[0] is None and b"\x00" in body[:1024]


def _describe_failure(failure: Failure, timeout: float) -> str:
    """One plain line for a failed request: what went wrong, in words, never an exception
    name or repr. `timeout` is the configured one, for "no answer within N s"."""
    causes = list(_causes(failure.value))
    text = " ".join(str(exc) for exc in causes).lower()
    if "max size" in text or "maxsize" in text:
        # Scrapy says so for large bodies and for decompression bombs alike.
        return "response larger than the download limit"
    if isinstance(causes[0], RobotsTxtUnavailable):
        return str(causes[0])
    if isinstance(causes[0], IgnoreRequest):
        return ROBOTS_FORBIDDEN
    if "content-length" in text or "non-decimal digits" in text:
        return "malformed response (its Content-Length header is invalid)"
    if "invalid response" in text:
        return "malformed response"
    names = [type(exc).__name__ for exc in causes]
    for marker, plain in _FAILURES:
        if any(marker in name for name in names):
            return plain.format(timeout=f"{timeout:g}")
    return "the server gave no usable answer"


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """An exception, what it wraps (`raise ... from`), and the failures a Twisted
    ResponseFailed lists in `reasons`, outermost first."""
    yield exc
    for reason in getattr(exc, "reasons", ()):
        yield from _causes(getattr(reason, "value", reason))
    if exc.__cause__ is not None:
        yield from _causes(exc.__cause__)


# Exception class names (Scrapy's and Twisted's, wrapped ones included) and what they mean
# to a person, most telling first. The rules match on these phrases: keep them in step with
# rules/site.py's verdicts (TIMED_OUT) and tests/test_hostile_servers.py's PLAIN_FAILURES.
_FAILURES = (
    ("ConnectionRefused", "the server refused the connection"),
    ("CannotResolveHost", "host name does not resolve"),
    ("DNSLookup", "host name does not resolve"),
    ("Timeout", TIMED_OUT + " {timeout} s"),
    ("TimedOut", TIMED_OUT + " {timeout} s"),
    ("SSL", "secure connection (TLS) failed"),
    ("TLS", "secure connection (TLS) failed"),
    ("ResponseNeverReceived", "the connection was closed before the page arrived"),
    ("DataLoss", "the connection was closed before the whole page arrived"),
    ("ConnectionLost", "the connection was closed before the whole page arrived"),
    ("ResponseFailed", "the connection was closed before the whole page arrived"),
    ("ConnectionDone", "the connection was closed before the page arrived"),
    ("DownloadCancelled", "download abandoned"),
)
