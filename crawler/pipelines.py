"""StorePipeline: writes everything the spider yields into the audit store, in batches."""

from __future__ import annotations

import time
from typing import Any

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from audits import __version__
from audits.store import Store
from crawler.items import LinkStatusItem, PageItem, ReusedPageItem, SitemapItem, TrapItem

# One transaction per this many items or seconds, whichever comes first: per-row commits
# would cost more than the crawl itself.
_BATCH_ITEMS = 200
_BATCH_SECONDS = 1.0


class StorePipeline:
    """Batches items and writes them to the store named by the SITEAUDIT_STORE setting.

    The CLI opens the run and passes its id in SITEAUDIT_RUN_ID; a bare `scrapy crawl site`
    opens a run of its own in `siteaudit-crawl.db`.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.path = crawler.settings.get("SITEAUDIT_STORE") or "siteaudit-crawl.db"
        self.run_id: int | None = crawler.settings.getint("SITEAUDIT_RUN_ID") or None
        self.batch: list[Any] = []
        self.last_flush = time.monotonic()
        self.store: Store | None = None
        self.counts: ItemCounts | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.store = Store(self.path)
        if self.run_id is None:
            spider = self.crawler.spider
            self.run_id = self.store.begin_run(spider.start_url, __version__, {})  # type: ignore[union-attr]

    def close_spider(self) -> None:
        self.flush()
        if self.store is not None:
            self.store.close()

    def process_item(self, item: Any) -> Any:
        if self.counts is None:
            assert self.crawler.stats is not None
            self.counts = ItemCounts(self.crawler.stats)
        self.counts.count(item)
        self.batch.append(item)
        if len(self.batch) >= _BATCH_ITEMS or time.monotonic() - self.last_flush > _BATCH_SECONDS:
            self.flush()
        return item

    def flush(self) -> None:
        """Write the batch in one transaction."""
        batch, self.batch = self.batch, []
        self.last_flush = time.monotonic()
        if not batch or self.store is None or self.run_id is None:
            return
        write_items(self.store, self.run_id, batch)


class ItemCounts:
    """The crawl's running totals, for the progress line and the run's summary: HTML pages
    (`siteaudit/pages_html`) and other URLs in scope (`siteaudit/urls_other`), each URL
    counted as the store keeps it.

    A URL first met as a form action or an embed is checked as a file; met later as a
    link, it is crawled as a page (crawler/frontier.py), and the store's row for it becomes
    the page's. Its file record was counted by then (the demo's /search, a search form's
    action and a link: 17 files counted, 16 stored), so it leaves the files' count here.

    With `any_order` (a shared crawl's coordinator, storing what several workers send as
    it comes) the file's record may come after the page's: the store keeps the page's
    row, and the file is not counted."""

    def __init__(self, stats: StatsCollector, *, any_order: bool = False) -> None:
        self.stats = stats
        self._files: set[str] = set()
        """The URLs counted under siteaudit/urls_other."""
        self._pages: set[str] | None = set() if any_order else None
        """With `any_order`, the URLs counted under siteaudit/pages_html."""

    def count(self, item: Any) -> None:
        stats = self.stats
        if isinstance(item, ReusedPageItem):
            stats.inc_value("siteaudit/pages_html")
            stats.inc_value("siteaudit/pages_reused")
        elif isinstance(item, PageItem):
            files = self._files
            pages = self._pages
            if item.is_html:
                stats.inc_value("siteaudit/pages_html")
                if pages is not None:
                    pages.add(item.url)
                if item.url in files:
                    files.discard(item.url)
                    stats.inc_value("siteaudit/urls_other", -1)
            elif item.url not in files and (pages is None or item.url not in pages):
                files.add(item.url)
                stats.inc_value("siteaudit/urls_other")
            stats.inc_value("siteaudit/findings", len(item.findings))


def write_items(store: Store, run_id: int, batch: list[Any]) -> None:
    """Write items to the store in one transaction."""
    reused: list[ReusedPageItem] = []
    with store.transaction():
        for item in batch:
            if isinstance(item, PageItem):
                store.add_page(
                    run_id,
                    {
                        "url": item.url,
                        "final_url": item.final_url,
                        "status": item.status,
                        "content_type": item.content_type,
                        "is_html": item.is_html,
                        "size": item.size,
                        "depth": item.depth,
                        "title": item.title,
                        "lang": item.lang,
                        "content_hash": item.content_hash,
                        "fetched_at": item.fetched_at,
                        "elapsed_ms": item.elapsed_ms,
                        "error": item.error,
                        "redirects": item.redirects,
                        "facts": item.facts,
                        "etag": item.etag,
                        "last_modified": item.last_modified,
                    },
                )
                if item.links:
                    store.add_link_rows(run_id, item.url, item.links)
                if item.findings:
                    store.add_findings(run_id, item.findings)
                for rule_id, error in item.rule_errors:
                    store.add_rule_error(run_id, rule_id, item.url, error)
            elif isinstance(item, ReusedPageItem):
                reused.append(item)
            elif isinstance(item, LinkStatusItem):
                store.add_link_status(
                    run_id,
                    item.url,
                    item.status,
                    item.error,
                    item.final_url,
                    checked_at=item.checked_at or None,
                    cached=item.cached,
                )
            elif isinstance(item, SitemapItem):
                store.add_sitemap_urls(run_id, item.entries)
            elif isinstance(item, TrapItem):
                store.add_trap(run_id, item.hit)
        if reused:
            store.reuse_pages(
                run_id,
                reused[0].previous_run,
                [(item.url, item.depth, item.fetched_at) for item in reused],
                reused[0].page_rules,
            )
