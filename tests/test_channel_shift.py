"""Channel shift end to end: a served council site audited by the real `siteaudit audit`.

The site has forms at every distance from the home page (one click, a section page, five
clicks deep), a form only the sitemap lists, a form only a PDF links to, a broken form,
a form platform; pages that put the phone number first, after the online option, or
alone; one service with two numbers. The config names top tasks and approved numbers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.kit.cli import run_cli
from tests.kit.findings import load_findings
from tests.kit.pages import pdf_with_link
from tests.kit.siteserver import RequestInfo, Response, SiteServer

pytestmark = pytest.mark.slow

PLATFORM = "https://northbrook.achieveservice.com/service/pay_council_tax"
FOOTER = (
    "<footer><p>Call <a href='tel:+441134960000'>0113 496 0000</a> or email "
    "<a href='mailto:contact@northbrook.example'>contact@northbrook.example</a></p></footer>"
)
FORM = (
    "<form method='post' action='{path}'><label for='a'>Postcode</label><input id='a' "
    "name='postcode'><label for='b'>Details</label><textarea id='b' name='details'></textarea>"
    "<button>Send</button></form>"
)


def page(title: str, main: str) -> Response:
    nav = (
        "<nav><a href='/'>Home</a> <a href='/bins/'>Bins</a> <a href='/roads/'>Roads</a> "
        "<a href='/council-tax/'>Council tax</a></nav>"
    )
    return Response.html(
        f"<html lang='en'><head><title>{title} - Northbrook Council</title></head><body>"
        f"<header><p>Northbrook Council</p></header>{nav}<main><h1>{title}</h1>{main}</main>"
        f"{FOOTER}</body></html>"
    )


def form_page(title: str, path: str) -> Response:
    return page(title, f"<p>Fill in the form.</p>{FORM.format(path=path)}")


def links(*pairs: tuple[str, str]) -> str:
    return "".join(f"<p><a href='{href}'>{text}</a></p>" for href, text in pairs)


def sitemap(request: RequestInfo) -> Response:
    urls = ["/", "/bins/", "/forms/old-permit/"]
    body = "".join(f"<url><loc>{request.origin}{path}</loc></url>" for path in urls)
    return Response(
        body=(
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>'
        ).encode(),
        headers={"Content-Type": "application/xml"},
    )


ROUTES = {
    "/": lambda r: page(
        "Northbrook Council",
        "<h2>Do it online</h2>"
        + links(("/forms/missed-bin/", "Report a missed bin"), ("/guide.pdf", "Guide (PDF)")),
    ),
    "/bins/": lambda r: page(
        "Bins",
        links(
            ("/bins/missed/", "Missed bins"),
            ("/bins/bulky/", "Bulky waste"),
            ("/bins/garden/", "Garden waste"),
            ("/forms/garden-waste-bin/", "Order a garden waste bin"),
        ),
    ),
    "/bins/missed/": lambda r: page(
        "Missed bins",
        links(("/forms/missed-bin/", "Report a missed bin online"))
        + "<h2>If you cannot go online</h2><p>Call us on 0113 496 0123.</p>",
    ),
    "/bins/bulky/": lambda r: page(
        "Bulky waste",
        "<p>We collect big items such as sofas.</p><p>To book, call 0113 496 0124.</p>"
        "<p>You can also <a href='/forms/bulky/'>book a collection online</a>.</p>",
    ),
    "/bins/garden/": lambda r: page(
        "Garden waste collections",
        "<p>We collect garden waste every two weeks from March to November.</p>"
        "<p>To get a garden waste bin, call 0113 496 0125.</p>",
    ),
    "/roads/": lambda r: page(
        "Roads",
        links(
            ("/roads/potholes/", "Potholes"), ("/forms/road-closure/", "Apply for a road closure")
        ),
    ),
    "/roads/potholes/": lambda r: page(
        "Potholes", links(("/roads/potholes/reporting/", "Reporting"))
    ),
    "/roads/potholes/reporting/": lambda r: page(
        "Reporting", links(("/roads/potholes/reporting/how/", "How to report"))
    ),
    "/roads/potholes/reporting/how/": lambda r: page(
        "How to report", links(("/forms/pothole/", "Report a pothole online"))
    ),
    "/council-tax/": lambda r: page(
        "Council tax",
        links((PLATFORM, "Pay your council tax online"), ("/council-tax/moving/", "Moving home"))
        + "<p>Council tax: 0113 496 0200</p>",
    ),
    "/council-tax/moving/": lambda r: page(
        "Moving home",
        "<p>Tell us when you move.</p><p>Council tax: 0113 496 0299</p>",
    ),
    "/forms/missed-bin/": lambda r: form_page("Report a missed bin", "/forms/missed-bin/"),
    "/forms/bulky/": lambda r: form_page("Book a bulky waste collection", "/forms/bulky/"),
    "/forms/garden-waste-bin/": lambda r: form_page("Order a garden waste bin", "/forms/gw/"),
    "/forms/pothole/": lambda r: form_page("Report a pothole", "/forms/pothole/"),
    "/forms/old-permit/": lambda r: form_page("Apply for an old permit", "/forms/old-permit/"),
    "/forms/pdf-only/": lambda r: form_page("Apply for a grant", "/forms/pdf-only/"),
    "/forms/road-closure/": lambda r: Response(status=500),
    "/guide.pdf": lambda r: Response(
        body=pdf_with_link(r.origin + "/forms/pdf-only/"),
        headers={"Content-Type": "application/pdf"},
    ),
    "/sitemap.xml": sitemap,
}

CONFIG = """
[crawl]
check_external = false

