"""pdf-language-missing: a PDF that does not say which language it is in (WCAG 3.1.1)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rules.analyses.languages import language_problem
from rules.analyses.pdf_accessibility import checked_pdfs
from rules.base import Category, Finding, Severity, SiteRule, SuccessCriterion
from rules.site import Site


class PdfLanguageMissing(SiteRule):
    """Report PDFs with no document language (/Lang), or one that names no language."""

    id = "pdf-language-missing"
    title = "PDF does not say which language it is in"
    category = Category.ACCESSIBILITY
    severity = Severity.MEDIUM
    summary = (
        "Reads each PDF's document language (Lang in its catalogue), judged as the page "
        "rule document-language-missing judges an HTML lang attribute: missing, empty and "
        "invalid codes are reported. PDFs dated before 23 September 2018 are marked as "
        "likely exempt."
    )
    why = (
        "Screen readers choose their voice and pronunciation from the document's language. "
        "Without it, a PDF is read with whatever language the reader's software assumes, "
        "which makes Welsh or English hard to follow when the guess is wrong (WCAG 3.1.1)."
    )
    how_to_fix = (
        "Set the language in the source before exporting: in Word, Review > Language > Set "
        "Proofing Language (English (United Kingdom), or Welsh), then save as PDF again. In "
        "Adobe Acrobat, File > Properties > Advanced > Reading Options > Language."
    )
    references = (
        "https://www.gov.uk/guidance/publishing-accessible-documents",
        "https://www.w3.org/WAI/WCAG22/Understanding/language-of-page.html",
    )
    wcag = (SuccessCriterion("3.1.1", "A"),)

    @dataclass(frozen=True)
    class Options:
        """pdf-language-missing has no options."""

    def check_site(self, site: Site) -> Iterator[Finding]:
        """At most one finding per PDF: its language is missing, empty or invalid."""
        for pdf in checked_pdfs(site):
            lang = pdf.facts.get("lang")
            problem = language_problem(lang)
            if problem == "invalid":
                message = f'The PDF\'s language "{lang}" is not a valid language code'
            elif problem is not None:
                message = "The PDF does not say which language it is in"
            else:
                continue
            yield pdf.finding(self, message, {"problem": problem, "lang": lang})
