"""Politeness per host: how many requests at once, and how far apart.

- The site's own hosts get `[crawl] concurrency` and `delay` (SITEAUDIT_CONCURRENCY,
  SITEAUDIT_DELAY); every other host the smaller external allowance
  (CONCURRENT_REQUESTS_PER_DOMAIN, DOWNLOAD_DELAY).
- A robots.txt Crawl-delay slows its host down, up to SITEAUDIT_MAX_CRAWL_DELAY on the
  site's hosts (said on the console and kept for the report) and SITEAUDIT_MAX_RETRY_AFTER
  elsewhere.
- Checks of external targets are admitted a few per host at a time, the rest wait their
  turn here (see `admit`).
"""

from __future__ import annotations

import logging
import sys
from collections import Counter, defaultdict, deque

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider

from audits.core.runnotes import CRAWL_DELAY_ASKED, CRAWL_DELAY_USED, crawl_delay_line
from rules.urls import host_of

logger = logging.getLogger(__name__)


class Throttle:
    """Download-slot settings per host and the external hosts' queue of checks."""

    def __init__(
        self,
        crawler: Crawler,
        *,
        site_concurrency: int,
        site_delay: float,
        external_concurrency: int,
        max_crawl_delay: float,
        max_retry_after: float,
        shared: bool = False,
        progress: bool = False,
    ) -> None:
        self.crawler = crawler
        self.site_concurrency = site_concurrency
        self.site_delay = site_delay
        self.external_concurrency = external_concurrency
        self.max_crawl_delay = max_crawl_delay
        self.max_retry_after = max_retry_after
        self.shared = shared
        """A worker of a crawl shared through Redis: any worker may answer a request it
        queues, so it cannot count checks in flight (each worker's download slots bound
        them instead)."""
        self.progress = progress
        self.external_checks: Counter[str] = Counter()
        self.external_waiting: defaultdict[str, deque[Request]] = defaultdict(deque)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Throttle:
        settings = crawler.settings
        throttle = cls(
            crawler,
            site_concurrency=settings.getint("SITEAUDIT_CONCURRENCY"),
            site_delay=settings.getfloat("SITEAUDIT_DELAY"),
            external_concurrency=settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"),
            max_crawl_delay=settings.getfloat("SITEAUDIT_MAX_CRAWL_DELAY"),
            max_retry_after=settings.getfloat("SITEAUDIT_MAX_RETRY_AFTER"),
            shared=bool(settings.get("SITEAUDIT_JOB")),
            progress=settings.getbool("SITEAUDIT_PROGRESS"),
        )
        crawler.signals.connect(throttle.spider_idle, signal=signals.spider_idle)
        return throttle

    # -- download slots ---------------------------------------------------------------

    def site_host(self, host: str) -> None:
        """`host` is one of the site's own: the configured concurrency and delay."""
        downloader = self.crawler.engine.downloader
        key = host.split(":")[0]
        downloader.per_slot_settings[key] = {
            "concurrency": self.site_concurrency,
            "delay": self.site_delay,
        }
        slot = downloader.slots.get(key)
        if slot is not None:
            slot.concurrency, slot.delay = self.site_concurrency, self.site_delay

    def slow_down(self, host: str, delay: float) -> None:
        """At least `delay` seconds between requests to `host`, now and after its idle
        download slot is recycled."""
        downloader = self.crawler.engine.downloader
        key = host.split(":")[0]
        settings = downloader.per_slot_settings.setdefault(key, {})
        if delay > settings.get("delay", 0.0):
            settings["delay"] = delay
            logger.info("%s asks for %.1f s between requests", host, delay)
        slot = downloader.slots.get(key)
        if slot is not None and delay > slot.delay:
            slot.delay = delay

    def crawl_delay(self, host: str, asked: float, *, internal: bool) -> float:
        """Honour a robots.txt Crawl-delay, within bounds; the delay used. The site's own
        slowing down is said on the console and kept for the report's notes."""
        used = min(asked, self.max_crawl_delay if internal else self.max_retry_after)
        self.slow_down(host, used)
        if internal:
            stats = self.crawler.stats
            assert stats is not None
            stats.max_value(CRAWL_DELAY_ASKED, asked)
            stats.max_value(CRAWL_DELAY_USED, used)
            if self.progress:
                clear = "\r\033[K" if sys.stderr.isatty() else ""  # the progress line, if any
                print(clear + crawl_delay_line(host, asked, used), file=sys.stderr, flush=True)
        return used

    # -- checks of external targets ---------------------------------------------------

    # Checks of other people's servers wait their turn here, `external_concurrency` per
    # host, rather than in the downloader's queues. crawler/downloader.py bounds every
    # host's transfers too, but the downloader counts the requests waiting in its
    # per-host queues among CONCURRENT_REQUESTS (`needs_backout`): a page with dozens of
    # links to one slow host would fill it and hold up the site's own pages.

    def admit(self, request: Request) -> Request | None:
        """The request, if its host has a check to spare; else None (it waits its turn,
        and `release` sends it)."""
        if self.shared:
            return request
        host = host_of(request.url)
        if self.external_checks[host] < self.external_concurrency:
            self.external_checks[host] += 1
            return request
        self.external_waiting[host].append(request)
        return None

    def release(self, url: str) -> None:
        """A check of an external target is over: send the host's next waiting one."""
        if self.shared:
            return
        host = host_of(url)
        if self.external_waiting[host]:
            self.crawler.engine.crawl(self.external_waiting[host].popleft())
        else:
            self.external_checks[host] = max(0, self.external_checks[host] - 1)

    def spider_idle(self) -> None:
        """Never close with checks still waiting (a safety net: releases send them)."""
        waiting = [host for host, queue in self.external_waiting.items() if queue]
        for host in waiting:
            self.crawler.engine.crawl(self.external_waiting[host].popleft())
        if waiting:
            raise DontCloseSpider
