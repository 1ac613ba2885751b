"""Third-party rules found through the `siteaudit.rules` entry-point group, end to end.

Nothing is pip-installed into the shared environment: each test makes a folder that looks
like site-packages (a `*.dist-info` with `METADATA` and `entry_points.txt`, plus modules)
and puts it on PYTHONPATH for a `siteaudit` subprocess. importlib.metadata discovers
distributions on sys.path, exactly as it finds an installed plugin; the page stage's
worker processes inherit the path.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from rules.page import Page
from tests.kit import REPO
from tests.kit.cli import assert_one_line_error, run_cli
from tests.kit.findings import load_findings
from tests.kit.plugins import fake_distribution, python_path
from tests.kit.siteserver import SiteServer

EXAMPLE = REPO / "examples" / "siteaudit-plugin-example"
EXAMPLE_SRC = EXAMPLE / "src"


def install_example(site_dir: Path) -> dict[str, str]:
    """'Install' the example plugin as its pyproject.toml declares it; return the env."""
    project = tomllib.loads((EXAMPLE / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    fake_distribution(
        site_dir,
        project["name"],
        project["version"],
        project["entry-points"]["siteaudit.rules"],
    )
    return python_path(site_dir, EXAMPLE_SRC)


# A rule module for the crash test: it fails on every page it is given.
CRASHING_RULE = '''
from dataclasses import dataclass

from rules.base import Category, PageRule, Severity


class AlwaysCrashes(PageRule):
    """A faulty rule: raises on every page."""

    id = "always-crashes"
    title = "Always crashes"
    category = Category.LINKS
    severity = Severity.LOW
    summary = "Nothing; it raises."
    why = "It tests that a faulty plugin cannot sink an audit. Nothing else."
    how_to_fix = "Nothing to fix."

    @dataclass(frozen=True)
    class Options:
        """No options."""

    def check_page(self, page):
        raise RuntimeError("this rule always fails")
'''


def test_rules_lists_the_installed_plugin(tmp_path: Path) -> None:
    result = run_cli("rules", env=install_example(tmp_path))
    assert result.returncode == 0, result.stderr
    line = next(
        line for line in result.stdout.splitlines() if line.startswith("new-tab-link-unannounced")
    )
    assert "accessibility" in line and "low" in line and "opens a new tab" in line


def test_rule_docs_of_a_plugin_come_from_its_metadata(tmp_path: Path) -> None:
    result = run_cli("rules", "new-tab-link-unannounced", env=install_example(tmp_path))
    assert result.returncode == 0, result.stderr
    for text in (
        "new-tab-link-unannounced: Link opens a new tab without saying so",
        "What it checks",
        "Why it matters",
        "How to fix",
        'warning_words = ["new tab", "new window", "opens in a new", "external site"]',
        "https://www.w3.org/WAI/WCAG22/Techniques/general/G201",
    ):
        assert text in result.stdout


def test_no_plugins_hides_installed_plugins(tmp_path: Path) -> None:
    env = install_example(tmp_path)
    assert "new-tab-link-unannounced" not in run_cli("rules", "--no-plugins", env=env).stdout
    hidden = run_cli("rules", "new-tab-link-unannounced", "--no-plugins", env=env)
    assert "no rule 'new-tab-link-unannounced'" in assert_one_line_error(hidden, 2)


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(("rules",), id="rules"),
        pytest.param(
            ("audit", "http://127.0.0.1:9/", "--out", "{out}", "-q"),
            id="audit",
            marks=pytest.mark.slow,
        ),
    ],
)
def test_plugin_that_fails_to_import_is_a_usage_error_naming_its_package(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    site_dir = fake_distribution(
        tmp_path / "site",
        "siteaudit-plugin-broken",
        "1.0",
        {"broken-rule": "siteaudit_broken_rule:BrokenRule"},
        {"siteaudit_broken_rule": "import siteaudit_dependency_not_installed\n"},
    )
    args = [part.format(out=tmp_path / "out") for part in command]
    line = assert_one_line_error(run_cli(*args, env=python_path(site_dir)), 2)
    assert "siteaudit-plugin-broken" in line and "'broken-rule'" in line
    assert "siteaudit_dependency_not_installed" in line


def test_plugin_whose_rule_id_differs_from_its_entry_point_is_a_usage_error(
    tmp_path: Path,
) -> None:
    site_dir = fake_distribution(
        tmp_path,
        "siteaudit-plugin-misnamed",
        "1.0",
        {"new-tab-link": "siteaudit_plugin_example:NewTabLinkUnannounced"},
    )
    result = run_cli("rules", env=python_path(site_dir, EXAMPLE_SRC))
    line = assert_one_line_error(result, 2)
    assert "siteaudit-plugin-misnamed" in line and "'new-tab-link-unannounced'" in line


def _three_page_site(root: Path) -> Path:
    """Home, a page with an image lacking alt text, a page with a link that opens a new tab
    unannounced; one dead link."""
    pages = {
        "index.html": '<title>Home</title><main><a href="/bins.html">Bins</a> '
        '<a href="/parking.html">Parking</a> <a href="/gone.html">Old news</a></main>',
        "bins.html": '<title>Bins</title><main><img src="/bin.png"> <a href="/">Home</a></main>',
        "parking.html": "<title>Parking</title><main><p>Parking permits.</p>"
        '<a href="/" target="_blank">Home</a></main>',
    }
    for name, body in pages.items():
        (root / name).write_text(f"<!doctype html><html lang='en'>{body}</html>", encoding="utf-8")
    (root / "bin.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return root


@pytest.mark.slow
def test_plugin_rule_that_raises_on_every_page_does_not_sink_the_audit(
    tmp_path: Path, serve: Callable[..., SiteServer]
) -> None:
    site_dir = tmp_path / "site-packages"
    env = install_example(site_dir)
    fake_distribution(
        site_dir,
        "siteaudit-plugin-crashing",
        "1.0",
        {"always-crashes": "siteaudit_crashing_rule:AlwaysCrashes"},
        {"siteaudit_crashing_rule": CRASHING_RULE},
    )
    root = tmp_path / "www"
    root.mkdir()
    server = serve(_three_page_site(root))
    out = tmp_path / "out"
    # One worker process: the plugins must load there too (it inherits PYTHONPATH).
    result = run_cli("audit", f"{server.url}/", "--out", out, "--page-workers", "1", "-q", env=env)
    assert result.returncode == 0, result.stderr

    data = load_findings(out)
    found = {(f["rule"], f["url"].removeprefix(server.url)) for f in data["findings"]}
    assert ("image-missing-alt", "/bins.html") in found
    assert ("broken-link", "/") in found
    assert ("new-tab-link-unannounced", "/parking.html") in found
    errors = [e for e in data["rule_errors"] if e["rule"] == "always-crashes"]
    assert sorted(e["url"].removeprefix(server.url) for e in errors) == [
        "/",
        "/bins.html",
        "/parking.html",
    ]
    for error in errors:
        assert error["error"].startswith("RuntimeError: this rule always fails")
        assert "\n" not in error["error"] and "Traceback" not in error["error"]
    assert data["summary"]["rule_errors"] == len(data["rule_errors"])


@pytest.mark.parametrize(
    ("link", "found"),
    [
        ('<a href="/permits" target="_blank">Parking permits</a>', True),
        ('<a href="/permits" target="help">Parking permits</a>', True),
        ('<a href="/permits" target="_blank">Parking permits (opens in new tab)</a>', False),
        ('<a href="/permits" target="_blank" aria-label="Permits, new window">Permits</a>', False),
        ('<a href="/permits" target="_self">Parking permits</a>', False),
        ('<a href="/permits">Parking permits</a>', False),
    ],
    ids=["blank", "named-target", "said-in-text", "said-in-label", "same-tab", "no-target"],
)
def test_example_rule_reports_links_that_open_a_new_tab_unannounced(
    link: str, found: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(EXAMPLE_SRC))
    from siteaudit_plugin_example import NewTabLinkUnannounced

    page = Page(
        url="https://example.gov.uk/", html=f"<html><body><main>{link}</main></body></html>"
    )
    findings = list(NewTabLinkUnannounced().check_page(page))
    assert [f.target for f in findings] == (["https://example.gov.uk/permits"] if found else [])
