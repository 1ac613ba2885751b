"""Downloader middleware: staging credentials go to the credential hosts and nowhere else;
robots.txt is read as RFC 9309 asks; a gzipped body is inflated in one call."""

from __future__ import annotations

import asyncio
import logging
import zlib
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest, StopDownload
from scrapy.http import Response
from scrapy.responsetypes import responsetypes
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from audits.core.runnotes import ROBOTS_UNAVAILABLE_STAT
from rules.site import ROBOTS_UNAVAILABLE

logger = logging.getLogger(__name__)

ROBOTS_MAX_BYTES = 512 * 1024
"""The first 512 KiB of a robots.txt are read (RFC 9309 asks for at least 500 KiB); the
rest is not downloaded."""


class StagingCredentials:
    """Adds the audit's credentials to requests for the credential hosts; strips them from
    any other request (an external link, a redirect to another host, even one the crawl
    follows as part of the site).

    The spider holds the credentials and their hosts (`spider.credentials`, a
    CredentialScope from audits.core.credentials); with no credentials this does nothing.
    Every request passes here, including one taken from a shared crawl's Redis queue
    (queued without credentials) and each hop of a redirect (the spider follows them).
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StagingCredentials:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        spider: Any = self.crawler.spider
        credentials = getattr(spider, "credentials", None)
        if not credentials:
            return
        for name in credentials.header_names():
            request.headers.pop(name, None)
        for name, value in credentials.headers_for(request.url).items():
            request.headers[name] = value


class RobotsTxtUnavailable(IgnoreRequest):
    """Not requested: the host's robots.txt answered only server errors."""


class _Unavailable:
    """The rules of a host whose robots.txt kept answering server errors: RFC 9309
    (section 2.3.1.4) says to assume that nothing may be crawled."""

    def __init__(self, status: int, tries: int) -> None:
        self.reason = (
            f"{ROBOTS_UNAVAILABLE} (the server answered {status}, "
            f"{tries} {'time' if tries == 1 else 'times'}), and the robots.txt standard "
            "(RFC 9309) then forbids crawling: audit again when it answers"
        )


