"""The crawler's components on their own: redirects, retries, per-host politeness, the
page analyser named in settings, and the spider wired to them: its first requests from a
crawl plan, and how it hands sitemaps and PDFs to theirs.

Each is built the way Scrapy builds it (`build_from_crawler` on a `get_crawler` crawler)
and fed hand-made responses: no server, no subprocess, milliseconds per test. The crawls
in tests/test_crawl*.py prove the same behaviour end to end.
"""

from __future__ import annotations

import asyncio
import ctypes
import functools
import gc
import gzip
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydispatch.dispatcher import Any as AnySender
from pydispatch.dispatcher import getAllReceivers, liveReceivers
from scrapy import Request, signals
from scrapy.core.downloader import Downloader, Slot
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import DontCloseSpider, IgnoreRequest, StopDownload
from scrapy.http import Headers, HtmlResponse, Response
from scrapy.utils.conf import build_component_list
from scrapy.utils.misc import build_from_crawler, load_object
from scrapy.utils.test import get_crawler

from audits.core.config import AuditConfig
from audits.core.credentials import Credentials, CredentialScope
from audits.core.runnotes import CRAWL_DELAY_ASKED, CRAWL_DELAY_USED
from audits.stages.crawl import CRAWL_GC_THRESHOLD, collecting_less, give_back_memory
from crawler import settings as project_settings
from crawler.analyser import LinkFields, PageAnalysis, PdfReading
from crawler.frontier import Frontier, Role, Wanted
from crawler.items import PageItem, SitemapItem
from crawler.middlewares import Decompression
from crawler.plan import CarryOn, CrawlPlan, EarlierRun
from crawler.quiet_signals import heard, send_only_when_heard
from crawler.reader import PdfDownloads
from crawler.redirects import Redirects
from crawler.retries import BROWSER_USER_AGENT, Retries
from crawler.spiders.site import SiteSpider, _requested
from crawler.stats import CrawlStats, CrawlTimes, RequestCounts
from crawler.throttle import Throttle
from rules.page import Link
from rules.site import DOCUMENT_DATE_FACT
from rules.urls import absolute, normalise

SITE = "http://example.org"


def _crawler(**settings: Any) -> Crawler:
    """A crawler with the project's settings, some changed, and the downloader's slots (the
    engine itself is not started: what the components send is collected in `sent`)."""
    values = {name: getattr(project_settings, name) for name in dir(project_settings)}
    values = {name: value for name, value in values.items() if name.isupper()}
    crawler = get_crawler(SiteSpider, {**values, **settings})
    crawler.engine = SimpleNamespace(downloader=Downloader(crawler), sent=[])  # type: ignore[assignment]
    crawler.engine.crawl = crawler.engine.sent.append  # type: ignore[union-attr]
    return crawler


def _answer(
    url: str, status: int, headers: dict[str, str] | None = None, **meta: Any
) -> HtmlResponse:
    request = Request(url, meta={"chain": [], **meta})
    return HtmlResponse(url, status=status, headers=headers or {}, body=b"", request=request)


# -- redirects -------------------------------------------------------------------------


def test_a_redirect_leads_to_its_location_resolved_against_the_page() -> None:
    redirects = build_from_crawler(Redirects, _crawler())
    hop = redirects.next_hop(_answer(f"{SITE}/old", 301, {"Location": "/new#part"}))
    assert (hop.chain, hop.target, hop.error) == ([f"{SITE}/old"], f"{SITE}/new", None)


def test_each_hop_adds_to_the_chain_and_the_linked_url_stays_first() -> None:
    redirects = build_from_crawler(Redirects, _crawler())
    answer = _answer(f"{SITE}/b", 302, {"Location": f"{SITE}/c"}, chain=[f"{SITE}/a"])
    hop = redirects.next_hop(answer)
    assert hop.chain == [f"{SITE}/a", f"{SITE}/b"]
    assert hop.requested == f"{SITE}/a"
    assert hop.target == f"{SITE}/c"


def test_a_redirect_back_into_its_own_chain_is_a_loop() -> None:
    redirects = build_from_crawler(Redirects, _crawler())
    answer = _answer(f"{SITE}/b", 302, {"Location": "/a"}, chain=[f"{SITE}/a"])
    assert redirects.next_hop(answer).error == "redirect loop"


