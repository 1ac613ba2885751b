"""Links between pages, and the verdicts on external link targets."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from audits.store.base import StoreBase, now


class LinksStore(StoreBase):
    """Reading and writing links and link statuses."""

    def links_from(self, run_id: int, url: str) -> list[tuple[str, str]]:
        """(target, kind) of every link a page had in a run."""
        rows = self.db.execute(
            "SELECT t.url, l.kind FROM links l JOIN urls t ON t.id = l.target_id "
            "WHERE l.run_id = ? AND l.source_id = (SELECT id FROM urls WHERE url = ?)",
            (run_id, url),
        )
        return rows.fetchall()

    def add_links(self, run_id: int, source: str, links: Iterable[Any]) -> None:
        """Store the links of one page (objects with url, fragment, text, kind, region, selector)."""
        self.add_link_rows(
            run_id,
            source,
            [(k.url, k.fragment, k.text, k.kind, k.region, k.selector) for k in links],
        )

    def add_link_rows(
        self, run_id: int, source: str, rows: Iterable[tuple[str, str, str, str, str, str]]
    ) -> None:
        """Store the links of one page, each as (url, fragment, text, kind, region,
        selector): how the crawl's page analyser hands them over (crawler.analyser.LinkFields)."""
        source_id = self.url_id(source)
        known = self._url_ids
        url_id = self.url_id
        self.db.executemany(
            "INSERT INTO links(run_id, source_id, target_id, fragment, text, kind, region, selector)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    run_id,
                    source_id,
                    known.get(url) or url_id(url),
                    fragment,
                    text[:200],
                    kind,
                    region,
                    selector,
                )
                for url, fragment, text, kind, region, selector in rows
            ],
        )

    def add_link_status(
        self,
        run_id: int,
        url: str,
        status: int | None,
        error: str | None,
        final_url: str,
        *,
        checked_at: str | None = None,
        cached: bool = False,
    ) -> None:
        """Store the outcome of checking an external link target (or reusing a recent one)."""
        self.db.execute(
            "INSERT OR REPLACE INTO link_status(run_id, url_id, status, error, final_url, "
            "checked_at, cached) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (run_id, self.url_id(url), status, error, final_url, checked_at or now(), int(cached)),
        )

    def recent_external_verdicts(
        self, start_url: str, max_age_hours: float
    ) -> dict[str, tuple[int, str, str]]:
        """External targets that answered OK (2xx) recently, for this site's earlier runs:
        url -> (status, final_url, checked_at). Broken ones are always checked again."""
        if max_age_hours <= 0:
            return {}
        since = (datetime.now(UTC) - timedelta(hours=max_age_hours)).replace(microsecond=0)
        rows = self.db.execute(
            "SELECT u.url, s.status, s.final_url, MAX(s.checked_at) FROM link_status s "
            "JOIN urls u ON u.id = s.url_id JOIN runs r ON r.id = s.run_id "
            "WHERE r.start_url = ? AND s.checked_at >= ? AND s.status BETWEEN 200 AND 299 "
            "GROUP BY u.url",
            (start_url, since.isoformat()),
        )
        return {url: (status, final_url, checked) for url, status, final_url, checked in rows}

    def status_history(
        self, start_url: str, url: str
    ) -> list[tuple[int, str, int | None, str | None]]:
        """(run id, run start, status, error) of one link target across this site's runs, oldest first."""
        rows = self.db.execute(
            "SELECT r.id, r.started, s.status, s.error FROM link_status s "
            "JOIN urls u ON u.id = s.url_id JOIN runs r ON r.id = s.run_id "
            "WHERE r.start_url = ? AND u.url = ? "
            "UNION ALL "
            "SELECT r.id, r.started, p.status, p.error FROM pages p "
            "JOIN urls u ON u.id = p.url_id JOIN runs r ON r.id = p.run_id "
            "WHERE r.start_url = ? AND u.url = ? ORDER BY 1",
            (start_url, url, start_url, url),
        )
        return rows.fetchall()

    def inbound_counts(self, run_id: int, kinds: tuple[str, ...]) -> dict[str, int]:
        """Distinct other in-scope pages linking to each crawled page with links of
        `kinds` (one query). The run's links are read through the index by source, in
        about the order they were stored; through the one by target, each link is a jump
        elsewhere in the table (three times slower at 10,000 pages)."""
        marks = ",".join("?" * len(kinds))
        rows = self.db.execute(
            "SELECT t.url, c.n FROM (SELECT target_id, COUNT(DISTINCT source_id) AS n "
            "FROM links INDEXED BY links_by_source "
            f"WHERE run_id = ? AND source_id != target_id AND kind IN ({marks}) "
            "GROUP BY target_id) c "
            "JOIN pages p ON p.run_id = ? AND p.url_id = c.target_id "
            "JOIN urls t ON t.id = c.target_id",
            (run_id, *kinds, run_id),
        )
        return {url: int(count) for url, count in rows}