[browser]
enabled = false

[rules.unapproved-phone-number]
approved_numbers = ["0113 496 0000", "0113 496 0123", "0113 496 0124", "0113 496 0125",
                    "0113 496 0200"]

[[top_tasks]]
name = "Report a missed bin"
url = "/forms/missed-bin/"
max_clicks = 2

[[top_tasks]]
name = "Report a pothole"
url = "/forms/pothole/"

[[top_tasks]]
name = "Pay council tax"
pattern = "achieveservice\\\\.com/.*council_tax"
max_clicks = 2

[[top_tasks]]
name = "Apply for a parking permit"
pattern = "parking-permit"
"""


@pytest.fixture(scope="module")
def audit(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("channel-shift")
    config = out / "siteaudit.toml"
    config.write_text(CONFIG)
    with SiteServer(routes=ROUTES) as site:
        result = run_cli(
            "audit", f"{site.url}/", "--out", out, "--config", config, "--page-workers", "1"
        )
    assert result.returncode == 0, result.stderr
    findings = load_findings(out)
    assert findings["rule_errors"] == []
    return {"findings": findings["findings"] + findings["inventory"], "out": Path(out)}


def by_rule(audit: dict[str, Any], rule: str) -> dict[str, dict[str, Any]]:
    """The rule's findings by page path (or by key when pages repeat)."""
    found = {}
    for finding in audit["findings"]:
        if finding["rule"] == rule:
            found[urlsplit(finding["url"]).path] = finding
    return found


def test_deep_orphaned_and_pdf_only_forms_are_flagged(audit: dict[str, Any]) -> None:
    flagged = {path: f["evidence"]["reason"] for path, f in by_rule(audit, "form-too-deep").items()}
    assert flagged == {
        "/forms/pothole/": "too-deep",
        "/forms/old-permit/": "orphaned",
        "/forms/pdf-only/": "only-in-document",
    }
    deep = by_rule(audit, "form-too-deep")["/forms/pothole/"]
    assert deep["evidence"]["click_depth"] == 5
    assert [step["title"] for step in deep["evidence"]["path"]] == [
        "Northbrook Council",
        "Roads",
        "Potholes",
        "Reporting",
        "How to report",
        "Report a pothole",
    ]
    assert by_rule(audit, "form-too-deep")["/forms/old-permit/"]["evidence"]["in_sitemap"] is True


