"""Online forms: which forms count, the click graph, and the forms rules (form-too-deep,
form-inventory, form-page-broken, top-task-too-deep) over an in-memory site."""

from __future__ import annotations

from typing import Any

import pytest

from audits.core.config import ConfigError, parse_config
from audits.rule_engine import configure, load_rules
from rules.analyses.click_graph import click_graph
from rules.analyses.forms import service_forms
from rules.base import Severity
from rules.forms.form_inventory import FormInventory
from rules.forms.form_page_broken import FormPageBroken
from rules.forms.form_too_deep import FormTooDeep
from rules.forms.top_task_too_deep import TopTaskTooDeep
from rules.page import Page
from rules.site import LinkRow, TargetStatus
from tests.kit.memory_site import HOME, MemorySite, info, link, u

# -- which forms count -----------------------------------------------------------------------

SERVICE_FORM = (
    "<form action='/apply' method='post'><input name='name'><input name='address'></form>"
)


def _forms(body: str, **selectors: tuple[str, ...]) -> list[str]:
    page = Page(url=u("/x"), html=f"<html><body>{body}</body></html>")
    found = service_forms(page, selectors.get("include", ()), selectors.get("exclude", ()))
    return [el.get("id") or el.tag for el in found]


@pytest.mark.parametrize(
    ("body", "include", "exclude", "expected"),
    [
        (f"<main>{SERVICE_FORM}</main>", (), (), ["form"]),
        # a widget the heuristics take for a service form, excluded by config
        (f"<main><div class='chat'>{SERVICE_FORM}</div></main>", (), (".chat",), []),
        # a search box the heuristics leave out, included by config
        (
            "<main><form id='finder' action='/search'><input name='q'></form></main>",
            ("#finder",),
            (),
            ["finder"],
        ),
        # a JavaScript form: a container without <form>
        (
            "<main><div id='app-form'><input name='a'></div></main>",
            ("#app-form",),
            (),
            ["app-form"],
        ),
        # exclusion wins
        (f"<main><div id='w'>{SERVICE_FORM}</div></main>", ("#w form",), ("#w",), []),
    ],
)
def test_form_selectors_override_the_heuristics(
    body: str, include: tuple[str, ...], exclude: tuple[str, ...], expected: list[str]
) -> None:
    assert _forms(body, include=include, exclude=exclude) == expected


def test_invalid_form_selector_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="form_selectors"):
        configure(FormTooDeep, {"form_selectors": ["div[["]})


# -- the forms on a small site ----------------------------------------------------------------

PLATFORM = "https://northbrook.achieveservice.com/service/report_a_pothole"
PDF = u("/documents/guide.pdf")


def _site(**overrides: Any) -> MemorySite:
    """Home > Bins (hub) > Missed bins > Report (form); a deep form four clicks away; a form
    only a PDF links to; an orphan; and a link to a form platform three clicks deep."""
    pages = [
        info(HOME, click_depth=0, title="Home - Northbrook Council"),
        info(u("/bins"), title="Bins - Northbrook Council"),
        info(u("/bins/missed"), click_depth=2, title="Missed bins - Northbrook Council"),
        info(
            u("/bins/missed/report"),
            click_depth=3,
            title="Report a missed bin - Northbrook Council",
        ),
        info(u("/roads"), title="Roads - Northbrook Council"),
        info(u("/roads/potholes"), click_depth=2, title="Potholes - Northbrook Council"),
        info(u("/roads/potholes/more"), click_depth=3, title="More"),
        info(u("/roads/potholes/more/deep-form"), click_depth=4, title="Deep form"),
        info(PDF, click_depth=1, title=""),
        info(u("/pdf-only-form"), click_depth=2, title="PDF-only form"),
        info(u("/orphan-form"), click_depth=None, in_sitemap=True, title="Orphan form"),
    ]
    links = [
        link(HOME, u("/bins")),
        link(HOME, u("/roads")),
        link(HOME, PDF),
        link(u("/bins"), u("/bins/missed")),
        link(u("/bins/missed"), u("/bins/missed/report")),
        link(u("/roads"), u("/roads/potholes")),
        link(u("/roads/potholes"), u("/roads/potholes/more")),
        link(u("/roads/potholes/more"), u("/roads/potholes/more/deep-form")),
        link(u("/roads/potholes/more"), PLATFORM, text="Report a pothole"),
        LinkRow(PDF, u("/pdf-only-form"), "", "", "a", "document", "page 1"),
    ]
    forms = [
        "/bins/missed/report",
        "/roads/potholes/more/deep-form",
        "/pdf-only-form",
        "/orphan-form",
    ]
    facts = {u(p): {"forms": 1, "title": "", "selector": "main > form"} for p in forms}
    return MemorySite(
        pages=overrides.get("pages", pages),
        links=overrides.get("links", links),
        external=overrides.get("external", ()),
        facts=dict.fromkeys(("form-too-deep", "form-inventory"), facts),
    )


