"""The WCAG 2.2 AA view (views/wcag.html): every success criterion of levels A and AA, the
pages that fail it, what checks it automatically and what only a person can judge.

A web team writes its accessibility statement's list of non-compliance from it. It is
honest about coverage: a criterion no finding fails is "none found", never "passes",
since automated checks cover only part of any criterion, and a criterion nothing checked
in this audit "needs a person".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reports.model import ReportModel, Row
from reports.wcag_criteria import (
    ADDED_IN,
    AXE_CORE_VERSION,
    AXE_CRITERIA,
    AXE_EXPERIMENTAL,
    CRITERIA,
    Criterion,
)
from rules.accessibility.axe_needs_review import AxeNeedsReview

FAILS = "fails"
NONE_FOUND = "none-found"
TO_REVIEW = "to-review"
NEEDS_PERSON = "needs-person"

STATUS_LABELS = {
    FAILS: "Fails",
    TO_REVIEW: "To review",
    NONE_FOUND: "None found, partly checked",
    NEEDS_PERSON: "Needs a person",
}
STATUS_MEANINGS = {
    FAILS: "The automated checks found pages that fail it.",
    TO_REVIEW: "No failure found, but axe-core found things a person must judge.",
    NONE_FOUND: "The checks that cover part of it found nothing; a person must check the rest.",
    NEEDS_PERSON: "Nothing in this audit checked it automatically.",
}
BADGE_CLASSES = {
    FAILS: "sev-high",
    TO_REVIEW: "sev-medium",
    NONE_FOUND: "sev-low",
    NEEDS_PERSON: "sev-info",
}
"""The report's badge colours: a second cue only, every badge says its result."""
PAGES_SHOWN = 20
"""Failing pages listed under a criterion; its checks' pages list them all."""


@dataclass(frozen=True, slots=True)
class Check:
    """A check that tests (part of) a criterion: one of ours, or an axe-core rule."""

    id: str
    title: str
    file: str | None
    """Its page in the report (rules/<file>), when it has one."""
    ran: bool
    why_not: str = "did not run"
    """Why it did not run: "did not run" (the browser stage was skipped) or "turned off"
    (by this audit's configuration)."""


@dataclass(slots=True)
class CriterionResult:
    """What this audit found for one success criterion."""

    criterion: Criterion
    checks: list[Check] = field(default_factory=list)
    failing: Counter[str] = field(default_factory=Counter)
    """Check title -> findings that fail the criterion."""
    failing_files: dict[str, str] = field(default_factory=dict)
    """Check title -> its rule page."""
    pages: dict[str, str | None] = field(default_factory=dict)
    """Failing page URL -> its report page (pages/<file>), if it has one."""
    to_review: int = 0

    @property
    def status(self) -> str:
        """fails, to-review, none-found or needs-person."""
        if self.failing:
            return FAILS
        if self.to_review:
            return TO_REVIEW
        return NONE_FOUND if any(check.ran for check in self.checks) else NEEDS_PERSON


def browser_ran(data: Mapping[str, Any]) -> bool:
    """Whether axe-core checked pages in this run (runs made before stages were recorded
    say so by the axe-core version alone)."""
    stage = (data["run"].get("stages") or {}).get("browser")
    if stage is not None:
        return stage.get("status") != "skipped"
    return bool(data.get("tool", {}).get("axe_core"))


def criterion_checks(
    rules: Sequence[Mapping[str, Any]],
    rule_files: Mapping[str, str],
    axe_ran: bool,
    run_config: Mapping[str, Any] | None = None,
) -> dict[str, list[Check]]:
    """Criterion number -> the checks that test it: siteaudit's rules from their `wcag`
    metadata, then axe-core's rules from `AXE_CRITERIA`. A check this run's configuration
    (`run_config`, as the run recorded it) turned off is listed as turned off: the
    criterion is then no more checked than if it were not listed."""
    turned_off = rules_turned_off(run_config or {})
    axe_off = axe_rules_turned_off(run_config or {})
    checks: dict[str, list[Check]] = {c.number: [] for c in CRITERIA}
    for doc in rules:
        off = doc["id"] in turned_off
        for sc in doc.get("wcag", ()):
            if sc["number"] in checks:
                file = rule_files.get(doc["id"])
                check = Check(doc["id"], doc["title"], file, not off, "turned off")
                checks[sc["number"]].append(check)
    for axe_rule, numbers in sorted(AXE_CRITERIA.items()):
        off = axe_rule in axe_off
        for number in numbers:
            if number in checks:
                title = f"axe-core {axe_rule}"
                ran = axe_ran and not off
                why_not = "turned off" if off and axe_ran else "did not run"
                checks[number].append(Check(axe_rule, title, None, ran, why_not))
    return checks


