"""image-missing-alt: images with no alt attribute at all (WCAG 1.1.1)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from rules.analyses.visibility import hidden
from rules.base import Category, Finding, PageRule, Severity, SuccessCriterion
from rules.page import Page, selector_of, snippet_of
from rules.urls import absolute


def needs_alt(page: Page, img: etree._Element) -> bool:
    """Whether an <img> lacks any text alternative and is not hidden from assistive tech.

    alt="" is a valid choice (a decorative image), so only a missing attribute counts.
    """
    if img.get("alt") is not None:
        return False
    if (img.get("role") or "").strip().lower() in ("presentation", "none"):
        return False
    if any((img.get(name) or "").strip() for name in ("aria-label", "aria-labelledby", "title")):
        return False
    return not hidden(page, img)


def file_name(src: str) -> str:
    """The image's file name, which often hints at what it shows."""
    return src.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def linked_image(img: etree._Element) -> bool:
    """Whether the image is all there is inside a link, so the link has no name either."""
    link = next((a for a in img.iterancestors("a") if a.get("href") is not None), None)
    return link is not None and not "".join(link.itertext()).strip()


class ImageMissingAlt(PageRule):
    """Report every <img> without an alt attribute (or other accessible name)."""

    id = "image-missing-alt"
    title = "Image has no alt text"
    category = Category.ACCESSIBILITY
    severity = Severity.HIGH
    summary = (
        'Finds images with no alt attribute at all. An empty alt (alt="") is accepted, '
        "because it correctly marks a decorative image, and so are images hidden from "
        "screen readers or named another way."
    )
    why = (
        "Blind and partially sighted people use screen readers, which read out an image's "
        "alt text. With no alt attribute, many screen readers read the file name instead, "
        "such as 'IMG underscore 2041 dot jpg', or skip the image, so information or a link "
        "is lost. Public sector websites must meet this requirement (WCAG 1.1.1)."
    )
    how_to_fix = (
        "Edit the page and open each image's settings. If the image gives information, write "
        "alt text that says what it tells the reader, in a short sentence (not 'image of'). "
        "If the image is a link, describe where the link goes. If it is only decoration, mark "
        "it as decorative in your editor so it gets an empty alt. If a chart or map holds "
        "important information, also give that information in the page text."
    )
    references = (
        "https://www.w3.org/WAI/WCAG22/Understanding/non-text-content.html",
        "https://www.gov.uk/guidance/content-design/images",
    )
    wcag = (SuccessCriterion("1.1.1", "A"),)
    axe_rules = ("image-alt",)

    @dataclass(frozen=True)
    class Options:
        """image-missing-alt has no options."""

    def check_page(self, page: Page) -> Iterator[Finding]:
        """One finding per image that needs alt text and has none."""
        selectors: dict[etree._Element, str] = {}
        for img in page.tree.iter("img"):
            if not needs_alt(page, img):
                continue
            src = (img.get("src") or "").strip()
            resolved = absolute(page.base_url, src) if src else None
            selector = selector_of(img, selectors)
            in_link = linked_image(img)
            name = file_name(src) if src and not src.startswith("data:") else ""
            if in_link:
                message = "Linked image has no alt text, so the link has no name"
            else:
                message = "Image has no alt text"
            if name:
                message += f": {name}"
            yield self.finding(
                page.url,
                message,
                target=resolved[0] if resolved else None,
                selector=selector,
                snippet=snippet_of(img),
                evidence={"src": src, "in_link": in_link},
                key=selector,
            )
