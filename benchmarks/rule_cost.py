"""Benchmark: what some rules cost on a generated council site, beside all the rules.

Two figures per rule, each measured on its own so that a noisy shared machine blurs them
less than comparing two whole audits would:

- page stage: its `check_page` (page rules) or `page_facts` (site rules) on every page of a
  `../shared/bench/sitegen.py` site, each page parsed and its links extracted first, as the
  page stage does before any rule runs;
- site stage: its `check_site` on a stored run of that site (`--store`, or an audit this
  script runs first: the site served by Python's http.server, no external checks, no
  browser).

    .venv/bin/python benchmarks/rule_cost.py --pages 2000 --rules ID,ID [--config FILE] [--store audit.db]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from crawl import ensure_site

from audits.core.config import load_config
from audits.rule_engine import RuleEngine, load_rules
from audits.store import Store
from rules.base import PageRule
from rules.page import Page


def page_seconds(engine: RuleEngine, root: Path, origin: str) -> tuple[int, dict[str, float]]:
    """(pages, rule id -> seconds of its page work over every HTML file under root)."""
    spent: dict[str, float] = defaultdict(float)
    files = sorted(root.rglob("*.html"))
    for file in files:
        path = "/" + file.relative_to(root).as_posix()
        url = origin + path.removesuffix("index.html")
        page = Page(url=url, html=file.read_text(encoding="utf-8", errors="replace"))
        assert page.links is not None  # parsed and extracted before the rules, as in the page stage
        for rule in (*engine.page_rules, *engine.site_rules):
            started = time.process_time()
            if isinstance(rule, PageRule):
                if rule.applies_to(page):
                    list(rule.check_page(page))
            else:
                rule.page_facts(page)
            spent[rule.id] += time.process_time() - started
    return len(files), spent


def site_seconds(engine: RuleEngine, store_path: Path) -> dict[str, float]:
    """Rule id -> seconds of its check_site on the store's latest run (one shared site
    object, as in the site stage, so shared analyses are paid by the first rule)."""
    store = Store(str(store_path))
    site = store.site(store.runs()[-1].id)
    spent = {}
    for rule in engine.site_rules:
        started = time.process_time()
        list(rule.check_site(site))
        spent[rule.id] = time.process_time() - started
    return spent


def audit(site: Path, config: Path | None, port: int, out: Path) -> Path:
    """Audit the generated site served on 127.0.0.1:port; the store's path."""
    conf = out / "bench.toml"
    extra = config.read_text() if config else ""
    conf.write_text(f"[crawl]\ncheck_external = false\nmax_pages = 100000\n{extra}")
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "-d", str(site)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        siteaudit = Path(sys.executable).parent / "siteaudit"
        for _ in range(100):  # until the server answers
            if (
                subprocess.run(
                    ["curl", "-sf", "-o", "/dev/null", f"http://127.0.0.1:{port}/"]
                ).returncode
                == 0
            ):
                break
            time.sleep(0.1)
        subprocess.run(
            [
                str(siteaudit),
                "audit",
                f"http://127.0.0.1:{port}/",
                "--config",
                str(conf),
                "--out",
                str(out),
                "--no-browser",
                "--no-plugins",
                "--quiet",
            ],
            check=False,
        )
    finally:
        server.terminate()
        server.wait()
    return out / "audit.db"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--rules", required=True, help="comma-separated rule ids to report")
    parser.add_argument("--config", type=Path, help="a siteaudit.toml (top tasks, say)")
    parser.add_argument("--store", type=Path, help="a stored audit of the site to reuse")
    parser.add_argument("--port", type=int, default=18790)
    args = parser.parse_args()

    site = ensure_site(args.pages) / "site"
    config = load_config(args.config)
    engine = load_rules(config)
    chosen = args.rules.split(",")
    pages, page_spent = page_seconds(engine, site, f"http://127.0.0.1:{args.port}")
    store = args.store or audit(site, args.config, args.port, Path(tempfile.mkdtemp()))
    site_spent = site_seconds(engine, store)
    page_all, site_all = sum(page_spent.values()), sum(site_spent.values())
    print(
        json.dumps(
            {
                "site_pages": args.pages,
                "html_files": pages,
                "store": str(store),
                "page_stage_all_rules_s": round(page_all, 2),
                "site_stage_all_rules_s": round(site_all, 2),
                "rules": {
                    rule_id: {
                        "page_s": round(page_spent.get(rule_id, 0.0), 3),
                        "page_ms_per_page": round(1000 * page_spent.get(rule_id, 0.0) / pages, 3),
                        "site_s": round(site_spent.get(rule_id, 0.0), 3),
                    }
                    for rule_id in chosen
                },
                "chosen_page_share": round(sum(page_spent.get(r, 0) for r in chosen) / page_all, 4),
                "chosen_site_share": round(
                    sum(site_spent.get(r, 0) for r in chosen) / max(site_all, 1e-9), 4
                ),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
