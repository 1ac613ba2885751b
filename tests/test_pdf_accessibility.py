"""PDF accessibility: real PDFs read as the crawl's page workers read them, hostile ones
stopped with one readable line, and an audit of a served site reporting each planted
problem once per document."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from audits.core.config import AuditConfig, ConfigError, parse_config
from audits.stages.pages import PageStage, PageStageError, read_pdf
from crawler.analyser import AnalysisError
from tests.kit.cli import run_cli
from tests.kit.findings import load_findings, url_path
from tests.kit.pdfs import (
    HOSTILE,
    compression_bomb,
    council_pdf,
    encrypted_pdf,
    hostile_pdfs,
    huge_page_tree,
)
from tests.kit.siteserver import Response, SiteServer

URL = "https://www.example.gov.uk/documents/plan.pdf"


@pytest.mark.parametrize(
    ("made", "expected"),
    [
        (
            {},
            {
                "tagged": True,
                "tags_empty": False,
                "marked": True,
                "title": "Local plan summary",
                "display_title": True,
                "lang": "en-GB",
                "bookmarks": True,
                "image_only_pages": [],
                "unnamed_fields": 0,
            },
        ),
        (
            {"tagged": False, "title": None, "display_title": False, "lang": None},
            {"tagged": False, "marked": False, "title": None, "display_title": False, "lang": None},
        ),
        ({"tags": False}, {"tagged": True, "tags_empty": True}),
        (
            {"pages": 25, "text": False, "image": True, "bookmarks": False},
            {"pages": 25, "sampled_pages": 25, "image_only_pages": list(range(1, 26))},
        ),
        # An OCR layer over the scan is text a screen reader can read.
        ({"image": True}, {"image_only_pages": []}),
        # Only a sample of a long document's pages is looked at, first and last included.
        ({"pages": 90, "text": False, "image": True}, {"sampled_pages": 30}),
        ({"fields": ("Your name", None, None)}, {"form_fields": 3, "unnamed_fields": 2}),
        (
            {"created": "D:20150301120000Z", "modified": "D:20160402120000Z"},
            {"created": "2015-03-01", "modified": "2016-04-02"},
        ),
    ],
)
def test_what_a_pdf_says_of_its_accessibility_is_read(
    made: dict[str, Any], expected: dict[str, Any]
) -> None:
    facts = read_pdf(URL, council_pdf(**made)).accessibility
    assert {key: facts.get(key) for key in expected} == expected


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_pdf_is_not_checked_with_one_readable_line(name: str) -> None:
    body = hostile_pdfs()[name]
    try:
        why = read_pdf(URL, body).accessibility["unchecked"]
    except PageStageError as exc:
        why = str(exc)
    assert why.startswith("the PDF could not be read (")
    assert "\n" not in why and "Traceback" not in why and len(why) < 200


def test_a_secured_pdf_is_read_and_one_locked_with_a_password_is_not_checked() -> None:
    assert read_pdf(URL, encrypted_pdf("")).accessibility["tagged"] is True
    with pytest.raises(PageStageError, match=r"\(it is protected with a password\)$"):
        read_pdf(URL, encrypted_pdf("secret"))


def test_a_compression_bomb_keeps_the_links_and_date_it_could_read() -> None:
    reading = read_pdf(URL, compression_bomb())
    assert reading.accessibility["unchecked"].startswith("the PDF could not be read (it goes past")


@pytest.mark.slow
def test_a_pdf_over_the_time_limit_has_its_worker_killed_and_the_next_pdf_is_read() -> None:
    stage = PageStage(AuditConfig().with_crawl(pdf_timeout=0.5), workers=1)
    slow = huge_page_tree()

    async def read_both() -> tuple[str, dict[str, Any]]:
        try:
            await stage.read_pdf(URL, slow)
        except AnalysisError as exc:
            why = str(exc)
        else:
            why = "read in time"
        return why, (await stage.read_pdf(URL, council_pdf())).accessibility

    try:
        why, next_one = asyncio.run(read_both())
    finally:
        stage.close()
    assert why == "the PDF could not be read in 0.5 s"
    assert next_one["tagged"] is True


def test_the_pdf_limits_are_read_from_the_crawl_section() -> None:
    crawl = parse_config({"crawl": {"max_pdf_bytes": 5_000_000, "pdf_timeout": 2.5}}).crawl
    assert (crawl.max_pdf_bytes, crawl.pdf_timeout) == (5_000_000, 2.5)
    assert (AuditConfig().crawl.max_pdf_bytes, AuditConfig().crawl.pdf_timeout) == (20 << 20, 15)


@pytest.mark.parametrize("setting", [{"pdf_timeout": 0}, {"max_pdf_bytes": -1}])
def test_pdf_limits_below_zero_are_refused_in_one_line(setting: dict[str, int]) -> None:
    with pytest.raises(ConfigError, match="pdf_timeout must be above 0 seconds"):
        parse_config({"crawl": setting})


# -- end to end ------------------------------------------------------------------------

_PAGE_LIMIT = 100_000
_PDF_LIMIT = 200_000
_PDFS = {
    "/docs/accessible.pdf": council_pdf(),
    "/docs/scanned-letter.pdf": council_pdf(
        pages=25,
        text=False,
        image=True,
        tagged=False,
        title="Microsoft Word - letter.docx",
        display_title=False,
        lang=None,
        bookmarks=False,
    ),
    "/docs/old-leaflet.pdf": council_pdf(tagged=False, modified="D:20160402120000Z"),
    "/docs/permit-form.pdf": council_pdf(fields=("Your name", None)),
    "/docs/damaged.pdf": b"%PDF-1.4\n" + b"\xff" * 2000,
    "/docs/bomb.pdf": compression_bomb(),
    # Above the page download limit, below the PDF one: downloaded and checked.
    "/docs/local-plan.pdf": council_pdf(filler=150_000),
    # Above both: cut at the PDF limit and noted, not reported as a broken link; the
    # second is known as a PDF by its Content-Type alone.
    "/docs/huge-plan.pdf": council_pdf(filler=300_000),
    "/downloads/file/7/transport-plan": council_pdf(filler=300_000),
}
_EXPECTED = {
    ("pdf-untagged", "/docs/scanned-letter.pdf", "high"),
    ("pdf-title-missing", "/docs/scanned-letter.pdf", "medium"),
    ("pdf-language-missing", "/docs/scanned-letter.pdf", "medium"),
    ("pdf-scanned", "/docs/scanned-letter.pdf", "high"),
    ("pdf-bookmarks-missing", "/docs/scanned-letter.pdf", "medium"),
    ("pdf-untagged", "/docs/old-leaflet.pdf", "low"),
    ("pdf-form-field-unlabelled", "/docs/permit-form.pdf", "high"),
    ("pdf-not-checked", "/docs/damaged.pdf", "info"),
    ("pdf-not-checked", "/docs/bomb.pdf", "info"),
    ("pdf-not-checked", "/docs/huge-plan.pdf", "info"),
    ("pdf-not-checked", "/downloads/file/7/transport-plan", "info"),
}


@pytest.mark.slow
def test_an_audit_reports_each_pdf_problem_once_per_document(tmp_path: Path) -> None:
    links = "".join(f"<li><a href='{path}'>{path} (PDF)</a></li>" for path in _PDFS)
    routes: dict[str, Any] = {
        "/": lambda r: Response.html(
            "<html lang='en'><head><title>Documents - Northbrook Council</title></head><body>"
            f"<main><h1>Documents</h1><ul>{links}</ul></main></body></html>"
        ),
    }
    for path, body in _PDFS.items():
        routes[path] = lambda r, body=body: Response(
            body=body, headers={"Content-Type": "application/pdf"}
        )
    config = tmp_path / "pdf.toml"
    config.write_text(
        "[crawl]\ncheck_external = false\n"
        f"max_page_bytes = {_PAGE_LIMIT}\nmax_pdf_bytes = {_PDF_LIMIT}\n"
    )
    with SiteServer(tmp_path, routes=routes) as server:
        result = run_cli(
            "audit",
            f"{server.url}/",
            "--out",
            tmp_path / "out",
            "--config",
            config,
            "--page-workers",
            "1",
            "--no-browser",
        )
    assert result.returncode == 0, result.stderr
    findings = load_findings(tmp_path / "out")["findings"]
    reported = {
        (f["rule"], url_path(f["url"]), f["severity"])
        for f in findings
        if f["rule"].startswith("pdf-")
    }
    assert reported == _EXPECTED
    notes = {url_path(f["url"]): f["message"] for f in findings if f["rule"] == "pdf-not-checked"}
    assert notes["/docs/huge-plan.pdf"] == (
        "Not checked: the PDF is larger than 0.191 MB, the most siteaudit reads "
        "([crawl] max_pdf_bytes)"
    )
    assert not [f for f in findings if f["rule"] == "broken-link"]
    [old] = [f for f in findings if url_path(f["url"]) == "/docs/old-leaflet.pdf"]
    assert old["evidence"]["exempt"] is True and "exempt" in old["message"]
