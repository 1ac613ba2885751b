"""document-instead-of-html: information published as PDF or Word files, not web pages."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from posixpath import splitext
from urllib.parse import urlsplit

from rules.base import Category, Finding, Severity, SiteRule, option
from rules.site import DOCUMENT_DATE_FACT, LinkRow, PageInfo, Site

# Media types of documents GOV.UK would publish as HTML, and what editors call them.
_CONTENT_TYPES = {
    "application/pdf": "PDF",
    "application/msword": "Word",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/vnd.oasis.opendocument.text": "OpenDocument",
    "application/rtf": "RTF",
    "application/vnd.ms-powerpoint": "PowerPoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint",
}
_EXTENSION_NAMES = {
    "pdf": "PDF",
    "doc": "Word",
    "docx": "Word",
    "odt": "OpenDocument",
    "rtf": "RTF",
    "ppt": "PowerPoint",
    "pptx": "PowerPoint",
}


def document_type(url: str, content_type: str, extensions: tuple[str, ...]) -> str | None:
    """What kind of document a URL serves ("PDF", "Word"...), or None for anything else.

    The served media type decides when there is one; the file extension otherwise (a
    server may send documents as application/octet-stream). `extensions` choose the
    kinds reported: "pdf" stands for every PDF, whatever its address ends in.
    """
    media = content_type.split(";", 1)[0].strip().lower()
    if media in _CONTENT_TYPES:
        kind = _CONTENT_TYPES[media]
    elif not media or media == "application/octet-stream":
        extension = splitext(urlsplit(url).path)[1].lstrip(".").lower()
        kind = _EXTENSION_NAMES.get(extension)
    else:
        return None
    wanted = {_EXTENSION_NAMES.get(e.lower(), e.upper()) for e in extensions}
    return kind if kind in wanted else None


class DocumentInsteadOfHtml(SiteRule):
    """Flag PDF and Word documents the site links to, one finding per document."""

    id = "document-instead-of-html"
    title = "Information published as a PDF or Word document"
    category = Category.ACCESSIBILITY
    severity = Severity.LOW
    summary = (
        "Finds the site's own PDF, Word, OpenDocument and PowerPoint files that pages link "
        "to, one finding per document listing every page that links to it. GOV.UK guidance "
        "is to publish in HTML by default."
    )
    why = (
        "Documents are harder to find, read and use than web pages, especially on a phone "
        "or with assistive technology, and they are often missed when information is "
        "updated. Public sector documents published since September 2018 must meet the "
        "accessibility regulations, which many PDFs do not."
    )
    how_to_fix = (
        "Publish the information as a web page and link to that instead. Keep a document "
        "only when people need it as a file (a form to print and sign, a formal report kept "
        "for the record), make sure it is accessible, say its format and size in the link "
        "('Local plan (PDF, 2MB)'), and offer an accessible format on request."
    )
    references = (
        "https://www.gov.uk/guidance/content-design/planning-content#publish-in-html-by-default",
        "https://www.gov.uk/guidance/publishing-accessible-documents",
    )

    @dataclass(frozen=True)
    class Options:
        """Options of document-instead-of-html."""

        extensions: tuple[str, ...] = option(
            ("pdf", "doc", "docx", "odt", "rtf", "ppt", "pptx"),
            "File types to report (by extension; spreadsheets and data files are left out, "
            "as they are better as files)",
        )

    def check_site(self, site: Site) -> Iterator[Finding]:
        """Yield one finding per linked document of the site's own."""
        documents: dict[str, tuple[PageInfo, str]] = {}
        final_of: dict[str, str] = {}
        for info in site.pages():
            if info.url != info.final_url:
                final_of[info.url] = info.final_url
            elif (kind := self._kind(info)) is not None:
                documents[info.url] = (info, kind)
        if not documents:
            return
        # A link through a redirect is a link to where it lands: ask for the links to each
        # document and to every address that redirects to it (few, and indexed).
        addresses: dict[str, list[str]] = {url: [url] for url in documents}
        for source, final in final_of.items():
            if final in addresses:
                addresses[final].append(source)
        links: dict[str, list[LinkRow]] = {}
        for target, urls in addresses.items():
            for url in urls:
                for row in site.links_to(url):
                    # Links inside documents are not choices an editor made on a page.
                    if row.kind in ("a", "area") and row.source not in documents:
                        links.setdefault(target, []).append(row)
        # The document's own date, where the crawl could read one (PDF metadata, else the
        # server's Last-Modified): an old document is the first to turn into a web page.
        dates = site.facts(DOCUMENT_DATE_FACT)
        for url in sorted(links):
            info, kind = documents[url]
            rows = sorted(links[url], key=lambda r: r.source)
            sources = tuple(dict.fromkeys(r.source for r in rows))
            text = next((r.text for r in rows if r.text), "")
            yield self.finding(
                sources[0],
                f"Links to a {kind} document instead of a web page"
                + (f': "{text}"' if text else "")
                + (f" (the document is dated {dates[url]['date']})" if url in dates else ""),
                target=url,
                evidence={
                    "document": url,
                    "type": kind,
                    "content_type": info.content_type,
                    "link_text": text,
                    "links": len(rows),
                    "document_date": dates.get(url, {}).get("date"),
                    "date_source": dates.get(url, {}).get("source"),
                },
                pages=sources,
            )

    def _kind(self, info: PageInfo) -> str | None:
        if info.is_html or info.status is None or info.status >= 400:
            return None  # a missing document is broken-link's to report
        return document_type(info.url, info.content_type, self.options.extensions)
