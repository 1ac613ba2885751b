"""Staging credentials: read from the environment, sent to the site's own hosts only."""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from audits.core.config import ConfigError
from audits.core.credentials import Credentials, CredentialScope, from_environment
from audits.stages.browser_credentials import origin_patterns
from tests.kit.browsers import require_browser
from tests.kit.cli import assert_one_line_error, run_cli
from tests.kit.findings import load_findings
from tests.kit.siteserver import RequestInfo, Response, SiteServer

USER, PASSWORD = "editor", "s3cret-staging-pass"
TOKEN = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()


def test_environment_and_file_give_headers_and_repr_hides_them(tmp_path: Path) -> None:
    auth_file = tmp_path / "auth.toml"
    auth_file.write_text('[headers]\nX-Staging-Key = "k-123"\n[cookies]\npreview = "yes"\n')
    credentials = from_environment(
        {
            "SITEAUDIT_AUTH_USER": USER,
            "SITEAUDIT_AUTH_PASSWORD": PASSWORD,
            "SITEAUDIT_AUTH_FILE": str(auth_file),
        }
    )
    headers = credentials.request_headers()
    assert headers["Authorization"] == f"Basic {TOKEN}"
    assert headers["X-Staging-Key"] == "k-123"
    assert headers["Cookie"] == "preview=yes"
    assert PASSWORD not in repr(credentials)
    assert "k-123" not in repr(credentials)


def test_malformed_credentials_are_config_errors_that_do_not_echo_them(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="Name: value"):
        from_environment({"SITEAUDIT_AUTH_HEADERS": "just-a-secret-token"})
    bad = tmp_path / "auth.toml"
    bad.write_text('password = "hunter2\n')
    with pytest.raises(ConfigError) as raised:
        from_environment({"SITEAUDIT_AUTH_FILE": str(bad)})
    assert "hunter2" not in str(raised.value)


@pytest.mark.slow
def test_credentials_reach_the_staging_site_and_never_an_external_host(tmp_path: Path) -> None:
    seen_outside: list[dict[str, str]] = []

    def partner(request: RequestInfo) -> Response:
        seen_outside.append(dict(request.headers))
        return Response.html("<html><body><main><h1>Partner</h1></main></body></html>")

    def protected(request: RequestInfo) -> Response:
        if request.headers.get("authorization") != f"Basic {TOKEN}":
            return Response(status=401, headers={"WWW-Authenticate": 'Basic realm="staging"'})
        links = (
            f'<a href="/about">About</a> <a href="{outside}/page">Partner</a>'
            f' <a href="/leaving">Leaving</a>'
        )
        return Response.html(
            f"<html lang='en'><body><main><h1>Home</h1>{links}</main></body></html>"
        )

    with SiteServer(routes={"/*": partner}, host="127.0.0.2") as external:
        outside = external.url
        routes = {
            "/": protected,
            "/about": protected,
            "/leaving": lambda r: Response.redirect(f"{outside}/landing"),
        }
        with SiteServer(routes=routes) as site:
            env = {
                "SITEAUDIT_AUTH_USER": USER,
                "SITEAUDIT_AUTH_PASSWORD": PASSWORD,
                "SITEAUDIT_AUTH_HEADERS": "X-Staging-Key: k-123",
            }
            result = run_cli(
                "audit", f"{site.url}/", "--out", tmp_path, "--page-workers", "0", env=env
            )
            inside = [r.target for r in site.requests]
    assert result.returncode == 0, result.stderr
    assert "/about" in inside
    assert len(seen_outside) >= 2  # the partner page and the redirect's landing page
    for headers in seen_outside:
        assert "authorization" not in headers
        assert "x-staging-key" not in headers
    for path in tmp_path.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert PASSWORD.encode() not in data, path
            assert TOKEN.encode() not in data, path
            assert b"k-123" not in data, path
    assert PASSWORD not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("named", "url", "covered"),
    [
        ((), "https://staging.example.org/page", True),
        ((), "https://cdn.example.org/x.js", True),  # in [crawl] hosts
        ((), "https://staging.example.org:8443/", False),  # another port is another host
        ((), "https://login.example.org/", False),
        ((), "https://staging.example.org.evil.test/", False),
        ((), "ftp://staging.example.org/", False),
        ((), "http://staging.example.org/", False),  # an https site's password never in clear
        (("cdn.example.org",), "https://staging.example.org/page", False),  # named: only those
        (("cdn.example.org",), "https://CDN.example.org/x.js", True),
        (("staging.example.org:8443",), "https://staging.example.org:8443/", True),
    ],
)
def test_credential_hosts_are_the_site_s_own_or_exactly_those_named(
    named: tuple[str, ...], url: str, covered: bool
) -> None:
    credentials = Credentials(user=USER, password=PASSWORD, hosts=named)
    scope = CredentialScope.for_site(
        credentials, "https://staging.example.org/", ("cdn.example.org",)
    )
    assert scope.covers(url) is covered
    assert bool(scope.headers_for(url)) is covered
    assert PASSWORD not in repr(scope)


