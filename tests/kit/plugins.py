"""Plugins without pip: a folder that looks like site-packages, holding a distribution
with `siteaudit.rules` entry points, found by importlib.metadata on sys.path."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Mapping
from pathlib import Path


def fake_distribution(
    site_dir: Path,
    name: str,
    version: str,
    entry_points: Mapping[str, str],
    modules: Mapping[str, str] | None = None,
) -> Path:
    """Make `site_dir` hold an installed-looking distribution with `siteaudit.rules` entry
    points (name -> "module:Class") and the given modules (name -> source)."""
    dist_info = site_dir / f"{name.replace('-', '_')}-{version}.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8"
    )
    lines = ["[siteaudit.rules]", *(f"{ep} = {target}" for ep, target in entry_points.items())]
    (dist_info / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for module, source in (modules or {}).items():
        (site_dir / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    return site_dir


def python_path(*folders: Path) -> dict[str, str]:
    """The environment change that puts `folders` first on a subprocess's sys.path."""
    inherited = os.environ.get("PYTHONPATH")
    return {
        "PYTHONPATH": os.pathsep.join([*map(str, folders), *([inherited] if inherited else [])])
    }


HANGING_RULE = """
import os
import time
from dataclasses import dataclass

from rules.base import Category, Severity, SiteRule


class HangsOnStuckPages(SiteRule):
    \"\"\"Never returns on a page titled 'stuck' (writing its process id first to the file
    STUCK_WORKER_PID_FILE names, when it names one).\"\"\"

    id = "hangs-on-stuck-pages"
    title = summary = why = how_to_fix = "Test rule."
    category = Category.LINKS
    severity = Severity.INFO

    @dataclass(frozen=True)
    class Options:
        \"\"\"No options.\"\"\"

    def page_facts(self, page):
        if page.title == "stuck":
            if "STUCK_WORKER_PID_FILE" in os.environ:
                with open(os.environ["STUCK_WORKER_PID_FILE"], "w") as f:
                    f.write(str(os.getpid()))
            time.sleep(3600)
        return None

    def check_site(self, site):
        return iter(())
"""
"""A rule plugin's module (`siteaudit_hangs`) whose analysis of a page titled 'stuck' never
ends: a page over any time limit, whatever the machine's load."""


def hanging_plugin(site_dir: Path) -> Path:
    """`site_dir` holding the hangs-on-stuck-pages rule as an installed plugin."""
    return fake_distribution(
        site_dir,
        "siteaudit-hangs",
        "1.0",
        {"hangs-on-stuck-pages": "siteaudit_hangs:HangsOnStuckPages"},
        {"siteaudit_hangs": HANGING_RULE},
    )
