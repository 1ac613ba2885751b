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
    assert set(manifest["files"]) == {*before, "findings.json"}

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


def _two_reports(store, out: Path, rows: list) -> None:
    """Two runs' reports in `out`: the second is the first compared with one before it."""
    for _ in range(2):
        write_reports(store, _run(store, rows), out, RULES)


def _as_fresh(store, run_id: int, out: Path, fresh: Path) -> None:
    """findings.json in `out` is, byte for byte, what a report into a new folder writes."""
    write_reports(store, run_id, fresh, RULES)
    assert (out / "findings.json").read_bytes() == (fresh / "findings.json").read_bytes()


def _json_takes(monkeypatch) -> list[str]:
    """The lists findings.json's writer is handed findings of, from now on."""
    import reports.findings_json as findings_json

    taken: list[str] = []
    take = findings_json.FindingsJsonWriter.take

    def counting(self, listed, item):
        taken.append(listed)
        take(self, listed, item)

    monkeypatch.setattr(findings_json.FindingsJsonWriter, "take", counting)
    return taken


def _inventory_row():
    return finding_row(
        rule="demo-pdf-inventory",
        category="findability",
        severity="info",
        url=BINS,
        fingerprint="pdf",
        message="A PDF: £12 “form”",
    )


def test_findings_json_of_an_unchanged_run_copies_its_lists_as_a_fresh_one_writes_them(
    store, tmp_path, monkeypatch
) -> None:
    out = tmp_path / "report"
    rows = [*_findings(), _inventory_row()]
    _two_reports(store, out, rows)
    assert "findings.json" in json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"]

    taken = _json_takes(monkeypatch)
    third = _run(store, rows)
    write_reports(store, third, out, RULES)
    assert taken == []  # no finding read from the store and encoded again
    _as_fresh(store, third, out, tmp_path / "fresh")
    document = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    assert document["run"]["id"] == third and len(document["findings"]) == 3

    # Kept twice running: the file written by copying says where its lists lie too.
    taken.clear()  # of the fresh report
    fourth = _run(store, rows)
    write_reports(store, fourth, out, RULES)
    assert taken == []
    _as_fresh(store, fourth, out, tmp_path / "fresh")


def test_findings_json_is_written_again_when_a_finding_or_the_file_changed(
    store, tmp_path, monkeypatch
) -> None:
    out = tmp_path / "report"
    _two_reports(store, out, _findings())
    taken = _json_takes(monkeypatch)
    changed = _run(store, _findings(message="This link now leads <nowhere>."))
    write_reports(store, changed, out, RULES)
    assert taken.count("findings") == 3
    _as_fresh(store, changed, out, tmp_path / "fresh")

    # Someone else's findings.json in its place (same size, other bytes): not copied from.
    path = out / "findings.json"
    text = path.read_text(encoding="utf-8").replace("nowhere", "NOWHERE")
    other = path.with_name("other.tmp")
    other.write_text(text, encoding="utf-8")
    other.replace(path)
    taken.clear()
    same = _run(store, _findings(message="This link now leads <nowhere>."))
    write_reports(store, same, out, RULES)
    assert taken.count("findings") == 3
    _as_fresh(store, same, out, tmp_path / "fresh")


def test_findings_json_whose_old_file_goes_midway_is_written_from_the_store(
    store, tmp_path, monkeypatch
) -> None:
    import reports.findings_json as findings_json

    out = tmp_path / "report"
    _two_reports(store, out, _findings())

    def gone(self, path, start, end):
        raise FileNotFoundError(path)

    monkeypatch.setattr(findings_json.FindingsJsonWriter, "_copy", gone)
    third = _run(store, _findings())
    write_reports(store, third, out, RULES)
    _as_fresh(store, third, out, tmp_path / "fresh")
    assert not list(out.glob(".findings.json.*"))  # no temporary file left behind