def rules_turned_off(run_config: Mapping[str, Any]) -> set[str]:
    """The siteaudit rules a run's `[rules.<id>] enabled = false` turned off."""
    sections = run_config.get("rules") or {}
    return {
        rule
        for rule, options in sections.items()
        if isinstance(options, Mapping) and options.get("enabled", True) is False
    }


def axe_rules_turned_off(run_config: Mapping[str, Any]) -> set[str]:
    """The axe-core rules of `AXE_CRITERIA` that a run's `[browser] tags` left out: a rule
    runs when one of its criteria's tags (wcag2a, wcag21aa, wcag22aa...) is configured
    (experimental rules excepted), or it is one of `extra_rules`. Runs that recorded no `[browser]` ran the defaults."""
    browser = run_config.get("browser")
    if not isinstance(browser, Mapping) or "tags" not in browser:
        return set()
    tags = set(browser.get("tags") or ())
    extra = set(browser.get("extra_rules") or ())
    levels = {c.number: c.level for c in CRITERIA}
    off = set()
    for axe_rule, numbers in AXE_CRITERIA.items():
        wanted = {criterion_tag(number, levels[number]) for number in numbers if number in levels}
        by_tags = axe_rule not in AXE_EXPERIMENTAL and wanted & tags
        if axe_rule not in extra and not by_tags:
            off.add(axe_rule)
    return off


def criterion_tag(number: str, level: str) -> str:
    """axe-core's tag for a criterion: the WCAG version that added it and its level
    (1.4.3 -> wcag2aa, 1.3.5 -> wcag21aa, 2.5.8 -> wcag22aa)."""
    version = ADDED_IN.get(number, "2")
    return f"wcag{version}{level.lower()}"


def wcag_results(
    model: ReportModel, tags: Mapping[int, list[Any]] | None = None
) -> list[CriterionResult]:
    """Every A and AA criterion of WCAG 2.2 with what this run found, in number order.

    `tags`, when known, are the findings' WCAG tags from their evidence by rank
    (`reports.unchanged.RowDigests.wcag`), which saves reading every finding's evidence."""
    axe_ran = browser_ran(model.data)
    checks = criterion_checks(model.rules, model.rule_files, axe_ran, model.run_config)
    results = {c.number: CriterionResult(c, checks[c.number]) for c in CRITERIA}
    rule_criteria = {doc["id"]: [sc["number"] for sc in doc.get("wcag", ())] for doc in model.rules}
    for row in model.rows:
        for number in _criteria_of(row, rule_criteria, tags):
            result = results.get(number)
            if result is None:
                continue  # AAA, or a criterion not in WCAG 2.2
            if row.f["rule"] == AxeNeedsReview.id:
                result.to_review += 1
                continue
            result.failing[row.rule_title] += 1
            result.failing_files[row.rule_title] = row.rule_file
            for url in dict.fromkeys((row.f["url"], *row.f["pages"])):
                facts = model.pages.get(url)
                result.pages[url] = facts.file if facts is not None else None
    return list(results.values())


def _criteria_of(
    row: Row, rule_criteria: Mapping[str, list[str]], tags: Mapping[int, list[Any]] | None
) -> Iterable[str]:
    """The criteria a finding fails: its rule's, and axe-core's tags for axe findings."""
    found = dict.fromkeys(rule_criteria.get(row.f["rule"], ()))
    tagged = row.f["evidence"].get("wcag") if tags is None else tags.get(row.rank)
    if isinstance(tagged, list):
        found.update(dict.fromkeys(str(number) for number in tagged))
    return found


def wcag_context(model: ReportModel, tags: Mapping[int, list[Any]] | None = None) -> dict[str, Any]:
    """The wcag.html.j2 template's own variables (`tags`: see `wcag_results`)."""
    results = wcag_results(model, tags)
    counts = Counter(result.status for result in results)
    return {
        "results": results,
        "counts": [(status, STATUS_LABELS[status], counts[status]) for status in STATUS_LABELS],
        "status_labels": STATUS_LABELS,
        "meanings": STATUS_MEANINGS,
        "badge_classes": BADGE_CLASSES,
        "axe_ran": browser_ran(model.data),
        "axe_version": AXE_CORE_VERSION,
        "pages_shown": PAGES_SHOWN,
    }
