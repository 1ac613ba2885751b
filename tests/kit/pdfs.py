"""Real PDFs for the tests, written with pypdf: accessible ones and ones with planted
problems (`council_pdf`), and hostile ones written byte by byte (`hostile_pdfs`)."""

from __future__ import annotations

import functools
import io
import random
import zlib

import pypdf
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

_GREY_PIXELS = b"\x80" * 64


def council_pdf(
    *,
    pages: int = 1,
    text: bool = True,
    image: bool = False,
    tagged: bool = True,
    tags: bool = True,
    title: str | None = "Local plan summary",
    display_title: bool = True,
    lang: str | None = "en-GB",
    bookmarks: bool = True,
    fields: tuple[str | None, ...] = (),
    created: str | None = None,
    modified: str | None = None,
    filler: int = 0,
    words: str = "Page {number} of the local plan",
    lines: int = 1,
) -> bytes:
    """A PDF as an editor's export makes it: by default tagged, titled, in English, with
    real text and bookmarks. Each argument plants one problem (or removes one):
    `text=False, image=True` makes every page a scan; `tags=False` leaves the tag tree
    empty; `fields` are form fields, each with its tooltip (/TU) or None for none; dates
    are PDF dates such as D:20160301120000Z; `filler` bytes of noise in an unused stream
    make the file that much larger; `words` are each page's text, written `lines` times."""
    writer = pypdf.PdfWriter()
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
    )
    picture = DecodedStreamObject()
    picture.set_data(_GREY_PIXELS)
    picture.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Image"),
            NameObject("/Width"): NumberObject(8),
            NameObject("/Height"): NumberObject(8),
            NameObject("/ColorSpace"): NameObject("/DeviceGray"),
            NameObject("/BitsPerComponent"): NumberObject(8),
        }
    )
    picture_ref = writer._add_object(picture)
    for number in range(1, pages + 1):
        page = writer.add_blank_page(width=300, height=300)
        drawn = b""
        if image:
            drawn += b"q 200 0 0 200 50 50 cm /Im1 Do Q\n"
        if text:
            line = words.format(number=number).encode("latin-1")
            drawn += b"BT /F1 12 Tf 20 260 Td (" + line + b") Tj"
            drawn += (b" 0 -6 Td (" + line + b") Tj") * (lines - 1) + b" ET\n"
        content = DecodedStreamObject()
        content.set_data(drawn)
        page[NameObject("/Contents")] = writer._add_object(content)
        page[NameObject("/Resources")] = DictionaryObject(
            {
                NameObject("/Font"): DictionaryObject({NameObject("/F1"): font}),
                NameObject("/XObject"): DictionaryObject({NameObject("/Im1"): picture_ref}),
            }
        )
    root = writer.root_object
    if tagged:
        tree = writer._add_object(
            DictionaryObject({NameObject("/Type"): NameObject("/StructTreeRoot")})
        )
        if tags:
            tree.get_object()[NameObject("/K")] = writer._add_object(
                DictionaryObject(
                    {
                        NameObject("/Type"): NameObject("/StructElem"),
                        NameObject("/S"): NameObject("/Document"),
                        NameObject("/P"): tree,
                    }
                )
            )
        root[NameObject("/StructTreeRoot")] = tree
        root[NameObject("/MarkInfo")] = DictionaryObject(
            {NameObject("/Marked"): BooleanObject(True)}
        )
    if display_title:
        root[NameObject("/ViewerPreferences")] = DictionaryObject(
            {NameObject("/DisplayDocTitle"): BooleanObject(True)}
        )
    if lang is not None:
        root[NameObject("/Lang")] = TextStringObject(lang)
    if bookmarks:
        writer.add_outline_item(title="Summary", page_number=0)
    if fields:
        root[NameObject("/AcroForm")] = DictionaryObject(
            {
                NameObject("/Fields"): ArrayObject(
                    _field(writer, i, tip) for i, tip in enumerate(fields)
                )
            }
        )
    if filler:
        noise = DecodedStreamObject()
        noise.set_data(random.Random(filler).randbytes(filler))
        writer._add_object(noise)
    metadata = {"/Title": title, "/CreationDate": created, "/ModDate": modified}
    writer.add_metadata({key: value for key, value in metadata.items() if value is not None})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _field(writer: pypdf.PdfWriter, index: int, tooltip: str | None) -> object:
    field = DictionaryObject(
        {
            NameObject("/FT"): NameObject("/Tx"),
            NameObject("/T"): TextStringObject(f"field{index}"),
        }
    )
    if tooltip is not None:
        field[NameObject("/TU")] = TextStringObject(tooltip)
    return writer._add_object(field)


