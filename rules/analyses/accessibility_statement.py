"""The site's accessibility statement: where it is, which pages link to it, what it says.

The Public Sector Bodies (Websites and Mobile Applications) Accessibility Regulations
2018 ask every public sector website for an accessibility statement, linked from every
page, in the form of GOV.UK's model statement and reviewed once a year. Four rules read
this one analysis (accessibility-statement-missing, -not-linked, -incomplete,
-out-of-date): `statement_page_facts` takes, during the crawl, each page's links that look
like links to the statement and, from a page that looks like the statement itself, which
of the model statement's sections it has and its dates; `find_statement` then picks the
statement out of those facts after the crawl.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from rules.analyses.dates import date_after
from rules.base import SiteRule, option
from rules.page import Page
from rules.site import Site, memo
from rules.urls import absolute

REGULATIONS = "https://www.legislation.gov.uk/uksi/2018/952/contents/made"
MODEL_STATEMENT = "https://www.gov.uk/government/publications/sample-accessibility-statement"
GUIDANCE = "https://www.gov.uk/guidance/make-your-website-or-app-accessible-and-publish-an-accessibility-statement"

# A link to the statement says so, or its address does (/accessibility-statement,
# /accessibility). "Accessibility tools" and the like lead elsewhere, so links naming a
# statement are preferred when the site has both; "accessible format" links (often
# mailto:) are requests, not the statement.
_ACCESSIBILITY = re.compile(r"\baccessibility\b", re.IGNORECASE)
_ACCESSIBILITY_PATH = re.compile(r"accessibility", re.IGNORECASE)
_STATEMENT = re.compile(r"accessibility[\s_-]*statement", re.IGNORECASE)
_STATEMENT_WORD = re.compile(r"statement", re.IGNORECASE)


@dataclass(frozen=True)
class Section:
    """One part of GOV.UK's model statement: what it is called there, how we recognise it."""

    key: str
    heading: str
    """The model statement's heading for it."""
    needs: str
    """What the section must say, in a sentence an editor can act on."""
    pattern: re.Pattern[str]


SECTIONS: tuple[Section, ...] = (
    Section(
        "compliance",
        "Compliance status",
        "whether the website is fully, partially or not compliant with the Web Content "
        "Accessibility Guidelines (WCAG)",
        re.compile(r"\b(?:fully|partially|partly|not)\s+compliant\b", re.IGNORECASE),
    ),
    Section(
        "non_accessible",
        "Non-accessible content",
        "which content is not accessible, and why (failures of the regulations, "
        "disproportionate burden, content outside their scope)",
        re.compile(
            r"non[\s-]*accessible\s+content|not\s+(?:fully\s+|yet\s+)?accessible|inaccessible"
            r"|how\s+accessible\s+this\s+(?:website|site)\s+is|limitations"
            r"|known\s+(?:accessibility\s+)?(?:issues|problems)|disproportionate\s+burden"
            r"|do(?:es)?\s+not\s+work\s+well",
            re.IGNORECASE,
        ),
    ),
    Section(
        "reporting",
        "Reporting accessibility problems with this website",
        "how to report an accessibility problem or ask for content in another format, "
        "and who to contact",
        re.compile(
            r"report(?:ing)?\s+(?:an?\s+|any\s+)?(?:accessibility\s+)?(?:problems?|issues?)"
            r"|(?:tell\s+us\s+about|if\s+you\s+find)\s+(?:a|any)\s+problems?"
            r"|feedback\s+and\s+contact|contact\s+us|get\s+in\s+touch|alternative\s+format"
            r"|different\s+format",
            re.IGNORECASE,
        ),
    ),
    Section(
        "enforcement",
        "Enforcement procedure",
        "the enforcement procedure: the Equality and Human Rights Commission (EHRC), or in "
        "Northern Ireland the Equality Commission for Northern Ireland (ECNI)",
        re.compile(
            r"Equality\s+and\s+Human\s+Rights\s+Commission|\bEHRC\b"
            r"|Equality\s+Commission\s+for\s+Northern\s+Ireland|\bECNI\b",
            re.IGNORECASE,
        ),
    ),
    Section(
        "dates",
        "Preparation of this accessibility statement",
        "when the statement was prepared and when it was last reviewed, as dates",
        # Found by its dates (`statement_dates`), not by a phrase.
        re.compile(r"(?!)"),
    ),
)
SECTION_BY_KEY = {section.key: section for section in SECTIONS}

