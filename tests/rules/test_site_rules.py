"""Site rules (broken-link, crawl-trap, form-too-deep) against an in-memory Site.

`MemorySite` is a test double of the rules' *input*: a plain class satisfying the
`rules.site.Site` protocol from lists. The rules are what is under test.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import pytest

from rules.base import Severity
from rules.forms.form_too_deep import FormTooDeep, click_paths, shortest_click_path
from rules.links.broken_link import BrokenLink
from rules.links.crawl_trap import CrawlTrap
from rules.page import Page
from rules.site import ROBOTS_FORBIDDEN, LinkRow, PageInfo, Site, TargetStatus, TrapHit

HOME = "https://council.example/"


def u(path: str) -> str:
    """An absolute in-scope URL."""
    return "https://council.example" + path


def info(
    url: str,
    *,
    status: int | None = 200,
    final_url: str | None = None,
    title: str = "",
    click_depth: int | None = 1,
    in_sitemap: bool = False,
    error: str | None = None,
) -> PageInfo:
    """A page record with sensible defaults."""
    final = final_url or url
    return PageInfo(
        url=url,
        final_url=final,
        status=status,
        content_type="text/html",
        is_html=True,
        title=title,
        click_depth=click_depth,
        in_sitemap=in_sitemap,
        error=error,
        redirects=(final,) if final != url else (),
    )


def link(source: str, url: str, kind: str = "a", text: str = "") -> LinkRow:
    """A link row with a plausible region and selector."""
    return LinkRow(source, url, "", text, kind, "main", f"main > {kind}")


class MemorySite:
    """A `Site` from lists: pages, links, external statuses, facts, traps and sitemap."""

    def __init__(
        self,
        *,
        pages: Iterable[PageInfo] = (),
        links: Iterable[LinkRow] = (),
        external: Iterable[TargetStatus] = (),
        facts: Mapping[str, Mapping[str, Any]] | None = None,
        traps: Iterable[TrapHit] = (),
        start_url: str = HOME,
        history: Mapping[str, list[tuple[int, str, int | None, str | None]]] | None = None,
        stats: Mapping[str, Any] | None = None,
        sitemap: Mapping[str, str | None] | None = None,
    ) -> None:
        self.start_url = start_url
        self._sitemap = dict(sitemap or {})
        self.stats = dict(stats or {})
        self._history = dict(history or {})
        self._pages = {p.url: p for p in pages}
        self._links = list(links)
        self._external = {s.url: s for s in external}
        self._facts = dict(facts or {})
        self._traps = list(traps)

    def pages(self) -> Iterator[PageInfo]:
        yield from (self._pages[url] for url in sorted(self._pages))

    def page(self, url: str) -> PageInfo | None:
        return self._pages.get(url)

    def links(
        self, *, kinds: tuple[str, ...] = (), with_fragment: bool = False
    ) -> Iterator[LinkRow]:
        return (
            row
            for row in self._links
            if (not kinds or row.kind in kinds) and (row.fragment or not with_fragment)
        )

    def links_to(self, url: str) -> Iterator[LinkRow]:
        return (row for row in self._links if row.url == url)

    def status(self, url: str) -> TargetStatus | None:
        page = self._pages.get(url)
        if page is not None:
            return TargetStatus(url, page.status, page.error, page.final_url, internal=True)
        return self._external.get(url)

    def statuses(self) -> Iterator[TargetStatus]:
        for url in sorted(self._pages):
            status = self.status(url)
            assert status is not None
            yield status
        yield from self._external.values()

    def facts(self, rule_id: str) -> Mapping[str, Any]:
        return self._facts.get(rule_id, {})

    def traps(self) -> Iterator[TrapHit]:
        return iter(self._traps)

    def sitemap_lastmod(self) -> Mapping[str, str | None]:
        return self._sitemap

    def status_history(self, url: str) -> list[tuple[int, str, int | None, str | None]]:
        """Earlier runs from `history`, then this run's answer."""
        now = self.status(url)
        current = [(99, "2026-11-24T02:00:00+00:00", now.status, now.error)] if now else []
        return [*self._history.get(url, []), *current]


def test_memory_site_satisfies_the_protocol() -> None:
    site: Site = MemorySite()  # a type checker verifies the protocol here
    assert list(site.pages()) == []


# -- broken-link ---------------------------------------------------------------------------


def test_broken_internal_target_is_one_finding_listing_every_source() -> None:
    bands = u("/council-tax/bands")
    site = MemorySite(
        pages=[
            info(u("/council-tax")),
            info(u("/a-z")),
            info(u("/moving-home")),
            info(bands, status=404),
        ],
        links=[
            link(u("/moving-home"), bands, text="Council tax bands"),
            link(u("/council-tax"), bands, text="Council tax bands"),
            link(u("/council-tax"), bands, text="See the bands"),
            link(u("/a-z"), bands, text="Bands (council tax)"),
        ],
    )
    [finding] = BrokenLink().check_site(site)
    assert finding.rule == "broken-link"
    assert finding.url == u("/a-z")  # first source, sorted
    assert finding.pages == (u("/a-z"), u("/council-tax"), u("/moving-home"))
    assert finding.target == bands
    assert finding.severity is Severity.HIGH
    assert finding.evidence["status"] == 404
    assert finding.evidence["kind"] == "a"
    assert finding.evidence["link_text"] == "Bands (council tax)"
    assert finding.evidence["links"] == 4
    assert finding.message == 'Link to a missing page (404): "Bands (council tax)"'


