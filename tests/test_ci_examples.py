"""The CI files under examples/ci/ run as written: their siteaudit commands are run here
against a local site (the install lines are checked, not run: they need root and a
network), and every path the files upload or report must then exist. The composite
action's audit step is run by bash as the runner would, with its inputs; its install step
installs the repository it lives in, which tests/test_install.py builds and installs."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
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


ROUTES = {
    "/": lambda r: html_page("Home", '<a href="/about">About us</a>'),
    "/about": lambda r: html_page("About"),
}


def _project_files(folder: Path) -> None:
    """What the CI files expect beside them: siteaudit.toml and a baseline."""
    (folder / "siteaudit.toml").write_text("[crawl]\ncheck_external = false\n")
    (folder / "siteaudit-baseline.json").write_text(
        json.dumps({"baseline_version": 1, "fingerprints": []})
    )


@pytest.mark.parametrize("name", sorted(FILES))
def test_the_ci_example_runs_as_written(name: str, tmp_path: Path) -> None:
    require_browser()
    data = yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))
    lines, paths = FILES[name](data)
    for install in INSTALL:
        assert install in lines, f"{name} does not install with `{install}`"
    _project_files(tmp_path)
    env = {"STAGING_USER": "", "STAGING_PASSWORD": ""}
    ran = []
    with SiteServer(routes=ROUTES) as server:
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


ACTION = EXAMPLES / "action" / "action.yml"
_EXPRESSION = re.compile(r"\$\{\{\s*([\w.-]+)\s*\}\}")


def _evaluate(text: str, context: dict[str, str]) -> str:
    """`${{ inputs.url }}` and the like, as the runner fills them in; every expression the
    action uses must be known here."""

    def value(match: re.Match[str]) -> str:
        assert match.group(1) in context, f"the action uses {match.group(0)}"
        return context[match.group(1)]

    return _EXPRESSION.sub(value, text)


def test_the_composite_action_installs_its_own_repository() -> None:
    [install, _] = yaml.safe_load(ACTION.read_text(encoding="utf-8"))["runs"]["steps"]
    lines = [line.strip() for line in install["run"].splitlines()]
    for command in INSTALL:
        assert command in lines, f"the action does not install with `{command}`"
    source = _evaluate(
        install["env"]["SITEAUDIT_SOURCE"], {"github.action_path": str(ACTION.parent)}
    )
    assert Path(source).resolve() == REPO  # what tests/test_install.py builds


@pytest.mark.parametrize("baseline", ["siteaudit-baseline.json", ""])
def test_the_composite_action_audits_as_written(baseline: str, tmp_path: Path) -> None:
    require_browser()
    action = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    _, audit = action["runs"]["steps"]
    inputs = {f"inputs.{name}": spec.get("default", "") for name, spec in action["inputs"].items()}
    inputs["inputs.baseline"] = baseline
    _project_files(tmp_path)
    with SiteServer(routes=ROUTES) as server:
        inputs["inputs.url"] = f"{server.url}/"
        env = {name: _evaluate(value, inputs) for name, value in audit["env"].items()}
        # The runner's own command line for `shell: bash` (and -x, to see the command it
        # ran); siteaudit on the PATH as installed.
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-x", "-c", audit["run"]],
            cwd=tmp_path,
            env={
                **os.environ,
                **env,
                "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
            },
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert result.returncode == 0, (result.stdout, result.stderr)
    [traced] = [line for line in result.stderr.splitlines() if line.startswith("+ siteaudit")]
    assert ("--baseline siteaudit-baseline.json" in traced) == bool(baseline), traced
    report = tmp_path / _evaluate(action["outputs"]["report"]["value"], inputs)
    for name in ("index.html", "findings.json", "findings.sarif", "junit.xml"):
        assert (report / name).exists(), f"the action did not write {name}"
