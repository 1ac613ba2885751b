"""Reports of an audit run: findings.json (the contract) and index.html (for editors).

`write_reports` is the one entry point the CLI needs. Findings are prioritised first
if they have not been yet (see `reports.prioritise`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from reports.findings_json import build_findings, write_findings_json
from reports.html import write_html
from reports.prioritise import prioritise as _prioritise

if TYPE_CHECKING:
    from audits.store import Store
    from rules.base import Rule

FINDINGS_JSON = "findings.json"
INDEX_HTML = "index.html"

__all__ = ["FINDINGS_JSON", "INDEX_HTML", "ensure_prioritised", "write_reports"]


def ensure_prioritised(store: Store, run_id: int) -> bool:
    """Prioritise the run's findings unless every one already has a priority and status.

    Returns whether it had to.
    """
    if all(
        f.priority is not None and f.score is not None and f.status is not None
        for f in store.findings(run_id)
    ):
        return False
    _prioritise(store, run_id)
    return True


def write_reports(
    store: Store,
    run_id: int,
    out_dir: str | Path,
    rule_classes: Iterable[type[Rule]] | Mapping[str, type[Rule]],
) -> dict[str, Path]:
    """Write findings.json and index.html for a run into `out_dir` (created if needed).

    `rule_classes` documents the checks in the page (for example
    `audits.ruleset.available_rules()`, a dict by id, or any iterable of rule classes).
    Each file is replaced atomically. Returns {"json": path, "html": path}.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    ensure_prioritised(store, run_id)
    data = build_findings(store, run_id)
    previous = data["run"]["compared_with"]
    previous_started = store.run(previous).started if previous is not None else None
    json_path = write_findings_json(data, out / FINDINGS_JSON)
    html_path = write_html(data, rule_classes, out / INDEX_HTML, previous_started=previous_started)
    return {"json": json_path, "html": html_path}
