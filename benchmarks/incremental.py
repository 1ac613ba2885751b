"""Benchmark: a nightly re-audit of an unchanged site against the first audit.

Audits a generated council site (`../shared/bench/sitegen.py`, served by its nginx) into
a fresh store, then re-audits it with `--incremental` (twice: the first re-audit still
finds every finding new to the run before it's; the second is the steady nightly state).
Prints each run's wall time, the time of its crawl phase, how many pages were carried
over, whether the site rules' results were, and the re-audit/first ratio.

The static rules only by default; `--browser` adds the accessibility checks in headless
Chromium, as a default `siteaudit audit` runs them (their results are reused for pages
whose content is unchanged).

Every run writes its report into the same folder, as a nightly job does, so a re-audit
finds the report of the one before it. The first audit writes one report file per page
with problems; on a busy shared disk creating 10,000 small files can take seconds.
`--work /dev/shm/...` measures without the disk. Each run's CPU seconds (user + system
of every process of the audit, page workers included) are printed beside its wall time,
which means little on a busy machine.

    .venv/bin/python benchmarks/incremental.py [--pages 10000] [--browser] [--work DIR]
        [--port 8088 --ext-port 8089]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from crawl import BENCH, ensure_site, run_measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--browser", action="store_true", help="include the browser stage")
    parser.add_argument("--port", type=int, default=8088)
    parser.add_argument("--ext-port", type=int, default=8089, help="the external host's port")
    parser.add_argument(
        "--work",
        type=Path,
        default=None,
        help="folder for the store and reports (/dev/shm takes the disk out of the figures)",
    )
    args = parser.parse_args()

    site = ensure_site(args.pages, args.ext_port)
    serve = str(BENCH / "serve.sh")
    subprocess.run([serve, "stop", str(args.port)], check=False, capture_output=True)
    subprocess.run(
        [serve, "start", str(site), str(args.port), str(args.ext_port)],
        check=True,
        capture_output=True,
    )
    if args.work is not None:
        args.work.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="siteaudit-bench-incremental-", dir=args.work))
    runs = []
    try:
        config = work / "bench.toml"
        store = work / "nightly.db"
        config.write_text(f'[crawl]\nmax_pages = {args.pages * 2}\n[store]\npath = "{store}"\n')
        base = [
            str(Path(sys.executable).parent / "siteaudit"),
            "audit",
            f"http://127.0.0.1:{args.port}/",
            "--config",
            str(config),
            "--concurrency",
            str(args.concurrency),
            "--quiet",
            "--no-plugins",
        ]
        if not args.browser:
            base.append("--no-browser")
        for number, extra in enumerate(([], ["--incremental"], ["--incremental"]), start=1):
            measured = run_measured([*base, "--out", str(work / "report"), *extra])
            cpu = measured["cpu_s"]
            runs.append(
                {
                    "run": number,
                    "wall_s": round(measured["wall_s"], 1),
                    "cpu_s": round(cpu, 1),
                }
            )
        with sqlite3.connect(store) as db:
            for run, (raw,) in zip(
                runs, db.execute("SELECT stats FROM runs ORDER BY id"), strict=True
            ):
                stats = json.loads(raw)
                run["crawl_s"] = round(float(stats.get("elapsed_time_seconds", 0)), 1)
                run["pages"] = stats.get("siteaudit/pages_html")
                run["pages_carried_over"] = stats.get("siteaudit/pages_reused", 0)
                run["site_results_carried_over"] = bool(stats.get("siteaudit/site_results_reused"))
                run["browser_reused"] = stats.get("browser/reused")
    finally:
        subprocess.run([serve, "stop", str(args.port)], check=False, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
    first = runs[0]["wall_s"]
    print(
        json.dumps(
            {
                "site_pages": args.pages,
                "browser_stage": args.browser,
                "runs": runs,
                "reaudit_vs_first": [round(run["wall_s"] / first, 3) for run in runs[1:]],
                "reaudit_vs_first_cpu": [
                    round(run["cpu_s"] / max(runs[0]["cpu_s"], 0.1), 3) for run in runs[1:]
                ],
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
