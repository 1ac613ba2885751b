"""findings.json: the machine-readable findings contract (see schema/findings.schema.json).

The file is written atomically (a temporary file in the same directory, then
`os.replace`, see `reports.files`), so a reader never sees half of it.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from audits import __version__
from audits.core.coverage import stage_outcomes
from audits.core.runnotes import network_notes, run_notes
from audits.stages.prioritise import Comparison, compare
from reports.findings_files import LISTS, FindingsFile, write_findings_files
from rules.base import Category, Severity

if TYPE_CHECKING:
    from audits.store import Store
    from audits.store.findings import StoredFinding

SCHEMA_VERSION = 1
SCHEMA_PATH = Path(__file__).parent / "schema" / "findings.schema.json"
STATUSES = ("new", "persisting")
PRIORITIES = (1, 2, 3, 4)


@cache
def load_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of findings.json."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def validate_findings(data: dict[str, Any]) -> None:
    """Raise `jsonschema.ValidationError` unless `data` follows the contract."""
    import jsonschema

    jsonschema.Draft202012Validator(
        load_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(data)


def contract_finding(stored: StoredFinding) -> dict[str, Any]:
    """A stored, prioritised finding as the contract shapes it."""
    finding = stored.finding
    if stored.priority is None or stored.score is None or stored.status is None:
        raise ValueError(
            f"finding {stored.id} ({finding.rule}) has not been prioritised; "
            "run audits.stages.prioritise.prioritise first"
        )
    return {
        "rule": finding.rule,
        "category": finding.category.value,
        "severity": finding.severity.value,
        "priority": stored.priority,
        "score": stored.score,
        "url": finding.url,
        "pages": list(finding.pages),
        "target": finding.target,
        "message": finding.message,
        "selector": finding.selector,
        "snippet": finding.snippet,
        "evidence": finding.evidence,
        "fingerprint": finding.fingerprint,
        "status": stored.status,
    }


@dataclass(frozen=True)
class StoredFindings:
    """A run's findings (or, with `inventory`, its inventory rows) in the contract's shape,
    most urgent first (by priority, then higher score, then the order rules found them),
    read from the store each time they are iterated: the writers take one finding at a
    time, so a report never holds a big run's findings at once."""

    store: Store
    run_id: int
    inventory: bool
    count: int

    def __iter__(self) -> Iterator[dict[str, Any]]:
        each = self.store.each_finding(
            self.run_id, most_urgent_first=True, inventory=self.inventory
        )
        return map(contract_finding, each)

    def __len__(self) -> int:
        return self.count

    def rules(self) -> list[str]:
        """The rules with findings in the list, without reading the findings."""
        return self.store.finding_rules(self.run_id, inventory=self.inventory)


def rules_found(findings: Iterable[Mapping[str, Any]]) -> list[str]:
    """The rules of some findings in a findings.json document's shape (a list, or the
    stored findings a report streams, which the store names without reading them)."""
    if isinstance(findings, StoredFindings):
        return findings.rules()
    return list(dict.fromkeys(f["rule"] for f in findings))


def findings_document(
    store: Store, run_id: int, comparison: Comparison | None = None
) -> dict[str, Any]:
    """The findings.json document of one (prioritised) run, its `findings` and `inventory`
    read from the store as they are iterated (`StoredFindings`); see `build_findings`.

    `findings` and the summary's counts are the problems; the rows of inventory rules
    (`rules.base.is_inventory`) are listed apart, under `inventory`."""
    run = store.run(run_id)
    tallies = store.finding_tallies(run_id)
    if any(priority is None or status is None for *_, priority, status, _ in tallies):
        raise ValueError(
            f"run {run_id} has findings that have not been prioritised; "
            "run audits.stages.prioritise.prioritise first"
        )
    categories: Counter[str] = Counter()
    severities: Counter[str] = Counter()
    priorities: Counter[int] = Counter()
    statuses: Counter[str] = Counter()
    listed = 0
    for inventory, category, severity, priority, status, count in tallies:
        if inventory:
            listed += count
            continue
        categories[category] += count
        severities[severity] += count
        priorities[priority] += count
        statuses[status] += count
    problems = sum(categories.values())
    errors = [{"rule": r, "url": u, "error": e} for r, u, e in store.rule_errors(run_id)]
    if comparison is None:
        comparison = compare(store, run_id)
    axe = run.stats.get("axe_core") if isinstance(run.stats, dict) else None
    stages = {name: outcome.as_dict() for name, outcome in stage_outcomes(run.stats).items()}
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {
            "name": "siteaudit",
            "version": run.tool_version or __version__,
            "axe_core": axe if isinstance(axe, str) else None,
        },
        "run": {
            "id": run.id,
            "start_url": run.start_url,
            "started": run.started,
            "finished": run.finished,
            "status": run.status,
            "pages": store.count_pages(run_id),
            "compared_with": comparison.previous_run_id,
            "notes": run_notes(run.stats if isinstance(run.stats, dict) else {})
            + network_notes(store.site(run_id)),
            **({"stages": stages} if stages else {}),
        },
        "summary": {
            "findings": problems,
            "by_category": {c.value: categories.get(c.value, 0) for c in Category},
            "by_severity": {s.value: severities.get(s.value, 0) for s in Severity},
            "by_priority": {f"P{p}": priorities.get(p, 0) for p in PRIORITIES},
            "by_status": {s: statuses.get(s, 0) for s in STATUSES},
            "fixed": len(comparison.fixed),
            "rule_errors": len(errors),
            "inventory": listed,
        },
        "findings": StoredFindings(store, run_id, False, problems),
        "inventory": StoredFindings(store, run_id, True, listed),
        "rule_errors": errors,
    }


