"""What installing siteaudit brings: its runtime needs, and no test tools."""

from __future__ import annotations

import re
import tomllib

from tests.kit import REPO


def runtime_dependencies() -> list[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [
        re.split(r"[<>=!~\[; ]", spec, maxsplit=1)[0].lower() for spec in project["dependencies"]
    ]


def test_no_test_tool_is_installed_with_siteaudit() -> None:
    locked = re.findall(r"(?m)^([a-z0-9._-]+)==", (REPO / "requirements.lock").read_text())
    for tool in ("pytest", "axe-selenium-python"):
        assert tool not in runtime_dependencies()
        assert tool not in locked  # nor pulled in by a runtime dependency


def test_platformdirs_is_declared_where_it_is_imported() -> None:
    assert "platformdirs" in runtime_dependencies()
