"""The exports: findings.csv, SARIF 2.1.0 (validated against the OASIS schema) and JUnit XML
(read back with a JUnit parser)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import jsonschema
import pytest
from junitparser import Error, Failure, JUnitXml

from reports.csv_export import COLUMNS, cell
from reports.junit import MAX_LISTED, xml_text
from reports.sarif import FINGERPRINT_KEY, SARIF_SCHEMA_URI, load_schema, pascal
from tests.kit.synthetic_runs import RULES, START, add_run, finding_row, write_reports

PAGE = START + "council-tax"
BINS = START + "bins"
NASTY = '=HYPERLINK("https://evil.example","click")\x07 <b>'


def _findings():
    return [
        finding_row(url=PAGE, target="https://gone.example/", evidence={"status": 404}),
        finding_row(
            url=BINS,
            message=NASTY,
            severity="critical",
            pages=[BINS, PAGE, START],
            selector="nav > a",
            fingerprint="template",
        ),
        finding_row(
            "demo-reading-age",
            BINS,
            category="readability",
            severity="info",
            message="Reading age 12.",
            fingerprint="info",
        ),
        finding_row("plugin-rule", START, category="forms", severity="low", fingerprint="plugin"),
    ]


@pytest.fixture
def exports(store, tmp_path) -> dict[str, Path]:
    add_run(
        store, [finding_row(url=PAGE, target="https://gone.example/")], pages=[START, PAGE, BINS]
    )
    run_id = add_run(store, _findings(), pages=[START, PAGE, BINS])
    store.add_rule_error(run_id, "demo-reading-age", PAGE, "ZeroDivisionError: division by zero")
    return write_reports(store, run_id, tmp_path, RULES, formats=("csv", "sarif", "junit", "json"))


# -- CSV ------------------------------------------------------------------------------


def test_csv_has_a_row_per_finding_and_page(exports) -> None:
    raw = exports["csv"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM, so Excel reads UTF-8
    assert b"\r\n" in raw
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert list(rows[0]) == list(COLUMNS)
    assert len(rows) == 1 + 3 + 1 + 1  # the template problem has a row for each of its pages
    template = [r for r in rows if r["fingerprint"] == "template"]
    assert [r["page"] for r in template] == [BINS, PAGE, START]
    assert {r["pages_affected"] for r in template} == {"3"}
    assert template[0]["priority"] == "P1" and template[0]["rule_title"] == "Broken link"
    # a formula in crawled text is neutralised
    assert template[0]["message"].startswith("'=HYPERLINK(")
    # most urgent first, like findings.json
    assert rows[0]["fingerprint"] == "template"
    plugin = next(r for r in rows if r["rule"] == "plugin-rule")
    assert plugin["rule_title"] == "plugin-rule" and plugin["target"] == ""


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("plain", "plain"),
        (None, ""),
        (True, "yes"),
        (-3, -3),  # numbers stay numbers
        (2.5, 2.5),
    ],
)
def test_csv_cell(value, expected) -> None:
    assert cell(value) == expected


# -- SARIF ----------------------------------------------------------------------------


def test_sarif_validates_against_the_oasis_schema(exports) -> None:
    log = json.loads(exports["sarif"].read_text(encoding="utf-8"))
    schema = load_schema()
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")
    jsonschema.Draft4Validator.check_schema(schema)
    jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    ).validate(log)
    assert log["version"] == "2.1.0" and log["$schema"] == SARIF_SCHEMA_URI


def test_sarif_rules_results_and_fingerprints(exports) -> None:
    run = json.loads(exports["sarif"].read_text(encoding="utf-8"))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["demo-broken-link", "demo-reading-age", "plugin-rule"]
    broken = rules[0]
    assert broken["shortDescription"]["text"] == "Broken link"
    assert broken["helpUri"] == "https://www.w3.org/WAI/"  # the javascript: reference is skipped
    assert "Why it matters: People who follow a broken link give up" in broken["help"]["text"]
    assert broken["defaultConfiguration"]["level"] == "error"
    results = {r["partialFingerprints"][FINGERPRINT_KEY]: r for r in run["results"]}
    assert len(results) == 4
    template = results["template"]
    assert template["ruleId"] == "demo-broken-link" and template["ruleIndex"] == 0
    assert template["level"] == "error"
    assert template["message"]["text"] == NASTY
    assert template["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == BINS
    assert template["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "nav > a"
    related = [
        r["physicalLocation"]["artifactLocation"]["uri"] for r in template["relatedLocations"]
    ]
    assert related == [PAGE, START]
    assert template["properties"]["priority"] == 1
    assert template["baselineState"] == "new"
    persisting = next(
        r
        for r in run["results"]
        if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == PAGE
    )
    assert persisting["baselineState"] == "unchanged"
    info = results["info"]
    assert info["kind"] == "informational" and info["level"] == "none"
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert notes[0]["associatedRule"]["id"] == "demo-reading-age"
    assert run["invocations"][0]["executionSuccessful"] is True
    assert run["invocations"][0]["startTimeUtc"].endswith("Z")


@pytest.mark.parametrize(
    ("rule_id", "expected"),
    [("broken-link", "BrokenLink"), ("axe_colour-contrast", "AxeColourContrast"), ("x", "X")],
)
def test_pascal(rule_id: str, expected: str) -> None:
    assert pascal(rule_id) == expected


# -- JUnit ----------------------------------------------------------------------------


def test_junit_parses_with_a_testcase_per_rule(exports) -> None:
    xml = JUnitXml.fromfile(str(exports["junit"]))
    assert isinstance(xml, JUnitXml)  # <testsuites> at the top
    suites = list(xml)
    assert len(suites) == 1
    suite = suites[0]
    cases = {case.name: case for case in suite}
    assert set(cases) == {"demo-broken-link", "demo-reading-age", "plugin-rule"}
    assert suite.tests == 3 and suite.failures == 2
    broken = cases["demo-broken-link"]
    assert broken.classname == "siteaudit.links"
    [failure] = [r for r in broken.result if isinstance(r, Failure)]
    assert failure.message == "Broken link: 2 problems on 3 pages"
    assert failure.type == "critical"
    lines = failure.text.splitlines()
    assert lines[0].startswith(f"P1 {BINS} - =HYPERLINK(") and lines[0].endswith(
        "(and 2 more pages)"
    )
    assert "\x07" not in failure.text  # not allowed in XML 1.0
    assert any(PAGE in line for line in lines[1:])
    # info findings do not fail the check; they are listed, with the check's errors
    reading = cases["demo-reading-age"]
    assert not [r for r in reading.result if isinstance(r, Failure | Error)]
    assert "Reading age 12." in reading.system_out
    assert "ZeroDivisionError" in reading.system_err
    assert cases["plugin-rule"].classname == "siteaudit.forms"


def test_junit_caps_long_listings(store, tmp_path) -> None:
    run_id = add_run(
        store,
        [finding_row(url=START + f"p{i}", fingerprint=f"f{i}") for i in range(MAX_LISTED + 5)],
    )
    path = write_reports(store, run_id, tmp_path, RULES, formats=("junit",))["junit"]
    suite = next(iter(JUnitXml.fromfile(str(path))))
    case = next(c for c in suite if c.name == "demo-broken-link")
    text = case.result[0].text
    assert len(text.splitlines()) == MAX_LISTED + 1
    assert text.endswith("... and 5 more, listed in findings.json")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a\x00b\x1fc", "abc"),
        ("tab\tnew\nline", "tab\tnew\nline"),
        ("\ud800x", "x"),
        (None, ""),
        (3, "3"),
    ],
)
def test_xml_text(value, expected) -> None:
    assert xml_text(value) == expected


def test_every_findings_file_comes_from_one_read_of_the_findings(tmp_path: Path) -> None:
    from audits.stages.report import run_prioritise_stage
    from audits.store import Store
    from reports import FORMATS
    from reports import write_reports as write_all

    store = Store(str(tmp_path / "audit.db"))
    run_id = add_run(
        store,
        [
            *_findings(),
            finding_row("demo-link-inventory", PAGE, severity="info", fingerprint="listed"),
        ],
    )
    run_prioritise_stage(store, run_id, None)
    statements: list[str] = []
    store.db.set_trace_callback(statements.append)
    try:
        write_all(store, run_id, tmp_path / "report", RULES, formats=FORMATS)
    finally:
        store.db.set_trace_callback(None)
    # A whole finding (its evidence) is read once for json, csv, sarif and junit
    # together: the problems once, the inventory rows once.
    whole = [s for s in statements if s.lstrip().startswith("SELECT") and "evidence, pages" in s]
    assert len(whole) == 2, whole
    assert {p.name for p in (tmp_path / "report").iterdir()} >= {
        "findings.json",
        "findings.csv",
        "findings.sarif",
        "junit.xml",
    }
