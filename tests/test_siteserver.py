"""The site servers over real HTTP: the demo's static server (audits/siteserver.py) and
the tests' fixture server built on it (tests/kit/siteserver.py): static files, redirects,
routes, safety and the request log."""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Callable
from email.utils import formatdate
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from audits.siteserver import DEMO_ROOT, StaticSiteServer, parse_redirects
from tests.kit.siteserver import RequestInfo, Response, SiteServer

Serve = Callable[..., SiteServer]


def fetch(
    server: StaticSiteServer,
    target: str,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    timeout: float = 5,
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One request, redirects not followed: (status, headers, body)."""
    conn = http.client.HTTPConnection(server.host, server.port, timeout=timeout)
    try:
        conn.request(method, target, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A small site root, with a secret file next to it that must never be served."""
    (tmp_path / "pyproject.toml").write_text("SECRET outside the root\n")
    root = tmp_path / "site"
    (root / "bins").mkdir(parents=True)
    (root / "empty").mkdir()
    (root / "index.html").write_text("<!doctype html><title>Home</title><p>£5 fee</p>")
    (root / "bins" / "index.html").write_text("<!doctype html><title>Bins</title>")
    (root / "search.html").write_text("<!doctype html><title>Search</title>")
    (root / "404.html").write_text("<!doctype html><title>Not found</title><h1>Sorry</h1>")
    (root / "robots.txt").write_text(
        "User-agent: *\nDisallow: /admin/\nSitemap: {origin}/sitemap.xml\n"
    )
    (root / "sitemap.xml").write_text("<urlset><url><loc>{origin}/bins/</loc></url></urlset>")
    (root / "notes.txt").write_text("Not a template: {origin}")
    (root / "_redirects").write_text(
        "# old addresses\n"
        "/recycling        /bins/\n"
        "/temporary        /bins/        302\n"
        "/search?q=bins    /bins/        308\n"
        "/elsewhere        {origin}/bins/\n"
        "/gov              https://www.gov.uk/\n"
    )
    return root


def test_html_file_is_served_as_utf8_with_length_and_last_modified(
    serve: Serve, site: Path
) -> None:
    server = serve(site)
    status, headers, body = fetch(server, "/index.html")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert int(headers["Content-Length"]) == len(body)
    assert "£5 fee" in body.decode("utf-8")
    assert headers["Last-Modified"].endswith("GMT")


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("site.css", "text/css; charset=utf-8"),
        ("app.js", "text/javascript; charset=utf-8"),
        ("logo.png", "image/png"),
        ("plan.pdf", "application/pdf"),
        ("feed.xml", "application/xml"),
        ("readme.txt", "text/plain; charset=utf-8"),
        ("sitemap.xml.gz", "application/gzip"),
        ("data.unknownext", "application/octet-stream"),
    ],
)
def test_each_file_type_gets_its_content_type(
    serve: Serve, tmp_path: Path, name: str, content_type: str
) -> None:
    (tmp_path / name).write_bytes(b"\x00\x01 data")
    status, headers, body = fetch(serve(tmp_path), f"/{name}")
    assert (status, headers["Content-Type"], body) == (200, content_type, b"\x00\x01 data")


def test_directory_url_serves_its_index_page(serve: Serve, site: Path) -> None:
    server = serve(site)
    assert fetch(server, "/")[2] == (site / "index.html").read_bytes()
    assert fetch(server, "/bins/")[2] == (site / "bins" / "index.html").read_bytes()


def test_directory_without_trailing_slash_redirects_to_the_slash_form(
    serve: Serve, site: Path
) -> None:
    status, headers, _ = fetch(serve(site), "/bins?page=2")
    assert status == 301
    assert headers["Location"] == "/bins/?page=2"


def test_directory_without_index_is_not_listed(serve: Serve, site: Path) -> None:
    status, _, body = fetch(serve(site), "/empty/")
    assert status == 404
    assert b"Sorry" in body


def test_extensionless_path_serves_the_matching_html_file(serve: Serve, site: Path) -> None:
    status, headers, body = fetch(serve(site), "/search?q=council+tax")
    assert status == 200
    assert b"<title>Search</title>" in body
    assert headers["Content-Type"].startswith("text/html")


def test_missing_file_serves_the_404_page(serve: Serve, site: Path) -> None:
    status, headers, body = fetch(serve(site), "/no-such-page/")
    assert status == 404
    assert body == (site / "404.html").read_bytes()
    assert headers["Content-Type"].startswith("text/html")


