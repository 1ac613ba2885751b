"""The WCAG 2.2 AA view (views/wcag.html): the criteria list, its coverage by siteaudit's
rules and axe-core's, what a real audit shows in it, and escaping."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from audits.core.config import DEFAULT_AXE_TAGS, DEFAULT_EXTRA_RULES
from audits.stages.browser import VENDOR_AXE
from audits.store import Store
from reports.model import page_file, rule_file_names
from reports.rule_docs import rule_docs
from reports.wcag import (
    FAILS,
    NEEDS_PERSON,
    NONE_FOUND,
    TO_REVIEW,
    Check,
    CriterionResult,
    criterion_checks,
    criterion_tag,
)
from reports.wcag_criteria import AXE_CRITERIA, AXE_EXPERIMENTAL, CRITERIA
from rules import BUILTIN_RULES
from rules.accessibility.axe_needs_review import AxeNeedsReview
from rules.accessibility.axe_violation import AxeViolation
from rules.base import Category, Severity, SiteRule, SuccessCriterion
from tests.kit.cli import run_cli
from tests.kit.siteserver import SiteServer
from tests.kit.synthetic_runs import START, add_run, finding_row, write_reports

# One rule object in axe.min.js: {id:"image-alt",impact:...,tags:["wcag2a","wcag111",...]
_AXE_RULE = re.compile(r'\{id:"([a-z0-9-]+)",[^{}]*?tags:\[([^\]]*)\]')
_SC_TAG = re.compile(r"wcag(\d)(\d)(\d+)")
HOSTILE = "<script>alert(1)</script>"


def _row(html: str, number: str) -> str:
    """The table row of one criterion."""
    m = re.search(rf'<tr id="sc-{re.escape(number)}">(.*?)</tr>', html, re.S)
    assert m, number
    return m.group(1)


def test_the_criteria_are_the_55_of_wcag_22_a_and_aa() -> None:
    numbers = [c.number for c in CRITERIA]
    assert len(numbers) == len(set(numbers)) == 55
    assert Counter(c.level for c in CRITERIA) == {"A": 31, "AA": 24}
    assert "4.1.1" not in numbers  # obsolete in WCAG 2.2
    keyed = [tuple(int(p) for p in n.split(".")) for n in numbers]
    assert keyed == sorted(keyed)
    by_number = {c.number: c for c in CRITERIA}
    assert by_number["1.4.3"].url.endswith("/Understanding/contrast-minimum.html")
    assert by_number["3.3.4"].url.endswith("/error-prevention-legal-financial-data.html")


def test_every_rule_criterion_at_a_or_aa_is_listed_with_its_level_and_the_rule_as_a_check() -> None:
    docs = rule_docs(BUILTIN_RULES)
    checks = criterion_checks(docs, rule_file_names([d["id"] for d in docs]), axe_ran=True)
    levels = {c.number: c.level for c in CRITERIA}
    for cls in BUILTIN_RULES:
        for sc in cls.wcag:
            if sc.level == "AAA":
                continue
            assert levels.get(sc.number) == sc.level, f"{cls.id}: {sc}"
            assert cls.id in [check.id for check in checks[sc.number]], f"{cls.id}: {sc}"
    assert "navigation-order-inconsistent" in [check.id for check in checks["3.2.3"]]
    assert [check.id for check in checks["3.2.6"]] == []  # consistent help: a person's


def test_axe_criteria_are_the_bundled_axe_cores_tags_of_the_rules_run_by_default() -> None:
    assert VENDOR_AXE.is_file(), f"{VENDOR_AXE} is missing: run `make setup`"
    bundled = {
        rule: [tag.strip('"') for tag in tags.split(",")]
        for rule, tags in _AXE_RULE.findall(VENDOR_AXE.read_text(encoding="utf-8"))
    }
    expected = {}
    for rule, tags in bundled.items():
        by_tag = set(tags) & set(DEFAULT_AXE_TAGS) and "experimental" not in tags
        numbers = tuple(".".join(m.groups()) for t in tags if (m := _SC_TAG.fullmatch(t)))
        if numbers and (by_tag or rule in DEFAULT_EXTRA_RULES):
            expected[rule] = numbers
    assert expected == AXE_CRITERIA


def test_each_axe_rule_is_tagged_with_the_version_and_level_of_one_of_its_criteria() -> None:
    """What `axe_rules_turned_off` relies on to tell which rules a run's tags left out."""
    bundled = {
        rule: {tag.strip('"') for tag in tags.split(",")}
        for rule, tags in _AXE_RULE.findall(VENDOR_AXE.read_text(encoding="utf-8"))
    }
    levels = {c.number: c.level for c in CRITERIA}
    for rule, numbers in AXE_CRITERIA.items():
        tags = {criterion_tag(n, levels[n]) for n in numbers if n in levels}
        assert tags & bundled[rule], (rule, tags, bundled[rule])
        assert ("experimental" in bundled[rule]) == (rule in AXE_EXPERIMENTAL), rule


