"""What a link target's request outcome means, shared by the link rules.

The crawler has already retried what deserved a retry (server errors and rate limits with
growing waits, refusals once with a browser's user agent); what is recorded is the last
answer. These verdicts decide which rule speaks about it, so that a target is reported
once, by the rule that explains it best.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from rules.site import (
    PRIVATE_ADDRESS,
    ROBOTS_FORBIDDEN,
    ROBOTS_UNAVAILABLE,
    TIMED_OUT,
    LinkRow,
    Site,
    TargetStatus,
    memo,
)

# Element kinds whose targets are checked. Form actions are left out: a form's action
# often answers GET with an error by design (it expects a POST).
CHECKED_KINDS = (
    "a",
    "area",
    "img",
    "link",
    "script",
    "iframe",
    "source",
    "video",
    "audio",
    "embed",
    "object",
    "track",
    "icon",
    "meta",
)
# Links a visitor clicks: a dead one stops them. Broken embedded files (images, scripts,
# stylesheets, frames) degrade the page but leave the visitor on it.
CLICKED_KINDS = frozenset({"a", "area"})
# Answers that usually mean "not for robots" (999 is LinkedIn's), not "not here".
REFUSED = frozenset({401, 403, 999})
# Template regions: a link there appears on every page that uses the template.
TEMPLATE_REGIONS = frozenset({"header", "nav", "footer"})
# Failures that say nothing of the target, only that no connection could be made (the
# crawler's wording, crawler/spiders/site.py). Any other answer or failure (a status, a
# TLS error, a connection cut short) means some host out there was reached.
NETWORK_FAILURES = frozenset(
    {
        "host name does not resolve",
        "the server refused the connection",
        "the server gave no usable answer",
    }
)
# Not requested at all: these say nothing about the network either way.
NOT_REQUESTED = (ROBOTS_FORBIDDEN, PRIVATE_ADDRESS, ROBOTS_UNAVAILABLE)
# One other website that cannot be reached is a dead website; only when at least this
# many, and every one, fail alike is the machine taken to have no network.
MIN_OFFLINE_HOSTS = 2


class Verdict(enum.Enum):
    """What a target's last answer means for the links to it."""

    OK = "ok"
    BROKEN = "broken"
    SERVER_ERROR = "server error"
    TIMED_OUT = "timed out"
    NOT_VERIFIED = "could not verify"
    NO_NETWORK = "not checked: no network"
    UNKNOWN = "not checked"


def verdict(status: TargetStatus) -> Verdict:
    """The verdict on one request outcome (the final answer after redirects)."""
    code, error = status.status, status.error
    if code is None:
        if not error or error in (ROBOTS_FORBIDDEN, PRIVATE_ADDRESS):
            return Verdict.UNKNOWN
        if error.startswith(ROBOTS_UNAVAILABLE):
            return Verdict.UNKNOWN
        return Verdict.TIMED_OUT if error.startswith(TIMED_OUT) else Verdict.BROKEN
    if code == 403 and status.internal:
        # The site's own page refused a browser too: visitors meet "Forbidden" there.
        return Verdict.BROKEN
    if code in REFUSED or code == 429:
        return Verdict.NOT_VERIFIED
    if code >= 500:
        return Verdict.SERVER_ERROR
    if code >= 400:
        return Verdict.BROKEN
    return Verdict.OK


def network_failure(status: TargetStatus) -> bool:
    """True when the request failed before any host answered (DNS, refusal, timeout)."""
    error = status.error or ""
    return status.status is None and (error in NETWORK_FAILURES or error.startswith(TIMED_OUT))


def offline_targets(site: Site) -> frozenset[str]:
    """The external targets not checked because this machine has no network: empty
    unless every external target requested failed to connect, over at least
    MIN_OFFLINE_HOSTS websites, and none answered. The site's own hosts do not count
    (an intranet or local copy answers without the internet)."""
    return memo(site, _offline_targets)


def _offline_targets(site: Site) -> frozenset[str]:
    failed: set[str] = set()
    hosts: set[str] = set()
    for status in site.statuses():
        if status.internal or not status.url.startswith(("http://", "https://")):
            continue
        if status.status is None and (not status.error or status.error.startswith(NOT_REQUESTED)):
            continue
        if not network_failure(status):
            return frozenset()  # some website out there answered: the network works
        failed.add(status.url)
        hosts.add(urlsplit(status.url).hostname or "")
    return frozenset(failed) if len(hosts) >= MIN_OFFLINE_HOSTS else frozenset()


def site_verdict(site: Site, status: TargetStatus) -> Verdict:
    """`verdict`, except that a target not checked for want of a network is NO_NETWORK."""
    if not status.internal and status.url in offline_targets(site):
        return Verdict.NO_NETWORK
    return verdict(status)


@dataclass
class LinkedTarget:
    """One target and every link to it (accumulated while scanning the link table)."""

    status: TargetStatus
    sources: set[str] = field(default_factory=set)
    rows: list[LinkRow] = field(default_factory=list)

    @property
    def pages(self) -> tuple[str, ...]:
        """The pages linking to the target, sorted."""
        return tuple(sorted(self.sources))

    @property
    def kind(self) -> str:
        """The kind that matters most: a clickable link beats an embedded file."""
        for row in self.rows:
            if row.kind in CLICKED_KINDS:
                return row.kind
        return self.rows[0].kind if self.rows else "a"

    @property
    def link_text(self) -> str:
        """The first linking page's own wording, so the editor can find the link on it."""
        first = self.pages[0] if self.sources else ""
        text = next((r.text for r in self.rows if r.source == first and r.text), "")
        return text or next((r.text for r in self.rows if r.text), "")

    @property
    def in_template(self) -> bool:
        """True when every link sits in the header, navigation or footer of many pages."""
        return len(self.sources) > 1 and all(r.region in TEMPLATE_REGIONS for r in self.rows)

    def places(self, limit: int = 50) -> list[dict[str, str]]:
        """Where the links are: page, link text and region, for the evidence."""
        return [
            {"page": r.source, "text": r.text, "region": r.region}
            for r in sorted(self.rows, key=lambda r: (r.source, r.selector))[:limit]
        ]


def failing_targets(
    site: Site,
    kinds: Iterable[str],
    keep: Callable[[TargetStatus], bool],
    row_filter: Callable[[LinkRow], bool] | None = None,
) -> dict[str, LinkedTarget]:
    """The links (of `kinds`, passing `row_filter`) to each target whose status `keep`
    accepts. Starts from the statuses, not the links: the few targets that fail are looked
    up by an index, instead of every link of the site being read for each rule."""
    wanted = frozenset(kinds)
    targets: dict[str, LinkedTarget] = {}
    for status in site.statuses():
        if not status.url.startswith(("http://", "https://")) or not keep(status):
            continue
        rows = [
            row
            for row in site.links_to(status.url)
            if row.kind in wanted and (row_filter is None or row_filter(row))
        ]
        if rows:
            targets[status.url] = LinkedTarget(status, {row.source for row in rows}, rows)
    return targets


def last_segment(url: str) -> str:
    """The file or page name at the end of a URL, to label links that have no text."""
    path = url.split("?", 1)[0].rstrip("/")
    return path.rsplit("/", 1)[-1] or url
