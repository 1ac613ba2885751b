"""Asking the site which pages changed since the last run, before the crawl.

An incremental re-audit (`--incremental`) sends every page of the last finished run a
conditional request (If-None-Match / If-Modified-Since with the ETag and Last-Modified
the page answered with then). Pages that answer 304 Not Modified are carried over with
their links and page findings (Store.reuse_pages); the crawl then carries on from them
like a resumed run: their links to anything not carried over (changed and new pages,
files, external links) are the frontier.

The conditional requests are tiny and the answers have no body, so they go out here,
through aiohttp, many at a time and straight from a list, rather than through Scrapy,
whose per-request machinery costs about fifty times as much for them (10,000 answers:
0.8 s here against 40 s through the crawler). Politeness is kept: the site's own
concurrency limit per host, robots.txt obeyed (a disallowed page is left to the crawl,
which records it as forbidden), and a site that asks for a delay between requests (in
robots.txt or `[crawl] delay`) gets its conditional requests from the crawler instead,
one at a time. Anything but a 304 (changed, gone, redirected, an error) is left to the
crawl, which fetches and records it as usual.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterable
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
    asked: int = 0


def revalidate(
    store: Store,
    run_id: int,
    previous: int,
    crawl: CrawlConfig,
    scope: Scope,
    credentials: CredentialScope,
    page_rules: tuple[str, ...],
) -> Revalidation:
    """Ask about every page of the previous run; carry the unchanged ones over to run_id."""
    validators = {
        url: tags for url, tags in store.validators(previous).items() if scope.wanted(url)
    }
    if crawl.max_pages:
        validators = dict(list(validators.items())[: crawl.max_pages])
    if not validators or crawl.delay > 0:
        return Revalidation()
    outcome: list[Revalidation] = []

    def ask() -> None:
        try:
            outcome.append(asyncio.run(_ask(validators, crawl, credentials)))
        except Exception:  # nothing is lost: the crawl asks about every page itself
            return

    # Scrapy installs its own event loop later in this process: this one lives and dies
    # in a thread of its own.
    thread = threading.Thread(target=ask, name="revalidate")
    thread.start()
    thread.join()
    result = outcome[0] if outcome else Revalidation()
    fetched_at = now()
    with store.transaction():
        for batch in _batches(result.unchanged, 500):
            # Depth None: each page keeps its depth from the previous run.
            store.reuse_pages(
                run_id, previous, [(url, None, fetched_at) for url in batch], page_rules
            )
    return result


def _batches(items: list[str], size: int) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


async def _ask(
    validators: dict[str, tuple[str | None, str | None]],
    crawl: CrawlConfig,
    credentials: CredentialScope,
) -> Revalidation:
    import aiohttp

    result = Revalidation()
    timeout = aiohttp.ClientTimeout(total=crawl.timeout)
    connector = aiohttp.TCPConnector(limit=0, limit_per_host=crawl.concurrency)
    # Credentials per request, not for the session: the pages may lie on a host the start
    # URL redirected to, which is in the crawl's scope but not the credentials'.
    async with aiohttp.ClientSession(
        connector=connector,
        timeout=timeout,
        headers={"User-Agent": USER_AGENT},
        auto_decompress=False,
    ) as session:
        hosts = {host_of(url): url for url in validators}
        robots = {host: await _robots(session, url, credentials) for host, url in hosts.items()}
        wanted = [
            (url, tags)
            for url, tags in validators.items()
            if (rules := robots[host_of(url)]) is not None and rules.can_fetch(url, USER_AGENT)
        ]
        result.asked = len(wanted)
        answers = await asyncio.gather(
            *(
                _unchanged(session, url, etag, modified, credentials.headers_for(url))
                for url, (etag, modified) in wanted
            )
        )
    result.unchanged = [url for (url, _), same in zip(wanted, answers, strict=True) if same]
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


async def _unchanged(
    session: object, url: str, etag: str | None, modified: str | None, headers: dict[str, str]
) -> bool:
    """True when the page answers 304 Not Modified to a conditional request (`headers`:
    the credentials it gets)."""
    import aiohttp

    headers = dict(headers)
    if etag:
        headers["If-None-Match"] = etag
    if modified:
        headers["If-Modified-Since"] = modified
    try:
        async with session.get(  # type: ignore[attr-defined]
            url, headers=headers, allow_redirects=False
        ) as response:
            return response.status == 304
    except (aiohttp.ClientError, TimeoutError, ValueError):
        return False  # the crawl will ask again and record what went wrong
