"""Reading what was fetched: HTML pages are analysed (links, page rules) and PDFs read for
the links inside them, so that pages and forms only a document leads to are found, and for
their accessibility (tags, title, language, text, bookmarks: the pdf-* rules' facts).

The page analyser does the work (in its worker processes: parsing is CPU work); this puts
what it found, or why it could not, into the fetched record, whose links the spider then
follows.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import StopDownload
from scrapy.http import Response, TextResponse

from crawler.analyser import AnalysisError, PageAnalyser, link_fields
from crawler.items import PageItem
from crawler.responses import content_type, headers
from rules.analyses.pdf_accessibility import PDF_FACT
from rules.site import DOCUMENT_DATE_FACT

DEFAULT_MAX_PDF_BYTES = 20 * 1024 * 1024


def is_pdf(response: Response) -> bool:
    """A PDF by its first bytes or its Content-Type."""
    return response.body[:5] == b"%PDF-" or content_type(response) == "application/pdf"


def named_pdf(url: str) -> bool:
    """A link target whose name says PDF: fetched whole (GET), not only checked (HEAD)."""
    return url.lower().endswith(".pdf")


class PdfDownloads:
    """A PDF of the site's own is downloaded up to `max_bytes` whatever the page download
    limit (DOWNLOAD_MAXSIZE), and one that is larger is cut there and kept (its response
    flagged "download_stopped"), not abandoned: a large PDF is a document too large to
    check, not a broken link. A PDF is known by its name or, for a page address, by the
    Content-Type it is served with. A compressed answer keeps the page limit, which bounds
    inflating it.

    The bytes are counted only while a PDF is being downloaded: Scrapy calls every
    listener of bytes_received for every chunk of every body (and skips the signal when
    none listens: crawler/quiet_signals.py)."""

    def __init__(self, crawler: Crawler, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.signals = crawler.signals
        self.signals.connect(self._headers_received, signal=signals.headers_received)
        self._downloading: set[Request] = set()
        """The PDF requests whose answers are being downloaded."""

    def _headers_received(
        self, headers: Any, body_length: int, request: Request, spider: Any
    ) -> None:
        meta = request.meta
        own = meta.get("siteaudit") in ("page", "check") and meta.get("internal", True)
        if request.method != "GET" or not own or headers.get("Content-Encoding"):
            return
        served = (headers.get("Content-Type") or b"").split(b";")[0].strip().lower()
        if named_pdf(request.url) or served == b"application/pdf":
            meta["download_maxsize"] = 0
            meta["pdf_bytes"] = 0  # a new answer (the request may be a retry)
            if not self._downloading:
                self.signals.connect(self._bytes_received, signal=signals.bytes_received)
                self.signals.connect(self._left, signal=signals.request_left_downloader)
            self._downloading.add(request)

    def _bytes_received(self, data: bytes, request: Request, spider: Any) -> None:
        if "pdf_bytes" in request.meta:
            request.meta["pdf_bytes"] += len(data)
            if request.meta["pdf_bytes"] > self.max_bytes:
                raise StopDownload(fail=False)

    def _left(self, request: Request, spider: Any) -> None:
        """A request is out of the downloader, answered or failed: its bytes are in."""
        downloading = self._downloading
        if request in downloading:
            downloading.discard(request)
            if not downloading:
                self.signals.disconnect(self._bytes_received, signal=signals.bytes_received)
                self.signals.disconnect(self._left, signal=signals.request_left_downloader)


class Reader:
    """Fills in a fetched record from what the page analyser reads in its body."""

    def __init__(self, analyser: PageAnalyser, max_pdf_bytes: int = DEFAULT_MAX_PDF_BYTES) -> None:
        self.analyser = analyser
        self.max_pdf_bytes = max_pdf_bytes

    async def page(self, response: Response, item: PageItem) -> None:
        """Analyse an HTML page: its title, links, findings and facts."""
        try:
            analysis = await self.analyser.analyse(
                item.final_url,
                response.body,
                _encoding(response),
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
        """Read a PDF: the web links inside it, its own date and its accessibility. One
        larger than `max_pdf_bytes`, or that cannot be read, is noted as not checked."""
        size = len(response.body)
        if size > self.max_pdf_bytes or "download_stopped" in response.flags:
            item.facts[PDF_FACT] = {
                "unchecked": f"the PDF is larger than {_megabytes(self.max_pdf_bytes)}, the "
                "most siteaudit reads ([crawl] max_pdf_bytes)"
            }
            return
        try:
            reading = await self.analyser.read_pdf(item.final_url, response.body)
        except AnalysisError as exc:
            item.error = str(exc)
            item.facts[PDF_FACT] = {"unchecked": str(exc)}
            return
        item.links = link_fields(reading.links)
        item.facts[PDF_FACT] = reading.accessibility
        if reading.modified:
            item.facts[DOCUMENT_DATE_FACT] = {"date": reading.modified, "source": "PDF metadata"}


def _encoding(response: Response) -> str:
    """The encoding to read a page in, for the page analyser: empty when the analyser is
    to work it out (audits.stages.pages.sniffed_encoding, in the worker processes: Scrapy's
    TextResponse.encoding sniffs the body for a <meta charset> in the crawler's process),
    which it can from the one Content-Type header it is given. A response that is not
    text is read as UTF-8."""
    if not isinstance(response, TextResponse):
        return "utf-8"
    if len(dict.get(response.headers, b"Content-Type") or ()) > 1:
        return response.encoding  # the last of several headers counts: worked out here
    return ""


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.3g} MB"
