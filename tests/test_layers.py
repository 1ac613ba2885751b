"""The packages' layers point one way: what each package may not import, read with `ast`.

rules/ is the bottom layer: third-party rule packages import it, and it must work
without the crawler, the store or the reports, so it imports nothing of ours outside
rules/. crawler/ fetches and reports/ renders; neither knows the other, so either can
change (or run alone, as `siteaudit report` does) without the other.

Inside audits/ the layers are folders: audits.core (config, credentials, errors, run
notes) under everything, audits.store above it, audits.stages above the store, and the
engine, the CLI and the multi-site runner on top. The crawler and the reports sit beside
the stages and may reach down into the core and the store only (the reports also read the
prioritise stage's formula and run comparison, which they explain).
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


# Package (or module prefix) -> the only modules of audits/ it may import.
AUDITS_LAYERS = {
    "audits.core": ("audits", "audits.core"),
    "audits.store": ("audits", "audits.core", "audits.store"),
    "crawler": ("audits", "audits.core", "audits.store"),
    "reports": ("audits", "audits.core", "audits.store", "audits.stages.prioritise"),
    "audits.stages": (
        "audits",
        "audits.core",
        "audits.store",
        "audits.stages",
        "audits.rule_engine",
    ),
}


def imports_of(path: Path, *, include_typing: bool = True) -> list[tuple[int, str, list[str]]]:
    """(line, module, names taken from it) of every import in a file, function-level ones
    included, and those under `if TYPE_CHECKING:` (which never run) with `include_typing`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    skipped: set[ast.AST] = set()
    if not include_typing:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
                skipped.update(ast.walk(node))
    found: list[tuple[int, str, list[str]]] = []
    for node in ast.walk(tree):
        if node in skipped:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module, [alias.name for alias in node.names]))
    return found


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import in a file, function-level imports included."""
    return [(line, module) for line, module, _names in imports_of(path)]


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


def audits_targets(module: str, names: list[str]) -> list[str]:
    """The modules of audits/ an import reaches: `from audits.stages import browser`
    reaches audits.stages.browser; `from audits import __version__` only audits itself."""
    if module.split(".")[0] != "audits":
        return []
    folder = REPO / module.replace(".", "/")
    submodules = [n for n in names if (folder / f"{n}.py").exists() or (folder / n).is_dir()]
    return [f"{module}.{n}" for n in submodules] or [module]


def layer_breaches(package: str, allowed: tuple[str, ...]) -> list[str]:
    """'file:line imports module' for each import of audits/ outside `allowed`."""
    return [
        f"{path.relative_to(REPO)}:{line} imports {target}"
        for path in sorted((REPO / package.replace(".", "/")).rglob("*.py"))
        for line, module, names in imports_of(path)
        for target in audits_targets(module, names)
        if not any(target == a or target.startswith(f"{a}.") for a in allowed if a != "audits")
        and target != "audits"
    ]


@pytest.mark.parametrize("package", sorted(AUDITS_LAYERS))
def test_audits_layers_point_down(package: str) -> None:
    assert layer_breaches(package, AUDITS_LAYERS[package]) == []


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


def import_graph() -> dict[str, set[str]]:
    """Module -> our modules it imports, function-level imports included (a cycle
    hidden inside a function is still a cycle)."""
    paths = {
        ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__"): path
        for package in ("audits", "crawler", "reports", "rules")
        for path in (REPO / package).rglob("*.py")
    }
    graph: dict[str, set[str]] = {}
    for module, path in paths.items():
        names = set()
        for _line, name, taken in imports_of(path, include_typing=False):
            # `from audits.stages import browser` imports the module audits.stages.browser.
            names.update([name, *(f"{name}.{alias}" for alias in taken)])
        # A package's own __init__ is where its modules' names come from, not a layer.
        parents = {module.rsplit(".", n)[0] for n in range(1, module.count(".") + 1)}
        graph[module] = {name for name in names if name in paths} - {module} - parents
    return graph


def test_no_import_cycles() -> None:
    """Modules import one another in one direction only: a cycle (engine -> shared crawl
    -> engine, through the Redis variable and an error class) made the import order
    matter and was hidden by importing inside functions."""
    graph = import_graph()
    cycles = []
    state: dict[str, str] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                cycles.append(" -> ".join([*path[path.index(target) :], target]))
            elif target not in state:
                visit(target, [*path, target])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_the_layer_check_sees_a_breach() -> None:
    assert audits_targets("audits.stages", ["browser"]) == ["audits.stages.browser"]
    assert audits_targets("audits", ["__version__"]) == ["audits"]
    assert audits_targets("audits.engine", ["audit"]) == ["audits.engine"]
    allowed = AUDITS_LAYERS["crawler"]
    assert not any(a != "audits" and "audits.engine".startswith(a) for a in allowed)
