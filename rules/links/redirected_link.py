"""redirected-link: links to the site's own pages that go through redirects."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rules.analyses.link_verdicts import (
    CLICKED_KINDS,
    Verdict,
    failing_targets,
    last_segment,
    verdict,
)
from rules.base import Category, Finding, Severity, SiteRule
from rules.site import Site, TargetStatus


class RedirectedLink(SiteRule):
    """Report internal links whose target redirects to a page that works."""

    id = "redirected-link"
    title = "Link goes through a redirect"
    category = Category.LINKS
    severity = Severity.LOW
    summary = (
        "Finds links to the site's own pages that are redirected to another address before "
        "the page loads. Chains of two or more redirects are called out."
    )
    why = (
        "Each redirect makes the page slower to open, and redirects set up when pages moved "
        "tend to be removed one day, which turns the link into a broken one. Linking to the "
        "final address keeps the site fast and the link safe."
    )
    how_to_fix = (
        "Change the link on each page listed to the final address shown. If a link in the "
        "site-wide menu or footer is affected, ask your web team to update the template once."
    )
    references = ("https://www.gov.uk/guidance/content-design/links",)

    @dataclass(frozen=True)
    class Options:
        """redirected-link has no options."""

    def check_site(self, site: Site) -> Iterator[Finding]:
        """One finding per redirected target, with the final address and the chain."""
        chains: dict[str, tuple[str, ...]] = {
            p.url: p.redirects for p in site.pages() if p.redirects and p.final_url != p.url
        }

        def redirected(status: TargetStatus) -> bool:
            return status.internal and status.url in chains and verdict(status) is Verdict.OK

        targets = failing_targets(site, CLICKED_KINDS, redirected)
        for target in sorted(targets):
            entry = targets[target]
            chain = chains[target]
            hops = len(chain) - (chain[0] == target)  # the chain may start at the link's URL
            label = entry.link_text or last_segment(target)
            through = f"through {hops} redirects" if hops > 1 else "through a redirect"
            yield self.finding(
                entry.pages[0],
                f'The link "{label}" goes {through}: link to {entry.status.final_url} instead',
                severity=Severity.MEDIUM if hops > 1 else None,
                target=target,
                evidence={
                    "final_url": entry.status.final_url,
                    "chain": list(chain),
                    "hops": hops,
                    "where": entry.places(),
                },
                pages=entry.pages,
            )
