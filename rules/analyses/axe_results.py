"""axe-core results as the browser rules see them, and how identical ones are grouped.

The browser stage (`audits/stages/browser.py`) runs axe-core on every page and stores one
`AxeNode` per element axe-core flagged. The rules `axe-violation` and `axe-needs-review`
read them back through `BrowserSite` and turn them into findings. A violation that sits
in the site's template (the same rule, element and markup on many pages) becomes one
finding listing every page, so an editor fixes it once instead of reading it N times.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, runtime_checkable

from rules.base import Category, Finding, Severity, SiteRule, option
from rules.site import Site

VIOLATION = "violation"
INCOMPLETE = "incomplete"
"""axe-core's "needs review": it could not decide, a person has to look."""

IMPACT_SEVERITY = {
    "critical": Severity.CRITICAL,
    "serious": Severity.HIGH,
    "moderate": Severity.MEDIUM,
    "minor": Severity.LOW,
}
"""axe-core's impact of a violation, as our severity."""

FOCUS_NOT_VISIBLE = "focus-not-visible"
SKIP_LINK_DOES_NOTHING = "skip-link-does-nothing"
OWN_CHECKS = frozenset({FOCUS_NOT_VISIBLE, SKIP_LINK_DOES_NOTHING})
"""Rules whose nodes come from our own script in the browser stage
(`audits/stages/browser_checks.py`), stored beside axe-core's and grouped the same way."""

SCREENSHOT_DIR = "screenshots"
"""Element screenshots are written here, inside the report folder."""

_WCAG_TAG = re.compile(r"^wcag(\d)(\d)(\d+)$")
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class AxeNode:
    """One element axe-core flagged on one page."""

    url: str
    outcome: str
    """`VIOLATION` or `INCOMPLETE`."""
    rule: str
    """axe-core's rule id, such as `image-alt`."""
    impact: str | None
    wcag: tuple[str, ...]
    """WCAG success criteria from the rule's tags, such as ("1.1.1",)."""
    help: str
    help_url: str
    target: str
    """CSS selector of the element (shadow DOM steps joined with ` >>> `)."""
    html: str
    failure_summary: str
    screenshot: str | None = None
    """Path of the element's screenshot relative to the report folder, if one was taken."""


@dataclass(frozen=True, slots=True)
class BrowserError:
    """A page the browser stage could not check, and why."""

    url: str
    error: str


@runtime_checkable
class BrowserSite(Protocol):
    """What a `Site` offers when it holds the browser stage's results (the store's sites
    do). Checked with isinstance: a site without them gives the browser rules nothing."""

    def axe_nodes(self, outcome: str) -> Iterator[AxeNode]:
        """Every stored axe-core node of one outcome, page by page."""
        ...

    def browser_errors(self) -> Iterator[BrowserError]:
        """Pages the browser stage could not check."""
        ...


def wcag_criteria(tags: Iterable[str]) -> tuple[str, ...]:
    """WCAG success criteria named by axe-core tags: `wcag143` is 1.4.3, `wcag2411` 2.4.11."""
    found = []
    for tag in tags:
        m = _WCAG_TAG.match(tag)
        if m:
            found.append(".".join(m.groups()))
    return tuple(sorted(set(found), key=lambda c: tuple(int(p) for p in c.split("."))))


def normalise_markup(text: str) -> str:
    """Selector or HTML with numbers and spacing evened out.

    Templates number things per page (`#post-4711`, `:nth-child(3)`, `data-id="12"`); the
    same template element must still compare equal across pages.
    """
    return _SPACE.sub(" ", _DIGITS.sub("0", text)).strip()


PAGE_STRUCTURE_RULES = frozenset(
    {
        "bypass",
        "landmark-no-duplicate-banner",
        "landmark-no-duplicate-contentinfo",
        "landmark-no-duplicate-main",
        "landmark-one-main",
        "page-has-heading-one",
        "region",
    }
)
"""axe-core rules about the page's structure as a whole (its landmarks, headings, ways to
skip): one issue per page, whichever elements axe-core names (`region` names every block
of content outside the landmarks), and the same issue on every page that has it, since the
structure comes from the template."""


def template_key(rule: str, target: str, html: str) -> tuple[str, str, str]:
    """What makes two flagged elements "the same issue" on different pages."""
    if rule in PAGE_STRUCTURE_RULES:
        return (rule, "", "")
    return (rule, normalise_markup(target), normalise_markup(html))


def page_structure_once(nodes: Iterable[AxeNode]) -> tuple[list[AxeNode], Counter[tuple[str, str]]]:
    """The nodes with each page structure rule's first node per page only, and how many
    elements each (page, rule) had."""
    counts: Counter[tuple[str, str]] = Counter()
    kept = []
    for node in nodes:
        if node.rule in PAGE_STRUCTURE_RULES:
            counts[node.url, node.rule] += 1
            if counts[node.url, node.rule] > 1:
                continue
        kept.append(node)
    return kept, counts


def screenshot_name(url: str, rule: str, target: str) -> str:
    """The report-relative path of an element's screenshot (stable across runs)."""
    digest = hashlib.sha1(f"{url}\n{rule}\n{target}".encode(), usedforsecurity=False)
    return f"{SCREENSHOT_DIR}/{rule}-{digest.hexdigest()[:16]}.png"


@dataclass(frozen=True, slots=True)
class TemplateIssue:
    """One axe-core issue found on many pages: report once, fix once in the template."""

    nodes: tuple[AxeNode, ...]
    """The issue's first element on each page, in page order."""

    @property
    def pages(self) -> tuple[str, ...]:
        """Every page the issue is on."""
        return tuple(node.url for node in self.nodes)


