"""pdf-title-missing: a PDF with no real title, or one the viewer does not show (WCAG 2.4.2)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rules.analyses.pdf_accessibility import checked_pdfs, file_name_title
from rules.base import Category, Finding, Severity, SiteRule, SuccessCriterion
from rules.site import Site


class PdfTitleMissing(SiteRule):
    """Report PDFs without a title, with a file name for a title, or not showing their title."""

    id = "pdf-title-missing"
    title = "PDF has no title, or does not show it"
    category = Category.ACCESSIBILITY
    severity = Severity.MEDIUM
    summary = (
        "Reads each PDF's metadata: it needs a title (Title in its document properties), "
        "one that is not a file name or a placeholder such as 'Microsoft Word - plan.docx', "
        "and the setting that makes viewers show it instead of the file name "
        "(DisplayDocTitle). PDFs dated before 23 September 2018 are marked as likely exempt."
    )
    why = (
        "A screen reader announces a document's title when it opens, and the title names "
        "its window or tab. Without one, people hear a file name such as 'LP-2024-v3-final' "
        "and cannot tell which of several open documents is which (WCAG 2.4.2)."
    )
    how_to_fix = (
        "Give the document a title in its source: in Word, File > Info > Properties > Title "
        "(for example 'Local plan summary 2025'), then export to PDF again. In Adobe "
        "Acrobat, File > Properties: type the Title on the Description tab, and on the "
        "Initial View tab set 'Show' to 'Document Title'."
    )
    references = (
        "https://www.gov.uk/guidance/publishing-accessible-documents",
        "https://www.w3.org/WAI/WCAG22/Understanding/page-titled.html",
    )
    wcag = (SuccessCriterion("2.4.2", "A"),)

    @dataclass(frozen=True)
    class Options:
        """pdf-title-missing has no options."""

    def check_site(self, site: Site) -> Iterator[Finding]:
        """At most one finding per PDF: the first of no title, a file name, a hidden title."""
        for pdf in checked_pdfs(site):
            title = pdf.facts.get("title")
            if not title:
                yield pdf.finding(self, "The PDF has no title", {"problem": "missing"})
            elif file_name_title(title):
                message = f'The PDF\'s title is a file name or placeholder: "{title}"'
                yield pdf.finding(self, message, {"problem": "file-name", "title": title})
            elif not pdf.facts.get("display_title"):
                message = (
                    f'The PDF\'s title "{title}" is not shown: viewers show its file name '
                    "(DisplayDocTitle is not set)"
                )
                yield pdf.finding(self, message, {"problem": "not-shown", "title": title})
