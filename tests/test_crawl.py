"""What the crawl fetches and records: scope, caps, sitemaps, redirects, politeness.

Each test serves a small site from routes on 127.0.0.1 and runs a real audit in a
subprocess, then reads the store.
"""

from __future__ import annotations

import dataclasses
import datetime
import gzip
import ipaddress
import itertools
import json
import sqlite3
import ssl
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from audits.store import Store
from tests.kit.cli import run_cli
from tests.kit.findings import load_findings
from tests.kit.pages import html_page
from tests.kit.siteserver import RequestInfo, Response, SiteServer

pytestmark = pytest.mark.slow


def page(*hrefs: str, title: str = "Page") -> Response:
    links = "".join(f'<li><a href="{href}">{href}</a></li>' for href in hrefs)
    return html_page(title, f"<ul>{links}</ul>")


def fixed(response: Response) -> Callable[[RequestInfo], Response]:
    return lambda request: response


def audit(server: SiteServer, tmp_path: Path, *args: str, config: str = "") -> sqlite3.Connection:
    """Audit the server's site; return the store."""
    options = list(args)
    if config:
        (tmp_path / "siteaudit.toml").write_text(config)
        options += ["--config", str(tmp_path / "siteaudit.toml")]
    result = run_cli(
        "audit", f"{server.url}/", "--out", tmp_path, "-q", "--page-workers", "0", *options
    )
    assert result.returncode == 0, result.stderr
    return sqlite3.connect(tmp_path / "audit.db")


def stored(db: sqlite3.Connection, origin: str) -> dict[str, tuple]:
    """Path to (status, is_html, depth, click_depth, redirects, error, in_sitemap)."""
    rows = db.execute(
        "SELECT u.url, p.status, p.is_html, p.depth, p.click_depth, p.redirects, p.error, "
        "p.in_sitemap FROM pages p JOIN urls u ON u.id = p.url_id"
    )
    return {url.removeprefix(origin): rest for url, *rest in rows}  # type: ignore[misc]


def test_max_pages_and_max_depth_cap_the_crawl(tmp_path: Path) -> None:
    routes = {f"/p{i}": fixed(page(f"/p{i + 1}")) for i in range(1, 30)}
    routes["/"] = fixed(page("/p1"))
    with SiteServer(routes=routes) as server:
        by_depth = stored(audit(server, tmp_path / "depth", "--max-depth", "3"), server.url)
        by_pages = stored(audit(server, tmp_path / "pages", "--max-pages", "5"), server.url)
    assert set(by_depth) == {"/", "/p1", "/p2", "/p3"}
    assert len(by_pages) == 5


def test_click_depth_is_the_shortest_path_even_when_found_late(tmp_path: Path) -> None:
    # /deep is reached first through a long chain but also linked from the home page.
    routes = {
        "/": fixed(page("/a", "/deep")),
        "/a": fixed(page("/b")),
        "/b": fixed(page("/deep")),
        "/deep": fixed(page()),
    }
    with SiteServer(routes=routes) as server:
        pages = stored(audit(server, tmp_path), server.url)
    assert pages["/deep"][3] == 1
    assert pages["/b"][3] == 2


def test_include_exclude_and_extra_hosts_set_the_scope(tmp_path: Path) -> None:
    with SiteServer(routes={"/*": fixed(page(title="Other host"))}) as other:
        routes = {
            "/": fixed(page("/news/1", "/search?q=x", "/bins/", f"{other.url}/forms/a")),
            "/news/1": fixed(page()),
            "/bins/": fixed(page()),
        }
        with SiteServer(routes=routes) as server:
            config = f'[crawl]\nexclude = ["/search"]\nhosts = ["{other.url.split("//")[1]}"]\n'
            pages = stored(audit(server, tmp_path, config=config), server.url)
            requested = [r.target for r in server.requests]
        assert [r.target for r in other.requests if r.method == "GET"] == [
            "/robots.txt",
            "/forms/a",
        ]
        form = f"{other.url}/forms/a"
    assert "/search?q=x" not in requested
    assert pages[form][1] == 1  # crawled as a page of the site


