"""past-financial-year: pages whose newest financial year is long gone ("2019/20")."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate
from typing import NamedTuple

from rules.analyses.dates import (
    PastDateOptions,
    as_of_date,
    describe_year_pair,
    financial_year_of,
    find_year_pairs,
    is_archive,
    main_text_years,
)
from rules.analyses.prose import clip, main_lines, sentence_around
from rules.base import Category, Finding, PageRule, Severity, option
from rules.page import Page

MAX_EXAMPLES = 5
# Where a reference counts most: a title or heading says what the whole page is about.
_PROMINENT = ("title", "heading")


class YearReference(NamedTuple):
    """A financial or school year named on a page, and where."""

    first_year: int
    written: str
    where: str
    sentence: str


def find_year_references(page: Page) -> list[YearReference]:
    """Every financial or school year the title, headings and main text name."""
    found = [
        YearReference(first, written, "title", page.title)
        for first, written, _ in find_year_pairs(page.title)
    ]
    # One search over the whole text, one block to a line; each hit's line says its kind.
    blocks = page.main_blocks
    text = main_lines(page)
    starts = list(accumulate((len(b.text) + 1 for b in blocks[:-1]), initial=0))
    for first, written, offset in find_year_pairs(text, main_text_years(page)):
        block = blocks[bisect_right(starts, offset) - 1]
        where = "heading" if block.kind == "heading" else "text"
        found.append(YearReference(first, written, where, sentence_around(text, offset)))
    return found


class PastFinancialYear(PageRule):
    """Flag pages whose most recent financial year is well in the past."""

    id = "past-financial-year"
    title = "Page is about a past financial year"
    category = Category.FRESHNESS
    severity = Severity.MEDIUM
    summary = (
        "Finds financial and school years named in the title, headings and text ('2019/20', "
        "'2019-20', '2019 to 2020') and flags pages whose most recent one is older than the "
        "previous financial year, so a page about council tax for 2019/20 is found but an "
        "annual report for last year is not. Archive and history pages are left out."
    )
    why = (
        "Charges, budgets, term dates and eligibility rules change every year. A page that "
        "still talks about a year long gone is probably giving out-of-date amounts or "
        "dates, and people cannot tell which parts still apply."
    )
    how_to_fix = (
        "Update the page for the current year: amounts, dates and the year in its title and "
        "headings. If it is kept only for the record, move it into the archive section, or "
        "say at the top which year it covers and link to the current page. GOV.UK style "
        "writes a financial year as '2025 to 2026'."
    )
    references = (
        "https://www.gov.uk/guidance/style-guide/a-to-z-of-gov-uk-style",
        "https://guidance.publishing.service.gov.uk/writing-to-gov-uk-standards/plan-manage-content/retire-content",
    )

    @dataclass(frozen=True)
    class Options(PastDateOptions):
        """Options of past-financial-year."""

        allowed_past_years: int = option(
            1,
            "How many financial years back the newest year on a page may be before it is "
            "flagged (1: last year's annual report is fine, the year before is not)",
        )

    def applies_to(self, page: Page) -> bool:
        """Every page except archives."""
        return not is_archive(page.url, page.title, self.options.archive_patterns)

    def check_page(self, page: Page) -> Iterator[Finding]:
        """Yield one finding when the newest year the page names is too old."""
        references = find_year_references(page)
        if not references:
            return
        current = financial_year_of(as_of_date(self.options.as_of))
        newest = max(r.first_year for r in references)
        if newest >= current - self.options.allowed_past_years:
            return
        # Prominent references first: a title or heading shows what the page is about.
        references.sort(key=lambda r: (r.where not in _PROMINENT, -r.first_year))
        first = references[0]
        where = {"title": "in its title", "heading": "in a heading"}.get(first.where, "")
        yield self.finding(
            page.url,
            f'The page names the year "{first.written}"{" " + where if where else ""} and no '
            f"year after {describe_year_pair(newest)}; the current financial year is "
            f"{describe_year_pair(current)}",
            severity=Severity.MEDIUM if first.where in _PROMINENT else Severity.LOW,
            evidence={
                "newest_year": describe_year_pair(newest),
                "current_year": describe_year_pair(current),
                "references": [
                    {"year": r.written, "where": r.where, "sentence": clip(r.sentence)}
                    for r in references[:MAX_EXAMPLES]
                ],
                "count": len(references),
            },
        )
