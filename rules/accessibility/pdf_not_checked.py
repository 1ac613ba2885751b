"""pdf-not-checked: a PDF the crawl reached but could not check for accessibility."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rules.analyses.pdf_accessibility import unchecked_pdfs
from rules.base import Category, Finding, Severity, SiteRule
from rules.site import Site


class PdfNotChecked(SiteRule):
    """Note each PDF that could not be read for the pdf-* checks, and why."""

    id = "pdf-not-checked"
    title = "PDF could not be checked for accessibility"
    category = Category.ACCESSIBILITY
    severity = Severity.INFO
    summary = (
        "A note, not a problem: the PDF is larger than `[crawl] max_pdf_bytes` (20 MB by "
        "default), took longer than `[crawl] pdf_timeout` to read (15 s), is protected "
        "with a password, or is damaged. None of the pdf-* checks ran on it."
    )
    why = (
        "The report can only vouch for the documents it read. A PDF too large or too "
        "broken to read by software is often hard for assistive technology too, and still "
        "needs checking by a person."
    )
    how_to_fix = (
        "Open the PDF and check it by hand (Adobe Acrobat Pro: Accessibility > Full Check), "
        "or raise the limit in the configuration if the file is simply large. A very large "
        "PDF is slow to download on a phone: consider splitting it, or publishing it as "
        "web pages."
    )
    references = ("https://www.gov.uk/guidance/publishing-accessible-documents",)

    @dataclass(frozen=True)
    class Options:
        """pdf-not-checked has no options."""

    def check_site(self, site: Site) -> Iterator[Finding]:
        """One note per PDF that could not be checked."""
        for url, why in unchecked_pdfs(site):
            yield self.finding(url, f"Not checked: {why}", evidence={"reason": why})
