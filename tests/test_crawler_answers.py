"""The crawler's components that read answers: sitemaps, the soft-404 probe, the reader
of pages and PDFs, an incremental re-audit's revalidation, failures put in words, and the
response helpers they share.

Each is built as the spider builds it and fed hand-made Scrapy responses: no server, no
subprocess. The crawls in tests/test_crawl*.py and tests/test_hostile_*.py prove the same
behaviour end to end.
"""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Iterator
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.robotstxt import ProtegoRobotParser
from scrapy.statscollectors import StatsCollector
from scrapy.utils.misc import build_from_crawler, load_object
from scrapy.utils.test import get_crawler
from twisted.internet.error import ConnectionRefusedError, DNSLookupError
from twisted.python.failure import Failure

from audits.core.config import AuditConfig, CrawlConfig
from audits.core.runnotes import (
    SITEMAP_URLS_LEFT,
    SITEMAP_URLS_LISTED,
    SITEMAP_URLS_READ,
    SITEMAPS_REQUESTED,
    SITEMAPS_SKIPPED,
)
from crawler import settings as project_settings
from crawler.analyser import PageAnalyser
from crawler.failures import describe_failure
from crawler.items import PageItem
from crawler.middlewares import RobotsTxtUnavailable
from crawler.plan import EarlierRun
from crawler.reader import Reader, is_pdf, named_pdf
from crawler.responses import headers, is_binary, last_modified, page_item
from crawler.revalidation import Revalidation
from crawler.scope import Scope
from crawler.sitemaps import SitemapIndex, Sitemaps, SitemapUrls
from crawler.soft404 import Soft404Probe
from rules.site import DOCUMENT_DATE_FACT, ROBOTS_FORBIDDEN, SOFT_404_TITLE_STAT
from tests.kit.pages import pdf_with_link

SITE = "http://example.org"


def _stats() -> StatsCollector:
    stats = get_crawler().stats
    assert stats is not None
    return stats


def _answer(
    url: str, body: bytes = b"", status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    request = Request(url, meta={"chain": [], "depth": 2})
    return Response(url, status=status, headers=headers or {}, body=body, request=request)


# -- sitemaps --------------------------------------------------------------------------


def _sitemaps(**crawl: Any) -> tuple[Sitemaps, StatsCollector]:
    stats = _stats()
    return Sitemaps(CrawlConfig(**crawl), Scope(f"{SITE}/"), stats), stats


def _urlset(*locs: str, lastmod: str | None = None) -> bytes:
    dated = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
    entries = "".join(f"<url><loc>{loc}</loc>{dated}</url>" for loc in locs)
    return (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{entries}</urlset>"
    ).encode()


def test_a_sitemap_lists_its_in_scope_pages_with_their_lastmod() -> None:
    sitemaps, stats = _sitemaps()
    body = _urlset("/bins", f"{SITE}/parking", "https://other.example/", lastmod="2026-01-02")
    listed = sitemaps.read(_answer(f"{SITE}/sitemap.xml", body))
    assert listed == SitemapUrls(
        [(f"{SITE}/bins", "2026-01-02"), (f"{SITE}/parking", "2026-01-02")]
    )
    assert (stats.get_value(SITEMAP_URLS_LISTED), stats.get_value(SITEMAP_URLS_READ)) == (2, 2)


def test_addresses_beyond_the_url_budget_are_counted_but_not_read() -> None:
    sitemaps, stats = _sitemaps(max_sitemap_urls=2)
    listed = sitemaps.read(_answer(f"{SITE}/sitemap.xml", _urlset("/a", "/b", "/c")))
    assert isinstance(listed, SitemapUrls)
    assert [url for url, _lastmod in listed.entries] == [f"{SITE}/a", f"{SITE}/b"]
    assert (stats.get_value(SITEMAP_URLS_LISTED), stats.get_value(SITEMAP_URLS_READ)) == (3, 2)
    assert stats.get_value(SITEMAP_URLS_LEFT) is None
    # The budget is spent: a sitemap queued before is not parsed, none more is asked for.
    assert sitemaps.read(_answer(f"{SITE}/more.xml", _urlset("/d"))) is None
    assert not sitemaps.claim(f"{SITE}/more.xml")
    assert stats.get_value(SITEMAP_URLS_LEFT) is True


def test_the_url_budget_is_max_pages_unless_set() -> None:
    sitemaps, _stats = _sitemaps(max_pages=1)
    listed = sitemaps.read(_answer(f"{SITE}/sitemap.xml", _urlset("/a", "/b")))
    assert isinstance(listed, SitemapUrls) and len(listed.entries) == 1


def test_sitemaps_beyond_max_sitemaps_are_skipped_and_each_is_asked_for_once() -> None:
    sitemaps, stats = _sitemaps(max_sitemaps=2)
    claims = [sitemaps.claim(f"{SITE}/{name}.xml") for name in ("a", "b", "a", "c", "d")]
    assert claims == [True, True, False, False, False]
    assert (stats.get_value(SITEMAPS_REQUESTED), stats.get_value(SITEMAPS_SKIPPED)) == (2, 2)


def test_a_sitemap_index_names_its_in_scope_sitemaps() -> None:
    sitemaps, stats = _sitemaps()
    body = (
        b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<sitemap><loc>/pages.xml.gz</loc></sitemap>"
        b"<sitemap><loc>https://other.example/theirs.xml</loc></sitemap>"
        b"</sitemapindex>"
    )
    listed = sitemaps.read(_answer(f"{SITE}/sitemap.xml", body))
    assert isinstance(listed, SitemapIndex)
    assert list(listed.sitemaps) == [f"{SITE}/pages.xml.gz"]
    assert stats.get_value(SITEMAP_URLS_READ) is None  # an index lists no pages


def test_a_gzipped_sitemap_is_read() -> None:
    sitemaps, _stats = _sitemaps()
    listed = sitemaps.read(_answer(f"{SITE}/s.xml.gz", gzip.compress(_urlset("/a"))))
    assert listed == SitemapUrls([(f"{SITE}/a", None)])


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (_urlset("/a"), 404),
        (b"\x1f\x8b not gzip at all", 200),
        (gzip.compress(_urlset(*(f"/{n}" for n in range(200)))), 200),  # over max_page_bytes
        (b"", 200),
    ],
    ids=["not-found", "broken-gzip", "gzip-too-large", "empty"],
)
def test_what_is_not_a_readable_sitemap_lists_nothing(body: bytes, status: int) -> None:
    sitemaps, stats = _sitemaps(max_page_bytes=1000)
    assert sitemaps.read(_answer(f"{SITE}/sitemap.xml", body, status)) is None
    assert stats.get_value(SITEMAP_URLS_LISTED) is None


