"""The report stage's memory does not grow with the findings it writes: they are read
from the store one at a time, and only a bounded share of their HTML is kept."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

import reports
from audits.stages.report import run_prioritise_stage
from audits.store import Store
from reports import FORMATS, html_fragments
from tests.kit.synthetic_runs import RULES, START, add_run, finding_row, write_reports

FINDINGS = 1000
PER_PAGE = 10


def _peak_writing(tmp_path: Path, evidence_chars: int) -> int:
    """Bytes Python held at most while writing every format of a run whose findings each
    carry `evidence_chars` characters of evidence."""
    store = Store(str(tmp_path / f"audit-{evidence_chars}.db"))
    findings = [
        finding_row(
            url=f"{START}page-{n // PER_PAGE}",
            target=f"{START}gone-{n}",
            evidence={"text": "x" * evidence_chars},
        )
        for n in range(FINDINGS)
    ]
    run_id = add_run(store, findings)
    tracemalloc.start()
    try:
        write_reports(store, run_id, tmp_path / f"report-{evidence_chars}", RULES, formats=FORMATS)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        store.close()


def test_writing_reports_does_not_hold_every_finding_s_evidence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A small budget for kept "More detail" HTML, so a small run shows the bound.
    monkeypatch.setattr(html_fragments, "DETAIL_KEPT", 100_000)
    small = _peak_writing(tmp_path, 10)
    large = _peak_writing(tmp_path, 3000)  # 3 MB of evidence in all
    assert large - small < 3_000_000


def _report_files(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*.html"))
    }


@pytest.mark.parametrize("budget", [8_000_000, 2_000])
def test_a_finding_s_text_is_read_once_within_the_budget_or_past_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, budget: int
) -> None:
    # Each finding is listed on its check's page, its site page's and its section's: its
    # message and evidence are read from the store for the first and kept for the others,
    # in memory within the budget, past it in a temporary file.
    monkeypatch.setattr(html_fragments, "DETAIL_KEPT", budget)
    store = Store(str(tmp_path / "audit.db"))
    findings = [
        finding_row(url=f"{START}page-{n // PER_PAGE}", target=f"{START}gone-{n}")
        for n in range(300)
    ]
    run_id = add_run(store, findings)
    asked: list[int] = []
    read = store.finding_details

    def counted(finding_ids):  # type: ignore[no-untyped-def]
        asked.extend(finding_ids)
        return read(finding_ids)

    run_prioritise_stage(store, run_id, None)
    store.finding_details = counted  # type: ignore[method-assign]
    try:
        reports.write_reports(store, run_id, tmp_path / "report", RULES, formats=("html",))
    finally:
        store.close()
    assert len(asked) == len(set(asked)) == len(findings)


def test_text_kept_past_the_budget_makes_the_same_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(str(tmp_path / "audit.db"))
    findings = [
        finding_row(
            url=f"{START}page-{n // PER_PAGE}",
            target=f"{START}gone-{n}",
            evidence={"text": f"<b>été {n}</b> & “more”"},
        )
        for n in range(300)
    ]
    run_id = add_run(store, findings)
    run_prioritise_stage(store, run_id, None)
    written = {}
    try:
        for budget in (8_000_000, 0):
            monkeypatch.setattr(html_fragments, "DETAIL_KEPT", budget)
            out = tmp_path / f"report-{budget}"
            reports.write_reports(store, run_id, out, RULES, formats=("html",))
            written[budget] = _report_files(out)
    finally:
        store.close()
    assert written[0] == written[8_000_000]
    assert any(
        "&lt;b&gt;été 7&lt;/b&gt; &amp; “more”" in html.decode() for html in written[0].values()
    )
