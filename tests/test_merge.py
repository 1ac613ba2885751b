"""One barrier, one finding: a static check and axe-core reporting the same element of
the same page for the same WCAG criterion become one finding with both sources."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from audits.stages.merge import merge_agreeing_findings
from audits.store import Store
from rules.accessibility.image_missing_alt import ImageMissingAlt
from tests.kit.synthetic_runs import START, add_run, finding_row

PAGE = START + "libraries/"
IMG = '<img src="/images/library.png" width="80" height="60">'


def static(
    selector: str = "#main-content > img", snippet: str = IMG, url: str = PAGE, key: str = "1"
) -> dict[str, Any]:
    return finding_row(
        "image-missing-alt",
        url,
        category="accessibility",
        message="Image has no alt text: library.png",
        selector=selector,
        snippet=snippet,
        evidence={"src": "/images/library.png"},
        fingerprint=f"static-{key}",
    )


def axe(
    selector: str = 'img[src$="library.png"]',
    snippet: str = IMG,
    *,
    url: str = PAGE,
    wcag: Iterable[str] = ("1.1.1",),
    axe_rule: str = "image-alt",
    pages: Iterable[str] = (),
    key: str = "1",
) -> dict[str, Any]:
    return finding_row(
        "axe-violation",
        url,
        category="accessibility",
        severity="critical",
        message="Images must have alternative text (axe-core image-alt)",
        selector=selector,
        snippet=snippet,
        pages=pages,
        evidence={
            "axe_rule": axe_rule,
            "impact": "critical",
            "wcag": list(wcag),
            "help_url": "https://dequeuniversity.com/rules/axe/4.10/image-alt",
            "screenshot": "screenshots/image-alt-1.png",
        },
        fingerprint=f"axe-{key}",
    )


def merged_run(tmp_path: Path, findings: list[dict[str, Any]]) -> list[tuple[str, str]]:
    store = Store(str(tmp_path / "audit.db"))
    try:
        run_id = add_run(store, findings, pages=[START, PAGE])
        merge_agreeing_findings(store, run_id, [ImageMissingAlt()])
        merge_agreeing_findings(store, run_id, [ImageMissingAlt()])  # idempotent
        return [(f.finding.rule, f.finding.severity.value) for f in store.findings(run_id)]
    finally:
        store.close()


CASES = {
    "same markup, axe-core's own selector": ([static(), axe()], 1),
    "same selector": ([static(), axe(selector="#main-content > img", snippet="")], 1),
    "another WCAG criterion": ([static(), axe(wcag=("1.4.3",))], 2),
    "another axe-core rule": ([static(), axe(axe_rule="role-img-alt")], 2),
    "another page": ([static(), axe(url=START + "news/")], 2),
    "a template finding of many pages": ([static(), axe(pages=(PAGE, START))], 2),
    "two identical images: markup cannot tell them apart": (
        [static(), static("#main-content > p > img", key="2"), axe(), axe("p > img", key="2")],
        4,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_findings_merge_only_when_page_element_and_criterion_agree(
    case: str, tmp_path: Path
) -> None:
    findings, left = CASES[case]
    assert len(merged_run(tmp_path, findings)) == left


def test_the_merged_finding_is_the_rules_at_the_worse_severity_with_both_sources(
    tmp_path: Path,
) -> None:
    store = Store(str(tmp_path / "audit.db"))
    run_id = add_run(store, [static(), axe()], pages=[START, PAGE])
    assert merge_agreeing_findings(store, run_id, [ImageMissingAlt()]) == 1
    [kept] = store.findings(run_id)
    store.close()
    finding = kept.finding
    assert finding.rule == "image-missing-alt"
    assert finding.fingerprint == "static-1"
    assert finding.severity.value == "critical"
    sources = finding.evidence["sources"]
    assert [s["rule"] for s in sources] == ["image-missing-alt", "axe-violation"]
    assert [s["severity"] for s in sources] == ["high", "critical"]
    assert sources[1]["axe_rule"] == "image-alt"
    assert sources[1]["selector"] == 'img[src$="library.png"]'
    assert finding.evidence["screenshot"] == "screenshots/image-alt-1.png"


def test_findings_of_other_rules_and_runs_without_axe_core_are_left_alone(
    tmp_path: Path,
) -> None:
    other = finding_row("page-title-missing", PAGE, message="No title", fingerprint="other-1")
    store = Store(str(tmp_path / "audit.db"))
    try:
        static_only = add_run(store, [static(), other], pages=[START, PAGE])
        assert not store.has_findings(static_only, "axe-violation")
        assert merge_agreeing_findings(store, static_only, [ImageMissingAlt()]) == 0
        both = add_run(store, [other, static(), axe()], pages=[START, PAGE])
        assert [f.finding.rule for f in store.each_finding(both, rules=["axe-violation"])] == [
            "axe-violation"
        ]
        assert merge_agreeing_findings(store, both, [ImageMissingAlt()]) == 1
        left = sorted(f.finding.rule for f in store.findings(both))
        assert left == ["image-missing-alt", "page-title-missing"]
    finally:
        store.close()
