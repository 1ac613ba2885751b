"""Inventory rows (every form, every phone number and email address) are listed as an
inventory: never counted as problems, in health or priorities, never failures or results."""

from __future__ import annotations

import json
from pathlib import Path

from junitparser import Failure, JUnitXml

from audits.gate import Gate, judge
from audits.stages.notify import run_summary
from audits.stages.prioritise import prioritise
from audits.store import Store
from reports.findings_json import validate_findings
from reports.health import history
from tests.kit.synthetic_runs import RULES, START, add_run, finding_row, write_reports

PAGES = [START + f"page-{n}" for n in range(44)]


def _run(store: Store) -> int:
    footer_email = finding_row(
        "contact-inventory",
        PAGES[0],
        category="contact",
        severity="info",
        message="email address help@council.example.gov.uk: on 44 pages (footer)",
        target="mailto:help@council.example.gov.uk",
        pages=PAGES,
        fingerprint="footer-email",
    )
    form = finding_row(
        "form-inventory",
        PAGES[1],
        category="forms",
        severity="info",
        message='Form page "Report fly-tipping": no link from the home page leads to it',
        fingerprint="fly-tipping",
    )
    broken = finding_row(url=PAGES[2], target="https://gone.example/", fingerprint="gone")
    return add_run(store, [footer_email, form, broken], pages=[START, *PAGES])


def test_inventory_rows_are_listed_apart_and_counted_in_no_problem_figure(
    store: Store, tmp_path: Path
) -> None:
    run_id = _run(store)
    out = tmp_path / "out"
    write_reports(store, run_id, out, RULES, formats=("json", "html", "sarif", "junit", "csv"))
    data = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    validate_findings(data)
    assert [f["rule"] for f in data["findings"]] == ["demo-broken-link"]
    assert sorted(f["rule"] for f in data["inventory"]) == ["contact-inventory", "form-inventory"]
    assert data["summary"]["findings"] == 1
    assert data["summary"]["inventory"] == 2
    assert data["summary"]["by_severity"]["info"] == 0
    assert sum(data["summary"]["by_priority"].values()) == 1

    sarif = json.loads((out / "findings.sarif").read_text(encoding="utf-8"))
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["demo-broken-link"]
    suite = next(iter(JUnitXml.fromfile(str(out / "junit.xml"))))
    assert suite.failures == 1
    listed = next(case for case in suite if case.name == "contact-inventory")
    assert not [r for r in listed.result if isinstance(r, Failure)]
    assert "help@council.example.gov.uk" in (listed.system_out or "")
    assert "contact-inventory" not in (out / "findings.csv").read_text(encoding="utf-8")

    index = (out / "index.html").read_text(encoding="utf-8")
    assert "found 1 problem." in index
    assert 'id="inventories"' in index
    rule_page = (out / "rules" / "contact-inventory.html").read_text(encoding="utf-8")
    assert "What this check listed" in rule_page
    assert "The same problem is on" not in rule_page
    assert all("help@council" not in p.read_text() for p in (out / "pages").glob("*.html"))


def test_inventories_fail_no_gate_and_count_in_no_trend_or_notification(store: Store) -> None:
    run_id = _run(store)
    prioritise(store, run_id)
    findings = [f.finding for f in store.findings(run_id)]
    assert [f.rule for f in judge(findings, Gate(fail_on="info"), None).failing] == [
        "demo-broken-link"
    ]
    assert history(store, run_id)[-1].findings == {
        "links": 1,
        "freshness": 0,
        "readability": 0,
        "accessibility": 0,
        "forms": 0,
        "contact": 0,
        "findability": 0,
    }
    summary = run_summary(store, run_id)
    assert summary["findings"] == 1
    assert [t["rule"] for t in summary["top"]] == ["demo-broken-link"]
