"""A stage that did not run is impossible to miss: a banner at the top of every page, its
category's health "not checked", and findings.json's `run.stages`."""

from __future__ import annotations

import json
from pathlib import Path

from audits.core.coverage import (
    BROWSER,
    CRAWL,
    SETUP_COMMAND,
    SITE,
    SKIPPED,
    STAGES_STAT,
    STOPPED,
    StageOutcome,
    record_stage,
    unchecked_categories,
)
from audits.stages.retention import keep_health
from audits.store import Store
from reports import health as h
from reports.comparison import overall_health, read_figures
from reports.findings_json import validate_findings
from tests.kit.synthetic_runs import RULES, START, add_run, finding_row, write_reports

REASON = "axe-core not found at /nowhere/axe.min.js"


def stats_with(browser: StageOutcome) -> dict[str, object]:
    stats: dict[str, object] = {}
    record_stage(stats, CRAWL, StageOutcome())
    record_stage(stats, BROWSER, browser)
    record_stage(stats, SITE, StageOutcome())
    return stats


SKIPPED_BROWSER = stats_with(StageOutcome(SKIPPED, REASON, SETUP_COMMAND))


def report_of(store: Store, tmp_path: Path, stats: dict[str, object]) -> tuple[str, dict]:
    run_id = add_run(store, [finding_row(url=START, fingerprint="1")], stats=stats)
    out = tmp_path / "report"
    write_reports(store, run_id, out, RULES)
    index = (out / "index.html").read_text(encoding="utf-8")
    return index, json.loads((out / "findings.json").read_text(encoding="utf-8"))


def test_a_skipped_browser_stage_shows_a_banner_with_its_fix_on_every_page(
    store: Store, tmp_path: Path
) -> None:
    index, _ = report_of(store, tmp_path, SKIPPED_BROWSER)
    banner = index.split('class="warning stage-not-run"', 1)[1].split("</p>", 1)[0]
    assert "accessibility checks in a browser" in banner and "did not run" in banner
    assert REASON in banner
    assert f"<code>{SETUP_COMMAND}</code>" in banner
    assert index.index("stage-not-run") < index.index('id="main"')  # at the top
    for page in (tmp_path / "report").glob("*/*.html"):
        assert "stage-not-run" in page.read_text(encoding="utf-8"), page


def test_a_skipped_browser_stage_leaves_accessibility_health_not_checked(
    store: Store, tmp_path: Path
) -> None:
    index, _ = report_of(store, tmp_path, SKIPPED_BROWSER)
    card = index.split("<h3>Accessibility</h3>", 1)[1].split("</li>", 1)[0]
    assert "Not checked" in card and "out of 100" not in card
    links = index.split("<h3>Links</h3>", 1)[1].split("</li>", 1)[0]
    assert "out of 100" in links


def test_findings_json_records_each_stage_and_why_one_was_skipped(
    store: Store, tmp_path: Path
) -> None:
    _, data = report_of(store, tmp_path, SKIPPED_BROWSER)
    validate_findings(data)
    assert data["run"]["stages"] == {
        "crawl": {"status": "ran", "reason": None, "fix": None},
        "browser": {"status": "skipped", "reason": REASON, "fix": SETUP_COMMAND},
        "site": {"status": "ran", "reason": None, "fix": None},
    }


def test_a_run_where_every_stage_ran_has_no_banner_and_a_score(
    store: Store, tmp_path: Path
) -> None:
    index, data = report_of(store, tmp_path, stats_with(StageOutcome()))
    assert "stage-not-run" not in index
    assert "Not checked" not in index
    assert data["run"]["stages"]["browser"]["status"] == "ran"


def test_runs_recorded_before_stages_were_kept_read_as_before(store: Store, tmp_path: Path) -> None:
    index, data = report_of(store, tmp_path, {})
    validate_findings(data)
    assert "stages" not in data["run"]
    assert "stage-not-run" not in index and "Not checked" not in index


def test_a_stopped_browser_stage_is_told_but_keeps_its_score(store: Store, tmp_path: Path) -> None:
    stopped = stats_with(StageOutcome(STOPPED, "every browser failed", SETUP_COMMAND))
    index, _ = report_of(store, tmp_path, stopped)
    assert "stopped part way" in index
    assert "Not checked" not in index
    assert unchecked_categories(stopped) == {}


def test_health_of_an_unchecked_category_is_none_and_left_out_of_the_overall() -> None:
    scores = h.health_scores([("links", "high", START, ())], {START}, ["accessibility"])
    assert scores["accessibility"] is None and scores["links"] == 0
    assert overall_health(scores) == 83  # the six checked: (0 + 5 * 100) / 6, not / 7


def test_not_checked_is_kept_with_the_run_and_read_by_the_comparison(store: Store) -> None:
    run_id = add_run(store, [], stats=SKIPPED_BROWSER)
    keep_health(store, run_id)
    kept = h.kept_health(store.run(run_id).stats)
    assert kept is not None and kept[1]["accessibility"] is None
    assert store.run(run_id).stats[STAGES_STAT]["browser"]["status"] == "skipped"
    figures = read_figures(Path(store.path), START)
    assert figures is not None
    assert figures.health["accessibility"] is None and figures.overall == 100


def test_the_trend_leaves_out_runs_that_did_not_check_the_category(
    store: Store, tmp_path: Path
) -> None:
    add_run(store, [], stats=stats_with(StageOutcome()))
    index, _ = report_of(store, tmp_path, SKIPPED_BROWSER)
    chart = index.split('id="trend-accessibility-t"', 1)[1].split("</svg>", 1)[0]
    assert chart.count('class="dot"') == 1  # the earlier run's score only
    assert "not checked (" in index  # the numbers table says so for the latest run
