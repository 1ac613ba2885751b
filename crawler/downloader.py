"""Scrapy's downloader, holding each host to its concurrency.

Scrapy 2.19's download slot hands queued requests on while it has free transfer slots,
but a request counts as transferring only once its download coroutine starts, which
under the asyncio reactor is on a later turn of the loop. So one pass over a slot's queue
hands on every request in it: with `[crawl] concurrency = 2` a site saw 10-19 requests in
flight at once. Here a request counts as transferring from the moment it is handed on;
Scrapy's own `_download` adds it again (a set) and removes it when it is done.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from scrapy import Request
from scrapy.core.downloader import Downloader, Slot
from twisted.internet.defer import Deferred


class PoliteDownloader(Downloader):
    """The downloader of every crawl (the DOWNLOADER setting)."""

    def _wait_for_download(
        self, slot: Slot, request: Request, queue_dfd: Deferred[Any]
    ) -> Coroutine[Any, Any, None]:
        slot.transferring.add(request)
        return super()._wait_for_download(slot, request, queue_dfd)
