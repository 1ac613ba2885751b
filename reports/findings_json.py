"""findings.json: the machine-readable findings contract (see schema/findings.schema.json).

The file is written atomically (a temporary file in the same directory, then
`os.replace`), so a reader never sees half of it.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections import Counter
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audits import __version__
from reports.prioritise import compare
from rules.base import Category, Severity

if TYPE_CHECKING:
    from audits.store import Store, StoredFinding

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


def sort_key(finding: StoredFinding) -> tuple[int, float, int]:
    """Most urgent first: priority, then higher score, then the order rules found them."""
    return (finding.priority or 99, -(finding.score or 0.0), finding.id)


def finding_dict(finding: StoredFinding) -> dict[str, Any]:
    """One stored, prioritised finding as the contract shapes it."""
    if finding.priority is None or finding.score is None or finding.status is None:
        raise ValueError(
            f"finding {finding.id} ({finding.rule}) has not been prioritised; "
            "run reports.prioritise.prioritise first"
        )
    return {
        "rule": finding.rule,
        "category": finding.category,
        "severity": finding.severity,
        "priority": finding.priority,
        "score": finding.score,
        "url": finding.url,
        "pages": list(finding.pages),
        "target": finding.target,
        "message": finding.message,
        "selector": finding.selector,
        "snippet": finding.snippet,
        "evidence": dict(finding.evidence),
        "fingerprint": finding.fingerprint,
        "status": finding.status,
    }


def build_findings(store: Store, run_id: int) -> dict[str, Any]:
    """The findings.json document of one (prioritised) run."""
    run = store.run(run_id)
    stored = sorted(store.findings(run_id), key=sort_key)
    findings = [finding_dict(f) for f in stored]
    errors = [{"rule": r, "url": u, "error": e} for r, u, e in store.rule_errors(run_id)]
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


def write_atomic(path: Path, text: str) -> Path:
    """Write UTF-8 text to `path` via a temporary file in the same directory."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path


def write_findings_json(data: dict[str, Any], path: Path) -> Path:
    """Write a findings.json document atomically."""
    return write_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