def test_a_chain_longer_than_redirect_max_times_ends_in_an_error() -> None:
    redirects = build_from_crawler(Redirects, _crawler(REDIRECT_MAX_TIMES=2))
    chain = [f"{SITE}/1", f"{SITE}/2"]
    hop = redirects.next_hop(_answer(f"{SITE}/3", 302, {"Location": "/4"}, chain=chain))
    assert hop.error == "more than 2 redirects"
    assert hop.chain == [*chain, f"{SITE}/3"]


def test_a_redirect_to_an_unusable_address_ends_the_chain() -> None:
    redirects = build_from_crawler(Redirects, _crawler())
    hop = redirects.next_hop(_answer(f"{SITE}/old", 301, {"Location": "http://[bad"}))
    assert hop.error == "redirect to an unusable address"


# -- retries ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "tries", "wait"),
    [(503, 0, 1.0), (500, 1, 2.0), (429, 0, 1.0), (503, 2, None), (404, 0, None)],
)
def test_server_errors_and_rate_limits_are_asked_again_with_growing_waits(
    status: int, tries: int, wait: float | None
) -> None:
    retries = build_from_crawler(Retries, _crawler(SITEAUDIT_RETRIES=2))
    retry = retries.retry_of(_answer(f"{SITE}/busy", status, tries=tries))
    assert (retry.wait if retry else None) == wait
    if retry is not None:
        assert retry.request.meta["tries"] == tries + 1
        assert retry.request.dont_filter


def test_retry_after_is_honoured_up_to_the_configured_limit() -> None:
    retries = build_from_crawler(Retries, _crawler(SITEAUDIT_MAX_RETRY_AFTER=30))
    retry = retries.retry_of(_answer(f"{SITE}/busy", 429, {"Retry-After": "20"}))
    assert retry is not None and retry.wait == 20.0
    assert retries.retry_of(_answer(f"{SITE}/busy", 429, {"Retry-After": "31"})) is None


def test_a_refusal_is_asked_once_more_at_once_with_a_browsers_user_agent() -> None:
    retries = build_from_crawler(Retries, _crawler())
    retry = retries.retry_of(_answer(f"{SITE}/members", 403))
    assert retry is not None and retry.wait == 0.0
    assert retry.request.headers["User-Agent"] == BROWSER_USER_AGENT.encode()
    refused_again = _answer(f"{SITE}/members", 403, browser_ua=True, tries=1)
    assert retries.retry_of(refused_again) is None


def test_a_retry_forgets_the_first_sendings_download_latency() -> None:
    retries = build_from_crawler(Retries, _crawler())
    answer = _answer(f"{SITE}/busy", 503, {"Retry-After": "0"}, download_latency=0.5)
    retry = asyncio.run(retries.retry(answer))
    assert retry is not None and "download_latency" not in retry.meta


# -- throttle --------------------------------------------------------------------------


def test_the_sites_own_hosts_get_the_configured_concurrency_and_delay() -> None:
    crawler = _crawler(SITEAUDIT_CONCURRENCY=6, SITEAUDIT_DELAY=0.5)
    throttle = build_from_crawler(Throttle, crawler)
    downloader = crawler.engine.downloader  # type: ignore[union-attr]
    downloader.slots["www.example.org"] = Slot(concurrency=2, delay=0.0)
    throttle.site_host("example.org:8080")
    throttle.site_host("www.example.org")
    assert downloader.per_slot_settings["example.org"] == {"concurrency": 6, "delay": 0.5}
    slot = downloader.slots["www.example.org"]
    assert (slot.concurrency, slot.delay) == (6, 0.5)


def test_a_crawl_delay_is_capped_and_only_the_sites_own_is_kept_for_the_report() -> None:
    crawler = _crawler(SITEAUDIT_MAX_CRAWL_DELAY=10, SITEAUDIT_MAX_RETRY_AFTER=30)
    throttle = build_from_crawler(Throttle, crawler)
    assert throttle.crawl_delay("example.org", 1000.0, internal=True) == 10.0
    assert throttle.crawl_delay("other.example", 1000.0, internal=False) == 30.0
    per_slot = crawler.engine.downloader.per_slot_settings  # type: ignore[union-attr]
    assert (per_slot["example.org"]["delay"], per_slot["other.example"]["delay"]) == (10.0, 30.0)
    assert crawler.stats is not None
    assert crawler.stats.get_value(CRAWL_DELAY_ASKED) == 1000.0
    assert crawler.stats.get_value(CRAWL_DELAY_USED) == 10.0


