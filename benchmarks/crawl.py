"""Benchmark: a full `siteaudit audit` of a generated council site, pages/s and peak memory.

Uses the shared harness (../shared/bench): `sitegen.py` generates an N-page council-like
site, `serve.sh` serves it with nginx on 127.0.0.1:8088 (127.0.0.2:8089 plays an external
host). Run the peers in the same sitting (`../shared/bench/peers.sh run ...`) and compare
ratios: the machines are shared and noisy.

    .venv/bin/python benchmarks/crawl.py --pages 10000 [--links-only] [--page-workers N] [--shared N]
        [--port 8088 --ext-port 8089] [--keep DIR] [--disable RULE ...]

`--keep DIR` keeps the audit's output (findings.json, audit.db) for benchmarks/findings_diff.py,
benchmarks/site_stage.py and benchmarks/report.py --store. Other ports than 8088/8089 let
two benchmarks run at once: the site is generated for its external port.
`--disable` turns rules off, to measure what they cost: run with and without, in turns.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# The shared harness sits beside the project checkout; SITEAUDIT_BENCH points elsewhere.
BENCH = Path(
    os.environ.get("SITEAUDIT_BENCH", Path(__file__).resolve().parents[2] / "shared" / "bench")
)
SITES = Path("/tmp/sa-bench/sites")
_SAMPLE_SECONDS = 0.25


class TreeSample(NamedTuple):
    """One look at a process and its descendants."""

    pss_kb: int
    largest_rss_kb: int
    cpu_s: dict[tuple[int, str], float]
    """Each process's CPU seconds so far, by (pid, start time)."""
    pss_kb_by_role: dict[str, int]
    """PSS of the audit process, its forkserver, the page workers and any other children."""


def _role(parent_role: str | None, command: bytes) -> str:
    if parent_role is None:
        return "audit process"
    if parent_role == "audit process" and b"forkserver" in command:
        return "forkserver"
    return "page workers" if parent_role == "forkserver" else "other children"


def tree_memory_kb(root_pid: int) -> TreeSample:
    """Memory and CPU of a process and its descendants."""
    roles, frontier = {root_pid: _role(None, b"")}, [root_pid]
    while frontier:
        pid = frontier.pop()
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            try:
                command = Path(f"/proc/{child}/cmdline").read_bytes()
            except OSError:
                continue
            roles[child] = _role(roles[pid], command)
            frontier.append(child)
    total = largest = 0
    cpu_s: dict[tuple[int, str], float] = {}
    by_role: dict[str, int] = {}
    ticks = os.sysconf("SC_CLK_TCK")
    for pid, role in roles.items():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            cpu = (int(fields[11]) + int(fields[12])) / ticks
            pss = rss = 0
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss = int(line.split()[1])
        except (OSError, IndexError, ValueError):
            continue
        cpu_s[pid, fields[19]] = cpu
        by_role[role] = by_role.get(role, 0) + pss
        total += pss
        largest = max(largest, rss)
    return TreeSample(total, largest, cpu_s, by_role)


