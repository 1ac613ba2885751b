"""What the spider asks of the page analyser, the component named by the
SITEAUDIT_PAGE_ANALYSER setting (the audit's is audits.stages.pages.PageStage).

The spider fetches; the analyser parses each HTML page, runs the page rules on it and
reads the links inside PDFs. It is built with `from_crawler(crawler, config)`, the
audit's configuration coming from the crawl plan, so the crawler never imports the rules'
machinery itself. This module imports no Scrapy: the analyser's worker processes load it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from rules.page import Link

LinkFields = tuple[str, str, str, str, str, str]
"""One link of a page, as the page analyser hands it over and the store keeps it: (url,
fragment, text, kind, region, selector), a rules.page.Link's fields. A tuple crosses from
the worker processes in a third of the time a Link takes (unpickled, a Link is built
through its constructor). Not rules.site.LinkRow, a stored link as the site rules read it."""


def link_fields(links: Iterable[Link]) -> tuple[LinkFields, ...]:
    """Links as rows."""
    return tuple([(k.url, k.fragment, k.text, k.kind, k.region, k.selector) for k in links])


class AnalysisError(Exception):
    """A page or document could not be analysed; the message says why, for its record."""


@dataclass(slots=True)
class PageAnalysis:
    """What the page analyser learnt from one page."""

    title: str
    lang: str
    content_hash: str
    links: tuple[LinkFields, ...]
    findings: list[dict[str, Any]] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    rule_errors: list[tuple[str, str]] = field(default_factory=list)


@dataclass(slots=True)
class PdfReading:
    """What a PDF says of itself: the web links inside it, when it was last changed and
    its accessibility (rules.analyses.pdf_accessibility's facts)."""

    links: tuple[Link, ...]
    modified: str | None
    """ISO date from the document's own metadata (ModDate, else CreationDate), if any."""
    accessibility: dict[str, Any] = field(default_factory=dict)


class PageAnalyser(Protocol):
    """The page analyser's side of the bargain."""

    page_rule_ids: tuple[str, ...]
    """The page rules it runs (a page carried over from an earlier run keeps their results)."""

    async def analyse(
        self, url: str, body: bytes, encoding: str, headers: dict[str, str], depth: int
    ) -> PageAnalysis:
        """Analyse one HTML page; raises AnalysisError when it cannot. An empty
        `encoding` asks the analyser to work it out from the body and the Content-Type
        in `headers`, as Scrapy's TextResponse.encoding would."""
        ...

    async def read_pdf(self, url: str, body: bytes) -> PdfReading:
        """Read one PDF's links and date; raises AnalysisError when it cannot."""
        ...

    def close(self) -> None:
        """Let go of whatever it holds (worker processes)."""
        ...