def test_markup_that_is_not_a_sitemap_lists_no_pages() -> None:
    sitemaps, _stats = _sitemaps()
    page = b"<html><title>Not a sitemap</title><a href='/a'>A</a></html>"
    assert sitemaps.read(_answer(f"{SITE}/sitemap.xml", page)) == SitemapUrls([])


def test_robots_txt_sitemap_lines_on_the_site_are_read() -> None:
    robots = b"User-agent: *\nSitemap: /one.xml\nSitemap: https://other.example/two.xml\n"
    parser = ProtegoRobotParser.from_crawler(get_crawler(), robots)
    sitemaps, _stats = _sitemaps()
    assert list(sitemaps.named_in_robots(parser, f"{SITE}/robots.txt")) == [f"{SITE}/one.xml"]


# -- the soft-404 probe ----------------------------------------------------------------


def test_the_probe_asks_the_site_for_a_page_that_cannot_exist() -> None:
    first, second = Soft404Probe(f"{SITE}/council/", _stats()), Soft404Probe(SITE, _stats())
    assert first.url.startswith(f"{SITE}/siteaudit-check-")
    assert first.url.endswith("-not-a-page")
    assert first.url != second.url  # random: no real page answers it


def test_a_not_found_page_answering_200_teaches_its_title() -> None:
    stats = _stats()
    probe = Soft404Probe(SITE, stats)
    page = b"<html><head><title>\n  Page   not found | Council\n</title></head></html>"
    answer = HtmlResponse(probe.url, status=200, body=page, headers={"Content-Type": "text/html"})
    assert probe.learn(answer) == "Page not found | Council"
    assert stats.get_value(SOFT_404_TITLE_STAT) == "Page not found | Council"


@pytest.mark.parametrize(
    ("status", "content_type", "body"),
    [
        (404, "text/html", b"<title>Page not found</title>"),
        (200, "text/plain", b"<title>Page not found</title>"),
        (200, "text/html", b"<html><body>No title</body></html>"),
        (200, "text/html", b"<title>   </title>"),
    ],
    ids=["honest-404", "not-html", "untitled", "blank-title"],
)
def test_an_honest_or_untitled_answer_teaches_nothing(
    status: int, content_type: str, body: bytes
) -> None:
    stats = _stats()
    probe = Soft404Probe(SITE, stats)
    answer = TextResponse(
        probe.url, status=status, body=body, headers={"Content-Type": content_type}
    )
    assert probe.learn(answer) is None
    assert stats.get_value(SOFT_404_TITLE_STAT) is None


