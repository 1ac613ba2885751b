"""Scrapy's log messages, without the one per response and the one per item."""

from __future__ import annotations

from typing import Any

from scrapy.logformatter import LogFormatter, LogFormatterResult


class QuietLogFormatter(LogFormatter):
    """Leaves out "Crawled (200) ..." and "Scraped from ...": DEBUG lines that an audit's
    log (INFO) never shows, yet cost a log record each (with the response's flags and
    referer, and the item's repr, worked out); errors and dropped items are logged as
    Scrapy logs them."""

    def crawled(self, *args: Any, **kwargs: Any) -> LogFormatterResult | None:  # type: ignore[override]
        return None

    def scraped(self, *args: Any, **kwargs: Any) -> LogFormatterResult | None:  # type: ignore[override]
        return None
