"""One stored run read as a `rules.site.Site`, for the site rules."""

from __future__ import annotations

import contextlib
import itertools
import json
import sqlite3
from collections.abc import Collection, Iterator
from typing import TYPE_CHECKING, Any

from rules.analyses.axe_results import AxeNode, BrowserError, screenshot_name
from rules.site import LinkRow, PageInfo, TargetStatus, TrapHit

if TYPE_CHECKING:
    from audits.store import Store

_SPOOLS = itertools.count()

_PAGE_COLUMNS = (
    "u.url, f.url, p.status, p.content_type, p.is_html, p.title, p.click_depth, "
    "p.in_sitemap, p.error, p.redirects"
)
_COPY_COLUMNS = ", ".join(f"c{n}" for n in range(_PAGE_COLUMNS.count(",") + 1))
"""The columns of the pages' copy in the spool (`StoredSite.spool_pages`), and its URL
numbers in `n`."""
_PAGE_FROM = "FROM pages p JOIN urls u ON u.id = p.url_id LEFT JOIN urls f ON f.id = p.final_url_id"
_LINK_COLUMNS = "SELECT s.url, t.url, l.fragment, l.text, l.kind, l.region, l.selector"
_LINK_JOINS = (
    "JOIN urls s ON s.id = l.source_id JOIN urls t ON t.id = l.target_id WHERE l.run_id = ?"
)
_LINK_SELECT = f"{_LINK_COLUMNS} FROM links l {_LINK_JOINS}"


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
        redirects=() if row[9] == "[]" else tuple(json.loads(row[9])),
    )


