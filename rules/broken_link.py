"""broken-link: links and embedded files that lead to an error instead of content."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from audits.urls import is_document
from rules.base import Category, Finding, Severity, SiteRule, option
from rules.site import ROBOTS_FORBIDDEN, LinkRow, Site, TargetStatus

# Element kinds checked here. Form actions are left out: a form's action often answers
# GET with an error by design (it expects a POST), so it says nothing about the link.
CHECKED_KINDS = ("a", "area", "img", "link", "script", "iframe")
# Links a visitor clicks: a dead one stops them. Broken embedded files (images, scripts,
# stylesheets, frames) degrade the page but leave the visitor on it.
_CLICKED_KINDS = frozenset({"a", "area"})
# "Too many requests" means the server throttled the crawler, not that the page is gone.
_NOT_BROKEN = frozenset({429})

_KIND_NOUNS = {
    "a": "page",
    "area": "page",
    "img": "image",
    "link": "linked file",
    "script": "script",
    "iframe": "embedded page",
}


@dataclass
class _Broken:
    """A broken target and every place that links to it (accumulated while scanning)."""

    status: TargetStatus
    sources: set[str] = field(default_factory=set)
    rows: list[LinkRow] = field(default_factory=list)


class BrokenLink(SiteRule):
    """Report each in-scope link target that answers with an error (or not at all)."""

    id = "broken-link"
    title = "Link goes to a missing or broken page"
    category = Category.LINKS
    severity = Severity.HIGH
    summary = (
        "Checks every link, image, script, stylesheet and embedded frame on the site and "
        "reports targets that return an error (such as 404 Not Found or 500) or could not "
        "be loaded, including links whose redirects end in an error."
    )
    why = (
        "A broken link is a dead end: the visitor was trying to do something and the site "
        "stopped them. People then phone or email the council instead, or give up. Broken "
        "images and files also make pages look neglected, and search engines trust sites "
        "with many broken links less."
    )
    how_to_fix = (
        "Open each page listed and find the link (the link text is shown). If the page it "
        "pointed to has moved, change the link to the new address. If the content no longer "
        "exists, remove the link or point it to the most useful current page. If many pages "
        "link to the same missing address, ask your web team to set up a redirect from the "
        "old address to the new one. For a broken image or file, upload it again or remove it."
    )
    references = (
        "https://www.gov.uk/guidance/content-design/links",
        "https://www.w3.org/WAI/WCAG22/Understanding/link-purpose-in-context.html",
    )

    @dataclass(frozen=True)
    class Options:
        """Options of broken-link."""

        include_external: bool = option(
            False,
            "Also report links to other websites that return an error (reported as medium "
            "severity). Off by default: external links are left to a fuller link checker.",
        )

    def check_site(self, site: Site) -> Iterator[Finding]:
        """One finding per broken target, naming every page that links to it."""
        broken = collect_broken(
            site.links(kinds=CHECKED_KINDS), site.status, self.options.include_external
        )
        for target in sorted(broken):
            yield self._finding(target, broken[target])

    def _finding(self, target: str, entry: _Broken) -> Finding:
        pages = tuple(sorted(entry.sources))
        first = pages[0]
        kind = main_kind(row.kind for row in entry.rows)
        # The first page's own wording, so the editor can find the link on it.
        text = next((r.text for r in entry.rows if r.source == first and r.text), "")
        text = text or next((r.text for r in entry.rows if r.text), "")
        status = entry.status
        redirected = bool(status.final_url) and status.final_url != target
        severity = Severity.HIGH if kind in _CLICKED_KINDS else Severity.MEDIUM
        if not status.internal:
            severity = Severity.MEDIUM
        evidence = {
            "status": status.status,
            "error": status.error,
            "link_text": text,
            "kind": kind,
            "links": len(entry.rows),
        }
        if redirected:
            evidence["final_url"] = status.final_url
        return self.finding(
            first,
            broken_message(target, kind, status.status, status.error, text, redirected),
            severity=severity,
            target=target,
            evidence=evidence,
            pages=pages,
        )


def is_broken(status: TargetStatus) -> bool:
    """Whether a request outcome means the target is unusable (final status after redirects)."""
    if status.status is None:
        # Not requested because robots.txt forbids it: unknown, not broken.
        return bool(status.error) and status.error != ROBOTS_FORBIDDEN
    return status.status >= 400 and status.status not in _NOT_BROKEN


def collect_broken(
    links: Iterable[LinkRow],
    status_of: Callable[[str], TargetStatus | None],
    include_external: bool,
) -> dict[str, _Broken]:
    """Group the links to broken targets by target, asking each target's status once."""
    verdicts: dict[str, TargetStatus | None] = {}
    broken: dict[str, _Broken] = {}
    for row in links:
        if not row.url.startswith(("http://", "https://")):
            continue  # mailto:, tel:, sms: are recorded but never requested
        if row.url not in verdicts:
            status = status_of(row.url)
            keep = status is not None and is_broken(status)
            if keep and not status.internal and not include_external:
                keep = False
            verdicts[row.url] = status if keep else None
        status = verdicts[row.url]
        if status is None:
            continue
        entry = broken.setdefault(row.url, _Broken(status))
        entry.sources.add(row.source)
        entry.rows.append(row)
    return broken


def main_kind(kinds: Iterable[str]) -> str:
    """The kind that matters most: a clickable link beats an embedded file."""
    seen = list(kinds)
    for kind in seen:
        if kind in _CLICKED_KINDS:
            return kind
    return seen[0] if seen else "a"


def broken_message(
    target: str,
    kind: str,
    status: int | None,
    error: str | None,
    text: str,
    redirected: bool,
) -> str:
    """An editor-facing headline such as 'Link to a missing page (404): "Council tax bands"'."""
    noun = "document" if kind in _CLICKED_KINDS and is_document(target) else _KIND_NOUNS[kind]
    code = str(status) if status is not None else (error or "no response")
    if redirected:
        code += ", after a redirect"
    if status in (404, 410):
        what = f"a missing {noun}"
    elif status in (401, 403):
        what = f"a {noun} visitors are not allowed to open"
    elif status is not None and status >= 500:
        what = f"a {noun} that fails with a server error"
    elif status is not None:
        what = f"a {noun} that returns an error"
    else:
        what = f"a {noun} that could not be loaded"
    lead = "Link to" if kind in _CLICKED_KINDS else "Page uses"
    label = text or _last_segment(target)
    return f'{lead} {what} ({code}): "{label}"'


def _last_segment(url: str) -> str:
    """The file or page name at the end of a URL, to label links that have no text."""
    path = url.split("?", 1)[0].rstrip("/")
    return path.rsplit("/", 1)[-1] or url
