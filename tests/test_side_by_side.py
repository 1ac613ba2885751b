"""`make bench` (benchmarks/side_by_side.py): which tools it runs and the figures it prints."""

from __future__ import annotations

from pathlib import Path

from benchmarks.side_by_side import figures, table, tools_to_run


def test_without_linkinator_the_bench_says_so_and_measures_siteaudit(tmp_path: Path) -> None:
    tools, note = tools_to_run(tmp_path)
    assert tools == ["siteaudit", "siteaudit-links"]
    assert note is not None
    assert "linkinator is not installed" in note


def test_an_installed_linkinator_runs_beside_siteaudit(tmp_path: Path) -> None:
    binary = tmp_path / "node" / "node_modules" / ".bin" / "linkinator"
    binary.parent.mkdir(parents=True)
    binary.write_text("#!/bin/sh\n")
    assert tools_to_run(tmp_path) == (["siteaudit", "siteaudit-links", "linkinator"], None)


def test_figures_are_pages_per_second_cpu_ms_per_page_and_peak_memory() -> None:
    result = {
        "tool": "siteaudit",
        "pages": 2000,
        "wall_s": 40.0,
        "cpu_s": 22.0,
        "tree_peak_pss_mb": 301.4,
        "peak_rss_mb": 160.2,
    }
    assert figures(result) == ("siteaudit", "2000", "50.0", "11.00", "301", "160")
    printed = table([figures(result)])
    assert printed.splitlines()[0].split() == [
        "tool", "pages", "pages/s", "CPU", "ms/page", "tree", "PSS", "MB", "largest", "RSS", "MB"
    ]  # fmt: skip


def test_a_failed_run_prints_its_error() -> None:
    row = figures({"tool": "linkinator", "pages": 0, "error": "crashed"})
    assert row[0] == "linkinator"
    assert row[-1] == "crashed"
