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

The engine (audits/engine.py) hands it a `CrawlPlan` (crawler/plan.py): the spider opens
no store and reads no configuration. Pages are analysed by the component the
SITEAUDIT_PAGE_ANALYSER setting names; redirects, retries and per-host politeness are
components of their own (crawler/redirects.py, retries.py, throttle.py).

Run it on its own for debugging: `scrapy crawl site -a start_url=https://example.org/`.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterable, Iterator
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin

import lxml.html
import scrapy
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.gz import gunzip
from scrapy.utils.misc import build_from_crawler, load_object
from scrapy.utils.sitemap import Sitemap
from twisted.python.failure import Failure
from w3lib.encoding import read_bom

from audits.core.runnotes import (
    SITEMAP_URLS_LEFT,
    SITEMAP_URLS_LISTED,
    SITEMAP_URLS_READ,
    SITEMAPS_REQUESTED,
    SITEMAPS_SKIPPED,
)
from audits.store import now
from crawler.analyser import AnalysisError, PageAnalyser
from crawler.frontier import Frontier, Role
from crawler.items import LinkStatusItem, PageItem, ReusedPageItem, SitemapItem, TrapItem
from crawler.middlewares import RobotsTxtUnavailable
from crawler.plan import CrawlPlan
from crawler.redirects import Redirects
from crawler.retries import Retries, again
from crawler.scope import Scope, Trap
from crawler.throttle import Throttle
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

# Element kinds whose target is a page to crawl (when in scope); the others are files.
_PAGE_KINDS = frozenset({"a", "area", "iframe", "meta"})
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
        "track",
        "icon",
        "meta",
    }
)
# Sitemap-only URLs are fetched after everything links lead to.
_SITEMAP_PRIORITY = -1_000_000
_EXTERNAL_PRIORITY = -100
_HTML_TYPES = ("text/html", "application/xhtml+xml")