def group_by_template(
    nodes: Iterable[AxeNode], min_pages: int
) -> tuple[list[TemplateIssue], list[AxeNode]]:
    """Split nodes into issues repeated on at least `min_pages` pages and the rest.

    Nodes keep their order; a template issue lists each page once, at its first node.
    """
    keyed = [(template_key(node.rule, node.target, node.html), node) for node in nodes]
    first_per_page: dict[tuple[str, str, str], dict[str, AxeNode]] = {}
    for key, node in keyed:
        first_per_page.setdefault(key, {}).setdefault(node.url, node)
    repeated = {key for key, pages in first_per_page.items() if len(pages) >= min_pages}
    templates = [
        TemplateIssue(tuple(pages.values()))
        for key, pages in first_per_page.items()
        if key in repeated
    ]
    single = [node for key, node in keyed if key not in repeated]
    return templates, single


class AxeResultRule(SiteRule):
    """Turns the stored axe-core nodes of one outcome into findings (see the subclasses)."""

    outcome: ClassVar[str]

    @dataclass(frozen=True)
    class Options:
        """Options of the axe-core rules."""

        template_pages: int = option(
            3,
            "An issue (same axe-core rule, element and markup) on at least this many pages is "
            "reported once, as a template issue listing every page",
        )

        def __post_init__(self) -> None:
            if self.template_pages < 2:
                raise ValueError("template_pages must be 2 or more")

    def reports(self, node: AxeNode) -> bool:
        """Whether this rule reports the node: axe-core's, not our own checks'."""
        return node.rule not in OWN_CHECKS

    def severity_of(self, node: AxeNode) -> Severity:
        """The severity of one node's finding, before config overrides it."""
        return self.severity

    def source(self, node: AxeNode) -> str:
        """Who found it, as the end of a message."""
        return f" (axe-core {node.rule})"

    def describe(self, node: AxeNode) -> str:
        """The finding's message for one node on one page."""
        return f"{node.help}{self.source(node)}"

    def check_site(self, site: Site) -> Iterator[Finding]:
        """Template issues first (one finding each), then page-specific nodes."""
        if not isinstance(site, BrowserSite):
            return
        nodes, elements = page_structure_once(
            node for node in site.axe_nodes(self.outcome) if self.reports(node)
        )
        if not nodes:
            return
        depths = {page.url: page.click_depth for page in site.pages()}

        def prominence(url: str) -> tuple[float, int, str]:
            depth = depths.get(url)
            return (math.inf if depth is None else depth, len(url), url)

        templates, single = group_by_template(nodes, self.options.template_pages)
        for issue in templates:
            yield self._template_finding(issue, prominence)
        seen: Counter[tuple[str, str]] = Counter()
        for node in single:
            key = f"{node.rule}|{template_key(node.rule, node.target, '')[1]}"
            seen[node.url, key] += 1
            if seen[node.url, key] > 1:  # the same normalised place twice on one page
                key += f"|{seen[node.url, key]}"
            message = self.describe(node)
            count = elements[node.url, node.rule]
            if count > 1:
                message += f", {count} elements on this page (the first is shown)"
            yield self.finding(
                node.url,
                message,
                severity=self.severity_of(node),
                selector=node.target,
                snippet=node.html,
                evidence=_evidence(node),
                key=key,
            )

    def _template_finding(
        self, issue: TemplateIssue, prominence: Callable[[str], tuple[float, int, str]]
    ) -> Finding:
        pages = tuple(sorted(issue.pages, key=prominence))
        first = next(node for node in issue.nodes if node.url == pages[0])
        shot = next((node.screenshot for node in issue.nodes if node.screenshot), None)
        evidence = {**_evidence(first), "template": True, "page_count": len(pages)}
        if shot:
            evidence["screenshot"] = shot
        # The same element on many pages comes from one place: usually the template, or
        # content shared between pages (a reused image, a common notice).
        same = "structure" if first.rule in PAGE_STRUCTURE_RULES else "element"
        message = (
            f"{first.help}, on {len(pages)} pages: the same {same} on each, so fix it once "
            f"at its source, usually the template{self.source(first)}"
        )
        return self.finding(
            first.url,
            message,
            severity=self.severity_of(first),
            selector=first.target,
            snippet=first.html,
            evidence=evidence,
            pages=pages,
            key=f"template|{first.rule}|{template_key(first.rule, first.target, '')[1]}",
        )


class OwnCheckRule(AxeResultRule):
    """A rule fed by one of our own checks in the browser stage (`OWN_CHECKS`): its nodes
    only, told in our words, grouped into template issues like axe-core's."""

    outcome = VIOLATION
    category = Category.ACCESSIBILITY
    severity = Severity.HIGH

    def reports(self, node: AxeNode) -> bool:
        """Only the nodes of this rule's check."""
        return node.rule == self.id

    def source(self, node: AxeNode) -> str:
        """Our own check: no engine to name."""
        return ""

    def describe(self, node: AxeNode) -> str:
        """The help line and what was seen."""
        return f"{node.help}: {node.failure_summary}"


def _evidence(node: AxeNode) -> Mapping[str, Any]:
    evidence: dict[str, Any] = {} if node.rule in OWN_CHECKS else {"axe_rule": node.rule}
    evidence |= {
        "impact": node.impact,
        "wcag": list(node.wcag),
        "help": node.help,
        "help_url": node.help_url,
        "failure_summary": node.failure_summary,
        "template": False,
    }
    if node.screenshot:
        evidence["screenshot"] = node.screenshot
    return evidence