# "This statement was prepared on 23 September 2019. It was last reviewed on 1 March
# 2025." and the variants councils write ("Last updated: March 2025").
_DATED = re.compile(
    r"\b(?P<kind>prepared|reviewed|updated|revised)(?:\s+(?:on|in))?\b", re.IGNORECASE
)
_COMPLIANCE = re.compile(r"\b(fully|partially|partly|not)\s+compliant\b", re.IGNORECASE)
_MAX_TEXT = 200_000
"""Characters of a statement read: far more than any statement holds."""


@dataclass(frozen=True)
class StatementOptions:
    """Options the accessibility statement rules share (`[accessibility_statement] url` in
    the configuration sets `statement_url` for all of them)."""

    statement_url: str = option(
        "",
        "The accessibility statement's address (a path or a full URL); empty means found "
        "by its links' text and address and the page's title",
    )


class StatementRule(SiteRule):
    """Base of the accessibility statement rules: they collect the same page facts and
    find the statement the same way, then each checks one thing."""

    Options = StatementOptions
    options: StatementOptions
    references = (REGULATIONS, GUIDANCE, MODEL_STATEMENT)

    def page_facts(self, page: Page) -> Any:
        """The page's statement-like links and, on a statement, what it says."""
        return statement_page_facts(page, self.options.statement_url)

    def statement(self, site: Site) -> Statement | None:
        """The site's statement, found from this rule's page facts by the first statement
        rule that asks (they all collect the same facts) and kept on the site for the rest."""
        found = memo(site, _statements)
        url = self.options.statement_url
        if url not in found:
            found[url] = find_statement(site, site.facts(self.id), url)
        return found[url]


def _statements(site: Site) -> dict[str, Statement | None]:
    """Configured statement address -> the statement found, filled in as rules ask."""
    return {}


def looks_like_statement_link(url: str, text: str) -> bool:
    """A web link that may lead to the accessibility statement, by its words or address."""
    if not url.startswith(("http://", "https://")):
        return False
    return bool(_ACCESSIBILITY.search(text) or _ACCESSIBILITY_PATH.search(url.split("?")[0]))


def statement_page_facts(page: Page, statement_url: str) -> dict[str, Any] | None:
    """{'links': [...], 'statement': {...}} of one page, or None when it has neither.

    `links` are the page's links that may lead to the statement; `statement` is what the
    page says when it looks like the statement itself: which model sections it has
    (`sections`), its compliance status and its dates.
    """
    return page.memo(_facts, statement_url)


def _facts(page: Page, statement_url: str) -> dict[str, Any] | None:
    links = sorted(
        {
            link.url
            for link in page.links
            if link.kind in ("a", "area") and looks_like_statement_link(link.url, link.text)
        }
    )
    facts: dict[str, Any] = {"links": links} if links else {}
    resolved = absolute(page.url, statement_url) if statement_url else None
    configured = resolved[0] if resolved else None
    named = _STATEMENT.search(page.title) or _STATEMENT.search(page.h1)
    if configured == page.url or named or _STATEMENT.search(page.url):
        facts["statement"] = read_statement(page.main_text or page.body.text_content())
    return facts or None