def test_missing_file_without_a_404_page_still_answers_404(serve: Serve, tmp_path: Path) -> None:
    status, _, body = fetch(serve(tmp_path), "/missing.pdf")
    assert status == 404
    assert b"Not found" in body


@pytest.mark.parametrize(
    ("target", "status", "location"),
    [
        ("/recycling", 301, "/bins/"),
        ("/recycling?from=footer", 301, "/bins/"),
        ("/temporary", 302, "/bins/"),
        ("/search?q=bins", 308, "/bins/"),
        ("/gov", 301, "https://www.gov.uk/"),
    ],
)
def test_redirects_file_answers_with_its_status_and_location(
    serve: Serve, site: Path, target: str, status: int, location: str
) -> None:
    got_status, headers, _ = fetch(serve(site), target)
    assert (got_status, headers["Location"]) == (status, location)


def test_redirect_with_a_query_matches_only_that_exact_query(serve: Serve, site: Path) -> None:
    server = serve(site)
    assert fetch(server, "/search?q=bins")[0] == 308
    assert fetch(server, "/search?q=bins&page=2")[0] == 200
    assert fetch(server, "/search")[0] == 200


def test_redirect_target_can_name_the_servers_own_origin(serve: Serve, site: Path) -> None:
    server = serve(site)
    assert fetch(server, "/elsewhere")[1]["Location"] == f"{server.url}/bins/"


def test_origin_is_filled_in_robots_txt_and_sitemaps_only(serve: Serve, site: Path) -> None:
    server = serve(site)
    robots = fetch(server, "/robots.txt")
    assert f"Sitemap: {server.url}/sitemap.xml" in robots[2].decode()
    assert int(robots[1]["Content-Length"]) == len(robots[2])
    assert f"<loc>{server.url}/bins/</loc>" in fetch(server, "/sitemap.xml")[2].decode()
    assert fetch(server, "/notes.txt")[2] == b"Not a template: {origin}"


def test_head_answers_headers_without_a_body(serve: Serve, site: Path) -> None:
    server = serve(site)
    status, headers, body = fetch(server, "/index.html", method="HEAD")
    assert status == 200
    assert body == b""
    assert int(headers["Content-Length"]) == len((site / "index.html").read_bytes())
    assert fetch(server, "/missing", method="HEAD")[0] == 404


def test_unchanged_file_answers_304_to_if_modified_since(serve: Serve, site: Path) -> None:
    server = serve(site)
    later = formatdate((site / "index.html").stat().st_mtime + 60, usegmt=True)
    status, _, body = fetch(server, "/index.html", headers={"If-Modified-Since": later})
    assert (status, body) == (304, b"")
    earlier = formatdate(0, usegmt=True)
    assert fetch(server, "/index.html", headers={"If-Modified-Since": earlier})[0] == 200


def test_post_to_a_static_file_is_refused(serve: Serve, site: Path) -> None:
    status, headers, _ = fetch(serve(site), "/index.html", method="POST", body=b"a=1")
    assert status == 405
    assert headers["Allow"] == "GET, HEAD"


@pytest.mark.parametrize(
    "target",
    [
        "/../pyproject.toml",
        "/bins/../../pyproject.toml",
        "/%2e%2e/pyproject.toml",
        "/%2E%2E%2Fpyproject.toml",
        "/..%2fpyproject.toml",
        "/bins/%2e%2e/%2e%2e/pyproject.toml",
        "/%252e%252e/pyproject.toml",
        "/..\\pyproject.toml",
        "/%00../pyproject.toml",
    ],
)
def test_paths_outside_the_root_are_never_served(serve: Serve, site: Path, target: str) -> None:
    status, _, body = fetch(serve(site), target)
    assert status == 404
    assert b"SECRET" not in body


def test_symbolic_link_out_of_the_root_is_not_followed(serve: Serve, site: Path) -> None:
    (site / "leak.txt").symlink_to(site.parent / "pyproject.toml")
    status, _, body = fetch(serve(site), "/leak.txt")
    assert status == 404
    assert b"SECRET" not in body


@pytest.mark.parametrize("target", ["/_redirects", "/.env", "/bins/.git/config"])
def test_configuration_and_hidden_files_are_not_served(
    serve: Serve, site: Path, target: str
) -> None:
    (site / ".env").write_text("SECRET=1")
    (site / "bins" / ".git").mkdir()
    (site / "bins" / ".git" / "config").write_text("SECRET")
    assert fetch(serve(site), target)[0] == 404


