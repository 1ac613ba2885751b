"""A form nobody can find is the worst case for channel shift: a hard-to-find form's
priority comes from its service's importance (top task, page views, pages naming it),
never from the links it lacks."""

from __future__ import annotations

from pathlib import Path

import pytest

from audits.rule_engine import finding_row
from audits.stages.prioritise import prioritise
from audits.store import Store
from rules.forms.form_too_deep import FormTooDeep
from rules.forms.top_task_too_deep import TopTaskTooDeep
from rules.site import LinkRow
from tests.kit.memory_site import HOME, MemorySite, info, link, u
from tests.kit.synthetic_runs import add_run

FORM = u("/forms/report-fly-tipping/")
TITLE = "Report fly-tipping"


def site(naming_pages: int) -> MemorySite:
    """Home and its pages; a form page no link leads to (only the sitemap lists it); some
    pages whose (old, broken) links name the service."""
    pages = [info(HOME, click_depth=0), info(FORM, click_depth=None, in_sitemap=True)]
    links = []
    for n in range(naming_pages):
        page = u(f"/streets/{n}/")
        pages.append(info(page, click_depth=1))
        links.append(link(HOME, page))
        links.append(LinkRow(page, u("/report-fly-tipping-old/"), "", TITLE, "a", "main", "a"))
    facts = {FORM: {"forms": 1, "title": TITLE, "selector": "main > form"}}
    return MemorySite(pages=pages, links=links, facts={"form-too-deep": facts})


def priority_of_orphan(tmp_path: Path, naming_pages: int, top_task: bool) -> tuple[int, dict]:
    the_site = site(naming_pages)
    findings = [f for f in FormTooDeep().check_site(the_site) if f.url == FORM]
    if top_task:
        task = TopTaskTooDeep(TopTaskTooDeep.Options(tasks=((TITLE, FORM),)))
        findings += task.check_site(the_site)
    store = Store(str(tmp_path / "audit.db"))
    try:
        run_id = add_run(store, [finding_row(f) for f in findings], pages=[HOME, FORM])
        prioritise(store, run_id)
        [orphan] = [s for s in store.findings(run_id) if s.finding.rule == "form-too-deep"]
        assert orphan.priority is not None
        return orphan.priority, dict(orphan.finding.evidence)
    finally:
        store.close()


@pytest.mark.parametrize(
    ("naming_pages", "top_task", "priority"),
    [(0, False, 2), (9, False, 2), (0, True, 2), (9, True, 1)],
)
def test_an_orphaned_form_ranks_by_its_service_not_by_the_links_it_lacks(
    tmp_path: Path, naming_pages: int, top_task: bool, priority: int
) -> None:
    found, evidence = priority_of_orphan(tmp_path, naming_pages, top_task)
    assert found == priority
    assert evidence["service"]["mentions"] == naming_pages
    assert evidence["service"]["form"] == FORM
