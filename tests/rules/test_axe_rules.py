"""The browser rules (axe-violation, axe-needs-review, browser-audit-error) on stored results.

No browser here: a fake site hands the rules axe-core nodes as the store would.
tests/test_browser.py runs the real thing in headless Chromium.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from audits.rule_engine import configure
from audits.store import Store
from rules.accessibility.axe_needs_review import AxeNeedsReview
from rules.accessibility.axe_violation import AxeViolation
from rules.accessibility.browser_audit_error import BrowserAuditError
from rules.analyses.axe_results import (
    INCOMPLETE,
    VIOLATION,
    AxeNode,
    BrowserError,
    group_by_template,
    normalise_markup,
    screenshot_name,
    template_key,
    wcag_criteria,
)
from rules.base import fingerprint
from rules.site import PageInfo

SITE = "https://www.council.example"


def node(page: str, rule: str = "image-alt", **changes: object) -> AxeNode:
    """An axe-core node on SITE + page; fields not given are a plain image-alt failure."""
    base = AxeNode(
        url=SITE + page,
        outcome=VIOLATION,
        rule=rule,
        impact="critical",
        wcag=("1.1.1",),
        help="Images must have alternative text",
        help_url="https://dequeuniversity.com/rules/axe/4.14/image-alt",
        target="main > img",
        html='<img src="/img/bins.png">',
        failure_summary="Fix any of the following:\n  Element does not have an alt attribute",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


class FakeBrowserSite:
    """Just enough of a stored site for the browser rules."""

    def __init__(
        self, nodes: list[AxeNode], errors: list[BrowserError] = (), depths: dict | None = None
    ) -> None:
        self.start_url = SITE + "/"
        self.nodes = nodes
        self.errors = list(errors)
        self.depths = depths or {}

    def pages(self) -> Iterator[PageInfo]:
        urls = {n.url for n in self.nodes} | {e.url for e in self.errors}
        for url in sorted(urls):
            depth = self.depths.get(url.removeprefix(SITE), 1)
            yield PageInfo(url, url, 200, "text/html", True, "", depth, False, None, ())

    def page(self, url: str) -> PageInfo | None:
        return next((p for p in self.pages() if p.url == url), None)

    def links(self, *, kinds: tuple[str, ...] = ()) -> Iterator:
        return iter(())

    def links_to(self, url: str) -> Iterator:
        return iter(())

    def status(self, url: str) -> None:
        return None

    def facts(self, rule_id: str) -> dict:
        return {}

    def traps(self) -> Iterator:
        return iter(())

    def axe_nodes(self, outcome: str) -> Iterator[AxeNode]:
        return (n for n in self.nodes if n.outcome == outcome)

    def browser_errors(self) -> Iterator[BrowserError]:
        return iter(self.errors)


@pytest.mark.parametrize(
    ("tags", "criteria"),
    [
        (["cat.text-alternatives", "wcag2a", "wcag111", "section508"], ("1.1.1",)),
        (["wcag2aa", "wcag143", "EN-9.1.4.3"], ("1.4.3",)),
        (["wcag22aa", "wcag258"], ("2.5.8",)),
        (["wcag2a", "wcag412", "wcag244"], ("2.4.4", "4.1.2")),
        (["wcag21aa", "wcag1412"], ("1.4.12",)),
        (["best-practice"], ()),
    ],
)
def test_wcag_criteria_come_from_axe_tags(tags: list[str], criteria: tuple[str, ...]) -> None:
    assert wcag_criteria(tags) == criteria


def test_template_markup_compares_equal_across_numbered_pages() -> None:
    a = template_key("link-name", "#post-4711 > a:nth-child(3)", '<a href="/news/12">')
    b = template_key("link-name", "#post-98 > a:nth-child(4)", '<a  href="/news/3">')
    assert a == b
    assert normalise_markup("li:nth-child(12)  >  a") == "li:nth-child(0) > a"


def test_screenshot_names_are_stable_and_under_the_screenshot_folder() -> None:
    name = screenshot_name(SITE + "/", "image-alt", "main > img")
    assert name == screenshot_name(SITE + "/", "image-alt", "main > img")
    assert name.startswith("screenshots/image-alt-") and name.endswith(".png")
    assert name != screenshot_name(SITE + "/bins/", "image-alt", "main > img")


def test_an_issue_on_enough_pages_is_grouped_and_the_rest_stays_per_page() -> None:
    shared = [node(f"/p{i}/", target=".share > a", rule="link-name") for i in range(3)]
    single = [node("/p0/"), node("/p1/", target="main > p > img")]
    templates, rest = group_by_template([*shared, *single], min_pages=3)
    assert [t.pages for t in templates] == [tuple(SITE + f"/p{i}/" for i in range(3))]
    assert rest == single


def test_a_template_issue_becomes_one_finding_listing_every_page() -> None:
    nodes = [
        node(f"/news/{i}/", rule="link-name", impact="serious", target=f"#story-{i} > .share")
        for i in range(5)
    ]
    site = FakeBrowserSite(nodes, depths={"/news/3/": 0})
    [finding] = AxeViolation().check_site(site)
    assert finding.url == SITE + "/news/3/"  # the shallowest page represents the issue
    assert len(finding.pages) == 5 and finding.pages[0] == finding.url
    assert "on 5 pages: the same element on each, so fix it once" in finding.message
    assert finding.severity == "high"
    assert finding.evidence["template"] is True and finding.evidence["page_count"] == 5
    assert finding.evidence["axe_rule"] == "link-name"


def region_nodes(page: str, blocks: int) -> list[AxeNode]:
    """axe-core's `region` on a page with `blocks` pieces of content outside the landmarks."""
    return [
        node(
            page,
            rule="region",
            impact="moderate",
            wcag=(),
            help="All page content should be contained by landmarks",
            target=f"body > div:nth-child({i}) > p.intro-{page.strip('/')}",
            html=f"<p class='intro-{page.strip('/')}'>Block {i} of {page}</p>",
        )
        for i in range(blocks)
    ]


