"""The audit store: one SQLite file holding every run of a site.

WAL mode so a report can read while a crawl writes; writes are batched by callers
inside `transaction()`. URLs are interned in `urls` (pages and links refer to them by
id), which keeps a 10,000-page run's link graph small. The schema is versioned with
`PRAGMA user_version`; `MIGRATIONS[n]` upgrades version n to n + 1.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from rules.analyses.axe_results import AxeNode, BrowserError, screenshot_name
from rules.site import LinkRow, PageInfo, TargetStatus, TrapHit

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        start_url TEXT NOT NULL,
        started TEXT NOT NULL,
        finished TEXT,
        status TEXT NOT NULL DEFAULT 'running',
        tool_version TEXT NOT NULL,
        config TEXT NOT NULL DEFAULT '{}',
        stats TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE urls (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE
    );
    CREATE TABLE pages (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        url_id INTEGER NOT NULL REFERENCES urls(id),
        final_url_id INTEGER REFERENCES urls(id),
        status INTEGER,
        content_type TEXT NOT NULL DEFAULT '',
        is_html INTEGER NOT NULL DEFAULT 0,
        size INTEGER NOT NULL DEFAULT 0,
        depth INTEGER,
        click_depth INTEGER,
        title TEXT NOT NULL DEFAULT '',
        lang TEXT NOT NULL DEFAULT '',
        content_hash TEXT,
        fetched_at TEXT,
        elapsed_ms INTEGER,
        in_sitemap INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        redirects TEXT NOT NULL DEFAULT '[]',
        facts TEXT NOT NULL DEFAULT '{}',
        PRIMARY KEY (run_id, url_id)
    ) WITHOUT ROWID;
    CREATE TABLE links (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        source_id INTEGER NOT NULL,
        target_id INTEGER NOT NULL,
        fragment TEXT NOT NULL DEFAULT '',
        text TEXT NOT NULL DEFAULT '',
        kind TEXT NOT NULL,
        region TEXT NOT NULL,
        selector TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX links_by_source ON links(run_id, source_id);
    CREATE INDEX links_by_target ON links(run_id, target_id);
    CREATE TABLE link_status (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        url_id INTEGER NOT NULL,
        status INTEGER,
        error TEXT,
        final_url TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (run_id, url_id)
    ) WITHOUT ROWID;
    CREATE TABLE sitemap_urls (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        url_id INTEGER NOT NULL,
        lastmod TEXT,
        PRIMARY KEY (run_id, url_id)
    ) WITHOUT ROWID;
    CREATE TABLE traps (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        pattern TEXT NOT NULL,
        reason TEXT NOT NULL,
        example TEXT NOT NULL,
        source TEXT NOT NULL,
        variants INTEGER NOT NULL,
        PRIMARY KEY (run_id, pattern)
    ) WITHOUT ROWID;
    CREATE TABLE findings (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        rule TEXT NOT NULL,
        category TEXT NOT NULL,
        severity TEXT NOT NULL,
        url TEXT NOT NULL,
        target TEXT,
        message TEXT NOT NULL,
        selector TEXT,
        snippet TEXT,
        evidence TEXT NOT NULL DEFAULT '{}',
        pages TEXT NOT NULL DEFAULT '[]',
        fingerprint TEXT NOT NULL,
        priority INTEGER,
        score REAL,
        status TEXT
    );
    CREATE INDEX findings_by_run ON findings(run_id, rule);
    CREATE INDEX findings_by_fingerprint ON findings(fingerprint, run_id);
    CREATE TABLE rule_errors (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        rule TEXT NOT NULL,
        url TEXT NOT NULL,
        error TEXT NOT NULL
    );
    """,
    # 2: external link verdicts are cached across runs (when checked, reused or not).
    """
    ALTER TABLE link_status ADD COLUMN checked_at TEXT;
    ALTER TABLE link_status ADD COLUMN cached INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX link_status_by_url ON link_status(url_id);
    CREATE INDEX pages_by_url ON pages(url_id);
    """,
    # 3: the browser stage: which pages axe-core checked (with what) and what it flagged.
    """
    CREATE TABLE browser_pages (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        url_id INTEGER NOT NULL REFERENCES urls(id),
        content_hash TEXT,
        axe_version TEXT NOT NULL,
        axe_options TEXT NOT NULL,
        error TEXT,
        elapsed_ms INTEGER,
        reused_from INTEGER,
        PRIMARY KEY (run_id, url_id)
    ) WITHOUT ROWID;
    CREATE INDEX browser_pages_by_url ON browser_pages(url_id, content_hash);
    CREATE TABLE axe_results (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        url_id INTEGER NOT NULL REFERENCES urls(id),
        outcome TEXT NOT NULL,
        rule TEXT NOT NULL,
        impact TEXT,
        wcag TEXT NOT NULL DEFAULT '[]',
        help TEXT NOT NULL DEFAULT '',
        help_url TEXT NOT NULL DEFAULT '',
        target TEXT NOT NULL DEFAULT '',
        html TEXT NOT NULL DEFAULT '',
        failure_summary TEXT NOT NULL DEFAULT '',
        screenshot BLOB
    );
    CREATE INDEX axe_results_by_page ON axe_results(run_id, url_id);
    """,
    # 4: incremental re-audits: each page's validators, and whether its results were reused.
    """
    ALTER TABLE pages ADD COLUMN etag TEXT;
    ALTER TABLE pages ADD COLUMN last_modified TEXT;
    ALTER TABLE pages ADD COLUMN reused INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX findings_by_url ON findings(run_id, url);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


_PAGE_UPDATE = ", ".join(
    f"{column} = excluded.{column}"
    for column in [
        "final_url_id",
        "status",
        "content_type",
        "is_html",
        "size",
        "depth",
        "title",
        "lang",
        "content_hash",
        "fetched_at",
        "elapsed_ms",
        "error",
        "redirects",
        "facts",
        "etag",
        "last_modified",
    ]
)


_RUN_TABLES = (
    "pages",
    "links",
    "link_status",
    "sitemap_urls",
    "traps",
    "findings",
    "rule_errors",
    "browser_pages",
    "axe_results",
)
"""The tables holding a run's details."""

