"""Every kind of link a page can hold, crawled: media, captions, srcset, embeds, meta
refresh and site icons are requested and reported when missing; links to files on an
office network are reported and never requested; and an audit of `--urls` says how many
links to sections of unlisted pages it could not check.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.kit.cli import run_cli
from tests.kit.findings import load_findings
from tests.kit.pages import html_page
from tests.kit.siteserver import Response, SiteServer

pytestmark = pytest.mark.slow

MEDIA = """
<video src="/media/tour.mp4" poster="/media/tour.jpg" controls>
  <source src="/media/tour.webm" type="video/webm">
  <track kind="captions" src="/media/tour-en.vtt" srclang="en" label="English">
</video>
<audio src="/media/times.mp3" controls></audio>
<img src="/images/map.png" srcset="/images/map-2x.png 2x" alt="Map">
<object data="/documents/permit.pdf"></object>
<embed src="/media/old.swf">
<p><a href="\\\\fs01\\planning\\form.docx">Planning form</a>
<a href="file:///C:/Users/jsmith/guide.pdf">Guide</a></p>
<p><a href="/fees#discounts">Discounts</a> <a href="/fees#bands">Bands</a>
<a href="/fees#charges">Charges</a> <a href="/opening-hours#bank-holidays">Bank holidays</a>
<a href="/#welcome">Home</a></p>
"""
HEAD = '<link rel="icon" href="/favicon.ico"><link rel="apple-touch-icon" href="/touch.png">'
# Found: every file but the captions, the poster, the 2x image and the touch icon.
FOUND = ("/media/tour.mp4", "/media/tour.webm", "/media/times.mp3", "/images/map.png")
FOUND += ("/documents/permit.pdf", "/media/old.swf", "/favicon.ico")
MISSING = ("/media/tour-en.vtt", "/media/tour.jpg", "/images/map-2x.png", "/touch.png")


def recycling(request: Any) -> Response:
    page = html_page("Recycling", MEDIA)
    return Response.html(page.body.decode().replace("</title>", "</title>" + HEAD))


def moved(request: Any) -> Response:
    return Response.html(
        '<html lang="en"><head><title>Moved</title>'
        '<meta http-equiv="refresh" content="0; url=/recycling-2019"></head>'
        "<body><main><h1>This page has moved</h1></main></body></html>"
    )


def serve(out: Path, *args: str) -> dict[str, Any]:
    """Audit the site (with `args`): its findings, notes and the paths requested."""
    routes = {
        "/": lambda r: html_page(
            "Home",
            '<p id="welcome"><a href="/recycling">Recycling</a> <a href="/moved">Old</a></p>',
        ),
        "/recycling": recycling,
        "/moved": moved,
        "/fees": lambda r: html_page("Fees", '<h2 id="bands">Bands</h2>'),
        "/opening-hours": lambda r: html_page("Opening hours"),
        **{
            path: lambda r: Response(
                body=b"x", headers={"Content-Type": "application/octet-stream"}
            )
            for path in FOUND
        },
    }
    with SiteServer(routes=routes) as site:
        listed = out / "urls.txt"
        listed.write_text(f"{site.url}/recycling\n")
        extra = ["--urls", str(listed)] if "--urls" in args else []
        result = run_cli("audit", f"{site.url}/", "--out", out, *extra)
        origin = site.url
        paths = {request.target for request in site.requests}
    assert result.returncode == 0, result.stderr
    report = load_findings(out)
    return {"report": report, "origin": origin, "paths": paths}


@pytest.fixture(scope="module")
def audit(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return serve(tmp_path_factory.mktemp("kinds"))


@pytest.fixture(scope="module")
def listed_audit(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return serve(tmp_path_factory.mktemp("listed"), "--urls")


def broken(audit: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        f["target"].removeprefix(audit["origin"]): f
        for f in audit["report"]["findings"]
        if f["rule"] == "broken-link"
    }


def test_missing_media_captions_srcset_icons_and_refresh_targets_are_reported(
    audit: dict[str, Any],
) -> None:
    found = broken(audit)
    assert set(found) == {*MISSING, "/recycling-2019"}
    assert set(FOUND) <= audit["paths"]
    assert "captions or subtitles file" in found["/media/tour-en.vtt"]["message"]
    assert "site icon" in found["/touch.png"]["message"]
    refresh = found["/recycling-2019"]
    assert refresh["message"].startswith("Automatic redirect (meta refresh) to a missing page")
    assert refresh["severity"] == "high"


def test_links_to_office_files_are_reported_and_never_requested(audit: dict[str, Any]) -> None:
    files = [f for f in audit["report"]["findings"] if f["rule"] == "local-file-link"]
    assert sorted(f["evidence"]["href"] for f in files) == [
        "\\\\fs01\\planning\\form.docx",
        "file:///C:/Users/jsmith/guide.pdf",
    ]
    assert not [path for path in audit["paths"] if "planning" in path or "guide" in path]


def test_a_full_audit_checks_every_section_and_has_no_note_about_them(
    audit: dict[str, Any],
) -> None:
    sections = {
        f["target"].removeprefix(audit["origin"])
        for f in audit["report"]["findings"]
        if f["rule"] == "broken-fragment"
    }
    assert sections == {"/fees#discounts", "/fees#charges", "/opening-hours#bank-holidays"}
    assert not [n for n in audit["report"]["run"]["notes"] if "section" in n]


def test_an_audit_of_urls_says_how_many_section_links_it_could_not_check(
    listed_audit: dict[str, Any],
) -> None:
    assert not [f for f in listed_audit["report"]["findings"] if f["rule"] == "broken-fragment"]
    [note] = [n for n in listed_audit["report"]["run"]["notes"] if "section" in n]
    assert note.startswith("4 links to a section (#...) of 2 pages outside the --urls list")