def test_a_template_wide_region_issue_is_one_finding_listing_its_pages() -> None:
    # Each page names different elements (its own content), yet the cause is one template.
    nodes = [n for i in range(4) for n in region_nodes(f"/service-{i}/", blocks=i + 2)]
    [finding] = AxeViolation().check_site(FakeBrowserSite(nodes))
    assert finding.evidence["template"] is True and finding.evidence["page_count"] == 4
    assert sorted(finding.pages) == [SITE + f"/service-{i}/" for i in range(4)]
    assert "on 4 pages: the same structure on each" in finding.message
    assert finding.key == "template|region|"


def test_a_page_structure_issue_on_a_few_pages_is_one_finding_per_page() -> None:
    nodes = region_nodes("/a/", blocks=5) + region_nodes("/b/", blocks=1)
    findings = list(AxeViolation().check_site(FakeBrowserSite(nodes)))
    assert [(f.url, f.key) for f in findings] == [
        (SITE + "/a/", "region|"),
        (SITE + "/b/", "region|"),
    ]
    assert findings[0].message.endswith("5 elements on this page (the first is shown)")
    assert "elements on this page" not in findings[1].message
    again = list(AxeViolation().check_site(FakeBrowserSite(region_nodes("/a/", blocks=2))))
    assert fingerprint(again[0]) == fingerprint(findings[0])  # new content: the same issue


def test_impact_sets_the_severity_and_evidence_carries_the_guidance() -> None:
    impacts = {"critical": "critical", "serious": "high", "moderate": "medium", "minor": "low"}
    nodes = [node(f"/{impact}/", impact=impact, target=f"#{impact}") for impact in impacts]
    findings = list(AxeViolation().check_site(FakeBrowserSite(nodes)))
    assert [f.severity.value for f in findings] == list(impacts.values())
    evidence = findings[0].evidence
    assert evidence["wcag"] == ["1.1.1"]
    assert evidence["help_url"].startswith("https://dequeuniversity.com/rules/axe/")
    assert "alt attribute" in evidence["failure_summary"]
    assert findings[0].selector == "#critical"
    assert findings[0].snippet == '<img src="/img/bins.png">'
    assert findings[0].message == "Images must have alternative text (axe-core image-alt)"


def test_a_configured_severity_overrides_the_impact() -> None:
    rule = configure(AxeViolation, {"severity": "low"})
    assert rule is not None
    [finding] = rule.check_site(FakeBrowserSite([node("/")]))
    assert finding.severity == "low"