def test_a_crawl_delay_never_shortens_a_longer_one() -> None:
    crawler = _crawler()
    throttle = build_from_crawler(Throttle, crawler)
    throttle.slow_down("example.org", 5.0)
    throttle.slow_down("example.org", 2.0)
    assert crawler.engine.downloader.per_slot_settings["example.org"]["delay"] == 5.0  # type: ignore[union-attr]


def test_external_checks_wait_their_turn_and_a_release_sends_the_next() -> None:
    crawler = _crawler(CONCURRENT_REQUESTS_PER_DOMAIN=2)
    throttle = build_from_crawler(Throttle, crawler)
    checks = [Request(f"https://other.example/{n}") for n in range(4)]
    admitted = [throttle.admit(check) for check in checks]
    assert admitted == [checks[0], checks[1], None, None]
    throttle.release(checks[0].url)
    assert crawler.engine.sent == [checks[2]]  # type: ignore[union-attr]
    with pytest.raises(DontCloseSpider):
        throttle.spider_idle()  # the last one is sent rather than left behind
    assert crawler.engine.sent == [checks[2], checks[3]]  # type: ignore[union-attr]
    for check in checks[1:]:
        throttle.release(check.url)
    assert throttle.admit(Request("https://other.example/5")) is not None
    throttle.spider_idle()  # nothing waiting: the crawl may close


def test_a_shared_crawls_worker_leaves_external_checks_to_its_download_slots() -> None:
    throttle = build_from_crawler(
        Throttle, _crawler(CONCURRENT_REQUESTS_PER_DOMAIN=1, SITEAUDIT_JOB="j")
    )
    checks = [Request(f"https://other.example/{n}") for n in range(3)]
    assert [throttle.admit(check) for check in checks] == checks


def test_no_log_record_is_made_for_each_response_and_each_item() -> None:
    """Scrapy's DEBUG lines for them cost a record each, under an INFO log level too."""
    crawler = _crawler()
    formatter = build_from_crawler(load_object(crawler.settings["LOG_FORMATTER"]), crawler)
    response = _answer(f"{SITE}/", 200)
    assert formatter.crawled(response.request, response, None) is None
    assert formatter.scraped(PageItem(f"{SITE}/", f"{SITE}/", 200), response, None) is None


@pytest.mark.parametrize(
    ("claimed", "settled"),
    [
        (None, False),  # never met: the scope decides
        (Role.PAGE, True),
        (Role.OTHER, True),
        (Role.FILE, False),  # a file met again as a link is handed over as a page
    ],
)
def test_a_url_claimed_for_good_is_settled_without_asking_the_scope(
    claimed: Role | None, settled: bool
) -> None:
    frontier = Frontier(max_in_scope=10)
    if claimed is not None:
        frontier.claim(f"{SITE}/a", claimed)
    assert frontier.settled(f"{SITE}/a") is settled
    assert frontier.claim(f"{SITE}/a", Role.PAGE) is not settled


# -- the page analyser and the crawl plan ----------------------------------------------


class _TitleOnly:
    """A page analyser that reads nothing: enough to start a spider."""

    page_rule_ids = ("fake-rule",)

    def __init__(self, config: AuditConfig) -> None:
        self.config = config
        self.closed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler, config: AuditConfig) -> _TitleOnly:
        return cls(config)

    async def analyse(
        self, url: str, body: bytes, encoding: str, headers: dict[str, str], depth: int
    ) -> PageAnalysis:
        return PageAnalysis("", "", "", ())

    async def read_pdf(self, url: str, body: bytes) -> PdfReading:
        return PdfReading((Link(f"{SITE}/apply", "", "Apply", "a", "", ""),), "2020-01-02")

    def close(self) -> None:
        self.closed = True


def test_the_page_analyser_setting_names_the_audits_page_stage() -> None:
    crawler = _crawler()
    config = AuditConfig().with_crawl(page_workers=0)
    analyser_class = load_object(crawler.settings["SITEAUDIT_PAGE_ANALYSER"])
    analyser = build_from_crawler(analyser_class, crawler, config)
    try:
        assert "image-missing-alt" in analyser.page_rule_ids
        page = b"<html lang='en'><title>Bins</title><main><img src='a.png'></main></html>"
        analysis = asyncio.run(analyser.analyse(f"{SITE}/", page, "utf-8", {}, 0))
        assert analysis.title == "Bins"
        assert any(row["rule"] == "image-missing-alt" for row in analysis.findings)
    finally:
        analyser.close()


