"""PDF accessibility: what a PDF says of itself (tags, title, language, text or scanned
images, bookmarks, form field names), read once per document during the crawl and kept as
the document's facts, and the site-wide list of checked PDFs the pdf-* rules report on.

`inspect_pdf` runs in the page workers on a `pypdf.PdfReader` (the crawl already reads
every PDF there for its links). It reads the document catalogue, the metadata and a
sample of pages, never every page's text, so its cost is bounded whatever the page
count. What it finds is JSON under PDF_FACT; a document that could not be read has
{"unchecked": why} instead.

The accessibility regulations (2018) exempt documents published before 23 September
2018 unless people need them to use a service; the crawl cannot know when a file was
published, so the document's own dates stand in: a PDF whose latest date (modified,
else created) is before then is marked as likely exempt.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rules.base import Finding, Rule, Severity
from rules.site import Site, memo

if TYPE_CHECKING:
    from pypdf import PdfReader

PDF_FACT = "pdf-accessibility"
"""The facts key under which the crawl records what a PDF says of itself."""
EXEMPT_BEFORE = "2018-09-23"
"""Documents published before this day are exempt from the 2018 regulations, unless
people need them to use a service."""
SAMPLED_PAGES = 30
"""Pages whose images and text are looked at, spread over the document."""
MAX_FORM_FIELDS = 1000
"""Form fields looked at, at most (a hostile field tree can be endless)."""

# A text-showing operator (Tj, TJ, ' or ") after its string, literal, hex or array.
_SHOWS_TEXT = re.compile(rb"[)>\]]\s*(?:Tj|TJ|'|\")")
_FILE_NAME_TITLE = re.compile(
    r"(\.(docx?|pdf|xlsx?|pptx?|rtf|odt|indd|pub|qxp)$)|^microsoft (word|powerpoint|excel)\b"
    r"|^(untitled|document\d*|title|presentation\d*|slide \d+)$",
    re.IGNORECASE,
)


def inspect_pdf(reader: PdfReader) -> dict[str, Any]:
    """What one PDF says of itself, as JSON. pypdf raises on what it cannot read."""
    root = reader.trailer["/Root"].get_object()
    pages = reader.pages
    page_count = len(pages)
    created, modified = _dates(reader)
    facts: dict[str, Any] = {
        "pages": page_count,
        "tagged": "/StructTreeRoot" in root,
        "tags_empty": not _get(_get(root, "/StructTreeRoot"), "/K"),
        "marked": bool(_get(_get(root, "/MarkInfo"), "/Marked")),
        "title": _title(reader),
        "display_title": bool(_get(_get(root, "/ViewerPreferences"), "/DisplayDocTitle")),
        "lang": _text(_get(root, "/Lang")),
        "bookmarks": _get(_get(root, "/Outlines"), "/First") is not None,
        "created": created,
        "modified": modified,
    }
    sampled = _spread(page_count, SAMPLED_PAGES)
    image_only = [number + 1 for number in sampled if _image_without_text(pages[number])]
    facts.update(sampled_pages=len(sampled), image_only_pages=image_only)
    fields, unnamed = _form_fields(_get(_get(root, "/AcroForm"), "/Fields"))
    facts.update(form_fields=fields, unnamed_fields=unnamed)
    return facts


def _get(obj: Any, key: str) -> Any:
    """`obj[key]` resolved, or None when `obj` is not a dictionary or has no such key."""
    if obj is None:
        return None
    obj = obj.get_object() if hasattr(obj, "get_object") else obj
    if not isinstance(obj, Mapping):
        return None
    value = obj.get(key)
    return value.get_object() if hasattr(value, "get_object") else value


def _text(value: Any) -> str | None:
    """A PDF string as text, stripped; None for anything else or nothing."""
    if isinstance(value, str) and value.strip():
        return value.strip()[:300]
    return None


def _title(reader: PdfReader) -> str | None:
    """The document's title: its Info dictionary's, else its XMP dc:title."""
    title = _text(reader.metadata.title) if reader.metadata else None
    if title:
        return title
    xmp = reader.xmp_metadata
    names = xmp.dc_title if xmp is not None else None
    return next((t for t in map(_text, (names or {}).values()) if t), None)


def _dates(reader: PdfReader) -> tuple[str | None, str | None]:
    """(created, modified) as ISO dates; None where absent or malformed."""
    found: list[str | None] = []
    for name in ("creation_date", "modification_date"):
        try:
            when = getattr(reader.metadata, name) if reader.metadata else None
        except (ValueError, TypeError, KeyError):
            when = None  # pypdf raises on dates that don't follow the PDF date format
        found.append(when.date().isoformat() if isinstance(when, datetime) else None)
    return found[0], found[1]


def _spread(count: int, most: int) -> list[int]:
    """Up to `most` page indexes spread evenly over `count` pages, first and last included."""
    if count <= most:
        return list(range(count))
    return sorted({round(i * (count - 1) / (most - 1)) for i in range(most)})


def _image_without_text(page: Any) -> bool:
    """A page showing an image and no text a screen reader could read: a scan.

    Text is looked for as the operators that show it, in the page's content and its
    forms' (an OCR layer's invisible text counts: it can be read out). Extracting the text
    would say little more and can take minutes on one hostile page."""
    xobjects = _get(_get(page, "/Resources"), "/XObject") or {}
    forms = []
    has_image = False
    for name in list(xobjects)[:50]:
        xobject = _get(xobjects, name)
        subtype = _get(xobject, "/Subtype")
        if subtype == "/Image":
            has_image = True
        elif subtype == "/Form":
            forms.append(xobject)
            has_image = has_image or bool(_get(_get(xobject, "/Resources"), "/XObject"))
    if not has_image:
        return False
    contents = page.get_contents()
    streams = [contents.get_data() if contents is not None else b""]
    streams += [form.get_data() for form in forms]
    return not any(_SHOWS_TEXT.search(data) for data in streams)


def _form_fields(fields: Any) -> tuple[int, int]:
    """(fields a person fills in, those of them with no name for screen readers: no /TU
    on the field or a parent)."""
    pending: list[tuple[Any, bool]] = [(f, False) for f in (fields or [])[:MAX_FORM_FIELDS]]
    count = unnamed = seen = 0
    while pending and seen < MAX_FORM_FIELDS:
        node, named = pending.pop()
        seen += 1
        field = node.get_object() if hasattr(node, "get_object") else node
        if not isinstance(field, Mapping):
            continue
        named = named or bool(_text(_get(field, "/TU")))
        kids = [k for k in (_get(field, "/Kids") or []) if _get(k, "/T") is not None]
        if kids:
            pending.extend((kid, named) for kid in kids)
        elif _get(field, "/T") is not None:
            count += 1
            unnamed += not named
    return count, unnamed


# -- the site side: what the pdf-* rules report on -----------------------------------------


@dataclass(frozen=True, slots=True)
class CheckedPdf:
    """One PDF the crawl read, with what it says of itself."""

    url: str
    facts: Mapping[str, Any]

    @property
    def dated(self) -> str | None:
        """The document's latest own date (modified, else created), ISO."""
        return self.facts.get("modified") or self.facts.get("created")

    @property
    def exempt(self) -> bool:
        """Dated before 23 September 2018: likely exempt from the regulations."""
        return self.dated is not None and self.dated < EXEMPT_BEFORE

    def finding(self, rule: Rule, message: str, evidence: Mapping[str, Any]) -> Finding:
        """`rule`'s finding on this document; a likely exempt one is marked as such in its
        message and evidence, and graded low."""
        if self.exempt:
            message += (
                f" (dated {self.dated}, before 23 September 2018: exempt from the "
                "accessibility regulations unless people need it to use a service)"
            )
        return rule.finding(
            self.url,
            message,
            severity=Severity.LOW if self.exempt else None,
            evidence={
                **evidence,
                "pages": self.facts.get("pages"),
                "document_date": self.dated,
                "exempt": self.exempt,
            },
        )


def checked_pdfs(site: Site) -> list[CheckedPdf]:
    """Every PDF of the site the crawl read, by URL (shared by the pdf-* rules)."""
    return memo(site, _checked_pdfs)


def _checked_pdfs(site: Site) -> list[CheckedPdf]:
    facts = site.facts(PDF_FACT)
    return [
        CheckedPdf(url, facts[url])
        for url in sorted(facts)
        if isinstance(facts[url], Mapping) and "unchecked" not in facts[url]
    ]


def unchecked_pdfs(site: Site) -> Iterator[tuple[str, str]]:
    """(URL, why) of each PDF the crawl could not check."""
    facts = site.facts(PDF_FACT)
    for url in sorted(facts):
        if isinstance(facts[url], Mapping) and "unchecked" in facts[url]:
            yield url, str(facts[url]["unchecked"])


def file_name_title(title: str) -> bool:
    """A title that is a file name or an authoring tool's placeholder, not a real title."""
    return bool(_FILE_NAME_TITLE.search(title.strip()))
