"""Benchmark: CPU time per PDF of reading it as the crawl's page workers do (links, date,
accessibility facts), and of the accessibility checks alone.

A fixed set of generated PDFs of varied size (seed 7: 1 to 400 pages, text, scanned pages,
form fields, and noise streams up to 8 MB, as council PDFs carry images), plus any real
PDFs in `--dir`. Each is read in this process, one after another; CPU time is
`time.process_time`.

    .venv/bin/python benchmarks/pdf.py [--count 200] [--dir DIR ...] [--json]
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pypdf  # noqa: E402

from audits.stages.pages import read_pdf  # noqa: E402
from rules.analyses.pdf_accessibility import inspect_pdf  # noqa: E402
from tests.kit.pdfs import council_pdf  # noqa: E402

URL = "https://www.example.gov.uk/documents/benchmark.pdf"


def generated(count: int) -> list[tuple[str, bytes]]:
    """`count` PDFs of varied shape and size, the same every run."""
    rng = random.Random(7)
    made = []
    for number in range(count):
        pages = min(400, int(rng.lognormvariate(1.8, 1.2)) + 1)
        scanned = rng.random() < 0.15
        made.append(
            (
                f"generated-{number:03}",
                council_pdf(
                    pages=pages,
                    text=not scanned,
                    image=scanned or rng.random() < 0.3,
                    tagged=rng.random() < 0.4,
                    bookmarks=pages > 20 and rng.random() < 0.5,
                    fields=("Name", None) if rng.random() < 0.1 else (),
                    lines=rng.randint(5, 45),
                    filler=int(rng.lognormvariate(11.5, 1.6)) if rng.random() < 0.5 else 0,
                ),
            )
        )
    return made


def measure(name: str, body: bytes) -> dict[str, Any]:
    """CPU ms of the whole read and of the accessibility checks after the links."""
    start = time.process_time()
    try:
        read_pdf(URL, body)
        error = None
    except Exception as exc:  # a real PDF pypdf cannot read is measured too
        error = str(exc)
    whole = time.process_time() - start
    reader = pypdf.PdfReader(io.BytesIO(body))
    checks = 0.0
    if error is None:
        for page in reader.pages:
            page.get("/Annots")  # what read_pdf does before the checks
        start = time.process_time()
        inspect_pdf(reader)
        checks = time.process_time() - start
    pages = len(reader.pages) if error is None else 0
    return {
        "name": name,
        "bytes": len(body),
        "pages": pages,
        "whole_ms": whole * 1000,
        "checks_ms": checks * 1000,
        "error": error,
    }


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Median, 90th percentile, max and mean of both times, and the set's shape."""

    def stats(key: str) -> dict[str, float]:
        values = sorted(row[key] for row in rows)
        return {
            "median": round(statistics.median(values), 1),
            "p90": round(values[int(len(values) * 0.9) - 1], 1),
            "max": round(values[-1], 1),
            "mean": round(statistics.fmean(values), 1),
        }

    return {
        "pdfs": len(rows),
        "megabytes": round(sum(row["bytes"] for row in rows) / 1e6, 1),
        "pages": sum(row["pages"] for row in rows),
        "largest_mb": round(max(row["bytes"] for row in rows) / 1e6, 1),
        "whole_ms": stats("whole_ms"),
        "checks_ms": stats("checks_ms"),
        "unreadable": sum(row["error"] is not None for row in rows),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--dir", type=Path, action="append", default=[])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # pypdf's warnings on damaged real files
    made = generated(args.count)
    measure("warm-up", council_pdf())  # pypdf's first read imports what it needs
    real = [(str(p), p.read_bytes()) for d in args.dir for p in sorted(d.rglob("*.pdf"))]
    results = {"generated": summary([measure(n, b) for n, b in made])}
    if real:
        rows = [measure(n, b) for n, b in real]
        results["real"] = summary(rows)
        results["real_files"] = rows
    print(json.dumps(results, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
