"""Runs: when each audit started and finished, with its settings and statistics."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from audits.store.base import StoreBase, StoreError, now


@dataclass(frozen=True, slots=True)
class RunInfo:
    """One audit run as the store remembers it."""

    id: int
    start_url: str
    started: str
    finished: str | None
    status: str
    tool_version: str
    config: Mapping[str, Any]
    stats: Mapping[str, Any]


class RunsStore(StoreBase):
    """Reading and writing runs."""

    def begin_run(
        self,
        start_url: str,
        tool_version: str,
        config: Mapping[str, Any],
        started: str | None = None,
    ) -> int:
        """Record the start of a run (now, unless `started` says when) and return its id."""
        cur = self.db.execute(
            "INSERT INTO runs(start_url, started, tool_version, config) VALUES (?, ?, ?, ?)",
            (start_url, started or now(), tool_version, json.dumps(config, default=str)),
        )
        return int(cur.lastrowid or 0)

    def save_stats(self, run_id: int, stats: Mapping[str, Any]) -> None:
        """Record a run's crawl statistics (before the site rules, which may read them)."""
        self.db.execute(
            "UPDATE runs SET stats = ? WHERE id = ?", (json.dumps(stats, default=str), run_id)
        )

    def finish_run(
        self, run_id: int, status: str, stats: Mapping[str, Any], finished: str | None = None
    ) -> None:
        """Mark a run finished (or interrupted/failed) now, unless `finished` says when,
        adding to its statistics."""
        row = self.db.execute("SELECT stats FROM runs WHERE id = ?", (run_id,)).fetchone()
        merged = {**(json.loads(row[0]) if row else {}), **stats}
        self.db.execute(
            "UPDATE runs SET finished = ?, status = ?, stats = ? WHERE id = ?",
            (finished or now(), status, json.dumps(merged, default=str), run_id),
        )

    def runs(self) -> list[RunInfo]:
        """Every run, oldest first."""
        rows = self.db.execute(
            "SELECT id, start_url, started, finished, status, tool_version, config, stats "
            "FROM runs ORDER BY id"
        ).fetchall()
        return [
            RunInfo(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), json.loads(r[7]))
            for r in rows
        ]

    def run(self, run_id: int | None = None) -> RunInfo:
        """One run by id, or the latest one."""
        runs = self.runs()
        if not runs:
            raise StoreError(f"{self.path} holds no audit runs")
        if run_id is None:
            return runs[-1]
        for info in runs:
            if info.id == run_id:
                return info
        raise StoreError(f"{self.path} has no run {run_id}")

    def incremental_base(self, start_url: str, tool_version: str, rules: Any) -> int | None:
        """The last finished run of this site by this siteaudit with the same rule settings,
        whose unchanged pages' results a new run may reuse."""
        row = self.db.execute(
            "SELECT id, tool_version, config FROM runs WHERE start_url = ? AND status = 'finished' "
            "ORDER BY id DESC LIMIT 1",
            (start_url,),
        ).fetchone()
        if row is None or row[1] != tool_version:
            return None
        recorded = json.loads(row[2]).get("rules", {})
        return row[0] if recorded == json.loads(json.dumps(rules, default=str)) else None

    def latest_run_status(self, start_url: str) -> tuple[int, str] | None:
        """(id, status) of the latest run of a site, None before its first."""
        row = self.db.execute(
            "SELECT id, status FROM runs WHERE start_url = ? ORDER BY id DESC LIMIT 1",
            (start_url,),
        ).fetchone()
        return (row[0], row[1]) if row else None

    def reopen_run(self, run_id: int) -> None:
        """Mark a run as running again (it is being resumed)."""
        self.db.execute(
            "UPDATE runs SET status = 'running', finished = NULL WHERE id = ?", (run_id,)
        )

    def set_stat(self, run_id: int, key: str, value: Mapping[str, Any]) -> None:
        """Set one key of a run's stats to a JSON object, leaving the others as they are."""
        self.db.execute(
            "UPDATE runs SET stats = json_set(CASE WHEN json_valid(stats) THEN stats ELSE '{}' END,"
            " ?, json(?)) WHERE id = ?",
            (f"$.{key}", json.dumps(value), run_id),
        )
