"""Findings and rule errors."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from audits.store.base import StoreBase
from rules.base import INVENTORY_SUFFIX, Category, Finding, Severity


@dataclass(frozen=True, slots=True)
class StoredFinding:
    """A finding as a stored run knows it: the rule's `Finding`, plus what only the run
    knows (its row id, and what the prioritise stage added; None before it ran)."""

    id: int
    finding: Finding
    priority: int | None = None
    score: float | None = None
    status: str | None = None
    """"new" or "persisting" against the previous finished run of the same site."""


_SEVERITIES = {s.value: s for s in Severity}
_CATEGORIES = {c.value: c for c in Category}
_INVENTORY_RULES = "%" + INVENTORY_SUFFIX  # a LIKE pattern: rules.base.is_inventory
_URGENT_FIRST = "COALESCE(priority, 99), COALESCE(score, 0) DESC, id"


class FindingsStore(StoreBase):
    """Reading and writing findings."""

    def add_findings(self, run_id: int, rows: Iterable[Mapping[str, Any]]) -> None:
        """Store findings (dicts with the findings-contract fields, before prioritising)."""
        self.db.executemany(
            "INSERT INTO findings(run_id, rule, category, severity, url, target, message, "
            "selector, snippet, evidence, pages, fingerprint) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    run_id,
                    r["rule"],
                    r["category"],
                    r["severity"],
                    r["url"],
                    r.get("target"),
                    r["message"],
                    r.get("selector"),
                    r.get("snippet"),
                    json.dumps(r.get("evidence") or {}, default=str),
                    json.dumps(list(r.get("pages") or ())),
                    r["fingerprint"],
                )
                for r in rows
            ],
        )

    def add_rule_error(self, run_id: int, rule: str, url: str, error: str) -> None:
        """Record that a rule raised on a page (or on the site) and was skipped there."""
        self.db.execute(
            "INSERT INTO rule_errors(run_id, rule, url, error) VALUES (?, ?, ?, ?)",
            (run_id, rule, url, error),
        )

    def set_priorities(self, rows: Iterable[tuple[int, float, str | None, int]]) -> None:
        """Store (priority, score, status, finding id) for findings."""
        self.db.executemany(
            "UPDATE findings SET priority = ?, score = ?, status = ? WHERE id = ?", list(rows)
        )

    def merge_findings(
        self, kept: Iterable[tuple[int, str, Mapping[str, Any]]], dropped: Iterable[int]
    ) -> None:
        """Give kept findings, by id, a new severity and evidence, and delete the dropped
        ones (what `audits.stages.merge` makes of two findings of one barrier)."""
        self.db.executemany(
            "UPDATE findings SET severity = ?, evidence = ? WHERE id = ?",
            [(sev, json.dumps(evidence, default=str), fid) for fid, sev, evidence in kept],
        )
        self.db.executemany("DELETE FROM findings WHERE id = ?", [(fid,) for fid in dropped])

    def findings(self, run_id: int, *, most_urgent_first: bool = False) -> list[StoredFinding]:
        """A run's findings, highest priority score first, or with `most_urgent_first`
        by priority, then higher score, then the order rules found them."""
        return list(self.each_finding(run_id, most_urgent_first=most_urgent_first))

    def each_finding(
        self,
        run_id: int,
        *,
        most_urgent_first: bool = False,
        inventory: bool | None = None,
        rules: Sequence[str] | None = None,
    ) -> Iterator[StoredFinding]:
        """`findings`, one at a time: a big run has hundreds of thousands. With
        `inventory` True only inventory rules' rows (`rules.base.is_inventory`), with
        False only the problems; with `rules`, only those rules' findings.

        The strings that repeat from finding to finding (rule, status, the addresses) are
        kept once each: SQLite hands out a new copy per row, which for 200,000 findings
        is a hundred megabytes of duplicates.
        """
        which = "" if inventory is None else f"AND rule {'' if inventory else 'NOT '}LIKE ? "
        params: list[Any] = [run_id] if inventory is None else [run_id, _INVENTORY_RULES]
        if rules is not None:
            which += f"AND rule IN ({','.join('?' * len(rules))}) "
            params += rules
        rows = self.db.execute(
            "SELECT id, rule, category, severity, url, target, message, selector, snippet, "
            f"evidence, pages, fingerprint, priority, score, status FROM findings "
            f"WHERE run_id = ? {which}"
            f"ORDER BY {_URGENT_FIRST if most_urgent_first else 'score DESC, id'}",
            params,
        )
        same = {}.setdefault
        for row in rows:
            target, status = row[5], row[14]
            finding = Finding(
                rule=same(row[1], row[1]),
                url=same(row[4], row[4]),
                message=row[6],
                severity=_SEVERITIES[row[3]],
                target=target if target is None else same(target, target),
                selector=row[7],
                snippet=row[8],
                evidence=json.loads(row[9]) if row[9] != "{}" else {},
                pages=tuple(same(u, u) for u in json.loads(row[10])) if row[10] != "[]" else (),
                category=_CATEGORIES[row[2]],
                fingerprint=row[11],
            )
            yield StoredFinding(
                row[0],
                finding,
                row[12],
                row[13],
                status if status is None else same(status, status),
            )

    def finding_outlines(self, run_id: int, *, inventory: bool) -> Iterator[tuple[Any, ...]]:
        """(id, rule, category, severity, priority, score, url, pages, status, evidence's
        screenshot) of a run's problems, or with `inventory` its inventory rows, most
        urgent first: what a report sorts and groups findings by, without their text,
        evidence and fingerprint (`finding_details`). Repeated strings and scores are
        kept once each."""
        rows = self.db.execute(
            "SELECT id, rule, category, severity, priority, score, url, pages, status, "
            "json_extract(evidence, '$.screenshot') FROM findings "
            f"WHERE run_id = ? AND rule {'' if inventory else 'NOT '}LIKE ? "
            f"ORDER BY {_URGENT_FIRST}",
            (run_id, _INVENTORY_RULES),
        )
        same = {}.setdefault
        for row in rows:
            pages = tuple(same(u, u) for u in json.loads(row[7])) if row[7] != "[]" else ()
            yield (
                row[0],
                *(same(value, value) for value in row[1:4]),
                row[4],
                same(row[5], row[5]),
                same(row[6], row[6]),
                pages,
                same(row[8], row[8]),
                row[9],
            )

    def finding_texts(
        self, run_id: int, *, inventory: bool, task_keys: Sequence[str]
    ) -> Iterator[tuple[Any, ...]]:
        """What a report file shows of each of a run's problems (or with `inventory` its
        inventory rows), most urgent first as `finding_outlines` lists them: id, rule,
        category, severity, priority, score, url, pages, status, fingerprint, target,
        message, selector, snippet and evidence as stored (JSON text), then whether the
        evidence has any of `task_keys`, then its WCAG tags (JSON text) when they are a
        list. The HTML report digests them to keep the files that did not change."""
        has_task = " OR ".join(f"json_type(evidence, '$.{key}') IS NOT NULL" for key in task_keys)
        return self.db.execute(
            "SELECT id, rule, category, severity, priority, score, url, pages, status, "
            f"fingerprint, target, message, selector, snippet, evidence, {has_task or '0'}, "
            "CASE json_type(evidence, '$.wcag') WHEN 'array' "
            "THEN json_extract(evidence, '$.wcag') END "
            f"FROM findings WHERE run_id = ? AND rule {'' if inventory else 'NOT '}LIKE ? "
            f"ORDER BY {_URGENT_FIRST}",
            (run_id, _INVENTORY_RULES),
        )

    def finding_details(self, finding_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """The target, message, selector, snippet, evidence and fingerprint of some
        findings, by id."""
        found: dict[int, dict[str, Any]] = {}
        for start in range(0, len(finding_ids), 500):  # SQLite's limit on parameters
            chunk = finding_ids[start : start + 500]
            rows = self.db.execute(
                "SELECT id, target, message, selector, snippet, evidence, fingerprint "
                f"FROM findings WHERE id IN ({','.join('?' * len(chunk))})",
                tuple(chunk),
            )
            for finding_id, target, message, selector, snippet, evidence, fingerprint in rows:
                found[finding_id] = {
                    "target": target,
                    "message": message,
                    "selector": selector,
                    "snippet": snippet,
                    "evidence": json.loads(evidence) if evidence != "{}" else {},
                    "fingerprint": fingerprint,
                }
        return found

    def finding_tallies(self, run_id: int) -> list[tuple[bool, str, str, Any, Any, int]]:
        """(inventory row?, category, severity, priority, status, findings) of a run: what
        a summary counts, without reading a finding."""
        rows = self.db.execute(
            "SELECT rule LIKE ?, category, severity, priority, status, COUNT(*) FROM findings "
            "WHERE run_id = ? GROUP BY 1, category, severity, priority, status",
            (_INVENTORY_RULES, run_id),
        )
        return [(bool(inv), cat, sev, prio, status, n) for inv, cat, sev, prio, status, n in rows]

    def finding_rules(self, run_id: int, *, inventory: bool) -> list[str]:
        """The rules with problems in a run, or with `inventory` its inventory rules."""
        rows = self.db.execute(
            "SELECT DISTINCT rule FROM findings "
            f"WHERE run_id = ? AND rule {'' if inventory else 'NOT '}LIKE ? ORDER BY rule",
            (run_id, _INVENTORY_RULES),
        )
        return [rule for (rule,) in rows]

    def rule_errors(self, run_id: int) -> list[tuple[str, str, str]]:
        """(rule, url, error) of every rule failure in a run."""
        return self.db.execute(
            "SELECT rule, url, error FROM rule_errors WHERE run_id = ? ORDER BY rule, url",
            (run_id,),
        ).fetchall()

    def fixed_fingerprints(self, previous: int, run_id: int) -> list[str]:
        """The fingerprints of the `previous` run's problems that `run_id` no longer
        finds, sorted (for new / fixed / persisting): an inventory row that goes is not
        a problem fixed. SQLite compares the two runs; neither is read into memory."""
        rows = self.db.execute(
            "SELECT fingerprint FROM findings WHERE run_id = ? AND rule NOT LIKE ? "
            "EXCEPT SELECT fingerprint FROM findings WHERE run_id = ? AND rule NOT LIKE ? "
            "ORDER BY 1",
            (previous, _INVENTORY_RULES, run_id, _INVENTORY_RULES),
        )
        return [fingerprint for (fingerprint,) in rows]

    def has_findings(self, run_id: int, rule: str) -> bool:
        """Whether a rule found anything in a run (one index lookup)."""
        row = self.db.execute(
            "SELECT 1 FROM findings WHERE run_id = ? AND rule = ? LIMIT 1", (run_id, rule)
        ).fetchone()
        return row is not None

    def forget_findings(self, run_id: int, rule_ids: Iterable[str]) -> None:
        """Forget some rules' findings and errors in a run (before those rules run again)."""
        ids = list(rule_ids)
        marks = ",".join("?" * len(ids))
        for table in ("findings", "rule_errors"):  # our table names
            self.db.execute(
                f"DELETE FROM {table} WHERE run_id = ? AND rule IN ({marks})", (run_id, *ids)
            )

    def carry_findings(self, run_id: int, previous: int, rule_ids: Sequence[str]) -> None:
        """Copy some rules' findings and errors from the previous run."""
        marks = ",".join("?" * len(rule_ids))
        self.db.execute(
            "INSERT INTO findings(run_id, rule, category, severity, url, target, message, "
            "selector, snippet, evidence, pages, fingerprint) SELECT ?, rule, category, "
            "severity, url, target, message, selector, snippet, evidence, pages, fingerprint "
            f"FROM findings WHERE run_id = ? AND rule IN ({marks})",
            (run_id, previous, *rule_ids),
        )
        self.db.execute(
            "INSERT INTO rule_errors(run_id, rule, url, error) SELECT ?, rule, url, error "
            f"FROM rule_errors WHERE run_id = ? AND rule IN ({marks})",
            (run_id, previous, *rule_ids),
        )

    def scoring_chunks(
        self, run_id: int, previous: int | None, size: int
    ) -> Iterator[list[tuple[int, str, str, str, Any, int, Any]]]:
        """(id, severity, url, pages as JSON, evidence's effort, whether the `previous`
        run had the fingerprint among its problems, evidence's service as JSON) of a
        run's findings, by id, `size` at a time: only what scoring needs, the evidence
        not parsed (200,000 findings' worth is seconds). Each chunk is read when the one
        before it has been used, so the caller may write between chunks.

        The chunks follow the rows' ids (`+run_id` keeps SQLite from the run's indexes,
        which would sort the whole run again for every chunk)."""
        seen = (
            "EXISTS (SELECT 1 FROM findings AS before WHERE before.fingerprint = "
            "findings.fingerprint AND before.run_id = ? AND before.rule NOT LIKE ?)"
            if previous is not None
            else "0"
        )
        after = 0
        while True:
            chunk = self.db.execute(
                f"SELECT id, severity, url, pages, json_extract(evidence, '$.effort'), {seen}, "
                "json_extract(evidence, '$.service') FROM findings "
                "WHERE id > ? AND +run_id = ? ORDER BY id LIMIT ?",
                (
                    *(() if previous is None else (previous, _INVENTORY_RULES)),
                    after,
                    run_id,
                    size,
                ),
            ).fetchall()
            if chunk:
                yield chunk
            if len(chunk) < size:
                return
            after = chunk[-1][0]

    def evidence_values(self, run_id: int, rule: str, key: str) -> list[Any]:
        """One evidence field of a rule's findings in a run (None where it is absent)."""
        rows = self.db.execute(
            "SELECT json_extract(evidence, ?) FROM findings WHERE run_id = ? AND rule = ?",
            (f"$.{key}", run_id, rule),
        )
        return [value for (value,) in rows]

    def finding_summaries(self, run_id: int, fingerprints: Sequence[str]) -> list[tuple[Any, ...]]:
        """(rule, category, severity, priority, score, url, message, fingerprint, id) of
        a run's findings with some fingerprints (the fixed ones), looked up by
        fingerprint: the run's other findings are never read."""
        found: list[tuple[Any, ...]] = []
        for start in range(0, len(fingerprints), 500):  # SQLite's limit on parameters
            chunk = fingerprints[start : start + 500]
            found += self.db.execute(
                "SELECT rule, category, severity, priority, score, url, message, fingerprint, "
                f"id FROM findings WHERE fingerprint IN ({','.join('?' * len(chunk))}) "
                "AND run_id = ?",
                (*chunk, run_id),
            )
        return found

    def category_counts(self, run_ids: Sequence[int]) -> list[tuple[int, str, int]]:
        """(run id, category, findings) of the runs' stored findings, inventory rows
        left out (they are not problems), in one query."""
        if not run_ids:
            return []
        marks = ",".join("?" * len(run_ids))
        return self.db.execute(
            f"SELECT run_id, category, COUNT(*) FROM findings WHERE run_id IN ({marks}) "
            "AND rule NOT LIKE ? GROUP BY run_id, category",
            (*run_ids, _INVENTORY_RULES),
        ).fetchall()

    def severity_counts(self, run_id: int) -> dict[str, int]:
        """Severity -> findings of a run, inventory rows left out."""
        rows = self.db.execute(
            "SELECT severity, COUNT(*) FROM findings WHERE run_id = ? AND rule NOT LIKE ? "
            "GROUP BY severity",
            (run_id, _INVENTORY_RULES),
        )
        return {severity: int(count) for severity, count in rows}

    def findings_of_severity(
        self, run_id: int, severities: Sequence[str]
    ) -> Iterator[tuple[str, str, str, tuple[str, ...]]]:
        """(category, severity, url, pages) of a run's findings of some severities."""
        marks = ",".join("?" * len(severities))
        rows = self.db.execute(
            "SELECT category, severity, url, pages FROM findings "
            f"WHERE run_id = ? AND severity IN ({marks})",
            (run_id, *severities),
        )
        for category, severity, url, shared in rows:
            yield category, severity, url, tuple(json.loads(shared)) if shared != "[]" else ()
