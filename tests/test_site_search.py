"""Top tasks findable through the site's own search: real audits of small sites with a
search page, without one, with robots.txt forbidding it and with a POST-only form."""

from __future__ import annotations

import base64
import itertools
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from tests.kit.cli import run_cli
from tests.kit.findings import load_findings, url_path
from tests.kit.siteserver import RequestInfo, Response, SiteServer

pytestmark = pytest.mark.slow

HEADER = (
    "<header><a href='/'>Council</a>{form}</header>"
    "<nav><a href='/bins/missed'>Missed bins</a><a href='/council-tax/'>Council tax</a></nav>"
)
SEARCH_FORM = (
    "<form role='search' action='/search' method='{method}'>"
    "<input type='hidden' name='collection' value='web'>"
    "<input type='search' name='q'><button>Search</button></form>"
)
FOOTER = "<footer><a href='/bins/missed'>Missed bins</a></footer>"
# What the site's search answers, by phrase: result paths in order.
INDEX = {
    "missed bin": ["/news/bin-strike", "/bins/missed", "/bins/"],
    "council tax": [f"/news/{n}" for n in range(1, 12)] + ["/council-tax/pay", "/council-tax/"],
}


def page(title: str, body: str = "", form: str = "") -> Response:
    return Response.html(
        f"<html lang='en'><head><title>{title}</title></head><body>"
        f"{HEADER.format(form=form)}<main><h1>{title}</h1>{body}</main>{FOOTER}</body></html>"
    )


class SearchSite:
    """A council site whose /search answers from INDEX, logging when each search came."""

    def __init__(self, method: str = "get", robots: str = "") -> None:
        self.searches: list[tuple[float, dict[str, list[str]]]] = []
        self.lock = threading.Lock()
        form = SEARCH_FORM.format(method=method) if method else ""
        home = page("Home", "<a href='/bins/'>Bins</a><a href='/council-tax/'>Tax</a>", form)
        self.routes: dict[str, Any] = {
            "/": lambda request: home,
            "/search": self.search,
            "/bins/*": lambda request: page("Bins", "<a href='/bins/missed'>Report</a>"),
            "/council-tax/*": lambda request: page(
                "Council tax", "<a href='/council-tax/pay'>Pay</a>"
            ),
            "/news/*": lambda request: page("News"),
        }
        if robots:
            self.routes["/robots.txt"] = lambda request: Response(
                body=robots.encode(), headers={"Content-Type": "text/plain"}
            )

    def search(self, request: RequestInfo) -> Response:
        query = parse_qs(request.query)
        with self.lock:
            self.searches.append((time.monotonic(), query))
        found = INDEX.get(query.get("q", [""])[0], [])
        items = "".join(f"<li><a href='{path}'>{path}</a></li>" for path in found)
        more = "<nav><a href='/search?q=x&page=2'>Next</a></nav>"
        return page("Search results", f"<ol>{items}</ol>{more}", SEARCH_FORM.format(method="get"))


TASKS = """
[crawl]
exclude = ["/search"]

[site_search]
delay = 0.4

[[top_tasks]]
name = "Report a missed bin"
url = "/bins/missed"
search = ["missed bin", "bin not collected"]

[[top_tasks]]
name = "Pay council tax"
pattern = "council-tax/pay"
search = ["council tax"]
"""


def audit(
    site: SearchSite,
    tmp_path: Path,
    config: str = TASKS,
    *,
    env: dict[str, str] | None = None,
    runs: int = 1,
) -> tuple[dict[str, Any], list[str]]:
    """Audit the site with `config` (`runs` times, into one store); (the last run's
    findings.json, the requests the server got, as "METHOD /target")."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "siteaudit.toml").write_text(config)
    with SiteServer(routes=site.routes) as server:
        for _ in range(runs):
            result = run_cli(
                "audit",
                f"{server.url}/",
                "--out",
                tmp_path,
                "-q",
                "--page-workers",
                "0",
                "--config",
                tmp_path / "siteaudit.toml",
                env=env,
            )
            assert result.returncode == 0, result.stderr
        requested = [f"{r.method} {r.target}" for r in server.requests]
    return load_findings(tmp_path), requested


def ranks(data: dict[str, Any]) -> dict[str, int | None]:
    """Phrase -> where the task's page came in its results."""
    found = of_rule(data, "top-task-not-in-search")
    return {f["evidence"]["phrase"]: f["evidence"]["rank"] for f in found}


def of_rule(data: dict[str, Any], rule: str) -> list[dict[str, Any]]:
    return [f for f in data["findings"] + data["inventory"] if f["rule"] == rule]


