"""The store package owns the SQL, and the reports only read the store.

Both are read from the source (ast), so a statement or a write added anywhere fails
here, not only where a test happens to walk; `tests/kit/synthetic_runs.write_reports`
also hands the reports a store SQLite opened read-only.
"""

from __future__ import annotations

import ast
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from audits.store import Store

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("audits", "crawler", "reports", "rules")
STORE_PACKAGE = ROOT / "audits" / "store"
SQL_CALLS = {"execute", "executemany", "executescript"}
MAX_SQL_OUTSIDE_STORE = 2

# Store methods that change the file; the reports call none of them.
WRITING_PREFIXES = (
    "add_",
    "begin_",
    "carry_",
    "finish_",
    "forget_",
    "mark_",
    "prune",
    "reopen_",
    "reuse_",
    "save_",
    "set_",
    "transaction",
    "url_id",
)


def _modules(*folders: Path) -> Iterator[tuple[Path, ast.Module]]:
    for folder in folders:
        for path in sorted(folder.rglob("*.py")):
            yield path, ast.parse(path.read_text(encoding="utf-8"), str(path))


def _attribute_calls(tree: ast.Module) -> Iterator[ast.Call]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            yield node


def sql_statements_outside_store() -> list[str]:
    """`where: call` of every `.execute(...)`-like call with an argument (Redis pipelines'
    `execute()` take none) and every use of a store's raw connection (`.db`) in our
    packages, outside audits/store/."""
    found = []
    for path, tree in _modules(*(ROOT / p for p in PACKAGES)):
        if path.is_relative_to(STORE_PACKAGE):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "db":
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: raw connection")
        for call in _attribute_calls(tree):
            assert isinstance(call.func, ast.Attribute)
            if call.func.attr in SQL_CALLS and call.args:
                found.append(f"{path.relative_to(ROOT)}:{call.lineno}: {ast.unparse(call)[:80]}")
    return found


def test_at_most_two_sql_statements_live_outside_the_store_package() -> None:
    outside = sql_statements_outside_store()
    assert len(outside) <= MAX_SQL_OUTSIDE_STORE, "\n".join(outside)


def test_the_reports_never_write_the_store() -> None:
    writes = []
    for path, tree in _modules(ROOT / "reports"):
        for call in _attribute_calls(tree):
            assert isinstance(call.func, ast.Attribute)
            if call.func.attr.startswith(WRITING_PREFIXES) and hasattr(Store, call.func.attr):
                writes.append(f"{path.relative_to(ROOT)}:{call.lineno}: {call.func.attr}")
        for node in ast.walk(tree):
            opens = isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Store"
            if opens and not any(
                k.arg == "read_only" and getattr(k.value, "value", False) is True
                for k in node.keywords
            ):
                writes.append(f"{path.relative_to(ROOT)}:{node.lineno}: opened writable")
    assert writes == []


def test_a_read_only_store_refuses_writes(tmp_path: Path) -> None:
    Store(str(tmp_path / "audit.db")).close()
    store = Store(str(tmp_path / "audit.db"), read_only=True)
    try:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            store.begin_run("https://council.example.gov.uk/", "0.1.0", {})
    finally:
        store.close()
