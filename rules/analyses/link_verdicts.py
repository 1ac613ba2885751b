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

from rules.site import (
    PRIVATE_ADDRESS,
    ROBOTS_FORBIDDEN,
    ROBOTS_UNAVAILABLE,
    TIMED_OUT,
    LinkRow,
    Site,
    TargetStatus,
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


class Verdict(enum.Enum):
    """What a target's last answer means for the links to it."""

    OK = "ok"
    BROKEN = "broken"
    SERVER_ERROR = "server error"
    TIMED_OUT = "timed out"
    NOT_VERIFIED = "could not verify"
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
