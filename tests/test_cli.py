"""The CLI's promises: rule docs, and one readable line with a documented exit code on bad input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from audits.siteserver import DEMO_ROOT
from rules import BUILTIN_RULES
from tests.kit import REPO
from tests.kit.cli import assert_one_line_error, interrupt_after, run_cli, slow_page, start_cli
from tests.kit.siteserver import SiteServer


def test_rules_lists_every_rule_with_category_and_severity() -> None:
    result = run_cli("rules")
    assert result.returncode == 0
    for rule in BUILTIN_RULES:
        line = next(line for line in result.stdout.splitlines() if line.startswith(rule.id + " "))
        assert rule.category in line and rule.severity in line and rule.title in line


def test_rule_docs_show_why_how_options_and_references() -> None:
    result = run_cli("rules", "reading-age")
    assert result.returncode == 0
    for heading in ("What it checks", "Why it matters", "How to fix", "Options", "References"):
        assert heading in result.stdout
    assert "target = 9" in result.stdout


def test_unknown_rule_is_a_usage_error() -> None:
    assert "no rule" in assert_one_line_error(run_cli("rules", "no-such-rule"), 2)


@pytest.mark.slow
def test_malformed_url_is_a_usage_error(tmp_path: Path) -> None:
    line = assert_one_line_error(run_cli("audit", "not a url", "--out", tmp_path), 2)
    assert "http://" in line


@pytest.mark.slow
def test_unreachable_host_exits_3(tmp_path: Path) -> None:
    with SiteServer(DEMO_ROOT) as server:
        url = f"{server.url}/"
    # The server has stopped: its port now refuses connections.
    line = assert_one_line_error(run_cli("audit", url, "--out", tmp_path, "-q"), 3)
    assert "the server refused the connection" in line


@pytest.mark.slow
def test_start_url_that_is_not_html_exits_3(tmp_path: Path) -> None:
    with SiteServer(DEMO_ROOT) as server:
        result = run_cli(
            "audit", f"{server.url}/documents/local-plan-summary.pdf", "--out", tmp_path, "-q"
        )
    assert "not an HTML page (application/pdf)" in assert_one_line_error(result, 3)


@pytest.mark.slow
def test_start_url_with_an_error_status_exits_3(tmp_path: Path) -> None:
    with SiteServer(DEMO_ROOT) as server:
        result = run_cli("audit", f"{server.url}/no-such-page/", "--out", tmp_path, "-q")
    assert "404" in assert_one_line_error(result, 3)


@pytest.mark.slow
def test_config_that_does_not_parse_is_a_usage_error(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("[crawl\nmax_pages = ")
    result = run_cli("audit", "http://127.0.0.1:9/", "--config", config, "--out", tmp_path)
    assert "not valid TOML" in assert_one_line_error(result, 2)


@pytest.mark.slow
def test_unknown_config_key_lists_the_valid_ones(tmp_path: Path) -> None:
    config = tmp_path / "typo.toml"
    config.write_text("[crawl]\nmax_page = 10\n")
    line = assert_one_line_error(
        run_cli("audit", "http://127.0.0.1:9/", "--config", config, "--out", tmp_path), 2
    )
    assert "max_page" in line and "max_pages" in line and "concurrency" in line


@pytest.mark.slow
def test_unknown_rule_option_lists_the_valid_ones(tmp_path: Path) -> None:
    config = tmp_path / "rule.toml"
    config.write_text("[rules.reading-age]\ntarget_age = 9\n")
    line = assert_one_line_error(
        run_cli("audit", "http://127.0.0.1:9/", "--config", config, "--out", tmp_path), 2
    )
    assert "target_age" in line and "target" in line and "min_words" in line


@pytest.mark.slow
def test_missing_config_file_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("audit", "http://127.0.0.1:9/", "--config", tmp_path / "nope.toml")
    assert "does not exist" in assert_one_line_error(result, 2)


def test_store_that_is_not_sqlite_is_a_usage_error(tmp_path: Path) -> None:
    bogus = tmp_path / "audit.db"
    bogus.write_text("this is not a database")
    result = run_cli("report", bogus, "--out", tmp_path / "out")
    assert "not a usable siteaudit store" in assert_one_line_error(result, 2)


@pytest.mark.slow
def test_ctrl_c_keeps_what_was_stored(tmp_path: Path) -> None:
    """SIGINT mid-crawl: exit 130, the pages fetched so far are in the store and reported."""

    with SiteServer(routes={"/*": slow_page}) as server:
        proc = start_cli(
            "audit",
            f"{server.url}/",
            "--out",
            tmp_path,
            "--page-workers",
            "0",
            "--concurrency",
            "2",
            capture=True,
        )
        stdout, stderr = interrupt_after(proc, server, 10)
    assert proc.returncode == 130, stderr
    assert "Interrupted" in stdout and "Traceback" not in stderr
    findings = (tmp_path / "findings.json").read_text()
    assert '"status": "interrupted"' in findings


@pytest.mark.slow
def test_scrapy_crawl_works_from_the_repository_root(tmp_path: Path) -> None:
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    with SiteServer(DEMO_ROOT) as server:
        result = subprocess.run(
            [
                str(Path(sys.executable).parent / "scrapy"),
                "crawl",
                "site",
                "-a",
                f"start_url={server.url}/",
                "-s",
                f"SITEAUDIT_STORE={tmp_path / 'crawl.db'}",
                "-s",
                "LOG_LEVEL=WARNING",
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            check=False,
        )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "crawl.db").exists()


def test_every_error_for_people_carries_its_exit_code() -> None:
    """The CLI maps errors to exit codes through their one base class, so a new error
    class cannot be forgotten in a list of exceptions."""
    from audits.core.config import ConfigError
    from audits.core.errors import SiteauditError, SiteUnreachable, UsageError
    from audits.rule_engine import PluginError
    from audits.stages.notify import NotifyError
    from audits.store import StoreError
    from reports.pageviews import PageViewsError

    for error in (ConfigError, UsageError, PluginError, StoreError, NotifyError, PageViewsError):
        assert issubclass(error, SiteauditError) and error.exit_code == 2, error
    assert SiteUnreachable.exit_code == 3
    assert SiteUnreachable("no answer").line().startswith("no answer (partial results")