def test_chromium_pauses_only_requests_to_the_credential_hosts_origins() -> None:
    scope = CredentialScope.for_site(Credentials(user=USER), "https://staging.example.org/")
    assert [p["urlPattern"] for p in origin_patterns(scope)] == ["https://staging.example.org/*"]
    plain = CredentialScope.for_site(Credentials(user=USER), "http://staging.example.org/")
    assert [p["urlPattern"] for p in origin_patterns(plain)] == [
        "http://staging.example.org/*",
        "https://staging.example.org/*",
    ]


def test_auth_hosts_come_from_the_environment_or_the_file(tmp_path: Path) -> None:
    auth_file = tmp_path / "auth.toml"
    auth_file.write_text('hosts = ["Staging.example.org", "127.0.0.1:8080"]\n')
    assert from_environment({"SITEAUDIT_AUTH_FILE": str(auth_file)}).hosts == (
        "staging.example.org",
        "127.0.0.1:8080",
    )
    both = {"SITEAUDIT_AUTH_FILE": str(auth_file), "SITEAUDIT_AUTH_HOSTS": "a.example, [::1]:81"}
    assert from_environment(both).hosts == ("a.example", "[::1]:81")
    auth_file.write_text('hosts = "staging.example.org"\n')
    with pytest.raises(ConfigError, match="must be a list"):
        from_environment({"SITEAUDIT_AUTH_FILE": str(auth_file)})
    with pytest.raises(ConfigError) as raised:
        from_environment({"SITEAUDIT_AUTH_HOSTS": f"https://{USER}:{PASSWORD}@staging/"})
    assert PASSWORD not in str(raised.value)


# -- which hosts get them ------------------------------------------------------------------

ENV = {
    "SITEAUDIT_AUTH_USER": USER,
    "SITEAUDIT_AUTH_PASSWORD": PASSWORD,
    "SITEAUDIT_AUTH_HEADERS": "X-Staging-Key: k-123",
    "SITEAUDIT_AUTH_COOKIES": "preview=yes",
}


