"""local-file-link: links to a file on a computer or shared drive (file:, \\\\server\\share)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rules.analyses.link_verdicts import CLICKED_KINDS
from rules.analyses.prose import clip
from rules.base import Category, Finding, PageRule, Severity
from rules.page import Page

# Long share paths are shortened in the headline; the evidence keeps the whole address.
_SHOWN = 100


class LocalFileLink(PageRule):
    """Report links, images and embeds whose address is a file on a computer or network
    share: `file:` in any form, `\\\\server\\share\\...` and drive paths such as `C:\\...`.

    Not folded into malformed-link: such an address is well formed and works, but only on
    the office network it was written on, and the fix is different (put the file on the
    website), so it gets its own advice.
    """

    id = "local-file-link"
    title = "Link to a file on an office computer or shared drive"
    category = Category.LINKS
    severity = Severity.HIGH
    summary = (
        "Checks for links, images and embedded files whose address is a file on a computer "
        "or a shared drive (file:///C:/..., \\\\server\\share\\..., H:\\...) rather than a "
        "web address. Such links are never requested: nobody outside can open them."
    )
    why = (
        "The link works for the person who wrote the page, on their office computer, and "
        "for nobody else: residents get an error, or nothing happens. It usually happens when "
        "a page is written in a word processor or copied from an email, and it stays hidden "
        "from everyone inside the council's network."
    )
    how_to_fix = (
        "Upload the document to the website (or find the page it is already on) and change "
        "the link to that web address. If it is an image, upload the image and use its web "
        "address. Never link to a shared drive or to a file on your own computer."
    )
    references = (
        "https://www.gov.uk/guidance/content-design/links",
        "https://www.rfc-editor.org/rfc/rfc8089",
    )

    @dataclass(frozen=True)
    class Options:
        """local-file-link has no options."""

    def check_page(self, page: Page) -> Iterator[Finding]:
        """One finding per link on the page to a file on a computer or network share."""
        for link in page.file_links:
            label = f' "{link.text}"' if link.text else ""
            yield self.finding(
                page.url,
                f"The link{label} points to a file on an office computer or shared drive "
                f"({clip(link.href, _SHOWN)}), which nobody outside can open",
                severity=self.severity if link.kind in CLICKED_KINDS else Severity.MEDIUM,
                target=link.href,
                selector=link.selector,
                evidence={"href": link.href, "kind": link.kind},
                key=link.selector,
            )
