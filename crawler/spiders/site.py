"""The `site` spider: walks one website breadth-first and checks every link target once.

It schedules requests and yields what they found; components it calls do the rest.

- the URLs it claims wait their turn as small tuples (crawler/frontier.py, `Waiting`),
  and Scrapy's scheduler is handed a batch of Requests each time it runs dry: on a big
  site thousands of URLs wait at once (4,000 of a 10,000-page site), and a Request
  costs over a kilobyte;
- HTML pages in scope are fetched, analysed and their links followed; PDFs in scope are
  read for the links inside them, so pages and forms that only a document leads to are
  found (crawler/reader.py, through the page analyser SITEAUDIT_PAGE_ANALYSER names);
- other documents and assets in scope (images, scripts, stylesheets, form actions) and,
  when enabled, external targets get a status check only: HEAD, then GET if HEAD fails;
- server errors and rate limits are retried with growing waits, and refusals that look
  like bot protection once with a browser's user agent (crawler/retries.py);
- external hosts get their own, smaller concurrency (crawler/throttle.py), and OK
  verdicts from a recent run are reused rather than asked for again;
- redirects are followed here rather than by Scrapy's middleware, so that each chain is
  recorded and a redirect off the site ends in a status check (crawler/redirects.py);
- robots.txt is obeyed (crawler/middlewares.py), its Crawl-delay honoured, and its
  Sitemap lines, plus /sitemap.xml, seed the crawl after the pages links lead to
  (crawler/sitemaps.py);
- a request for a page that cannot exist learns what the site's "not found" page looks
  like, for soft-404 detection (crawler/soft404.py);
- an incremental re-audit asks whether each page changed since the earlier run
  (crawler/revalidation.py);
- a request that gets no answer is recorded with why, in plain words (crawler/failures.py);
- when top tasks have search phrases, the home page's search form is asked for them
  (crawler/site_search.py).

The engine (audits/engine.py) hands it a `CrawlPlan` (crawler/plan.py): the spider opens
no store and reads no configuration.

Run it on its own for debugging: `scrapy crawl site -a start_url=https://example.org/`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any
from urllib.parse import urljoin

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from scrapy.utils.misc import build_from_crawler, load_object
from twisted.python.failure import Failure

from audits.store import now
from crawler.analyser import LinkFields, PageAnalyser
from crawler.failures import describe_failure
from crawler.frontier import Frontier, Role, Waiting, Wanted
from crawler.items import LinkStatusItem, PageItem, SitemapItem, TrapItem
from crawler.plan import CrawlPlan
from crawler.prompt_stop import NotSent
from crawler.quiet_signals import send_only_when_heard
from crawler.reader import PdfDownloads, Reader, is_pdf, named_pdf
from crawler.redirects import Redirects
from crawler.responses import HTML_TYPES, is_binary, last_modified, page_item
from crawler.retries import Retries, again
from crawler.revalidation import Revalidation
from crawler.scope import Scope, Trap
from crawler.site_search import SiteSearch
from crawler.sitemaps import SitemapIndex, Sitemaps
from crawler.soft404 import Soft404Probe
from crawler.throttle import Throttle
from rules.analyses.link_verdicts import CHECKED_KINDS
from rules.site import DOCUMENT_DATE_FACT, PRIVATE_ADDRESS, TrapHit
from rules.urls import host_of, is_document, normalise

# Element kinds whose target is a page to crawl (when in scope); the others are files.
_PAGE_KINDS = frozenset({"a", "area", "iframe", "meta"})
# Element kinds whose target gets a status check: the kinds the link rules judge, and form
# actions, whose answers are recorded though no rule judges them (an action often answers
# GET with an error by design).
_CHECKED_KINDS = frozenset(CHECKED_KINDS) | {"form"}
# Sitemap-only URLs are fetched after everything links lead to.
_SITEMAP_PRIORITY = -1_000_000
_EXTERNAL_PRIORITY = -100


class SiteSpider(scrapy.Spider):
    """Crawl one site; yield PageItem, LinkStatusItem, SitemapItem and TrapItem."""

    name = "site"
    # Components built in from_crawler, from settings.
    redirects: Redirects
    retries: Retries
    throttle: Throttle
    top_up_batch: int
    """How many waiting URLs are handed to Scrapy's scheduler each time it runs dry."""
    # Built in start(), once the crawl's statistics and event loop exist.
    sitemaps: Sitemaps
    soft_404: Soft404Probe
    reader: Reader
    site_search: SiteSearch | None

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
        self.waiting = Waiting() if plan.frontier is None else None
        """The URLs claimed and not yet handed to Scrapy, while Scrapy's scheduler holds
        enough (one process's crawl: a shared crawl's scheduler keeps its queue in
        Redis)."""
        self.known_external = plan.known_external
        self.revalidation = Revalidation(plan.earlier)
        self.analyser: PageAnalyser | None = None
        self.stopping = False
        """Set by crawler.prompt_stop once the crawl is stopping (Ctrl-C)."""

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SiteSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        send_only_when_heard(crawler.signals)
        spider.redirects = build_from_crawler(Redirects, crawler)
        spider.retries = build_from_crawler(Retries, crawler)
        spider.throttle = build_from_crawler(Throttle, crawler)
        spider.site_search = SiteSearch.planned(crawler, spider.plan, spider.scope, spider.retries)
        spider.pdf_downloads = PdfDownloads(crawler, spider.plan.crawl.max_pdf_bytes)
        crawler.signals.connect(spider._robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(spider._top_up, signal=signals.scheduler_empty)
        crawler.signals.connect(spider._idle, signal=signals.spider_idle)
        spider.top_up_batch = max(1, crawler.settings.getint("CONCURRENT_REQUESTS"))
        crawler.signals.connect(spider._closed, signal=signals.spider_closed)
        return spider

    async def start(self) -> AsyncIterator[Any]:
        """The start URL, a page that cannot exist, then /sitemap.xml: each request marked
        as a start request (`is_start_request`), as Scrapy's StartSpiderMiddleware would,
        which is off because it wraps every callback's output too (crawler/settings.py)."""
        async for output in self._start():
            if isinstance(output, scrapy.Request):
                output.meta.setdefault("is_start_request", True)
            yield output

    async def _start(self) -> AsyncIterator[Any]:
        # Built here, in the crawl's event loop, where its worker processes are started.
        analyser = load_object(self.settings["SITEAUDIT_PAGE_ANALYSER"])
        self.analyser = build_from_crawler(analyser, self.crawler, self.plan.config)
        self.reader = Reader(self.analyser, self.plan.crawl.max_pdf_bytes)
        stats = self.crawler.stats
        assert stats is not None
        self.sitemaps = Sitemaps(self.plan.crawl, self.scope, stats)
        self.soft_404 = Soft404Probe(self.start_url, stats)
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
        elif self.site_search is not None:
            # Carried over, or met first as a link of a page carried over: not read as the
            # home page, so read again for its search form.
            yield self._search_home_request(self.start_url, [])
        if self.only_urls is not None:
            # A release's changed pages: audit those, check their links, crawl nothing else.
            for url in sorted(self.only_urls):
                if self.frontier.claim(url, Role.OTHER):
                    yield self._page_request(url, depth=1, chain=[])
            return
        yield scrapy.Request(
            self.soft_404.url,
            callback=self.parse_probe,
            errback=self._ignore,
            dont_filter=True,
            meta={"siteaudit": "probe"},
        )
        if self.plan.crawl.use_sitemaps:
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

    # -- robots.txt, sitemaps and the site's "not found" page --------------------------

    def _robots_parsed(self, robotparser: Any, request: scrapy.Request) -> None:
        """Honour any host's Crawl-delay; read the Sitemap lines of the site's robots.txt."""
        internal = self.scope.is_internal(request.url)
        delay = robotparser.crawl_delay(self.settings.get("USER_AGENT"))
        if delay:
            self.throttle.crawl_delay(host_of(request.url), float(delay), internal=internal)
        if internal and self.plan.crawl.use_sitemaps:
            for url in self.sitemaps.named_in_robots(robotparser, request.url):
                sitemap = self._sitemap_request(url)
                if sitemap is not None:
                    self.crawler.engine.crawl(sitemap)

    def _sitemap_request(self, url: str) -> scrapy.Request | None:
        """The request for a sitemap file, or None when the sitemaps don't want it."""
        if not self.sitemaps.claim(url):
            return None
        return scrapy.Request(
            url,
            callback=self.parse_sitemap,
            errback=self._ignore,
            priority=_SITEMAP_PRIORITY + 1,
            meta={"siteaudit": "sitemap"},
        )

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        """A sitemap index: request its sitemaps; a sitemap: queue its in-scope pages."""
        listed = self.sitemaps.read(response)
        if isinstance(listed, SitemapIndex):
            for url in listed.sitemaps:
                request = self._sitemap_request(url)
                if request is not None:
                    yield request
        elif listed is not None:
            yield SitemapItem(listed.entries)
            for url, _lastmod in listed.entries:
                followed = self._follow(
                    url, depth=0, kind="a", source=response.url, priority=_SITEMAP_PRIORITY
                )
                if followed is not None:
                    yield followed

    async def parse_search_home(self, response: Response) -> AsyncIterator[scrapy.Request]:
        """The home page, read again for its search form (a run carried on), following
        its redirects as the start URL's are followed."""
        assert self.site_search is not None
        if 300 <= response.status < 400 and b"Location" in response.headers:
            hop = self.redirects.next_hop(response)
            if hop.error is None:
                self._start_moved(hop.requested, hop.target)
                yield self._search_home_request(hop.target, hop.chain)
                return
        await self.site_search.search_from(response)

    def _search_home_request(self, url: str, chain: list[str]) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_search_home,
            errback=self.search_home_failed,
            dont_filter=True,
            meta={"siteaudit": "search", "chain": chain},
        )

    def search_home_failed(self, failure: Failure) -> None:
        """The home page could not be read again for its search form: said so."""
        assert self.site_search is not None
        error = describe_failure(failure, self.plan.crawl.timeout)
        self.site_search.home_unread(normalise(failure.request.url), error)  # type: ignore[attr-defined]

    def _start_moved(self, requested: str, target: str) -> None:
        """The start URL redirects to another host (example.org to www.example.org): the
        site lives there, so that host is in scope. The credentials don't go there unless
        it was named (plan.credentials)."""
        if host_of(target) != host_of(requested):
            self.scope.add_host(host_of(target))
            self.throttle.site_host(host_of(target))

    def parse_probe(self, response: Response) -> None:
        """The answer to a page that cannot exist: what the site's "not found" looks like."""
        self.soft_404.learn(response)

    # -- requests ---------------------------------------------------------------------

    def _page_request(
        self,
        url: str,
        *,
        depth: int,
        chain: list[str],
        is_start: bool = False,
        priority: int | None = None,
        verbatim: bool = False,
    ) -> scrapy.Request:
        # The home page is read whole when its search form is wanted, never answered 304.
        revalidate = not chain and not (is_start and self.site_search is not None)
        meta = {"siteaudit": "page", "internal": True, "depth": depth, "chain": chain}
        meta["start"] = is_start
        if verbatim:
            meta["verbatim_url"] = True
        return scrapy.Request(
            url,
            headers=self.revalidation.headers(url) if revalidate else {},
            callback=self.parse_page,
            errback=self.request_failed,
            priority=-depth if priority is None else priority,
            dont_filter=True,  # claimed in the frontier before a Request is even built
            meta=meta,
        )

    def _check_request(
        self,
        url: str,
        *,
        internal: bool,
        method: str = "HEAD",
        chain: list[str] | None = None,
        depth: int = 0,
        verbatim: bool = False,
    ) -> scrapy.Request:
        meta = {"siteaudit": "check", "internal": internal, "chain": chain or [], "depth": depth}
        if verbatim:
            meta["verbatim_url"] = True
        return scrapy.Request(
            url,
            method=method,
            callback=self.parse_checked,
            errback=self.request_failed,
            priority=-depth if internal else _EXTERNAL_PRIORITY,
            dont_filter=True,
            meta=meta,
        )

    def _want(self, wanted: Wanted) -> scrapy.Request | None:
        """The request for a claimed URL; or None when it waits its turn in `waiting`."""
        if self.waiting is None:
            return self._request(wanted)
        self.waiting.add(wanted)
        return None

    def _request(self, wanted: Wanted) -> scrapy.Request:
        # A claimed URL is normalised (rules.urls.normalise), which makes it what Scrapy
        # would make of it (w3lib's safe_url_string, about 1% of the crawl's CPU): it is
        # requested as it is (Scrapy's verbatim_url).
        if wanted.method is None:
            return self._page_request(
                wanted.url, depth=wanted.depth, chain=[], priority=wanted.priority, verbatim=True
            )
        return self._check_request(
            wanted.url, internal=True, method=wanted.method, depth=wanted.depth, verbatim=True
        )

    def _top_up(self) -> None:
        """Scrapy's scheduler ran dry: hand it the next batch of waiting URLs, as many as
        the crawl's concurrency, so the downloader stays busy while only a batch of
        Requests exists at a time."""
        if not self.waiting or self.stopping:
            return  # stopping (Ctrl-C): what waits is left to --resume
        engine = self.crawler.engine
        for wanted in self.waiting.take(self.top_up_batch):
            engine.crawl(self._request(wanted))

    def _idle(self) -> None:
        """Nothing in flight, nothing scheduled: the crawl is over only when no URL is
        waiting either."""
        if self.waiting and not self.stopping:
            self._top_up()
            raise DontCloseSpider

    def _follow(
        self, url: str, *, depth: int, kind: str, source: str, priority: int | None = None
    ) -> scrapy.Request | LinkStatusItem | TrapItem | None:
        """The request for a newly seen link target; a cached verdict for a recently checked
        external target; a TrapItem the first time a URL family is capped; or None when the
        target is already seen or out of bounds, or its request waits its turn (`waiting`)."""
        if kind not in _CHECKED_KINDS or not url.startswith("http"):
            return None  # mailto: and tel: links are recorded, never requested
        frontier = self.frontier
        if frontier.settled(url):
            return None
        crawl = self.plan.crawl
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
                return self._want(
                    Wanted(-depth if priority is None else priority, url, depth, None)
                )
            if not frontier.claim(url, Role.FILE):
                return None
            # A PDF is read for the links inside it; other files only need a status.
            method = "GET" if named_pdf(url) else "HEAD"
            return self._want(Wanted(-depth, url, depth, method))
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

    def _follow_links(
        self, links: tuple[LinkFields, ...], depth: int, source: str
    ) -> Iterator[Any]:
        # Most of a page's links (its menus, its footer, a link repeated) lead to URLs
        # claimed for good already: one set lookup each answers them, before _follow. So
        # do the stylesheet, script, icon and logo every page names: a file stays open to
        # being crawled as a page (crawler/frontier.py), but only a page's link does that.
        settled = self.frontier.settled
        claimed = self.frontier.claimed
        for url, _fragment, _text, kind, _region, _selector in links:
            if settled(url) or (kind not in _PAGE_KINDS and claimed(url)):
                continue
            followed = self._follow(url, depth=depth, kind=kind, source=source)
            if followed is not None:
                yield followed

    # -- responses --------------------------------------------------------------------

    async def parse_page(self, response: Response) -> AsyncIterator[Any]:
        """A response to a page request: follow a redirect, record a document, or analyse."""
        if self.stopping:
            return  # stopping (Ctrl-C): a page not yet read is left to --resume, unread
        meta = response.meta
        chain: list[str] = meta["chain"]
        requested = chain[0] if chain else _requested(response)
        if self.revalidation.unchanged(response):
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
        item = page_item(response, requested, chain)
        html = item.content_type.startswith(HTML_TYPES) and response.status < 400
        if is_pdf(response) or not html or is_binary(response.body):
            async for output in self._document(response, item, html=html):
                yield output
            return
        # An HTML page, the usual answer: analysed here rather than in an asynchronous
        # generator of its own, whose every output would cost another step.
        final = item.final_url
        if chain and final != item.url:
            # Record the redirect under the linked URL; audit the page under its own URL,
            # unless that URL is crawled (or queued) already.
            yield item
            claimed = meta.get("claimed") == final
            if not claimed and not self.frontier.claim(final, Role.OTHER):
                return
            item = page_item(response, final, [])
        item.is_html = True
        await self.reader.page(response, item)
        yield item
        for output in self._follow_links(item.links, meta["depth"] + 1, final):
            yield output
        if meta.get("start") and self.site_search is not None:
            await self.site_search.search_from(response)

    async def _document(
        self, response: Response, item: PageItem, *, html: bool
    ) -> AsyncIterator[Any]:
        """A document (or an error page): recorded, and a PDF's links followed."""
        if is_pdf(response):
            await self.reader.pdf(response, item)
        elif html:
            item.error = "binary content served as text/html"
        yield item
        for output in self._follow_links(item.links, response.meta["depth"] + 1, item.url):
            yield output
        for output in self._chain_end(response, item):
            yield output

    def _chain_end(self, response: Response, item: PageItem) -> Iterator[PageItem]:
        """The last hop of a redirect chain, recorded under its own URL too: it was claimed
        for the chain, so a direct link to it was not followed."""
        final = item.final_url
        if item.redirects and response.meta.get("claimed") == final and final != item.url:
            own = page_item(response, final, [])
            own.error = item.error
            yield own

    def _reuse(self, url: str, depth: int) -> Iterator[Any]:
        """An unchanged page: its earlier results are carried over, its earlier links
        followed, and nothing is parsed or analysed again."""
        assert self.analyser is not None
        yield self.revalidation.reused(url, depth, self.analyser.page_rule_ids)
        for target, kind in self.revalidation.links_from(url):
            followed = self._follow(target, depth=depth + 1, kind=kind, source=url)
            if followed is not None:
                yield followed

    def _redirect(self, response: Response) -> Iterator[Any]:
        """Follow one redirect hop: in scope keeps crawling, off site gets a status check."""
        meta = response.meta
        hop = self.redirects.next_hop(response)
        chain, requested, target = hop.chain, hop.requested, hop.target
        if hop.error is not None:
            yield self._failure(meta, requested, hop.error, chain)
            return
        if meta.get("start"):
            self._start_moved(requested, target)
        if meta["siteaudit"] == "page" and self.scope.is_internal(target):
            if not self.frontier.claim(target, Role.OTHER):
                # Crawled (or queued) under its own URL already: record the hop, and let
                # the store resolve the redirect's outcome through the target's row.
                item = page_item(response, requested, chain)
                item.final_url, item.redirects = target, [*chain, target]
                yield item
                if meta.get("start") and self.site_search is not None:
                    yield self._search_home_request(target, chain)  # not parsed as the home
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
        requested = chain[0] if chain else _requested(response)
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
        item = page_item(response, requested, chain)
        modified = last_modified(response)
        if modified and response.status < 400:
            item.facts[DOCUMENT_DATE_FACT] = {"date": modified, "source": "HTTP Last-Modified"}
        if is_pdf(response) and response.status < 400 and not chain:
            await self.reader.pdf(response, item)
        yield item
        for output in self._follow_links(item.links, meta["depth"] + 1, item.url):
            yield output

    def request_failed(self, failure: Failure) -> Iterator[Any]:
        """A request got no answer (refused, timed out, too large...): record why."""
        if failure.check(NotSent):
            return  # the crawl stopped before asking: nothing is known of it
        request = failure.request  # type: ignore[attr-defined]
        meta = request.meta
        requested = meta["chain"][0] if meta["chain"] else normalise(request.url)
        error = describe_failure(failure, self.plan.crawl.timeout)
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
        self.logger.info("not fetched: %s", describe_failure(failure, self.plan.crawl.timeout))


def _requested(response: Response) -> str:
    """The URL a response with no redirect chain answers, normalised: a claimed URL's
    request (`verbatim_url`, SiteSpider._request) is the normalised URL itself, which is
    not worked out again for every response."""
    if response.meta.get("verbatim_url"):
        return response.url
    return normalise(response.url)
