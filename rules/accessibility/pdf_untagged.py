"""pdf-untagged: a PDF without tags, so screen readers get no headings, lists or tables
(WCAG 1.3.1)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rules.analyses.pdf_accessibility import checked_pdfs
from rules.base import Category, Finding, Severity, SiteRule, SuccessCriterion
from rules.site import Site


class PdfUntagged(SiteRule):
    """Report the site's PDFs that are not tagged, whose tag tree is empty, or whose tags are
    not marked as used."""

    id = "pdf-untagged"
    title = "PDF is not tagged for screen readers"
    category = Category.ACCESSIBILITY
    severity = Severity.HIGH
    summary = (
        "Reads each PDF of the site the crawl reaches: a tagged PDF has a structure tree "
        "(StructTreeRoot) naming its headings, paragraphs, lists, tables and images, not "
        "an empty one, and says it uses it (MarkInfo Marked). PDFs dated before 23 September 2018 are marked "
        "as likely exempt and graded low."
    )
    why = (
        "Tags are what screen readers and reflow on phones use to read a PDF. Without them "
        "the document is a flat run of words in whatever order the file stores them: no "
        "headings to jump between, tables read as a jumble of cells, images not announced. "
        "Public sector documents published since 23 September 2018 must meet the "
        "accessibility regulations, and untagged PDFs fail WCAG 1.3.1."
    )
    how_to_fix = (
        "Make the PDF again from its source with tags switched on. In Word use File > Save "
        "As > PDF > Options and tick 'Document structure tags for accessibility' (on a Mac, "
        "File > Save As > PDF, 'Best for electronic distribution and accessibility'). Use "
        "Word's heading styles and real lists and tables so the tags mean something. Better "
        "still, publish the information as a web page. A scanned or very old document may "
        "need tagging by hand in Adobe Acrobat Pro (Accessibility > Autotag Document)."
    )
    references = (
        "https://www.gov.uk/guidance/publishing-accessible-documents",
        "https://www.w3.org/WAI/WCAG22/Understanding/info-and-relationships.html",
        "https://www.gov.uk/guidance/accessibility-requirements-for-public-sector-websites-and-apps",
    )
    wcag = (SuccessCriterion("1.3.1", "A"),)

    @dataclass(frozen=True)
    class Options:
        """pdf-untagged has no options."""

    def check_site(self, site: Site) -> Iterator[Finding]:
        """One finding per PDF without tags, with an empty tag tree, or with tags it does
        not mark as used."""
        for pdf in checked_pdfs(site):
            if not pdf.facts.get("tagged"):
                message = "The PDF is not tagged, so screen readers get no headings or tables"
                yield pdf.finding(self, message, {"problem": "untagged"})
            elif pdf.facts.get("tags_empty"):
                message = "The PDF's tag tree is empty, so screen readers get no structure"
                yield pdf.finding(self, message, {"problem": "empty"})
            elif not pdf.facts.get("marked"):
                message = "The PDF has tags but does not mark them as used (MarkInfo Marked)"
                yield pdf.finding(self, message, {"problem": "not-marked"})