def test_fingerprints_are_stable_across_runs_and_tell_same_place_nodes_apart() -> None:
    first = list(AxeViolation().check_site(FakeBrowserSite([node("/"), node("/news/")])))
    again = list(AxeViolation().check_site(FakeBrowserSite([node("/news/"), node("/")])))
    assert {fingerprint(f) for f in first} == {fingerprint(f) for f in again}
    twice = [node("/", target="li:nth-child(1) > img"), node("/", target="li:nth-child(2) > img")]
    findings = list(AxeViolation().check_site(FakeBrowserSite(twice)))
    assert len({fingerprint(f) for f in findings}) == 2
    assert findings[0].key == "image-alt|li:nth-child(0) > img"


def test_needs_review_results_are_information_only() -> None:
    nodes = [node("/", outcome=INCOMPLETE, rule="color-contrast", impact="serious"), node("/")]
    [review] = AxeNeedsReview().check_site(FakeBrowserSite(nodes))
    assert review.severity == "info"
    assert review.message.startswith("Check by hand: ")
    assert review.evidence["axe_rule"] == "color-contrast"
    [violation] = AxeViolation().check_site(FakeBrowserSite(nodes))
    assert violation.evidence["axe_rule"] == "image-alt"


def test_a_screenshot_is_referenced_from_the_finding() -> None:
    shot = screenshot_name(SITE + "/", "image-alt", "main > img")
    [finding] = AxeViolation().check_site(FakeBrowserSite([node("/", screenshot=shot)]))
    assert finding.evidence["screenshot"] == shot


def test_pages_the_browser_could_not_check_are_reported() -> None:
    errors = [BrowserError(SITE + "/slow/", "the page did not finish loading within 30 s")]
    [finding] = BrowserAuditError().check_site(FakeBrowserSite([], errors))
    assert finding.url == SITE + "/slow/"
    assert finding.severity == "low"
    assert "did not finish loading" in finding.message


def test_rules_say_nothing_about_a_site_without_browser_results() -> None:
    class PlainSite:
        start_url = SITE + "/"

    for cls in (AxeViolation, AxeNeedsReview, BrowserAuditError):
        assert list(cls().check_site(PlainSite())) == []  # type: ignore[arg-type]


def test_template_pages_must_be_at_least_two() -> None:
    from audits.core.config import ConfigError

    with pytest.raises(ConfigError, match="template_pages"):
        configure(AxeViolation, {"template_pages": 1})


def test_stored_results_round_trip_and_are_reused_for_unchanged_pages(tmp_path) -> None:
    store = Store(str(tmp_path / "audit.db"))
    page = {
        "final_url": SITE + "/",
        "status": 200,
        "content_type": "text/html; charset=utf-8",
        "is_html": True,
        "size": 10,
        "depth": 0,
        "title": "Home",
        "lang": "en",
        "fetched_at": None,
        "elapsed_ms": 1,
        "error": None,
        "redirects": [],
        "facts": {},
    }
    runs = []
    for content_hash in ("aaa", "aaa", "bbb"):
        run = store.begin_run(SITE + "/", "test", {})
        store.add_page(run, {**page, "url": SITE + "/", "content_hash": content_hash})
        runs.append(run)
    assert store.browser_pages_to_check(runs[0]) == [(SITE + "/", "aaa")]
    store.add_browser_result(
        runs[0],
        SITE + "/",
        content_hash="aaa",
        axe_version="4.14.1",
        axe_options="{}",
        error=None,
        elapsed_ms=120,
        nodes=[(node("/"), b"\x89PNG")],
    )
    [stored] = store.site(runs[0]).axe_nodes(VIOLATION)
    assert stored == node("/", screenshot=screenshot_name(SITE + "/", "image-alt", "main > img"))
    assert store.reusable_browser_results(runs[1], "4.14.1", "{}") == {SITE + "/": runs[0]}
    assert store.reusable_browser_results(runs[1], "4.15.0", "{}") == {}
    assert store.reusable_browser_results(runs[2], "4.14.1", "{}") == {}  # content changed
    store.reuse_browser_result(runs[1], SITE + "/", runs[0])
    assert list(store.site(runs[1]).axe_nodes(VIOLATION)) == [stored]
    assert store.browser_summary(runs[1]) == (1, 1, 0)
    assert [name for name, _ in store.screenshots(runs[1])] == [stored.screenshot]
