"""browser-audit-error: pages the browser stage could not check."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rules.analyses.axe_results import BrowserSite
from rules.base import Category, Finding, Severity, SiteRule
from rules.site import Site


class BrowserAuditError(SiteRule):
    """Report each page that did not load in time, was too large, crashed the browser or
    broke axe-core."""

    id = "browser-audit-error"
    title = "Page could not be checked in the browser"
    category = Category.ACCESSIBILITY
    severity = Severity.LOW
    summary = (
        "Pages the browser stage could not check with axe-core: they did not finish loading "
        "within the page timeout ([browser] page_timeout, 30 seconds by default) or within the "
        "page deadline for loading and checking together ([browser] page_deadline, 60 seconds), "
        "were too large to check ([browser] max_page_bytes, 5 MB, and max_dom_elements, 50,000 "
        "elements), crashed the browser twice, or made axe-core fail. Their accessibility in "
        "the browser is unknown."
    )
    why = (
        "A page that takes more than half a minute to load, or crashes a browser, is a barrier "
        "for everyone, and worse on older phones and slow connections. It also means its "
        "accessibility was not checked, so problems on it may be missed."
    )
    how_to_fix = (
        "Open the page in a browser. If it is slow, ask your web team what holds it up (large "
        "embedded maps, videos and third-party scripts are common causes). If it loads "
        "normally, run the audit again; if it keeps failing, raise [browser] page_timeout and "
        "page_deadline in siteaudit.toml. A page too large to check is usually too large for "
        "its readers too: split it into smaller pages, or raise the limit the message names."
    )
    references = ("https://web.dev/articles/vitals",)

    @dataclass(frozen=True)
    class Options:
        """browser-audit-error has no options."""

    def check_site(self, site: Site) -> Iterator[Finding]:
        """One finding per page the browser stage gave up on."""
        if not isinstance(site, BrowserSite):
            return
        for failure in site.browser_errors():
            yield self.finding(
                failure.url,
                f"Could not be checked in the browser: {failure.error}",
                evidence={"error": failure.error},
            )
