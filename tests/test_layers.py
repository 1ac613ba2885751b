"""The packages' layers point one way: what each package may not import, read with `ast`.

rules/ is the bottom layer: third-party rule packages import it, and it must work
without the crawler, the store or the reports, so it imports nothing of ours outside
rules/. crawler/ fetches and reports/ renders; neither knows the other, so either can
change (or run alone, as `siteaudit report` does) without the other.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from rules.base import Category
from tests.kit import REPO

FORBIDDEN = {
    "rules": ("audits", "crawler", "reports", "tests"),
    "crawler": ("reports",),
    "reports": ("crawler",),
}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import in a file, function-level imports included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def upward_imports(package: str, forbidden: tuple[str, ...]) -> list[str]:
    """'file:line imports module' for each import of a forbidden package."""
    problems = []
    for path in sorted((REPO / package).rglob("*.py")):
        for line, module in imported_modules(path):
            if module.split(".")[0] in forbidden:
                problems.append(f"{path.relative_to(REPO)}:{line} imports {module}")
    return problems


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_no_forbidden_layer(package: str) -> None:
    assert upward_imports(package, FORBIDDEN[package]) == []


def test_no_rule_imports_another_rule() -> None:
    """A rule file stands alone (copy one to start a new rule): what rules share lives in
    rules/analyses/, or in the rule API (base, page, site, urls)."""
    rule_packages = tuple(f"rules.{category}" for category in Category)
    problems = [
        f"{path.relative_to(REPO)}:{line} imports {module}"
        for package in rule_packages
        for path in sorted((REPO / package.replace(".", "/")).glob("*.py"))
        for line, module in imported_modules(path)
        if module.startswith(rule_packages)
    ]
    assert problems == []


def test_the_check_sees_function_level_imports(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import os\n\ndef f():\n    from audits.store import Store\n")
    assert imported_modules(module) == [(1, "os"), (4, "audits.store")]
