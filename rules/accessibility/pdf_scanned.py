"""pdf-scanned: a PDF whose pages are pictures of text, with no text to read out
(WCAG 1.1.1, 1.4.5)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rules.analyses.pdf_accessibility import SAMPLED_PAGES, checked_pdfs
from rules.base import Category, Finding, Severity, SiteRule, SuccessCriterion
from rules.site import Site


class PdfScanned(SiteRule):
    """Report PDFs most of whose pages are images with no text on them: scans."""

    id = "pdf-scanned"
    title = "PDF is a scan: pictures of text, no text"
    category = Category.ACCESSIBILITY
    severity = Severity.HIGH
    summary = (
        "Looks at up to "
        f"{SAMPLED_PAGES} pages of each PDF, spread over the document: a page that shows an "
        "image and no text at all is a scan. A PDF is reported when more than half the "
        "pages looked at are. PDFs dated before 23 September 2018 are marked as likely exempt."
    )
    why = (
        "A scanned page is a photograph of text. Screen readers have nothing to read out, "
        "the words cannot be searched, copied, enlarged without blurring or read aloud, and "
        "people who change colours or fonts to read cannot (WCAG 1.1.1 and 1.4.5)."
    )
    how_to_fix = (
        "Publish the original document instead of a scan of it: export it from Word (with "
        "'Document structure tags for accessibility' ticked), or better, put the "
        "information on a web page. If only the paper original exists, run text "
        "recognition on it (Adobe Acrobat: Scan & OCR > Recognise text), check the text it "
        "finds, and tag the result."
    )
    references = (
        "https://www.gov.uk/guidance/publishing-accessible-documents",
        "https://www.w3.org/WAI/WCAG22/Understanding/images-of-text.html",
    )
    wcag = (SuccessCriterion("1.1.1", "A"), SuccessCriterion("1.4.5", "AA"))

    @dataclass(frozen=True)
    class Options:
        """pdf-scanned has no options."""

    def check_site(self, site: Site) -> Iterator[Finding]:
        """One finding per PDF more than half of whose looked-at pages are images only."""
        for pdf in checked_pdfs(site):
            scanned = pdf.facts.get("image_only_pages") or []
            looked_at = pdf.facts.get("sampled_pages") or 0
            if not looked_at or len(scanned) * 2 <= looked_at:
                continue
            message = (
                f"{len(scanned)} of the {looked_at} pages looked at are images with no text "
                "(a scan): screen readers have nothing to read"
            )
            evidence = {"image_only_pages": scanned[:20], "sampled_pages": looked_at}
            yield pdf.finding(self, message, evidence)
