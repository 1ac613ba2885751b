"""`siteaudit audit` end to end on the bundled demo council site, over real HTTP."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from audits.demo import DEMO_CONFIG
from audits.siteserver import DEMO_ROOT
from reports.findings_json import validate_findings
from tests.kit.cli import run_cli
from tests.kit.findings import load_findings, url_path
from tests.kit.siteserver import SiteServer

pytestmark = pytest.mark.slow

EXPECTED = json.loads((DEMO_ROOT / "EXPECTED.json").read_text(encoding="utf-8"))
# What `siteaudit demo` audits with: offline (the demo links to GOV.UK), with top tasks.
OFFLINE = DEMO_CONFIG.read_text(encoding="utf-8")
# The demo's dates are real dates: judge them on a fixed day so the test never expires.
AS_OF = "2026-11-24"


@pytest.fixture(scope="module")
def demo_audit(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One audit of the demo site with the demo's configuration (offline, top tasks,
    sections) and a page-rule worker process, shared by the tests."""
    out = tmp_path_factory.mktemp("demo")
    with SiteServer(DEMO_ROOT) as server:
        result = run_cli(
            "audit",
            f"{server.url}/",
            "--out",
            out,
            "--page-workers",
            "1",
            "--config",
            DEMO_CONFIG,
            "--as-of",
            AS_OF,
            "--no-browser",
        )
        requested = [request.target for request in server.requests]
    assert result.returncode == 0, result.stderr
    return {"out": out, "result": result, "findings": load_findings(out), "requested": requested}


def test_findings_json_is_valid_against_the_published_schema(demo_audit: dict[str, Any]) -> None:
    validate_findings(demo_audit["findings"])
    assert demo_audit["findings"]["schema_version"] == 1


def test_every_seeded_defect_is_found(demo_audit: dict[str, Any]) -> None:
    data = demo_audit["findings"]
    found = {(f["rule"], url_path(f["url"])) for f in data["findings"] + data["inventory"]}
    missing = [
        (d["rule"], d["page"])
        for d in EXPECTED["defects"]
        if (d["rule"], d["page"]) not in found and not d.get("browser")  # audited --no-browser
    ]
    assert missing == []


def test_nothing_but_the_seeded_defects_is_reported(demo_audit: dict[str, Any]) -> None:
    seeded = {(d["rule"], d["page"]) for d in EXPECTED["defects"]}
    extra = [
        (f["rule"], url_path(f["url"]), url_path(f.get("target")))
        for f in demo_audit["findings"]["findings"]
        if (f["rule"], url_path(f["url"])) not in seeded
    ]
    assert extra == []


def test_the_top_task_is_searched_for_with_the_demos_own_search(demo_audit: dict[str, Any]) -> None:
    searched = {
        f["evidence"]["phrase"]: f["evidence"]["rank"]
        for f in demo_audit["findings"]["findings"]
        if f["rule"] == "top-task-not-in-search"
    }
    assert searched == {"missed bin": 1, "bin not collected": None}
    searches = [t for t in demo_audit["requested"] if t.startswith("/search?")]
    assert searches == ["/search?q=missed+bin", "/search?q=bin+not+collected"]


def test_every_page_is_crawled_once_and_robots_txt_is_obeyed(demo_audit: dict[str, Any]) -> None:
    assert demo_audit["findings"]["run"]["pages"] == len(EXPECTED["html_pages"])
    db = sqlite3.connect(demo_audit["out"] / "audit.db")
    crawled = {
        urlsplit(url).path
        for (url,) in db.execute(
            "SELECT u.url FROM pages p JOIN urls u ON u.id = p.url_id WHERE p.is_html = 1"
        )
    }
    assert crawled == set(EXPECTED["html_pages"])
    requested = demo_audit["requested"]
    assert not [t for t in requested if t.startswith("/admin")]
    pages = [t for t in requested if t.endswith("/") and not t.startswith("/forms/")]
    assert len(pages) == len(set(pages)), "a page was requested twice"


def test_report_and_store_are_written(demo_audit: dict[str, Any]) -> None:
    out: Path = demo_audit["out"]
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "Image without alternative text" in html or "image-missing-alt" in html
    db = sqlite3.connect(out / "audit.db")
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.execute("SELECT status FROM runs").fetchall() == [("finished",)]
    regions = {r for (r,) in db.execute("SELECT DISTINCT region FROM links")}
    assert {"header", "nav", "main", "footer"} <= regions


def test_summary_names_the_outputs(demo_audit: dict[str, Any]) -> None:
    stdout = demo_audit["result"].stdout
    assert f"Audited {len(EXPECTED['html_pages'])} pages" in stdout
    assert "index.html" in stdout
    assert "findings.json" in stdout
    # the counts are the problems by severity, as findings.json sums them (no inventory rows)
    by_severity = demo_audit["findings"]["summary"]["by_severity"]
    counts = ", ".join(f"{n} {severity}" for severity, n in by_severity.items() if n)
    assert f"Findings: {sum(by_severity.values())} ({counts})" in stdout
    assert demo_audit["findings"]["inventory"]  # which the counts leave out


def test_sitemap_only_form_is_found_as_an_orphan(demo_audit: dict[str, Any]) -> None:
    [orphan] = EXPECTED["sitemap"]["orphans"]
    findings = [
        f
        for f in demo_audit["findings"]["findings"]
        if f["rule"] == "form-too-deep" and url_path(f["url"]) == orphan
    ]
    assert len(findings) == 1
    assert findings[0]["evidence"]["click_depth"] is None


def test_the_service_scorecard_ranks_the_demo_services_apart(demo_audit: dict[str, Any]) -> None:
    card = json.loads((demo_audit["out"] / "services.json").read_text(encoding="utf-8"))
    scores = {service["name"]: service["score"] for service in card["services"]}
    assert len(set(scores.values())) >= 3, scores  # some online routes are easier than others
    assert (demo_audit["out"] / "views" / "services.html").is_file()


def test_report_command_rerenders_from_the_store(
    demo_audit: dict[str, Any], tmp_path: Path
) -> None:
    result = run_cli("report", demo_audit["out"] / "audit.db", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    again = load_findings(tmp_path)
    assert [f["fingerprint"] for f in again["findings"]] == [
        f["fingerprint"] for f in demo_audit["findings"]["findings"]
    ]


def test_second_run_marks_findings_persisting(tmp_path: Path) -> None:
    config = tmp_path / "siteaudit.toml"
    config.write_text(f'{OFFLINE}[store]\npath = "{tmp_path / "history.db"}"\n')
    with SiteServer(DEMO_ROOT) as server:
        for out in ("first", "second"):
            result = run_cli(
                "audit",
                f"{server.url}/",
                "--config",
                config,
                "--out",
                tmp_path / out,
                "--page-workers",
                "0",
                "--quiet",
            )
            assert result.returncode == 0, result.stderr
    first, second = load_findings(tmp_path / "first"), load_findings(tmp_path / "second")
    assert {f["status"] for f in first["findings"]} == {"new"}
    assert {f["status"] for f in second["findings"]} == {"persisting"}
    assert len(first["findings"]) == len(second["findings"])