# -- reading pages and PDFs ------------------------------------------------------------


@pytest.fixture(scope="module")
def analyser() -> Iterator[PageAnalyser]:
    """The audit's page analyser, as the spider builds it, running its rules inline."""
    analyser_class = load_object(project_settings.SITEAUDIT_PAGE_ANALYSER)
    analyser = build_from_crawler(
        analyser_class, get_crawler(), AuditConfig().with_crawl(page_workers=0)
    )
    yield analyser
    analyser.close()


def _read(analyser: PageAnalyser, answer: Response, *, pdf: bool) -> PageItem:
    item = page_item(answer, answer.url, [])
    reader = Reader(analyser)
    asyncio.run(reader.pdf(answer, item) if pdf else reader.page(answer, item))
    return item


def test_a_pdfs_links_and_own_date_go_into_its_record(analyser: PageAnalyser) -> None:
    body = pdf_with_link(f"{SITE}/apply", modified="D:20190303120000Z")
    item = _read(analyser, _answer(f"{SITE}/plan.pdf", body), pdf=True)
    assert [link[0] for link in item.links] == [f"{SITE}/apply"]
    assert item.facts[DOCUMENT_DATE_FACT] == {"date": "2019-03-03", "source": "PDF metadata"}
    assert item.error is None


def test_a_pdf_that_cannot_be_read_is_recorded_with_why(analyser: PageAnalyser) -> None:
    item = _read(analyser, _answer(f"{SITE}/broken.pdf", b"%PDF-1.4 not really"), pdf=True)
    assert item.error is not None and item.error.startswith("the PDF could not be read")
    assert item.links == () and DOCUMENT_DATE_FACT not in item.facts


def test_an_html_page_is_analysed_into_its_record(analyser: PageAnalyser) -> None:
    page = (
        b"<html lang='en'><title>Bins</title><main>"
        b"<a href='/collections'>Collections</a><img src='a.png'></main></html>"
    )
    answer = _answer(f"{SITE}/bins", page, headers={"Content-Type": "text/html"})
    item = _read(analyser, answer, pdf=False)
    assert (item.title, item.lang) == ("Bins", "en")
    links = [(link[0], link[3]) for link in item.links]
    assert links == [(f"{SITE}/collections", "a"), (f"{SITE}/a.png", "img")]
    assert any(row["rule"] == "image-missing-alt" for row in item.findings)


@pytest.mark.parametrize(
    ("url", "body", "content_type", "pdf"),
    [
        (f"{SITE}/a.pdf", b"%PDF-1.7", "", True),
        (f"{SITE}/download?id=3", b"%PDF-1.4", "application/octet-stream", True),
        (f"{SITE}/doc", b"binary", "application/pdf; charset=binary", True),
        (f"{SITE}/a.pdf", b"<html>", "text/html", False),
    ],
)
def test_a_pdf_is_known_by_its_first_bytes_or_its_content_type(
    url: str, body: bytes, content_type: str, pdf: bool
) -> None:
    assert is_pdf(_answer(url, body, headers={"Content-Type": content_type})) is pdf


def test_a_link_named_pdf_is_fetched_whole() -> None:
    assert named_pdf(f"{SITE}/Plan.PDF") and not named_pdf(f"{SITE}/plan.pdf?page=2")


# -- revalidation ----------------------------------------------------------------------


def _earlier() -> EarlierRun:
    links = {f"{SITE}/": [(f"{SITE}/a", "a")]}
    validators = {
        f"{SITE}/": ('"v1"', "Mon, 02 Mar 2026 10:00:00 GMT"),
        f"{SITE}/weak": (None, "Mon, 02 Mar 2026 10:00:00 GMT"),
    }
    return EarlierRun(7, validators, lambda url: links.get(url, []))


def test_a_page_is_asked_for_with_the_validators_it_answered_with_before() -> None:
    revalidation = Revalidation(_earlier())
    assert revalidation.headers(f"{SITE}/") == {
        "If-None-Match": '"v1"',
        "If-Modified-Since": "Mon, 02 Mar 2026 10:00:00 GMT",
    }
    assert revalidation.headers(f"{SITE}/weak") == {
        "If-Modified-Since": "Mon, 02 Mar 2026 10:00:00 GMT"
    }
    assert revalidation.headers(f"{SITE}/new") == {}
    assert Revalidation(None).headers(f"{SITE}/") == {}


def test_only_a_304_to_a_pages_own_request_carries_it_over() -> None:
    revalidation = Revalidation(_earlier())
    unchanged = _answer(f"{SITE}/", status=304)
    assert revalidation.unchanged(unchanged)
    assert not revalidation.unchanged(_answer(f"{SITE}/", status=200))
    hop = Response(f"{SITE}/b", status=304, request=Request(f"{SITE}/b", meta={"chain": ["x"]}))
    assert not revalidation.unchanged(hop)  # a redirect's target was asked unconditionally
    assert not Revalidation(None).unchanged(unchanged)


