"""Security properties of the package itself (SECURITY.md names each test)."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

import crawler.settings
from crawler.scope import Scope
from rules.urls import absolute
from tests.kit import REPO

PACKAGES = ("audits", "crawler", "rules", "reports")

# Calls that run a shell or evaluate code or data as Python: never in the package.
FORBIDDEN_CALLS = frozenset(
    {
        "os.system",
        "os.popen",
        "eval",
        "exec",
        "compile",
        "pickle.loads",
        "pickle.load",
        "marshal.loads",
        "marshal.load",
        "shelve.open",
        "yaml.load",
        "yaml.unsafe_load",
    }
)


@cache
def _package_sources() -> list[tuple[Path, ast.Module]]:
    """Every module of the packages with its syntax tree, parsed once for all the tests."""
    files = [
        path
        for package in PACKAGES
        for path in sorted((REPO / package).rglob("*.py"))
        if "demo_site" not in path.parts
    ]
    assert len(files) > 20, files
    return [
        (path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))) for path in files
    ]


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def test_package_sources_never_build_a_shell_or_evaluate_code() -> None:
    problems = []
    for path, tree in _package_sources():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _dotted(node.func)
            where = f"{path.relative_to(REPO)}:{node.lineno}"
            if name in FORBIDDEN_CALLS:
                problems.append(f"{where}: {name}()")
            for keyword in node.keywords:
                if keyword.arg == "shell" and not (
                    isinstance(keyword.value, ast.Constant) and keyword.value.value is False
                ):
                    problems.append(f"{where}: {name}(shell=...)")
    assert not problems, problems


def test_package_sources_import_no_unsafe_deserialisers() -> None:
    unsafe = {"pickle", "marshal", "shelve", "dill", "yaml"}
    problems = []
    for path, tree in _package_sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [(node.module or "").split(".")[0]]
            else:
                continue
            problems += [
                f"{path.relative_to(REPO)}:{node.lineno}: {n}" for n in names if n in unsafe
            ]
    assert not problems, problems


def test_scrapy_telnet_console_and_remote_control_are_off() -> None:
    assert crawler.settings.TELNETCONSOLE_ENABLED is False
    assert crawler.settings.REMOTE_CONTROL_ENABLED is False
    # Nothing in the package switches them back on at run time.
    for path, _ in _package_sources():
        text = path.read_text(encoding="utf-8")
        for setting in ("TELNETCONSOLE_ENABLED", "REMOTE_CONTROL_ENABLED"):
            if setting in text and path.name != "settings.py":
                pytest.fail(f"{path.relative_to(REPO)} mentions {setting}")


def test_responses_are_size_limited_and_cookies_never_kept() -> None:
    assert 0 < crawler.settings.DOWNLOAD_MAXSIZE <= 50 * 1024 * 1024
    assert crawler.settings.COOKIES_ENABLED is False


@pytest.mark.parametrize(
    "href",
    [
        "file:///etc/passwd",
        "FILE://server/share/report.doc",
        "javascript:alert(document.cookie)",
        " JavaScript:void(0)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "blob:https://www.council.example/1234",
        "about:blank",
        "ftp://ftp.council.example/minutes.pdf",
        "gopher://council.example/",
        "http://",
    ],
)
def test_only_http_and_https_links_can_become_requests(href: str) -> None:
    base = "https://www.council.example/bins/"
    resolved = absolute(base, href)
    assert resolved is None, resolved
    assert not Scope(base).is_internal(href.strip())


def test_mail_and_phone_links_are_recorded_but_never_in_scope() -> None:
    scope = Scope("https://www.council.example/")
    for href in ("mailto:bins@council.example", "tel:+441134960000"):
        resolved = absolute("https://www.council.example/", href)
        assert resolved == (href, "")
        assert not scope.is_internal(resolved[0])


def test_every_test_security_md_names_exists() -> None:
    text = (REPO / "SECURITY.md").read_text(encoding="utf-8")
    named = re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?`", text)
    assert len(named) > 15, named
    for file, test in named:
        source = (REPO / file).read_text(encoding="utf-8")
        if test:
            assert f"def {test}(" in source, f"{file}::{test}"
    for test in re.findall(r"`(test_\w+)`", text):
        assert any(f"def {test}(" in (REPO / f).read_text(encoding="utf-8") for f, _ in named), test
