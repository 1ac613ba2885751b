"""Top task pages hidden from search engines, found by a real crawl over HTTP: robots.txt
(which the crawl obeys, so the page is judged from the crawl's own verdict on the links to
it, never fetched), an X-Robots-Tag header and a robots meta tag; and the accessibility
statement found by its footer link, as a site serves them."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.kit.cli import run_cli
from tests.kit.findings import load_findings
from tests.kit.siteserver import RequestInfo, Response, SiteServer

pytestmark = pytest.mark.slow

FOOTER = "<footer><a href='/accessibility-statement/'>Accessibility statement</a></footer>"
CONFIG = """
[crawl]
check_external = false

[[top_tasks]]
name = "Apply for a parking permit"
url = "/parking/permit/"

[[top_tasks]]
name = "Report a missed bin"
url = "/bins/missed/"

[[top_tasks]]
name = "Pay council tax"
url = "/council-tax/pay/"

[[top_tasks]]
name = "Find a library"
url = "/libraries/"
"""


def page(
    title: str, body: str = "", head: str = "", headers: dict[str, str] | None = None
) -> Response:
    html = (
        f"<!doctype html><html lang='en'><head><title>{title}</title>{head}</head>"
        f"<body><main><h1>{title}</h1>{body}</main>{FOOTER}</body></html>"
    )
    return Response(body=html.encode(), headers=headers or {})


def described(title: str, body: str = "") -> Response:
    return page(title, body, f"<meta name='description' content='{title}: what you can do'>")


def robots(request: RequestInfo) -> Response:
    return Response(
        body=b"User-agent: *\nDisallow: /parking/\n", headers={"Content-Type": "text/plain"}
    )


ROUTES = {
    "/robots.txt": robots,
    "/": lambda r: described(
        "Home",
        "<a href='/parking/permit/'>Parking permits</a> <a href='/bins/missed/'>Missed bin</a>"
        " <a href='/council-tax/pay/'>Pay council tax</a> <a href='/libraries/'>Libraries</a>",
    ),
    "/bins/missed/": lambda r: page(
        "Report a missed bin", head="<meta name='robots' content='noindex, nofollow'>"
    ),
    "/council-tax/pay/": lambda r: page("Pay council tax", headers={"X-Robots-Tag": "noindex"}),
    "/libraries/": lambda r: described("Libraries"),
    "/accessibility-statement/": lambda r: described(
        "Accessibility statement",
        "<p>This website is fully compliant with WCAG 2.2 AA.</p>"
        "<p>If you find any problems, email web@council.example.</p>"
        "<p>The Equality and Human Rights Commission (EHRC) enforces the regulations.</p>"
        "<p>This statement was prepared on 1 March 2020. It was last reviewed on "
        "2 March 2026.</p>",
    ),
}


@pytest.fixture(scope="module")
def audit(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("findability")
    config = out / "siteaudit.toml"
    config.write_text(CONFIG)
    with SiteServer(routes=ROUTES) as site:
        result = run_cli(
            "audit", f"{site.url}/", "--out", out, "--config", config, "--as-of", "2026-11-24"
        )
        requested = [request.target for request in site.requests]
    assert result.returncode == 0, result.stderr
    findings = load_findings(out)
    assert findings["rule_errors"] == []
    return {"findings": findings["findings"], "requested": requested}


def _by_rule(audit: dict[str, Any], rule: str) -> dict[str, dict[str, Any]]:
    return {urlsplit(f["url"]).path: f for f in audit["findings"] if f["rule"] == rule}


def test_top_task_pages_hidden_by_robots_txt_noindex_or_header_are_reported(
    audit: dict[str, Any],
) -> None:
    hidden = _by_rule(audit, "top-task-not-indexable")
    assert sorted(hidden) == ["/bins/missed/", "/council-tax/pay/", "/parking/permit/"]
    assert hidden["/parking/permit/"]["evidence"]["robots_txt"] == "disallowed"
    assert hidden["/bins/missed/"]["evidence"]["noindex"] == "meta robots"
    assert hidden["/council-tax/pay/"]["evidence"]["noindex"] == "X-Robots-Tag header"
    assert all(f["severity"] == "high" for f in hidden.values())


def test_a_page_robots_txt_forbids_is_judged_without_being_fetched(audit: dict[str, Any]) -> None:
    assert not [path for path in audit["requested"] if path.startswith("/parking/")]


def test_noindex_pages_are_not_asked_for_a_description(audit: dict[str, Any]) -> None:
    assert _by_rule(audit, "meta-description-missing") == {}


def test_a_complete_statement_reviewed_this_year_linked_from_every_page_passes(
    audit: dict[str, Any],
) -> None:
    assert not [f for f in audit["findings"] if f["rule"].startswith("accessibility-statement")]
