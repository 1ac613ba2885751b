"""broken-link and form-too-deep against an in-memory Site: what their cases in
tests/rules/cases/ don't pin (options, message tables, severity grading, the
breadth-first search).
"""

from __future__ import annotations

from typing import Any

import pytest

from rules.analyses.click_graph import click_depths, click_graph, click_paths, shortest_click_path
from rules.base import Severity
from rules.forms.form_too_deep import FormTooDeep
from rules.links.broken_link import BrokenLink
from rules.page import Page
from rules.site import FactsAlong, LinkRow, PageInfo, Site, TargetStatus, iter_facts
from tests.kit.memory_site import HOME, MemorySite, info, link, u


def test_memory_site_satisfies_the_protocol() -> None:
    site: Site = MemorySite()  # a type checker verifies the protocol here
    assert list(site.pages()) == []


# -- broken-link ---------------------------------------------------------------------------


def test_external_errors_are_medium_and_can_be_switched_off() -> None:
    gone = "https://partner.example/old-scheme"
    site = MemorySite(
        pages=[info(u("/grants"))],
        links=[link(u("/grants"), gone, text="Warm homes scheme")],
        external=[TargetStatus(gone, 404, None, gone, internal=False)],
    )
    [finding] = BrokenLink().check_site(site)
    assert finding.severity is Severity.MEDIUM
    assert finding.target == gone
    assert "on another website" in finding.message
    assert list(BrokenLink(BrokenLink.Options(include_external=False)).check_site(site)) == []


def test_external_link_is_reported_after_n_failed_runs_with_since_when() -> None:
    gone = "https://partner.example/old-scheme"
    earlier = [
        (1, "2026-11-21T02:00:00+00:00", 200, None),
        (2, "2026-11-22T02:00:00+00:00", 404, None),
    ]
    site = MemorySite(
        pages=[info(u("/grants"))],
        links=[link(u("/grants"), gone)],
        external=[TargetStatus(gone, 404, None, gone, internal=False)],
        history={gone: earlier},
    )
    three_runs = BrokenLink(BrokenLink.Options(external_broken_after_runs=3))
    assert list(three_runs.check_site(site)) == []
    [finding] = BrokenLink(BrokenLink.Options(external_broken_after_runs=2)).check_site(site)
    assert finding.evidence["failed_runs"] == 2
    assert finding.evidence["failing_since"] == "2026-11-22T02:00:00+00:00"


@pytest.mark.parametrize(
    ("status", "error", "expected"),
    [
        (410, None, "a missing page (410)"),
        (500, None, "fails with a server error, even when asked again (500)"),
        (None, "no answer within 15 s", "did not answer in time (no answer within 15 s)"),
        (None, "host name does not resolve", "could not be loaded (host name does not resolve)"),
        (None, "redirect loop", "could not be loaded (redirect loop)"),
    ],
)
def test_each_failure_has_its_own_plain_message(
    status: int | None, error: str | None, expected: str
) -> None:
    target = u("/target")
    site = MemorySite(
        pages=[info(u("/from")), info(target, status=status, error=error)],
        links=[link(u("/from"), target, text="Target")],
    )
    [finding] = BrokenLink().check_site(site)
    assert expected in finding.message


@pytest.mark.parametrize("status", [401, 403, 429, 999])
def test_refusals_and_rate_limits_are_not_broken(status: int) -> None:
    target = "https://social.example/council"
    site = MemorySite(
        pages=[info(u("/contact"))],
        links=[link(u("/contact"), target)],
        external=[TargetStatus(target, status, None, target, internal=False)],
    )
    assert list(BrokenLink().check_site(site)) == []


def test_broken_link_in_the_footer_of_every_page_is_one_template_finding() -> None:
    target = u("/old-privacy")
    sources = [u(f"/page-{i}") for i in range(5)]
    site = MemorySite(
        pages=[*(info(s) for s in sources), info(target, status=404)],
        links=[LinkRow(s, target, "", "Privacy", "a", "footer", "footer > a") for s in sources],
    )
    [finding] = BrokenLink().check_site(site)
    assert finding.pages == tuple(sorted(sources))
    assert finding.evidence["template"] is True
    assert "template" in finding.message


def test_broken_image_is_medium_and_failed_request_is_broken() -> None:
    image = u("/media/map.png")
    slow = u("/reports/annual.pdf")
    site = MemorySite(
        pages=[
            info(u("/parks")),
            info(image, status=404),
            info(slow, status=None, error="TimeoutError: took longer than 180 seconds"),
        ],
        links=[
            link(u("/parks"), image, kind="img", text="Map of the park"),
            link(u("/parks"), slow, text="Annual report"),
        ],
    )
    by_target = {f.target: f for f in BrokenLink().check_site(site)}
    assert by_target[image].severity is Severity.MEDIUM
    assert by_target[image].message == 'Page uses a missing image (404): "Map of the park"'
    assert by_target[slow].severity is Severity.HIGH
    assert by_target[slow].evidence["error"].startswith("TimeoutError")
    assert "could not be loaded" in by_target[slow].message
    assert "document" in by_target[slow].message