def _plan(**changes: Any) -> CrawlPlan:
    config = AuditConfig()
    credentials = CredentialScope.for_site(Credentials(), f"{SITE}/")
    return CrawlPlan(f"{SITE}/", config, credentials, **changes)


def _first_requests(plan: CrawlPlan) -> tuple[SiteSpider, list[Request]]:
    crawler = _crawler(SITEAUDIT_PAGE_ANALYSER=f"{__name__}._TitleOnly")
    spider = SiteSpider.from_crawler(crawler, plan=plan)

    async def collect() -> list[Request]:
        return [request async for request in spider.start()]

    return spider, asyncio.run(collect())


def _handed_on(spider: SiteSpider) -> list[Request]:
    """The requests for the URLs waiting their turn, as the spider hands them to Scrapy's
    scheduler when it runs dry (collected in the fake engine's `sent`)."""
    sent = spider.crawler.engine.sent  # type: ignore[union-attr]
    del sent[:]
    while spider.waiting:
        spider._top_up()
    return list(sent)


def test_a_fresh_crawl_starts_at_the_start_url_then_the_soft_404_probe_and_the_sitemap() -> None:
    spider, requests = _first_requests(_plan())
    kinds = [(request.meta["siteaudit"], request.url) for request in requests]
    assert kinds[0] == ("page", f"{SITE}/")
    assert kinds[1][0] == "probe" and "-not-a-page" in kinds[1][1]
    assert kinds[2] == ("sitemap", f"{SITE}/sitemap.xml")
    assert isinstance(spider.analyser, _TitleOnly)
    assert spider.analyser.config is spider.plan.config


def test_the_start_requests_are_marked_so_without_a_middleware_around_every_callback() -> None:
    # Scrapy's scheduler keeps start requests apart by this mark; its StartSpiderMiddleware
    # set it, and passed every callback's output through a generator of its own to do so.
    _, requests = _first_requests(_plan())
    assert requests and all(request.meta["is_start_request"] for request in requests)
    names = build_component_list(_crawler().settings.getwithbase("SPIDER_MIDDLEWARES"))
    assert "scrapy.spidermiddlewares.start.StartSpiderMiddleware" not in names


def test_a_sitemap_index_leads_to_its_sitemaps_and_a_sitemap_to_its_pages_last() -> None:
    spider, _ = _first_requests(_plan())
    index = (
        b"<sitemapindex><sitemap><loc>/sitemap.xml</loc></sitemap>"
        b"<sitemap><loc>/pages.xml</loc></sitemap></sitemapindex>"
    )
    named = list(spider.parse_sitemap(Response(f"{SITE}/sitemap.xml", body=index)))
    assert [(request.meta["siteaudit"], request.url) for request in named] == [
        ("sitemap", f"{SITE}/pages.xml")  # /sitemap.xml was asked for at the start
    ]
    urlset = b"<urlset><url><loc>/a</loc><lastmod>2026-01-02</lastmod></url></urlset>"
    listed = list(spider.parse_sitemap(Response(f"{SITE}/pages.xml", body=urlset)))
    assert listed == [SitemapItem([(f"{SITE}/a", "2026-01-02")])]
    assert [(request.url, request.priority) for request in _handed_on(spider)] == [
        (f"{SITE}/a", -1_000_000)  # after everything links lead to
    ]


def test_a_pdf_page_is_recorded_with_its_date_and_its_links_are_followed() -> None:
    spider, requests = _first_requests(_plan())
    answer = Response(f"{SITE}/", body=b"%PDF-1.4", request=requests[0])

    async def collect() -> list[Any]:
        return [output async for output in spider.parse_page(answer)]

    (record,) = asyncio.run(collect())
    (followed,) = _handed_on(spider)
    assert isinstance(record, PageItem) and not record.is_html
    assert record.facts[DOCUMENT_DATE_FACT] == {"date": "2020-01-02", "source": "PDF metadata"}
    assert (followed.url, followed.meta["depth"]) == (f"{SITE}/apply", 1)


