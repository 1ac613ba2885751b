"""The `site` spider: walks one website breadth-first and checks every link target once.

- HTML pages in scope are fetched, analysed by the page stage (links, page rules) and
  their links followed;
- documents and assets in scope (PDFs, images, scripts, stylesheets) and, when enabled,
  external targets get a status check only: HEAD, then GET if HEAD fails;
- redirects are followed here rather than by Scrapy's middleware, so that each chain is
  recorded and a redirect off the site ends in a status check, never a crawl;
- robots.txt is obeyed (Scrapy's middleware), its Crawl-delay honoured and its Sitemap
  lines, plus /sitemap.xml, seed the crawl after the pages links lead to.

Run it on its own for debugging: `scrapy crawl site -a start_url=https://example.org/`.
"""

from __future__ import annotations

import gzip
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urljoin

import scrapy
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.sitemap import Sitemap
from twisted.python.failure import Failure

from audits.config import AuditConfig, load_config
from audits.pagestage import PageStage, PageStageError
from audits.store import now
from audits.urls import absolute, host_of, is_document, normalise
from crawler.items import LinkStatusItem, PageItem, SitemapItem, TrapItem
from crawler.scope import Scope
from rules.site import ROBOTS_FORBIDDEN, TrapHit

_MAX_REDIRECTS = 10
# Element kinds whose target is a page to crawl (when in scope); the others are assets.
_PAGE_KINDS = frozenset({"a", "area", "iframe"})
# Element kinds whose target gets a status check.
_CHECKED_KINDS = frozenset({"a", "area", "iframe", "img", "script", "link"})
# Sitemap-only URLs are fetched after everything links lead to.
_SITEMAP_PRIORITY = -1_000_000
_EXTERNAL_PRIORITY = -100
_HTML_TYPES = ("text/html", "application/xhtml+xml")


