"""What a site controls besides its pages: sitemaps, robots.txt and how its server fails.

Each test stands up its own small site on 127.0.0.1 and runs a real `siteaudit audit` in a
subprocess: the audit stays within its bounds, says plainly what it did, and records
network failures in words an editor can read.
"""

from __future__ import annotations

import gzip
import itertools
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import DownloadFailedError, DownloadTimeoutError
from twisted.internet.error import ConnectionDone, ConnectionLost
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, _DataLoss

from crawler.failures import describe_failure
from tests.kit.cli import audit_served
from tests.kit.findings import load_findings
from tests.kit.ports import free_port
from tests.kit.siteserver import RequestInfo, Response, Route, SiteServer

EXIT_UNREACHABLE = 3


def _html(title: str, body: str = "") -> Response:
    return Response.html(
        f'<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title} | Westbrook Borough Council</title>\n</head>\n"
        f"<body>\n<main>\n<h1>{title}</h1>\n<p>Opening hours are 9am to 5pm.</p>\n{body}\n"
        "</main>\n</body>\n</html>\n"
    )


def _home(*links: str) -> Route:
    items = "".join(f'<li><a href="{href}">{href}</a></li>' for href in links)
    return lambda request: _html("Home", f"<ul>{items}</ul>")


def _text(body: str | bytes, status: int = 200) -> Response:
    data = body.encode() if isinstance(body, str) else body
    return Response(status=status, body=data, headers={"Content-Type": "text/plain"})


@dataclass
class Audit:
    """What one audit left behind."""

    returncode: int
    stderr: str
    requested: list[str]
    out: Path

    def errors(self) -> dict[str, str | None]:
        """URL -> the error recorded for it, from audit.db."""
        return dict(
            self._query("SELECT u.url, p.error FROM pages p JOIN urls u ON u.id = p.url_id")
        )

    def count(self, table: str) -> int:
        return int(self._query(f"SELECT COUNT(*) FROM {table}")[0][0])

    def notes(self) -> list[str]:
        """The run's plain-English notes in findings.json."""
        return list(load_findings(self.out)["run"]["notes"])

    def _query(self, sql: str) -> list[tuple[Any, ...]]:
        db = sqlite3.connect(self.out / "audit.db")
        try:
            return list(db.execute(sql))
        finally:
            db.close()


def audit(tmp_path: Path, routes: Mapping[str, Route], config: str = "") -> Audit:
    """Serve `routes` (with ordinary /about and /bins pages) and audit the site."""
    all_routes: dict[str, Route] = {
        "/about": lambda request: _html("About"),
        "/bins": lambda request: _html("Bins"),
        **routes,
    }
    result, requested, out = audit_served(tmp_path, all_routes, config)
    return Audit(result.returncode, result.stderr, requested, out)


# -- sitemaps ---------------------------------------------------------------------------

SITEMAP_FILES = 5_000
URLS_PER_SITEMAP = 1_000


def _endless_sitemaps(request: RequestInfo) -> Response:
    """/sitemap.xml lists a gzip bomb and 5,000 sitemaps; the even ones list 1,000 pages
    each and the odd ones are indexes of 5,000 more sitemaps, for ever (indexes of indexes)."""
    name = request.path.rsplit("/", 1)[-1].removesuffix(".xml")
    number = 1 if name == "sitemap" else int(name.split("-")[-1])
    if number % 2:
        bomb = f"<sitemap><loc>{request.origin}{SITEMAP_BOMB}</loc></sitemap>"
        locs = (bomb if name == "sitemap" else "") + "".join(
            f"<sitemap><loc>{request.origin}/sitemaps/{name}-{n}.xml</loc></sitemap>"
            for n in range(SITEMAP_FILES)
        )
        xml = f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</sitemapindex>'
    else:
        locs = "".join(
            f"<url><loc>{request.origin}/p/{name}-{n}</loc></url>" for n in range(URLS_PER_SITEMAP)
        )
        xml = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'
    return Response(body=xml.encode(), headers={"Content-Type": "application/xml"})


SITEMAP_BOMB = "/bomb.xml.gz"


