"""An audit whose browser stage cannot run (axe-core pointed at a missing file) says so
everywhere, and `--require-browser` / `[gate] require_browser` make CI fail on it (exit 5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from audits.core.coverage import SETUP_COMMAND
from audits.core.errors import EXIT_STAGE_SKIPPED, EXIT_USAGE
from tests.kit.cli import assert_one_line_error, run_cli
from tests.kit.findings import load_findings
from tests.kit.pages import html_page
from tests.kit.siteserver import SiteServer

pytestmark = pytest.mark.slow

ROUTES = {
    "/": lambda r: html_page("Home", '<a href="/about">About us</a>'),
    "/about": lambda r: html_page("About"),
}


def no_axe(tmp_path: Path) -> dict[str, str]:
    return {"SITEAUDIT_AXE": str(tmp_path / "no-axe.min.js")}


def test_an_audit_without_axe_core_says_so_in_the_report_and_findings_json(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    with SiteServer(routes=ROUTES) as server:
        result = run_cli(
            "audit", f"{server.url}/", "--out", out, "-q", env=no_axe(tmp_path), browser=True
        )
    assert result.returncode == 0, result.stderr
    index = (out / "index.html").read_text(encoding="utf-8")
    banner = index.split('class="warning stage-not-run"', 1)[1].split("</p>", 1)[0]
    assert "did not run" in banner and "axe-core not found" in banner
    assert f"<code>{SETUP_COMMAND}</code>" in banner
    card = index.split("<h3>Accessibility</h3>", 1)[1].split("</li>", 1)[0]
    assert "Not checked" in card and "out of 100" not in card
    stages = load_findings(out)["run"]["stages"]
    assert stages["browser"]["status"] == "skipped"
    assert stages["browser"]["fix"] == SETUP_COMMAND
    assert stages["crawl"]["status"] == stages["site"]["status"] == "ran"


def test_require_browser_fails_with_exit_5_when_the_browser_stage_was_skipped(
    tmp_path: Path,
) -> None:
    config = tmp_path / "siteaudit.toml"
    config.write_text("[gate]\nrequire_browser = true\n")
    with SiteServer(routes=ROUTES) as server:
        url = f"{server.url}/"
        flag = run_cli(
            "check", url, "--out", tmp_path / "1", "-q", "--require-browser", env=no_axe(tmp_path)
        )
        setting = run_cli(
            "audit",
            url,
            "--out",
            tmp_path / "2",
            "-q",
            "--config",
            config,
            env=no_axe(tmp_path),
            browser=True,
        )
        contradiction = run_cli(
            "audit", url, "--out", tmp_path / "3", "-q", "--require-browser"
        )  # run_cli adds --no-browser
    for result in (flag, setting):
        assert result.returncode == EXIT_STAGE_SKIPPED, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        # The stage's own line as it is skipped, then the gate's.
        line = result.stderr.splitlines()[-1]
        assert line.startswith("siteaudit: gate failed: the browser stage did not run")
        assert "axe-core not found" in line and line.endswith(f"run `{SETUP_COMMAND}`")
    assert "Gate passed" in flag.stdout  # the findings gate still reports
    assert (tmp_path / "2" / "index.html").is_file()  # the reports are written
    line = assert_one_line_error(contradiction, EXIT_USAGE)
    assert "turned off" in line
    assert not (tmp_path / "3").exists()  # refused before any request
