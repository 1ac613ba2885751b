"""Endless families of pages are stopped early and reported once; real deep pages are not.

Each test serves a small site from routes on 127.0.0.1, runs a real audit and reads what
the server was asked for and what the audit found.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.kit.cli import run_cli
from tests.kit.findings import load_findings
from tests.kit.pages import html_page
from tests.kit.siteserver import RequestInfo, Response, SiteServer

pytestmark = pytest.mark.slow


def page(*hrefs: str, title: str = "Page") -> Response:
    links = "".join(f'<li><a href="{href}">Link {n}</a></li>' for n, href in enumerate(hrefs))
    return html_page(title, f"<ul>{links}</ul>")


def calendar(request: RequestInfo) -> Response:
    """/cal/YYYY/MM/: every month links to the next, for ever."""
    year, month = (int(part) for part in request.path.strip("/").split("/")[1:3])
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return page(f"/cal/{year}/{month:02d}/", title="Events")


def deeper(request: RequestInfo) -> Response:
    """Every page links one level deeper with the same relative link."""
    level = request.path.count("/")
    return page("next/" if request.path.startswith("/next") else f"{level}/", title="Deeper")


def audit(routes: dict[str, Any], out: Path, config: str = "") -> tuple[list[str], list[Any]]:
    """Audit the site: (paths requested, crawl-trap findings)."""
    options: list[str | Path] = ["--max-pages", "400"]
    if config:
        (out / "siteaudit.toml").write_text(config)
        options += ["--config", out / "siteaudit.toml"]
    with SiteServer(routes=routes) as site:
        result = run_cli("audit", f"{site.url}/", "--out", out, "-q", *options)
    assert result.returncode == 0, result.stderr
    paths = [request.target for request in site.requests if request.method == "GET"]
    traps = [f for f in load_findings(out)["findings"] if f["rule"] == "crawl-trap"]
    return paths, traps


def test_endless_calendar_of_paths_is_one_trap_and_stops_early(tmp_path: Path) -> None:
    routes = {"/": lambda r: page("/cal/2025/01/", "/news/"), "/cal/*": calendar}
    routes["/news/"] = lambda r: page(title="News")
    paths, traps = audit(routes, tmp_path, "[crawl]\nmax_family_pages = 20\n")
    months = [path for path in paths if path.startswith("/cal/")]
    assert len(months) == 20
    [trap] = traps
    assert trap["evidence"]["pattern"].endswith("/cal/*/…/")
    assert "/news/" in paths


def test_calendar_running_years_ahead_is_stopped_with_the_default_caps(tmp_path: Path) -> None:
    this_year = date.today().year
    routes = {"/": lambda r: page(f"/cal/{this_year}/01/"), "/cal/*": calendar}
    paths, traps = audit(routes, tmp_path)
    months = [path for path in paths if path.startswith("/cal/")]
    assert len(months) == 6 * 12  # this year and the next five
    [trap] = traps
    assert "years ahead" in trap["evidence"]["reason"]


@pytest.mark.parametrize("start", ["/levels/1/", "/next/"])
def test_ever_deeper_relative_links_are_one_trap_and_stop_early(tmp_path: Path, start: str) -> None:
    routes = {"/": lambda r: page(start), f"/{start.split('/')[1]}/*": deeper}
    paths, traps = audit(routes, tmp_path)
    deep = [path for path in paths if path.startswith(start)]
    assert 3 < len(deep) <= 12
    [trap] = traps
    assert "one level deeper" in trap["evidence"]["reason"]


def test_real_page_nested_four_parts_deep_is_crawled_without_a_trap(tmp_path: Path) -> None:
    nested = ["/guide/" + "part-1/" * depth for depth in range(1, 5)]
    routes: dict[str, Any] = {"/": lambda r: page("/guide/part-1/", "/guide/part-2/")}
    for here, child in zip(nested, [*nested[1:], None], strict=True):
        routes[here] = lambda r, child=child: page(*([child] if child else []), title="Guide")
    routes["/guide/part-2/"] = lambda r: page("/guide/part-1/part-2/", title="Guide")
    routes["/guide/part-1/part-2/"] = lambda r: page(title="Guide")
    paths, traps = audit(routes, tmp_path)
    assert set(nested) <= set(paths)
    assert traps == []


def test_query_variant_cap_counts_the_bare_path(tmp_path: Path) -> None:
    def events(request: RequestInfo) -> Response:
        month = int(request.query.removeprefix("month=") or 0)
        return page(f"/events?month={month + 1}", title="Events")

    routes = {"/": lambda r: page("/events"), "/events": events}
    paths, traps = audit(routes, tmp_path, "[crawl]\nmax_url_variants = 5\n")
    assert len([path for path in paths if path.startswith("/events")]) == 5
    assert len(traps) == 1