def test_a_crawl_carried_on_follows_its_frontier_and_skips_what_is_done() -> None:
    carry_on = CarryOn(
        done=frozenset({f"{SITE}/"}),
        links=((f"{SITE}/a", "a", 1, f"{SITE}/"), (f"{SITE}/", "a", 1, f"{SITE}/a")),
        sitemap=(f"{SITE}/from-the-sitemap",),
    )
    spider, requests = _first_requests(_plan(carry_on=carry_on))
    requests += _handed_on(spider)
    pages = [request.url for request in requests if request.meta["siteaudit"] == "page"]
    assert pages == [f"{SITE}/a", f"{SITE}/from-the-sitemap"]
    assert spider.frontier.in_scope == 3


def test_an_incremental_crawl_asks_with_the_earlier_runs_validators() -> None:
    earlier = EarlierRun(7, {f"{SITE}/": ('"v1"', None)}, lambda url: [])
    _, requests = _first_requests(_plan(earlier=earlier))
    assert requests[0].headers["If-None-Match"] == b'"v1"'


def test_the_project_settings_are_the_crawl_configurations_defaults() -> None:
    # The bare `scrapy crawl site` runs with these; an audit sets them from `[crawl]`.
    crawl = AuditConfig().crawl
    settings = {
        "SITEAUDIT_RETRIES": crawl.retries,
        "SITEAUDIT_MAX_RETRY_AFTER": crawl.max_retry_after,
        "SITEAUDIT_CONCURRENCY": crawl.concurrency,
        "SITEAUDIT_DELAY": crawl.delay,
        "SITEAUDIT_MAX_CRAWL_DELAY": crawl.max_crawl_delay,
    }
    assert {name: getattr(project_settings, name) for name in settings} == settings


def test_the_bare_crawl_plans_with_the_defaults() -> None:
    plan = CrawlPlan.for_url("HTTP://Example.org")
    assert plan.start_url == f"{SITE}/"
    assert plan.config == AuditConfig()
    assert plan.carry_on is None and plan.earlier is None and not plan.shared


def _resident_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS in /proc/self/status")


@pytest.mark.skipif(not hasattr(ctypes.CDLL(None), "malloc_trim"), reason="glibc's malloc_trim")
def test_memory_a_stage_freed_goes_back_to_the_system_before_the_next() -> None:
    # 80 MB in blocks the C allocator serves from its heap, one in ten still in use: the
    # free pages between them stay resident (free() can only give back the heap's top).
    blocks = [bytes(4000) + bytes([n % 256]) for n in range(20_000)]
    kept = blocks[::10]
    del blocks
    resident = _resident_bytes()
    give_back_memory()
    assert resident - _resident_bytes() > 40_000_000
    assert len(kept) == 2000


def test_the_collector_runs_less_often_while_crawling_and_as_before_after() -> None:
    """The crawl freezes what is loaded and collects young objects less often; the stages
    after it get the collector back as it was."""
    before = gc.get_threshold()
    with collecting_less():
        assert gc.get_threshold() == (CRAWL_GC_THRESHOLD, *before[1:])
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_the_stats_the_audit_keeps_are_counted_without_scrapys_per_request_extras() -> None:
    """Requests and responses are counted and the crawl's times and reason recorded
    (audits/engine.py keeps them with the run), by the crawl's own lean components."""
    crawler = _crawler()
    stats = crawler.stats
    assert isinstance(stats, CrawlStats)
    counts = build_from_crawler(RequestCounts, crawler)
    times = build_from_crawler(CrawlTimes, crawler)
    response = _answer(f"{SITE}/", 200)
    times.spider_opened(None)
    for _ in range(2):
        assert counts.process_request(response.request) is None
    assert counts.process_response(response.request, response) is response
    times.spider_closed(None, reason="finished")
    assert stats.get_value("downloader/request_count") == 2
    assert stats.get_value("downloader/response_count") == 1
    assert stats.get_value("finish_reason") == "finished"
    assert stats.get_value("elapsed_time_seconds") >= 0
    assert stats.get_value("finish_time") >= stats.get_value("start_time")


def test_a_pages_links_to_urls_already_claimed_or_repeated_are_requested_once() -> None:
    spider, _ = _first_requests(_plan())
    links = tuple(
        _link(url, kind)
        for url, kind in [
            (f"{SITE}/", "a"),  # the start URL, claimed as a page: settled
            (f"{SITE}/a", "a"),
            (f"{SITE}/a", "a"),  # a link repeated on the page
            (f"{SITE}/form", "form"),  # a form action, then a link to it: a page after all
            (f"{SITE}/form", "a"),
            ("mailto:office@example.org", "a"),
        ]
    )
    assert list(spider._follow_links(links, 1, f"{SITE}/")) == []  # each waits its turn
    followed = _handed_on(spider)
    assert [(request.url, request.meta["siteaudit"]) for request in followed] == [
        (f"{SITE}/a", "page"),
        (f"{SITE}/form", "check"),
        (f"{SITE}/form", "page"),
    ]


