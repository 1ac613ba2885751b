"""findings.json: the machine-readable findings contract (see schema/findings.schema.json).

The file is written atomically (a temporary file in the same directory, then
`os.replace`, see `reports.files`), so a reader never sees half of it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audits import __version__
from audits.prioritise import Comparison, compare
from audits.runnotes import run_notes
from reports.files import atomic_open
from rules.base import Category, Severity

if TYPE_CHECKING:
    from audits.store import Store

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


def read_findings(store: Store, run_id: int) -> list[dict[str, Any]]:
    """A run's prioritised findings as the contract shapes them, most urgent first.

    Sorted by priority, then higher score, then the order rules found them; one query and
    no intermediate objects, since a big run has hundreds of thousands of findings. The
    strings that repeat from finding to finding (rule, category, severity, status and the
    addresses) are kept once each: SQLite hands out a new copy per row, which for 200,000
    findings is a hundred megabytes of duplicates.
    """
    rows = store.prioritised_rows(run_id)
    shared: dict[str, str] = {}
    same = shared.setdefault
    findings = []
    for row in rows:
        if row[3] is None or row[4] is None or row[13] is None:
            raise ValueError(
                f"finding {row[14]} ({row[0]}) has not been prioritised; "
                "run audits.prioritise.prioritise first"
            )
        target = row[7]
        findings.append(
            {
                "rule": same(row[0], row[0]),
                "category": same(row[1], row[1]),
                "severity": same(row[2], row[2]),
                "priority": row[3],
                "score": row[4],
                "url": same(row[5], row[5]),
                "pages": [same(u, u) for u in json.loads(row[6])] if row[6] != "[]" else [],
                "target": target if target is None else same(target, target),
                "message": row[8],
                "selector": row[9],
                "snippet": row[10],
                "evidence": json.loads(row[11]) if row[11] != "{}" else {},
                "fingerprint": row[12],
                "status": same(row[13], row[13]),
            }
        )
    return findings


def build_findings(
    store: Store, run_id: int, comparison: Comparison | None = None
) -> dict[str, Any]:
    """The findings.json document of one (prioritised) run (`comparison`: see `compare`)."""
    run = store.run(run_id)
    findings = read_findings(store, run_id)
    errors = [{"rule": r, "url": u, "error": e} for r, u, e in store.rule_errors(run_id)]
    if comparison is None:
        comparison = compare(store, run_id)
    categories = Counter(f["category"] for f in findings)
    severities = Counter(f["severity"] for f in findings)
    priorities = Counter(f["priority"] for f in findings)
    statuses = Counter(f["status"] for f in findings)
    axe = run.stats.get("axe_core") if isinstance(run.stats, dict) else None
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
            "notes": run_notes(run.stats if isinstance(run.stats, dict) else {}),
        },
        "summary": {
            "findings": len(findings),
            "by_category": {c.value: categories.get(c.value, 0) for c in Category},
            "by_severity": {s.value: severities.get(s.value, 0) for s in Severity},
            "by_priority": {f"P{p}": priorities.get(p, 0) for p in PRIORITIES},
            "by_status": {s: statuses.get(s, 0) for s in STATUSES},
            "fixed": len(comparison.fixed),
            "rule_errors": len(errors),
        },
        "findings": findings,
        "rule_errors": errors,
    }


def findings_json_parts(data: dict[str, Any]) -> Iterator[str]:
    """The text of findings.json in pieces: indented, one finding (or rule error) a line.

    `json.dumps(data, indent=2)` gives the same document but runs the pure-Python encoder,
    ten seconds for 200,000 findings; encoding each finding alone uses the C one. Pieces,
    not one string: the whole text of a big run is over a hundred megabytes, held twice
    while it is joined.
    """
    lists = ("findings", "rule_errors")
    head = json.dumps(
        {k: v for k, v in data.items() if k not in lists}, indent=2, ensure_ascii=False
    )
    yield head[: -len("\n}")]
    for key in lists:
        if key not in data:
            continue
        if not data[key]:
            yield f',\n  "{key}": []'
            continue
        yield f',\n  "{key}": [\n'
        for number, item in enumerate(data[key]):
            yield ("    " if number == 0 else ",\n    ") + json.dumps(item, ensure_ascii=False)
        yield "\n  ]"
    yield "\n}\n"


def write_findings_json(data: dict[str, Any], path: Path) -> Path:
    """Write a findings.json document atomically, a finding at a time."""
    with atomic_open(path) as handle:
        for part in findings_json_parts(data):
            handle.write(part)
    return Path(path)
