"""document-link-missing-details: links to PDFs and other files that hide their type and size."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml import etree

from rules.analyses.accessible_name import name_of
from rules.analyses.visibility import hidden
from rules.base import Category, Finding, PageRule, Severity, SuccessCriterion, option
from rules.page import Page, selector_of, snippet_of
from rules.urls import absolute

# File extension to the words that name its type in link text.
_FORMATS = {
    ".pdf": ("PDF",),
    ".doc": ("Word", "DOC"),
    ".docx": ("Word", "DOCX"),
    ".rtf": ("RTF", "Word"),
    ".odt": ("ODT", "OpenDocument"),
    ".xls": ("Excel", "XLS", "spreadsheet"),
    ".xlsx": ("Excel", "XLSX", "spreadsheet"),
    ".ods": ("ODS", "OpenDocument", "spreadsheet"),
    ".csv": ("CSV",),
    ".ppt": ("PowerPoint", "PPT"),
    ".pptx": ("PowerPoint", "PPTX"),
    ".odp": ("ODP", "OpenDocument"),
    ".zip": ("ZIP",),
}
_SIZE = re.compile(
    r"\d+(?:[.,]\d+)?\s*(?:bytes?|[kmg]i?b|kilobytes?|megabytes?|gigabytes?)\b", re.IGNORECASE
)


def file_extension(url: str) -> str:
    """The lower-case extension of a URL's path ('.pdf'), or ''."""
    name = urlsplit(url).path.rsplit("/", 1)[-1].lower()
    return name[name.rfind(".") :] if "." in name else ""


def missing_details(text: str, extension: str) -> tuple[str, ...]:
    """Which of "type" and "size" the link text leaves out."""
    names = "|".join(re.escape(word) for word in _FORMATS[extension])
    missing = []
    if not re.search(rf"\b(?:{names})\b", text, re.IGNORECASE):
        missing.append("type")
    if not _SIZE.search(text):
        missing.append("size")
    return tuple(missing)


class DocumentLinkMissingDetails(PageRule):
    """Report links to documents (PDF, Word, spreadsheets) whose text omits type or size."""

    id = "document-link-missing-details"
    title = "Link to a document does not say its file type and size"
    category = Category.ACCESSIBILITY
    severity = Severity.LOW
    summary = (
        "Static check (from the HTML, no browser needed): a link to a PDF, Word, spreadsheet, "
        "presentation, CSV or ZIP file should say so, and how big the file is, in the link "
        "text itself, such as 'Annual report (PDF, 1.2MB)'. Links that leave out either are "
        "reported."
    )
    why = (
        "A document opens differently from a web page: it may download, start another "
        "program, or be hard to use with a screen reader or on a phone. People need to know "
        "that before they follow the link, and a large file costs time and mobile data. "
        "GOV.UK asks for the file type and size in the link text, so screen reader users "
        "hear them too."
    )
    how_to_fix = (
        "Edit the link text to add the file type and size in brackets at the end, such as "
        "'Local plan summary (PDF, 250KB)'. Your computer shows a file's size in its "
        "properties. Better still, publish the information as a web page, which everyone can "
        "read on any device."
    )
    references = (
        "https://www.gov.uk/guidance/content-design/links",
        "https://www.w3.org/WAI/WCAG22/Understanding/link-purpose-in-context.html",
    )
    wcag = (SuccessCriterion("2.4.4", "A"),)

    @dataclass(frozen=True)
    class Options:
        """Options of document-link-missing-details: `[rules.document-link-missing-details]`."""

        require_size: bool = option(True, "Also require the file size, not only its type")

    def check_page(self, page: Page) -> Iterator[Finding]:
        """One finding per visible link to a document that leaves out its type or size."""
        selectors: dict[etree._Element, str] = {}
        # An address without a dot ("/bins", "#main", "?page=2") ends in the last segment
        # of its own path, which has no extension, or (when it has no path) in the base
        # URL's: most links are skipped without being resolved.
        base_is_document = file_extension(page.base_url) in _FORMATS
        for link in page.tree.iter("a"):
            href = link.get("href")
            if href is None or ("." not in href and not base_is_document):
                continue
            if hidden(page, link):
                continue
            resolved = absolute(page.base_url, href)
            extension = file_extension(resolved[0]) if resolved else ""
            if extension not in _FORMATS:
                continue
            text = name_of(page, link)
            missing = missing_details(text, extension)
            if not self.options.require_size:
                missing = tuple(m for m in missing if m != "size")
            if not missing:
                continue
            kind = _FORMATS[extension][0]
            what = " and ".join({"type": "file type", "size": "size"}[m] for m in missing)
            selector = selector_of(link, selectors)
            yield self.finding(
                page.url,
                f"{kind} link does not say its {what}: '{text}'",
                target=resolved[0] if resolved else None,
                selector=selector,
                snippet=snippet_of(link),
                evidence={"text": text, "format": kind, "missing": list(missing)},
                key=selector,
            )
