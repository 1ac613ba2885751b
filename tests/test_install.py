"""The install line of the CI files (`pip install "$SITEAUDIT_SOURCE"`) with a wheel built
from this checkout, in a fresh virtual environment, and siteaudit run from another folder.

pip builds the wheel as it does for a git URL (PEP 517, setuptools in an isolated build
environment, so the package index must be reachable for setuptools). The fresh
environment borrows this one's dependencies through a .pth file, so that installing the
wheel needs no download; which dependency versions pip would pick from the index is not
tested here. The siteaudit packages themselves come from the wheel alone: the checkout
is neither on the path nor the working folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.kit import REPO
from tests.kit.pages import html_page
from tests.kit.siteserver import SiteServer

pytestmark = pytest.mark.slow


def _run(*argv: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(arg) for arg in argv],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, (argv, result.stdout, result.stderr)
    return result.stdout


def test_a_wheel_of_the_checkout_installs_and_audits_from_elsewhere(tmp_path: Path) -> None:
    dist, venv, elsewhere = tmp_path / "dist", tmp_path / "venv", tmp_path / "elsewhere"
    elsewhere.mkdir()
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", dist, REPO, cwd=tmp_path)
    [wheel] = dist.glob("siteaudit-*.whl")
    _run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    site = Path(
        _run(
            python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path
        ).strip()
    )
    (site / "borrowed_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    # The CI files' own line, as the runner's shell runs it.
    _run(
        "sh",
        "-c",
        'pip install "$SITEAUDIT_SOURCE"',
        cwd=elsewhere,
        env={
            "SITEAUDIT_SOURCE": str(wheel),
            "PATH": f"{venv / 'bin'}:{os.environ['PATH']}",
            "PIP_NO_INDEX": "1",
        },
    )
    clean = {"PYTHONPATH": "", "PATH": f"{venv / 'bin'}:{os.environ['PATH']}"}
    where = _run(
        python,
        "-c",
        "import audits, reports; print(audits.__file__, reports.__file__)",
        cwd=elsewhere,
        env=clean,
    )
    assert str(site) in where and str(REPO) not in where, where
    siteaudit = shutil.which("siteaudit", path=str(venv / "bin"))  # the console script
    assert siteaudit is not None
    routes = {
        "/": lambda r: html_page("Home", '<a href="/about">About us</a>'),
        "/about": lambda r: html_page("About"),
    }
    (elsewhere / "siteaudit.toml").write_text("[crawl]\ncheck_external = false\n")
    with SiteServer(routes=routes) as server:
        out = _run(
            siteaudit,
            "check",
            f"{server.url}/",
            "--config",
            "siteaudit.toml",
            "--no-browser",
            "-q",
            "--out",
            "report",
            cwd=elsewhere,
            env=clean,
        )
    assert "Audited 2 pages" in out
    assert (elsewhere / "report" / "index.html").is_file()  # templates and styles are in the wheel
    demo = _run(
        python,
        "-c",
        "from audits.demo import DEMO_CONFIG, DEMO_HISTORY; print(DEMO_CONFIG.is_file(), DEMO_HISTORY.is_file())",
        cwd=elsewhere,
        env=clean,
    )
    assert demo.split() == ["True", "True"]  # the demo's month ships with it