@pytest.mark.slow
def test_endless_sitemap_indexes_are_read_within_the_page_budget(tmp_path: Path) -> None:
    max_pages, max_sitemaps = 40, 6
    # 200 MB of nothing in about 200 KB: inflated only up to max_page_bytes, then dropped.
    bomb = gzip.compress(b" " * 200_000_000, compresslevel=9)
    result = audit(
        tmp_path,
        {
            "/": _home("/about", "/bins"),
            "/sitemap.xml": _endless_sitemaps,
            "/sitemaps/*": _endless_sitemaps,
            "/p/*": lambda request: _html("Listed page"),
            SITEMAP_BOMB: lambda request: Response(
                body=bomb, headers={"Content-Type": "application/gzip"}
            ),
        },
        config=f"max_pages = {max_pages}\nmax_sitemaps = {max_sitemaps}\n",
    )
    assert result.returncode == 0, result.stderr
    fetched = [t for t in result.requested if t.startswith(("/sitemap", SITEMAP_BOMB))]
    assert 0 < len(fetched) <= max_sitemaps, fetched
    assert SITEMAP_BOMB in result.requested
    # Sitemap addresses count against max_pages: no more are stored or crawled.
    assert 0 < result.count("sitemap_urls") <= max_pages
    assert result.count("pages") <= max_pages + 1  # + the page-that-cannot-exist probe
    notes = " ".join(result.notes())
    assert "sitemap" in notes and f"read the first {max_pages}" in notes, notes
    assert f"fetched {max_sitemaps} of them" in notes, notes
    assert "siteaudit read the first" in (result.out / "index.html").read_text()


# -- robots.txt -------------------------------------------------------------------------


@pytest.mark.slow
def test_long_crawl_delay_is_capped_and_said_once(tmp_path: Path) -> None:
    times: list[float] = []

    def timed(route: Route) -> Route:
        def answer(request: RequestInfo) -> Response:
            times.append(time.monotonic())
            return route(request)

        return answer

    result = audit(
        tmp_path,
        {
            "/robots.txt": lambda request: _text("User-agent: *\nCrawl-delay: 1000\n"),
            "/": timed(_home("/about", "/bins")),
            "/about": timed(lambda request: _html("About")),
            "/bins": timed(lambda request: _html("Bins")),
        },
        config="use_sitemaps = false\nmax_crawl_delay = 2\n",
    )
    assert result.returncode == 0, result.stderr
    said = [line for line in result.stderr.splitlines() if "1000 s" in line]
    assert len(said) == 1, result.stderr
    assert "2 s" in said[0] and "max_crawl_delay" in said[0], said
    # The cut delay is kept (Scrapy randomises each wait between 0.5 and 1.5 times it).
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert len(gaps) == 2 and min(gaps) >= 0.9, gaps
    notes = " ".join(result.notes())
    assert "1000 s between requests" in notes and "waited 2 s" in notes, notes


PRIVATE_PAGE = "/private/report"


@pytest.mark.slow
def test_oversized_robots_txt_is_read_from_its_start_and_obeyed(tmp_path: Path) -> None:
    padding = "# " + "x" * 97 + "\n"
    robots = "User-agent: *\nDisallow: /private/\n" + padding * 300_000  # 30 MB
    assert len(robots) > 30_000_000
    result = audit(
        tmp_path,
        {
            "/robots.txt": lambda request: _text(robots),
            "/": _home("/about", PRIVATE_PAGE),
            "/private/*": lambda request: _html("Private"),
        },
        config="use_sitemaps = false\n",
    )
    assert result.returncode == 0, result.stderr
    assert PRIVATE_PAGE not in result.requested
    errors = {url.split("/", 3)[-1]: error for url, error in result.errors().items()}
    assert errors[PRIVATE_PAGE.lstrip("/")] == "forbidden by robots.txt"
    assert errors["about"] is None


@pytest.mark.slow
def test_robots_txt_answering_500_forbids_the_crawl_and_says_why(tmp_path: Path) -> None:
    result = audit(
        tmp_path,
        {
            "/robots.txt": lambda request: _text("Internal error", status=500),
            "/": _home("/about", "/bins"),
        },
        config="use_sitemaps = false\nretries = 1\n",
    )
    assert result.returncode == EXIT_UNREACHABLE, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("siteaudit: ")]
    assert len(lines) == 1, result.stderr
    assert "robots.txt" in lines[0] and "500" in lines[0], lines
    # Asked once more (retries = 1) before deciding; no page is requested.
    assert result.requested.count("/robots.txt") == 2, result.requested
    assert not [t for t in result.requested if t in ("/", "/about", "/bins")], result.requested