def test_sitemap_index_and_gzipped_sitemap_seed_orphan_pages(tmp_path: Path) -> None:
    def robots(request: RequestInfo) -> Response:
        body = f"User-agent: *\nDisallow:\nSitemap: {request.origin}/sitemap-index.xml\n"
        return Response(body=body.encode(), headers={"Content-Type": "text/plain"})

    def index(request: RequestInfo) -> Response:
        xml = (
            '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{request.origin}/pages.xml.gz</loc></sitemap></sitemapindex>"
        )
        return Response(body=xml.encode(), headers={"Content-Type": "application/xml"})

    def pages_gz(request: RequestInfo) -> Response:
        xml = (
            '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{request.origin}/orphan</loc><lastmod>2024-01-02</lastmod></url>"
            f"<url><loc>{request.origin}/</loc></url></urlset>"
        )
        return Response(
            body=gzip.compress(xml.encode()), headers={"Content-Type": "application/gzip"}
        )

    routes = {
        "/robots.txt": robots,
        "/sitemap-index.xml": index,
        "/pages.xml.gz": pages_gz,
        "/": fixed(page("/linked")),
        "/linked": fixed(page()),
        "/orphan": fixed(page()),
    }
    with SiteServer(routes=routes) as server:
        db = audit(server, tmp_path)
        pages = stored(db, server.url)
    assert pages["/orphan"][1] == 1
    assert pages["/orphan"][3] is None  # no link leads there
    assert pages["/orphan"][6] == 1  # in a sitemap
    assert db.execute("SELECT lastmod FROM sitemap_urls WHERE lastmod IS NOT NULL").fetchall() == [
        ("2024-01-02",)
    ]


def test_redirect_chains_are_recorded_and_loops_reported(tmp_path: Path) -> None:
    routes = {
        "/": fixed(page("/old", "/loop-a")),
        "/old": fixed(Response.redirect("/older", 301)),
        "/older": fixed(Response.redirect("/new", 302)),
        "/new": fixed(page()),
        "/loop-a": fixed(Response.redirect("/loop-b")),
        "/loop-b": fixed(Response.redirect("/loop-a")),
    }
    with SiteServer(routes=routes) as server:
        pages = stored(audit(server, tmp_path), server.url)
        gets = [r.target for r in server.requests if r.target == "/new"]
        origin = server.url
    assert pages["/old"][4] == f'["{origin}/old", "{origin}/older", "{origin}/new"]'
    assert pages["/new"][1] == 1
    assert len(gets) == 1
    assert pages["/loop-a"][5] == "redirect loop"


def test_documents_get_head_then_get_when_head_is_refused(tmp_path: Path) -> None:
    def pdf(request: RequestInfo) -> Response:
        if request.method == "HEAD":
            return Response(status=405)
        return Response(body=b"PK\x03\x04", headers={"Content-Type": "application/msword"})

    routes = {
        "/": fixed(page("/leaflet.docx", "/missing.docx")),
        "/leaflet.docx": pdf,
    }
    with SiteServer(routes=routes) as server:
        pages = stored(audit(server, tmp_path), server.url)
        methods = [(r.method, r.target) for r in server.requests if r.target.endswith(".docx")]
    assert ("HEAD", "/leaflet.docx") in methods
    assert ("GET", "/leaflet.docx") in methods
    assert pages["/leaflet.docx"][:2] == [200, 0]
    assert pages["/missing.docx"][:2] == [404, 0]


