"""The HTML report keeps the files whose inputs did not change since the report before it
in the same folder (reports/unchanged.py), and they read as a fresh report's would."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from reports.model import page_file
from reports.unchanged import MANIFEST
from tests.kit.synthetic_runs import RULES, START, add_run, finding_row, write_reports

PAGE = START + "page"
BINS = START + "bins/"
KEPT_FOLDERS = ("pages", "rules", "sections")
ALWAYS_WRITTEN = ("wcag.html", "fixed.html", "services.html")
"""Under views/: made of more than findings, and one file each."""
# The run's date, which a kept file has from the audit that last changed it.
_DATES = re.compile(r"\d{1,2} [A-Z][a-z]+ \d{4}(, \d\d:\d\d UTC)?")


def _findings(message: str = "This link leads to a page that does not exist.") -> list:
    return [
        finding_row(url=PAGE, fingerprint="a", message=message),
        finding_row(url=BINS, fingerprint="b", snippet="<script>alert(1)</script>"),
        finding_row(
            rule="demo-reading-age",
            category="readability",
            severity="medium",
            url=BINS,
            pages=[BINS, PAGE],
            fingerprint="shared",
            message="Hard to read <b>here</b>",
        ),
    ]


def _run(store, findings) -> int:
    return add_run(store, findings, pages=[START, PAGE, BINS])


def _inodes(out: Path) -> dict[str, int]:
    return {
        f"{folder}/{p.name}": p.stat().st_ino
        for folder in (*KEPT_FOLDERS, "views")
        for p in (out / folder).iterdir()
        if p.name not in ALWAYS_WRITTEN
    }


def _texts(out: Path) -> dict[str, str]:
    return {
        f"{folder}/{p.name}": _DATES.sub("DATE", p.read_text(encoding="utf-8"))
        for folder in (*KEPT_FOLDERS, "views")
        for p in (out / folder).iterdir()
    }


def test_an_unchanged_run_keeps_every_file_as_a_fresh_report_would_write_it(
    store, tmp_path
) -> None:
    out = tmp_path / "report"
    for _ in range(2):  # the second run is the first compared with one before it
        write_reports(store, _run(store, _findings()), out, RULES)
    before = _inodes(out)
    assert len(before) >= 4
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert set(manifest["files"]) == set(before)

    third = _run(store, _findings())
    write_reports(store, third, out, RULES)
    assert _inodes(out) == before  # the same files, linked into the new folders
    assert {"views/templates.html", "views/new.html"} <= set(before)

    fresh = tmp_path / "fresh"
    write_reports(store, third, fresh, RULES)
    assert _texts(out) == _texts(fresh)
    page = (out / "pages" / page_file(BINS)).read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "Audit number" not in page  # only the overview names the run
    assert f"Audit of {START}. Every problem is also in" in page
    assert "Audit number" in (out / "index.html").read_text(encoding="utf-8")


def test_a_changed_finding_rewrites_only_the_files_that_show_it(store, tmp_path) -> None:
    out = tmp_path / "report"
    for _ in range(2):
        write_reports(store, _run(store, _findings()), out, RULES)
    before = _inodes(out)

    changed = _run(store, _findings(message="This link now leads <nowhere>."))
    write_reports(store, changed, out, RULES)
    after = _inodes(out)
    rewritten = {name for name in before if after.get(name) != before[name]}
    assert rewritten == {
        f"pages/{page_file(PAGE)}",
        "rules/demo-broken-link.html",
        "sections/page.html",  # not sections/bins.html: no finding of it changed
    }
    text = (out / "pages" / page_file(PAGE)).read_text(encoding="utf-8")
    assert "This link now leads &lt;nowhere&gt;." in text

    fresh = tmp_path / "fresh"
    write_reports(store, changed, fresh, RULES)
    assert _texts(out) == _texts(fresh)


def test_a_report_stopped_midway_leaves_no_digests_to_trust(store, tmp_path, monkeypatch) -> None:
    out = tmp_path / "report"
    for _ in range(2):
        write_reports(store, _run(store, _findings()), out, RULES)
    assert (out / MANIFEST).is_file()

    import reports.html as report_html

    def broken(self, folder):
        raise RuntimeError("stopped")

    monkeypatch.setattr(report_html.HtmlReport, "write_sections", broken)
    changed = _run(store, _findings(message="Changed."))
    with pytest.raises(RuntimeError):
        write_reports(store, changed, out, RULES)
    # pages/ and rules/ were replaced; the old digests would describe the old files.
    assert not (out / MANIFEST).exists()
    monkeypatch.undo()
    write_reports(store, _run(store, _findings()), out, RULES)
    fresh = tmp_path / "fresh"
    write_reports(store, store.db.execute("SELECT max(id) FROM runs").fetchone()[0], fresh, RULES)
    assert _texts(out) == _texts(fresh)


def test_a_file_another_writer_put_in_place_is_written_again(store, tmp_path) -> None:
    out = tmp_path / "report"
    for _ in range(2):
        write_reports(store, _run(store, _findings()), out, RULES)
    # As an older siteaudit would: the same name, other content, a new file.
    page = out / "pages" / page_file(PAGE)
    other = page.with_name("other.tmp")
    other.write_text("<p>written by someone else</p>", encoding="utf-8")
    other.replace(page)

    third = _run(store, _findings())
    write_reports(store, third, out, RULES)
    fresh = tmp_path / "fresh"
    write_reports(store, third, fresh, RULES)
    assert _texts(out) == _texts(fresh)