def raw_pdf(objects: list[bytes], root: int = 1) -> bytes:
    """A PDF file of the given objects (numbered from 1), with a correct cross-reference
    table: hostile structures pypdf's writer would refuse to write."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        root,
        xref,
    )
    return bytes(out)


def deep_page_tree(depth: int = 5000) -> bytes:
    """A page tree nested `depth` levels deep: recursion without end for a naive reader."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    for level in range(depth):
        number = level + 2
        parent = b" /Parent %d 0 R" % (number - 1) if level else b""
        objects.append(b"<< /Type /Pages /Kids [%d 0 R] /Count 1%s >>" % (number + 1, parent))
    objects.append(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 10 10] >>" % (depth + 1))
    return raw_pdf(objects)


def looping_page_tree() -> bytes:
    """A page tree whose node lists itself among its kids."""
    return raw_pdf(
        [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>"]
    )


def wide_page_tree(pages: int = 400_000) -> bytes:
    """One page listed `pages` times: a small file claiming a huge document."""
    kids = b" ".join([b"3 0 R"] * pages)
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] /Resources << /XObject"
            b" << /Im1 4 0 R >> >> /Contents 5 0 R >>",
            b"<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray"
            b" /BitsPerComponent 8 /Length 1 >>\nstream\n\x80\nendstream",
            b"<< /Length 0 >>\nstream\n\nendstream",
        ]
    )


@functools.cache
def compression_bomb(inflated: int = 100 * 1024 * 1024) -> bytes:
    """A page whose content stream is about 100 KB on disk and `inflated` bytes unpacked
    (more than pypdf unpacks), drawn over an image so that its text is looked for."""
    packer = zlib.compressobj(9)
    chunk = b"\x00" * (1024 * 1024)
    packed = b"".join(packer.compress(chunk) for _ in range(inflated // len(chunk)))
    packed += packer.flush()
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] /Resources << /XObject"
            b" << /Im1 4 0 R >> >> /Contents 5 0 R >>",
            b"<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray"
            b" /BitsPerComponent 8 /Length 1 >>\nstream\n\x80\nendstream",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed)
            + packed
            + b"\nendstream",
        ]
    )


HOSTILE = (
    "deep-page-tree",
    "looping-page-tree",
    "wide-page-tree",
    "huge-page-tree",
    "compression-bomb",
    "not-a-pdf",
    "truncated",
)


@functools.cache
def hostile_pdfs() -> dict[str, bytes]:
    """Every hostile PDF, by name."""
    return {
        "deep-page-tree": deep_page_tree(),
        "looping-page-tree": looping_page_tree(),
        "wide-page-tree": wide_page_tree(),
        "huge-page-tree": huge_page_tree(),
        "compression-bomb": compression_bomb(),
        "not-a-pdf": b"%PDF-1.4\n" + b"\xff" * 2000,
        "truncated": council_pdf(pages=3)[:700],
    }


@functools.cache
def huge_page_tree(nodes: int = 20, kids: int = 95_000) -> bytes:
    """`nodes` page-tree nodes each listing one page `kids` times: about two million pages
    from a small file, each inside pypdf's own limits, which only a time limit stops."""
    first_page = nodes + 3
    listed = b" ".join([b"%d 0 R" % first_page] * kids)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % (3 + i) for i in range(nodes)), nodes * kids),
    ]
    objects += [
        b"<< /Type /Pages /Parent 2 0 R /Kids [" + listed + b"] /Count %d >>" % kids
    ] * nodes
    objects.append(b"<< /Type /Page /Parent 3 0 R /MediaBox [0 0 10 10] >>")
    return raw_pdf(objects)


def encrypted_pdf(user_password: str) -> bytes:
    """`council_pdf()` encrypted with AES-256 and no permissions: with an empty user
    password anyone can open it (a 'secured' PDF); with one, only those who know it."""
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(council_pdf()))
    writer.encrypt(user_password, "owner", algorithm="AES-256", permissions_flag=0)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
