"""Reading what was fetched: HTML pages are analysed (links, page rules) and PDFs read for
the links inside them, so that pages and forms only a document leads to are found.

The page analyser does the work (in its worker processes: parsing is CPU work); this puts
what it found, or why it could not, into the fetched record, whose links the spider then
follows.
"""

from __future__ import annotations

from scrapy.http import Response

from crawler.analyser import AnalysisError, PageAnalyser
from crawler.items import PageItem
from crawler.responses import content_type, headers
from rules.site import DOCUMENT_DATE_FACT


def is_pdf(response: Response) -> bool:
    """A PDF by its first bytes or its Content-Type."""
    return response.body[:5] == b"%PDF-" or content_type(response) == "application/pdf"


def named_pdf(url: str) -> bool:
    """A link target whose name says PDF: fetched whole (GET), not only checked (HEAD)."""
    return url.lower().endswith(".pdf")


class Reader:
    """Fills in a fetched record from what the page analyser reads in its body."""

    def __init__(self, analyser: PageAnalyser) -> None:
        self.analyser = analyser

    async def page(self, response: Response, item: PageItem) -> None:
        """Analyse an HTML page: its title, links, findings and facts."""
        try:
            analysis = await self.analyser.analyse(
                item.final_url,
                response.body,
                getattr(response, "encoding", None) or "utf-8",
                headers(response),
                response.meta["depth"],
            )
        except AnalysisError as exc:
            item.error = str(exc)
            return
        item.title, item.lang = analysis.title, analysis.lang
        item.content_hash = analysis.content_hash
        item.links, item.findings = analysis.links, analysis.findings
        item.facts, item.rule_errors = analysis.facts, analysis.rule_errors

    async def pdf(self, response: Response, item: PageItem) -> None:
        """Read a PDF: the web links inside it, and its own date."""
        try:
            reading = await self.analyser.read_pdf(item.final_url, response.body)
        except AnalysisError as exc:
            item.error = str(exc)
            return
        item.links = reading.links
        if reading.modified:
            item.facts[DOCUMENT_DATE_FACT] = {"date": reading.modified, "source": "PDF metadata"}