def test_files_every_page_names_are_answered_from_the_claims_after_the_first_page() -> None:
    # The stylesheet, logo and search form of every page: claimed as files on the first
    # page, then answered by the frontier alone (the scope is not asked again), while a
    # link to the form's action still hands it over to be crawled as a page.
    spider, _ = _first_requests(_plan())
    assets = [(f"{SITE}/site.css", "link"), (f"{SITE}/logo.png", "img")]
    assets.append((f"{SITE}/search", "form"))
    template = tuple(_link(url, kind) for url, kind in assets)
    asked: list[str] = []
    wanted = spider.scope.wanted

    def counted(url: str) -> bool:
        asked.append(url)
        return wanted(url)

    spider.scope.wanted = counted  # type: ignore[method-assign]
    assert list(spider._follow_links(template, 1, f"{SITE}/")) == []
    assert len(asked) == 3
    for page in ("a", "b"):
        assert list(spider._follow_links(template, 2, f"{SITE}/{page}")) == []
    assert len(asked) == 3
    linked = (_link(f"{SITE}/search", "a"),)
    assert list(spider._follow_links(linked, 2, f"{SITE}/b")) == []
    followed = _handed_on(spider)
    assert [(request.url, request.meta["siteaudit"]) for request in followed] == [
        (f"{SITE}/site.css", "check"),
        (f"{SITE}/logo.png", "check"),
        (f"{SITE}/search", "check"),
        (f"{SITE}/search", "page"),
    ]


def _link(url: str, kind: str) -> LinkFields:
    """A link as the page analyser hands it over."""
    return (url, "", "", kind, "", "")


@functools.cache
def _spider_for_urls() -> SiteSpider:
    return _first_requests(_plan())[0]


_HREF_PIECES = [*"aZ09-._~:/?#[]@!$&'()*+,;= %\t\\^`{}|\"<>", "é", "中", "ß", "%2F", "%e9", "%zz"]


@settings(max_examples=300, deadline=None)
@given(
    base=st.sampled_from(
        ["http://example.org/a/b", "https://EXAMPLE.org:443/", "http://[::1]:80/"]
    ),
    href=st.lists(st.sampled_from(_HREF_PIECES), max_size=20).map("".join) | st.text(max_size=20),
    method=st.sampled_from([None, "HEAD", "GET"]),
)
def test_a_waiting_url_is_requested_as_scrapy_would_make_it(
    base: str, href: str, method: str | None
) -> None:
    # Requests for claimed URLs skip Scrapy's URL cleaning (verbatim_url): every claimed
    # URL is normalised, which must leave nothing for that cleaning to change.
    resolved = absolute(base, href)
    if resolved is None or not resolved[0].startswith("http"):
        return
    request = _spider_for_urls()._request(Wanted(0, resolved[0], 1, method))
    assert request.meta["verbatim_url"] is True
    assert request.url == Request(resolved[0]).url
    # Its response answers under the claimed URL, as normalising its URL again would say.
    assert _requested(HtmlResponse(request.url, request=request)) == normalise(request.url)


def test_urls_wait_their_turn_and_are_handed_on_in_order_a_batch_at_a_time() -> None:
    # Scrapy's scheduler holds a batch of Requests, not one for every URL met: the rest
    # wait as tuples, shallow pages first and first come first served within a depth.
    spider, _ = _first_requests(_plan())
    spider.top_up_batch = 2
    deep = tuple(_link(f"{SITE}/deep/{n}", "a") for n in range(2))
    shallow = tuple(
        _link(f"{SITE}/{name}", kind)
        for name, kind in [("b", "a"), ("c.pdf", "a"), ("d.png", "img")]
    )
    assert list(spider._follow_links(deep, 2, f"{SITE}/b")) == []
    assert list(spider._follow_links(shallow, 1, f"{SITE}/")) == []
    assert len(spider.waiting or ()) == 5
    sent = spider.crawler.engine.sent  # type: ignore[union-attr]
    del sent[:]
    spider._top_up()
    assert [(r.url, r.method, r.meta["depth"]) for r in sent] == [
        (f"{SITE}/b", "GET", 1),
        (f"{SITE}/c.pdf", "GET", 1),  # a PDF is read for its links
    ]
    with pytest.raises(DontCloseSpider):  # idle, but three still wait
        spider._idle()
    assert [(r.url, r.method) for r in sent[2:]] == [
        (f"{SITE}/d.png", "HEAD"),
        (f"{SITE}/deep/0", "GET"),
    ]
    spider._top_up()
    assert [r.url for r in sent[4:]] == [f"{SITE}/deep/1"]
    spider._idle()  # nothing waits: the crawl may end