def test_an_unchanged_page_keeps_its_earlier_results_and_links() -> None:
    revalidation = Revalidation(_earlier())
    item = revalidation.reused(f"{SITE}/", 1, ("image-missing-alt",))
    assert (item.url, item.previous_run, item.depth) == (f"{SITE}/", 7, 1)
    assert item.page_rules == ("image-missing-alt",)
    assert revalidation.links_from(f"{SITE}/") == [(f"{SITE}/a", "a")]


# -- failures --------------------------------------------------------------------------


class _SSLError(Exception):
    """Named like the TLS errors Twisted and pyOpenSSL raise."""


@pytest.mark.parametrize(
    ("exc", "plain"),
    [
        (ConnectionRefusedError(), "the server refused the connection"),
        (DNSLookupError("nowhere.example"), "host name does not resolve"),
        (_SSLError("handshake"), "secure connection (TLS) failed"),
        (
            ValueError("Cancelling download: max size exceeded"),
            "response larger than the download limit",
        ),
        (IgnoreRequest(), ROBOTS_FORBIDDEN),
        (
            RobotsTxtUnavailable("not requested: robots.txt could not be read"),
            "not requested: robots.txt could not be read",
        ),
        (
            ValueError("invalid Content-Length"),
            "malformed response (its Content-Length header is invalid)",
        ),
        (ValueError("Invalid response status"), "malformed response"),
    ],
    ids=["refused", "dns", "tls", "too-large", "robots", "robots-unavailable", "length", "invalid"],
)
def test_a_failed_request_reads_as_plain_words(exc: BaseException, plain: str) -> None:
    assert describe_failure(Failure(exc), timeout=15) == plain


def test_a_timeout_names_the_configured_wait() -> None:
    assert describe_failure(Failure(TimeoutError()), timeout=15.0) == "no answer within 15 s"


def test_the_cause_a_failure_wraps_is_read_too() -> None:
    try:
        raise RuntimeError("download failed") from ConnectionRefusedError()
    except RuntimeError as exc:
        wrapped = exc
    assert describe_failure(Failure(wrapped), timeout=15) == "the server refused the connection"


# -- what the spider reads off a response ----------------------------------------------


@pytest.mark.parametrize(
    ("value", "date"),
    [("Mon, 02 Mar 2026 10:00:00 GMT", "2026-03-02"), ("", None), ("yesterday", None)],
)
def test_last_modified_is_read_as_an_iso_date(value: str, date: str | None) -> None:
    answer = _answer(f"{SITE}/a.png", headers={"Last-Modified": value} if value else {})
    assert last_modified(answer) == date


@pytest.mark.parametrize(
    ("body", "binary"),
    [(b"<html>\x00", True), (b"\xff\xfe<\x00h\x00", False), (b"<html>plain</html>", False)],
    ids=["nul-bytes", "utf-16-with-bom", "text"],
)
def test_a_body_with_early_nul_bytes_and_no_bom_is_binary(body: bytes, binary: bool) -> None:
    assert is_binary(body) is binary


def test_rules_see_header_names_in_lower_case_with_their_first_value() -> None:
    answer = _answer(
        f"{SITE}/",
        headers={"X-Frame-Options": "DENY", "Content-Type": "text/html", "Vary": ["A", "B"]},
    )
    assert headers(answer) == {"x-frame-options": "DENY", "content-type": "text/html", "vary": "A"}


def test_a_fetch_is_recorded_with_its_chain_and_validators() -> None:
    answer = _answer(
        f"{SITE}/new", b"body", headers={"ETag": '"x"', "Content-Type": "Text/HTML; charset=utf-8"}
    )
    item = page_item(answer, f"{SITE}/old", [f"{SITE}/old"])
    assert (item.url, item.final_url, item.status, item.size) == (
        f"{SITE}/old",
        f"{SITE}/new",
        200,
        4,
    )
    assert (item.content_type, item.etag, item.depth) == ("text/html", '"x"', 2)
    assert item.redirects == [f"{SITE}/old", f"{SITE}/new"]


def test_a_fetch_without_a_chain_is_recorded_under_its_own_url() -> None:
    answer = _answer(f"{SITE}/page", b"body", headers={"Content-Type": "text/html"})
    item = page_item(answer, f"{SITE}/page", [])
    assert (item.url, item.final_url, item.redirects) == (f"{SITE}/page", f"{SITE}/page", [])
