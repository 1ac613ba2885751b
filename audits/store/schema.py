"""The store's schema: versioned with `PRAGMA user_version`, where `MIGRATIONS[n]`
upgrades version n to n + 1. A migration only ever adds, so a store written by an
earlier siteaudit opens and is upgraded in place."""

from __future__ import annotations

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


RUN_TABLES = (
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