def test_a_checked_form_action_met_later_as_a_link_is_fetched_once(tmp_path: Path) -> None:
    """/search is first a form action (checked with HEAD, which it refuses), then a link
    (a page): while the HEAD is answered, the page is fetched; the check must not ask
    again with GET."""
    page_fetched = threading.Event()

    def search(request: RequestInfo) -> Response:
        if request.method == "HEAD":
            assert page_fetched.wait(60), "the link to /search was never followed"
            return Response(status=405)
        page_fetched.set()
        return page()

    home = Response.html(
        "<html lang='en'><head><title>Home</title></head><body><main><h1>Home</h1>"
        "<form action='/search'><input name='q'></form><a href='/a'>A</a></main></body></html>"
    )
    routes = {"/": fixed(home), "/a": fixed(page("/search")), "/search": search}
    with SiteServer(routes=routes) as server:
        pages = stored(audit(server, tmp_path), server.url)
        gets = [r.target for r in server.requests if r.method == "GET" and r.target == "/search"]
    assert pages["/search"][:2] == [200, 1]  # audited as a page
    assert len(gets) == 1


def test_a_checked_form_action_crawled_later_as_a_page_is_counted_once(tmp_path: Path) -> None:
    """/search is checked as a form action (HEAD, answered and recorded), then met as a
    link on a page fetched after that answer, and crawled as a page: the store keeps the
    page's record, and the run's counts say one page more and no file (the demo counted
    its /search under both)."""
    checked = threading.Event()

    def search(request: RequestInfo) -> Response:
        if request.method == "HEAD":
            checked.set()
        return page()

    home = Response.html(
        "<html lang='en'><head><title>Home</title></head><body><main><h1>Home</h1>"
        "<form action='/search'><input name='q'></form><a href='/a'>A</a>"
        "<img src='/logo.png' alt='Logo'></main></body></html>"
    )
    logo = Response(body=b"\x89PNG", headers={"Content-Type": "image/png"})
    routes = {
        "/": fixed(home),
        "/a": after(checked, page("/search")),
        "/search": search,
        "/logo.png": fixed(logo),
    }
    with SiteServer(routes=routes) as server:
        db = audit(server, tmp_path, config="[crawl]\nuse_sitemaps = false\n")
        pages = stored(db, server.url)
    assert pages["/search"][:2] == [200, 1]
    (raw,) = db.execute("SELECT stats FROM runs").fetchone()
    stats = json.loads(raw)
    files = sorted(path for path, (_status, is_html, *_rest) in pages.items() if not is_html)
    assert files == ["/logo.png"]
    assert stats["siteaudit/urls_other"] == 1
    assert stats["siteaudit/pages_html"] == len(pages) - 1


def test_robots_crawl_delay_spaces_requests(tmp_path: Path) -> None:
    times: list[float] = []

    def timed(request: RequestInfo) -> Response:
        times.append(time.monotonic())
        return page("/a", "/b", "/c")

    robots = Response(
        body=b"User-agent: *\nCrawl-delay: 1\n", headers={"Content-Type": "text/plain"}
    )
    routes = {"/robots.txt": fixed(robots), "/": timed, "/a": timed, "/b": timed, "/c": timed}
    with SiteServer(routes=routes) as server:
        audit(server, tmp_path, "--concurrency", "8", config="[crawl]\nuse_sitemaps = false\n")
    assert len(times) == 4
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert min(gaps) > 0.4  # Scrapy randomises the delay between 0.5x and 1.5x


def test_start_url_redirecting_to_another_host_brings_that_host_into_scope(
    tmp_path: Path,
) -> None:
    with SiteServer(routes={"/": fixed(page("/about")), "/about": fixed(page())}) as www:
        with SiteServer(routes={"/": fixed(Response.redirect(f"{www.url}/"))}) as bare:
            result = run_cli(
                "audit", f"{bare.url}/", "--out", tmp_path, "-q", "--page-workers", "0"
            )
            assert result.returncode == 0, result.stderr
        pages = stored(sqlite3.connect(tmp_path / "audit.db"), www.url)
    assert pages["/about"][1] == 1


