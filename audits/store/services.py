"""What the service scorecard (reports/services.py) reads of one run: a few rules' findings,
the findings and recorded facts of the pages a service is made of."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from typing import Any

from audits.store.base import StoreBase

_FINDING_COLUMNS = (
    "rule, category, severity, url, target, message, evidence, fingerprint, priority, score"
)
ServiceFindingRow = tuple[str, str, str, str, str | None, str, str, str, int | None, float | None]
"""(rule, category, severity, url, target, message, evidence as JSON, fingerprint,
priority, score)."""


class ServicesStore(StoreBase):
    """Reading what the service scorecard is built from."""

    def findings_of_rules(self, run_id: int, rules: Collection[str]) -> list[ServiceFindingRow]:
        """Every finding of some rules in a run (inventory rows included), in stored order."""
        return self.db.execute(
            f"SELECT {_FINDING_COLUMNS} FROM findings WHERE run_id = ? "
            "AND rule IN (SELECT value FROM json_each(?)) ORDER BY id",
            (run_id, json.dumps(sorted(rules))),
        ).fetchall()

    def findings_at(
        self, run_id: int, urls: Iterable[str]
    ) -> list[tuple[ServiceFindingRow, tuple[str, ...]]]:
        """The findings (problems, not inventory rows) on some pages of a run, reported
        there or shared with them (a template problem's `pages`), most urgent first, each
        with the pages it is on."""
        wanted = json.dumps(sorted(set(urls)))
        rows = self.db.execute(
            f"SELECT {_FINDING_COLUMNS}, pages FROM findings WHERE run_id = ?1 "
            "AND rule NOT LIKE '%-inventory' AND (url IN (SELECT value FROM json_each(?2)) "
            "OR (pages != '[]' AND EXISTS (SELECT 1 FROM json_each(pages) "
            "WHERE value IN (SELECT value FROM json_each(?2))))) "
            "ORDER BY COALESCE(priority, 99), COALESCE(score, 0) DESC, id",
            (run_id, wanted),
        )
        return [(row[:-1], (row[3], *json.loads(row[-1]))) for row in rows]

    def facts_at(self, run_id: int, rule_id: str, urls: Iterable[str]) -> dict[str, Any]:
        """What one rule recorded (`page_facts`) about some pages of a run, by URL."""
        path = f'$."{rule_id}"'
        rows = self.db.execute(
            "SELECT u.url, json_extract(p.facts, ?) FROM pages p JOIN urls u ON u.id = p.url_id "
            "WHERE p.run_id = ? AND u.url IN (SELECT value FROM json_each(?)) "
            "AND json_type(p.facts, ?) IS NOT NULL",
            (path, run_id, json.dumps(sorted(set(urls))), path),
        )
        return {
            url: json.loads(value) if isinstance(value, str) and value[:1] in '[{"' else value
            for url, value in rows
        }
