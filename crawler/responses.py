"""What the spider reads off a response besides its body: headers, content type, whether
it is text, and the record of the fetch as a PageItem."""

from __future__ import annotations

from email.utils import parsedate_to_datetime

from scrapy.http import Response
from w3lib.encoding import read_bom

from audits.store import now
from crawler.items import PageItem
from rules.urls import normalise

HTML_TYPES = ("text/html", "application/xhtml+xml")


def page_item(response: Response, url: str, chain: list[str]) -> PageItem:
    """The record of a fetch, under `url` (the linked URL, or the page's own); `chain` is
    the redirect chain that led here (empty when there was none). With no chain, `url` is
    the response's own URL, normalised (rules.urls.normalise): the spider has worked it
    out already, and it is not worked out again."""
    latency = response.meta.get("download_latency")
    return PageItem(
        url=url,
        final_url=normalise(response.url) if chain else url,
        status=response.status,
        content_type=content_type(response),
        size=len(response.body),
        depth=response.meta.get("depth", 0),
        fetched_at=now(),
        elapsed_ms=int(latency * 1000) if latency is not None else None,
        redirects=[*chain, normalise(response.url)] if chain else [],
        etag=header(response, "ETag"),
        last_modified=header(response, "Last-Modified"),
    )


def header(response: Response, name: str) -> str | None:
    """One response header as text, or None."""
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def headers(response: Response) -> dict[str, str]:
    """The response headers rules may read (lower-case names, first value)."""
    # Read as the dict they are (names normalised, values lists of bytes): Headers.items()
    # normalises every name again to look its values up.
    return {
        key.decode("latin-1").lower(): values[0].decode("latin-1")
        for key, values in dict.items(response.headers)
        if values
    }


def content_type(response: Response) -> str:
    """The media type of the Content-Type header, lower case, without parameters."""
    raw = response.headers.get("Content-Type", b"").decode("latin-1")
    return raw.split(";", 1)[0].strip().lower()


def last_modified(response: Response) -> str | None:
    """The Last-Modified header as an ISO date, or None."""
    value = response.headers.get("Last-Modified", b"").decode("latin-1")
    try:
        return parsedate_to_datetime(value).date().isoformat() if value.strip() else None
    except (TypeError, ValueError):
        return None


def is_binary(body: bytes) -> bool:
    """True for bodies that are plainly not text (NUL bytes early on). A byte order mark
    says the body is text: UTF-16 is full of NUL bytes."""
    return read_bom(body[:4])[0] is None and b"\x00" in body[:1024]