def test_nothing_waiting_is_handed_on_once_the_crawl_is_stopping() -> None:
    spider, _ = _first_requests(_plan())
    list(spider._follow_links((_link(f"{SITE}/a", "a"),), 1, f"{SITE}/"))
    spider.stopping = True  # Ctrl-C: what waits is left to --resume
    spider._top_up()
    spider._idle()
    assert spider.crawler.engine.sent == []  # type: ignore[union-attr]


def test_no_downloader_middleware_works_on_every_request_for_nothing() -> None:
    """The spider's scope decides the hosts (no offsite filter) and requests are counted
    without working out their sizes in bytes (no DownloaderStats)."""
    crawler = _crawler()
    names = build_component_list(crawler.settings.getwithbase("DOWNLOADER_MIDDLEWARES"))
    assert "crawler.stats.RequestCounts" in names
    assert "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware" not in names
    assert "scrapy.downloadermiddlewares.stats.DownloaderStats" not in names


def test_a_signal_nobody_listens_to_is_not_sent_and_one_listened_to_is() -> None:
    # Scrapy sends signals for every request, response and chunk: one without receivers
    # answers what Scrapy would answer for none, without the dispatch.
    manager = _crawler().signals
    send_only_when_heard(manager)
    send_only_when_heard(manager)  # once is enough: not wrapped twice
    mine, anyones, everything = object(), object(), object()
    heard_here: list[tuple[str, int]] = []

    def from_this_crawler(value: int) -> str:
        heard_here.append(("crawler", value))
        return "crawler"

    def from_any_sender(value: int) -> str:
        heard_here.append(("any", value))
        return "any"

    for signal in (mine, anyones, everything):
        assert manager.send_catch_log(signal, value=0) == []
        assert asyncio.run(manager.send_catch_log_async(signal, value=0)) == []
    manager.connect(from_this_crawler, signal=mine)
    manager.connect(from_any_sender, signal=anyones, sender=AnySender)
    for signal in (mine, anyones, everything):
        assert heard(manager.sender, signal) == any(
            liveReceivers(getAllReceivers(manager.sender, signal))
        )
    assert manager.send_catch_log(mine, value=1) == [(from_this_crawler, "crawler")]
    assert manager.send_catch_log(anyones, value=2) == [(from_any_sender, "any")]
    assert asyncio.run(manager.send_catch_log_async(mine, value=3)) == [
        (from_this_crawler, "crawler")
    ]
    assert manager.send_catch_log(everything, value=4) == []
    assert heard_here == [("crawler", 1), ("any", 2), ("crawler", 3)]
    manager.disconnect(from_this_crawler, signal=mine)
    assert not heard(manager.sender, mine)
    assert manager.send_catch_log(mine, value=5) == []


def test_pdf_bytes_are_counted_only_while_a_pdf_is_downloaded() -> None:
    crawler = _crawler()
    manager = crawler.signals
    downloads = PdfDownloads(crawler, max_bytes=10)
    page = Request(f"{SITE}/a", meta={"siteaudit": "page", "internal": True})
    pdf = Request(f"{SITE}/plan.pdf", meta={"siteaudit": "check", "internal": True})
    html = Headers({"Content-Type": "text/html"})
    for request in (page, pdf):
        manager.send_catch_log(
            signals.headers_received, headers=html, body_length=0, request=request, spider=None
        )
    assert "pdf_bytes" not in page.meta and pdf.meta["pdf_bytes"] == 0
    assert heard(manager.sender, signals.bytes_received)
    manager.send_catch_log(signals.bytes_received, data=b"x" * 6, request=pdf, spider=None)
    [(_, stopped)] = manager.send_catch_log(
        signals.bytes_received, data=b"x" * 6, request=pdf, spider=None
    )
    assert isinstance(stopped.value, StopDownload)  # past max_bytes: cut, and kept
    manager.send_catch_log(signals.request_left_downloader, request=page, spider=None)
    assert heard(manager.sender, signals.bytes_received)  # the PDF is still coming
    manager.send_catch_log(signals.request_left_downloader, request=pdf, spider=None)
    assert not heard(manager.sender, signals.bytes_received)
    assert downloads._downloading == set()


