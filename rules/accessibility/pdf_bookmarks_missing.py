"""pdf-bookmarks-missing: a long PDF with no bookmarks to move around it (WCAG 2.4.5)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rules.analyses.pdf_accessibility import checked_pdfs
from rules.base import Category, Finding, Severity, SiteRule, SuccessCriterion, option
from rules.site import Site


class PdfBookmarksMissing(SiteRule):
    """Report long PDFs without bookmarks (an outline)."""

    id = "pdf-bookmarks-missing"
    title = "Long PDF has no bookmarks"
    category = Category.ACCESSIBILITY
    severity = Severity.MEDIUM
    summary = (
        "Reads each PDF's outline: a document longer than `min_pages` pages (20 by "
        "default) needs bookmarks, the clickable contents a PDF viewer shows beside the "
        "pages. PDFs dated before 23 September 2018 are marked as likely exempt."
    )
    why = (
        "In a long document, bookmarks are how people who use a keyboard, a screen reader "
        "or a screen magnifier find the part they need without paging through all of it. "
        "They are the PDF's way of offering more than one way to find content (WCAG 2.4.5)."
    )
    how_to_fix = (
        "Use Word's heading styles (Heading 1, Heading 2) for the document's sections, then "
        "save as PDF with Options > 'Create bookmarks using: Headings' ticked. In Adobe "
        "Acrobat Pro, bookmarks can be made from the tagged headings (Bookmarks panel > New "
        "Bookmarks from Structure)."
    )
    references = (
        "https://www.gov.uk/guidance/publishing-accessible-documents",
        "https://www.w3.org/WAI/WCAG22/Understanding/multiple-ways.html",
    )
    wcag = (SuccessCriterion("2.4.5", "AA"),)

    @dataclass(frozen=True)
    class Options:
        """Options of pdf-bookmarks-missing."""

        min_pages: int = option(21, "Fewest pages a PDF has before it needs bookmarks")

    def check_site(self, site: Site) -> Iterator[Finding]:
        """One finding per PDF of `min_pages` or more pages without bookmarks."""
        for pdf in checked_pdfs(site):
            pages = pdf.facts.get("pages") or 0
            if pages >= self.options.min_pages and not pdf.facts.get("bookmarks"):
                message = f"The PDF has {pages} pages and no bookmarks to find its sections"
                yield pdf.finding(self, message, {})
