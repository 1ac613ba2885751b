"""Which URLs belong to the site, and which URL families look endless."""

from __future__ import annotations

import ipaddress
import re
from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import NamedTuple
from urllib.parse import urlsplit

from rules.urls import host_of

# Session ids written into URLs (servers do it when cookies are off): every page links to
# "new" addresses for ever. One variant of each address is crawled; the rest are a trap.
_SESSION_ID = re.compile(
    r";jsessionid=[^/?#]*|(?<=[?&])(?:phpsessid|jsessionid|sessionid|session_id|aspsessionid)=[^&#]*&?",
    re.IGNORECASE,
)

# Numbers in a path segment: years, months, days, page and item numbers.
_DIGITS = re.compile(r"\d+")

# A family whose run of same-shaped segments has reached this many different lengths is
# growing deeper with every page (a relative link that keeps adding segments). A real
# site's nesting (/part-1/part-1/part-1/part-1/) or dates (/2024/05/14/) stop far sooner.
_MAX_RUN_LENGTHS = 8

# A year and month in a path (/2031/05/, /2031-05-14): a calendar's pages. One that runs
# this many years ahead of today is following its own "next month" link.
_YEAR_MONTH = re.compile(r"(?<!\d)(\d{4})[/-](?:0?[1-9]|1[0-2])(?!\d)")
_MAX_YEARS_AHEAD = 5


class Trap(NamedTuple):
    """A URL family that looks endless: its pattern, why, and how many were followed."""

    pattern: str
    reason: str
    variants: int


class Scope:
    """In-scope hosts plus include/exclude patterns, and the trap caps."""

    def __init__(
        self,
        start_url: str,
        *,
        hosts: tuple[str, ...] = (),
        include: tuple[str, ...] = (),
        exclude: tuple[str, ...] = (),
        max_url_variants: int = 50,
        max_family_pages: int = 1000,
    ) -> None:
        self.hosts = {host_of(start_url), *(h.lower() for h in hosts)}
        self.include = [re.compile(p) for p in include]
        self.exclude = [re.compile(p) for p in exclude]
        self.max_url_variants = max_url_variants
        self.max_family_pages = max_family_pages
        self._last_calendar_year = date.today().year + _MAX_YEARS_AHEAD
        self._variants: Counter[str] = Counter()
        self.count: Callable[[str], int] = self._count_here
        """Adds one to a URL family's count and returns it; a shared crawl counts in Redis."""
        self._site_is_private = _private_host(urlsplit(start_url).hostname or "")

    def _count_here(self, family: str) -> int:
        self._variants[family] += 1
        return self._variants[family]

    def is_private(self, url: str) -> bool:
        """True for a link to a private, loopback or link-local address (by IP literal or
        "localhost") while the site itself is public: the crawler may run inside the
        council's network, and a page must not make it probe that network (or a cloud
        metadata address). A site audited on a private address may link to others."""
        return _private_host(urlsplit(url).hostname or "") and not self._site_is_private

    def add_host(self, host: str) -> None:
        """Take another host into scope (the start URL redirected there)."""
        self.hosts.add(host.lower())

    def is_internal(self, url: str) -> bool:
        """True for URLs on the site's hosts (before include/exclude)."""
        return url.startswith(("http://", "https://")) and host_of(url) in self.hosts

    def wanted(self, url: str) -> bool:
        """True for internal URLs that include/exclude patterns let through."""
        if not self.is_internal(url):
            return False
        if self.include and not any(p.search(url) for p in self.include):
            return False
        return not any(p.search(url) for p in self.exclude)

    def trap(self, url: str) -> Trap | None:
        """The Trap when the URL belongs to a family that looks endless, else None.

        Counts a URL towards its families' caps (through `count`, shared by the workers of
        a shared crawl); call once per new URL.
        """
        without_session = _SESSION_ID.sub("", url)
        if without_session != url:
            family = without_session.rstrip("?&")
            if self.count("session:" + family) > 1:
                pattern = f"{urlsplit(family).netloc}{urlsplit(family).path} (session ids)"
                return Trap(pattern, "a session id in the URL makes every link look new", 1)
        parts = urlsplit(url)
        return self._path_trap(parts.netloc, parts.path) or self._query_trap(
            f"{parts.netloc}{parts.path}?…"
        )

    def _path_trap(self, host: str, path: str) -> Trap | None:
        """Families of paths of one shape: the same template with other numbers or dates,
        or with the same segments repeated ever deeper."""
        shape, run = path_family(path)
        if shape == path:
            return None  # no numbers, no repeats: a family of one
        pattern = host + shape
        if run > 1 and self.count(f"run:{pattern}:{run}") == 1:
            lengths = self.count(f"runs:{pattern}")
            if lengths > _MAX_RUN_LENGTHS:
                reason = "each page links to an address one level deeper of the same shape"
                return Trap(pattern, reason, lengths)
        members = self.count(f"family:{pattern}")
        if members > self.max_family_pages:
            reason = (
                f"more than {self.max_family_pages} addresses of one shape, differing only "
                "in numbers or dates"
            )
            return Trap(pattern, reason, self.max_family_pages)
        years = [int(year) for year in _YEAR_MONTH.findall(path)]
        if years and max(years) > self._last_calendar_year:
            reason = (
                f"the dates in the addresses run more than {_MAX_YEARS_AHEAD} years ahead, "
                "like an events calendar's “next month” link"
            )
            return Trap(pattern, reason, members - 1)
        return None

    def _query_trap(self, family: str) -> Trap | None:
        """Query-string variants of one path, the bare path counted among them."""
        if self.count(family) > self.max_url_variants:
            reason = f"more than {self.max_url_variants} query-string variants of one path"
            return Trap(family, reason, self.max_url_variants)
        return None


def path_family(path: str) -> tuple[str, int]:
    """A path's family: numbers read as `*`, and a run of consecutive segments (or pairs
    of segments) of one shape written once, followed by `…`; and the longest run's length
    in segments (1 when nothing repeats).

    `/cal/2024/05/` and `/cal/1999/12/` are both `/cal/*/…/`; `/a/b/a/b/a/b/` is `/a/b/…/`.
    """
    segments = [segment for segment in path.split("/") if segment]
    shapes = [_DIGITS.sub("*", s) for s in segments] if _DIGITS.search(path) else segments
    family: list[str] = []
    longest, i = 1, 0
    while i < len(shapes):
        width, repeats = _repeated_block(shapes, i)
        family.append("/".join(shapes[i : i + width]) + ("/…" if repeats > 1 else ""))
        longest = max(longest, width * repeats)
        i += width * repeats
    trailing = "/" if path.endswith("/") and family else ""
    return "/" + "/".join(family) + trailing, longest


def _repeated_block(shapes: list[str], start: int) -> tuple[int, int]:
    """(width, repeats) of the block of one or two segments that repeats from `start`."""
    for width in (1, 2):
        block = shapes[start : start + width]
        repeats = 1
        while len(block) == width:
            at = start + repeats * width
            if shapes[at : at + width] != block:
                break
            repeats += 1
        if repeats > 1:
            return width, repeats
    return 1, 1


def _private_host(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False  # a name: resolved by DNS at request time
    return address.is_private or address.is_loopback or address.is_link_local
