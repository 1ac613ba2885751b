"""The CI files under examples/ci/ run as written: their siteaudit commands are run here
against a local site (the install lines are checked, not run: they need root and a
network), and every path the files upload or report must then exist."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.kit import REPO
from tests.kit.browsers import require_browser
from tests.kit.cli import run_cli
from tests.kit.pages import html_page
from tests.kit.siteserver import SiteServer

pytestmark = [pytest.mark.slow, pytest.mark.browser]

EXAMPLES = REPO / "examples" / "ci"
INSTALL = (
    "apt-get install -y --no-install-recommends chromium chromium-driver",
    'pip install "$SITEAUDIT_SOURCE"',
    "siteaudit setup",
)


def github_lines(workflow: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(shell lines of the steps, paths the steps upload)."""
    [job] = workflow["jobs"].values()
    lines, paths = [], []
    for step in job["steps"]:
        lines += step.get("run", "").splitlines()
        uses = step.get("with", {})
        paths += [uses[key] for key in ("path", "sarif_file") if key in uses]
    return [line.strip() for line in lines if line.strip()], paths


def gitlab_lines(config: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(shell lines of the job, paths it keeps as artifacts and reports)."""
    [job] = config.values()
    artifacts = job["artifacts"]
    return job["before_script"] + job["script"], [
        *artifacts["paths"],
        *artifacts["reports"].values(),
    ]


FILES = {"github-actions.yml": github_lines, "gitlab-ci.yml": gitlab_lines}


@pytest.mark.parametrize("name", sorted(FILES))
def test_the_ci_example_runs_as_written(name: str, tmp_path: Path) -> None:
    require_browser()
    data = yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))
    lines, paths = FILES[name](data)
    for install in INSTALL:
        assert install in lines, f"{name} does not install with `{install}`"
    (tmp_path / "siteaudit.toml").write_text("[crawl]\ncheck_external = false\n")
    (tmp_path / "siteaudit-baseline.json").write_text(
        json.dumps({"baseline_version": 1, "fingerprints": []})
    )
    routes = {
        "/": lambda r: html_page("Home", '<a href="/about">About us</a>'),
        "/about": lambda r: html_page("About"),
    }
    env = {"STAGING_USER": "", "STAGING_PASSWORD": ""}
    ran = []
    with SiteServer(routes=routes) as server:
        env["STAGING_URL"] = f"{server.url}/"
        for line in lines:
            words = shlex.split(line)
            if words[0] == "export":  # the GitLab job's credentials
                for assignment in words[1:]:
                    key, _, value = assignment.partition("=")
                    env[key] = _expand(value, env)
                continue
            if words[0] != "siteaudit":
                continue  # an install line, checked above
            argv = [_expand(word, env) for word in words[1:]]
            result = run_cli(*argv, cwd=tmp_path, env=env)
            assert result.returncode == 0, (line, result.stdout, result.stderr)
            ran.append(argv[0])
    assert ran == ["setup", "check"]
    for path in paths:
        assert (tmp_path / path).exists(), f"{name} names {path}, which the audit did not write"


def _expand(word: str, env: dict[str, str]) -> str:
    """`$NAME` in a word, from `env` (as the CI runner's shell would)."""
    for key, value in env.items():
        word = word.replace(f"${key}", value)
    return word
