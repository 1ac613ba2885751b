"""`[store] keep_runs`: old runs keep their summary, and the store stops growing."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from audits.siteserver import DEMO_ROOT
from tests.kit.cli import assert_one_line_error, run_cli
from tests.kit.siteserver import SiteServer

pytestmark = pytest.mark.slow


def history(db: Path) -> dict[int, dict[str, object]]:
    result = run_cli("history", db, "--json")
    assert result.returncode == 0, result.stderr
    return {row["run"]: row for row in json.loads(result.stdout)}


def test_runs_beyond_keep_runs_keep_their_summary_and_lose_their_details(tmp_path: Path) -> None:
    db = tmp_path / "nightly.db"
    config = tmp_path / "siteaudit.toml"
    config.write_text(f'[crawl]\ncheck_external = false\n[store]\npath = "{db}"\nkeep_runs = 2\n')
    with SiteServer(DEMO_ROOT) as server:
        for night in ("1", "2"):
            result = run_cli(
                "audit", f"{server.url}/", "--config", config, "--out", tmp_path / night, "-q"
            )
            assert result.returncode == 0, result.stderr
        before = history(db)
        result = run_cli(
            "audit", f"{server.url}/", "--config", config, "--out", tmp_path / "3", "-q"
        )
        assert result.returncode == 0, result.stderr
    after = history(db)
    assert sorted(after) == [1, 2, 3]
    assert after[1] == before[1]  # its figures are kept: findings per category, health
    store = sqlite3.connect(db)
    for table in ("pages", "links", "findings"):
        counts = dict(store.execute(f"SELECT run_id, COUNT(*) FROM {table} GROUP BY run_id"))
        assert 1 not in counts and counts[2] > 0 and counts[3] > 0, (table, counts)
    report = run_cli("report", db, "--run", "1", "--out", tmp_path / "again")
    assert "keep_runs" in assert_one_line_error(report, 2)


def test_keep_runs_of_one_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "siteaudit.toml"
    config.write_text("[store]\nkeep_runs = 1\n")
    result = run_cli("audit", "http://127.0.0.1:9/", "--config", config, "--out", tmp_path)
    assert "keep_runs must be 0" in assert_one_line_error(result, 2)
