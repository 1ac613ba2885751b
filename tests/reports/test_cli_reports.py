"""The commands around reports: `siteaudit history`, `report --format`, `audit --format`."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from audits.cli import main
from audits.store import Store
from rules.base import Category
from tests.kit.synthetic_runs import START, add_run, finding_row


def _store(path: Path) -> Path:
    store = Store(str(path))
    try:
        add_run(store, [finding_row(fingerprint="a")], pages=[START, START + "page"])
        add_run(
            store,
            [
                finding_row(fingerprint="a"),
                finding_row(
                    "demo-reading-age", category="readability", severity="medium", fingerprint="r"
                ),
            ],
            pages=[START, START + "page", START + "bins/x"],
            config={"report": {"formats": ["html", "json"], "sections": {"/bins/": "Waste team"}}},
        )
        add_run(store, [], pages=["https://other.example/"], start_url="https://other.example/")
    finally:
        store.close()
    return path


def test_history_lists_runs_with_counts_per_category(tmp_path) -> None:
    db = _store(tmp_path / "audit.db")
    result = CliRunner().invoke(main, ["history", str(db)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == START
    header = lines[1].split()
    assert header[:5] == ["run", "started", "status", "pages", "findings"]
    assert header[5:] == [c.value for c in Category]
    first, second = lines[2].split(), lines[3].split()
    assert first[0] == "1" and first[-7:] == ["1", "0", "0", "0", "0", "0", "0"]
    assert second[0] == "2" and second[-8:] == ["2", "1", "0", "1", "0", "0", "0", "0"]
    assert "finished" in lines[2]
    assert "https://other.example/" in result.output


def test_history_as_json(tmp_path) -> None:
    db = _store(tmp_path / "audit.db")
    result = CliRunner().invoke(main, ["history", str(db), "--json"])
    assert result.exit_code == 0, result.output
    runs = json.loads(result.output)
    assert [r["run"] for r in runs] == [1, 2, 3]
    assert runs[1]["by_category"]["readability"] == 1 and runs[1]["pages"] == 3


def test_history_without_a_store_is_a_usage_error(tmp_path) -> None:
    result = CliRunner().invoke(main, ["history", str(tmp_path / "none.db")])
    assert result.exit_code == 2
    assert "no store at" in result.output


def test_report_writes_the_formats_asked_for(tmp_path) -> None:
    db = _store(tmp_path / "audit.db")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["report", str(db), "--run", "2", "--out", str(out), "--format", "csv,sarif,junit"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["findings.csv", "findings.sarif", "junit.xml"]
    for name in ("csv:", "sarif:", "junit:"):
        assert name in result.output


def test_report_uses_the_runs_own_report_settings(tmp_path) -> None:
    db = _store(tmp_path / "audit.db")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["report", str(db), "--run", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "sections" / "waste-team.html").is_file()
    assert (out / "findings.json").is_file()


def test_report_with_a_config_file(tmp_path) -> None:
    db = _store(tmp_path / "audit.db")
    views = tmp_path / "views.csv"
    views.write_text("Page path,Views\n/page,99999\n", encoding="utf-8")
    config = tmp_path / "siteaudit.toml"
    config.write_text('[report]\nformats = ["json"]\npage_views = "views.csv"\n')
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["report", str(db), "--run", "2", "--out", str(out), "--config", str(config)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    busy = next(f for f in data["findings"] if f["rule"] == "demo-broken-link")
    assert busy["score"] == 54.0 and busy["priority"] == 1  # high x (1 + log10(100,000))


def test_bad_format_is_a_usage_error(tmp_path) -> None:
    db = _store(tmp_path / "audit.db")
    result = CliRunner().invoke(main, ["report", str(db), "--format", "html,pdf"])
    assert result.exit_code == 2
    assert "unknown format pdf" in result.output


def test_audit_checks_format_and_page_views_before_crawling(tmp_path) -> None:
    # Port 9 on the loopback address: nothing listens, and nothing is requested anyway.
    url = "http://127.0.0.1:9/"
    result = CliRunner().invoke(main, ["audit", url, "--out", str(tmp_path), "--format", "xml"])
    assert result.exit_code == 2 and "unknown format xml" in result.output
    config = tmp_path / "siteaudit.toml"
    config.write_text('[report]\npage_views = "missing.csv"\n')
    result = CliRunner().invoke(
        main, ["audit", url, "--out", str(tmp_path), "--config", str(config)]
    )
    assert result.exit_code == 2 and "cannot read page views file" in result.output
    assert not (tmp_path / "audit.db").exists()
