"""link-not-verified: links the crawler was refused or throttled on, even after retrying."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rules.analyses.link_verdicts import (
    CHECKED_KINDS,
    Verdict,
    failing_targets,
    last_segment,
    verdict,
)
from rules.base import Category, Finding, Severity, SiteRule
from rules.site import Site, TargetStatus


class LinkNotVerified(SiteRule):
    """Report targets that refused the checker (401/403/999) or kept rate-limiting it (429)."""

    id = "link-not-verified"
    title = "Link could not be checked"
    category = Category.LINKS
    severity = Severity.LOW
    summary = (
        "Lists links whose target refused to answer the checker (401, 403, 999) even when "
        "asked again with a web browser's identity, or kept answering 'too many requests' "
        "(429) after waiting as asked. These are not reported as broken."
    )
    why = (
        "Many websites block automated checkers, and some limit how often anyone may ask. "
        "Such a link probably works for people, but nobody has confirmed it. A few of these "
        "are normal; a link that needs a login people don't have is a dead end for them."
    )
    how_to_fix = (
        "Open the link in your browser. If it works, there is nothing to do. If it asks for "
        "a login that residents won't have, link to a public page instead or explain that a "
        "login is needed. If a partner site always blocks the checker, your web team can "
        "exclude it in the siteaudit configuration."
    )
    references = ("https://www.gov.uk/guidance/content-design/links",)

    @dataclass(frozen=True)
    class Options:
        """link-not-verified has no options."""

    def check_site(self, site: Site) -> Iterator[Finding]:
        """One finding per refused target, with the pages that link to it."""

        def refused(status: TargetStatus) -> bool:
            return verdict(status) is Verdict.NOT_VERIFIED

        targets = failing_targets(site, CHECKED_KINDS, refused)
        for target in sorted(targets):
            entry = targets[target]
            code = entry.status.status
            reason = (
                "kept asking the checker to slow down" if code == 429 else "refused the checker"
            )
            label = entry.link_text or last_segment(target)
            yield self.finding(
                entry.pages[0],
                f'Could not check the link "{label}": the site {reason} ({code})',
                target=target,
                evidence={"status": code, "link_text": entry.link_text, "where": entry.places()},
                pages=entry.pages,
            )