class StoredSite:
    """`rules.site.Site` backed by one run in the store.

    What many rules read again (each rule's facts; the pages' records, once the site
    stage says they change no more: `spool_pages`) is copied into a spool, a temporary
    database attached to the store's connection, until `close`."""

    def __init__(self, store: Store, run_id: int) -> None:
        self.store = store
        self.run_id = run_id
        run = store.run(run_id)
        self.start_url = run.start_url
        self.stats = run.stats
        self.db = store.db
        self._spool: str | None = None
        self._pages_copy = ""
        self._attached: str | None = None

    def pages(self) -> Iterator[PageInfo]:
        """Every in-scope URL the crawl requested."""
        if self._pages_copy:
            rows = self.db.execute(f"SELECT {_COPY_COLUMNS} FROM {self._pages_copy} ORDER BY rowid")
        else:
            sql = f"SELECT {_PAGE_COLUMNS} {_PAGE_FROM} WHERE p.run_id = ? ORDER BY u.url"
            rows = self.db.execute(sql, (self.run_id,))
        for row in rows:
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
        sql = f"{_LINK_COLUMNS} FROM links l INDEXED BY links_by_source {_LINK_JOINS}"
        args = [self.run_id]
        if with_fragment:
            sql += " AND l.fragment != ''"
        if kinds:
            sql += f" AND l.kind IN ({','.join('?' * len(kinds))})"
            args.extend(kinds)
        # By target, then in the order stored, as ever. Read through the index of
        # sources (the order the rows sit in the table) and sorted, rather than through
        # the index of targets, which jumps about the table for every row: 0.44 -> 0.13 s
        # for the 44,000 section links of a 10,000-page site.
        sql += " ORDER BY l.target_id, l.rowid"
        for row in self.db.execute(sql, args):
            yield LinkRow(*row)

    def numbered_links(
        self, kinds: tuple[str, ...]
    ) -> tuple[dict[int, str], Iterator[tuple[int, int, int, str, int]]]:
        """The links of `kinds` by the store's URL numbers, for the click graph: every URL
        the run's links touch by number, and (source, target, 1 if inside a document,
        text, row number) of each link, a page's links together (by source number) and
        in the order they were stored."""
        urls = dict(
            self.db.execute(
                "SELECT u.id, u.url FROM urls u "
                "WHERE u.id IN (SELECT target_id FROM links WHERE run_id = ?) "
                "OR u.id IN (SELECT source_id FROM links WHERE run_id = ?)",
                (self.run_id, self.run_id),
            )
        )
        rows = self.db.execute(
            "SELECT l.source_id, l.target_id, l.region = 'document', l.text, l.rowid "
            f"FROM links l WHERE l.run_id = ? AND l.kind IN ({','.join('?' * len(kinds))}) "
            "ORDER BY l.source_id, l.rowid",
            (self.run_id, *kinds),
        )
        return urls, rows

    def link_sources_by_text(
        self, texts: Collection[str], kinds: tuple[str, ...]
    ) -> Iterator[tuple[str, str]]:
        """(source page, text) of every link of `kinds` whose text, stripped and lower
        case, is one of `texts`: the store picks them out, so the rest of the links (two
        million at 50,000 pages) never become Python objects."""
        wanted = frozenset(texts)
        if not wanted:
            return
        self.db.create_function(
            "siteaudit_text_in", 1, lambda text: text.strip().lower() in wanted, deterministic=True
        )
        # A text is no shorter than what it says stripped; the links are read page by
        # page (links_by_source), the order they were stored in.
        rows = self.db.execute(
            "SELECT s.url, l.text FROM links l JOIN urls s ON s.id = l.source_id "
            f"WHERE l.run_id = ? AND l.kind IN ({','.join('?' * len(kinds))}) "
            "AND length(l.text) >= ? AND siteaudit_text_in(l.text) ORDER BY l.source_id",
            (self.run_id, *kinds, max(1, min(map(len, wanted)))),
        )
        yield from rows

    def links_to(self, url: str) -> Iterator[LinkRow]:
        """Links pointing at `url`."""
        sql = _LINK_SELECT + " AND t.url = ?"
        for row in self.db.execute(sql, (self.run_id, url)):
            yield LinkRow(*row)

    def status(self, url: str, _hops: int = 0) -> TargetStatus | None:
        """How requesting `url` went, in scope or external."""
        if self._pages_copy:  # 2.7 µs a call against 12 µs (broken-fragment: 10,000 calls)
            row = self.db.execute(
                f"SELECT c2, c8, c1 FROM {self._pages_copy} WHERE c0 = ?", (url,)
            ).fetchone()
        else:
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
        if self._pages_copy:  # by URL number, as the pages table has them
            rows = self.db.execute(f"SELECT c0, c2, c8, c1 FROM {self._pages_copy} ORDER BY n")
        else:
            rows = self.db.execute(
                f"SELECT u.url, p.status, p.error, f.url {_PAGE_FROM} WHERE p.run_id = ?",
                (self.run_id,),
            )
        pages = {url: (status, error, final or url) for url, status, error, final in rows}
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
        return dict(self._facts(rule_id, ""))

    def iter_facts(self, rule_id: str) -> Iterator[tuple[str, Any]]:
        """`facts(rule_id).items()`, in the same order, one page at a time."""
        return self._facts(rule_id, "")

    def facts_in_order(self, rule_id: str) -> Iterator[tuple[str, Any]]:
        """(page URL, facts) of what a site rule's `page_facts` collected, one page at a
        time in URL order: for rules that reduce every page's facts as they read them,
        without holding the whole site's at once."""
        return self._facts(rule_id, " ORDER BY u.url")

    def _facts(self, rule_id: str, order: str) -> Iterator[tuple[str, Any]]:
        if self._spool is None:
            self._spool = self._spool_facts()
        if self._spool:
            sql = (
                f"SELECT u.url, f.value FROM {self._spool} f JOIN urls u ON u.id = f.url_id "
                "WHERE f.rule = ?" + order
            )
            rows = self.db.execute(sql, (rule_id,))
        else:
            sql = (
                "SELECT u.url, json_extract(p.facts, ?) FROM pages p "
                "JOIN urls u ON u.id = p.url_id "
                "WHERE p.run_id = ? AND json_type(p.facts, ?) IS NOT NULL" + order
            )
            path = f'$."{rule_id}"'
            rows = self.db.execute(sql, (path, self.run_id, path))
        for url, value in rows:
            yield url, json.loads(value) if isinstance(value, str) and value[:1] in '[{"' else value

    def _spool_facts(self) -> str:
        """Every page's facts, split by rule into a table of their own (by rule, then
        page: the order of the pages table): its name, or "" if the connection may not
        make one.

        A page's facts are one JSON text of every rule's (3 kB a page with every rule
        on), which SQLite reads and parses whole to pick out one rule's: at 10,000 pages,
        0.055 s a rule however few pages it has facts for, and 19 rules. Split once, on
        the first read (0.2 s), each rule reads only its own. With links only, the facts
        are a few bytes a page and splitting them costs what reading them twice does."""
        schema = self._spool_schema()
        if not schema:
            return ""
        self.db.execute(
            f"CREATE TABLE {schema}.facts (rule TEXT NOT NULL, url_id INTEGER NOT NULL, "
            "value, PRIMARY KEY (rule, url_id)) WITHOUT ROWID"
        )
        self.db.execute(
            f"INSERT INTO {schema}.facts SELECT j.key, p.url_id, j.value "
            "FROM pages p, json_each(p.facts) j WHERE p.run_id = ?",
            (self.run_id,),
        )
        return f"{schema}.facts"

    def spool_pages(self) -> None:
        """From now on, `pages` reads the pages' records from a copy in the spool, made
        now: for a reader that asks for them many times (the site stage, ten times) and
        writes none of them from here on; `statuses` and `status` read it too (the
        latter by an index of the copy's URLs). The pages table holds each page's facts
        too, and reading its 10,000 rows, sorted, took 0.045 s; the copy's, 0.015 s."""
        schema = self._spool_schema()
        if schema and not self._pages_copy:
            named = ", ".join(
                f"{column} AS c{n}" for n, column in enumerate(_PAGE_COLUMNS.split(", "))
            )
            self.db.execute(
                f"CREATE TABLE {schema}.pages AS SELECT {named}, p.url_id AS n {_PAGE_FROM} "
                "WHERE p.run_id = ? ORDER BY u.url",
                (self.run_id,),
            )
            self.db.execute(f"CREATE INDEX {schema}.pages_by_url ON pages(c0)")
            self._pages_copy = f"{schema}.pages"

    def read_in_place(self) -> None:
        """Never spool: every read goes to the store's own tables. For a reader of a rule's
        facts or two (the dated rules of an incremental re-audit that carries the rest
        over), whom splitting every rule's facts would cost more than it saves."""
        if self._attached is None:
            self._attached = ""

    def _spool_schema(self) -> str:
        """The temporary database the spool's tables go in, attached on first use: its
        name, or "" if the connection may not make one (read only: `PRAGMA query_only`).
        It is a file of its own, which SQLite keeps on disk past its cache, as it does the
        store, and deletes at `close` (dropping a table instead took 0.15 s)."""
        if self._attached is None:
            self._attached = ""
            if not self.db.execute("PRAGMA query_only").fetchone()[0]:
                schema = f"siteaudit_spool_{next(_SPOOLS)}"
                with contextlib.suppress(sqlite3.OperationalError):  # too many attached
                    self.db.execute("ATTACH DATABASE '' AS " + schema)
                    self.db.execute(f"PRAGMA {schema}.journal_mode = OFF")
                    self._attached = schema
        return self._attached

    def close(self) -> None:
        """Let go of what reading the site made in the store's connection."""
        if self._attached:
            # Still read by a rule that failed, it goes with the connection.
            with contextlib.suppress(sqlite3.OperationalError):
                self.db.execute("DETACH DATABASE " + self._attached)
        self._spool, self._pages_copy, self._attached = None, "", None

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