def after(event: threading.Event, response: Response) -> Callable[[RequestInfo], Response]:
    """A route that answers once `event` is set (so that another request goes first)."""

    def route(request: RequestInfo) -> Response:
        assert event.wait(60), "the request it waits for never came"
        return response

    return route


@pytest.mark.parametrize("first", ["/old", "/a"])
def test_a_redirect_to_a_missing_page_and_a_direct_link_to_it_are_both_reported(
    tmp_path: Path, first: str
) -> None:
    """Either the redirect or the link reaches /gone first: the same outcome."""
    went_first = threading.Event()

    def gone(request: RequestInfo) -> Response:
        went_first.set()
        return Response(status=404)

    old, linked = Response.redirect("/gone"), page("/gone")
    routes = {
        "/": fixed(page("/old", "/a")),
        "/old": fixed(old) if first == "/old" else after(went_first, old),
        "/a": fixed(linked) if first == "/a" else after(went_first, linked),
        "/gone": gone,
    }
    with SiteServer(routes=routes) as server:
        pages = stored(audit(server, tmp_path), server.url)
        fetched = [r.target for r in server.requests if r.target == "/gone"]
        origin = server.url
    # Whichever reaches /gone first, the redirect or the link, fetches it: the other is
    # resolved through its row, so ask the store how /old went, as the reports do.
    site = Store(str(tmp_path / "audit.db")).site(1)
    outcome = site.status(f"{origin}/old")
    assert outcome is not None and outcome.status == 404
    assert pages["/gone"][0] == 404  # recorded under its own URL, fetched once
    assert len(fetched) == 1
    broken = {
        f["target"] for f in load_findings(tmp_path)["findings"] if f["rule"] == "broken-link"
    }
    assert {t.rsplit("/", 1)[-1] for t in broken} == {"old", "gone"}


def test_links_to_a_host_all_wait_for_its_robots_txt(tmp_path: Path) -> None:
    """Many requests to one host start at once (here: external links from the first
    page); each must be checked against the host's robots.txt, not only the first."""
    robots = Response(
        body=b"User-agent: *\nDisallow: /private/\n", headers={"Content-Type": "text/plain"}
    )
    with SiteServer(
        routes={"/robots.txt": fixed(robots), "/*": fixed(page())}, host="127.0.0.2"
    ) as partner:
        links = [f"{partner.url}/private/{i}" for i in range(20)] + [f"{partner.url}/open"]
        with SiteServer(routes={"/": fixed(page(*links))}) as server:
            db = audit(server, tmp_path, config="[crawl]\nexternal_concurrency = 8\n")
        asked = sorted(r.target for r in partner.requests)
    assert asked == ["/open", "/robots.txt"]
    forbidden = db.execute(
        "SELECT COUNT(*) FROM link_status WHERE error = 'forbidden by robots.txt'"
    ).fetchone()
    assert forbidden == (20,)


def test_the_site_never_has_more_requests_in_flight_than_its_concurrency(tmp_path: Path) -> None:
    """Scrapy 2.19's download slots handed a slot's whole queue on at once (a request
    counted as transferring only once its download started): 10-19 requests at once to a
    site configured for 2."""
    children = [f"/p/{n}" for n in range(60)]
    slow = dataclasses.replace(page("/"), delay=0.05)
    with SiteServer(routes={"/": fixed(page(*children)), "/p/*": fixed(slow)}) as server:
        audit(server, tmp_path, config="[crawl]\nconcurrency = 2\n")
    assert len(server.requests) > 60
    assert server.most_in_flight == 2