def test_route_answers_with_what_the_handler_returns(serve: Serve) -> None:
    seen: list[RequestInfo] = []

    def echo(request: RequestInfo) -> Response:
        seen.append(request)
        return Response(status=201, body=b"made", headers={"Content-Type": "text/plain"})

    server = serve(routes={"/api/things": echo})
    status, headers, body = fetch(
        server, "/api/things?x=1&y=2", method="POST", headers={"X-Test": "yes"}, body=b"n=3"
    )
    assert (status, headers["Content-Type"], body) == (201, "text/plain", b"made")
    request = seen[0]
    assert (request.method, request.path, request.query) == ("POST", "/api/things", "x=1&y=2")
    assert request.headers["x-test"] == "yes"
    assert request.body == b"n=3"
    assert request.origin == server.url


def test_route_body_without_content_type_is_sent_as_html(serve: Serve) -> None:
    server = serve(routes={"/page": lambda request: Response(body=b"<p>hi</p>")})
    assert fetch(server, "/page")[1]["Content-Type"] == "text/html; charset=utf-8"


def test_longest_matching_prefix_route_wins_over_files(serve: Serve, site: Path) -> None:
    server = serve(
        site,
        routes={
            "/bins/*": lambda request: Response.html("bins route"),
            "/bins/garden/*": lambda request: Response.html(f"garden {request.path}"),
        },
    )
    assert fetch(server, "/bins/")[2] == b"bins route"
    assert fetch(server, "/bins/garden/permit")[2] == b"garden /bins/garden/permit"
    assert fetch(server, "/index.html")[0] == 200


def test_route_can_answer_in_another_encoding(serve: Serve) -> None:
    page = Response.html("<p>£5</p>", charset="windows-1252")
    _, headers, body = fetch(serve(routes={"/fee": lambda request: page}), "/fee")
    assert headers["Content-Type"] == "text/html; charset=windows-1252"
    assert body == b"<p>\xa35</p>"


def test_route_redirect_helper_sets_the_location(serve: Serve) -> None:
    server = serve(routes={"/go": lambda request: Response.redirect("/there", 307)})
    status, headers, _ = fetch(server, "/go")
    assert (status, headers["Location"]) == (307, "/there")


def test_failing_route_answers_500(serve: Serve, capsys: pytest.CaptureFixture[str]) -> None:
    def broken(request: RequestInfo) -> Response:
        raise RuntimeError("route bug")

    assert fetch(serve(routes={"/broken": broken}), "/broken")[0] == 500
    assert "route bug" in capsys.readouterr().err


def test_drop_after_cuts_the_body_short_and_closes_the_connection(serve: Serve) -> None:
    response = Response(body=b"x" * 1000, drop_after=10)
    server = serve(routes={"/cut": lambda request: response})
    with pytest.raises(http.client.IncompleteRead) as raised:
        fetch(server, "/cut")
    assert raised.value.partial == b"x" * 10


def test_delay_holds_the_answer_back(serve: Serve) -> None:
    server = serve(routes={"/slow": lambda request: Response(body=b"late", delay=60)})
    with pytest.raises(socket.timeout):
        fetch(server, "/slow", timeout=0.3)
    # The slow answer must not hold up others (a generous wait, far below its delay).
    assert fetch(server, "/", timeout=20)[0] == 404


def test_every_request_is_logged_with_method_and_query(serve: Serve, site: Path) -> None:
    server = serve(site)
    fetch(server, "/bins/?week=2")
    fetch(server, "/missing", method="HEAD")
    fetch(server, "/recycling")
    assert [(r.method, r.target) for r in server.requests] == [
        ("GET", "/bins/?week=2"),
        ("HEAD", "/missing"),
        ("GET", "/recycling"),
    ]


