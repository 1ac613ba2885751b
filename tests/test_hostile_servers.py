"""Servers that misbehave at the HTTP level: each audit completes, the rest of the site is
audited, and the bad URL ends in a plain recorded error or a finding.

Each test stands up its own small site on 127.0.0.1 (a home page linking to two ordinary
pages and to the misbehaving route) and runs a real `siteaudit audit` in a subprocess.
"""

from __future__ import annotations

import gzip
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.kit.cli import audit_served
from tests.kit.findings import load_findings
from tests.kit.siteserver import RequestInfo, Response, Route

pytestmark = pytest.mark.slow

NORMAL_PAGES = ("/about", "/bins")

# What the crawler records for a request that got no usable answer: one plain phrase a
# content editor can read, never an exception name or a traceback.
PLAIN_FAILURES = frozenset(
    {
        "response larger than the download limit",
        "no answer within 1 s",
        "the connection was closed before the page arrived",
        "the connection was closed before the whole page arrived",
        "download abandoned",
    }
)


def _html(title: str, body: str, *, charset: str = "utf-8") -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="{charset}">\n'
        f"<title>{title} | Westbrook Borough Council</title>\n</head>\n"
        f"<body>\n<main>\n<h1>{title}</h1>\n{body}\n</main>\n</body>\n</html>\n"
    )


def _page(title: str) -> Route:
    text = f"<p>{title}: opening hours are 9am to 5pm, Monday to Friday.</p>"
    return lambda request: Response.html(_html(title, text))


def _home(bad_links: tuple[str, ...]) -> Route:
    links = "".join(f'<li><a href="{href}">{href}</a></li>' for href in NORMAL_PAGES + bad_links)
    return lambda request: Response.html(_html("Home", f"<ul>{links}</ul>"))


@dataclass
class Audit:
    """What one audit of a misbehaving site left behind."""

    returncode: int
    stderr: str
    requested: list[str]
    pages: dict[str, tuple[int | None, int, str | None, str | None]]
    """Path (with query) -> (status, is_html, error, title), from audit.db."""
    findings: list[dict[str, Any]]


def audit_site(
    tmp_path: Path,
    routes: Mapping[str, Route],
    *,
    links: tuple[str, ...],
    config: str = "",
) -> Audit:
    """Serve the home page, the normal pages and `routes`, and audit the site."""
    all_routes: dict[str, Route] = {"/": _home(links)}
    all_routes.update({path: _page(path.strip("/").title()) for path in NORMAL_PAGES})
    all_routes.update(routes)
    result, requested, out = audit_served(tmp_path, all_routes, f"use_sitemaps = false\n{config}")
    assert result.returncode == 0, result.stderr
    db = sqlite3.connect(out / "audit.db")
    try:
        pages = {}
        for url, status, is_html, error, title in db.execute(
            "SELECT u.url, p.status, p.is_html, p.error, p.title FROM pages p "
            "JOIN urls u ON u.id = p.url_id"
        ):
            parts = urlsplit(url)
            pages[parts.path + (f"?{parts.query}" if parts.query else "")] = (
                status,
                is_html,
                error,
                title,
            )
    finally:
        db.close()
    return Audit(result.returncode, result.stderr, requested, pages, load_findings(out)["findings"])


def assert_rest_of_site_audited(audit: Audit) -> None:
    for path in ("/", *NORMAL_PAGES):
        status, is_html, error, title = audit.pages[path]
        assert (status, is_html, error) == (200, 1, None), (path, audit.pages[path])
        assert title


def assert_plain_message(error: str) -> None:
    """One short line in words: no exception names, reprs or tracebacks."""
    assert "\n" not in error and len(error) <= 120, error
    for leak in ("Error", "Exception", "Failure", "Traceback", "<", "[", "twisted", "scrapy"):
        assert leak not in error, error


def assert_plain_failure(audit: Audit, path: str) -> str:
    status, is_html, error, _title = audit.pages[path]
    assert status is None and not is_html, audit.pages[path]
    assert error in PLAIN_FAILURES, error
    return error


