"""Benchmark: link checking on a generated council site, scored against its manifest.

Prints links checked per second, broken-target recall and false positives, pair recall
((source page, target) pairs), broken #fragment recall, and redirect recall, for one
`siteaudit audit` of a `../shared/bench/sitegen.py` site served by its nginx. Run the
peers in the same sitting with `../shared/bench/peers.sh run ... --tools
linkinator,linkchecker,linkinator-fragments,linkchecker-anchors` and compare.

    .venv/bin/python benchmarks/links.py --pages 2000
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


def site_path(url: str, origin: str) -> str:
    """A site URL as the manifest writes it (path, or full URL for the external host)."""
    return url.removeprefix(origin) if url.startswith(origin) else url


def score(findings: list[dict], manifest: dict, origin: str) -> dict[str, object]:
    """Recall and false positives of each link verdict against the manifest."""
    ext = manifest["external_origin"]
    seeded = {b["target"] for b in manifest["broken_links"]}
    seeded_pairs = {(b["source"], b["target"]) for b in manifest["broken_links"]}
    broken = [f for f in findings if f["rule"] == "broken-link"]
    found = {site_path(f["target"], origin) for f in broken}
    pairs = {
        (site_path(page, origin), site_path(f["target"], origin))
        for f in broken
        for page in f["pages"]
    }
    frag_seeded = {(b["source"], b["target"]) for b in manifest["broken_fragments"]}
    frag_found = {
        (site_path(page, origin), site_path(f["target"], origin))
        for f in findings
        if f["rule"] == "broken-fragment"
        for page in f["pages"]
    }
    redirects = {
        r["from"] for r in manifest["redirects"] if r["final_status"] == 200 and r["linked_from"]
    }
    redirected = {
        site_path(f["target"], origin) for f in findings if f["rule"] == "redirected-link"
    }
    return {
        "broken_targets": f"{len(found & seeded)}/{len(seeded)} seeded, FP {len(found - seeded)}",
        "false_positives": sorted(found - seeded)[:10],
        "missed": sorted(seeded - found)[:10],
        "pair_recall": f"{len(pairs & seeded_pairs)}/{len(seeded_pairs)}",
        "fragments": f"{len(frag_found & frag_seeded)}/{len(frag_seeded)} seeded, "
        f"FP {len(frag_found - frag_seeded)}",
        "redirects": f"{len(redirected & redirects)}/{len(redirects)} working redirects reported",
        "external_origin": ext,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--port", type=int, default=8088)
    args = parser.parse_args()

    site = ensure_site(args.pages)
    manifest = json.loads((site / "manifest.json").read_text())
    serve = str(BENCH / "serve.sh")
    subprocess.run([serve, "stop", str(args.port)], check=False, capture_output=True)
    subprocess.run([serve, "start", str(site), str(args.port)], check=True, capture_output=True)
    work = Path(tempfile.mkdtemp(prefix="siteaudit-links-"))
    origin = f"http://127.0.0.1:{args.port}"
    try:
        cmd = [
            str(Path(sys.executable).parent / "siteaudit"),
            "audit",
            f"{origin}/",
            "--out",
            str(work),
            "--concurrency",
            str(args.concurrency),
            "--quiet",
            "--no-browser",  # benchmarks/browser.py measures the browser stage
            "--no-plugins",
        ]
        result = run_measured(cmd)
        findings = json.loads((work / "findings.json").read_text())["findings"]
        db = sqlite3.connect(work / "audit.db")
        checked = db.execute("SELECT COUNT(*) FROM pages").fetchone()[0]
        checked += db.execute("SELECT COUNT(*) FROM link_status").fetchone()[0]
    finally:
        subprocess.run([serve, "stop", str(args.port)], check=False, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
    report = {
        "site_pages": args.pages,
        "links_checked": checked,
        "wall_s": round(result["wall_s"], 1),
        "links_per_s": round(checked / result["wall_s"], 1),
        "cpu_s": round(result["cpu_s"], 1),
        "peak_tree_pss_mb": round(result["tree_pss_mb"]),
        **score(findings, manifest, origin),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
