"""findings.sarif: the run as SARIF 2.1.0, for code-scanning dashboards and CI annotations.

- `tool.driver.rules`: every check, from the rules' metadata (title, what it checks, why
  it matters and how to fix, the first web reference as `helpUri`, the category as a tag);
- one `result` per finding: `ruleId`, a level from the severity (critical and high are
  `error`, medium `warning`, low `note`; `info` is an informational result with level
  `none`), the message, the page URL as the artifact location, the CSS selector as a
  logical location, the other pages of a shared problem as related locations;
- `partialFingerprints["siteaudit/v1"]` is the finding's fingerprint, so a dashboard
  tracks a problem across runs; `baselineState` is `new` or `unchanged` when the run was
  compared with an earlier one;
- priority, score, status, target and evidence go in each result's `properties`;
- rules that failed on a page are tool execution notifications of the invocation.

Validated in the tests against the OASIS SARIF 2.1.0 JSON Schema (`schema/sarif-2.1.0.json`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import IO, Any

from audits import PROJECT_URL
from reports.findings_files import FindingsFile, write_findings_files
from reports.findings_json import rules_found

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SCHEMA_PATH = Path(__file__).parent / "schema" / "sarif-2.1.0.json"
FINGERPRINT_KEY = "siteaudit/v1"
MAX_RELATED = 1000
"""Other pages of a shared problem listed as related locations; findings.json has all."""

LEVELS: dict[str, str] = {
    "critical": "error",
    "high": "error",
    "medium": "warning",
    "low": "note",
    "info": "none",
}
BASELINE: dict[str, str] = {"new": "new", "persisting": "unchanged"}


@cache
def load_schema() -> dict[str, Any]:
    """The SARIF 2.1.0 JSON Schema (draft 4) as published by OASIS."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def utc(value: str | None) -> str | None:
    """'2025-03-01T02:00:07+00:00' -> '2025-03-01T02:00:07Z' (SARIF prefers the Z form)."""
    if value and value.endswith("+00:00"):
        return value[: -len("+00:00")] + "Z"
    return value


def pascal(rule_id: str) -> str:
    """'broken-link' -> 'BrokenLink': SARIF's `name` is an identifier-like string."""
    return "".join(part[:1].upper() + part[1:] for part in rule_id.replace("_", "-").split("-"))