def test_each_phrase_is_searched_once_and_the_tasks_rank_is_reported(tmp_path: Path) -> None:
    site = SearchSite()
    data, requested = audit(site, tmp_path)
    found = {f["evidence"]["phrase"]: f for f in of_rule(data, "top-task-not-in-search")}
    assert found["missed bin"]["severity"] == "info"
    assert found["missed bin"]["evidence"]["rank"] == 2
    assert url_path(found["missed bin"]["url"]) == "/bins/missed"
    # Not in the results at all; then in them, but beyond the first ten.
    assert found["bin not collected"]["evidence"]["rank"] is None
    assert found["bin not collected"]["severity"] == "medium"
    assert found["council tax"]["evidence"]["rank"] == 12
    assert "at 12 (aim: in the first 10)" in found["council tax"]["message"]
    # The header, navigation and footer links of the results page are not results, and
    # neither are the search's own pages.
    results = found["missed bin"]["evidence"]["results"]
    assert [url_path(u) for u in results] == ["/news/bin-strike", "/bins/missed", "/bins/"]
    # The search passed [crawl] exclude because the phrases asked for it, and says so.
    assert found["missed bin"]["evidence"]["excluded_by"] == '[crawl] exclude "/search"'
    assert not of_rule(data, "site-search-not-checked")
    # Three phrases, three GETs with the form's hidden field, and nothing else at /search.
    searches = [r for r in requested if r.split()[1].startswith("/search")]
    assert searches == [
        "GET /search?collection=web&q=missed+bin",
        "GET /search?collection=web&q=bin+not+collected",
        "GET /search?collection=web&q=council+tax",
    ]
    # One at a time, at least [site_search] delay apart, as the server saw them.
    times = [when for when, _query in site.searches]
    assert all(later - earlier >= 0.4 for earlier, later in itertools.pairwise(times))
    # Result links are read, never crawled.
    assert not any("/news/bin-strike" in r or "/news/11" in r for r in requested)


def test_nothing_is_searched_without_phrases(tmp_path: Path) -> None:
    config = '[[top_tasks]]\nname = "Report a missed bin"\nurl = "/bins/missed"\n'
    data, requested = audit(SearchSite(), tmp_path, config)
    assert not any("q=" in r for r in requested)  # the form's action is checked, not used
    assert not of_rule(data, "top-task-not-in-search")
    assert not of_rule(data, "site-search-not-checked")


@pytest.mark.parametrize(
    ("site", "outcome", "words"),
    [
        (SearchSite(method=""), "no-form", "has no search form"),
        (SearchSite(method="post"), "post-only", "sends its words with POST"),
        (
            SearchSite(robots="User-agent: *\nDisallow: /search\n"),
            "forbidden",
            "robots.txt does not allow the search page (robots.txt disallows /search)",
        ),
    ],
    ids=["no-search-form", "post-only-form", "robots-disallows-search"],
)
def test_a_search_that_cannot_be_used_is_reported_and_never_requested(
    tmp_path: Path, site: SearchSite, outcome: str, words: str
) -> None:
    data, requested = audit(site, tmp_path)
    [finding] = of_rule(data, "site-search-not-checked")
    assert finding["evidence"]["outcome"] == outcome
    assert words in finding["message"]
    assert url_path(finding["url"]) == "/"
    assert not of_rule(data, "top-task-not-in-search")
    assert not any(r.split()[1].startswith("/search") for r in requested)
    assert not any(r.startswith("POST") for r in requested)


RANKS = {"missed bin": 2, "bin not collected": None, "council tax": 12}


def test_searches_carry_staging_credentials_and_a_search_on_another_host_is_not_used(
    tmp_path: Path,
) -> None:
    site = SearchSite()
    search = site.search
    token = "Basic " + base64.b64encode(b"editor:pw").decode()

    def staging_search(request: RequestInfo) -> Response:
        if request.headers.get("authorization") != token:
            return Response(status=401, body=b"Sign in")
        return search(request)

    site.routes["/search"] = staging_search
    credentials = {"SITEAUDIT_AUTH_USER": "editor", "SITEAUDIT_AUTH_PASSWORD": "pw"}
    data, _requested = audit(site, tmp_path / "staging", env=credentials)
    assert ranks(data) == RANKS
    asked_away: list[RequestInfo] = []

    def elsewhere(request: RequestInfo) -> Response:
        asked_away.append(request)
        return Response(status=404)

    with SiteServer(routes={"/*": elsewhere}) as other:
        away = SearchSite()
        form = f"<form role='search' action='{other.url}/s'><input name='q'></form>"
        home = page("Home", "<a href='/bins/'>Bins</a>", form)
        away.routes["/"] = lambda request: home
        data, _requested = audit(away, tmp_path / "away", env=credentials)
    # The crawl checks the form's address is there, as for any link; nothing is searched.
    assert not [r for r in asked_away if r.query or "authorization" in r.headers]
    [finding] = of_rule(data, "site-search-not-checked")
    assert finding["evidence"]["outcome"] == "off-site"


@pytest.mark.parametrize("home_path", ["/", "/home/"], ids=["start-url", "redirected-start-url"])
def test_an_incremental_re_audit_searches_again_from_the_unchanged_home_page(
    tmp_path: Path, home_path: str
) -> None:
    site = SearchSite()
    home = site.routes["/"]
    answers: list[int] = []

    def unchanged_home(request: RequestInfo) -> Response:
        answer = home(request)
        if request.headers.get("if-none-match") == '"v1"':
            answer = Response(status=304)
        answer.headers["ETag"] = '"v1"'
        answers.append(answer.status)
        return answer

    site.routes[home_path] = unchanged_home
    if home_path != "/":
        site.routes["/"] = lambda request: Response.redirect(home_path)
    config = TASKS.replace("[crawl]\n", "[crawl]\nincremental = true\n")
    data, requested = audit(site, tmp_path, config, runs=2)
    # The second run carries the home page over (304), then reads it for its search form.
    assert answers == [200, 304, 200]
    assert ranks(data) == RANKS
    assert sum("q=missed+bin" in r for r in requested) == 2