def test_deep_orphaned_and_document_only_forms_are_found() -> None:
    all_findings = list(FormTooDeep().check_site(_site()))
    assert len(all_findings) == 4  # and the form platform link: see below
    findings = {f.evidence["reason"]: f for f in all_findings if f.target is None}
    assert set(findings) == {"too-deep", "orphaned", "only-in-document"}
    deep = findings["too-deep"]
    assert deep.url == u("/roads/potholes/more/deep-form")
    assert deep.evidence["click_depth"] == 4
    assert [step["title"] for step in deep.evidence["path"]] == [
        "Home", "Roads", "Potholes", "More", "Deep form"
    ]  # fmt: skip
    orphan = findings["orphaned"]
    assert orphan.url == u("/orphan-form")
    assert orphan.severity is Severity.HIGH
    assert orphan.evidence["in_sitemap"] is True
    document = findings["only-in-document"]
    assert document.url == u("/pdf-only-form")
    assert document.severity is Severity.HIGH
    assert document.evidence["documents"] == [PDF]
    assert [s["url"] for s in document.evidence["document_path"]] == [
        HOME,
        PDF,
        u("/pdf-only-form"),
    ]
    assert "inside a document" in document.message


def test_a_form_platform_link_counts_its_own_click() -> None:
    rule = FormTooDeep(FormTooDeep.Options(max_clicks=3))
    site = _site()
    [platform] = [f for f in rule.check_site(site) if f.target == PLATFORM]
    assert platform.url == u("/roads/potholes/more")  # where the link is
    assert platform.evidence["click_depth"] == 4
    assert platform.evidence["form_kind"] == "platform"
    assert platform.message.startswith('The online form "Report a pothole" is 4 clicks')


def test_a_form_a_page_links_to_as_well_as_a_pdf_is_not_document_only() -> None:
    site = _site()
    site._links.append(link(u("/bins"), u("/pdf-only-form")))
    reasons = {f.url: f.evidence["reason"] for f in FormTooDeep().check_site(site)}
    assert u("/pdf-only-form") not in reasons


def test_inventory_records_depth_path_links_home_and_hub() -> None:
    site = _site()
    site._links.append(link(HOME, u("/bins/missed/report"), text="Report a missed bin"))
    entries = {f.url: f for f in FormInventory().check_site(site)}
    report = entries[u("/bins/missed/report")]
    assert report.severity is Severity.INFO
    assert report.evidence["click_depth"] == 1
    assert report.evidence["linked_from_pages"] == 2
    assert report.evidence["linked_from_home"] is True
    assert report.evidence["linked_from_hub"] is False  # /bins links to /bins/missed only
    assert report.evidence["path"] == [
        {"url": HOME, "title": "Home"},
        {"url": u("/bins/missed/report"), "title": "Report a missed bin"},
    ]
    assert entries[u("/orphan-form")].evidence["orphaned"] is True
    assert entries[u("/pdf-only-form")].evidence["only_in_document"] is True
    [platform] = [f for f in entries.values() if f.target == PLATFORM]
    assert platform.evidence["form_kind"] == "platform"
    # shallowest first, unreachable last
    assert next(iter(entries)) == u("/bins/missed/report")


def test_inventory_knows_a_form_linked_from_its_section_page() -> None:
    site = _site()
    site._links.append(link(u("/bins"), u("/bins/missed/report")))
    [report] = [f for f in FormInventory().check_site(site) if f.url == u("/bins/missed/report")]
    assert report.evidence["linked_from_hub"] is True
    assert report.evidence["hub"] == u("/bins")


def test_breadcrumb_titles_lose_the_site_name() -> None:
    graph = click_graph(_site())
    assert graph.site_suffix == "Northbrook Council"
    assert graph.title(u("/bins")) == "Bins"


# -- form-page-broken -----------------------------------------------------------------------


def test_broken_links_to_forms_are_reported_with_every_page() -> None:
    apply = u("/housing/apply-for-a-home")
    site = MemorySite(
        pages=[
            info(u("/housing")),
            info(u("/a-z")),
            info(apply, status=404),
            info(u("/gone"), status=404),
            info(u("/pay"), status=500),
        ],
        links=[
            link(u("/housing"), apply, text="Apply for a council home"),
            link(u("/a-z"), apply, text="Housing applications"),
            link(u("/housing"), u("/gone"), text="Old news"),
            link(u("/housing"), u("/pay"), text="Pay your rent online"),
            link(u("/housing"), PLATFORM, text="Report a pothole"),
        ],
        external=[TargetStatus(PLATFORM, None, "DNS lookup failed", PLATFORM, internal=False)],
    )
    findings = {f.target: f for f in FormPageBroken().check_site(site)}
    assert set(findings) == {apply, u("/pay"), PLATFORM}
    assert findings[apply].pages == (u("/a-z"), u("/housing"))
    assert findings[apply].severity is Severity.HIGH
    assert findings[apply].message == (
        'The link to the online form "Housing applications" is broken: the server answered 404'
    )
    assert findings[u("/pay")].evidence["verdict"] == "server error"
    assert "DNS lookup failed" in findings[PLATFORM].message


def test_working_forms_are_not_broken() -> None:
    site = MemorySite(
        pages=[info(u("/a")), info(u("/forms/ok"))],
        links=[link(u("/a"), u("/forms/ok"), text="Apply online")],
    )
    assert list(FormPageBroken().check_site(site)) == []