def rule_descriptor(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A reportingDescriptor from a rule's documentation (`reports.rule_docs.rule_docs`)."""
    why = " ".join(doc["why"].split())
    fix = " ".join(doc["how_to_fix"].split())
    help_text = "\n\n".join(
        part
        for part in (f"Why it matters: {why}" if why else "", f"How to fix: {fix}" if fix else "")
        if part
    )
    descriptor: dict[str, Any] = {
        "id": doc["id"],
        "name": pascal(doc["id"]),
        "shortDescription": {"text": doc["title"]},
        "fullDescription": {"text": " ".join(doc["summary"].split()) or doc["title"]},
        "defaultConfiguration": {"level": LEVELS.get(doc["severity"], "warning")},
        "properties": {"category": doc["category"], "tags": [doc["category"]]},
    }
    # The WCAG criteria and the axe-core rules of the same problem, as axe-core tags them.
    for key in ("wcag", "axe_rules"):
        if doc.get(key):
            descriptor["properties"][key] = doc[key]
    if help_text:
        descriptor["help"] = {"text": help_text}
    web = [r for r in doc["references"] if r.startswith(("https://", "http://"))]
    if web:
        descriptor["helpUri"] = web[0]
    return descriptor


def location(url: str, selector: str | None = None) -> dict[str, Any]:
    """A location: the page as the artifact, the element's selector as a logical location."""
    loc: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": url}}}
    if selector:
        loc["logicalLocations"] = [{"fullyQualifiedName": selector, "kind": "element"}]
    return loc


def result(finding: Mapping[str, Any], rule_index: int | None, compared: bool) -> dict[str, Any]:
    """One finding as a SARIF result."""
    out: dict[str, Any] = {
        "ruleId": finding["rule"],
        "level": LEVELS.get(finding["severity"], "warning"),
        "message": {"text": finding["message"]},
        "locations": [location(finding["url"], finding["selector"])],
        "partialFingerprints": {FINGERPRINT_KEY: finding["fingerprint"]},
        "properties": {
            "priority": finding["priority"],
            "score": finding["score"],
            "severity": finding["severity"],
            "category": finding["category"],
            "status": finding["status"],
            "target": finding["target"],
            "pagesAffected": max(1, len(finding["pages"])),
            "evidence": finding["evidence"],
        },
    }
    if rule_index is not None:
        out["ruleIndex"] = rule_index
    if finding["severity"] == "info":
        out["kind"] = "informational"
    if compared:
        out["baselineState"] = BASELINE.get(finding["status"], "new")
    others = [p for p in dict.fromkeys(finding["pages"]) if p != finding["url"]]
    if others:
        out["relatedLocations"] = [
            {
                **location(page),
                "id": number,
                "message": {"text": "The same problem is on this page."},
            }
            for number, page in enumerate(others[:MAX_RELATED], start=1)
        ]
    return out


def sarif_frame(
    data: Mapping[str, Any], rules: Sequence[Mapping[str, Any]]
) -> tuple[dict[str, Any], dict[str, int]]:
    """The SARIF log of a findings.json document with an empty results list (`sarif_parts`
    streams them), and each rule's index in it; `rules` documents the checks."""
    documented = {doc["id"]: doc for doc in rules}
    used = sorted(set(rules_found(data["findings"])) - set(documented))
    descriptors = [rule_descriptor(doc) for doc in rules] + [
        {"id": rule_id, "shortDescription": {"text": rule_id}} for rule_id in used
    ]
    index = {d["id"]: n for n, d in enumerate(descriptors)}
    run = data["run"]
    invocation: dict[str, Any] = {
        "executionSuccessful": run["status"] == "finished",
        "startTimeUtc": utc(run["started"]),
    }
    if run["finished"]:
        invocation["endTimeUtc"] = utc(run["finished"])
    if data["rule_errors"]:
        invocation["toolExecutionNotifications"] = [
            {
                "level": "error",
                "message": {"text": e["error"]},
                "associatedRule": {
                    "id": e["rule"],
                    **({"index": index[e["rule"]]} if e["rule"] in index else {}),
                },
                "locations": [location(e["url"])],
            }
            for e in data["rule_errors"]
        ]
    log = {
        "$schema": SARIF_SCHEMA_URI,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "siteaudit",
                        "version": data["tool"]["version"],
                        "informationUri": PROJECT_URL,
                        "rules": descriptors,
                    }
                },
                "automationDetails": {"id": f"siteaudit/{run['start_url']}/{run['id']}"},
                "invocations": [invocation],
                "results": [],
                "properties": {
                    "startUrl": run["start_url"],
                    "runId": run["id"],
                    "pages": run["pages"],
                    "comparedWith": run["compared_with"],
                    "fixed": data["summary"]["fixed"],
                },
            }
        ],
    }
    return log, index


def _compact(value: Any) -> str:
    # Compact: a big site's log runs to hundreds of megabytes indented.
    # dumps, not dump: only dumps uses the C encoder.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# Where the results go in the compact text of a log without them. It cannot occur inside
# a JSON string, whose quotes are escaped.
_NO_RESULTS = '"results":[]'


class SarifWriter:
    """findings.sarif, compact, a result at a time as the findings are taken
    (`reports.findings_files`): the log of 200,000 findings as one structure and one
    string took over a gigabyte."""

    lists = ("findings",)

    def __init__(
        self, handle: IO[str], data: Mapping[str, Any], rules: Sequence[Mapping[str, Any]]
    ) -> None:
        log, self._index = sarif_frame(data, rules)
        self._compared = data["run"]["compared_with"] is not None
        head, _, self._tail = _compact(log).partition(_NO_RESULTS)
        self._write = handle.write
        self._write(head + '"results":[')
        self._results = 0

    def take(self, listed: str, item: Mapping[str, Any]) -> None:
        """One finding's result."""
        text = _compact(result(item, self._index.get(item["rule"]), self._compared))
        self._write(text if self._results == 0 else "," + text)
        self._results += 1

    def finish(self) -> None:
        """The rest of the log, after the results."""
        self._write("]" + self._tail + "\n")


def sarif_file(
    data: Mapping[str, Any], rules: Sequence[Mapping[str, Any]], path: Path
) -> FindingsFile:
    """findings.sarif of a document, for `write_findings_files`."""
    return FindingsFile(Path(path), lambda handle: SarifWriter(handle, data, rules))


def write_sarif(data: Mapping[str, Any], rules: Sequence[Mapping[str, Any]], path: Path) -> Path:
    """Write findings.sarif atomically, a result at a time."""
    write_findings_files(data, [sarif_file(data, rules, path)])
    return Path(path)