def test_a_link_beats_an_embed_for_severity() -> None:
    leaflet = u("/media/leaflet.jpg")
    site = MemorySite(
        pages=[info(u("/a")), info(u("/b")), info(leaflet, status=410)],
        links=[link(u("/a"), leaflet, kind="img"), link(u("/b"), leaflet, text="Leaflet")],
    )
    [finding] = BrokenLink().check_site(site)
    assert finding.severity is Severity.HIGH
    assert finding.evidence["kind"] == "a"


def test_non_http_form_throttled_and_unchecked_targets_are_skipped() -> None:
    site = MemorySite(
        pages=[
            info(u("/contact")),
            info(u("/submit"), status=405),
            info(u("/busy"), status=429),
            info(u("/never"), status=None),
        ],
        links=[
            link(u("/contact"), "mailto:help@council.example"),
            link(u("/contact"), "tel:+441134960000"),
            link(u("/contact"), u("/submit"), kind="form"),
            link(u("/contact"), u("/busy")),
            link(u("/contact"), u("/never")),
            link(u("/contact"), u("/not-requested")),
        ],
    )
    assert list(BrokenLink().check_site(site)) == []


def test_configured_severity_overrides_grading() -> None:
    site = MemorySite(
        pages=[info(u("/a")), info(u("/gone"), status=404)],
        links=[link(u("/a"), u("/gone"))],
    )
    [finding] = BrokenLink(severity=Severity.LOW).check_site(site)
    assert finding.severity is Severity.LOW


# -- form-too-deep: which forms count ------------------------------------------------------


def _facts(body: str, title: str = "Report a missed bin") -> Any:
    html = f"<html><head><title>{title}</title></head><body>{body}</body></html>"
    return FormTooDeep().page_facts(Page(url=u("/x"), html=html))


SERVICE_FORM = """
<form action="/bins/missed" method="post">
  <label for="pc">Postcode</label><input id="pc" name="postcode">
  <label for="d">What happened?</label><textarea id="d" name="details"></textarea>
  <button type="submit">Send</button>
</form>
"""


def test_service_form_is_a_fact() -> None:
    facts = _facts(f"<main><h1>Report a missed bin</h1>{SERVICE_FORM}</main>")
    assert facts == {"forms": 1, "title": "Report a missed bin", "selector": "main > form"}


@pytest.mark.parametrize(
    "body",
    [
        # site search, three ways
        '<main><form role="search"><input name="postcode"><input name="street"></form></main>',
        '<main><form action="/search/results"><input name="terms"></form></main>',
        '<main><form action="/find"><input type="text" name="q"><button>Go</button></form></main>',
        '<div role="search"><form action="/go"><input name="x"><input name="y"></form></div>',
        # newsletter sign-up
        '<main><form action="/go"><input type="email" name="addr"><button>Go</button></form></main>',
        '<main><form class="newsletter-signup"><input name="name"><input name="mail"></form></main>',
        '<div class="newsletter"><form><input name="name"><input name="mail"></form></div>',
        # cookie consent
        '<div id="cookie-banner"><form><label><input type="checkbox" name="analytics"> '
        "Analytics</label><button>Save</button></form></div>",
        # feedback widgets
        '<main><div class="x"><h2>Was this page useful?</h2><form action="/rate">'
        '<input type="radio" name="useful" value="yes"><input type="radio" name="useful" '
        'value="no"></form></div></main>',
        '<main><form id="page-feedback"><textarea name="comment"></textarea></form></main>',
        # nothing to fill in, or in the site's header
        '<main><form action="/logout" method="post"><button>Sign out</button></form></main>',
        '<header><form action="/lookup"><input name="a"><input name="b"></form></header>',
        "<main><p>No forms here.</p></main>",
    ],
)
def test_widgets_are_not_service_forms(body: str) -> None:
    assert _facts(body) is None


def test_page_wide_classes_do_not_hide_a_service_form() -> None:
    html = (
        '<html><body class="cookies-accepted newsletter-promo">'
        f"<main>{SERVICE_FORM}</main></body></html>"
    )
    assert FormTooDeep().page_facts(Page(url=u("/x"), html=html)) is not None


def test_feedback_widget_elsewhere_does_not_hide_a_service_form() -> None:
    body = (
        f"<main><h1>Report a missed bin</h1>{SERVICE_FORM}"
        "<div class='feedback'><p>Was this page useful?</p>"
        "<form><input type='radio' name='u'></form></div></main>"
    )
    assert _facts(body)["forms"] == 1


# -- form-too-deep: click depth ------------------------------------------------------------


def _form_site(pages: list[PageInfo], links: list[LinkRow] = ()) -> MemorySite:
    facts = {p.url: {"forms": 1, "title": p.title, "selector": "main > form"} for p in pages}
    return MemorySite(
        pages=[info(HOME, click_depth=0, title="Home"), *pages],
        links=links,
        facts={"form-too-deep": facts},
    )


def test_very_deep_form_is_high() -> None:
    site = _form_site([info(u("/deep"), click_depth=6, title="Apply")])
    [finding] = FormTooDeep().check_site(site)
    assert finding.severity is Severity.HIGH
    assert finding.evidence["path"] == []  # no recorded links lead there


