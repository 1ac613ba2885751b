"""findings.csv: a row per finding and page, for spreadsheets and ticket imports.

A problem shared by several pages (its `pages`) gets one row for each of them, so a
spreadsheet filtered to one page shows everything wrong on it; `pages_affected` says
how many pages share the row's problem, and `fingerprint` ties the rows of one
problem together. Rows come most urgent first, like findings.json.

The file is UTF-8 with a byte-order mark (so Excel reads it as UTF-8), comma-separated,
quoted where needed, with Windows line endings as RFC 4180 says. Crawled text that a
spreadsheet would take for a formula (starting `=`, `+`, `-`, `@`, a tab or a carriage
return) is prefixed with an apostrophe, so opening the file never runs anything.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from reports.files import atomic_open

COLUMNS: tuple[str, ...] = (
    "priority",
    "score",
    "severity",
    "category",
    "rule",
    "rule_title",
    "status",
    "page",
    "url",
    "target",
    "message",
    "selector",
    "pages_affected",
    "fingerprint",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str | int | float:
    """A value as a spreadsheet cell that cannot be taken for a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def rows(
    findings: Iterable[Mapping[str, Any]], titles: Mapping[str, str]
) -> Iterable[list[str | int | float]]:
    """The data rows: one per finding and page it is on."""
    for f in findings:
        pages = list(dict.fromkeys(f["pages"])) or [f["url"]]
        for page in pages:
            yield [
                cell(v)
                for v in (
                    f"P{f['priority']}",
                    f["score"],
                    f["severity"],
                    f["category"],
                    f["rule"],
                    titles.get(f["rule"], f["rule"]),
                    f["status"],
                    page,
                    f["url"],
                    f["target"],
                    f["message"],
                    f["selector"],
                    len(pages),
                    f["fingerprint"],
                )
            ]


def write_csv(data: Mapping[str, Any], titles: Mapping[str, str], path: Path) -> Path:
    """Write findings.csv for a findings.json document, atomically."""
    with atomic_open(path, encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows(data["findings"], titles))
    return Path(path)
