"""What a newcomer types wrong gets one line, a suggestion where one fits, and no traceback;
a closed pipe ends the command quietly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from audits.cli import main
from audits.core.config import ConfigError, parse_config
from audits.core.errors import did_you_mean
from audits.rule_engine import load_rules
from tests.kit import REPO
from tests.kit.cli import assert_one_line_error, run_cli, start_cli


def one_line(args: list[str], code: int = 2) -> str:
    """Run `siteaudit ARGS` in this process (nothing is crawled: the arguments fail first)."""
    result = CliRunner().invoke(main, args, prog_name="siteaudit")
    assert result.exit_code == code, (result.exit_code, result.output)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("siteaudit: error: ")
    return lines[0]


def test_out_pointing_at_a_file_is_one_line(tmp_path: Path) -> None:
    afile = tmp_path / "report.txt"
    afile.write_text("")
    line = one_line(["audit", "https://example.gov.uk/", "--out", str(afile)])
    assert "is a file" in line and "--out" in line


def test_an_impossible_as_of_date_is_one_line() -> None:
    line = one_line(["audit", "https://example.gov.uk/", "--as-of", "2024-13-01"])
    assert "'2024-13-01' is not a date; give YYYY-MM-DD" in line


@pytest.mark.parametrize("command", ["report", "baseline", "history"])
def test_a_missing_store_is_one_line(command: str, tmp_path: Path) -> None:
    result = run_cli(command, tmp_path / "missing.db")
    assert "no store at" in assert_one_line_error(result, 2)


def test_an_unknown_command_is_one_line() -> None:
    assert "No such command 'audti'" in one_line(["audti"])


def test_max_depth_0_means_no_limit_as_in_the_config() -> None:
    result = CliRunner().invoke(main, ["audit", "--max-depth", "0"], prog_name="siteaudit")
    assert "give the URL of the site" in result.stderr  # past the option, to the next check


@pytest.mark.parametrize(
    ("word", "choices", "expected"),
    [
        ("max_page", ["max_pages", "max_depth"], " (did you mean 'max_pages'?)"),
        ("readng-age", ["reading-age", "broken-link"], " (did you mean 'reading-age'?)"),
        ("zzz", ["reading-age"], ""),
    ],
)
def test_did_you_mean(word: str, choices: list[str], expected: str) -> None:
    assert did_you_mean(word, choices) == expected


def test_a_typo_in_a_config_key_is_answered_with_the_likely_one() -> None:
    with pytest.raises(
        ConfigError, match=re.escape("unknown key max_page (did you mean 'max_pages'?)")
    ):
        parse_config({"crawl": {"max_page": 10}})


def test_a_typo_in_a_rule_id_is_answered_with_the_likely_one() -> None:
    config = parse_config({"rules": {"readng-age": {"target": 9}}})
    with pytest.raises(ConfigError, match=re.escape("(did you mean 'reading-age'?)")):
        load_rules(config)
    assert "did you mean 'reading-age'?" in one_line(["rules", "readng-age"])


def test_a_wrong_type_in_the_config_says_what_it_must_be() -> None:
    with pytest.raises(ConfigError, match="max_pages must be a whole number, got 'many'"):
        parse_config({"crawl": {"max_pages": "many"}})


def test_a_closed_pipe_ends_the_command_quietly() -> None:
    # `siteaudit rules | head -n 1`, with the reader gone before anything is written (the
    # listing is small enough to fit a pipe's buffer, so only then is the failure certain).
    listing = start_cli("rules", capture=True)
    assert listing.stdout is not None
    listing.stdout.close()
    _, stderr = listing.communicate(timeout=60)
    assert stderr == ""
    assert listing.returncode == 0


def test_gitignore_covers_what_make_demo_and_builds_leave() -> None:
    ignored = (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert {"/siteaudit-demo/", "/build/"} <= set(ignored)
