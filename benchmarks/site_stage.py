"""Benchmark: the site stage of a kept audit (click depths, sitemap flags, site rules).

Runs `audits.stages.site.run_site_stage` again on a copy of a store kept by
`benchmarks/crawl.py --keep DIR`, and prints its CPU seconds (user + system, this
process only: the machines are shared, wall time is not comparable) and its peak RSS
(the process's, up to the end of the stage: the copy and the stage), then each part's CPU:
the site-inputs digest, the click depths, and every site rule. Compare a 2,000-page and
a 10,000-page audit: a stage linear in the links takes about five times as long.

    .venv/bin/python benchmarks/site_stage.py DIR/audit.db [--as-of 2026-11-24] [--keep OUT]

`--keep OUT` leaves the copy, with the stage's findings and click depths, in OUT/audit.db:
two versions of the stage compared finding by finding (rule, URL, message, evidence).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from audits.core.config import parse_config
from audits.rule_engine import finding_row, load_rules
from audits.stages.site import run_site_stage
from audits.stages.siteinputs import site_inputs_digest
from audits.store import Store
from rules.analyses.click_graph import click_depths
from rules.base import Finding


def cpu_of(work: Callable[[], Any]) -> float:
    """CPU seconds `work` takes in this process."""
    began = time.process_time()
    work()
    return time.process_time() - began


def _consume(findings: Iterable[Finding]) -> None:
    for finding in findings:
        finding_row(finding)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path, help="an audit.db kept by benchmarks/crawl.py")
    parser.add_argument("--as-of", help="the date rules with an as_of option use (YYYY-MM-DD)")
    parser.add_argument("--keep", type=Path, help="keep the copy (and its findings) in this folder")
    args = parser.parse_args()

    rules: dict[str, dict[str, Any]] = {}
    engine = load_rules(parse_config({"plugins": False}))
    if args.as_of:
        for rule in engine.site_rules:
            if hasattr(rule.options, "as_of"):
                rules[rule.id] = {"as_of": args.as_of}
        engine = load_rules(parse_config({"plugins": False, "rules": rules}))
    with tempfile.TemporaryDirectory(prefix="siteaudit-site-stage-") as work:
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
        copy = (args.keep or Path(work)) / "audit.db"
        shutil.copyfile(args.store, copy)
        store = Store(str(copy))
        (run_id,) = store.db.execute("SELECT MAX(id) FROM runs").fetchone()
        (pages,) = store.db.execute(
            "SELECT COUNT(*) FROM pages WHERE run_id = ?", (run_id,)
        ).fetchone()
        (links,) = store.db.execute(
            "SELECT COUNT(*) FROM links WHERE run_id = ?", (run_id,)
        ).fetchone()
        stage = cpu_of(lambda: run_site_stage(store, run_id, engine))
        stage_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        parts = {
            "site-inputs digest": cpu_of(lambda: site_inputs_digest(store, run_id)),
            "click depths": cpu_of(lambda: click_depths(store.site(run_id))),
        }
        site = store.site(run_id)
        for rule in engine.site_rules:
            # Each finding made into its row, as the stage does, but none kept.
            parts[rule.id] = cpu_of(lambda rule=rule: _consume(rule.check_site(site)))
        store.close()
    print(
        json.dumps(
            {
                "pages": pages,
                "links": links,
                "site_stage_cpu_s": round(stage, 2),
                "site_stage_peak_rss_mb": stage_peak,
                "parts_cpu_s": {name: round(s, 2) for name, s in parts.items() if s >= 0.01},
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
