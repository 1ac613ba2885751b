"""Benchmark: writing the reports of a big site (50,000 pages, 200,000 findings).

Builds a synthetic store with bulk inserts (two runs of the same site, so the report
has a previous run to compare with, a trend and a list of fixed problems), then times
`reports.write_reports` with every format, the way `siteaudit audit` calls it
(prioritising again first). Prints the wall and CPU seconds, the peak resident memory,
the files written and the size of the biggest HTML file (the pages must stay quick to
open).

The reports are written by a child process, so its peak RSS is the report stage's
alone: building the synthetic store holds a million link rows in the parent (and the
child reads its own peak from /proc: getrusage would give the parent's, see
`peak_rss_mb`).

The machines are shared: when other work hammers the disk, creating 50,000 small files
alone can take half a minute of system time, so compare the CPU figure too, and run it
twice. `--work /dev/shm/...` takes the disk out of the measurement.

    .venv/bin/python benchmarks/report.py [--pages 50000] [--findings 200000]
        [--formats html,json,csv,sarif,junit] [--work /tmp/sa-bench-report] [--keep]

With `--store DIR/audit.db` (kept by `benchmarks/crawl.py --keep DIR`) it writes the
reports of that real audit instead, from a copy of its store: the report stage of a
2,000- and a 10,000-page audit, side by side, show whether its memory grows with the site.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from audits.store import Store
from rules.base import Category

HOST = "https://www.example-council.gov.uk"
START = HOST + "/"
SECTIONS = 40
LINKS_PER_PAGE = 20
MENU = 15
"""Pages every page links to (the site menu)."""

# (rule id, category, severities to draw from)
RULES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("broken-link", Category.LINKS, ("high", "critical", "medium")),
    ("redirect-chain", Category.LINKS, ("low", "medium")),
    ("stale-content", Category.FRESHNESS, ("medium", "low")),
    ("old-document", Category.FRESHNESS, ("low", "info")),
    ("reading-age", Category.READABILITY, ("medium",)),
    ("long-sentences", Category.READABILITY, ("low", "info")),
    ("image-missing-alt", Category.ACCESSIBILITY, ("high", "medium")),
    ("axe-color-contrast", Category.ACCESSIBILITY, ("high", "critical")),
    ("heading-order", Category.ACCESSIBILITY, ("low", "medium")),
    ("form-too-deep", Category.FORMS, ("high", "medium")),
    ("phone-before-online", Category.CONTACT, ("medium", "low")),
    ("email-before-online", Category.CONTACT, ("low",)),
)


def page_urls(count: int) -> list[str]:
    """A council-like tree: /section-k/topic-j/page-i, with the home page first."""
    urls = [START]
    n = 0
    while len(urls) < count:
        section, topic = n % SECTIONS, (n // SECTIONS) % 25
        urls.append(f"{HOST}/service-{section}/topic-{topic}/page-{n}")
        n += 1
    return urls


def build_run(
    store: Store, urls: list[str], findings: int, rng: random.Random, keep: float
) -> tuple[int, float]:
    """One finished run with pages, links and findings, written in bulk; (run id, seconds)."""
    began = time.monotonic()
    db = store.db
    run_id = store.begin_run(START, "0.1.0", {})
    with store.transaction():
        db.executemany("INSERT OR IGNORE INTO urls(url) VALUES (?)", [(u,) for u in urls])
        ids = dict(db.execute("SELECT url, id FROM urls"))
        db.executemany(
            "INSERT INTO pages(run_id, url_id, final_url_id, status, content_type, is_html, "
            "size, depth, click_depth, title) VALUES (?, ?, ?, 200, 'text/html', 1, 20000, ?, ?, ?)",
            [
                (
                    run_id,
                    ids[u],
                    ids[u],
                    min(i, 1) + u.count("/") - 3,
                    u.count("/") - 3,
                    f"Page {i}: council services",
                )
                for i, u in enumerate(urls)
            ],
        )
        menu = [ids[u] for u in urls[:MENU]]
        links = []
        for u in urls:
            source = ids[u]
            targets = menu + [
                ids[urls[rng.randrange(len(urls))]] for _ in range(LINKS_PER_PAGE - MENU)
            ]
            links.extend((run_id, source, t, "", "link", "a", "main", "a") for t in targets)
        db.executemany(
            "INSERT INTO links(run_id, source_id, target_id, fragment, text, kind, region, selector)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            links,
        )
        rows = []
        for n in range(findings):
            rule, category, severities = RULES[n % len(RULES)]
            # Findings keep their identity across runs unless dropped (fixed) by `keep`.
            ident = n if rng.random() < keep else n + 10_000_000
            url = urls[(n * 7919) % len(urls)]
            pages: list[str] = []
            if n % 2000 == 0:  # a template problem: on many pages at once
                size = 50_000 if n == 0 else rng.choice((50, 500, 5000))
                pages = urls[: min(size, len(urls))]
            rows.append(
                (
                    run_id,
                    rule,
                    category.value,
                    severities[n % len(severities)],
                    url,
                    f"{HOST}/documents/file-{n}.pdf" if category == Category.LINKS else None,
                    f"Problem {n} of {rule}: something an editor should put right on this page.",
                    f"main > div:nth-of-type({n % 9 + 1}) > p > a",
                    f'<a href="/documents/file-{n}.pdf">Download the form</a>',
                    json.dumps({"status": 404, "number": n}),
                    json.dumps(pages),
                    f"{ident:020x}",
                )
            )
        db.executemany(
            "INSERT INTO findings(run_id, rule, category, severity, url, target, message, "
            "selector, snippet, evidence, pages, fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    store.finish_run(run_id, "finished", {})
    return run_id, time.monotonic() - began


def peak_rss_mb() -> float:
    """Peak resident set size in MB of this process since it started its program.

    Read from /proc (VmHWM), not getrusage: Linux carries ru_maxrss over `exec`, so a
    child started by a parent holding the built store would report the parent's size
    when its own is smaller.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def render(work: Path, formats: str) -> None:
    """Write the reports of the store's latest run into work/report and say what it cost."""
    from audits.rule_engine import available_rules
    from audits.stages.report import run_prioritise_stage
    from reports import parse_formats, write_reports

    store = Store(str(work / "audit.db"))
    run_id = store.db.execute("SELECT MAX(id) FROM runs").fetchone()[0]
    rules = list(available_rules(plugins=False).values())
    out = work / "report"
    began, cpu = time.monotonic(), time.process_time()
    # As `siteaudit audit` does (audits.stages.report.render): prioritise again, then write.
    comparison, inbound = run_prioritise_stage(store, run_id, None)
    outputs = write_reports(
        store,
        run_id,
        out,
        rules,
        formats=parse_formats(formats),
        comparison=comparison,
        inbound=inbound,
    )
    written, cpu_used = time.monotonic() - began, time.process_time() - cpu
    store.close()

    html_files = list(out.rglob("*.html"))
    biggest = max(html_files, key=lambda p: p.stat().st_size) if html_files else None
    print(
        f"write_reports ({formats}, prioritising first): {written:.1f} s wall, "
        f"{cpu_used:.1f} s CPU (user + system), peak RSS {peak_rss_mb():.0f} MB"
    )
    print(f"HTML files: {len(html_files):,}")
    for name, path in outputs.items():
        print(f"  {name}: {path.name} {path.stat().st_size / 1e6:.1f} MB")
    if biggest is not None:
        print(
            f"biggest HTML file: {biggest.relative_to(out)} {biggest.stat().st_size / 1e3:.0f} kB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=50_000)
    parser.add_argument("--findings", type=int, default=200_000)
    parser.add_argument("--formats", default="html,json,csv,sarif,junit")
    parser.add_argument("--work", type=Path, default=Path("/tmp/sa-bench-report"))
    parser.add_argument("--keep", action="store_true", help="Keep the store and the report.")
    parser.add_argument("--store", type=Path, help="a kept audit's store, instead of a built one")
    parser.add_argument(
        "--render-only",
        action="store_true",
        help="Only write the reports of the store already in --work (what the child does).",
    )
    args = parser.parse_args()
    if args.render_only:
        render(args.work, args.formats)
        return

    from audits.stages.prioritise import prioritise

    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    if args.store:
        shutil.copyfile(args.store, args.work / "audit.db")
        print(f"store: a copy of {args.store}")
    else:
        rng = random.Random(7)
        store = Store(str(args.work / "audit.db"))
        urls = page_urls(args.pages)
        first, first_s = build_run(store, urls, args.findings, rng, keep=1.0)
        prioritise(store, first)
        _, second_s = build_run(store, urls, args.findings, rng, keep=0.95)
        store.close()
        print(
            f"store built: 2 runs of {args.pages:,} pages and {args.findings:,} findings in "
            f"{first_s + second_s:.1f} s ({(args.work / 'audit.db').stat().st_size / 1e6:.0f} MB)"
        )
    child = [sys.executable, __file__, "--render-only", "--work", str(args.work)]
    subprocess.run([*child, "--formats", args.formats], check=True)
    if not args.keep:
        shutil.rmtree(args.work, ignore_errors=True)


if __name__ == "__main__":
    main()
