"""The rule API: what a rule declares about itself and what it yields.

Rules know nothing of Scrapy, Selenium or SQLite. A `PageRule` receives a parsed
`Page` (see `rules.page`) during the crawl; a `SiteRule` receives the whole crawled
`Site` (see `rules.site`) afterwards. Both yield `Finding`s. Everything an editor
reads about a rule (title, why it matters, how to fix, references, options) is
metadata on the class, so the CLI, the report and docs/rules.md all come from it.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from rules.page import Page
    from rules.site import Site


class Category(enum.StrEnum):
    """The things the council's strategy asks of its website."""

    LINKS = "links"
    FRESHNESS = "freshness"
    READABILITY = "readability"
    ACCESSIBILITY = "accessibility"
    FORMS = "forms"
    CONTACT = "contact"
    FINDABILITY = "findability"


class Severity(enum.StrEnum):
    """How bad one occurrence is, before reach is taken into account."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def weight(self) -> int:
        """Weight used by prioritisation: each step up counts about three times more."""
        return _SEVERITY_WEIGHTS[self]


_SEVERITY_WEIGHTS = {
    Severity.CRITICAL: 27,
    Severity.HIGH: 9,
    Severity.MEDIUM: 3,
    Severity.LOW: 1,
    Severity.INFO: 0,
}


INVENTORY_SUFFIX = "-inventory"
"""A rule whose id ends so lists what the site has (every online form, every phone number
and email address), as `info` findings: an inventory, not problems. Reports list its rows
apart; they never count as problems, in health or priorities, and never fail the gate."""


def is_inventory(rule_id: str) -> bool:
    """True for the id of an inventory rule (see INVENTORY_SUFFIX)."""
    return rule_id.endswith(INVENTORY_SUFFIX)


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem on one page (or, with `pages`, one problem shared by many pages).

    The one shape of a finding, from the rule that yields it to the reports: it carries
    its rule's `category` and its `fingerprint` from birth. `key` distinguishes several
    findings of the same rule on the same page and target (for example two different
    images without alt text); it feeds the fingerprint. A finding read back from the
    store carries the fingerprint stored with it (keys are not stored); so does one
    copied with `dataclasses.replace`, which may therefore change only what the
    fingerprint does not depend on (severity, message, evidence).
    """

    rule: str
    url: str
    message: str
    severity: Severity
    target: str | None = None
    selector: str | None = None
    snippet: str | None = None
    evidence: Mapping[str, Any] = field(default_factory=dict)
    pages: tuple[str, ...] = ()
    key: str = ""
    category: Category = field(kw_only=True)
    fingerprint: str = field(default="", kw_only=True)

    def __post_init__(self) -> None:
        if not self.fingerprint:
            object.__setattr__(self, "fingerprint", fingerprint(self))


def fingerprint(finding: Finding) -> str:
    """A stable id for a finding across runs: same rule, page, target and place.

    A rule's `key` names the place when it is given (a normalised selector, say, that
    survives generated ids changing between runs); otherwise the selector does. Stored
    runs and `--baseline` files compare these, so the formula never changes.
    """
    place = finding.key or finding.selector or ""
    parts = [finding.rule, finding.url, finding.target or "", place]
    return hashlib.sha1(json.dumps(parts).encode(), usedforsecurity=False).hexdigest()[:20]


@dataclass(frozen=True, slots=True)
class SuccessCriterion:
    """A WCAG 2.2 success criterion: its number and conformance level, as axe-core tags
    rules (`wcag111` and `wcag2a` for 1.1.1 at level A)."""

    number: str
    """"1.1.1": principle, guideline, criterion."""
    level: str
    """"A", "AA" or "AAA"."""

    def __str__(self) -> str:
        return f"{self.number} ({self.level})"


class Rule:
    """Base of every rule. Subclass `PageRule` or `SiteRule`, not this."""

    id: ClassVar[str]
    title: ClassVar[str]
    category: ClassVar[Category]
    severity: ClassVar[Severity]
    summary: ClassVar[str]
    """What it checks, in one or two sentences."""
    why: ClassVar[str]
    how_to_fix: ClassVar[str]
    references: ClassVar[tuple[str, ...]] = ()
    wcag: ClassVar[tuple[SuccessCriterion, ...]] = ()
    """The WCAG 2.2 success criteria a finding of this rule fails (part of); none for a
    rule about something WCAG does not ask, such as a broken link or an old page."""
    axe_rules: ClassVar[tuple[str, ...]] = ()
    """Ids of the axe-core rules that report the same problem, so the two can be merged."""
    worker_data: ClassVar[str | None] = None
    """A module that loads, when imported, data the rule reads on every page (a word list):
    the page workers' forkserver imports it before forking them, so they share one copy."""

    @dataclass(frozen=True)
    class Options:
        """Options of the rule; field names are the keys of its `[rules.<id>]` section."""

    def __init__(self, options: Options | None = None, severity: Severity | None = None) -> None:
        self.options = options if options is not None else self.Options()
        self.effective_severity = severity or self.severity

    def finding(
        self,
        url: str,
        message: str,
        *,
        severity: Severity | None = None,
        target: str | None = None,
        selector: str | None = None,
        snippet: str | None = None,
        evidence: Mapping[str, Any] | None = None,
        pages: tuple[str, ...] = (),
        key: str = "",
    ) -> Finding:
        """Build a finding of this rule; severity defaults to the configured one."""
        if severity is None or self.effective_severity != self.severity:
            # A severity set in config wins over the rule's own grading.
            severity = self.effective_severity
        return Finding(
            rule=self.id,
            url=url,
            message=message,
            severity=severity,
            target=target,
            selector=selector,
            snippet=_clip(snippet, 400) if snippet else None,
            evidence=dict(evidence or {}),
            pages=pages,
            key=key,
            category=self.category,
        )

    def page_facts(self, page: Page) -> Any:
        """What this rule records about one parsed page during the crawl, JSON-ready
        (read back with `site.facts(rule_id)`); None records nothing.

        Site rules use it for what they need of each page's HTML; a page rule may record
        a measure it takes of every page (reading-age: each page's reading age), which
        the reports read beside its findings."""
        return None

    @classmethod
    def option_docs(cls) -> list[tuple[str, Any, str]]:
        """(name, default, description) of each option, from the Options dataclass."""
        docs = []
        for f in dataclasses.fields(cls.Options):
            docs.append((f.name, f.default, f.metadata.get("doc", "")))
        return docs


class PageRule(Rule):
    """A rule run on every crawled HTML page, as it arrives."""

    def applies_to(self, page: Page) -> bool:
        """Whether to run on this page; by default every HTML page."""
        return True

    def check_page(self, page: Page) -> Iterator[Finding]:
        """Yield the findings on one page."""
        raise NotImplementedError


class SiteRule(Rule):
    """A rule run once after the crawl, over the whole site and its link graph.

    A site rule that needs something from each page's HTML (the site object only keeps
    pages' metadata and links) overrides `page_facts`: it runs during the crawl on the
    parsed page and its JSON-serialisable result comes back as `site.facts(rule_id)`.
    """

    def check_site(self, site: Site) -> Iterator[Finding]:
        """Yield the findings across the site."""
        raise NotImplementedError


def option(default: Any, doc: str) -> Any:
    """A documented option field: `target: int = option(9, "Reading age to aim for")`.

    Use tuples, not lists, for sequences: options are frozen.
    """
    return field(default=default, metadata={"doc": doc})


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