class SiteSpider(scrapy.Spider):
    """Crawl one site; yield PageItem, LinkStatusItem, SitemapItem and TrapItem."""

    name = "site"

    def __init__(
        self,
        start_url: str,
        audit_config: AuditConfig | None = None,
        config: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.audit_config = audit_config or load_config(config)
        crawl = self.audit_config.crawl
        self.start_url = normalise(start_url)
        self.scope = Scope(
            self.start_url,
            hosts=crawl.hosts,
            include=crawl.include,
            exclude=crawl.exclude,
            max_url_variants=crawl.max_url_variants,
        )
        self.seen: set[str] = set()
        self.in_scope_requested = 0
        self.traps: set[str] = set()
        self.page_stage: PageStage | None = None

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SiteSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(spider._closed, signal=signals.spider_closed)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """The start URL, then /sitemap.xml (which 404s quietly on sites without one)."""
        self.page_stage = PageStage(self.audit_config)
        self.seen.add(self.start_url)
        self.in_scope_requested += 1
        yield self._page_request(self.start_url, depth=0, chain=[], is_start=True)
        if self.audit_config.crawl.use_sitemaps:
            yield self._sitemap_request(urljoin(self.start_url, "/sitemap.xml"))

    def _closed(self) -> None:
        if self.page_stage is not None:
            self.page_stage.close()

    # -- robots.txt -------------------------------------------------------------------

    def _robots_parsed(self, robotparser: Any, request: scrapy.Request) -> None:
        """Honour Crawl-delay and read Sitemap lines of in-scope hosts' robots.txt."""
        if not self.scope.is_internal(request.url):
            return
        delay = robotparser.crawl_delay(self.settings.get("USER_AGENT"))
        slot = self.crawler.engine.downloader.slots.get(
            request.meta.get("download_slot") or host_of(request.url).split(":")[0]
        )
        if delay and slot is not None and delay > slot.delay:
            slot.delay = min(float(delay), 60.0)
            self.logger.info("robots.txt asks for %.1f s between requests", slot.delay)
        if self.audit_config.crawl.use_sitemaps:
            for sitemap_url in getattr(getattr(robotparser, "rp", None), "sitemaps", ()):
                resolved = absolute(request.url, sitemap_url)
                if resolved and self.scope.is_internal(resolved[0]):
                    self.crawler.engine.crawl(self._sitemap_request(resolved[0]))

    # -- sitemaps ---------------------------------------------------------------------

    def _sitemap_request(self, url: str) -> scrapy.Request:
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
        body = response.body
        if body[:2] == b"\x1f\x8b":
            try:
                body = gzip.decompress(body)[: self.audit_config.crawl.max_page_bytes]
            except (OSError, EOFError):
                self.logger.warning("sitemap %s is not valid gzip", response.url)
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
                    yield self._sitemap_request(resolved[0])
            return
        entries = []
        for entry in sitemap:
            resolved = absolute(response.url, entry.get("loc", ""))
            if resolved and self.scope.is_internal(resolved[0]):
                entries.append((resolved[0], entry.get("lastmod")))
        yield SitemapItem(entries)
        for url, _lastmod in entries:
            followed = self._follow(
                url, depth=0, kind="a", source=response.url, priority=_SITEMAP_PRIORITY
            )
            if followed is not None:
                yield followed

    # -- pages ------------------------------------------------------------------------

    def _page_request(
        self,
        url: str,
        *,
        depth: int,
        chain: list[str],
        is_start: bool = False,
        priority: int | None = None,
    ) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_page,
            errback=self.page_failed,
            priority=-depth if priority is None else priority,
            dont_filter=True,  # self.seen deduplicates before a Request is even built
            meta={
                "siteaudit": "page",
                "depth": depth,
                "chain": chain,
                "start": is_start,
                "started": time.monotonic(),
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
            errback=self.check_failed,
            priority=-depth if internal else _EXTERNAL_PRIORITY,
            dont_filter=True,
            meta={
                "siteaudit": "check",
                "internal": internal,
                "chain": chain or [],
                "depth": depth,
                "started": time.monotonic(),
            },
        )

    def _follow(
        self, url: str, *, depth: int, kind: str, source: str, priority: int | None = None
    ) -> scrapy.Request | TrapItem | None:
        """The request for a newly seen link target; a TrapItem the first time a URL family
        is capped; None when the target is already seen or out of bounds."""
        if url in self.seen or kind not in _CHECKED_KINDS or not url.startswith("http"):
            return None  # mailto: and tel: links are recorded, never requested
        crawl = self.audit_config.crawl
        if self.scope.wanted(url):
            if crawl.max_pages and self.in_scope_requested >= crawl.max_pages:
                return None
            if kind in _PAGE_KINDS and not is_document(url):
                if crawl.max_depth and depth > crawl.max_depth:
                    return None
                trap = self.scope.trap(url)
                if trap is not None:
                    return self._trap_item(trap, url, source)
                self.seen.add(url)
                self.in_scope_requested += 1
                return self._page_request(url, depth=depth, chain=[], priority=priority)
            self.seen.add(url)
            self.in_scope_requested += 1
            return self._check_request(url, internal=True, depth=depth)
        if self.scope.is_internal(url) or not crawl.check_external:
            return None  # excluded by config: neither crawled nor checked
        self.seen.add(url)
        return self._check_request(url, internal=False)

    def _trap_item(self, trap: tuple[str, str], url: str, source: str) -> TrapItem | None:
        pattern, reason = trap
        if pattern in self.traps:
            return None
        self.traps.add(pattern)
        variants = self.audit_config.crawl.max_url_variants
        return TrapItem(TrapHit(pattern, reason, url, source, variants))

    async def parse_page(self, response: Response) -> AsyncIterator[Any]:
        """A response to a page request: follow a redirect, record a document, or analyse."""
        meta = response.meta
        chain: list[str] = meta["chain"]
        requested = chain[0] if chain else normalise(response.url)
        if 300 <= response.status < 400 and b"Location" in response.headers:
            for request_or_item in self._redirect(response):
                yield request_or_item
            return
        item = self._page_item(response, requested, chain)
        if not item.content_type.startswith(_HTML_TYPES) or response.status >= 400:
            yield item
            return
        if _is_binary(response.body):
            item.error = "binary content served as text/html"
            yield item
            return
        final = item.final_url
        if chain and final != requested:
            # Record the redirect under the linked URL; audit the page under its own URL,
            # unless that URL is crawled (or queued) already.
            yield item
            if final in self.seen:
                return
            self.seen.add(final)
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
        item.title, item.lang, item.content_hash = (
            analysis.title,
            analysis.lang,
            analysis.content_hash,
        )
        item.links, item.findings = analysis.links, analysis.findings
        item.facts, item.rule_errors = analysis.facts, analysis.rule_errors
        yield item
        depth = meta["depth"] + 1
        for link in analysis.links:
            followed = self._follow(link.url, depth=depth, kind=link.kind, source=final)
            if followed is not None:
                yield followed

    def _page_item(self, response: Response, url: str, chain: list[str]) -> PageItem:
        started = response.meta.get("started")
        return PageItem(
            url=url,
            final_url=normalise(response.url),
            status=response.status,
            content_type=_content_type(response),
            size=len(response.body),
            depth=response.meta.get("depth", 0),
            fetched_at=now(),
            elapsed_ms=int((time.monotonic() - started) * 1000) if started else None,
            redirects=[*chain, normalise(response.url)] if chain else [],
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
            yield self._failure_item(meta, requested, "redirect to an unusable address", chain)
            return
        target = resolved[0]
        if target in chain:
            yield self._failure_item(meta, requested, "redirect loop", chain)
            return
        if len(chain) > _MAX_REDIRECTS:
            yield self._failure_item(
                meta, requested, f"more than {_MAX_REDIRECTS} redirects", chain
            )
            return
        if meta.get("start") and host_of(target) != host_of(requested):
            # example.org -> www.example.org: the site lives at the redirect target.
            self.scope.add_host(host_of(target))
        if meta["siteaudit"] == "page" and self.scope.is_internal(target):
            if target in self.seen:
                # Crawled (or queued) under its own URL already: record the hop, and let
                # the store resolve the redirect's outcome through the target's row.
                item = self._page_item(response, requested, chain)
                item.final_url, item.redirects = target, [*chain, target]
                yield item
                return
            request = self._page_request(target, depth=meta["depth"], chain=chain)
            request.meta["start"] = meta.get("start", False)
        else:
            method = response.request.method if response.request else "GET"
            request = self._check_request(
                target,
                internal=meta.get("internal", True),
                method=method,
                chain=chain,
                depth=meta["depth"],
            )
        yield request

    # -- status checks ----------------------------------------------------------------

    def parse_checked(self, response: Response) -> Iterator[Any]:
        """A status check answered: follow redirects, retry HEAD as GET, record the status."""
        meta = response.meta
        if 300 <= response.status < 400 and b"Location" in response.headers:
            yield from self._redirect(response)
            return
        if (
            response.request is not None
            and response.request.method == "HEAD"
            and response.status >= 400
        ):
            # Some servers refuse or mishandle HEAD; ask again properly before judging.
            yield self._check_request(
                normalise(response.url),
                internal=meta["internal"],
                method="GET",
                chain=meta["chain"],
                depth=meta["depth"],
            )
            return
        chain = meta["chain"]
        requested = chain[0] if chain else normalise(response.url)
        if meta["internal"]:
            yield self._page_item(response, requested, chain)
        else:
            yield LinkStatusItem(requested, response.status, None, normalise(response.url))

    def check_failed(self, failure: Failure) -> Iterator[Any]:
        """A status check got no answer: record why."""
        request = failure.request  # type: ignore[attr-defined]
        meta = request.meta
        requested = meta["chain"][0] if meta["chain"] else normalise(request.url)
        error = _describe_failure(failure)
        if meta["internal"]:
            yield self._failure_item(meta, requested, error, meta["chain"])
        else:
            yield LinkStatusItem(requested, None, error, normalise(request.url))

    def page_failed(self, failure: Failure) -> Iterator[Any]:
        """A page request got no answer (refused, timed out, too large...): record why."""
        request = failure.request  # type: ignore[attr-defined]
        meta = request.meta
        requested = meta["chain"][0] if meta["chain"] else normalise(request.url)
        yield self._failure_item(meta, requested, _describe_failure(failure), meta["chain"])

    def _failure_item(
        self, meta: dict[str, Any], url: str, error: str, chain: list[str]
    ) -> PageItem:
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
        self.logger.info("sitemap not fetched: %s", _describe_failure(failure))


def _content_type(response: Response) -> str:
    raw = response.headers.get("Content-Type", b"").decode("latin-1")
    return raw.split(";", 1)[0].strip().lower()


def _headers(response: Response) -> dict[str, str]:
    """The response headers rules may read (lower-case names, first value)."""
    return {
        key.decode("latin-1").lower(): values[0].decode("latin-1")
        for key, values in response.headers.items()
        if values
    }


def _is_binary(body: bytes) -> bool:
    """True for bodies that are plainly not text (NUL bytes early on)."""
    return b"\x00" in body[:1024]


def _describe_failure(failure: Failure) -> str:
    """One plain line for a failed request: what went wrong, not a traceback."""
    exc = failure.value
    name = type(exc).__name__
    text = str(exc).strip()
    if isinstance(exc, IgnoreRequest):
        return ROBOTS_FORBIDDEN
    if "max size" in text or "maxsize" in text:
        return "response larger than the download limit"
    for marker, plain in _FAILURES:
        if marker in name:
            return plain
    return f"{name}: {text}"[:300]


# Exception class names (Scrapy's and Twisted's) and what they mean to a person.
_FAILURES = (
    ("ConnectionRefused", "connection refused"),
    ("CannotResolveHost", "host name does not resolve"),
    ("DNSLookup", "host name does not resolve"),
    ("Timeout", "timed out"),
    ("TimedOut", "timed out"),
    ("SSL", "secure connection (TLS) failed"),
    ("DataLoss", "response cut short"),
    ("ResponseNeverReceived", "connection closed before a response"),
    ("ResponseFailed", "connection lost while receiving the response"),
    ("ConnectionLost", "connection lost while receiving the response"),
    ("ConnectionDone", "connection closed before a response"),
    ("DownloadCancelled", "download abandoned"),
)
