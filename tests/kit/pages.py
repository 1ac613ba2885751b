"""Building fixture pages and documents for the sites tests serve."""

from __future__ import annotations

import io

import pypdf
from pypdf.annotations import Link as PdfLink

from tests.kit.siteserver import Response


def html_page(title: str, body: str = "") -> Response:
    """A plain page: `title` as its title and heading, `body` after the heading in <main>."""
    return Response.html(
        f"<html lang='en'><head><title>{title}</title></head>"
        f"<body><main><h1>{title}</h1>{body}</main></body></html>"
    )


def pdf_with_link(url: str, modified: str | None = None) -> bytes:
    """A one-page PDF whose only link leads to `url`; `modified` is its /ModDate, a PDF
    date such as `D:20190303120000Z`."""
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=300, height=300)
    writer.add_annotation(page_number=0, annotation=PdfLink(rect=(10, 10, 200, 40), url=url))
    if modified is not None:
        writer.add_metadata({"/ModDate": modified})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
