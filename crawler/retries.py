"""Asking again when an answer may be passing, so that verdicts don't cry wolf.

- A server error (5xx) or rate limit (429) is asked again SITEAUDIT_RETRIES times
  (`[crawl] retries`), waiting 1 s, 2 s, 4 s... or what its Retry-After header asks, up to
  SITEAUDIT_MAX_RETRY_AFTER: a longer ask is taken as the answer.
- A refusal that may be bot protection (401, 403, 999) is asked once more, at once, with
  a browser's user agent.

Scrapy's retry middleware retries at once and ignores Retry-After; it keeps only the
network errors (RETRY_TIMES), and HTTP statuses are retried here.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response

# Answers that often mean "not for robots" rather than "not here".
REFUSALS = frozenset({401, 403, 999})
# Asked once more with this, when a server refuses our own user agent.
BROWSER_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0 Safari/537.36"
)


@dataclass(frozen=True)
class Retry:
    """The request to send again, and how many seconds to wait first."""

    request: Request
    wait: float


class Retries:
    """Decides whether, and when, an error answer is asked again."""

    def __init__(self, retries: int, max_retry_after: float) -> None:
        self.retries = retries
        self.max_retry_after = max_retry_after

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Retries:
        settings = crawler.settings
        return cls(
            settings.getint("SITEAUDIT_RETRIES"), settings.getfloat("SITEAUDIT_MAX_RETRY_AFTER")
        )

    def retry_of(self, response: Response) -> Retry | None:
        """The retry an answer calls for, or None when the answer stands."""
        request, meta, status = response.request, response.meta, response.status
        if request is None or status < 400:
            return None
        tries = meta.get("tries", 0)
        if status in REFUSALS and not meta.get("browser_ua"):
            retry = again(request)
            retry.meta["browser_ua"] = True
            retry.headers["User-Agent"] = BROWSER_USER_AGENT
            wait = 0.0
        elif (status == 429 or status >= 500) and tries < self.retries:
            asked = retry_after(response.headers.get("Retry-After", b"").decode("latin-1"))
            wait = asked if asked is not None else float(2**tries)
            if wait > self.max_retry_after:
                return None
            retry = again(request)
        else:
            return None
        retry.meta["tries"] = tries + 1
        return Retry(retry, wait)

    async def retry(self, response: Response) -> Request | None:
        """The request to send again once its wait is over, or None."""
        retry = self.retry_of(response)
        if retry is None:
            return None
        if retry.wait:
            await asyncio.sleep(retry.wait)
        return retry.request


def again(request: Request, **changes: Any) -> Request:
    """A copy of a request to send again, without what Scrapy noted on the first sending."""
    retry = request.replace(dont_filter=True, **changes)
    retry.meta.pop("download_latency", None)
    return retry


def retry_after(value: str) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
