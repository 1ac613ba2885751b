"""Which URLs belong to the site, and which URL families look endless."""

from __future__ import annotations

import ipaddress
import re
from collections import Counter
from collections.abc import Callable
from urllib.parse import urlsplit

from audits.urls import host_of

# Session ids written into URLs (servers do it when cookies are off): every page links to
# "new" addresses for ever. One variant of each address is crawled; the rest are a trap.
_SESSION_ID = re.compile(
    r";jsessionid=[^/?#]*|(?<=[?&])(?:phpsessid|jsessionid|sessionid|session_id|aspsessionid)=[^&#]*&?",
    re.IGNORECASE,
)

# A path whose segments repeat this often (/a/b/a/b/a/b/...) is a relative-link loop.
_MAX_SEGMENT_REPEATS = 3


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
    ) -> None:
        self.hosts = {host_of(start_url), *(h.lower() for h in hosts)}
        self.include = [re.compile(p) for p in include]
        self.exclude = [re.compile(p) for p in exclude]
        self.max_url_variants = max_url_variants
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

    def trap(self, url: str) -> tuple[str, str] | None:
        """(pattern, reason) when the URL belongs to a family that looks endless, else None.

        Counts a URL towards its family's cap; call once per new URL.
        """
        without_session = _SESSION_ID.sub("", url)
        if without_session != url:
            family = without_session.rstrip("?&")
            if self.count("session:" + family) > 1:
                pattern = f"{urlsplit(family).netloc}{urlsplit(family).path} (session ids)"
                return pattern, "a session id in the URL makes every link look new"
        parts = urlsplit(url)
        segments = [s for s in parts.path.split("/") if s]
        repeated = Counter(segments).most_common(1)
        if repeated and repeated[0][1] > _MAX_SEGMENT_REPEATS:
            pattern = f"{parts.netloc}/…/{repeated[0][0]}/…"
            return pattern, f"the path repeats “{repeated[0][0]}” {repeated[0][1]} times"
        if parts.query:
            family = f"{parts.netloc}{parts.path}?…"
            if self.count(family) > self.max_url_variants:
                return (
                    family,
                    f"more than {self.max_url_variants} query-string variants of one path",
                )
        return None


def _private_host(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False  # a name: resolved by DNS at request time
    return address.is_private or address.is_loopback or address.is_link_local
