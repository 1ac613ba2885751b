"""Builders for report tests: synthetic runs in a real store, and two tiny rules."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import reports
from audits.stages.report import run_prioritise_stage
from audits.store import Store
from rules.base import Category, PageRule, Severity, SiteRule, option

if TYPE_CHECKING:
    from audits.core.config import ReportConfig

START = "https://council.example.gov.uk/"


class DemoBrokenLink(SiteRule):
    """A stand-in for a links rule."""

    id = "demo-broken-link"
    title = "Broken link"
    category = Category.LINKS
    severity = Severity.HIGH
    summary = "Finds links to pages that do not exist."
    why = "People who follow a broken link\ngive up or phone instead.\n\nThat costs money."
    how_to_fix = "Correct the address or remove the link."
    references = ("https://www.w3.org/WAI/", "javascript:alert('ref')")

    @dataclass(frozen=True)
    class Options:
        """Options."""

        ignore: tuple[str, ...] = option(("mailto",), "Link schemes never checked")
        timeout: float = option(10.0, "Seconds to wait for a reply")


class DemoReadingAge(PageRule):
    """A stand-in for a readability rule."""

    id = "demo-reading-age"
    title = "Hard to read"
    category = Category.READABILITY
    severity = Severity.MEDIUM
    summary = "Estimates the reading age of the main text."
    why = "Many adults read at the level of a nine-year-old."
    how_to_fix = "Use shorter sentences and everyday words."


RULES = (DemoBrokenLink, DemoReadingAge)


def page_row(url: str, **overrides: Any) -> dict[str, Any]:
    """A page as `Store.add_page` takes it."""
    row = {
        "url": url,
        "final_url": url,
        "status": 200,
        "content_type": "text/html",
        "is_html": True,
        "size": 1000,
        "depth": 1,
        "title": "A page",
        "lang": "en-GB",
        "content_hash": "abc",
        "fetched_at": "2025-03-05T14:03:00+00:00",
        "elapsed_ms": 10,
        "error": None,
        "redirects": [],
        "facts": {},
    }
    row.update(overrides)
    return row


def finding_row(
    rule: str = "demo-broken-link",
    url: str = START + "page",
    *,
    category: str = "links",
    severity: str = "high",
    message: str = "This link leads to a page that does not exist.",
    target: str | None = None,
    selector: str | None = "main p > a",
    snippet: str | None = '<a href="/gone">Gone</a>',
    evidence: Mapping[str, Any] | None = None,
    pages: Iterable[str] = (),
    fingerprint: str | None = None,
) -> dict[str, Any]:
    """A finding shaped like `audits.rule_engine.finding_row` output."""
    return {
        "rule": rule,
        "category": category,
        "severity": severity,
        "url": url,
        "target": target,
        "message": message,
        "selector": selector,
        "snippet": snippet,
        "evidence": dict(evidence or {}),
        "pages": list(pages),
        "fingerprint": fingerprint or f"{rule}|{url}|{target}",
    }


class Link:
    """A link as `Store.add_links` takes it."""

    def __init__(self, url: str, kind: str = "a") -> None:
        self.url = url
        self.fragment = ""
        self.text = "link"
        self.kind = kind
        self.region = "main"
        self.selector = "a"


def add_run(
    store: Store,
    findings: Iterable[Mapping[str, Any]],
    *,
    pages: Iterable[str] = (START,),
    links: Mapping[str, Iterable[str]] | None = None,
    depths: Mapping[str, int] | None = None,
    start_url: str = START,
    status: str = "finished",
    config: Mapping[str, Any] | None = None,
    stats: Mapping[str, Any] | None = None,
) -> int:
    """One complete run: pages, links, click depths, findings (and the config and stats
    it recorded)."""
    run_id = store.begin_run(start_url, "0.1.0", dict(config or {}))
    with store.transaction():
        for url in pages:
            store.add_page(run_id, page_row(url))
        for source, targets in (links or {}).items():
            store.add_links(run_id, source, [Link(t) for t in targets])
        if depths:
            store.set_click_depths(run_id, depths)
        store.add_findings(run_id, list(findings))
    store.finish_run(run_id, status, {"pages": 0, **(stats or {})})
    return run_id


def write_reports(
    store: Store,
    run_id: int,
    out: Path,
    rules: Any,
    *,
    config: ReportConfig | None = None,
    formats: Sequence[str] | None = None,
) -> dict[str, Path]:
    """As `siteaudit report` does: the engine's prioritise stage, then the reports, which
    get a store opened read-only, so SQLite refuses any write they might try."""
    run_prioritise_stage(store, run_id, config)
    reader = Store(store.path, read_only=True)
    try:
        return reports.write_reports(reader, run_id, out, rules, config=config, formats=formats)
    finally:
        reader.close()
