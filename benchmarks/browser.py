"""Benchmark: pages/s of the browser stage (axe-core in headless Chromium) on the shared sample.

The same 50 pages the peers were measured on (`Ctx.sample()` in ../shared/bench/bench.py:
home + 5 form pages + 44 random, seed 7) of a generated council site served by nginx
(`serve.sh`, on its own ports so a running bench server is left alone). The pool is run
in this process, as `siteaudit audit` runs it after the crawl: wall time from starting the
browsers to the last result, so browser start-up is included as it is in the peers'
figures. Accuracy is scored with the harness's own `score_a11y`.

    .venv/bin/python benchmarks/browser.py [--pages 2000] [--workers N] [--repeat 3]
        [--rules wcag|all]

`--rules all` runs every axe-core rule (no tag filter), as @axe-core/cli and pa11y-ci do by
default; `wcag` (the default) is siteaudit's default: WCAG 2.0/2.1/2.2 A and AA.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import os
import statistics
import subprocess
import threading
import time
from typing import Any
from urllib.parse import urlsplit

from crawl import BENCH, ensure_site

from audits.core.config import BrowserConfig
from audits.stages.browser import BrowserPool, BrowserSettings

# Published in ../shared/bench/README.md ("Accessibility sample", M=50, 1 run each).
PEERS = {
    2000: {"@axe-core/cli": 1.29, "pa11y-ci": 0.63},
    10000: {"@axe-core/cli": 1.47, "pa11y-ci": 0.65},
}


def load_harness() -> Any:
    """../shared/bench/bench.py as a module: its sample and scoring, not copies of them."""
    spec = importlib.util.spec_from_file_location("bench", BENCH / "bench.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_once(harness: Any, settings: BrowserSettings, urls: list[str]) -> dict[str, Any]:
    """One pass of the pool over the URLs: wall, CPU and memory of this process tree.

    chromedriver and Chromium are started from the pool's threads, so the tree is found
    from the whole process table (the harness's sampler), not this process's children.
    """
    me = os.getpid()
    peak_pss = 0
    cpu_seen: dict[tuple[int, int], int] = {}  # (pid, start time) -> CPU ticks, for children
    done = threading.Event()

    def sample() -> None:
        nonlocal peak_pss
        while not done.is_set():
            peak_pss = max(peak_pss, harness.tree_pss_kb(me, cpu_seen)[0])
            done.wait(0.25)

    own_cpu = harness.cpu_seconds([me])
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    checks = list(BrowserPool(settings).check(urls))
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    children_cpu = sum(cpu_seen.values()) / os.sysconf("SC_CLK_TCK")
    return {
        "wall_s": wall,
        "cpu_s": harness.cpu_seconds([me]) - own_cpu + children_cpu,
        "tree_pss_mb": peak_pss / 1024,
        "checks": checks,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000, help="size of the generated site")
    parser.add_argument("--workers", type=int, default=0, help="browsers (0: one per CPU)")
    parser.add_argument("--repeat", type=int, default=3, help="passes; the median is reported")
    parser.add_argument("--rules", choices=("wcag", "all"), default="wcag")
    parser.add_argument("--port", type=int, default=8097)
    parser.add_argument("--ext-port", type=int, default=8099)
    args = parser.parse_args()

    harness = load_harness()
    site = ensure_site(args.pages)
    manifest = json.loads((site / "manifest.json").read_text())
    ctx = harness.Ctx(
        argparse.Namespace(
            site=str(site),
            port=args.port,
            # The port the site's pages link to, so the harness does not warn: the browser
            # never follows links, so nothing needs to answer there.
            ext_port=urlsplit(manifest["external_origin"]).port,
            peers="/tmp/sa-bench/peers",
            nginx_pidfile=None,
            sample=50,
            seed=7,
            timeout=0,
        )
    )
    sample = ctx.sample()
    urls = [ctx.origin + page for page in sample]
    settings = BrowserSettings.from_config(BrowserConfig(workers=args.workers))
    if args.rules == "all":
        options = {k: v for k, v in settings.axe_options.items() if k != "runOnly"}
        settings = dataclasses.replace(settings, axe_options=options)

    serve = str(BENCH / "serve.sh")
    subprocess.run([serve, "stop", str(args.port)], check=False, capture_output=True)
    subprocess.run(
        [serve, "start", str(site), str(args.port), str(args.ext_port)],
        check=True,
        capture_output=True,
    )
    load1 = os.getloadavg()[0]
    try:
        runs = [run_once(harness, settings, urls) for _ in range(args.repeat)]
    finally:
        subprocess.run([serve, "stop", str(args.port)], check=False, capture_output=True)

    median = sorted(runs, key=lambda r: r["wall_s"])[len(runs) // 2]
    per_page: dict[str, dict[str, int]] = {}
    for check in median["checks"]:
        counts = per_page.setdefault(ctx.norm(check.url), {})
        for node, _ in check.nodes:
            if node.outcome == "violation":
                counts[node.rule] = counts.get(node.rule, 0) + 1
    pages_per_s = len(urls) / median["wall_s"]
    peers = PEERS.get(args.pages, {})
    print(
        json.dumps(
            {
                "site_pages": args.pages,
                "sample": len(urls),
                "rules": args.rules,
                "axe_core": settings.axe_version,
                "workers": settings.workers,
                "errors": sum(1 for c in median["checks"] if c.error),
                "wall_s": round(median["wall_s"], 2),
                "all_walls_s": [round(r["wall_s"], 2) for r in runs],
                "pages_per_s": round(pages_per_s, 2),
                "median_pages_per_s_all_runs": round(
                    statistics.median(len(urls) / r["wall_s"] for r in runs), 2
                ),
                "cpu_s": round(median["cpu_s"], 1),
                "peak_tree_pss_mb": round(median["tree_pss_mb"]),
                "load1_at_start": round(load1, 1),
                "accuracy": {
                    k: v
                    for k, v in harness.score_a11y(ctx, sample, per_page).items()
                    if not k.startswith("_")
                },
                "published_peers_pages_per_s": peers,
                "ratio_to_peers": {
                    name: round(pages_per_s / pps, 2) for name, pps in peers.items()
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
