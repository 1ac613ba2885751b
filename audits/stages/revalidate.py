"""Asking the site which pages changed since the last run, before the crawl.

An incremental re-audit (`--incremental`) sends every page of the last finished run a
conditional request (If-None-Match / If-Modified-Since with the ETag and Last-Modified
the page answered with then), and after the pages every in-scope file it fetched
(documents read for their links, images, scripts). Pages and files that answer 304 Not
Modified are carried over with their links, facts and page findings
(Store.reuse_pages); the crawl then carries on from them like a resumed run: their links
to anything not carried over (changed and new pages and files, external links) are the
frontier.

The conditional requests are tiny and the answers have no body, so they go out here,
many at a time and straight from a list, rather than through Scrapy, whose per-request
machinery costs about fifty times as much for them. Nor through an HTTP client library:
aiohttp spent 0.25 ms of CPU on each (2.5 s for 10,000 pages, a fifth of a nightly
re-audit). Each connection is sent a few dozen requests at once (HTTP/1.1 pipelining)
and reads their answers in order, which are status lines and headers: a page that
changed has its body read past (or, when long or of unknown length, its connection is
closed and the requests after it asked again on a new one). A server that closes the
connection early is asked the rest on a new one, fewer at a time; one that answers
nothing, or something this client cannot read, leaves the rest to the crawl.

Politeness is kept: no more connections to a host than the crawl's concurrency,
robots.txt obeyed (read through aiohttp; a disallowed page is left to the crawl, which
records it as forbidden), and a site that asks for a delay between requests (in
robots.txt or `[crawl] delay`) gets its conditional requests from the crawler instead,
one at a time. Anything but a 304 (changed, gone, redirected, an error) is left to the
crawl, which fetches and records it as usual: nothing is lost when a question fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import re
import ssl
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from audits import USER_AGENT
from audits.core.config import CrawlConfig
from audits.core.credentials import CredentialScope
from audits.store import Store, now
from crawler.scope import Scope
from rules.urls import host_of


@dataclass
class Revalidation:
    """What the conditional requests found."""

    unchanged: list[str] = field(default_factory=list)
    """Every URL carried over: HTML pages, then files."""
    asked: int = 0
    files: int = 0
    """How many of `unchanged` are files (not HTML pages)."""


def revalidate(
    store: Store,
    run_id: int,
    previous: int,
    crawl: CrawlConfig,
    scope: Scope,
    credentials: CredentialScope,
    page_rules: tuple[str, ...],
) -> Revalidation:
    """Ask about every page of the previous run, and every file it fetched whole
    (documents read for their links, images, ...); carry the unchanged ones over to
    run_id. Carrying the files too spares the crawl fetching them again, and reading
    a PDF starts a page worker."""
    validators = {
        url: tags for url, tags in store.validators(previous).items() if scope.wanted(url)
    }
    if crawl.max_pages:
        validators = dict(list(validators.items())[: crawl.max_pages])
    if not validators or crawl.delay > 0:
        return Revalidation()
    files = {
        url: tags
        for url, tags in store.validators(previous, html=False).items()
        if scope.wanted(url)
    }
    validators.update(files)
    outcome: list[Revalidation] = []
    batches: queue.SimpleQueue[list[str] | None] = queue.SimpleQueue()

    def ask() -> None:
        try:
            outcome.append(asyncio.run(_ask(validators, crawl, credentials, batches.put)))
        except Exception:  # nothing is lost: the crawl asks about every page itself
            return
        finally:
            batches.put(None)

    # Scrapy installs its own event loop later in this process: this one lives and dies
    # in a thread of its own. The unchanged pages are copied here while it asks about the
    # rest (SQLite lets go of the interpreter while it works).
    thread = threading.Thread(target=ask, name="revalidate")
    thread.start()
    fetched_at = now()
    carried: list[str] = []
    try:
        with store.transaction():
            for batch in iter(batches.get, None):
                # Depth None: each page keeps its depth from the previous run.
                store.reuse_pages(
                    run_id, previous, [(url, None, fetched_at) for url in batch], page_rules
                )
                carried += batch
    finally:
        thread.join()
    result = outcome[0] if outcome else Revalidation()
    result.unchanged = carried
    result.files = sum(url in files for url in carried)
    return result


BATCH = 500
"""Unchanged pages copied at a time."""


class _InOrder:
    """Hands on the unchanged URLs in the order asked, BATCH at a time, as soon as every
    URL before them has its answer (so the copies are the same whichever answers first)."""

    def __init__(self, urls: list[str], hand_on: Callable[[list[str]], object]) -> None:
        self.urls = urls
        self.hand_on = hand_on
        self.answers: list[bool | None] = [None] * len(urls)
        self.settled = 0
        """How many URLs from the first have their answers."""
        self.ready: list[str] = []

    def answer(self, index: int, same: bool) -> None:
        self.answers[index] = same
        while self.settled < len(self.urls) and self.answers[self.settled] is not None:
            if self.answers[self.settled]:
                self.ready.append(self.urls[self.settled])
                if len(self.ready) == BATCH:
                    self.hand_on(self.ready)
                    self.ready = []
            self.settled += 1

    def finish(self) -> None:
        """The URLs never answered count as changed: the crawl asks about them."""
        for index in range(self.settled, len(self.urls)):
            if self.answers[index] is None:
                self.answer(index, False)
        if self.ready:
            self.hand_on(self.ready)
            self.ready = []


async def _ask(
    validators: dict[str, tuple[str | None, str | None]],
    crawl: CrawlConfig,
    credentials: CredentialScope,
    hand_on: Callable[[list[str]], object] | None = None,
) -> Revalidation:
    """Ask about the pages robots.txt lets us ask about; `hand_on` is given the unchanged
    ones in order as they are known, BATCH at a time."""
    import aiohttp

    result = Revalidation()
    timeout = aiohttp.ClientTimeout(total=crawl.timeout)
    # Credentials per request, not for the session: the pages may lie on a host the start
    # URL redirected to, which is in the crawl's scope but not the credentials'.
    async with aiohttp.ClientSession(
        timeout=timeout, headers={"User-Agent": USER_AGENT}, auto_decompress=False
    ) as session:
        hosts = {host_of(url): url for url in validators}
        robots = {host: await _robots(session, url, credentials) for host, url in hosts.items()}
    wanted = [
        (url, tags)
        for url, tags in validators.items()
        if (rules := robots[host_of(url)]) is not None and rules.can_fetch(url, USER_AGENT)
    ]
    result.asked = len(wanted)
    unchanged = await conditional_gets(
        wanted, crawl.concurrency, crawl.timeout, credentials, hand_on
    )
    result.unchanged = [url for url, _ in wanted if url in unchanged]
    return result


async def _robots(session: object, page: str, credentials: CredentialScope) -> object | None:
    """The host's robots.txt rules (everything allowed when it has none), or None when
    the host is better left to the crawler (it asks for a delay, or robots.txt failed)."""
    import aiohttp
    from protego import Protego

    parts = urlsplit(page)
    robots = f"{parts.scheme}://{parts.netloc}/robots.txt"
    try:
        async with session.get(  # type: ignore[attr-defined]
            robots, headers=credentials.headers_for(robots), allow_redirects=False
        ) as response:
            if 400 <= response.status < 500:
                return Protego.parse("")
            if response.status != 200:
                return None
            rules = Protego.parse(await response.text(errors="replace"))
    except (aiohttp.ClientError, TimeoutError, UnicodeError):
        return None
    if rules.crawl_delay(USER_AGENT) or rules.request_rate(USER_AGENT):
        return None
    return rules


PIPELINE = 32
"""Requests written to a connection before its answers are read."""

LONGEST_BODY_READ = 1 << 16
"""A changed page's body longer than this is not read past: its connection is closed."""