def recording(seen: list[dict[str, str]], body: str = "") -> Callable[[RequestInfo], Response]:
    """A route that notes each request's headers and answers a small page, unchanged
    since the last visit (304) when asked with its ETag."""

    def answer(request: RequestInfo) -> Response:
        seen.append(dict(request.headers))
        if request.headers.get("if-none-match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        page = Response.html(f"<html lang='en'><title>Page</title><body>{body}</body></html>")
        page.headers["ETag"] = '"v1"'
        return page

    return answer


def carries_credentials(headers: Mapping[str, str]) -> list[str]:
    """Which of the credentials' three kinds a request carried."""
    return [
        kind
        for kind, present in (
            ("Authorization", headers.get("authorization") == f"Basic {TOKEN}"),
            ("X-Staging-Key", headers.get("x-staging-key") == "k-123"),
            ("Cookie", "preview=yes" in headers.get("cookie", "")),
        )
        if present
    ]


@pytest.mark.parametrize(
    "shared",
    [
        pytest.param(False, id="one-process"),
        pytest.param(True, id="shared-through-redis", marks=pytest.mark.redis),
    ],
)
@pytest.mark.slow
def test_a_start_url_redirecting_to_another_host_does_not_take_the_credentials_there(
    tmp_path: Path, request: pytest.FixtureRequest, shared: bool
) -> None:
    env = dict(ENV)
    options: tuple[str, ...] = ()
    if shared:  # workers take requests from Redis, where they wait without credentials
        env["SITEAUDIT_REDIS"] = request.getfixturevalue("redis_server").url
        options = ("--workers", "2")
    at_start: list[dict[str, str]] = []
    elsewhere: list[dict[str, str]] = []
    with SiteServer(routes={"/*": recording(elsewhere, '<a href="/about">About</a>')}) as other:

        def start(request: RequestInfo) -> Response:
            at_start.append(dict(request.headers))
            return Response.redirect(f"{other.url}/", status=301)

        with SiteServer(routes={"/": start, "/*": recording(at_start)}) as site:
            result = run_cli("audit", f"{site.url}/", "--out", tmp_path, "-q", *options, env=env)
            crawled = [r.target for r in other.requests]
    assert result.returncode == 0, result.stderr
    assert "/about" in crawled  # the crawl followed the site to its new host
    assert carries_credentials(at_start[0]) == ["Authorization", "X-Staging-Key", "Cookie"]
    assert elsewhere
    assert [carries_credentials(headers) for headers in elsewhere] == [[]] * len(elsewhere)


@pytest.mark.slow
def test_an_incremental_re_audit_asks_the_redirect_target_without_credentials(
    tmp_path: Path,
) -> None:
    elsewhere: list[dict[str, str]] = []
    with SiteServer(routes={"/*": recording(elsewhere, '<a href="/about">About</a>')}) as other:
        start = {"/": lambda request: Response.redirect(f"{other.url}/", status=301)}
        with SiteServer(routes=start) as site:
            for extra in ((), ("--incremental",)):
                result = run_cli("audit", f"{site.url}/", "--out", tmp_path, *extra, env=ENV)
                assert result.returncode == 0, result.stderr
    assert any("if-none-match" in headers for headers in elsewhere)  # asked if it changed
    assert [carries_credentials(headers) for headers in elsewhere] == [[]] * len(elsewhere)


@pytest.mark.slow
def test_crawl_hosts_get_the_credentials_and_auth_hosts_narrow_them(tmp_path: Path) -> None:
    at_start: list[dict[str, str]] = []
    elsewhere: list[dict[str, str]] = []
    with SiteServer(routes={"/*": recording(elsewhere)}) as other:
        link = f'<a href="{other.url}/page">Other part of the site</a>'
        with SiteServer(routes={"/*": recording(at_start, link)}) as site:
            config = tmp_path / "siteaudit.toml"
            config.write_text(f'[crawl]\nhosts = ["{other.host}:{other.port}"]\n')
            first = run_cli(
                "audit", f"{site.url}/", "--config", config, "--out", tmp_path / "a", env=ENV
            )
            assert first.returncode == 0, first.stderr
            assert elsewhere and carries_credentials(elsewhere[-1]) == [
                "Authorization",
                "X-Staging-Key",
                "Cookie",
            ]
            at_start.clear()
            elsewhere.clear()
            narrowed = {**ENV, "SITEAUDIT_AUTH_HOSTS": f"{site.host}:{site.port}"}
            second = run_cli(
                "audit", f"{site.url}/", "--config", config, "--out", tmp_path / "b", env=narrowed
            )
    assert second.returncode == 0, second.stderr
    assert at_start and all(carries_credentials(h) for h in at_start)
    assert elsewhere  # still crawled: the crawl's scope is not the credentials' scope
    assert [carries_credentials(headers) for headers in elsewhere] == [[]] * len(elsewhere)


@pytest.mark.parametrize(
    "hosts",
    ["https://staging.example.org/", "staging.example.org/path", "host:99999", "a b:x", ","],
)
@pytest.mark.slow
def test_a_bad_auth_host_is_one_readable_line(tmp_path: Path, hosts: str) -> None:
    result = run_cli(
        "audit",
        "http://127.0.0.1:9/",
        "--out",
        tmp_path,
        env={**ENV, "SITEAUDIT_AUTH_HOSTS": hosts},
    )
    line = assert_one_line_error(result, 2)
    assert "SITEAUDIT_AUTH_HOSTS" in line
    assert PASSWORD not in result.stderr


# -- in the browser ------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.browser
def test_the_browser_audits_the_staging_page_and_sends_no_credentials_to_other_origins(
    tmp_path: Path,
) -> None:
    require_browser()
    at_staging: list[dict[str, str]] = []
    elsewhere: list[tuple[str, dict[str, str]]] = []

    def other_origin(request: RequestInfo) -> Response:
        elsewhere.append((request.path, dict(request.headers)))
        if request.path == "/app.js":
            # A synchronous request: it has reached the server before the page has loaded.
            script = (
                "const r = new XMLHttpRequest();"
                f"r.open('GET', '{request.origin}/api', false);"
                "try { r.send(); } catch (e) {}"
            )
            return Response(body=script.encode(), headers={"Content-Type": "text/javascript"})
        return Response.html("<html lang='en'><title>Map</title><body><p>Map</p></body></html>")

    def staging(request: RequestInfo) -> Response:
        at_staging.append(dict(request.headers))
        if request.path.startswith("/moved/"):  # a file that moved to the other host
            return Response.redirect(f"{other.url}/{request.path.removeprefix('/moved/')}", 302)
        if request.headers.get("authorization") != f"Basic {TOKEN}":
            # What a staging server answers without a password: a page with no title or lang.
            unauthorised = Response.html("<html><body><p>Unauthorised</p></body></html>", 401)
            unauthorised.headers["WWW-Authenticate"] = 'Basic realm="staging"'
            return unauthorised
        page = Response.html(
            f"<html lang='en'><head><title>Staging home</title>"
            f"<script src='{other.url}/app.js'></script><script src='/moved/moved.js'></script>"
            f"<link rel='stylesheet' href='{other.url}/site.css'></head>"
            f"<body><main><h1>Home</h1><img src='{other.url}/logo.png' alt='Logo'>"
            f"<iframe src='{other.url}/frame' title='Map'></iframe>"
            f"<iframe src='/moved/moved-frame' title='Moved'></iframe></main></body></html>"
        )
        # The site's own cookie must not push the configured one out of the Cookie header.
        page.headers["Set-Cookie"] = "session=s-1; Path=/"
        return page

    with (
        SiteServer(routes={"/*": other_origin}) as other,
        SiteServer(routes={"/*": staging}) as site,
    ):
        result = run_cli("audit", f"{site.url}/", "--out", tmp_path, env=ENV, browser=True)
    assert result.returncode == 0, result.stderr
    findings = load_findings(tmp_path)
    assert findings["tool"]["axe_core"]  # a page was checked
    browser_rules = {
        f["rule"] for f in findings["findings"] if f["rule"].startswith(("axe-", "browser-"))
    }
    assert browser_rules == set(), findings["findings"]
    from_chromium = [h for h in at_staging if "HeadlessChrome" in h.get("user-agent", "")]
    assert from_chromium
    assert [carries_credentials(h) for h in from_chromium] == [
        ["Authorization", "X-Staging-Key", "Cookie"]
    ] * len(from_chromium)
    loaded = {path for path, h in elsewhere if "HeadlessChrome" in h.get("user-agent", "")}
    assert {"/app.js", "/frame", "/api", "/moved.js", "/moved-frame"} <= loaded
    assert [carries_credentials(h) for _, h in elsewhere] == [[]] * len(elsewhere)