def test_redirect_that_ends_in_an_error_is_broken() -> None:
    old = u("/old-bins-page")
    site = MemorySite(
        pages=[info(u("/bins")), info(old, status=404, final_url=u("/waste/bins-old"))],
        links=[link(u("/bins"), old, text="Bin collection days")],
    )
    [finding] = BrokenLink().check_site(site)
    assert finding.evidence["final_url"] == u("/waste/bins-old")
    assert "after a redirect" in finding.message


def test_working_and_redirected_links_are_not_reported() -> None:
    site = MemorySite(
        pages=[
            info(u("/bins")),
            info(u("/recycling")),
            info(u("/recycle"), final_url=u("/recycling")),
        ],
        links=[link(u("/bins"), u("/recycling")), link(u("/bins"), u("/recycle"))],
    )
    assert list(BrokenLink().check_site(site)) == []


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


# -- crawl-trap ----------------------------------------------------------------------------


def test_each_trap_is_one_finding() -> None:
    calendar = TrapHit(
        pattern="/events?month=*",
        reason="query value keeps changing",
        example=u("/events?month=2031-04"),
        source=u("/events?month=2031-03"),
        variants=50,
    )
    orphan = TrapHit("/search?page=*", "too many variants", u("/search?page=51"), "", 50)
    findings = list(CrawlTrap().check_site(MemorySite(traps=[calendar, orphan])))
    assert [f.url for f in findings] == [calendar.source, orphan.example]
    first = findings[0]
    assert first.target == calendar.example
    assert first.key == calendar.pattern
    assert first.severity is Severity.LOW
    assert first.evidence == {
        "pattern": "/events?month=*",
        "reason": "query value keeps changing",
        "example": calendar.example,
        "variants": 50,
    }
    assert "/events?month=*" in first.message
    assert "50" in first.message


def test_no_traps_no_findings() -> None:
    assert list(CrawlTrap().check_site(MemorySite())) == []


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


def test_shallow_form_is_fine() -> None:
    site = _form_site([info(u("/pay"), click_depth=3, title="Pay")])
    assert list(FormTooDeep().check_site(site)) == []


def test_deep_form_has_depth_and_click_path() -> None:
    form = u("/waste/bins/problems/missed/report")
    pages = [
        info(u("/waste"), final_url=u("/bins-and-recycling"), click_depth=1),
        info(u("/bins-and-recycling"), title="Bins and recycling", click_depth=1),
        info(u("/bins-and-recycling/problems"), title="Problems", click_depth=2),
        info(u("/bins-and-recycling/problems/missed"), title="Missed bins", click_depth=3),
        info(form, title="Report a missed bin", click_depth=4),
    ]
    links = [
        link(HOME, u("/waste")),  # redirects: the path goes through its final URL
        link(HOME, u("/contact")),
        link(u("/bins-and-recycling"), u("/bins-and-recycling/problems")),
        link(u("/bins-and-recycling/problems"), u("/bins-and-recycling/problems/missed")),
        link(u("/bins-and-recycling/problems/missed"), form),
        link(u("/bins-and-recycling/problems/missed"), form, kind="img"),
    ]
    site = _form_site(pages, links)
    site._facts["form-too-deep"] = {form: {"forms": 1, "title": "Report a missed bin"}}
    [finding] = FormTooDeep().check_site(site)
    assert finding.url == form
    assert finding.severity is Severity.MEDIUM
    assert finding.evidence["click_depth"] == 4
    assert finding.evidence["max_clicks"] == 3
    assert finding.evidence["path"] == [
        {"url": HOME, "title": "Home"},
        {"url": u("/bins-and-recycling"), "title": "Bins and recycling"},
        {"url": u("/bins-and-recycling/problems"), "title": "Problems"},
        {"url": u("/bins-and-recycling/problems/missed"), "title": "Missed bins"},
        {"url": form, "title": "Report a missed bin"},
    ]
    assert finding.message == (
        'The form page "Report a missed bin" is 4 clicks from the home page (aim for 3 or fewer)'
    )


def test_very_deep_form_is_high() -> None:
    site = _form_site([info(u("/deep"), click_depth=6, title="Apply")])
    [finding] = FormTooDeep().check_site(site)
    assert finding.severity is Severity.HIGH
    assert finding.evidence["path"] == []  # no recorded links lead there


def test_orphan_form_is_high_and_says_sitemap() -> None:
    site = _form_site([info(u("/old-form"), click_depth=None, in_sitemap=True, title="Old")])
    [finding] = FormTooDeep().check_site(site)
    assert finding.severity is Severity.HIGH
    assert finding.evidence["click_depth"] is None
    assert finding.evidence["in_sitemap"] is True
    assert "sitemap or search" in finding.message


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


def test_target_forbidden_by_robots_txt_is_not_broken() -> None:
    site = MemorySite(
        pages=[info(u("/contact")), info(u("/admin/"), status=None, error=ROBOTS_FORBIDDEN)],
        links=[link(u("/contact"), u("/admin/"), text="Staff login")],
    )
    assert list(BrokenLink().check_site(site)) == []