_UNSAFE = re.compile(r"[\x00-\x20\x7f]")
"""What may not be in a request line's target or a header value (CR and LF end lines)."""


async def conditional_gets(
    wanted: Iterable[tuple[str, tuple[str | None, str | None]]],
    concurrency: int,
    timeout: float,
    credentials: CredentialScope,
    hand_on: Callable[[list[str]], object] | None = None,
) -> set[str]:
    """The URLs of `wanted` ((url, (etag, last_modified))) that answer 304 Not Modified to
    a GET with those validators, asked on at most `concurrency` connections per host;
    `hand_on` is given them in the order of `wanted` as they are known, BATCH at a time."""
    wanted = list(wanted)
    order = _InOrder([url for url, _ in wanted], hand_on or (lambda batch: None))
    by_origin: dict[tuple[str, str], list[tuple[int, bytes]]] = {}
    for index, (url, (etag, modified)) in enumerate(wanted):
        request = _request(url, etag, modified, credentials.headers_for(url))
        if request is None:  # the crawl asks
            order.answer(index, False)
            continue
        parts = urlsplit(url)
        by_origin.setdefault((parts.scheme, parts.netloc), []).append((index, request))
    connections = []
    for (scheme, netloc), requests in by_origin.items():
        lanes = max(1, min(concurrency, -(-len(requests) // PIPELINE)))
        for lane in range(lanes):
            connections.append(_lane(scheme, netloc, requests[lane::lanes], timeout, order))
    await asyncio.gather(*connections)
    order.finish()
    return {url for url, same in zip(order.urls, order.answers, strict=True) if same}


def _request(
    url: str, etag: str | None, modified: str | None, extra: dict[str, str]
) -> bytes | None:
    """The bytes of a conditional GET of `url`, or None when it is better left to the
    crawl (a target or header this writer would have to encode or could not send)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or "@" in parts.netloc or not parts.hostname:
        return None
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {
        "Host": parts.netloc,
        "User-Agent": USER_AGENT,
        "Accept": "*/*",
        "Accept-Encoding": "gzip, deflate",
        **extra,
    }
    if etag:
        headers["If-None-Match"] = etag
    if modified:
        headers["If-Modified-Since"] = modified
    if _UNSAFE.search(target) or any(
        _UNSAFE.search(value.replace(" ", "")) or _UNSAFE.search(name)
        for name, value in headers.items()
    ):
        return None
    lines = [f"GET {target} HTTP/1.1", *(f"{name}: {value}" for name, value in headers.items())]
    try:
        return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")
    except UnicodeEncodeError:
        return None


async def _lane(
    scheme: str,
    netloc: str,
    requests: list[tuple[int, bytes]],
    timeout: float,
    order: _InOrder,
) -> None:
    """Ask `requests` in order, on one connection at a time to the origin."""
    parts = urlsplit(f"{scheme}://{netloc}/")
    host = parts.hostname or ""
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        return
    context = ssl.create_default_context() if scheme == "https" else None
    window = PIPELINE
    while requests:
        answered, closed = await _connection(host, port, context, requests, window, timeout, order)
        if answered == 0:
            return  # the rest is left to the crawl
        if closed:
            window = max(1, min(window, answered))  # the server keeps connections short
        requests = requests[answered:]


async def _connection(
    host: str,
    port: int,
    context: ssl.SSLContext | None,
    requests: list[tuple[int, bytes]],
    window: int,
    timeout: float,
    order: _InOrder,
) -> tuple[int, bool]:
    """Ask `requests` on one connection, `window` at a time; returns how many were
    answered, and whether the server closed the connection before the last."""
    answered = 0
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(
                host, port, ssl=context, server_hostname=host if context else None
            )
    except (OSError, TimeoutError, ssl.SSLError, ValueError):
        return 0, True
    try:
        while answered < len(requests):
            batch = requests[answered : answered + window]
            writer.write(b"".join(request for _, request in batch))
            async with asyncio.timeout(timeout):
                await writer.drain()
                for index, _ in batch:
                    status, open_after = await _answer(reader)
                    answered += 1
                    order.answer(index, status == 304)
                    if not open_after:
                        return answered, answered < len(requests)
    except (
        OSError,
        TimeoutError,
        ValueError,
        asyncio.IncompleteReadError,
        asyncio.LimitOverrunError,
    ):
        return answered, True
    finally:
        writer.close()
        with contextlib.suppress(OSError, ssl.SSLError):
            await writer.wait_closed()
    return answered, False


async def _answer(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """The status of the next answer on a connection, read to its end, and whether the
    connection can carry on (ValueError: an answer this client cannot read)."""
    while True:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        status_line, *lines = head[:-4].split("\r\n")
        version, _, rest = status_line.partition(" ")
        if not version.startswith("HTTP/1.") or not rest[:3].isdigit():
            raise ValueError(f"not an HTTP/1 answer: {status_line[:80]!r}")
        status = int(rest[:3])
        if status >= 200:
            break  # 1xx answers are interim: the real one follows
    headers: dict[str, str] = {}
    for line in lines:
        name, colon, value = line.partition(":")
        if colon:
            headers[name.strip().lower()] = value.strip()
    connection = headers.get("connection", "").lower()
    open_after = "close" not in connection and (version == "HTTP/1.1" or "keep-alive" in connection)
    if status in (204, 304):
        return status, open_after
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return status, False  # a changed page: not read through
    length = int(headers.get("content-length", "-1"))
    if length < 0 or length > LONGEST_BODY_READ:
        return status, False
    await reader.readexactly(length)
    return status, open_after