def read_statement(text: str) -> dict[str, Any]:
    """What a statement's text holds: sections found, compliance status, dates (ISO)."""
    text = re.sub(r"\s+", " ", text[:_MAX_TEXT])
    reviewed, prepared = statement_dates(text)
    status = _COMPLIANCE.search(text)
    found = [s.key for s in SECTIONS if s.pattern.search(text)]
    if reviewed or prepared:
        found.append("dates")
    return {
        "sections": found,
        "compliance": status.group(1).lower().replace("partly", "partially") if status else None,
        "reviewed": reviewed.isoformat() if reviewed else None,
        "prepared": prepared.isoformat() if prepared else None,
    }


def statement_dates(text: str) -> tuple[date | None, date | None]:
    """(latest review or update date, preparation date) the statement gives, or None."""
    reviewed: list[date] = []
    prepared: list[date] = []
    for match in _DATED.finditer(text):
        found = date_after(text, match.end())
        if found is None:
            continue
        (prepared if match.group("kind").lower() == "prepared" else reviewed).append(found[0])
    return max(reviewed, default=None), max(prepared, default=None)


def required_sections(compliance: str | None) -> tuple[Section, ...]:
    """The sections a statement must have: a fully compliant site has no non-accessible
    content to list."""
    return tuple(s for s in SECTIONS if not (s.key == "non_accessible" and compliance == "fully"))


@dataclass(frozen=True)
class Statement:
    """The accessibility statement the site links to, and what it says (when crawled)."""

    url: str
    linked_from: frozenset[str]
    """The pages with a link that leads to it."""
    content: Mapping[str, Any] | None
    """`read_statement`'s result for the page; None when it was not crawled (another
    site's statement, a page robots.txt or an error kept from us)."""
    how_found: str

    @property
    def latest_date(self) -> date | None:
        """The newest date the statement gives for its review (or, failing one, its
        preparation)."""
        if not self.content:
            return None
        dates = [self.content.get("reviewed"), self.content.get("prepared")]
        return max((date.fromisoformat(d) for d in dates if d), default=None)


def find_statement(site: Site, facts: Mapping[str, Any], statement_url: str) -> Statement | None:
    """The site's accessibility statement, or None when nothing looks like one.

    In order: the configured address; else the target of the statement-like links (the
    ones naming a statement first, then the one most pages link to); else a crawled page
    titled as a statement that no link leads to.
    """
    final_of: dict[str, str] = {}

    def final(url: str) -> str:
        if url not in final_of:
            status = site.status(url)
            final_of[url] = status.final_url if status and status.final_url else url
        return final_of[url]

    linked: dict[str, set[str]] = {}
    for page, fact in facts.items():
        for url in fact.get("links", ()):
            linked.setdefault(final(url), set()).add(page)
    statements = {page: fact["statement"] for page, fact in facts.items() if "statement" in fact}

    if statement_url:
        resolved = absolute(site.start_url, statement_url)
        url = final(resolved[0]) if resolved else statement_url
        how = "the configured address ([accessibility_statement] url)"
    elif linked:
        counts = Counter({url: len(pages) for url, pages in linked.items()})
        url = max(counts, key=lambda u: (_names_statement(u, statements), counts[u], u))
        how = f"the link on {len(linked[url])} page{'s' if len(linked[url]) != 1 else ''}"
    elif statements:
        url = min(statements)
        how = "its title (no link leads to it)"
    else:
        return None
    return Statement(url, frozenset(linked.get(url, ())), statements.get(url), how)


def _names_statement(url: str, statements: Mapping[str, Any]) -> bool:
    return url in statements or bool(_STATEMENT_WORD.search(url))


def pages_without_link(site: Site, statement: Statement) -> Iterator[str]:
    """The HTML pages that answered and do not link to the statement (the statement
    itself aside), in URL order."""
    for page in site.pages():
        if (
            page.is_html
            and page.status == 200
            and page.error is None
            and page.url == page.final_url
            and page.url != statement.url
            and page.url not in statement.linked_from
        ):
            yield page.url