class RobotsTxt(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with every request waiting for its host's rules,
    and robots.txt read as RFC 9309 asks:

    - only the first ROBOTS_MAX_BYTES are downloaded and parsed, however large the file
      (Scrapy would abandon one over the download limit and crawl as if it were missing);
    - a server error (5xx) is asked again `[crawl] retries` times (SITEAUDIT_RETRIES)
      with growing waits, then taken to forbid everything on that host for the rest of
      the audit; other answers without rules (3xx, 4xx) allow everything, and a host
      that cannot be reached at all is crawled, so that each of its pages records why
      it failed.

    In Scrapy 2.19, requests that arrive while a host's robots.txt is being fetched all
    wait on one Deferred; the first to resume takes the parsed rules and the others get
    None, which the middleware reads as "no robots.txt", so they go out unchecked. That
    happens whenever many requests to a host start at once: links to an external host
    from the first page, a resumed or incremental crawl's frontier. Here each waiter gets
    a Deferred of its own, fed from the shared one without consuming its result.

    The size limit listens to the downloads' headers and bytes only while a robots.txt is
    being downloaded: Scrapy calls every listener of those signals for every response
    and every chunk of every body.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._fetching = 0
        """How many hosts' robots.txt are being fetched (the size limit listens meanwhile)."""

    def process_request_2(self, rp: Any, request: Request) -> None:
        if isinstance(rp, _Unavailable):
            self._stats.inc_value(ROBOTS_UNAVAILABLE_STAT)
            raise RobotsTxtUnavailable(rp.reason)
        super().process_request_2(rp, request)

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        tries = 1
        while response.status >= 500 and tries <= self._retries():
            await asyncio.sleep(2 ** (tries - 1))
            response = await self.crawler.engine.download_async(response.request)  # type: ignore[arg-type]
            tries += 1
        if response.status >= 500:
            pending = self._parsers[netloc]
            assert isinstance(pending, Deferred)
            self._parsers[netloc] = _Unavailable(response.status, tries)  # type: ignore[assignment]
            pending.callback(self._parsers[netloc])
            return
        body = _first_lines(response.body) if 200 <= response.status < 300 else b""
        await super()._parse_robots(response.replace(body=body), netloc, request)

    def _retries(self) -> int:
        return self.crawler.settings.getint("SITEAUDIT_RETRIES")

    def _unbounded(self, headers: Any, body_length: int, request: Request, spider: Any) -> None:
        """robots.txt is cut at ROBOTS_MAX_BYTES (`_enough`) rather than abandoned over
        the download limit; a compressed one keeps the limit, which bounds inflating it."""
        if _is_robots(request):
            limit = self.crawler.settings.getint("DOWNLOAD_MAXSIZE")
            request.meta["download_maxsize"] = limit if headers.get("Content-Encoding") else 0
            request.meta["robots_bytes"] = 0  # a new answer (the request may be a retry)

    @staticmethod
    def _enough(data: bytes, request: Request, spider: Any) -> None:
        if _is_robots(request):
            read = request.meta.get("robots_bytes", 0) + len(data)
            request.meta["robots_bytes"] = read
            if read >= ROBOTS_MAX_BYTES:
                raise StopDownload(fail=False)

    async def robot_parser(self, request: Request) -> RobotParser | None:
        netloc = urlparse_cached(request).netloc
        pending = self._parsers.get(netloc)
        if isinstance(pending, Deferred):
            mine: Deferred[RobotParser | None] = Deferred()

            def share(result: Any) -> Any:
                mine.callback(result)
                return result

            pending.addBoth(share)
            return await maybe_deferred_to_future(mine)
        if netloc in self._parsers:
            return await super().robot_parser(request)
        # Scrapy's middleware fetches this host's robots.txt (and parses it) before it
        # answers.
        self._listen(1)
        try:
            return await super().robot_parser(request)
        finally:
            self._listen(-1)

    def _listen(self, change: int) -> None:
        """Count a robots.txt fetch in (1) or out (-1): the size limit listens to the
        downloads' headers and bytes while any is in flight, and only then."""
        manager = self.crawler.signals
        if change > 0 and not self._fetching:
            manager.connect(self._unbounded, signal=signals.headers_received)
            manager.connect(self._enough, signal=signals.bytes_received)
        self._fetching += change
        if change < 0 and not self._fetching:
            manager.disconnect(self._unbounded, signal=signals.headers_received)
            manager.disconnect(self._enough, signal=signals.bytes_received)


def _is_robots(request: Request) -> bool:
    return bool(request.meta.get("dont_obey_robotstxt")) and request.url.endswith("/robots.txt")


def _first_lines(body: bytes) -> bytes:
    """The first ROBOTS_MAX_BYTES of a robots.txt, without a last line cut in two."""
    if len(body) <= ROBOTS_MAX_BYTES:
        return body
    return body[:ROBOTS_MAX_BYTES].rpartition(b"\n")[0]


class Decompression(HttpCompressionMiddleware):
    """Scrapy's decompression middleware, with a gzipped body of one whole gzip member
    (what web servers send) inflated by one call to zlib, which checks its CRC, instead of
    through GzipFile and BytesIO in 64 KiB chunks: 32 -> 4 us for a small page. Anything
    else (several members, a truncated or damaged stream, a body over the size limit,
    other encodings) goes Scrapy's way, which decides what to keep and raises on a
    decompression bomb. Either way no more than the limit (DOWNLOAD_MAXSIZE, or the
    request's download_maxsize) plus one byte is inflated.

    The inflated response takes over the compressed one's headers (less
    Content-Encoding) rather than a copy of them: Response.replace copies and
    normalises every header again."""

    def process_response(self, request: Request, response: Response) -> Request | Response:
        headers = response.headers
        if request.method == "HEAD" or dict.get(headers, b"Content-Encoding") != [b"gzip"]:
            return super().process_response(request, response)
        max_size = request.meta.get("download_maxsize", self._max_size)
        body = _one_gzip_member(response.body, max_size)
        if body is None:
            return super().process_response(request, response)
        warn_size = request.meta.get("download_warnsize", self._warn_size)
        if len(response.body) < warn_size <= len(body):
            logger.warning(
                "%s body size after decompression (%d B) is larger than the download "
                "warning size (%d B).",
                response,
                len(body),
                warn_size,
            )
        if self.stats:
            self.stats.inc_value("httpcompression/response_bytes", len(body))
            self.stats.inc_value("httpcompression/response_count")
        del headers[b"Content-Encoding"]
        kind = responsetypes.from_args(headers=headers, url=response.url, body=body)
        inflated = kind(
            response.url,
            status=response.status,
            body=body,
            flags=response.flags,
            request=response.request,
            certificate=response.certificate,
            ip_address=response.ip_address,
            protocol=response.protocol,
        )
        inflated.headers = headers
        return inflated

    @staticmethod
    def _decode(body: bytes, encoding: bytes, max_size: int) -> bytes:
        if encoding in (b"gzip", b"x-gzip"):
            whole = _one_gzip_member(body, max_size)
            if whole is not None:
                return whole
        return HttpCompressionMiddleware._decode(body, encoding, max_size)


def _one_gzip_member(body: bytes, max_size: int) -> bytes | None:
    """The inflated body when it is one whole gzip member within `max_size` (0: no
    limit), else None."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        inflated = inflater.decompress(body, max_size + 1 if max_size else 0)
    except zlib.error:
        return None
    if not inflater.eof or inflater.unused_data or (max_size and len(inflated) > max_size):
        return None
    return inflated