def test_requests_are_not_logged_to_stderr_unless_verbose(
    serve: Serve, site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fetch(serve(site), "/")
    assert capsys.readouterr().err == ""
    fetch(serve(site, verbose=True), "/")
    assert '"GET / HTTP/1.1" 200' in capsys.readouterr().err


def test_keep_alive_connection_serves_several_requests(serve: Serve, site: Path) -> None:
    server = serve(site)
    conn = http.client.HTTPConnection(server.host, server.port, timeout=5)
    try:
        for target in ("/", "/bins/", "/missing"):
            conn.request("GET", target)
            conn.getresponse().read()
    finally:
        conn.close()
    assert len(server.requests) == 3


def test_server_listens_on_a_free_port_until_stopped(site: Path) -> None:
    server = SiteServer(site)
    with pytest.raises(RuntimeError):
        _ = server.url
    with server:
        assert server.port != 0
        assert server.url == f"http://127.0.0.1:{server.port}"
        assert fetch(server, "/")[0] == 200
    with pytest.raises(ConnectionRefusedError):
        fetch(server, "/")


def test_bad_redirects_lines_are_rejected_with_their_line_number() -> None:
    with pytest.raises(ValueError, match="line 2"):
        parse_redirects("/a /b\n/c\n")
    with pytest.raises(ValueError, match="not a redirect status"):
        parse_redirects("/a /b 200")
    assert parse_redirects("# comment\n\n/a?x=1 /b 302")[0].query == "x=1"


def test_demo_site_serves_its_home_page_and_absolute_sitemap(demo_site: SiteServer) -> None:
    status, _, body = fetch(demo_site, "/")
    assert status == 200
    assert "Northbrook City Council" in body.decode()
    robots = fetch(demo_site, "/robots.txt")[2].decode()
    assert f"Sitemap: {demo_site.url}/sitemap.xml" in robots
    assert "{origin}" not in fetch(demo_site, "/sitemap.xml")[2].decode()


def test_demo_server_serves_the_demo_site_and_nothing_but_get_and_head() -> None:
    with StaticSiteServer(DEMO_ROOT) as server:
        assert fetch(server, "/")[0] == 200
        status, headers, _ = fetch(server, "/recycling")
        assert (status, headers["Location"]) == (301, "/bins/recycling/")
        robots = fetch(server, "/robots.txt")[2].decode()
        assert f"Sitemap: {server.url}/sitemap.xml" in robots
        assert fetch(server, "/no-such-page/")[0] == 404
        assert fetch(server, "/", method="POST", body=b"a=1")[0] == 501
        assert not hasattr(server, "requests")  # the request log is the tests' own


def test_demo_search_lists_the_pages_whose_titles_hold_every_word() -> None:
    with StaticSiteServer(DEMO_ROOT) as server:
        found = fetch(server, "/search?q=Missed+bin")[2].decode()
        nothing = fetch(server, "/search?q=bin+not+collected")[2].decode()
        empty = fetch(server, "/search?q=")[2].decode()
    assert "1 result for \u201cMissed bin\u201d" in found
    assert '<a href="/forms/missed-bin/">Report a missed bin' in found
    assert "/bins/missed-bin/" not in found  # "Missed bins": not the word "bin"
    assert "No results for \u201cbin not collected\u201d" in nothing
    assert "results" not in empty.split("<main", 1)[1]  # the search page, as it is


def test_demo_expected_defects_name_pages_that_exist(demo_site: SiteServer) -> None:
    expected = json.loads((DEMO_ROOT / "EXPECTED.json").read_text())
    for defect in expected["defects"]:
        page = urlsplit(defect["page"]).path
        assert fetch(demo_site, page, method="HEAD")[0] == 200, defect


def test_hostile_calendar_links_to_the_months_either_side(hostile: SiteServer) -> None:
    from tests.kit.hostile_site import CALENDAR_PATH

    body = fetch(hostile, f"{CALENDAR_PATH}?month=2030-01")[2].decode()
    assert f"{CALENDAR_PATH}?month=2029-12" in body
    assert f"{CALENDAR_PATH}?month=2030-02" in body
    assert fetch(hostile, f"{CALENDAR_PATH}?month=2030-13")[0] == 404


def test_hostile_old_page_redirects_to_another_host(hostile: SiteServer) -> None:
    from tests.kit.hostile_site import OFFSITE_LANDING, OFFSITE_REDIRECT, HostileSite

    assert isinstance(hostile, HostileSite)
    location = fetch(hostile, OFFSITE_REDIRECT)[1]["Location"]
    assert location == hostile.offsite.url + OFFSITE_LANDING
    assert urlsplit(location).netloc != urlsplit(hostile.url).netloc


def test_hostile_traps_answer_as_documented(hostile: SiteServer) -> None:
    from tests.kit.hostile_site import (
        BIG_PAGE,
        BIG_PAGE_BYTES,
        BINARY_AS_HTML,
        WINDOWS_1252_PAGE,
        WINDOWS_1252_TEXT,
    )

    assert int(fetch(hostile, BIG_PAGE, method="HEAD")[1]["Content-Length"]) == BIG_PAGE_BYTES
    _, headers, body = fetch(hostile, BINARY_AS_HTML)
    assert headers["Content-Type"] == "text/html"
    assert body.startswith(b"\x89PNG")
    _, headers, body = fetch(hostile, WINDOWS_1252_PAGE)
    assert headers["Content-Type"] == "text/html; charset=windows-1252"
    assert WINDOWS_1252_TEXT in body.decode("windows-1252")
