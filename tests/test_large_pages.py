"""Pages with very many links: analysed in time linear in their size, and never a stall."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from audits.core.config import AuditConfig
from audits.rule_engine import load_rules
from audits.stages.pages import analyse
from tests.kit.cli import run_cli
from tests.kit.findings import load_findings
from tests.kit.plugins import hanging_plugin, python_path
from tests.kit.siteserver import RequestInfo, Response, SiteServer

pytestmark = pytest.mark.slow

PAGES = 12
"""Distinct pages the many links point to."""


def many_links_page(units: int, targets: int = PAGES) -> str:
    """A page of `units` times four elements: a link on its own, a link in a list item, an
    image without alt text and a paragraph, all siblings of their kind (the shapes a
    generated A-Z index or a photo gallery takes), linking to `targets` distinct pages."""
    loose = "".join(f'<a href="/p/{i % targets}">Page {i}</a> ' for i in range(units))
    items = "".join(f'<li><a href="/p/{i % targets}#n{i}">Item {i}</a></li>' for i in range(units))
    images = "".join(f'<img src="/img/{i % targets}.png">' for i in range(units))
    paragraphs = "".join(f"<p>Entry {i} of the index.</p>" for i in range(units))
    return (
        "<!DOCTYPE html><html lang='en-GB'><head><title>A to Z of services</title></head>"
        f"<body><main><h1>A to Z of services</h1><div>{loose}</div><ul>{items}</ul>"
        f"<div>{images}</div>{paragraphs}</main></body></html>"
    )


def small_page(request: RequestInfo) -> Response:
    """An ordinary page with one finding (an image without alt text)."""
    name = request.path.strip("/").replace("/", " ")
    return Response.html(
        f"<!DOCTYPE html><html lang='en-GB'><head><title>{name}</title></head><body><main>"
        f"<h1>{name}</h1><p>Bins are collected weekly.</p><img src='{request.path}.png'>"
        "</main></body></html>"
    )


def stored_pages(out: Path) -> dict[str, tuple[str, str | None]]:
    """Path -> (title, error) of every page an audit stored."""
    with sqlite3.connect(out / "audit.db") as db:
        rows = db.execute(
            "SELECT u.url, p.title, p.error FROM pages p JOIN urls u ON u.id = p.url_id"
        ).fetchall()
    return {urlsplit(url).path: (title, error) for url, title, error in rows}


def analysis_seconds(*pages: str, runs: int = 3) -> list[float]:
    """CPU seconds `analyse` takes on each page with every built-in rule: the best of
    `runs`, the pages taken in turn. CPU time, not wall time, so that other processes count
    for little; in turns, because a busy machine slows even CPU time (shared caches), and a
    burst of load must not fall on one page's runs alone."""
    engine = load_rules(AuditConfig())
    bodies = [html.encode() for html in pages]
    analyse(engine, "https://www.example.gov.uk/", b"<title>warm up</title>", "utf-8", {}, 0)
    best = [float("inf")] * len(bodies)
    for _ in range(runs):
        for index, body in enumerate(bodies):
            start = time.process_time()
            analyse(engine, "https://www.example.gov.uk/a-z/", body, "utf-8", {}, 1)
            best[index] = min(best[index], time.process_time() - start)
    return best


def test_page_analysis_time_grows_linearly_with_the_number_of_links() -> None:
    small, large = analysis_seconds(many_links_page(2_500), many_links_page(10_000))
    # Four times the page: about four times the work. Quadratic work would be sixteen.
    assert large / small < 8, (small, large)


def links_page(title: str, links: int, targets: int = PAGES) -> Response:
    """A page of `links` links to `targets` distinct pages."""
    anchors = "".join(f'<a href="/p/{i % targets}">{i}</a>' for i in range(links))
    return Response.html(
        f"<!DOCTYPE html><html lang='en-GB'><head><title>{title}</title></head><body><main>"
        f"<h1>{title}</h1>{anchors}</main></body></html>"
    )


def audit(
    tmp_path: Path,
    home: Response,
    config: str = "",
    env: dict[str, str] | None = None,
    extra: dict[str, Response] | None = None,
) -> tuple[str, Path]:
    """Audit a site of `home`, a page of 100,000 links at /big, PAGES small pages and
    the `extra` pages by path; return the site's origin and the audit's folder."""
    config_file = tmp_path / "siteaudit.toml"
    config_file.write_text(f"[crawl]\ncheck_external = false\nuse_sitemaps = false\n{config}")
    out = tmp_path / "out"
    big = links_page("Big", 100_000)
    routes = {"/": lambda _: home, "/big": lambda _: big, "/p/*": small_page}
    routes.update({path: (lambda _, page=page: page) for path, page in (extra or {}).items()})
    with SiteServer(routes=routes) as server:
        origin = server.url
        result = run_cli(
            "audit", f"{origin}/", "--out", out, "--config", config_file, "-q", env=env
        )
    assert result.returncode == 0, result.stderr
    return origin, out


def test_a_home_page_with_100000_links_is_audited_with_the_rest_of_the_site(
    tmp_path: Path,
) -> None:
    home = links_page("Home", 100_000)
    assert len(home.body) > 2_000_000
    # About 2 s of CPU here; a generous limit keeps a starved machine from turning this
    # test of linear analysis into one of the time limit (tested below).
    origin, out = audit(tmp_path, home, "page_analysis_timeout = 300\n")
    pages = {path: page for path, page in stored_pages(out).items() if page[0]}
    assert pages == {"/": ("Home", None), **{f"/p/{n}": (f"p {n}", None) for n in range(PAGES)}}
    findings = load_findings(out)
    assert findings["rule_errors"] == []
    assert {f["url"] for f in findings["findings"] if f["rule"] == "image-missing-alt"} == {
        f"{origin}/p/{n}" for n in range(PAGES)
    }


def test_a_page_over_the_time_limit_is_stored_with_a_rule_error_and_the_rest_is_audited(
    tmp_path: Path,
) -> None:
    home = Response.html(
        "<title>Home</title><a href='/stuck'>Everything</a>"
        + "".join(f"<a href='/p/{n}'>Page {n}</a>" for n in range(PAGES))
    )
    # A rule that never ends on the page titled 'stuck' makes it a page over any limit,
    # however loaded the machine (a page of many links is not: its HTML is capped, and
    # a loaded machine can take longer over a small page than a quiet one over a big
    # page). Small pages take milliseconds: 5 s leaves them a wide margin.
    plugins = hanging_plugin(tmp_path / "plugins")
    origin, out = audit(
        tmp_path,
        home,
        "page_analysis_timeout = 5\n",
        env=python_path(plugins),
        extra={"/stuck": links_page("stuck", 10)},
    )
    pages = stored_pages(out)
    assert pages["/stuck"] == ("", None)
    assert {path: page for path, page in pages.items() if page[0]} == {
        "/": ("Home", None),
        **{f"/p/{n}": (f"p {n}", None) for n in range(PAGES)},
    }
    assert load_findings(out)["rule_errors"] == [
        {"rule": "page-analysis", "url": f"{origin}/stuck", "error": "too large to analyse in 5 s"}
    ]
