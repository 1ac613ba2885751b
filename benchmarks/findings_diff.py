"""Compare two audits' findings.json: counts by rule, then what one has and the other lacks.

A change that should not alter behaviour (a refactor, a speed-up, a bound that ordinary
sites never reach) leaves the two sides identical. Sites served on different ports are
compared by path, and what differs between any two runs (timestamps, ids, screenshots'
file names) is left out.

    .venv/bin/python benchmarks/findings_diff.py BEFORE/findings.json AFTER/findings.json
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

Key = tuple[str, str, str, str, str, str]
_ORIGIN = re.compile(r"https?://[^/\s\"']+")


def _path(url: str | None) -> str:
    if not url:
        return ""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "") if parts.scheme else url


def finding_key(finding: dict[str, Any]) -> Key:
    """What identifies a finding across two runs of the same site."""
    return (
        finding["rule"],
        _path(finding.get("url")),
        _path(finding.get("target")),
        finding.get("selector") or "",
        finding.get("severity") or "",
        _ORIGIN.sub("<origin>", finding.get("message") or ""),
    )


def load(path: Path) -> Counter[Key]:
    """The findings of one findings.json, as a multiset of keys."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return Counter(finding_key(f) for f in data["findings"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--show", type=int, default=20, help="differences listed per side")
    args = parser.parse_args()
    before, after = load(args.before), load(args.after)
    rules = sorted({key[0] for key in before} | {key[0] for key in after})
    print(f"{'rule':32} {'before':>8} {'after':>8}")
    for rule in rules:
        b = sum(n for key, n in before.items() if key[0] == rule)
        a = sum(n for key, n in after.items() if key[0] == rule)
        print(f"{rule:32} {b:8} {a:8}{'' if a == b else '   <-- differs'}")
    only_before, only_after = before - after, after - before
    for label, side in (("only before", only_before), ("only after", only_after)):
        if side:
            print(f"\n{label} ({sum(side.values())}):")
            for key in sorted(side)[: args.show]:
                print("  ", " | ".join(key))
    same = not only_before and not only_after
    print("\nidentical" if same else "\nDIFFERENT")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