def test_gzip_bomb_is_abandoned_at_the_download_limit(tmp_path: Path) -> None:
    # 4 MB of spaces inflate from about 4 KB: four times the 1 MB limit.
    bomb = gzip.compress(_html("Bomb", " " * 4_000_000).encode(), compresslevel=9)
    assert len(bomb) < 10_000

    def gzip_bomb(request: RequestInfo) -> Response:
        headers = {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"}
        return Response(body=bomb, headers=headers)

    audit = audit_site(
        tmp_path,
        {"/bomb": gzip_bomb},
        links=("/bomb",),
        config="max_page_bytes = 1000000\n",
    )
    assert_rest_of_site_audited(audit)
    assert assert_plain_failure(audit, "/bomb") == "response larger than the download limit"


def test_connection_dropped_mid_body_is_recorded_as_cut_short(tmp_path: Path) -> None:
    text = "".join(f"<p>Paragraph {n} about council tax bands.</p>\n" for n in range(2000))
    body = _html("Dropped", text).encode()

    def dropped(request: RequestInfo) -> Response:
        return Response(body=body, drop_after=len(body) // 3)

    audit = audit_site(tmp_path, {"/dropped": dropped}, links=("/dropped",))
    assert_rest_of_site_audited(audit)
    assert_plain_failure(audit, "/dropped")
    # One retry at most for a network error; no endless re-fetching of a broken page.
    assert audit.requested.count("/dropped") <= 2


def test_server_hanging_past_the_timeout_is_recorded_as_timed_out(tmp_path: Path) -> None:
    # An answer far past the timeout: a crawler starved of CPU on a busy machine may wake
    # seconds late, and must still find its timer due before the answer arrives.
    audit = audit_site(
        tmp_path, {"/slow": _hanging(60.0)}, links=("/slow",), config="timeout = 1\n"
    )
    assert_rest_of_site_audited(audit)
    assert assert_plain_failure(audit, "/slow") == "no answer within 1 s"


def _hanging(seconds: float) -> Route:
    def hangs(request: RequestInfo) -> Response:
        response = Response.html(_html("Slow", "<p>Eventually.</p>"))
        response.delay = seconds
        return response

    return hangs


GARBAGE_HEADERS: dict[str, dict[str, str]] = {
    # Two different lengths: a response-splitting smell every client must refuse or resolve.
    "/two-lengths": {"Content-Length": "20", "content-length": "999999"},
    "/length-not-a-number": {"Content-Length": "about a kilobyte"},
    # A value with a line break sends a header line that has no colon at all.
    "/line-without-colon": {"X-Powered-By": "Legacy CMS\r\nthis header line has no colon"},
    "/binary-header": {"X-Trace": "\x01\x02\x7f\xff"},
}


@pytest.fixture(scope="module")
def garbage_headers_audit(tmp_path_factory: pytest.TempPathFactory) -> Audit:
    body = _html("Odd headers", '<p>Still a page.</p><p><a href="/bins">Bins</a></p>').encode()

    def garbage(headers: dict[str, str]) -> Route:
        return lambda request: Response(
            body=body, headers={"Content-Type": "text/html; charset=utf-8", **headers}
        )

    routes = {path: garbage(headers) for path, headers in GARBAGE_HEADERS.items()}
    return audit_site(tmp_path_factory.mktemp("garbage"), routes, links=tuple(GARBAGE_HEADERS))


def test_garbage_headers_leave_the_rest_of_the_site_audited(garbage_headers_audit: Audit) -> None:
    assert_rest_of_site_audited(garbage_headers_audit)
    assert set(GARBAGE_HEADERS) <= set(garbage_headers_audit.pages)


@pytest.mark.parametrize(
    "path",
    [
        "/two-lengths",
        "/length-not-a-number",
        "/line-without-colon",
        "/binary-header",
    ],
)
def test_garbage_headers_end_in_a_plain_error_or_an_audited_page(
    garbage_headers_audit: Audit, path: str
) -> None:
    status, is_html, error, _title = garbage_headers_audit.pages[path]
    if error is None:
        assert status == 200 and is_html, garbage_headers_audit.pages[path]
    else:
        assert status is None
        assert_plain_message(error)


SESSION_MAX_PAGES = 30


def test_fresh_session_ids_on_every_link_are_a_reported_trap(tmp_path: Path) -> None:
    # With cookies off, a servlet container rewrites every link with a new session id:
    # each page links to "new" URLs for ever.
    counter = iter(range(1, 1_000_000))

    def shop(request: RequestInfo) -> Response:
        ids = [f"{next(counter):08X}" for _ in range(3)]
        links = (
            f'<a href="/shop;jsessionid={ids[0]}">Shop</a> '
            f'<a href="/shop/basket;jsessionid={ids[1]}">Basket</a> '
            f'<a href="/shop/item;jsessionid={ids[2]}?id=1">Item</a>'
        )
        return Response.html(_html("Shop", f"<p>{links}</p>"))

    audit = audit_site(
        tmp_path,
        {"/shop*": shop},
        links=("/shop;jsessionid=START",),
        config=f"max_pages = {SESSION_MAX_PAGES}\n",
    )
    assert_rest_of_site_audited(audit)
    session_requests = [t for t in audit.requested if t.startswith("/shop")]
    assert session_requests, audit.requested
    # One variant of each address is crawled; the session-id family is reported as a trap.
    assert len(session_requests) <= 3, session_requests
    assert len(audit.pages) <= SESSION_MAX_PAGES
    assert [f for f in audit.findings if f["rule"] == "crawl-trap"]


def test_ever_deeper_relative_paths_are_stopped_and_reported_as_a_trap(tmp_path: Path) -> None:
    def deeper(request: RequestInfo) -> Response:
        # A relative link to "a/" from /a/ is /a/a/, then /a/a/a/, for ever.
        return Response.html(_html("Section A", '<p><a href="a/">More about A</a></p>'))

    audit = audit_site(tmp_path, {"/a/*": deeper}, links=("/a/",))
    assert_rest_of_site_audited(audit)
    deep = [t for t in audit.requested if t.startswith("/a/")]
    # Repetition alone is no trap (real pages nest part-1/part-1/...): the family is stopped
    # once it has grown deeper than a real site's nesting goes.
    assert 0 < len(deep) <= 10, deep
    traps = [f for f in audit.findings if f["rule"] == "crawl-trap"]
    assert len(traps) == 1, traps
    assert "/a/" in traps[0]["target"] or "a" in traps[0]["message"]


def test_conflicting_declared_encodings_still_give_an_audited_page(tmp_path: Path) -> None:
    # The header says UTF-8, the meta tag windows-1252, and the bytes are windows-1252.
    title = "Council tax: £1,428 \u201cBand A\u201d"
    body = _html(title, "<p>Pay online \u2013 it\u2019s quicker.</p>", charset="windows-1252")

    def conflicting(request: RequestInfo) -> Response:
        return Response(
            body=body.encode("cp1252"), headers={"Content-Type": "text/html; charset=utf-8"}
        )

    audit = audit_site(tmp_path, {"/charges": conflicting}, links=("/charges",))
    assert_rest_of_site_audited(audit)
    status, is_html, error, stored_title = audit.pages["/charges"]
    assert (status, is_html, error) == (200, 1, None)
    assert stored_title and "Council tax" in stored_title


def test_conflicting_declared_encodings_are_decoded_or_reported(tmp_path: Path) -> None:
    title = "Council tax: \u00a31,428"
    body = _html(title, "<p>Pay online \u2013 it\u2019s quicker.</p>", charset="windows-1252")

    def conflicting(request: RequestInfo) -> Response:
        return Response(
            body=body.encode("cp1252"), headers={"Content-Type": "text/html; charset=utf-8"}
        )

    audit = audit_site(tmp_path, {"/charges": conflicting}, links=("/charges",))
    _status, _is_html, error, stored_title = audit.pages["/charges"]
    reported = error is not None or any(
        "/charges" in (f["target"] or "") and "encod" in f["message"].lower()
        for f in audit.findings
    )
    assert reported or (stored_title and "\ufffd" not in stored_title), stored_title