def build_findings(
    store: Store, run_id: int, comparison: Comparison | None = None
) -> dict[str, Any]:
    """The findings.json document of one (prioritised) run as plain data, every finding
    read into memory (`comparison`: see `compare`); the report writers take
    `findings_document` instead."""
    document = findings_document(store, run_id, comparison)
    return {
        **document,
        "findings": list(document["findings"]),
        "inventory": list(document["inventory"]),
    }


class FindingsJsonWriter:
    """findings.json, indented, one finding (or rule error) a line, written as the findings
    are taken (`reports.findings_files`).

    `json.dumps(data, indent=2)` gives the same document but runs the pure-Python encoder,
    ten seconds for 200,000 findings; encoding each finding alone uses the C one. A piece
    at a time: the whole text of a big run is over a hundred megabytes.

    With `kept` ((path, start, end): the bytes of an earlier findings.json that hold the
    very lists this one would), those bytes are copied instead and no finding is taken.
    Written to a file, `lists_span` tells afterwards where the lists lie in it (a byte
    range), for the next report to copy them (`reports.unchanged`).
    """

    def __init__(
        self,
        handle: IO[str],
        data: Mapping[str, Any],
        kept: tuple[Path, int, int] | None = None,
    ) -> None:
        self._handle = handle
        self._write = handle.write
        self._data = data
        lists = (*LISTS, "rule_errors")
        head = json.dumps(
            {k: v for k, v in data.items() if k not in lists}, indent=2, ensure_ascii=False
        )
        self._write(head[: -len("\n}")])
        self._open = [key for key in lists if key in data]
        """The lists not yet ended, in the document's order."""
        self._items = 0
        """Items written in the first of them."""
        self._start = self._tell()
        self.lists_span: tuple[int, int] | None = None
        self.lists = LISTS
        if kept is not None:
            self.lists = ()
            self._copy(*kept)
            self._open = [key for key in self._open if key not in LISTS]
            self._ended_lists()

    def _tell(self) -> int | None:
        """Bytes written so far, for a file (a text file's position is its bytes' count
        when, as here, the encoding keeps no state)."""
        if not isinstance(self._handle, io.TextIOWrapper):
            return None
        return self._handle.tell()

    def _copy(self, path: Path, start: int, end: int) -> None:
        """Copy the bytes start..end of `path` (OSError when there are fewer)."""
        self._handle.flush()
        target = self._handle.buffer  # type: ignore[attr-defined]
        left = end - start
        with open(path, "rb") as source:
            source.seek(start)
            while left:
                chunk = source.read(min(left, 1 << 20))
                if not chunk:
                    raise OSError(f"{path} ended before byte {end}")
                target.write(chunk)
                left -= len(chunk)

    def _ended_lists(self) -> None:
        """Note where the lists end, once the last of them has."""
        if self.lists_span is None and not any(key in LISTS for key in self._open):
            end = self._tell()
            if self._start is not None and end is not None:
                self.lists_span = (self._start, end)

    def take(self, listed: str, item: Mapping[str, Any]) -> None:
        """One finding of `listed` ("findings" or "inventory")."""
        while self._open[0] != listed:
            self._end_list()
        if self._items == 0:
            self._write(f',\n  "{listed}": [\n    ')
        else:
            self._write(",\n    ")
        self._write(json.dumps(item, ensure_ascii=False))
        self._items += 1

    def _end_list(self) -> None:
        listed = self._open.pop(0)
        self._write(f',\n  "{listed}": []' if self._items == 0 else "\n  ]")
        self._items = 0
        self._ended_lists()

    def finish(self) -> None:
        """The rule errors, and the end of the document."""
        for error in self._data.get("rule_errors", ()):
            self.take("rule_errors", error)
        while self._open:
            self._end_list()
        self._write("\n}\n")


def findings_json_file(
    data: Mapping[str, Any],
    path: Path,
    kept: tuple[Path, int, int] | None = None,
    made: list[FindingsJsonWriter] | None = None,
) -> FindingsFile:
    """findings.json of a document, for `write_findings_files` (`kept`: see
    `FindingsJsonWriter`); its writer is added to `made`."""

    def writer(handle: IO[str]) -> FindingsJsonWriter:
        made_now = FindingsJsonWriter(handle, data, kept)
        if made is not None:
            made.append(made_now)
        return made_now

    return FindingsFile(Path(path), writer)


def write_findings_json(data: Mapping[str, Any], path: Path) -> Path:
    """Write a findings.json document atomically, a finding at a time."""
    write_findings_files(data, [findings_json_file(data, path)])
    return Path(path)
