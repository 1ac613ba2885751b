"""benchmarks/scrapy_floor.py: the bare Scrapy spider crawls a site, and each run's
figures are per page."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.scrapy_floor import run_tool
from tests.kit.siteserver import SiteServer


@pytest.mark.slow
@pytest.mark.parametrize("tool", ["scrapy-bare", "scrapy-lean"])
def test_the_bare_spider_crawls_every_page_of_the_demo_site(
    demo_site: SiteServer, tmp_path: Path, tool: str
) -> None:
    row = run_tool(tool, demo_site.url + "/", pages=50, concurrency=4, work=tmp_path)
    assert row["tool"] == tool
    # The demo's HTML pages that links lead to (its error pages are not counted).
    assert 20 <= row["pages"] <= 50
    assert row["cpu_ms_per_page"] == pytest.approx(1000 * row["cpu_s"] / row["pages"], abs=0.2)
    # What the spider's own parsing took, within its process's CPU.
    assert 0 < row["parse_ms_per_page"] < row["cpu_ms_per_page"]
