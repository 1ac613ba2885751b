"""The conditional requests of an incremental re-audit (audits/stages/revalidate.py): many
on each connection, and only a 304 counts as unchanged, whatever else the server does."""

from __future__ import annotations

import asyncio
from collections import Counter

from audits.core.credentials import Credentials, CredentialScope
from audits.stages.revalidate import BATCH, PIPELINE, conditional_gets
from tests.kit.siteserver import RequestInfo, Response, SiteServer

ETAG = '"v1"'


def _page(info: RequestInfo) -> Response:
    """Pages under /same/ are unchanged for ETAG; /changed/ ones have a new version."""
    if info.path.startswith("/same/") and info.headers.get("if-none-match") == ETAG:
        return Response(status=304, headers={"ETag": ETAG})
    return Response.html(f"<p>{info.path}</p>" * 10)


def _closing(info: RequestInfo) -> Response:
    """A server that answers one request a connection."""
    answer = _page(info)
    answer.headers["Connection"] = "close"
    return answer


def _ask(urls: list[str], concurrency: int = 4) -> set[str]:
    credentials = CredentialScope.for_site(Credentials(), urls[0])
    wanted = [(url, (ETAG, None)) for url in urls]
    return asyncio.run(conditional_gets(wanted, concurrency, 5.0, credentials))


def test_only_pages_answering_304_are_unchanged_and_each_is_asked_once() -> None:
    routes = {
        "/same/*": _page,
        "/changed/*": _page,
        "/moved": lambda info: Response.redirect(f"{info.origin}/same/0"),
        "/broken": lambda info: Response(status=500, body=b"oops"),
    }
    with SiteServer(routes=routes) as server:
        same = [f"{server.url}/same/{n}" for n in range(150)]
        changed = [f"{server.url}/changed/{n}" for n in range(150)]
        others = [f"{server.url}/moved", f"{server.url}/broken", f"{server.url}/gone"]
        urls = [u for pair in zip(same, changed, strict=True) for u in pair] + others
        unchanged = _ask(urls)
        asked = Counter(request.target for request in server.requests)
        connections = server.connections
    assert unchanged == set(same)
    assert len(asked) == len(urls) and max(asked.values()) == 1, asked.most_common(3)
    assert connections <= 4  # the crawl's concurrency per host


def test_a_server_that_closes_each_connection_is_asked_everything_all_the_same() -> None:
    with SiteServer(routes={"/same/*": _closing, "/changed/*": _closing}) as server:
        same = [f"{server.url}/same/{n}" for n in range(2 * PIPELINE)]
        changed = [f"{server.url}/changed/{n}" for n in range(5)]
        unchanged = _ask(same + changed, concurrency=2)
        asked = Counter(request.target for request in server.requests)
    assert unchanged == set(same)
    assert max(asked.values()) == 1


def test_answers_that_are_not_http_leave_every_page_to_the_crawl() -> None:
    async def not_http(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)
        writer.write(b"SSH-2.0-OpenSSH\r\n\r\n")
        await writer.drain()
        writer.close()

    async def ask() -> set[str]:
        server = await asyncio.start_server(not_http, "127.0.0.1", 0)
        origin = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        wanted = [(f"{origin}/same/{n}", (ETAG, None)) for n in range(40)]
        credentials = CredentialScope.for_site(Credentials(), origin)
        async with server:
            return await conditional_gets(wanted, 4, 5.0, credentials)

    assert asyncio.run(ask()) == set()


def test_unsendable_urls_are_left_to_the_crawl_and_the_rest_asked() -> None:
    with SiteServer(routes={"/same/*": _page}) as server:
        good = f"{server.url}/same/1"
        odd = [
            f"{server.url}/same/a b",
            f"{server.url}/same/caf\u00e9",
            f"{server.url}/same/x\r\nX: y",
        ]
        unchanged = _ask([*odd, good])
        asked = [request.target for request in server.requests]
    assert unchanged == {good}
    assert asked == ["/same/1"]


def test_unchanged_pages_are_handed_on_in_the_order_asked_a_batch_at_a_time() -> None:
    with SiteServer(routes={"/same/*": _page, "/changed/*": _page}) as server:
        urls = [
            f"{server.url}/{'changed' if n % 7 == 0 else 'same'}/{n}"
            for n in range(BATCH * 2 + 100)
        ]
        credentials = CredentialScope.for_site(Credentials(), urls[0])
        batches: list[list[str]] = []
        wanted = [(url, (ETAG, None)) for url in urls]
        unchanged = asyncio.run(conditional_gets(wanted, 8, 5.0, credentials, batches.append))
    expected = [url for url in urls if "/same/" in url]
    assert [url for batch in batches for url in batch] == expected
    assert set(expected) == unchanged
    sizes = [min(BATCH, len(expected) - start) for start in range(0, len(expected), BATCH)]
    assert [len(batch) for batch in batches] == sizes == [BATCH, len(expected) - BATCH]
