"""What the spider hands the store pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crawler.analyser import LinkFields
from rules.site import TrapHit


@dataclass(slots=True)
class PageItem:
    """One in-scope URL fetched: an HTML page (with its analysis) or a document."""

    url: str
    final_url: str
    status: int | None
    content_type: str = ""
    is_html: bool = False
    size: int = 0
    depth: int = 0
    title: str = ""
    lang: str = ""
    content_hash: str | None = None
    fetched_at: str = ""
    elapsed_ms: int | None = None
    error: str | None = None
    redirects: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    links: tuple[LinkFields, ...] = ()
    findings: list[dict[str, Any]] = field(default_factory=list)
    rule_errors: list[tuple[str, str]] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None


@dataclass(slots=True)
class ReusedPageItem:
    """A page the server says is unchanged (304): its results come from an earlier run."""

    url: str
    previous_run: int
    depth: int
    fetched_at: str
    page_rules: tuple[str, ...]


@dataclass(slots=True)
class LinkStatusItem:
    """The outcome of checking one external link target."""

    url: str
    status: int | None
    error: str | None
    final_url: str
    checked_at: str = ""
    cached: bool = False


@dataclass(slots=True)
class SitemapItem:
    """URLs (with lastmod) listed by one sitemap."""

    entries: list[tuple[str, str | None]]


@dataclass(slots=True)
class TrapItem:
    """A URL family the crawl stopped following."""

    hit: TrapHit