def _gzip_cases() -> st.SearchStrategy[bytes]:
    text = st.binary(max_size=3000) | st.text(max_size=3000).map(str.encode)
    whole = text.map(gzip.compress)
    several = st.lists(whole, min_size=2, max_size=3).map(b"".join)
    truncated = st.tuples(whole, st.integers(1, 40)).map(lambda p: p[0][: -p[1]])
    damaged = st.tuples(whole, st.integers(0, 10_000), st.integers(1, 255)).map(
        lambda p: (
            p[0][: p[1] % len(p[0])]
            + bytes([p[0][p[1] % len(p[0])] ^ p[2]])
            + p[0][p[1] % len(p[0]) + 1 :]
        )
    )
    padded = st.tuples(whole, st.binary(min_size=1, max_size=8)).map(b"".join)
    return whole | several | truncated | damaged | padded | st.binary(max_size=64)


@settings(max_examples=500, deadline=None)
@given(body=_gzip_cases(), max_size=st.sampled_from([0, 10, 1000, 2999, 3000, 10 << 20]))
def test_a_gzipped_body_is_inflated_as_scrapy_would(body: bytes, max_size: int) -> None:
    # One whole gzip member is inflated in one call; anything else goes Scrapy's way: the
    # outcome (the body, or the error) is Scrapy's either way.
    def outcome(decode: Any) -> tuple[str, Any]:
        try:
            return "body", decode(body, b"gzip", max_size)
        except Exception as exc:  # what Scrapy raises, compared below
            return "error", (type(exc), str(exc))

    assert outcome(Decompression._decode) == outcome(HttpCompressionMiddleware._decode)


def test_the_decompression_middleware_stands_in_for_scrapys() -> None:
    crawler = _crawler()
    names = build_component_list(crawler.settings.getwithbase("DOWNLOADER_MIDDLEWARES"))
    assert "crawler.middlewares.Decompression" in names
    assert not [name for name in names if name.endswith(".HttpCompressionMiddleware")]
    request = Request(f"{SITE}/bins")

    def gzipped(body: bytes) -> Response:
        headers = {"Content-Type": "text/html", "Content-Encoding": "gzip"}
        return Response(request.url, headers=headers, body=gzip.compress(body), request=request)

    middleware = build_from_crawler(Decompression, crawler)
    page = b"<html><title>Bins</title></html>" * 50
    inflated = middleware.process_response(request, gzipped(page))
    assert isinstance(inflated, HtmlResponse) and inflated.body == page
    assert b"Content-Encoding" not in inflated.headers
    request.meta["download_maxsize"] = 1_000_000
    with pytest.raises(IgnoreRequest):  # a decompression bomb
        middleware.process_response(request, gzipped(b"\0" * 2_000_000))


@settings(max_examples=200, deadline=None)
@given(
    body=_gzip_cases(),
    content_type=st.sampled_from([None, "text/html; charset=utf-8", "application/pdf"]),
    encoding=st.sampled_from(["gzip", "x-gzip", "gzip, gzip", "deflate"]),
    method=st.sampled_from(["GET", "HEAD"]),
)
def test_a_compressed_answer_becomes_the_response_scrapy_would_make(
    body: bytes, content_type: str | None, encoding: str, method: str
) -> None:
    crawler = _crawler()
    ours = build_from_crawler(Decompression, crawler)
    scrapys = build_from_crawler(HttpCompressionMiddleware, crawler)

    def answer(middleware: Any) -> Any:
        request = Request(f"{SITE}/bins", method=method)
        headers = {"Content-Encoding": encoding, "Content-Type": content_type}
        headers = {name: value for name, value in headers.items() if value is not None}
        raw = Response(request.url, 200, headers, body, ["cached"], request, protocol="HTTP/1.1")
        try:
            made = middleware.process_response(request, raw)
        except Exception as exc:
            return type(exc), str(exc)
        return type(made), made.body, made.headers.to_unicode_dict(), made.flags, made.protocol

    assert answer(ours) == answer(scrapys)