PRUNED_STAT = "siteaudit/pruned"
"""In a pruned run's stats: what is kept of it (findings per category)."""


class StoreError(Exception):
    """The store file cannot be used (not SQLite, newer schema, unwritable)."""


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


@dataclass(frozen=True, slots=True)
class StoredFinding:
    """A finding as stored, with the fields the findings contract adds."""

    id: int
    rule: str
    category: str
    severity: str
    url: str
    target: str | None
    message: str
    selector: str | None
    snippet: str | None
    evidence: Mapping[str, Any]
    pages: tuple[str, ...]
    fingerprint: str
    priority: int | None
    score: float | None
    status: str | None


def now() -> str:
    """The current UTC time as ISO 8601, seconds precision."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class Store:
    """An open store. One writer at a time; readers may share the file."""

    def __init__(self, path: str) -> None:
        self.path = path
        try:
            self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path} is not a usable siteaudit store ({exc})") from exc
        self._url_ids: dict[str, int] = {}

    def close(self) -> None:
        """Close the connection (checkpointing the WAL)."""
        self.db.close()

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer siteaudit (schema {version}); upgrade siteaudit"
            )
        for number in range(version, SCHEMA_VERSION):
            with self.transaction():
                for statement in MIGRATIONS[number].split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {number + 1}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run a batch of writes as one transaction (much faster than one per row)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- runs ---------------------------------------------------------------------------

    def begin_run(self, start_url: str, tool_version: str, config: Mapping[str, Any]) -> int:
        """Record the start of a run and return its id."""
        cur = self.db.execute(
            "INSERT INTO runs(start_url, started, tool_version, config) VALUES (?, ?, ?, ?)",
            (start_url, now(), tool_version, json.dumps(config, default=str)),
        )
        return int(cur.lastrowid or 0)

    def save_stats(self, run_id: int, stats: Mapping[str, Any]) -> None:
        """Record a run's crawl statistics (before the site rules, which may read them)."""
        self.db.execute(
            "UPDATE runs SET stats = ? WHERE id = ?", (json.dumps(stats, default=str), run_id)
        )

    def finish_run(self, run_id: int, status: str, stats: Mapping[str, Any]) -> None:
        """Mark a run finished (or interrupted/failed), adding to its statistics."""
        row = self.db.execute("SELECT stats FROM runs WHERE id = ?", (run_id,)).fetchone()
        merged = {**(json.loads(row[0]) if row else {}), **stats}
        self.db.execute(
            "UPDATE runs SET finished = ?, status = ?, stats = ? WHERE id = ?",
            (now(), status, json.dumps(merged, default=str), run_id),
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

    # -- writing crawl results ----------------------------------------------------------

    def url_id(self, url: str) -> int:
        """The id of a URL, interning it on first sight."""
        known = self._url_ids.get(url)
        if known is not None:
            return known
        row = self.db.execute(
            "INSERT INTO urls(url) VALUES (?) ON CONFLICT(url) DO UPDATE SET url = url RETURNING id",
            (url,),
        ).fetchone()
        self._url_ids[url] = row[0]
        return int(row[0])

    def add_page(self, run_id: int, page: Mapping[str, Any]) -> None:
        """Store one fetched in-scope URL (see crawler.items.PageItem for the fields).

        A later record of the same URL replaces the earlier one, except that a page's
        record is never replaced by a status check's (in a crawl shared by workers, the
        check of a form action may arrive after the same URL was crawled as a page)."""
        self.db.execute(
            "INSERT INTO pages(run_id, url_id, final_url_id, status, content_type, "
            "is_html, size, depth, title, lang, content_hash, fetched_at, elapsed_ms, error, "
            "redirects, facts, etag, last_modified) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            f"ON CONFLICT(run_id, url_id) DO UPDATE SET {_PAGE_UPDATE} "
            "WHERE excluded.is_html OR NOT pages.is_html",
            (
                run_id,
                self.url_id(page["url"]),
                self.url_id(page["final_url"]),
                page["status"],
                page["content_type"],
                int(page["is_html"]),
                page["size"],
                page["depth"],
                page["title"],
                page["lang"],
                page["content_hash"],
                page["fetched_at"],
                page["elapsed_ms"],
                page["error"],
                json.dumps(page["redirects"]),
                json.dumps(page["facts"]),
                page.get("etag"),
                page.get("last_modified"),
            ),
        )

    def reuse_pages(
        self,
        run_id: int,
        previous: int,
        pages: Iterable[tuple[str, int | None, str]],
        page_rules: Iterable[str],
    ) -> None:
        """Carry unchanged pages (the server answered 304) over from an earlier run: each
        page's record, links and page rules' findings (site rules run afresh). `pages`
        holds (url, depth, fetched_at), a depth of None keeping the earlier run's; a batch
        takes one statement per table. (CROSS JOIN keeps SQLite's planner walking the batch
        and looking each page up by index; left to choose, it scanned the earlier run's
        links for every batch, a hundred times slower.)"""
        self.db.execute(
            "CREATE TEMP TABLE IF NOT EXISTS reused(url_id INTEGER PRIMARY KEY, url TEXT, "
            "depth INTEGER, fetched_at TEXT)"
        )
        self.db.execute("DELETE FROM temp.reused")
        self.db.executemany(
            "INSERT OR REPLACE INTO temp.reused VALUES (?, ?, ?, ?)",
            [(self.url_id(url), url, depth, fetched_at) for url, depth, fetched_at in pages],
        )
        self.db.execute(
            "INSERT OR REPLACE INTO pages(run_id, url_id, final_url_id, status, content_type, "
            "is_html, size, depth, title, lang, content_hash, fetched_at, elapsed_ms, error, "
            "redirects, facts, etag, last_modified, reused) "
            "SELECT ?, p.url_id, final_url_id, status, content_type, is_html, size, "
            "COALESCE(r.depth, p.depth), "
            "title, lang, content_hash, r.fetched_at, elapsed_ms, error, redirects, facts, etag, "
            "last_modified, 1 FROM temp.reused r CROSS JOIN pages p ON p.run_id = ? AND p.url_id = r.url_id",
            (run_id, previous),
        )
        self.db.execute(
            "INSERT INTO links(run_id, source_id, target_id, fragment, text, kind, region, "
            "selector) SELECT ?, source_id, target_id, fragment, text, kind, region, selector "
            "FROM temp.reused r CROSS JOIN links l ON l.run_id = ? AND l.source_id = r.url_id",
            (run_id, previous),
        )
        rules = list(page_rules)
        marks = ",".join("?" * len(rules))
        self.db.execute(
            "INSERT INTO findings(run_id, rule, category, severity, url, target, message, "
            "selector, snippet, evidence, pages, fingerprint) SELECT ?, rule, category, "
            "severity, f.url, target, message, selector, snippet, evidence, pages, fingerprint "
            "FROM temp.reused r CROSS JOIN findings f ON f.run_id = ? AND f.url = r.url "
            f"WHERE f.rule IN ({marks})",
            (run_id, previous, *rules),
        )

    def prune(self, run_id: int, summary: Mapping[str, Any]) -> None:
        """Delete a run's details (pages, links, statuses, findings, browser results),
        keeping its row with `summary` added to its stats, for trends and history."""
        for table in _RUN_TABLES:
            self.db.execute(f"DELETE FROM {table} WHERE run_id = ?", (run_id,))  # our table names
        self.save_stats(run_id, {**self.run(run_id).stats, PRUNED_STAT: dict(summary)})

    def validators(self, run_id: int) -> dict[str, tuple[str | None, str | None]]:
        """URL to (ETag, Last-Modified) of a run's HTML pages that answered 200."""
        rows = self.db.execute(
            "SELECT u.url, p.etag, p.last_modified FROM pages p JOIN urls u ON u.id = p.url_id "
            "WHERE p.run_id = ? AND p.is_html = 1 AND p.status = 200 AND p.error IS NULL "
            "AND (p.etag IS NOT NULL OR p.last_modified IS NOT NULL)",
            (run_id,),
        )
        return {url: (etag, modified) for url, etag, modified in rows}

    def links_from(self, run_id: int, url: str) -> list[tuple[str, str]]:
        """(target, kind) of every link a page had in a run."""
        rows = self.db.execute(
            "SELECT t.url, l.kind FROM links l JOIN urls t ON t.id = l.target_id "
            "WHERE l.run_id = ? AND l.source_id = (SELECT id FROM urls WHERE url = ?)",
            (run_id, url),
        )
        return rows.fetchall()

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

    def add_links(self, run_id: int, source: str, links: Iterable[Any]) -> None:
        """Store the links of one page (objects with url, fragment, text, kind, region, selector)."""
        source_id = self.url_id(source)
        self.db.executemany(
            "INSERT INTO links(run_id, source_id, target_id, fragment, text, kind, region, selector)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    run_id,
                    source_id,
                    self.url_id(link.url),
                    link.fragment,
                    link.text[:200],
                    link.kind,
                    link.region,
                    link.selector,
                )
                for link in links
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

    def add_sitemap_urls(self, run_id: int, entries: Iterable[tuple[str, str | None]]) -> None:
        """Store (url, lastmod) pairs read from the site's sitemaps."""
        self.db.executemany(
            "INSERT OR IGNORE INTO sitemap_urls(run_id, url_id, lastmod) VALUES (?, ?, ?)",
            [(run_id, self.url_id(url), lastmod) for url, lastmod in entries],
        )

    def add_trap(self, run_id: int, hit: TrapHit) -> None:
        """Record a URL family the crawl capped."""
        self.db.execute(
            "INSERT OR REPLACE INTO traps(run_id, pattern, reason, example, source, variants)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (run_id, hit.pattern, hit.reason, hit.example, hit.source, hit.variants),
        )

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

    def set_click_depths(self, run_id: int, depths: Mapping[str, int]) -> None:
        """Store each page's fewest clicks from the start URL."""
        self.db.executemany(
            "UPDATE pages SET click_depth = ? WHERE run_id = ? AND url_id = ?",
            [(depth, run_id, self.url_id(url)) for url, depth in depths.items()],
        )

    def mark_in_sitemap(self, run_id: int) -> None:
        """Flag pages that some sitemap lists."""
        self.db.execute(
            "UPDATE pages SET in_sitemap = 1 WHERE run_id = ? AND url_id IN "
            "(SELECT url_id FROM sitemap_urls WHERE run_id = ?)",
            (run_id, run_id),
        )

    def set_priorities(self, rows: Iterable[tuple[int, float, str | None, int]]) -> None:
        """Store (priority, score, status, finding id) for findings."""
        self.db.executemany(
            "UPDATE findings SET priority = ?, score = ?, status = ? WHERE id = ?", list(rows)
        )

    # -- reading ------------------------------------------------------------------------

    def count_pages(self, run_id: int, *, html_only: bool = True) -> int:
        """How many in-scope URLs (by default HTML pages) the run fetched."""
        sql = "SELECT COUNT(*) FROM pages WHERE run_id = ?" + (
            " AND is_html = 1" if html_only else ""
        )
        return int(self.db.execute(sql, (run_id,)).fetchone()[0])

    def findings(self, run_id: int) -> list[StoredFinding]:
        """A run's findings, highest priority score first."""
        rows = self.db.execute(
            "SELECT id, rule, category, severity, url, target, message, selector, snippet, "
            "evidence, pages, fingerprint, priority, score, status FROM findings "
            "WHERE run_id = ? ORDER BY score DESC, id",
            (run_id,),
        ).fetchall()
        return [
            StoredFinding(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                r[6],
                r[7],
                r[8],
                json.loads(r[9]),
                tuple(json.loads(r[10])),
                r[11],
                r[12],
                r[13],
                r[14],
            )
            for r in rows
        ]

    def rule_errors(self, run_id: int) -> list[tuple[str, str, str]]:
        """(rule, url, error) of every rule failure in a run."""
        return self.db.execute(
            "SELECT rule, url, error FROM rule_errors WHERE run_id = ? ORDER BY rule, url",
            (run_id,),
        ).fetchall()

    def fingerprints(self, run_id: int) -> set[str]:
        """The fingerprints of a run's findings (for new / fixed / persisting)."""
        rows = self.db.execute("SELECT fingerprint FROM findings WHERE run_id = ?", (run_id,))
        return {r[0] for r in rows}

    # -- browser stage (axe-core results; see audits/browser.py) --------------------------

    def browser_pages_to_check(self, run_id: int) -> list[tuple[str, str | None]]:
        """(url, content hash) of every HTML page that answered 200, shallowest first."""
        return self.db.execute(
            "SELECT u.url, p.content_hash FROM pages p JOIN urls u ON u.id = p.url_id "
            "WHERE p.run_id = ? AND p.is_html = 1 AND p.status = 200 AND p.error IS NULL "
            "AND p.content_type LIKE 'text/html%' ORDER BY p.depth IS NULL, p.depth, u.url",
            (run_id,),
        ).fetchall()

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

    def site(self, run_id: int) -> StoredSite:
        """The run's crawl as a `rules.site.Site`."""
        return StoredSite(self, run_id)


_PAGE_COLUMNS = (
    "u.url, f.url, p.status, p.content_type, p.is_html, p.title, p.click_depth, "
    "p.in_sitemap, p.error, p.redirects"
)
_PAGE_FROM = "FROM pages p JOIN urls u ON u.id = p.url_id LEFT JOIN urls f ON f.id = p.final_url_id"
_LINK_SELECT = (
    "SELECT s.url, t.url, l.fragment, l.text, l.kind, l.region, l.selector FROM links l "
    "JOIN urls s ON s.id = l.source_id JOIN urls t ON t.id = l.target_id WHERE l.run_id = ?"
)


def _page_info(row: tuple[Any, ...]) -> PageInfo:
    return PageInfo(
        url=row[0],
        final_url=row[1] or row[0],
        status=row[2],
        content_type=row[3],
        is_html=bool(row[4]),
        title=row[5],
        click_depth=row[6],
        in_sitemap=bool(row[7]),
        error=row[8],
        redirects=tuple(json.loads(row[9])),
    )


class StoredSite:
    """`rules.site.Site` backed by one run in the store."""

    def __init__(self, store: Store, run_id: int) -> None:
        self.store = store
        self.run_id = run_id
        run = store.run(run_id)
        self.start_url = run.start_url
        self.stats = run.stats
        self.db = store.db

    def pages(self) -> Iterator[PageInfo]:
        """Every in-scope URL the crawl requested."""
        sql = f"SELECT {_PAGE_COLUMNS} {_PAGE_FROM} WHERE p.run_id = ? ORDER BY u.url"
        for row in self.db.execute(sql, (self.run_id,)):
            yield _page_info(row)

    def page(self, url: str) -> PageInfo | None:
        """One in-scope URL's record."""
        sql = f"SELECT {_PAGE_COLUMNS} {_PAGE_FROM} WHERE p.run_id = ? AND u.url = ?"
        row = self.db.execute(sql, (self.run_id, url)).fetchone()
        return _page_info(row) if row else None

    def links(
        self, *, kinds: tuple[str, ...] = (), with_fragment: bool = False
    ) -> Iterator[LinkRow]:
        """Every recorded link, optionally only of some element kinds, or only those
        pointing at a #fragment."""
        sql, args = _LINK_SELECT, [self.run_id]
        if with_fragment:
            sql += " AND l.fragment != ''"
        if kinds:
            sql += f" AND l.kind IN ({','.join('?' * len(kinds))})"
            args.extend(kinds)
        for row in self.db.execute(sql, args):
            yield LinkRow(*row)

    def links_to(self, url: str) -> Iterator[LinkRow]:
        """Links pointing at `url`."""
        sql = _LINK_SELECT + " AND t.url = ?"
        for row in self.db.execute(sql, (self.run_id, url)):
            yield LinkRow(*row)

    def status(self, url: str, _hops: int = 0) -> TargetStatus | None:
        """How requesting `url` went, in scope or external."""
        row = self.db.execute(
            f"SELECT p.status, p.error, f.url {_PAGE_FROM} WHERE p.run_id = ? AND u.url = ?",
            (self.run_id, url),
        ).fetchone()
        if row:
            status, error, final_url = row[0], row[1], row[2] or url
            if status is not None and 300 <= status < 400 and final_url != url and _hops < 10:
                # A redirect to a page crawled under its own URL: its outcome is that page's.
                target = self.status(final_url, _hops + 1)
                if target is not None:
                    status, error = target.status, target.error
                    final_url = target.final_url
            return TargetStatus(url, status, error, final_url, internal=True)
        row = self.db.execute(
            "SELECT s.status, s.error, s.final_url FROM link_status s JOIN urls u ON u.id = s.url_id"
            " WHERE s.run_id = ? AND u.url = ?",
            (self.run_id, url),
        ).fetchone()
        if row:
            return TargetStatus(url, row[0], row[1], row[2] or url, internal=False)
        return None

    def statuses(self) -> Iterator[TargetStatus]:
        """How requesting every URL went: in-scope rows (a redirect to a page crawled under
        its own URL takes that page's outcome) and external verdicts."""
        pages = {
            url: (status, error, final or url)
            for url, status, error, final in self.db.execute(
                f"SELECT u.url, p.status, p.error, f.url {_PAGE_FROM} WHERE p.run_id = ?",
                (self.run_id,),
            )
        }
        for url, (status, error, final) in pages.items():
            hops = 0
            while (
                status is not None
                and 300 <= status < 400
                and final != url
                and final in pages
                and hops < 10
            ):
                status, error, final = pages[final][0], pages[final][1], pages[final][2]
                hops += 1
            yield TargetStatus(url, status, error, final, internal=True)
        rows = self.db.execute(
            "SELECT u.url, s.status, s.error, s.final_url FROM link_status s "
            "JOIN urls u ON u.id = s.url_id WHERE s.run_id = ?",
            (self.run_id,),
        )
        for url, status, error, final in rows:
            yield TargetStatus(url, status, error, final or url, internal=False)

    def facts(self, rule_id: str) -> dict[str, Any]:
        """What a site rule's `page_facts` collected, by page URL."""
        out: dict[str, Any] = {}
        sql = (
            "SELECT u.url, json_extract(p.facts, ?) FROM pages p JOIN urls u ON u.id = p.url_id "
            "WHERE p.run_id = ? AND json_type(p.facts, ?) IS NOT NULL"
        )
        path = f'$."{rule_id}"'
        for url, value in self.db.execute(sql, (path, self.run_id, path)):
            out[url] = json.loads(value) if isinstance(value, str) and value[:1] in '[{"' else value
        return out

    def traps(self) -> Iterator[TrapHit]:
        """URL families the crawl capped."""
        rows = self.db.execute(
            "SELECT pattern, reason, example, source, variants FROM traps WHERE run_id = ?"
            " ORDER BY pattern",
            (self.run_id,),
        )
        for row in rows:
            yield TrapHit(*row)

    def status_history(self, url: str) -> list[tuple[int, str, int | None, str | None]]:
        """(run id, run start, status, error) of a link target in this site's runs so far."""
        return [
            row for row in self.store.status_history(self.start_url, url) if row[0] <= self.run_id
        ]

    def sitemap_lastmod(self) -> dict[str, str | None]:
        """URL to lastmod, for every URL the sitemaps list."""
        rows = self.db.execute(
            "SELECT u.url, s.lastmod FROM sitemap_urls s JOIN urls u ON u.id = s.url_id"
            " WHERE s.run_id = ?",
            (self.run_id,),
        )
        return dict(rows.fetchall())

    def html_link_graph(self) -> dict[str, list[str]]:
        """Source page to the distinct pages it links to with a/area links (clicks)."""
        graph: dict[str, list[str]] = {}
        rows = self.db.execute(
            "SELECT DISTINCT s.url, t.url FROM links l JOIN urls s ON s.id = l.source_id "
            "JOIN urls t ON t.id = l.target_id WHERE l.run_id = ? AND l.kind IN ('a', 'area')",
            (self.run_id,),
        )
        for source, target in rows:
            graph.setdefault(source, []).append(target)
        return graph

    # -- browser stage (axe-core results) -------------------------------------------------

    def axe_nodes(self, outcome: str) -> Iterator[AxeNode]:
        """Every stored axe-core node of one outcome, in the order pages were checked."""
        rows = self.db.execute(
            "SELECT u.url, a.outcome, a.rule, a.impact, a.wcag, a.help, a.help_url, a.target, "
            "a.html, a.failure_summary, a.screenshot IS NOT NULL FROM axe_results a "
            "JOIN urls u ON u.id = a.url_id WHERE a.run_id = ? AND a.outcome = ? "
            "ORDER BY a.rowid",
            (self.run_id, outcome),
        )
        for url, out, rule, impact, wcag, help_text, help_url, target, html, summary, shot in rows:
            yield AxeNode(
                url=url,
                outcome=out,
                rule=rule,
                impact=impact,
                wcag=tuple(json.loads(wcag)),
                help=help_text,
                help_url=help_url,
                target=target,
                html=html,
                failure_summary=summary,
                screenshot=screenshot_name(url, rule, target) if shot else None,
            )

    def browser_errors(self) -> Iterator[BrowserError]:
        """Pages the browser stage could not check, and why."""
        rows = self.db.execute(
            "SELECT u.url, b.error FROM browser_pages b JOIN urls u ON u.id = b.url_id "
            "WHERE b.run_id = ? AND b.error IS NOT NULL ORDER BY u.url",
            (self.run_id,),
        )
        for url, error in rows:
            yield BrowserError(url, error)