@pytest.mark.slow
def test_robots_txt_recovering_from_a_server_error_is_obeyed(tmp_path: Path) -> None:
    answers = iter([_text("Busy", status=503)])

    def robots(request: RequestInfo) -> Response:
        return next(answers, None) or _text("User-agent: *\nDisallow: /private/\n")

    result = audit(
        tmp_path,
        {"/robots.txt": robots, "/": _home("/about", "/bins", PRIVATE_PAGE)},
        config="use_sitemaps = false\n",
    )
    assert result.returncode == 0, result.stderr
    assert {"/", "/about", "/bins"} <= set(result.requested)
    assert PRIVATE_PAGE not in result.requested


@pytest.mark.slow
def test_other_host_with_failing_robots_txt_is_left_alone_and_noted(
    tmp_path: Path, serve: Callable[..., SiteServer]
) -> None:
    forms = serve(
        routes={
            "/robots.txt": lambda request: _text("Down for maintenance", status=503),
            "/apply": lambda request: _html("Apply"),
        }
    )
    apply = f"{forms.url}/apply"
    result = audit(
        tmp_path,
        {"/": _home("/about", apply)},
        config=f'use_sitemaps = false\nretries = 0\nhosts = ["{forms.url.split("//")[1]}"]\n',
    )
    assert result.returncode == 0, result.stderr
    assert [r.target for r in forms.requests] == ["/robots.txt"]
    assert result.errors()[apply].startswith("not requested: robots.txt could not be read")
    notes = " ".join(result.notes())
    assert "1 address was not requested because the robots.txt" in notes, notes


# -- network failures in plain words ----------------------------------------------------


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port whose server reads each request and closes the connection without a word."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.recv(65536)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(timeout=5)
    listener.close()


@pytest.fixture
def closed_port() -> int:
    """A port nothing listens on."""
    return free_port()


@pytest.mark.slow
def test_network_failures_are_recorded_in_plain_words(
    tmp_path: Path, silent_port: int, closed_port: int
) -> None:
    body = _html("Cut", "<p>" + "Council tax bands. " * 3000 + "</p>").body
    silent = f"http://127.0.0.1:{silent_port}/form"
    refused = f"http://127.0.0.1:{closed_port}/gone"

    def slow(request: RequestInfo) -> Response:
        response = _html("Slow")
        response.delay = 5
        return response

    result = audit(
        tmp_path,
        {
            "/": _home("/about", "/slow", "/cut", silent, refused),
            "/slow": slow,
            "/cut": lambda request: Response(body=body, drop_after=len(body) // 3),
        },
        config=(
            "use_sitemaps = false\ntimeout = 2\n"
            f'hosts = ["127.0.0.1:{silent_port}", "127.0.0.1:{closed_port}"]\n'
        ),
    )
    assert result.returncode == 0, result.stderr
    errors = {url.rsplit("/", 1)[-1]: error for url, error in result.errors().items()}
    assert errors["slow"] == "no answer within 2 s"
    assert errors["cut"] == "the connection was closed before the whole page arrived"
    assert errors["form"] == "the connection was closed before the page arrived"
    assert errors["gone"] == "the server refused the connection"
    findings = load_findings(result.out)["findings"]
    messages = " ".join(f["message"] for f in findings if f["rule"] == "broken-link")
    assert "did not answer in time (no answer within 2 s)" in messages, messages
    for leak in ("Error", "Failure", "<", "twisted"):
        assert leak not in messages, messages


def _wrapped(*reasons: BaseException) -> DownloadFailedError:
    """What Scrapy raises for a response that failed: its text is a list of Failure reprs."""
    inner = ResponseFailed([Failure(reason) for reason in reasons])
    try:
        raise DownloadFailedError(str(inner)) from inner
    except DownloadFailedError as exc:
        return exc


@pytest.mark.parametrize(
    ("exc", "plain"),
    [
        (_wrapped(ConnectionDone()), "the connection was closed before the whole page arrived"),
        (
            _wrapped(ConnectionLost(), _DataLoss()),
            "the connection was closed before the whole page arrived",
        ),
        (
            DownloadTimeoutError("Getting x took longer than 180.0 seconds."),
            "no answer within 7.5 s",
        ),
        (RuntimeError("<object at 0x7f>"), "the server gave no usable answer"),
    ],
)
def test_every_failure_reads_as_plain_words(exc: BaseException, plain: str) -> None:
    assert "Failure" in str(exc) or not isinstance(exc, DownloadFailedError)
    assert describe_failure(Failure(exc), timeout=7.5) == plain
