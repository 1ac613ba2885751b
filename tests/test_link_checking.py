"""Link verdicts end to end: a council site whose links fail in every way links fail.

The site (127.0.0.1) and a partner site (127.0.0.2, "external") answer with 410s, server
errors that recover, rate limits with Retry-After, bot blocking, redirect chains and loops,
hangs, soft 404s, missing #sections, a bad mailto: and a PDF whose link is the only way to
one page. One audit runs over both; each test checks one verdict.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.kit.cli import run_cli
from tests.kit.findings import load_findings
from tests.kit.pages import html_page, pdf_with_link
from tests.kit.siteserver import RequestInfo, Response, SiteServer

pytestmark = pytest.mark.slow

TIMEOUT = 2


def links(*hrefs: str) -> str:
    return "".join(f'<p><a href="{href}">Link to {href}</a></p>' for href in hrefs)


class Flaky:
    """Fails `times` times with `status` (and optional headers), then answers a page."""

    def __init__(self, status: int, times: int = 1, headers: dict[str, str] | None = None):
        self.status, self.left, self.headers = status, times, headers or {}
        self.answers: list[int] = []

    def __call__(self, request: RequestInfo) -> Response:
        if self.left > 0:
            self.left -= 1
            self.answers.append(self.status)
            return Response(status=self.status, headers=self.headers)
        self.answers.append(200)
        return html_page("Recovered")


def only_for_browsers(request: RequestInfo) -> Response:
    if "Mozilla" in request.headers.get("user-agent", ""):
        return html_page("Welcome, browser")
    return Response(status=403)


def hang(request: RequestInfo) -> Response:
    return dataclasses.replace(html_page("Too late"), delay=TIMEOUT + 3)


@pytest.fixture(scope="module")
def link_audit(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("links")
    flaky, busy = Flaky(500), Flaky(429, headers={"Retry-After": "1"})
    partner_routes = {
        "/ok": lambda r: html_page("Partner page"),
        "/dead": lambda r: Response(status=404),
        "/hang": hang,
        "/ratelimited": lambda r: Response(status=429, headers={"Retry-After": "1"}),
        "/blocked": lambda r: Response(status=403),
    }
    with SiteServer(routes=partner_routes, host="127.0.0.2") as partner:
        p = partner.url
        routes = {
            "/": lambda r: html_page(
                "Home",
                links(
                    "/gone",
                    "/flaky",
                    "/busy",
                    "/bots",
                    "/old",
                    "/loop-a",
                    "/slow",
                    "/soft",
                    "/frag",
                    "/doc.pdf",
                    "http://nowhere.invalid/",
                    f"{p}/ok",
                    f"{p}/dead",
                    f"{p}/hang",
                    f"{p}/ratelimited",
                    f"{p}/blocked",
                )
                + '<p><a href="mailto:council@northbrook">Email us</a></p>',
            ),
            "/gone": lambda r: Response(status=410),
            "/flaky": flaky,
            "/busy": busy,
            "/bots": only_for_browsers,
            "/old": lambda r: Response.redirect("/older"),
            "/older": lambda r: Response.redirect("/new"),
            "/new": lambda r: html_page("New"),
            "/loop-a": lambda r: Response.redirect("/loop-b"),
            "/loop-b": lambda r: Response.redirect("/loop-a"),
            "/slow": hang,
            "/soft": lambda r: html_page("Sorry, page not found"),
            "/frag": lambda r: html_page(
                "Fees",
                '<h2 id="here">Here</h2><p><a href="#here">ok</a> <a href="#absent">Absent</a>'
                ' <a href="/new#missing">Missing section</a> <a href="/new#top">Top</a></p>',
            ),
            "/doc.pdf": lambda r: Response(
                body=pdf_with_link(r.origin + "/only-in-pdf", modified="D:20190303120000Z"),
                headers={"Content-Type": "application/pdf"},
            ),
            "/only-in-pdf": lambda r: html_page("Only in the PDF"),
        }
        with SiteServer(routes=routes) as site:
            config = out / "siteaudit.toml"
            config.write_text(f"[crawl]\ntimeout = {TIMEOUT}\nuse_sitemaps = false\n")
            result = run_cli(
                "audit",
                f"{site.url}/",
                "--out",
                out,
                "--config",
                config,
                "--page-workers",
                "0",
                timeout=300,
            )
            site_requests = Counter(r.target for r in site.requests)
            origin = site.url
    assert result.returncode == 0, result.stderr
    return {
        "findings": load_findings(out)["findings"],
        "origin": origin,
        "partner": p,
        "requests": site_requests,
        "flaky": flaky.answers,
        "busy": busy.answers,
        "db": sqlite3.connect(out / "audit.db"),
    }


def targets(audit: dict[str, Any], rule: str) -> set[str]:
    origin = audit["origin"]
    return {f["target"].removeprefix(origin) for f in audit["findings"] if f["rule"] == rule}


def test_broken_targets_are_reported_and_working_ones_are_not(link_audit: dict[str, Any]) -> None:
    p = link_audit["partner"]
    assert targets(link_audit, "broken-link") == {
        "/gone",
        "/loop-a",
        "/slow",
        "http://nowhere.invalid/",
        f"{p}/dead",
        f"{p}/hang",
    }


def test_server_error_and_rate_limit_are_retried_until_they_recover(
    link_audit: dict[str, Any],
) -> None:
    assert link_audit["flaky"] == [500, 200]
    assert link_audit["busy"] == [429, 200]


def test_bot_blocking_and_lasting_rate_limits_are_not_verified_not_broken(
    link_audit: dict[str, Any],
) -> None:
    p = link_audit["partner"]
    assert targets(link_audit, "link-not-verified") == {f"{p}/ratelimited", f"{p}/blocked"}


def test_each_verdict_says_what_happened(link_audit: dict[str, Any]) -> None:
    origin, p = link_audit["origin"], link_audit["partner"]
    verdicts = {
        f["target"]: f["evidence"]["verdict"]
        for f in link_audit["findings"]
        if f["rule"] == "broken-link"
    }
    assert verdicts[f"{origin}/gone"] == "broken"
    assert verdicts[f"{origin}/slow"] == "timed out"
    assert verdicts[f"{p}/hang"] == "timed out"
    assert verdicts["http://nowhere.invalid/"] == "broken"
    loop = next(f for f in link_audit["findings"] if f["target"] == f"{origin}/loop-a")
    assert loop["evidence"]["error"] == "redirect loop"


def test_redirect_chain_is_reported_with_its_final_address(link_audit: dict[str, Any]) -> None:
    [finding] = [f for f in link_audit["findings"] if f["rule"] == "redirected-link"]
    assert finding["evidence"]["hops"] == 2
    assert finding["evidence"]["final_url"] == link_audit["origin"] + "/new"


def test_soft_404_missing_sections_and_bad_mailto(link_audit: dict[str, Any]) -> None:
    assert targets(link_audit, "soft-404") == {"/soft"}
    assert targets(link_audit, "broken-fragment") == {"/frag#absent", "/new#missing"}
    assert targets(link_audit, "malformed-contact-link") == {"mailto:council@northbrook"}


def test_page_only_a_pdf_links_to_is_crawled(link_audit: dict[str, Any]) -> None:
    db: sqlite3.Connection = link_audit["db"]
    row = db.execute(
        "SELECT p.is_html FROM pages p JOIN urls u ON u.id = p.url_id WHERE u.url = ?",
        (link_audit["origin"] + "/only-in-pdf",),
    ).fetchone()
    assert row == (1,)
    [(region,)] = db.execute(
        "SELECT l.region FROM links l JOIN urls t ON t.id = l.target_id WHERE t.url = ?",
        (link_audit["origin"] + "/only-in-pdf",),
    ).fetchall()
    assert region == "document"


def test_every_target_is_requested_once_apart_from_retries(link_audit: dict[str, Any]) -> None:
    requests = link_audit["requests"]
    assert requests["/gone"] == 1
    assert requests["/new"] == 1  # reached through a redirect chain and linked directly
    assert requests["/flaky"] == 2


class InFlight:
    """A slow page that records the most requests it was serving at once."""

    def __init__(self) -> None:
        self.now = self.most = 0
        self.lock = threading.Lock()

    def __call__(self, request: RequestInfo) -> Response:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
        time.sleep(0.3)
        with self.lock:
            self.now -= 1
        return html_page("Partner page")


def test_external_hosts_get_two_requests_at_a_time(tmp_path: Path) -> None:
    counter = InFlight()
    with SiteServer(routes={"/*": counter}, host="127.0.0.2") as partner:
        hrefs = [f"{partner.url}/page-{i}" for i in range(12)]
        with SiteServer(routes={"/": lambda r: html_page("Home", links(*hrefs))}) as site:
            result = run_cli(
                "audit", f"{site.url}/", "--out", tmp_path, "-q", "--page-workers", "0"
            )
    assert result.returncode == 0, result.stderr
    assert 1 <= counter.most <= 2  # twelve links, never more than two at once


def test_recent_ok_external_verdicts_are_reused_and_broken_ones_checked_again(
    tmp_path: Path,
) -> None:
    with SiteServer(
        routes={"/ok": lambda r: html_page("Fine"), "/dead": lambda r: Response(status=404)},
        host="127.0.0.2",
    ) as partner:
        home = html_page("Home", links(f"{partner.url}/ok", f"{partner.url}/dead"))
        with SiteServer(routes={"/": lambda r: home}) as site:
            config = tmp_path / "siteaudit.toml"
            config.write_text(f'[store]\npath = "{tmp_path / "history.db"}"\n')
            for run in ("first", "second"):
                result = run_cli(
                    "audit",
                    f"{site.url}/",
                    "--out",
                    tmp_path / run,
                    "--config",
                    config,
                    "-q",
                    "--page-workers",
                    "0",
                )
                assert result.returncode == 0, result.stderr
        asked = Counter(r.target for r in partner.requests if r.target != "/robots.txt")
    assert asked["/ok"] == 1  # the second run reused the first run's verdict
    assert asked["/dead"] >= 2  # HEAD then GET, in each run
    second = load_findings(tmp_path / "second")["findings"]
    [dead] = [f for f in second if f["rule"] == "broken-link"]
    assert dead["evidence"]["failed_runs"] == 2


def test_a_documents_own_date_comes_from_its_metadata(link_audit: dict[str, Any]) -> None:
    [finding] = [f for f in link_audit["findings"] if f["rule"] == "document-instead-of-html"]
    assert finding["target"] == link_audit["origin"] + "/doc.pdf"
    assert finding["evidence"]["document_date"] == "2019-03-03"
    assert finding["evidence"]["date_source"] == "PDF metadata"
    assert "dated 2019-03-03" in finding["message"]
