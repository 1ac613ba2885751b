"""Benchmark: siteaudit beside linkinator in one pass of the shared harness (`make bench`).

Generates an N-page council site once (../shared/bench/sitegen.py), serves it with the
harness's nginx, runs ../shared/bench/bench.py with `--tools
siteaudit,siteaudit-links,linkinator` (the full static audit, the links-only audit and
linkinator, one after the other on the same site), and prints for each: pages per
second, CPU milliseconds per page and peak memory (the summed PSS of the whole process
tree, and the largest single process). linkinator runs only when the harness has
installed it (`../shared/bench/peers.sh install`); otherwise this says so and measures
siteaudit alone. The machines are shared: compare the rows of one pass, not of two.

    .venv/bin/python benchmarks/side_by_side.py [--pages 10000] [--port 8088 --ext-port 8089]
        [--peers /tmp/sa-bench/peers] [--out results.json]
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.crawl import BENCH, ensure_site

ROOT = Path(__file__).resolve().parents[1]
LOCK = Path("/tmp/sa-bench/bench.lock")
COLUMNS = ("tool", "pages", "pages/s", "CPU ms/page", "tree PSS MB", "largest RSS MB")


def tools_to_run(peers: Path) -> tuple[list[str], str | None]:
    """The harness's tools to run, and a note when linkinator is not installed."""
    if (peers / "node" / "node_modules" / ".bin" / "linkinator").exists():
        return ["siteaudit", "siteaudit-links", "linkinator"], None
    return ["siteaudit", "siteaudit-links"], (
        f"linkinator is not installed in {peers} (install it with {BENCH}/peers.sh "
        "install): measuring siteaudit alone"
    )


def figures(result: dict[str, Any]) -> tuple[str, ...]:
    """One tool's row: pages, pages/s, CPU ms per page, peak memory."""
    pages = result.get("pages") or 0
    wall, cpu = result.get("wall_s"), result.get("cpu_s")
    if not pages or not wall or cpu is None:
        return (result["tool"], str(pages), "-", "-", "-", result.get("error", "failed"))
    return (
        result["tool"],
        str(pages),
        f"{pages / wall:.1f}",
        f"{1000 * cpu / pages:.2f}",
        f"{result.get('tree_peak_pss_mb', 0):.0f}",
        f"{result.get('peak_rss_mb', 0):.0f}",
    )


def table(rows: list[tuple[str, ...]]) -> str:
    """Rows as aligned plain-text columns under COLUMNS."""
    widths = [max(len(row[n]) for row in (COLUMNS, *rows)) for n in range(len(COLUMNS))]
    lines = ["  ".join(cell.ljust(widths[n]) for n, cell in enumerate(row)) for row in rows]
    head = "  ".join(name.ljust(widths[n]) for n, name in enumerate(COLUMNS))
    return "\n".join([head, "  ".join("-" * w for w in widths), *lines])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--port", type=int, default=8088)
    parser.add_argument("--ext-port", type=int, default=8089, help="the external host's port")
    parser.add_argument("--peers", default="/tmp/sa-bench/peers", help="the harness's peers")
    parser.add_argument("--out", type=Path, help="keep the harness's results JSON here")
    args = parser.parse_args()

    tools, note = tools_to_run(Path(args.peers))
    if note:
        print(note, flush=True)
    site = ensure_site(args.pages, args.ext_port)
    # One benchmark at a time on this machine: they share its two cores.
    LOCK.parent.mkdir(parents=True, exist_ok=True)
    lock = LOCK.open("w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    serve = str(BENCH / "serve.sh")
    subprocess.run([serve, "stop", str(args.port)], check=False, capture_output=True)
    subprocess.run(
        [serve, "start", str(site), str(args.port), str(args.ext_port)],
        check=True,
        capture_output=True,
    )
    try:
        with tempfile.TemporaryDirectory(prefix="siteaudit-side-by-side-") as work:
            out = args.out or Path(work) / "results.json"
            subprocess.run(
                [
                    sys.executable,
                    str(BENCH / "bench.py"),
                    "run",
                    "--site",
                    str(site),
                    "--port",
                    str(args.port),
                    "--ext-port",
                    str(args.ext_port),
                    "--peers",
                    args.peers,
                    "--tools",
                    ",".join(tools),
                    "--work",
                    str(Path(work) / "raw"),
                    "--out",
                    str(out),
                ],
                check=True,
                cwd=ROOT,
                env={**os.environ, "SA_BIN": str(Path(sys.executable).parent / "siteaudit")},
                stdout=subprocess.DEVNULL,
            )
            results = json.loads(Path(out).read_text())["results"]
    finally:
        subprocess.run([serve, "stop", str(args.port)], check=False, capture_output=True)
        lock.close()
    print(f"{args.pages:,}-page generated site, one pass, load average {os.getloadavg()[0]:.1f}")
    print(table([figures(result) for result in results]))


if __name__ == "__main__":
    main()
