"""junit.xml: the run as JUnit XML, so any CI server shows which checks failed where.

One `<testsuite>` for the run, one `<testcase>` per check (classname
`siteaudit.<category>`, name the rule's id). A check with findings at severity low or
above fails: its `<failure>` says how many problems on how many pages, and its text lists
them most urgent first, one line each (priority, page, message), up to
`MAX_LISTED` lines. Checks that found only `info` findings pass and list them in
`<system-out>`; checks with no findings pass. A check that raised an exception on some
pages has those errors in `<system-err>`.

Crawled text can hold characters XML 1.0 forbids (control characters); they are
dropped, so every JUnit parser reads the file.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from reports.findings_files import LISTS, FindingsFile, write_findings_files

MAX_LISTED = 1000
"""Problems listed in one failure's text; findings.json has all of them."""
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: object) -> str:
    """Text with the characters XML 1.0 cannot hold removed."""
    return _NOT_XML.sub("", "" if value is None else str(value))


def problem_line(f: Mapping[str, Any]) -> str:
    """'P1 https://… — message (and 3 more pages)' for one finding."""
    extra = len([p for p in f["pages"] if p != f["url"]])
    more = f" (and {extra} more pages)" if extra else ""
    return f"P{f['priority']} {f['url']} - {f['message']}{more}"


class Listing:
    """The findings of one check, taken one at a time: how many, on how many pages, and
    the lines of the first MAX_LISTED (a big run's findings are never all held)."""

    def __init__(self) -> None:
        self.count = 0
        self.pages: set[str] = set()
        self.lines: list[str] = []
        self.first_severity = ""

    def add(self, f: Mapping[str, Any]) -> None:
        """Count one finding and list it while there is room."""
        if not self.count:
            self.first_severity = f["severity"]
        self.count += 1
        self.pages.update((f["url"], *f["pages"]))
        if len(self.lines) < MAX_LISTED:
            self.lines.append(problem_line(f))

    def text(self) -> str:
        """The lines of a failure's text, capped at MAX_LISTED."""
        more = self.count - len(self.lines)
        tail = [f"... and {more} more, listed in findings.json"] if more else []
        return "\n".join([*self.lines, *tail])


class JunitWriter:
    """junit.xml: the findings are counted and listed by check as they are taken
    (`reports.findings_files`), and the file is written when they are all in."""

    lists = LISTS

    def __init__(
        self, handle: IO[str], data: Mapping[str, Any], rules: Sequence[Mapping[str, Any]]
    ) -> None:
        self._handle = handle
        self._data = data
        self._rules = rules
        self.failing: dict[str, Listing] = defaultdict(Listing)
        self.informational: dict[str, Listing] = defaultdict(Listing)
        self.categories = {doc["id"]: doc["category"] for doc in rules}

    def take(self, listed: str, item: Mapping[str, Any]) -> None:
        """Count and list one finding under its check."""
        if listed == "findings" and item["severity"] != "info":
            self.failing[item["rule"]].add(item)
        else:  # an inventory's rows are its output, never failures
            self.informational[item["rule"]].add(item)
        self.categories.setdefault(item["rule"], item["category"])

    def finish(self) -> None:
        """Write the file."""
        tree = ET.ElementTree(self.suites())
        ET.indent(tree)
        tree.write(self._handle, encoding="unicode", xml_declaration=True)
        self._handle.write("\n")

    def suites(self) -> ET.Element:
        """The <testsuites> element of the findings taken."""
        data, rules = self._data, self._rules
        failing, informational, categories = self.failing, self.informational, self.categories
        errors: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
        for e in data["rule_errors"]:
            errors[e["rule"]].append(e)
        titles = {doc["id"]: doc["title"] for doc in rules}
        rule_ids = [doc["id"] for doc in rules] + sorted(
            (set(failing) | set(informational)) - set(titles)
        )
        run = data["run"]

        suite = ET.Element(
            "testsuite",
            name=xml_text(f"siteaudit {run['start_url']}"),
            timestamp=xml_text(run["started"]),
            hostname=xml_text(run["start_url"]),
        )
        failures = 0
        for rule_id in rule_ids:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=xml_text(f"siteaudit.{categories.get(rule_id, 'other')}"),
                name=xml_text(rule_id),
                time="0",
            )
            failed = failing.get(rule_id)
            if failed is not None:
                failures += 1
                failure = ET.SubElement(
                    case,
                    "failure",
                    message=xml_text(
                        f"{titles.get(rule_id, rule_id)}: {failed.count} problems "
                        f"on {len(failed.pages)} pages"
                    ),
                    type=xml_text(failed.first_severity),
                )
                failure.text = xml_text(failed.text())
            listed = informational.get(rule_id)
            if listed is not None:
                ET.SubElement(case, "system-out").text = xml_text(listed.text())
            if errors.get(rule_id):
                ET.SubElement(case, "system-err").text = xml_text(
                    "\n".join(f"{e['url']}: {e['error']}" for e in errors[rule_id])
                )
        suite.set("tests", str(len(rule_ids)))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", "0")
        suites = ET.Element(
            "testsuites",
            name="siteaudit",
            tests=str(len(rule_ids)),
            failures=str(failures),
            errors="0",
        )
        suites.append(suite)
        return suites


def junit_file(
    data: Mapping[str, Any], rules: Sequence[Mapping[str, Any]], path: Path
) -> FindingsFile:
    """junit.xml of a document, for `write_findings_files`."""
    return FindingsFile(Path(path), lambda handle: JunitWriter(handle, data, rules))


def write_junit(data: Mapping[str, Any], rules: Sequence[Mapping[str, Any]], path: Path) -> Path:
    """Write junit.xml atomically."""
    write_findings_files(data, [junit_file(data, rules, path)])
    return Path(path)