def test_the_inventory_lists_every_form(audit: dict[str, Any]) -> None:
    inventory = {
        urlsplit(f["evidence"]["form_url"]).path
        if f["evidence"]["form_kind"] == "page"
        else "platform": f["evidence"]
        for f in audit["findings"]
        if f["rule"] == "form-inventory"
    }
    assert set(inventory) == {
        "/forms/missed-bin/",
        "/forms/bulky/",
        "/forms/garden-waste-bin/",
        "/forms/pothole/",
        "/forms/old-permit/",
        "/forms/pdf-only/",
        "platform",
    }
    assert inventory["/forms/missed-bin/"]["click_depth"] == 1
    assert inventory["/forms/missed-bin/"]["linked_from_home"] is True
    assert inventory["/forms/missed-bin/"]["linked_from_pages"] == 2
    assert inventory["/forms/garden-waste-bin/"]["linked_from_hub"] is True
    assert inventory["/forms/pdf-only/"]["only_in_document"] is True
    assert inventory["/forms/pdf-only/"]["documents"][0].endswith("/guide.pdf")
    assert inventory["/forms/old-permit/"]["orphaned"] is True
    assert inventory["platform"]["click_depth"] == 2


def test_broken_form_is_flagged(audit: dict[str, Any]) -> None:
    [broken] = by_rule(audit, "form-page-broken").values()
    assert urlsplit(broken["target"]).path == "/forms/road-closure/"
    assert urlsplit(broken["url"]).path == "/roads/"
    assert broken["evidence"]["status"] == 500


def test_top_tasks_pass_or_fail_with_their_paths(audit: dict[str, Any]) -> None:
    tasks = {
        f["evidence"]["task"]: f for f in audit["findings"] if f["rule"] == "top-task-too-deep"
    }
    assert set(tasks) == {
        "Report a missed bin",
        "Report a pothole",
        "Pay council tax",
        "Apply for a parking permit",
    }
    missed = tasks["Report a missed bin"]
    assert (missed["severity"], missed["evidence"]["passed"], missed["evidence"]["clicks"]) == (
        "info",
        True,
        1,
    )
    pothole = tasks["Report a pothole"]
    assert (pothole["severity"], pothole["evidence"]["passed"]) == ("high", False)
    assert pothole["evidence"]["clicks"] == 5
    assert pothole["evidence"]["max_clicks"] == 3
    assert len(pothole["evidence"]["path"]) == 6
    pay = tasks["Pay council tax"]
    assert pay["evidence"]["passed"] is True
    assert pay["evidence"]["target"] == PLATFORM
    assert tasks["Apply for a parking permit"]["evidence"]["target"] is None


def test_phone_first_pages_are_flagged_and_online_first_pages_are_not(
    audit: dict[str, Any],
) -> None:
    assert set(by_rule(audit, "phone-before-online")) == {"/bins/bulky/"}
    assert set(by_rule(audit, "phone-only-service")) == {"/bins/garden/"}
    garden = by_rule(audit, "phone-only-service")["/bins/garden/"]
    assert urlsplit(garden["target"]).path == "/forms/garden-waste-bin/"


def test_consistency_of_numbers(audit: dict[str, Any]) -> None:
    [inconsistent] = by_rule(audit, "inconsistent-phone-number").values()
    assert inconsistent["evidence"]["label"] == "Council tax"
    assert {n["number"] for n in inconsistent["evidence"]["numbers"]} == {
        "0113 496 0200",
        "0113 496 0299",
    }
    [unapproved] = by_rule(audit, "unapproved-phone-number").values()
    assert unapproved["evidence"]["number"] == "0113 496 0299"
    assert urlsplit(unapproved["url"]).path == "/council-tax/moving/"


def test_contact_inventory_covers_every_number_and_address(audit: dict[str, Any]) -> None:
    entries = {
        f["evidence"]["display"]: f["evidence"]
        for f in audit["findings"]
        if f["rule"] == "contact-inventory"
    }
    assert set(entries) == {
        "0113 496 0000",
        "contact@northbrook.example",
        "0113 496 0123",
        "0113 496 0124",
        "0113 496 0125",
        "0113 496 0200",
        "0113 496 0299",
    }
    footer = entries["0113 496 0000"]
    assert footer["page_count"] == 17  # every HTML page that answered
    assert footer["regions"] == {"footer": 17}
