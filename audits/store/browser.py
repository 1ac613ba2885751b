"""The browser stage's results: which pages axe-core checked, and what it flagged."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from audits.store.base import StoreBase
from rules.analyses.axe_results import AxeNode, screenshot_name


class BrowserStore(StoreBase):
    """Reading and writing axe-core results (see audits/stages/browser.py)."""

    def browser_pages_to_check(self, run_id: int) -> list[tuple[str, str | None]]:
        """(url, content hash) of every HTML page that answered 200, shallowest first."""
        return self.db.execute(
            "SELECT u.url, p.content_hash FROM pages p JOIN urls u ON u.id = p.url_id "
            "WHERE p.run_id = ? AND p.is_html = 1 AND p.status = 200 AND p.error IS NULL "
            "AND p.content_type LIKE 'text/html%' ORDER BY p.depth IS NULL, p.depth, u.url",
            (run_id,),
        ).fetchall()

    def browser_compare_pages(self, run_id: int) -> dict[str, str]:
        """URL -> the first URL it links to (an `a` link, in the page's order) that the
        audit itself fetched with a 200, as a page it read or a link it checked (an
        `--urls` audit only checks the pages it was not given): the page the bypass check
        compares it with (if it is of the same site and HTML). Only such URLs, so never
        one the audit left alone (robots.txt, `[crawl] exclude`, out of scope)."""
        return dict(
            self.db.execute(
                "SELECT s.url, t.url FROM ("
                "  SELECT l.source_id, l.target_id, MIN(l.rowid) FROM links l"
                "  WHERE l.run_id = ? AND l.kind = 'a' AND l.target_id != l.source_id AND ("
                "    EXISTS (SELECT 1 FROM pages p WHERE p.run_id = l.run_id"
                "      AND p.url_id = l.target_id AND p.status = 200 AND p.error IS NULL)"
                "    OR EXISTS (SELECT 1 FROM link_status c WHERE c.run_id = l.run_id"
                "      AND c.url_id = l.target_id AND c.status = 200))"
                "  GROUP BY l.source_id"
                ") first JOIN urls s ON s.id = first.source_id "
                "JOIN urls t ON t.id = first.target_id",
                (run_id,),
            ).fetchall()
        )

    def html_pages_larger_than(self, run_id: int, limit: int) -> dict[str, int]:
        """URL -> size in bytes of the run's HTML pages larger than `limit` bytes."""
        return dict(
            self.db.execute(
                "SELECT u.url, p.size FROM pages p JOIN urls u ON u.id = p.url_id "
                "WHERE p.run_id = ? AND p.is_html = 1 AND p.size > ?",
                (run_id, limit),
            ).fetchall()
        )

    def reusable_browser_results(
        self, run_id: int, axe_version: str, axe_options: str
    ) -> dict[str, int]:
        """Page URL to the latest earlier run (same start URL) that checked the same content
        with the same axe-core version and options, without error."""
        rows = self.db.execute(
            "SELECT u.url, MAX(b.run_id) FROM pages p JOIN urls u ON u.id = p.url_id "
            "JOIN browser_pages b ON b.url_id = p.url_id AND b.content_hash = p.content_hash "
            "JOIN runs r ON r.id = b.run_id JOIN runs this ON this.id = p.run_id "
            "WHERE p.run_id = ? AND b.run_id < p.run_id AND r.start_url = this.start_url "
            "AND b.axe_version = ? AND b.axe_options = ? AND b.error IS NULL GROUP BY u.url",
            (run_id, axe_version, axe_options),
        )
        return dict(rows.fetchall())

    def reuse_browser_result(self, run_id: int, url: str, from_run: int) -> None:
        """Copy a page's browser result (and its screenshots) from an earlier run."""
        url_id = self.url_id(url)
        self.db.execute(
            "INSERT OR REPLACE INTO browser_pages(run_id, url_id, content_hash, axe_version, "
            "axe_options, error, elapsed_ms, reused_from) SELECT ?, url_id, content_hash, "
            "axe_version, axe_options, error, 0, ? FROM browser_pages "
            "WHERE run_id = ? AND url_id = ?",
            (run_id, from_run, from_run, url_id),
        )
        self.db.execute(
            "INSERT INTO axe_results(run_id, url_id, outcome, rule, impact, wcag, help, "
            "help_url, target, html, failure_summary, screenshot) SELECT ?, url_id, outcome, "
            "rule, impact, wcag, help, help_url, target, html, failure_summary, screenshot "
            "FROM axe_results WHERE run_id = ? AND url_id = ?",
            (run_id, from_run, url_id),
        )

    def add_browser_result(
        self,
        run_id: int,
        url: str,
        *,
        content_hash: str | None,
        axe_version: str,
        axe_options: str,
        error: str | None,
        elapsed_ms: int,
        nodes: Iterable[tuple[AxeNode, bytes | None]],
    ) -> None:
        """Store what axe-core found on one page (or why the page could not be checked)."""
        url_id = self.url_id(url)
        self.db.execute(
            "INSERT OR REPLACE INTO browser_pages(run_id, url_id, content_hash, axe_version, "
            "axe_options, error, elapsed_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (run_id, url_id, content_hash, axe_version, axe_options, error, elapsed_ms),
        )
        self.db.executemany(
            "INSERT INTO axe_results(run_id, url_id, outcome, rule, impact, wcag, help, "
            "help_url, target, html, failure_summary, screenshot) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    run_id,
                    url_id,
                    n.outcome,
                    n.rule,
                    n.impact,
                    json.dumps(list(n.wcag)),
                    n.help,
                    n.help_url,
                    n.target,
                    n.html,
                    n.failure_summary,
                    png,
                )
                for n, png in nodes
            ],
        )

    def browser_summary(self, run_id: int) -> tuple[int, int, int]:
        """(pages checked in the browser, of which reused from an earlier run, with errors)."""
        row = self.db.execute(
            "SELECT COUNT(*), COUNT(reused_from), COUNT(error) FROM browser_pages WHERE run_id = ?",
            (run_id,),
        ).fetchone()
        return int(row[0]), int(row[1]), int(row[2])

    def screenshots(self, run_id: int) -> Iterator[tuple[str, bytes]]:
        """(report-relative path, PNG) of every element screenshot of a run."""
        rows = self.db.execute(
            "SELECT u.url, a.rule, a.target, a.screenshot FROM axe_results a "
            "JOIN urls u ON u.id = a.url_id WHERE a.run_id = ? AND a.screenshot IS NOT NULL",
            (run_id,),
        )
        for url, rule, target, png in rows:
            yield screenshot_name(url, rule, target), bytes(png)

    def browser_checked(self, run_id: int) -> set[str]:
        """The pages of a run the browser stage has already stored a result for."""
        rows = self.db.execute(
            "SELECT u.url FROM browser_pages b JOIN urls u ON u.id = b.url_id WHERE b.run_id = ?",
            (run_id,),
        )
        return {url for (url,) in rows}