def test_a_wide_site_is_crawled_breadth_first_each_page_once(tmp_path: Path) -> None:
    """The URLs met wait their turn outside Scrapy's scheduler (crawler/frontier.py,
    Waiting), which is handed a batch at a time: still every page once, shallow first."""
    routes = {
        "/": fixed(page(*(f"/w/{n}" for n in range(300)))),
        "/w/*": lambda request: page(request.path.replace("/w/", "/d/")),
        "/d/*": fixed(page()),
    }
    with SiteServer(routes=routes) as server:
        pages = stored(audit(server, tmp_path, config="[crawl]\nconcurrency = 2\n"), server.url)
    assert len(pages) == 601
    asked = [r.target for r in server.requests if r.target.startswith(("/w/", "/d/"))]
    assert len(asked) == len(set(asked)) == 600
    assert set(asked[:300]) == {f"/w/{n}" for n in range(300)}  # every page at depth 1 first


def test_no_request_says_which_page_linked_to_it(tmp_path: Path) -> None:
    """No Referer header: another host is not told the addresses of the site's pages (a
    staging site's among them), and the site itself has no use for it."""
    referers: list[str | None] = []

    def answer(request: RequestInfo) -> Response:
        referers.append(request.headers.get("referer"))
        return page()

    with SiteServer(routes={"/*": answer}, host="127.0.0.2") as partner:
        home = fixed(page("/a", f"{partner.url}/theirs"))
        with SiteServer(routes={"/": home, "/a": answer}) as server:
            audit(server, tmp_path)
        asked = [r.target for r in partner.requests]
    assert "/theirs" in asked and len(referers) >= 2
    assert set(referers) == {None}


def test_the_site_gets_its_concurrency_however_small_the_external_allowance(
    tmp_path: Path,
) -> None:
    """The external allowance bounds requests to other hosts only: the site's own host
    keeps its concurrency (a connection pool sized from the allowance would hold it to 1)."""
    children = [f"/p/{n}" for n in range(40)]
    slow = dataclasses.replace(page("/"), delay=0.05)
    with SiteServer(routes={"/": fixed(page(*children)), "/p/*": fixed(slow)}) as server:
        audit(server, tmp_path, config="[crawl]\nconcurrency = 4\nexternal_concurrency = 1\n")
    assert server.most_in_flight == 4


class _TlsSiteServer(SiteServer):
    """The fixture server over HTTPS, with a self-signed certificate made for the test."""

    def __init__(self, certificate: Path, key: Path, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(certificate, key)

    def start(self) -> _TlsSiteServer:
        super().start()
        httpd = self._httpd
        assert httpd is not None
        httpd.socket = self.context.wrap_socket(httpd.socket, server_side=True)
        return self

    @property
    def url(self) -> str:
        return super().url.replace("http://", "https://", 1)


def _self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, as PEM files."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "site.pem", folder / "site.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def test_an_https_site_is_crawled_over_kept_open_connections(tmp_path: Path) -> None:
    """Over TLS as over plain HTTP: every page found, a handshake per connection kept, not
    per request (certificates are not checked: a staging site's is often self-signed)."""
    children = [f"/p/{n}" for n in range(60)]
    routes = {"/": fixed(page(*children)), "/p/*": fixed(page("/"))}
    with _TlsSiteServer(*_self_signed(tmp_path), routes=routes) as server:
        pages = stored(audit(server, tmp_path, config="[crawl]\nconcurrency = 4\n"), server.url)
    assert {path for path, row in pages.items() if row[0] == 200} >= {"/", *children}
    assert server.connections <= 32


def test_connections_to_the_site_are_kept_open_and_reused(tmp_path: Path) -> None:
    """Connections to the site are reused, not closed after each request: Scrapy's pool
    kept only CONCURRENT_REQUESTS_PER_DOMAIN (here external_concurrency) open per host."""
    children = [f"/p/{n}" for n in range(150)]
    with SiteServer(routes={"/": fixed(page(*children)), "/p/*": fixed(page("/"))}) as server:
        audit(server, tmp_path, config="[crawl]\nconcurrency = 4\nexternal_concurrency = 1\n")
    assert len(server.requests) > 150
    assert server.connections <= 32  # as many as requests in flight at most (CONCURRENT_REQUESTS)