def test_max_clicks_option() -> None:
    site = _form_site([info(u("/pay"), click_depth=3, title="Pay")])
    findings = list(FormTooDeep(FormTooDeep.Options(max_clicks=2)).check_site(site))
    assert len(findings) == 1


# -- form-too-deep: the breadth-first search -----------------------------------------------

GRAPH = {
    "home": ["bins", "tax", "about"],
    "bins": ["missed", "home"],
    "tax": ["pay", "bands"],
    "bands": ["pay"],
    "missed": ["report"],
    "about": ["bins"],
    "island": ["report"],
}


@pytest.mark.parametrize(
    ("goal", "path"),
    [
        ("home", ["home"]),
        ("pay", ["home", "tax", "pay"]),
        ("report", ["home", "bins", "missed", "report"]),
        ("island", None),  # links out, nothing links in
        ("nowhere", None),
    ],
)
def test_shortest_click_path(goal: str, path: list[str] | None) -> None:
    assert shortest_click_path(GRAPH, "home", goal) == path


def test_click_paths_serves_many_goals_in_one_search() -> None:
    assert click_paths(GRAPH, "home", ["pay", "missed", "island"]) == {
        "pay": ["home", "tax", "pay"],
        "missed": ["home", "bins", "missed"],
    }


def test_click_paths_from_an_unknown_start() -> None:
    assert click_paths(GRAPH, "elsewhere", ["pay"]) == {}


class CountingSite(MemorySite):
    """A MemorySite that counts how often its link table is read."""

    reads = 0

    def links(self, *, kinds: tuple[str, ...] = (), with_fragment: bool = False) -> Any:
        self.reads += 1
        return super().links(kinds=kinds, with_fragment=with_fragment)


def test_click_depths_and_the_site_rules_read_the_links_into_one_graph() -> None:
    page, deep = u("/bins/"), u("/bins/missed/")
    site = CountingSite(
        pages=[info(HOME, click_depth=0), info(page), info(deep)],
        links=[link(HOME, page), link(page, deep)],
    )
    assert click_depths(site)[deep] == 2
    assert click_graph(site).path(deep) == [HOME, page, deep]
    assert site.reads == 1


def test_a_link_to_an_address_that_redirects_counts_its_own_clicks() -> None:
    # /old redirects to /new; the home page links to /new's section, which links to /new,
    # and a deep page links to /old: /old is as deep as its link, /new as its shortest.
    hub, new, old, deep = u("/section/"), u("/new"), u("/old"), u("/deep/")
    site = MemorySite(
        pages=[
            info(HOME, click_depth=0),
            info(hub),
            info(new),
            info(old, final_url=new),
            info(deep),
        ],
        links=[link(HOME, hub), link(hub, new), link(hub, deep), link(deep, old, text="Old")],
    )
    depths = click_depths(site)
    assert (depths[new], depths[old], depths[deep]) == (2, 3, 2)
    graph = click_graph(site)
    assert graph.path(old) == [HOME, hub, new]
    assert graph.link_texts[old] == "Old"


class _CountingSite(MemorySite):
    """A MemorySite that counts how often the links are read."""

    reads = 0

    def links(self, **options: Any) -> Any:
        self.reads += 1
        return super().links(**options)


def test_form_too_deep_reads_the_links_once_besides_the_shared_click_graph() -> None:
    pages = [
        info(u("/a"), title="A"),
        info(u("/b"), title="B"),
        info(u("/c"), title="C"),
        info(u("/deep"), title="Apply for a permit"),
    ]
    chain = [
        link(HOME, u("/a")),
        link(u("/a"), u("/b")),
        link(u("/b"), u("/c")),
        link(u("/c"), u("/deep"), text="Apply for a permit"),
        link(u("/a"), "https://forms.office.com/r/xyz", text="Report it online"),
    ]
    facts = {u("/deep"): {"forms": 1, "title": "Apply for a permit", "selector": "form"}}
    site = _CountingSite(
        pages=[info(HOME, click_depth=0, title="Home"), *pages],
        links=chain,
        facts={"form-too-deep": facts},
    )
    findings = list(FormTooDeep(FormTooDeep.Options(max_clicks=2)).check_site(site))
    assert {f.evidence["reason"] for f in findings} == {"too-deep"}
    assert findings[0].evidence["service"]["pages"] == [u("/c")]
    # One read for the click graph (shared by every rule of the run, form platforms'
    # link texts included), one for the pages that name the forms with findings.
    assert site.reads == 2


def test_facts_along_reads_the_facts_beside_the_pages_and_again_when_asked_back() -> None:
    site = MemorySite(facts={"r": {u("/a"): 1, u("/c"): 3}})
    along = FactsAlong(site, "r")
    asked = (u("/a"), u("/b"), u("/c"), u("/d"), u("/a"), u("/c"))
    assert [along.get(url) for url in asked] == [1, None, 3, None, 1, 3]
    assert list(iter_facts(site, "r")) == [(u("/a"), 1), (u("/c"), 3)]
