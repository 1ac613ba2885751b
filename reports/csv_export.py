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
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from reports.findings_files import FindingsFile, write_findings_files

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
_PAGE = COLUMNS.index("page")


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


def finding_rows(
    f: Mapping[str, Any], titles: Mapping[str, str]
) -> Iterator[list[str | int | float]]:
    """The rows of one finding: one per page it is on (only the page differs, so the
    other cells are made once: a template problem can be on thousands of pages)."""
    pages = list(dict.fromkeys(f["pages"])) or [f["url"]]
    row = [
        cell(v)
        for v in (
            f"P{f['priority']}",
            f["score"],
            f["severity"],
            f["category"],
            f["rule"],
            titles.get(f["rule"], f["rule"]),
            f["status"],
            None,  # the page
            f["url"],
            f["target"],
            f["message"],
            f["selector"],
            len(pages),
            f["fingerprint"],
        )
    ]
    head, tail = row[:_PAGE], row[_PAGE + 1 :]
    for page in pages:
        yield [*head, cell(page), *tail]


class CsvWriter:
    """findings.csv, written as the findings are taken (`reports.findings_files`)."""

    lists = ("findings",)

    def __init__(self, handle: IO[str], titles: Mapping[str, str]) -> None:
        self._writer = csv.writer(handle, lineterminator="\r\n")
        self._writer.writerow(COLUMNS)
        self._titles = titles

    def take(self, listed: str, item: Mapping[str, Any]) -> None:
        """The rows of one finding."""
        self._writer.writerows(finding_rows(item, self._titles))

    def finish(self) -> None:
        """Nothing follows the rows."""


def csv_file(titles: Mapping[str, str], path: Path) -> FindingsFile:
    """findings.csv, for `write_findings_files` (`titles`: rule id -> title)."""
    return FindingsFile(
        Path(path), lambda handle: CsvWriter(handle, titles), encoding="utf-8-sig", newline=""
    )


def write_csv(data: Mapping[str, Any], titles: Mapping[str, str], path: Path) -> Path:
    """Write findings.csv for a findings.json document, atomically."""
    write_findings_files(data, [csv_file(titles, path)])
    return Path(path)
