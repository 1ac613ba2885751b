"""broken-link: links and embedded files that lead to an error instead of content."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rules.analyses.link_verdicts import (
    CHECKED_KINDS,
    CLICKED_KINDS,
    LinkedTarget,
    Verdict,
    failing_targets,
    last_segment,
    site_verdict,
    verdict,
)
from rules.base import Category, Finding, Severity, SiteRule, option
from rules.site import Site, TargetStatus
from rules.urls import is_document

_REPORTED = frozenset({Verdict.BROKEN, Verdict.SERVER_ERROR, Verdict.TIMED_OUT})

_KIND_NOUNS = {
    "a": "page",
    "area": "page",
    "img": "image",
    "link": "linked file",
    "script": "script",
    "iframe": "embedded page",
    "source": "media file",
    "video": "video",
    "audio": "audio file",
    "embed": "embedded file",
    "object": "embedded file",
    "track": "captions or subtitles file",
    "icon": "site icon",
    "meta": "page",
}
# Kinds that take the visitor to the target: a dead one stops them. A meta refresh
# ("this page has moved") forwards them without a click.
_LEADS_VISITORS = CLICKED_KINDS | {"meta"}


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
            True, "Also report links to other websites that fail (at medium severity)."
        )
        external_broken_after_runs: int = option(
            1,
            "Report a failing external link only after it has failed this many runs in a "
            "row (nightly audits: 2 or 3 avoids alerts for a site that was briefly down).",
        )

    def check_site(self, site: Site) -> Iterator[Finding]:
        """One finding per failing target, naming every page that links to it."""
        include_external = self.options.include_external

        def failing(status: TargetStatus) -> bool:
            return site_verdict(site, status) in _REPORTED and (status.internal or include_external)

        targets = failing_targets(site, CHECKED_KINDS, failing)
        for target in sorted(targets):
            entry = targets[target]
            streak, since = failing_streak(site, target)
            if not entry.status.internal and streak < self.options.external_broken_after_runs:
                continue
            yield self._finding(target, entry, streak, since)

    def _finding(self, target: str, entry: LinkedTarget, streak: int, since: str) -> Finding:
        status, kind, text = entry.status, entry.kind, entry.link_text
        found = verdict(status)
        redirected = bool(status.final_url) and status.final_url != target
        if not status.internal:
            severity = Severity.LOW if found is Verdict.TIMED_OUT else Severity.MEDIUM
        elif found is Verdict.BROKEN and kind in _LEADS_VISITORS:
            severity = Severity.HIGH
        else:
            severity = Severity.MEDIUM
        evidence = {
            "verdict": found.value,
            "status": status.status,
            "error": status.error,
            "link_text": text,
            "kind": kind,
            "links": len(entry.rows),
            "external": not status.internal,
            "failing_since": since,
            "failed_runs": streak,
            "where": entry.places(),
        }
        if redirected:
            evidence["final_url"] = status.final_url
        if entry.in_template:
            evidence["template"] = True
        message = broken_message(target, kind, status, text, redirected)
        if entry.in_template:
            message += " (in the site-wide header, menu or footer: fix it once in the template)"
        return self.finding(
            entry.pages[0],
            message,
            severity=severity,
            target=target,
            evidence=evidence,
            pages=entry.pages,
        )


def failing_streak(site: Site, target: str) -> tuple[int, str]:
    """How many runs in a row, up to this one, the target has failed, and since when."""
    streak, since = 0, ""
    for _run, started, code, error in reversed(site.status_history(target)):
        status = TargetStatus(target, code, error, target, internal=True)
        if verdict(status) not in _REPORTED:
            break
        streak, since = streak + 1, started
    return max(streak, 1), since


def broken_message(
    target: str, kind: str, status: TargetStatus, text: str, redirected: bool
) -> str:
    """An editor-facing headline such as 'Link to a missing page (404): "Council tax bands"'."""
    noun = (
        "document"
        if kind in CLICKED_KINDS and is_document(target)
        else _KIND_NOUNS.get(kind, "file")
    )
    code, error = status.status, status.error
    where = "on another website " if not status.internal else ""
    detail = str(code) if code is not None else (error or "no response")
    if redirected:
        detail += ", after a redirect"
    if code in (404, 410):
        what = f"a missing {noun} {where}"
    elif code == 403:
        what = f"a {noun} {where}that visitors are not allowed to open"
    elif code is not None and code >= 500:
        what = f"a {noun} {where}that fails with a server error, even when asked again"
        detail = str(code)
    elif code is not None:
        what = f"a {noun} {where}that returns an error"
    elif verdict(status) is Verdict.TIMED_OUT:
        what = f"a {noun} {where}that did not answer in time"
    else:
        what = f"a {noun} {where}that could not be loaded"
    if kind == "meta":
        lead = "Automatic redirect (meta refresh) to"
    else:
        lead = "Link to" if kind in CLICKED_KINDS else "Page uses"
    label = text or last_segment(target)
    return f'{lead} {what.rstrip()} ({detail}): "{label}"'
