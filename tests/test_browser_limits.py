"""The browser stage's bounds: a hard deadline per page, and pages too large to check.

A page that never finishes loading, one with a huge DOM and one larger than the size limit,
among ordinary pages, audited with real headless Chromium: the audit finishes, each of the
three is recorded with a plain-English reason, and the ordinary pages have their axe-core
results. The pool's deadline is also tested with fake browsers that hang until killed
(`FakeBrowser`, tests/kit/fake_browsers.py).
"""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from audits.core.config import ConfigError, parse_config
from tests.kit.browsers import require_browser
from tests.kit.cli import run_cli
from tests.kit.fake_browsers import run_pool
from tests.kit.findings import load_findings, url_path
from tests.kit.siteserver import RequestInfo, Response, SiteServer

DEADLINE = 15
ORDINARY = ("/", "/contact/", "/bins/", "/parking/")
HANGS, HUGE_DOM, TOO_BIG = "/hangs/", "/huge-dom/", "/too-big/"
MAX_ELEMENTS = 5_000
MAX_BYTES = 200_000


def page(title: str, body: str) -> Response:
    return Response.html(
        f"<!DOCTYPE html><html lang='en-GB'><head><title>{title}</title></head>"
        f"<body><main><h1>{title}</h1>{body}</main></body></html>"
    )


def home(_: RequestInfo) -> Response:
    links = "".join(
        f"<li><a href='{target}'>{target.strip('/')}</a></li>"
        for target in (*ORDINARY[1:], HANGS, HUGE_DOM, TOO_BIG)
    )
    return page("Council home", f"<ul>{links}</ul>")


def ordinary(title: str, body: str = "<p>Opening hours and phone numbers.</p>") -> Any:
    return lambda _: page(title, body)


def hangs(request: RequestInfo) -> Response:
    """Answers the crawler at once; the browser waits for ever (the page never loads)."""
    response = page("Planning map", "<p>The map of planning applications.</p>")
    if "HeadlessChrome" in request.headers.get("user-agent", ""):
        response.delay = 3600
    return response


def huge_dom(_: RequestInfo) -> Response:
    rows = "".join(f"<tr><td>{n}</td><td>Ward {n}</td></tr>" for n in range(MAX_ELEMENTS))
    return page("Polling stations", f"<table>{rows}</table>")


def too_big(_: RequestInfo) -> Response:
    return page("Minutes archive", "<p>Minutes of the meeting.</p>" * (MAX_BYTES // 25))


ROUTES = {
    "/": home,
    "/contact/": ordinary("Contact us"),
    # An image without alt text: an axe-core violation shows the page was checked.
    "/bins/": ordinary("Bin collections", "<img src='/bin.png' width='20' height='20'>"),
    "/parking/": ordinary("Parking permits"),
    HANGS: hangs,
    HUGE_DOM: huge_dom,
    TOO_BIG: too_big,
}


@pytest.mark.slow
@pytest.mark.browser
def test_slow_huge_and_oversized_pages_are_skipped_with_reasons_and_the_rest_checked(
    tmp_path: Path,
) -> None:
    require_browser()
    config = tmp_path / "siteaudit.toml"
    # page_timeout is far above the deadline: only the deadline can end the hanging page.
    config.write_text(
        f'[store]\npath = "{tmp_path / "history.db"}"\n'
        f"[browser]\nworkers = 2\npage_timeout = 300\npage_deadline = {DEADLINE}\n"
        f"max_dom_elements = {MAX_ELEMENTS}\nmax_page_bytes = {MAX_BYTES}\n"
    )
    started = time.monotonic()
    with SiteServer(tmp_path, routes=ROUTES) as server:
        result = run_cli(
            "audit", f"{server.url}/", "--out", tmp_path / "out", "--config", config,
            "-q", browser=True, timeout=900,
        )  # fmt: skip
        requested = Counter((r.method, r.target) for r in server.requests)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert elapsed < 150  # the old code waited 2 x 120 s on the hanging page alone

    findings = load_findings(tmp_path / "out")["findings"]
    errors = {
        url_path(f["url"]): f["message"] for f in findings if f["rule"] == "browser-audit-error"
    }
    assert set(errors) == {HANGS, HUGE_DOM, TOO_BIG}
    assert f"within {DEADLINE} s" in errors[HANGS]
    assert f"more than the {MAX_ELEMENTS:,} elements" in errors[HUGE_DOM]
    assert "larger than the 195 KB the browser loads" in errors[TOO_BIG]
    assert all("Error" not in message and "Exception" not in message for message in errors.values())
    assert requested["GET", TOO_BIG] == 1  # the crawl's: the browser never loaded it

    with sqlite3.connect(tmp_path / "history.db") as db:
        checked = db.execute(
            "SELECT u.url FROM browser_pages b JOIN urls u ON u.id = b.url_id WHERE b.error IS NULL"
        ).fetchall()
    assert sorted(url_path(url) for (url,) in checked) == sorted(ORDINARY)
    # axe-core's verdicts, those merged into a static check's finding (audits/stages/merge.py) too
    axe = {
        (url_path(f["url"]), source["axe_rule"])
        for f in findings
        for source in (
            [f["evidence"]] if f["rule"] == "axe-violation" else f["evidence"].get("sources", [])
        )
        if source.get("axe_rule")
    }
    assert ("/bins/", "image-alt") in axe
    assert {page for page, _ in axe} <= set(ORDINARY)


# -- the pool's deadline, with fake browsers -----------------------------------------------


def test_a_hung_page_is_killed_at_its_deadline_not_retried_and_the_next_page_gets_a_fresh_browser() -> (
    None
):
    results, browsers, log = run_pool(
        ["/a", "/hangs", "/b", "/c"], {"/hangs": ["hang"]}, page_deadline=0.5
    )
    assert results["/hangs"].error == "it did not finish loading and checking within 0.5 s"
    assert all(results[url].error is None for url in ("/a", "/b", "/c"))
    assert [url for _, url, _ in log].count("/hangs") == 1  # not retried after the deadline
    first, fresh = browsers
    assert first.killed.is_set() and first.closed
    assert [url for browser, url, _ in log if browser == id(fresh)] == ["/b", "/c"]


def test_a_retry_after_a_crash_counts_against_the_same_deadline() -> None:
    results, browsers, log = run_pool(["/flaky"], {"/flaky": ["crash", "hang"]}, page_deadline=0.5)
    assert results["/flaky"].error == "it did not finish loading and checking within 0.5 s"
    assert [outcome for _, _, outcome in log] == ["crash", "hang"]
    assert len(browsers) == 2 and browsers[1].killed.is_set()


@pytest.mark.parametrize("setting", ["page_deadline", "max_page_bytes", "max_dom_elements"])
def test_a_limit_that_is_not_positive_is_a_config_error(setting: str) -> None:
    with pytest.raises(ConfigError, match=f"{setting}.* must be positive"):
        parse_config({"browser": {setting: 0}})
