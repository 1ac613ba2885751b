"""Benchmark: what the service scorecard adds to the report stage of a generated site.

Audits the shared harness's generated council site (../shared/bench, as benchmarks/crawl.py
does) twice with a few top tasks, so the scorecard has forms, tasks and a trend; then, on
the stored runs, times building the scorecard (with and without the trend) and writing
every report format with it.

    .venv/bin/python benchmarks/services.py --pages 2000 [--port 8125]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.crawl import BENCH, ensure_site

CONFIG = """
[crawl]
max_pages = {max_pages}
check_external = false

[[top_tasks]]
name = "Report a missed bin"
url = "/forms/report-a-missed-bin/"
max_clicks = 2

[[top_tasks]]
name = "Book a bulky waste collection"
url = "/forms/book-a-bulky-waste-collection/"
max_clicks = 1

[[top_tasks]]
name = "Apply for a parking permit"
pattern = "parking-permit"
"""


def timed(call, repeat: int = 3) -> tuple[float, object]:
    """The best of `repeat` wall times of `call()`, and its result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--port", type=int, default=8125)
    args = parser.parse_args()

    site = ensure_site(args.pages)
    serve = str(BENCH / "serve.sh")
    subprocess.run([serve, "stop", str(args.port)], check=False, capture_output=True)
    subprocess.run(
        [serve, "start", str(site), str(args.port), str(args.port + 1)],
        check=True,
        capture_output=True,
    )
    work = Path(tempfile.mkdtemp(prefix="siteaudit-services-bench-"))
    try:
        config = work / "bench.toml"
        config.write_text(CONFIG.format(max_pages=args.pages * 2))
        audit = [
            str(Path(sys.executable).parent / "siteaudit"), "audit",
            f"http://127.0.0.1:{args.port}/", "--config", str(config), "--out",
            str(work / "out"), "--quiet", "--no-browser", "--no-plugins", "--format", "json",
        ]  # fmt: skip
        for _ in range(2):  # two runs: the trend has a point to compare with
            subprocess.run(audit, check=True, capture_output=True)
        figures = measure(work)
    finally:
        subprocess.run([serve, "stop", str(args.port)], check=False, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps({"site_pages": args.pages, **figures}, indent=2))


def measure(work: Path) -> dict[str, object]:
    """Time the scorecard and the whole report on the store's latest run."""
    from audits.rule_engine import available_rules
    from audits.store import Store
    from reports import write_reports
    from reports.services import build_scorecard

    store = Store(str(work / "out" / "audit.db"), read_only=True)
    run_id = store.run().id
    rules = list(available_rules(plugins=False).values())
    one_run, card = timed(lambda: build_scorecard(store, run_id, trend_limit=1))
    with_trend, _ = timed(lambda: build_scorecard(store, run_id))
    formats = ("html", "json", "csv", "sarif", "junit")
    report_s, _ = timed(
        lambda: write_reports(store, run_id, work / "report", rules, formats=formats), repeat=2
    )
    html_pages = len(store.html_page_urls(run_id))
    store.close()
    return {
        "html_pages": html_pages,
        "services": len(card.services),  # type: ignore[attr-defined]
        "scorecard_one_run_s": round(one_run, 3),
        "scorecard_with_trend_of_2_runs_s": round(with_trend, 3),
        "whole_report_every_format_s": round(report_s, 2),
        "scorecard_share_of_report": f"{100 * with_trend / report_s:.1f}%",
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


if __name__ == "__main__":
    main()
