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
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from reports.files import atomic_open

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


def listing(findings: Sequence[Mapping[str, Any]]) -> str:
    """The lines of a failure's text, capped at MAX_LISTED."""
    lines = [problem_line(f) for f in findings[:MAX_LISTED]]
    if len(findings) > MAX_LISTED:
        lines.append(f"... and {len(findings) - MAX_LISTED} more, listed in findings.json")
    return "\n".join(lines)


def pages_of(findings: Iterable[Mapping[str, Any]]) -> int:
    """Distinct pages the findings are on."""
    return len({p for f in findings for p in (f["url"], *f["pages"])})


def build_junit(data: Mapping[str, Any], rules: Sequence[Mapping[str, Any]]) -> ET.Element:
    """The <testsuites> element of a findings.json document."""
    by_rule: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for f in data["findings"]:
        by_rule[f["rule"]].append(f)
    listed: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for f in data.get("inventory", ()):
        listed[f["rule"]].append(f)  # an inventory's rows are its output, never failures
    errors: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for e in data["rule_errors"]:
        errors[e["rule"]].append(e)
    categories = {doc["id"]: doc["category"] for doc in rules}
    titles = {doc["id"]: doc["title"] for doc in rules}
    for rule_id, found in (*by_rule.items(), *listed.items()):
        categories.setdefault(rule_id, found[0]["category"])
    rule_ids = [doc["id"] for doc in rules] + sorted((set(by_rule) | set(listed)) - set(titles))
    run = data["run"]

    suite = ET.Element(
        "testsuite",
        name=xml_text(f"siteaudit {run['start_url']}"),
        timestamp=xml_text(run["started"]),
        hostname=xml_text(run["start_url"]),
    )
    failures = 0
    for rule_id in rule_ids:
        found = by_rule.get(rule_id, [])
        case = ET.SubElement(
            suite,
            "testcase",
            classname=xml_text(f"siteaudit.{categories.get(rule_id, 'other')}"),
            name=xml_text(rule_id),
            time="0",
        )
        failing = [f for f in found if f["severity"] != "info"]
        if failing:
            failures += 1
            failure = ET.SubElement(
                case,
                "failure",
                message=xml_text(
                    f"{titles.get(rule_id, rule_id)}: {len(failing)} problems "
                    f"on {pages_of(failing)} pages"
                ),
                type=xml_text(failing[0]["severity"]),
            )
            failure.text = xml_text(listing(failing))
        informational = [f for f in found if f["severity"] == "info"] + listed.get(rule_id, [])
        if informational:
            ET.SubElement(case, "system-out").text = xml_text(listing(informational))
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


def write_junit(data: Mapping[str, Any], rules: Sequence[Mapping[str, Any]], path: Path) -> Path:
    """Write junit.xml atomically."""
    tree = ET.ElementTree(build_junit(data, rules))
    ET.indent(tree)
    with atomic_open(path) as handle:
        tree.write(handle, encoding="unicode", xml_declaration=True)
        handle.write("\n")
    return Path(path)