def run_measured(cmd: list[str]) -> dict[str, Any]:
    """Run a command; sample its process tree's memory; return wall, peaks and CPU.

    The CPU is each process's last sampled CPU time, summed: page workers are replaced
    during a crawl and end before the audit, and the forkserver's children are not the
    audit's to wait for, so neither the tree's CPU at one moment nor RUSAGE_CHILDREN
    counts them all."""
    peak = TreeSample(0, 0, {}, {})
    largest_rss = 0
    cpu_seen: dict[tuple[int, str], float] = {}
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            nonlocal peak, largest_rss
            sample = tree_memory_kb(proc.pid)
            if sample.pss_kb > peak.pss_kb:
                peak = sample
            largest_rss = max(largest_rss, sample.largest_rss_kb)
            cpu_seen.update(sample.cpu_s)
            done.wait(_SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = proc.communicate()
    done.set()
    sampler.join()
    wall = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        sys.exit(f"siteaudit failed (exit {proc.returncode}):\n{output[-3000:]}")
    return {
        "wall_s": wall,
        "tree_pss_mb": peak.pss_kb / 1024,
        "max_rss_mb": largest_rss / 1024,
        "tree_pss_mb_by_role": {
            role: round(kb / 1024) for role, kb in sorted(peak.pss_kb_by_role.items())
        },
        "cpu_s": sum(cpu_seen.values()),
    }


def bench_config(pages: int, *, links_only: bool = False, off: list[str] | None = None) -> str:
    """A benchmark audit's configuration: room for the whole site, and with `links_only`
    every rule outside the links category off (what a link checker does), and the rules
    `off` off."""
    lines = ["[crawl]", f"max_pages = {pages * 2}"]
    off = list(off or ())
    if links_only:
        from audits.rule_engine import available_rules

        off += [
            rule.id for rule in available_rules(plugins=False).values() if rule.category != "links"
        ]
    for rule_id in dict.fromkeys(off):  # once each: TOML refuses a table twice
        lines += [f"[rules.{rule_id}]", "enabled = false"]
    return "\n".join(lines) + "\n"


def crawl_seconds(store: Path) -> float:
    """How long the crawl itself took (the run's recorded Scrapy stats)."""
    import sqlite3

    with sqlite3.connect(store) as db:
        (raw,) = db.execute("SELECT stats FROM runs ORDER BY id DESC LIMIT 1").fetchone()
    return float(json.loads(raw)["elapsed_time_seconds"])


def ensure_site(pages: int, ext_port: int = 8089) -> Path:
    """Generate the site once (sitegen output is deterministic for a page count and the
    external host's port, which its links name)."""
    site = SITES / (f"n{pages}" if ext_port == 8089 else f"n{pages}-ext{ext_port}")
    if not (site / "manifest.json").exists():
        subprocess.run(
            [
                sys.executable,
                str(BENCH / "sitegen.py"),
                "--pages",
                str(pages),
                "--out",
                str(site),
                "--ext-origin",
                f"http://127.0.0.2:{ext_port}",
            ],
            check=True,
        )
    return site


def start_serving(site: Path, port: int, ext_port: int) -> None:
    """Serve a generated site with the harness's nginx on 127.0.0.1:port (and its external
    host on 127.0.0.2:ext_port), stopping whatever served on that port before."""
    stop_serving(port)
    subprocess.run(
        [str(BENCH / "serve.sh"), "start", str(site), str(port), str(ext_port)],
        check=True,
        capture_output=True,
    )


def stop_serving(port: int) -> None:
    """Stop the harness's nginx on that port (nothing when none serves there)."""
    subprocess.run([str(BENCH / "serve.sh"), "stop", str(port)], check=False, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--page-workers", type=int, default=None, help="page-rule processes")
    parser.add_argument("--links-only", action="store_true", help="disable content rules")
    parser.add_argument("--port", type=int, default=8088)
    parser.add_argument("--ext-port", type=int, default=8089, help="the external host's port")
    parser.add_argument("--keep", type=Path, help="copy the audit's output folder here")
    parser.add_argument("--as-of", help="the audit's date (YYYY-MM-DD), for comparable findings")
    parser.add_argument(
        "--disable", action="append", default=[], metavar="RULE", help="turn a rule off"
    )
    parser.add_argument(
        "--shared",
        type=int,
        default=0,
        metavar="N",
        help="share the crawl between N local workers through a private redis-server",
    )
    args = parser.parse_args()

    site = ensure_site(args.pages, args.ext_port)
    start_serving(site, args.port, args.ext_port)
    load1 = os.getloadavg()[0]
    work = Path(tempfile.mkdtemp(prefix="siteaudit-bench-"))
    redis_server = None
    try:
        config = work / "bench.toml"
        config.write_text(bench_config(args.pages, links_only=args.links_only, off=args.disable))
        cmd = [
            str(Path(sys.executable).parent / "siteaudit"),
            "audit",
            f"http://127.0.0.1:{args.port}/",
            "--config",
            str(config),
            "--out",
            str(work / "out"),
            "--concurrency",
            str(args.concurrency),
            "--quiet",
            "--no-browser",  # benchmarks/browser.py measures the browser stage
            "--no-plugins",
        ]
        if args.page_workers is not None:
            cmd += ["--page-workers", str(args.page_workers)]
        if args.as_of:
            cmd += ["--as-of", args.as_of]
        if args.shared:
            from tests.kit.redis_server import RedisServer

            redis_server = RedisServer(work / "redis").start()
            cmd += ["--redis", redis_server.url, "--workers", str(args.shared)]
        result = run_measured(cmd)
        findings = json.loads((work / "out" / "findings.json").read_text())
        pages = findings["run"]["pages"]
        crawl_s = crawl_seconds(work / "out" / "audit.db")
        if args.keep:
            shutil.rmtree(args.keep, ignore_errors=True)
            shutil.copytree(
                work / "out", args.keep, ignore=shutil.ignore_patterns("*-shm", "*-wal")
            )
    finally:
        if redis_server is not None:
            redis_server.stop()
        stop_serving(args.port)
        shutil.rmtree(work, ignore_errors=True)
    print(
        json.dumps(
            {
                "site_pages": args.pages,
                "mode": "links only" if args.links_only else "all static rules",
                "disabled": args.disable,
                "crawler_workers": args.shared or "one process",
                "pages": pages,
                "findings": len(findings["findings"]),
                "wall_s": round(result["wall_s"], 1),
                "pages_per_s": round(pages / result["wall_s"], 1),
                "crawl_s": round(crawl_s, 1),
                "crawl_pages_per_s": round(pages / crawl_s, 1),
                "cpu_s": round(result["cpu_s"], 1),
                "peak_tree_pss_mb": round(result["tree_pss_mb"]),
                "peak_process_rss_mb": round(result["max_rss_mb"]),
                "peak_tree_pss_mb_by_role": result["tree_pss_mb_by_role"],
                "load1_at_start": round(load1, 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
