"""Pages: every in-scope URL a run requested, the sitemaps' URLs and the traps met."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from audits.store.base import StoreBase
from rules.site import TrapHit

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

_SITE_INPUTS = (
    # Every in-scope URL's record. An HTML page's content hash stands for its links. A
    # redirect's record holds its last hop's status, or its own 3xx when the crawl had
    # claimed the target already: the outcome is the target's own record either way.
    "SELECT u.url, f.url, CASE WHEN p.redirects = '[]' THEN p.status END, "
    "p.content_type, p.is_html, p.content_hash, p.error, "
    "p.redirects, p.facts FROM pages p JOIN urls u ON u.id = p.url_id "
    "LEFT JOIN urls f ON f.id = p.final_url_id WHERE p.run_id = ? ORDER BY u.url",
    # Links from what has no content hash (documents read for their links). From those
    # pages to their links (CROSS JOIN keeps that order): SQLite otherwise went through
    # every link of the run for the few, 2 s at 10,000 pages.
    "SELECT s.url, t.url, l.fragment, l.text, l.kind, l.region, l.selector FROM pages p "
    "CROSS JOIN links l ON l.run_id = p.run_id AND l.source_id = p.url_id "
    "JOIN urls s ON s.id = l.source_id JOIN urls t ON t.id = l.target_id "
    "WHERE p.run_id = ? AND p.content_hash IS NULL "
    "ORDER BY s.url, t.url, l.selector, l.fragment, l.text, l.kind, l.region",
    "SELECT u.url, s.status, s.error, s.final_url FROM link_status s "
    "JOIN urls u ON u.id = s.url_id WHERE s.run_id = ? ORDER BY u.url",
    "SELECT u.url, m.lastmod FROM sitemap_urls m JOIN urls u ON u.id = m.url_id "
    "WHERE m.run_id = ? ORDER BY u.url",
    "SELECT pattern, reason, example, source, variants FROM traps WHERE run_id = ? "
    "ORDER BY pattern",
)
"""What the site rules read of a run, leaving out what differs between two crawls of
the same site (see audits/stages/siteinputs.py)."""


class PagesStore(StoreBase):
    """Reading and writing pages."""

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
        page's record, links and page rules' findings (site rules run afresh; the click
        depth and sitemap flag come along, for the site stage to keep or set anew). `pages`
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
            "redirects, facts, etag, last_modified, reused, click_depth, in_sitemap) "
            "SELECT ?, p.url_id, final_url_id, status, content_type, is_html, size, "
            "COALESCE(r.depth, p.depth), "
            "title, lang, content_hash, r.fetched_at, elapsed_ms, error, redirects, facts, etag, "
            "last_modified, 1, click_depth, in_sitemap "
            "FROM temp.reused r CROSS JOIN pages p ON p.run_id = ? AND p.url_id = r.url_id",
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

    def validators(
        self, run_id: int, *, html: bool = True
    ) -> dict[str, tuple[str | None, str | None]]:
        """URL to (ETag, Last-Modified) of a run's HTML pages that answered 200, or with
        `html` False of its other in-scope files that did (documents, images, ...)."""
        rows = self.db.execute(
            "SELECT u.id, u.url, p.etag, p.last_modified FROM pages p "
            "JOIN urls u ON u.id = p.url_id "
            "WHERE p.run_id = ? AND p.is_html = ? AND p.status = 200 AND p.error IS NULL "
            "AND (p.etag IS NOT NULL OR p.last_modified IS NOT NULL)",
            (run_id, int(html)),
        ).fetchall()
        # Their ids are known now: carrying them over (`reuse_pages`) looks none up again.
        self._url_ids.update((url, url_id) for url_id, url, _, _ in rows)
        return {url: (etag, modified) for _, url, etag, modified in rows}

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

    def set_click_depths(self, run_id: int, depths: Mapping[str, int]) -> None:
        """Store each page's fewest clicks from the start URL, None for the pages not in
        `depths` (a page carried over came with its old depth). Only the depths that
        change are written: most pages of a re-audit keep theirs."""
        rows = self.db.execute(
            "SELECT p.url_id, u.url, p.click_depth FROM pages p JOIN urls u ON u.id = p.url_id "
            "WHERE p.run_id = ?",
            (run_id,),
        ).fetchall()
        self.db.executemany(
            "UPDATE pages SET click_depth = ? WHERE run_id = ? AND url_id = ?",
            [
                (depth, run_id, url_id)
                for url_id, url, old in rows
                if (depth := depths.get(url)) != old
            ],
        )

    def mark_in_sitemap(self, run_id: int) -> None:
        """Flag the pages that some sitemap lists, and only those."""
        self.db.execute(
            "UPDATE pages SET in_sitemap = 1 WHERE run_id = ? AND NOT in_sitemap AND url_id IN "
            "(SELECT url_id FROM sitemap_urls WHERE run_id = ?)",
            (run_id, run_id),
        )
        self.db.execute(
            "UPDATE pages SET in_sitemap = 0 WHERE run_id = ? AND in_sitemap = 1 "
            "AND url_id NOT IN (SELECT url_id FROM sitemap_urls WHERE run_id = ?)",
            (run_id, run_id),
        )

    def count_pages(self, run_id: int, *, html_only: bool = True) -> int:
        """How many in-scope URLs (by default HTML pages) the run fetched."""
        sql = "SELECT COUNT(*) FROM pages WHERE run_id = ?" + (
            " AND is_html = 1" if html_only else ""
        )
        return int(self.db.execute(sql, (run_id,)).fetchone()[0])

    def html_page_counts(self) -> dict[int, int]:
        """Run id -> HTML pages, for every run that still has its pages."""
        return dict(
            self.db.execute("SELECT run_id, COUNT(*) FROM pages WHERE is_html = 1 GROUP BY run_id")
        )

    def html_page_urls(self, run_id: int) -> set[str]:
        """The URLs of a run's HTML pages."""
        rows = self.db.execute(
            "SELECT u.url FROM pages p JOIN urls u ON u.id = p.url_id "
            "WHERE p.run_id = ? AND p.is_html = 1",
            (run_id,),
        )
        return {url for (url,) in rows}

    def titles_and_click_depths(self, run_id: int) -> dict[str, tuple[str, int | None]]:
        """URL -> (title, click depth) of a run's pages, one query."""
        rows = self.db.execute(
            "SELECT u.url, p.title, p.click_depth FROM pages p "
            "JOIN urls u ON u.id = p.url_id WHERE p.run_id = ?",
            (run_id,),
        )
        return {url: (title or "", depth) for url, title, depth in rows}

    def page_depths(self, run_id: int) -> list[tuple[str, str | None, int | None, int | None]]:
        """(url, final url, click depth, crawl depth) of a run's pages, one query."""
        return self.db.execute(
            "SELECT u.url, f.url, p.click_depth, p.depth FROM pages p "
            "JOIN urls u ON u.id = p.url_id LEFT JOIN urls f ON f.id = p.final_url_id "
            "WHERE p.run_id = ?",
            (run_id,),
        ).fetchall()

    def recorded_urls(self, run_id: int) -> set[str]:
        """What a run has recorded: its pages (by URL and final URL), checked files and
        external verdicts."""
        return {
            url
            for (url,) in self.db.execute(
                "SELECT u.url FROM pages p JOIN urls u ON u.id IN (p.url_id, p.final_url_id) "
                "WHERE p.run_id = ? UNION SELECT u.url FROM link_status s "
                "JOIN urls u ON u.id = s.url_id WHERE s.run_id = ?",
                (run_id, run_id),
            )
        }

    def unrecorded_targets(self, run_id: int) -> list[tuple[str, str, int | None, str]]:
        """(target, kind, depth of its shallowest source, that source) of links from a run's
        pages to targets it has not recorded, one row per target and kind, shallowest first.
        Recorded targets are left out here rather than after fetching every link of the run."""
        return self.db.execute(
            "SELECT t.url, l.kind, MIN(p.depth), s.url FROM links l "
            "JOIN pages p ON p.run_id = l.run_id AND p.url_id = l.source_id "
            "JOIN urls t ON t.id = l.target_id JOIN urls s ON s.id = l.source_id "
            "WHERE l.run_id = ? "
            "AND l.target_id NOT IN (SELECT url_id FROM pages WHERE run_id = ?) "
            "AND l.target_id NOT IN (SELECT url_id FROM link_status WHERE run_id = ?) "
            "GROUP BY l.target_id, l.kind ORDER BY MIN(p.depth)",
            (run_id, run_id, run_id),
        ).fetchall()

    def sitemap_urls(self, run_id: int) -> list[str]:
        """The URLs a run read from the site's sitemaps."""
        rows = self.db.execute(
            "SELECT u.url FROM sitemap_urls m JOIN urls u ON u.id = m.url_id WHERE m.run_id = ?",
            (run_id,),
        )
        return [url for (url,) in rows]

    def site_inputs(self, run_id: int) -> Iterator[Iterator[tuple[object, ...]]]:
        """What the site rules read of a run, table by table, in a stable order."""
        for query in _SITE_INPUTS:
            yield iter(self.db.execute(query, (run_id,)))

    def carry_click_depths(self, run_id: int, previous: int) -> None:
        """Copy click depths and sitemap flags from the previous run's same pages (those
        carried over by `reuse_pages` came with theirs)."""
        self.db.execute(
            "UPDATE pages SET "
            "click_depth = (SELECT o.click_depth FROM pages o "
            "WHERE o.run_id = ? AND o.url_id = pages.url_id), "
            "in_sitemap = COALESCE((SELECT o.in_sitemap FROM pages o "
            "WHERE o.run_id = ? AND o.url_id = pages.url_id), 0) "
            "WHERE run_id = ? AND NOT reused",
            (previous, previous, run_id),
        )