def test_checks_the_run_turned_off_are_listed_as_turned_off_and_check_nothing(
    tmp_path: Path,
) -> None:
    store = Store(str(tmp_path / "audit.db"))
    config = {
        "rules": {"hostile-titles": {"enabled": False}},
        # WCAG 2.0 level A only: color-contrast (AA) and target-size (2.2 AA) did not run
        "browser": {"tags": ["wcag2a"], "extra_rules": ["css-orientation-lock"]},
    }
    run_id = add_run(store, [], config=config, stats={"axe_core": "4.14.1"})
    out = tmp_path / "report"
    write_reports(store, run_id, out, (HostileTitles, AxeViolation, AxeNeedsReview))
    store.close()
    html = (out / "views" / "wcag.html").read_text(encoding="utf-8")
    titled = _row(html, "2.4.2")
    assert "(turned off)" in titled and "axe-core document-title" in titled
    assert "None found, partly checked" in titled  # document-title still ran
    contrast = _row(html, "1.4.3")
    assert "axe-core color-contrast (turned off)" in contrast and "Needs a person" in contrast
    assert "axe-core target-size (turned off)" in _row(html, "2.5.8")
    orientation = _row(html, "1.3.4")
    assert "css-orientation-lock" in orientation and "turned off" not in orientation
    assert "axe-core image-alt (turned off)" not in _row(html, "1.1.1")


@dataclass(frozen=True)
class HostileTitles(SiteRule):
    """A plugin rule whose title and findings are markup."""

    id = "hostile-titles"
    title = f"Titles {HOSTILE}"
    category = Category.ACCESSIBILITY
    severity = Severity.HIGH
    summary = "Test."
    why = "Test. Test."
    how_to_fix = "Test."
    wcag = (SuccessCriterion("2.4.2", "A"),)


def test_findings_fail_their_criteria_and_review_items_do_not(tmp_path: Path) -> None:
    hostile_url = START + 'x?q="><b>' + HOSTILE
    store = Store(str(tmp_path / "audit.db"))
    findings = [
        finding_row(
            AxeViolation.id,
            START,
            category="accessibility",
            evidence={"axe_rule": "color-contrast", "wcag": ["1.4.3"]},
        ),
        finding_row(
            AxeNeedsReview.id,
            START,
            category="accessibility",
            evidence={"axe_rule": "color-contrast", "wcag": ["1.4.11"]},
        ),
        finding_row(HostileTitles.id, hostile_url, category="accessibility", pages=[START]),
    ]
    run_id = add_run(store, findings, pages=(START, hostile_url))
    out = tmp_path / "report"
    write_reports(store, run_id, out, (HostileTitles, AxeViolation, AxeNeedsReview))
    store.close()
    html = (out / "views" / "wcag.html").read_text(encoding="utf-8")
    assert HOSTILE not in html
    assert "Titles &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "x?q=&#34;&gt;&lt;b&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Fails" in _row(html, "1.4.3")
    assert "Fails" in _row(html, "2.4.2")
    assert 'href="#fails-2.4.2">2</a>' in _row(html, "2.4.2")
    assert f'href="../pages/{page_file(START)}"' in html
    review = _row(html, "1.4.11")
    assert "To review" in review and "Fails" not in review
    assert "Needs a person" in _row(html, "3.2.6")


SITE_PAGE = """<!DOCTYPE html>
<html lang="en-GB"><head><title>{title}</title></head>
<body><header><a href="/">Northbrook Council</a></header>
<nav aria-label="Main"><a href="/bins">Bins</a> <a href="/parking">Parking</a></nav>
<main><h1>{heading}</h1><p>Some plain words about this.</p></main>
<footer><a href="/privacy">Privacy</a></footer></body></html>
"""


@pytest.mark.slow
def test_a_real_audit_shows_every_criterion_with_what_failed_and_what_needs_a_person(
    tmp_path: Path,
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    for name, title, heading in (
        ("index.html", "Northbrook Council", "Welcome"),
        ("bins.html", "Services - Northbrook Council", "Bins"),
        # the page's heading is text that looks like markup
        ("parking.html", "Services - Northbrook Council", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("privacy.html", "Privacy - Northbrook Council", "Privacy"),
    ):
        (site / name).write_text(SITE_PAGE.format(title=title, heading=heading), "utf-8")
    out = tmp_path / "out"
    with SiteServer(site) as server:
        result = run_cli("audit", f"{server.url}/", "--out", out, "--no-browser", "--quiet")
        start = f"{server.url}/"
    assert result.returncode == 0, result.stderr
    html = (out / "views" / "wcag.html").read_text(encoding="utf-8")
    assert html.count('<tr id="sc-') == 55
    titled = _row(html, "2.4.2")
    assert "Fails" in titled
    assert 'href="../rules/page-title-not-descriptive.html"' in titled
    assert 'href="#fails-2.4.2">2</a>' in titled
    assert f'href="../pages/{page_file(start + "bins")}"' in html
    assert HOSTILE not in html
    # no browser: what only axe-core checks needs a person, and says why
    assert "The browser stage did not run" in html
    contrast = _row(html, "1.4.3")
    assert "Needs a person" in contrast and "axe-core color-contrast (did not run)" in contrast
    assert "None found, partly checked" in _row(html, "3.2.3")
    assert "Nothing: a person must check it" in _row(html, "2.1.2")
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<a href="views/wcag.html">WCAG 2.2 AA</a>' in index


@pytest.mark.parametrize(
    ("ran", "failing", "to_review", "status"),
    [
        (False, 0, 0, NEEDS_PERSON),
        (True, 0, 0, NONE_FOUND),
        (True, 0, 2, TO_REVIEW),
        (False, 1, 0, FAILS),  # a static check found it though axe-core did not run
    ],
)
def test_a_criterion_passes_never_only_fails_or_is_unknown(
    ran: bool, failing: int, to_review: int, status: str
) -> None:
    result = CriterionResult(CRITERIA[0], [Check("image-alt", "axe-core image-alt", None, ran)])
    result.failing.update({"Image has no alt text": failing} if failing else {})
    result.to_review = to_review
    assert result.status == status
