"""`siteaudit demo` shows a month of nightly audits: the first demo audits four earlier
states of the demo site (audits/demo_site/_history.toml) a week apart into the store, then
today's; a second demo is the same site to its store and compares with the first."""

from __future__ import annotations

import itertools
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from audits.demo import Change, DemoHistoryError, Edit, History, load_history, site_as_of
from audits.siteserver import DEMO_ROOT
from tests.kit.cli import run_cli
from tests.kit.findings import load_findings, url_path
from tests.kit.ports import free_port


def test_every_change_of_the_month_fits_the_site_as_it_is(tmp_path: Path) -> None:
    history = load_history()
    oldest = site_as_of(history, max(history.audits), tmp_path / "oldest")
    for change in history.changes:
        for name in change.unpublished:
            assert (DEMO_ROOT / name).is_file()
            assert not (oldest / name).exists()
        for edit in change.edits:
            for file in edit.paths(oldest):
                assert edit.was in file.read_text(encoding="utf-8")
                if edit.was:
                    now = (DEMO_ROOT / file.relative_to(oldest)).read_text(encoding="utf-8")
                    assert now.count(edit.was) == 0


def test_a_change_is_undone_only_for_audits_older_than_it(tmp_path: Path) -> None:
    history = load_history()
    article = "news/2025/library-refurbishment/index.html"
    [library] = [c for c in history.changes if article in c.unpublished]
    assert library.made == 14
    assert (site_as_of(history, 14, tmp_path / "14") / article).is_file()
    assert not (site_as_of(history, 21, tmp_path / "21") / article).exists()


def test_an_edit_that_no_longer_fits_names_its_change(tmp_path: Path) -> None:
    stale = Edit(file="index.html", now="<p>a sentence no page has</p>", was="")
    broken = History((7,), (Change(0, "A retired change", (), (stale,)),))
    with pytest.raises(DemoHistoryError, match=r"A retired change.*index\.html"):
        site_as_of(broken, 7, tmp_path / "site")


@pytest.fixture(scope="module")
def first_demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The first demo into a new folder, on a port of the test's own."""
    out = tmp_path_factory.mktemp("demo")
    port = str(free_port())
    # Five audits, the first with every page in Chromium: minutes on a busy machine.
    result = run_cli("demo", "--out", out, "--port", port, "-q", timeout=900)
    assert result.returncode == 0, result.stderr
    return {"out": out, "port": port, "result": result, "findings": load_findings(out)}


@pytest.mark.slow
def test_the_first_demo_stores_a_month_of_weekly_audits(first_demo: dict[str, Any]) -> None:
    db = sqlite3.connect(first_demo["out"] / "audit.db")
    runs = db.execute("SELECT started, status, start_url FROM runs ORDER BY id").fetchall()
    days = [date.fromisoformat(started[:10]) for started, _, _ in runs]
    assert [(later - earlier).days for earlier, later in itertools.pairwise(days)] == [7, 7, 7, 7]
    assert {status for _, status, _ in runs} == {"finished"}
    assert len({url for _, _, url in runs}) == 1
    assert first_demo["result"].stdout.count(" findings (") == 4  # a line per earlier audit


@pytest.mark.slow
def test_the_first_demo_report_shows_trends_new_and_fixed(first_demo: dict[str, Any]) -> None:
    data = first_demo["findings"]
    assert data["run"]["compared_with"] is not None
    new = {(f["rule"], url_path(f["url"])) for f in data["findings"] if f["status"] == "new"}
    assert ("broken-link", "/news/2025/new-recycling-centre-hours/") in new
    assert data["summary"]["fixed"] >= 1  # the bins page's dead link to garden waste
    html = (first_demo["out"] / "index.html").read_text(encoding="utf-8")
    assert "over 5 audits" in html
    assert "first complete audit" not in html
    fixed = (first_demo["out"] / "views" / "fixed.html").read_text(encoding="utf-8")
    assert "&#34;Garden waste&#34;" in fixed  # the link text of the bins page's dead link


@pytest.mark.slow
def test_the_month_shows_the_site_search_arriving(first_demo: dict[str, Any]) -> None:
    # Two weeks ago the search box came to every page's header: before it, the menus
    # were the only way to find a page (WCAG 2.4.5), and there was no search to check.
    db = sqlite3.connect(first_demo["out"] / "audit.db")
    runs = [run for (run,) in db.execute("SELECT id FROM runs ORDER BY id")]
    rules = {
        run: {
            rule
            for (rule,) in db.execute("SELECT DISTINCT rule FROM findings WHERE run_id = ?", (run,))
        }
        for run in runs
    }
    search_rules = {"multiple-ways-missing", "site-search-not-checked"}
    assert [search_rules <= rules[run] for run in runs] == [True, True, False, False, False]
    assert not search_rules & rules[runs[-1]]
    assert "top-task-not-in-search" in rules[runs[-1]]
    assert "top-task-not-in-search" not in rules[runs[0]]


@pytest.mark.slow
def test_the_demo_checks_top_tasks_and_has_sections(first_demo: dict[str, Any]) -> None:
    too_deep = [
        url_path(f["url"])
        for f in first_demo["findings"]["findings"]
        if f["rule"] == "top-task-too-deep" and f["severity"] != "info"
    ]
    assert too_deep == ["/forms/school-transfer/"]
    assert (first_demo["out"] / "sections" / "waste-and-recycling-team.html").is_file()


@pytest.mark.slow
def test_a_second_demo_compares_with_the_first(first_demo: dict[str, Any]) -> None:
    out = first_demo["out"]
    result = run_cli("demo", "--out", out, "--port", first_demo["port"], "-q", timeout=600)
    assert result.returncode == 0, result.stderr
    assert f"127.0.0.1:{first_demo['port']}/" in result.stdout
    assert "First demo" not in result.stdout  # the month is audited once
    data = load_findings(out)
    assert data["summary"]["by_status"]["new"] == 0
    db = sqlite3.connect(out / "audit.db")
    assert db.execute("SELECT count(*) FROM runs").fetchone() == (6,)