# -- top-task-too-deep ----------------------------------------------------------------------


def _tasks(**options: Any) -> dict[str, Any]:
    rule = configure(TopTaskTooDeep, options)
    assert isinstance(rule, TopTaskTooDeep)
    return {f.evidence["task"]: f for f in rule.check_site(_site())}


def test_top_tasks_pass_or_fail_with_their_paths() -> None:
    findings = _tasks(
        tasks={
            "Report a missed bin": "/bins/missed/report",
            "Deep thing": u("/roads/potholes/more/deep-form"),
            "Gone": "/no-such-page",
            "Orphan": "/orphan-form",
            "Via PDF": "/pdf-only-form",
        },
        task_patterns={"Pothole": r"achieveservice\.com/.*pothole"},
        task_max_clicks={"Report a missed bin": 3, "Pothole": 4},
        max_clicks=2,
    )
    missed = findings["Report a missed bin"]
    assert missed.severity is Severity.INFO
    assert missed.evidence["passed"] is True
    assert missed.evidence["clicks"] == 3
    assert missed.evidence["max_clicks"] == 3
    assert [s["title"] for s in missed.evidence["path"]] == [
        "Home", "Bins", "Missed bins", "Report a missed bin"
    ]  # fmt: skip
    deep = findings["Deep thing"]
    assert deep.severity is Severity.HIGH
    assert (deep.evidence["passed"], deep.evidence["clicks"]) == (False, 4)
    assert (
        deep.message == 'Top task "Deep thing" takes 4 clicks from the home page (aim: 2 or fewer)'
    )
    assert findings["Gone"].evidence["target"] is None
    assert "nothing on the site matches" in findings["Gone"].message
    assert findings["Orphan"].evidence["clicks"] is None
    assert findings["Via PDF"].evidence["only_in_document"] is True
    pothole = findings["Pothole"]
    assert pothole.evidence["passed"] is True
    assert pothole.evidence["target"] == PLATFORM
    assert pothole.target == PLATFORM
    assert pothole.url == u("/roads/potholes/more")
    assert list(findings) == [
        "Report a missed bin", "Deep thing", "Gone", "Orphan", "Via PDF", "Pothole"
    ]  # fmt: skip
    assert all(f.key == name for name, f in findings.items())


def test_no_tasks_no_findings() -> None:
    assert _tasks() == {}


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"task_patterns": {"Bad": "("}}, "not a valid regular expression"),
        ({"tasks": {"A": "/a"}, "task_patterns": {"A": "a"}}, "more than once"),
        ({"tasks": {"A": "/a"}, "task_max_clicks": {"B": 2}}, "not a task"),
    ],
)
def test_bad_task_options_are_config_errors(section: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        configure(TopTaskTooDeep, section)


# -- [[top_tasks]] in siteaudit.toml --------------------------------------------------------


def test_top_tasks_tables_become_the_rule_options() -> None:
    config = parse_config(
        {
            "top_tasks": [
                {"name": "Report a missed bin", "url": "/forms/missed-bin/", "max_clicks": 2},
                {"name": "Pay council tax", "pattern": "pay.*council-tax"},
            ]
        }
    )
    [task, pattern] = config.top_tasks
    assert (task.name, task.url, task.max_clicks) == (
        "Report a missed bin",
        "/forms/missed-bin/",
        2,
    )
    assert pattern.pattern == "pay.*council-tax"
    [rule] = [r for r in load_rules(config).site_rules if isinstance(r, TopTaskTooDeep)]
    assert rule.options.tasks == (("Report a missed bin", "/forms/missed-bin/"),)
    assert rule.options.task_patterns == (("Pay council tax", "pay.*council-tax"),)
    assert rule.options.task_max_clicks == (("Report a missed bin", 2),)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"top_tasks": [{"name": "A"}]}, "url or a pattern"),
        ({"top_tasks": [{"name": "A", "url": "/a", "pattern": "a"}]}, "url or a pattern"),
        ({"top_tasks": [{"url": "/a"}]}, "name"),
        ({"top_tasks": [{"name": "A", "url": "/a", "clicks": 2}]}, "unknown key clicks"),
        ({"top_tasks": [{"name": "A", "url": "/a", "max_clicks": "2"}]}, "max_clicks"),
        ({"top_tasks": {"name": "A"}}, r"\[\[top_tasks\]\]"),
        (
            {
                "top_tasks": [{"name": "A", "url": "/a"}],
                "rules": {"top-task-too-deep": {"tasks": {"B": "/b"}}},
            },
            "not both",
        ),
    ],
)
def test_bad_top_tasks_are_config_errors(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(raw)


def test_a_top_level_page_of_another_section_is_not_the_forms_hub() -> None:
    site = _site()
    site._pages[u("/contact")] = info(u("/contact"), title="Contact us")
    site._links.append(link(u("/contact"), u("/bins/missed/report")))
    [report] = [f for f in FormInventory().check_site(site) if f.url == u("/bins/missed/report")]
    assert report.evidence["linked_from_hub"] is False
    assert report.evidence["linked_from_pages"] == 2
