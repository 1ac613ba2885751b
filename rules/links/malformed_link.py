"""malformed-link: links whose address no browser can follow, such as a port out of range."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rules.base import Category, Finding, PageRule, Severity
from rules.page import Page


class MalformedLink(PageRule):
    """Report links, images and other references whose address cannot be a web address."""

    id = "malformed-link"
    title = "Link address that cannot work"
    category = Category.LINKS
    severity = Severity.MEDIUM
    summary = (
        "Checks that every link, image, script and embedded page has an address a browser "
        "can follow: a host name with only the characters host names may have, and a port "
        "number (the part after a colon, as in :8080) between 1 and 65535."
    )
    why = (
        "A link with a broken address does nothing, or shows an error, when someone selects "
        "it: browsers refuse addresses without a host name, with a port number that does "
        "not exist, or with spaces or brackets in the host name. It is usually a typing "
        "mistake when the link was added, and it stays hidden until a visitor tries it."
    )
    how_to_fix = (
        "Open the page and find the link (its text is shown). Copy the right address from "
        "the address bar of the page it should open and paste it into the link. Check the "
        "part after the colon of the host name, and any '\\' written where '/' was meant."
    )
    references = (
        "https://url.spec.whatwg.org/#url-parsing",
        "https://www.gov.uk/guidance/content-design/links",
    )

    @dataclass(frozen=True)
    class Options:
        """malformed-link has no options."""

    def check_page(self, page: Page) -> Iterator[Finding]:
        """One finding per link on the page whose address cannot work."""
        for link in page.malformed_links:
            yield self.finding(
                page.url,
                f'The link "{link.text or link.href}" cannot work: {link.problem}',
                target=link.href,
                selector=link.selector,
                evidence={"href": link.href, "problem": link.problem},
                key=link.selector,
            )
