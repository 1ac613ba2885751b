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

from rules.site import PRIVATE_ADDRESS, ROBOTS_FORBIDDEN, TIMED_OUT, LinkRow, TargetStatus

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
        return Verdict.TIMED_OUT if error == TIMED_OUT else Verdict.BROKEN
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


def group_by_target(
    links: Iterable[LinkRow],
    status_of: Callable[[str], TargetStatus | None],
    keep: Callable[[TargetStatus], bool],
) -> dict[str, LinkedTarget]:
    """The links to each target whose status `keep` accepts, asking each status once."""
    decided: dict[str, TargetStatus | None] = {}
    targets: dict[str, LinkedTarget] = {}
    for row in links:
        if not row.url.startswith(("http://", "https://")):
            continue  # mailto:, tel:, sms: are recorded but never requested
        if row.url not in decided:
            status = status_of(row.url)
            decided[row.url] = status if status is not None and keep(status) else None
        status = decided[row.url]
        if status is None:
            continue
        entry = targets.setdefault(row.url, LinkedTarget(status))
        entry.sources.add(row.source)
        entry.rows.append(row)
    return targets


def last_segment(url: str) -> str:
    """The file or page name at the end of a URL, to label links that have no text."""
    path = url.split("?", 1)[0].rstrip("/")
    return path.rsplit("/", 1)[-1] or url