class SiteSpider(scrapy.Spider):
    """Crawl one site; yield PageItem, LinkStatusItem, SitemapItem and TrapItem."""

    name = "site"
    # Components built in from_crawler.
    redirects: Redirects
    retries: Retries
    throttle: Throttle

    def __init__(
        self, plan: CrawlPlan | None = None, start_url: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        if plan is None:
            if start_url is None:
                raise ValueError("give the site to crawl: scrapy crawl site -a start_url=URL")
            plan = CrawlPlan.for_url(start_url)
        self.plan = plan
        crawl = plan.crawl
        self.start_url = plan.start_url
        self.only_urls = plan.only_urls
        self.credentials = plan.credentials
        """Read by the StagingCredentials middleware."""
        self.scope = Scope(
            self.start_url,
            hosts=crawl.hosts,
            include=crawl.include,
            exclude=crawl.exclude,
            max_url_variants=crawl.max_url_variants,
            max_family_pages=crawl.max_family_pages,
        )
        self.frontier = plan.frontier if plan.frontier is not None else Frontier(crawl.max_pages)
        """Who requests what: this process's own claims, or a shared crawl's in Redis."""
        if plan.frontier is not None:
            self.scope.count = plan.frontier.count  # trap caps count across workers
        self.known_external = plan.known_external
        # Incremental re-audits: the earlier run whose unchanged pages are reused.
        self.earlier = plan.earlier
        self.validators = plan.earlier.validators if plan.earlier is not None else {}
        self.analyser: PageAnalyser | None = None
        self.sitemaps: set[str] = set()
        """Sitemap files requested (at most `max_sitemaps`)."""
        self.sitemap_urls_read = 0

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SiteSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.redirects = build_from_crawler(Redirects, crawler)
        spider.retries = build_from_crawler(Retries, crawler)
        spider.throttle = build_from_crawler(Throttle, crawler)
        crawler.signals.connect(spider._robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(spider._closed, signal=signals.spider_closed)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """The start URL, a page that cannot exist, then /sitemap.xml."""
        crawl = self.plan.crawl
        # Built here, in the crawl's event loop, where its worker processes are started.
        analyser = load_object(self.settings["SITEAUDIT_PAGE_ANALYSER"])
        self.analyser = build_from_crawler(analyser, self.crawler, self.plan.config)
        for host in self.scope.hosts:
            self.throttle.site_host(host)
        carry_on = self.plan.carry_on
        if carry_on is not None:
            # A resumed run, or the pages of an incremental re-audit carried over, or a
            # shared crawl carried on (whose coordinator claimed what the store holds).
            if carry_on.done:
                in_scope = sum(1 for url in carry_on.done if self.scope.is_internal(url))
                self.frontier.restore(carry_on.done, in_scope)
            self.logger.info(
                "resuming: %d URLs done, %d links to follow",
                len(carry_on.done),
                len(carry_on.links),
            )
            for request in self._carry_on(carry_on.links, carry_on.sitemap):
                yield request
        if not self.plan.seed:
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

    def _carry_on(
        self, frontier: Iterable[tuple[str, str, int, str]], sitemap: Iterable[str]
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
        if self.analyser is not None:
            self.analyser.close()

    # -- robots.txt -------------------------------------------------------------------

    def _robots_parsed(self, robotparser: Any, request: scrapy.Request) -> None:
        """Honour any host's Crawl-delay; read the Sitemap lines of the site's robots.txt."""
        internal = self.scope.is_internal(request.url)
        delay = robotparser.crawl_delay(self.settings.get("USER_AGENT"))
        if delay:
            self.throttle.crawl_delay(host_of(request.url), float(delay), internal=internal)
        if internal and self.plan.crawl.use_sitemaps:
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
        crawl = self.plan.crawl
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
        if self.sitemap_urls_read >= self.plan.crawl.sitemap_url_budget:
            # Queued before the address budget was spent: not worth parsing.
            assert self.crawler.stats is not None
            self.crawler.stats.set_value(SITEMAP_URLS_LEFT, True)
            return
        body = response.body
        if body[:2] == b"\x1f\x8b":
            try:
                body = gunzip(body, max_size=self.plan.crawl.max_page_bytes)
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
        room = self.plan.crawl.sitemap_url_budget - self.sitemap_urls_read
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
        crawl = self.plan.crawl
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
        return self.throttle.admit(self._check_request(url, internal=False))

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

    async def parse_page(self, response: Response) -> AsyncIterator[Any]:
        """A response to a page request: follow a redirect, record a document, or analyse."""
        meta = response.meta
        chain: list[str] = meta["chain"]
        requested = chain[0] if chain else normalise(response.url)
        if response.status == 304 and self.earlier is not None and not chain:
            for output in self._reuse(requested, meta["depth"]):
                yield output
            return
        if 300 <= response.status < 400 and b"Location" in response.headers:
            for request_or_item in self._redirect(response):
                yield request_or_item
            return
        retry = await self.retries.retry(response) if response.status >= 400 else None
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
        assert self.analyser is not None
        try:
            analysis = await self.analyser.analyse(
                final,
                response.body,
                getattr(response, "encoding", None) or "utf-8",
                _headers(response),
                meta["depth"],
            )
        except AnalysisError as exc:
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
        assert self.earlier is not None and self.analyser is not None
        yield ReusedPageItem(url, self.earlier.run_id, depth, now(), self.analyser.page_rule_ids)
        for target, kind in self.earlier.links_from(url):
            followed = self._follow(target, depth=depth + 1, kind=kind, source=url)
            if followed is not None:
                yield followed

    async def _read_pdf(self, response: Response, item: PageItem) -> AsyncIterator[Any]:
        """Record an in-scope PDF with the links inside it, and follow them."""
        assert self.analyser is not None
        try:
            reading = await self.analyser.read_pdf(item.final_url, response.body)
        except AnalysisError as exc:
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
        hop = self.redirects.next_hop(response)
        chain, requested, target = hop.chain, hop.requested, hop.target
        if hop.error is not None:
            yield self._failure(meta, requested, hop.error, chain)
            return
        if meta.get("start") and host_of(target) != host_of(requested):
            # example.org -> www.example.org: the site lives at the redirect target. The
            # credentials don't go there unless it was named (plan.credentials).
            self.scope.add_host(host_of(target))
            self.throttle.site_host(host_of(target))
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
            yield again(request, method="GET")
            return
        retry = await self.retries.retry(response) if response.status >= 400 else None
        if retry is not None:
            yield retry
            return
        if not meta["internal"]:
            self.throttle.release(requested)
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
        error = _describe_failure(failure, self.plan.crawl.timeout)
        upgraded = meta["internal"] and not self.frontier.still_file(requested)
        if meta["siteaudit"] == "check" and not meta.get("from_page") and upgraded:
            return  # crawled as a page meanwhile
        if meta["internal"]:
            yield self._failure(meta, requested, error, meta["chain"])
        else:
            self.throttle.release(requested)
            yield LinkStatusItem(requested, None, error, normalise(request.url), now())

    def _failure(
        self, meta: dict[str, Any], url: str, error: str, chain: list[str]
    ) -> PageItem | LinkStatusItem:
        if not meta.get("internal", True):
            self.throttle.release(url)
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
        self.logger.info("not fetched: %s", _describe_failure(failure, self.plan.crawl.timeout))


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
