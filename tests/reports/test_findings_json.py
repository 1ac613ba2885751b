"""findings.json: shape, schema, statuses across runs, atomic writing."""

from __future__ import annotations

import copy
import json
import os

import jsonschema
import pytest

from audits.stages.prioritise import prioritise
from reports.files import write_atomic
from reports.findings_json import (
    SCHEMA_PATH,
    build_findings,
    load_schema,
    validate_findings,
)
from tests.kit.synthetic_runs import RULES, START, add_run, finding_row, write_reports

PAGE = START + "council-tax"
OTHER = START + "bins"


def _findings():
    return [
        finding_row(url=PAGE, target="https://gone.example/", evidence={"status": 404}),
        finding_row(
            "demo-reading-age",
            OTHER,
            category="readability",
            severity="medium",
            message="The text has a reading age of 16.",
            selector=None,
            snippet=None,
            evidence={"reading_age": 16.2, "words": [1, 2]},
        ),
        finding_row(
            url=PAGE,
            severity="info",
            target="mailto:someone@example.gov.uk",
            pages=[PAGE, OTHER, START],
            fingerprint="template",
        ),
    ]


def test_schema_is_valid_draft_2020_12() -> None:
    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["additionalProperties"] is False
    assert schema["$defs"]["finding"]["additionalProperties"] is False
    assert SCHEMA_PATH.is_file()


def test_generated_file_validates(store, tmp_path) -> None:
    run_id = add_run(store, _findings(), pages=[START, PAGE, OTHER])
    store.add_rule_error(run_id, "demo-reading-age", OTHER, "ZeroDivisionError: division by zero")
    paths = write_reports(store, run_id, tmp_path / "out", RULES)
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    validate_findings(data)
    jsonschema.validate(data, json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))

    assert data["schema_version"] == 1
    assert data["tool"] == {"name": "siteaudit", "version": "0.1.0", "axe_core": None}
    assert data["run"]["id"] == run_id
    assert data["run"]["start_url"] == START
    assert data["run"]["status"] == "finished"
    assert data["run"]["pages"] == 3
    assert data["run"]["compared_with"] is None
    summary = data["summary"]
    assert summary["findings"] == 3
    assert summary["by_category"] == {
        "links": 2,
        "freshness": 0,
        "readability": 1,
        "accessibility": 0,
        "forms": 0,
        "contact": 0,
        "findability": 0,
    }
    assert summary["by_severity"] == {"critical": 0, "high": 1, "medium": 1, "low": 0, "info": 1}
    assert sum(summary["by_priority"].values()) == 3
    assert summary["by_status"] == {"new": 3, "persisting": 0}
    assert summary["fixed"] == 0
    assert summary["rule_errors"] == 1
    assert data["rule_errors"] == [
        {"rule": "demo-reading-age", "url": OTHER, "error": "ZeroDivisionError: division by zero"}
    ]

    first = data["findings"][0]
    assert set(first) == set(load_schema()["$defs"]["finding"]["required"])
    priorities = [(f["priority"], -f["score"]) for f in data["findings"]]
    assert priorities == sorted(priorities)
    broken = next(f for f in data["findings"] if f["target"] == "https://gone.example/")
    assert broken["evidence"] == {"status": 404}
    assert broken["status"] == "new"
    template = next(f for f in data["findings"] if f["fingerprint"] == "template")
    assert template["pages"] == [PAGE, OTHER, START]
    assert template["score"] == 0
    assert template["priority"] == 4


def test_new_and_persisting_across_two_runs(store, tmp_path) -> None:
    first = add_run(
        store,
        [finding_row(url=PAGE, fingerprint="a"), finding_row(url=OTHER, fingerprint="b")],
        pages=[START, PAGE, OTHER],
    )
    prioritise(store, first)
    second = add_run(
        store,
        [finding_row(url=PAGE, fingerprint="a"), finding_row(url=START, fingerprint="c")],
        pages=[START, PAGE, OTHER],
    )
    write_reports(store, second, tmp_path, RULES)
    data = json.loads((tmp_path / "findings.json").read_text(encoding="utf-8"))
    validate_findings(data)
    assert {f["fingerprint"]: f["status"] for f in data["findings"]} == {
        "a": "persisting",
        "c": "new",
    }
    assert data["summary"]["by_status"] == {"new": 1, "persisting": 1}
    assert data["summary"]["fixed"] == 1
    assert data["run"]["compared_with"] == first

    # the first run's report is unchanged by the second run
    earlier = build_findings(store, first)
    assert {f["status"] for f in earlier["findings"]} == {"new"}
    assert earlier["run"]["compared_with"] is None


def test_empty_run_validates(store, tmp_path) -> None:
    run_id = add_run(store, [])
    paths = write_reports(store, run_id, tmp_path / "a" / "b", RULES)
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    validate_findings(data)
    assert data["findings"] == []
    assert data["summary"]["findings"] == 0


def test_running_run_has_null_finish(store) -> None:
    run_id = store.begin_run(START, "0.1.0", {})
    store.add_findings(run_id, [finding_row()])
    prioritise(store, run_id)
    data = build_findings(store, run_id)
    validate_findings(data)
    assert data["run"]["finished"] is None
    assert data["run"]["status"] == "running"


def test_axe_core_version_comes_from_run_stats(store) -> None:
    run_id = store.begin_run(START, "0.1.0", {})
    store.finish_run(run_id, "finished", {"axe_core": "4.10.2"})
    data = build_findings(store, run_id)
    assert data["tool"]["axe_core"] == "4.10.2"


def test_unprioritised_findings_are_refused(store) -> None:
    run_id = add_run(store, [finding_row()])
    with pytest.raises(ValueError, match="prioritise"):
        build_findings(store, run_id)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.update(extra=1),
        lambda d: d["findings"][0].update(extra=1),
        lambda d: d["findings"][0].update(category="spelling"),
        lambda d: d["findings"][0].update(severity="urgent"),
        lambda d: d["findings"][0].update(status="fixed"),
        lambda d: d["findings"][0].update(priority=5),
        lambda d: d["findings"][0].pop("fingerprint"),
        lambda d: d["summary"]["by_priority"].update(P5=0),
        lambda d: d.pop("rule_errors"),
        lambda d: d["rule_errors"].append({"rule": "x", "url": "y"}),
    ],
)
def test_schema_is_strict(store, mutate) -> None:
    run_id = add_run(store, [finding_row()])
    prioritise(store, run_id)
    data = build_findings(store, run_id)
    validate_findings(data)
    broken = copy.deepcopy(data)
    mutate(broken)
    with pytest.raises(jsonschema.ValidationError):
        validate_findings(broken)


def test_write_atomic_replaces_and_leaves_no_temp_files(tmp_path) -> None:
    path = tmp_path / "findings.json"
    path.write_text("old", encoding="utf-8")
    write_atomic(path, "new £")
    assert path.read_text(encoding="utf-8") == "new £"
    assert sorted(os.listdir(tmp_path)) == ["findings.json"]


def test_write_atomic_keeps_old_file_on_failure(tmp_path, monkeypatch) -> None:
    path = tmp_path / "findings.json"
    path.write_text("old", encoding="utf-8")

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(path, "new")
    assert path.read_text(encoding="utf-8") == "old"
    assert sorted(os.listdir(tmp_path)) == ["findings.json"]
