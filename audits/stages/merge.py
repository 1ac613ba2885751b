"""One barrier, one finding: merge what a page rule and axe-core both report.

Our static accessibility checks and axe-core overlap by design: a rule names the WCAG
criteria it fails (`Rule.wcag`) and the axe-core rules that report the same problem
(`Rule.axe_rules`). Where both flag the same element of the same page for the same
criterion, an editor would read one missing alt text twice, once as P1 and once as P2.
This stage, run after the site stage (axe-core's findings are a site rule's) and before
prioritising, keeps one finding of the two:

- the rule's own finding survives: its advice names the fix, and its fingerprint is the
  same whether or not the browser stage ran, so baselines and new/fixed keep working;
- it takes the worse severity of the two (axe-core's "critical" wins over "high");
- its evidence lists both `sources` (rule, severity, selector; axe-core's rule, impact
  and help link) and keeps axe-core's screenshot.

Same element: equal selectors, or, since axe-core's selector is its own shortest unique
one rather than our CSS path, equal markup (the snippet) when exactly one finding on each
side has it. Same page: the same URL and the same list of pages, so a template finding
of axe-core's (one finding for many pages) is not merged into one page's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from rules.base import Rule, Severity

if TYPE_CHECKING:
    from audits.store import Store, StoredFinding

AXE_VIOLATION = "axe-violation"
_ORDER = list(Severity)  # critical first


def worse(one: Severity, other: Severity) -> Severity:
    """The more serious of two severities."""
    return min(one, other, key=_ORDER.index)


def agrees(rule: type[Rule] | Rule, axe: StoredFinding) -> bool:
    """Whether an axe-core finding reports the rule's problem: one of the rule's axe-core
    rules, failing one of the rule's WCAG criteria."""
    evidence = axe.finding.evidence
    criteria = {criterion.number for criterion in rule.wcag}
    return evidence.get("axe_rule") in rule.axe_rules and bool(
        criteria & set(evidence.get("wcag") or ())
    )


def same_element(
    ours: StoredFinding,
    axe: StoredFinding,
    our_others: Iterable[StoredFinding],
    axe_others: Iterable[StoredFinding],
) -> bool:
    """Equal selectors, or equal markup that no other finding of the same rule on the
    page shares, on either side (else the markup cannot tell the elements apart)."""
    mine, theirs = ours.finding, axe.finding
    if mine.selector and mine.selector == theirs.selector:
        return True
    if not mine.snippet or mine.snippet != theirs.snippet:
        return False
    twins = [o for o in our_others if o is not ours and o.finding.rule == mine.rule]
    twins += [
        a
        for a in axe_others
        if a is not axe and a.finding.evidence.get("axe_rule") == theirs.evidence.get("axe_rule")
    ]
    return not any(twin.finding.snippet == mine.snippet for twin in twins)


def merged_evidence(ours: StoredFinding, axe: StoredFinding) -> tuple[Severity, dict[str, Any]]:
    """The surviving finding's severity and evidence, both sources in it. A finding merged
    before (a resumed run) keeps its own first severity from its sources."""
    mine, theirs = ours.finding, axe.finding
    evidence = dict(mine.evidence)
    previous = evidence.pop("sources", None)
    own = Severity(previous[0]["severity"]) if previous else mine.severity
    evidence["sources"] = [
        {"rule": mine.rule, "severity": own.value, "selector": mine.selector},
        {
            "rule": theirs.rule,
            "severity": theirs.severity.value,
            "selector": theirs.selector,
            "axe_rule": theirs.evidence.get("axe_rule"),
            "impact": theirs.evidence.get("impact"),
            "wcag": theirs.evidence.get("wcag"),
            "help_url": theirs.evidence.get("help_url"),
            "failure_summary": theirs.evidence.get("failure_summary"),
        },
    ]
    if theirs.evidence.get("screenshot"):
        evidence["screenshot"] = theirs.evidence["screenshot"]
    return worse(own, theirs.severity), evidence


def merge_agreeing_findings(store: Store, run_id: int, rules: Iterable[Rule]) -> int:
    """Merge each axe-core violation into the rule finding that reports the same barrier
    (see the module's docstring); the number merged."""
    by_id: Mapping[str, Rule] = {rule.id: rule for rule in rules if rule.axe_rules}
    # Without axe-core's findings (no browser stage) there is nothing to read.
    if not by_id or not store.has_findings(run_id, AXE_VIOLATION):
        return 0
    ours: dict[tuple[str, tuple[str, ...]], list[StoredFinding]] = defaultdict(list)
    axe: dict[tuple[str, tuple[str, ...]], list[StoredFinding]] = defaultdict(list)
    for stored in store.each_finding(run_id, rules=[*by_id, AXE_VIOLATION]):
        finding = stored.finding
        place = (finding.url, tuple(finding.pages))
        if finding.rule in by_id:
            ours[place].append(stored)
        elif finding.rule == AXE_VIOLATION:
            axe[place].append(stored)
    kept: list[tuple[int, str, dict[str, Any]]] = []
    dropped: list[int] = []
    for place, candidates in axe.items():
        mine = ours.get(place, [])
        taken: set[int] = set()
        for violation in candidates:
            match = next(
                (
                    o
                    for o in mine
                    if o.id not in taken
                    and agrees(by_id[o.finding.rule], violation)
                    and same_element(o, violation, mine, candidates)
                ),
                None,
            )
            if match is None:
                continue
            taken.add(match.id)
            severity, evidence = merged_evidence(match, violation)
            kept.append((match.id, severity.value, evidence))
            dropped.append(violation.id)
    if kept:
        with store.transaction():
            store.merge_findings(kept, dropped)
    return len(kept)
