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
