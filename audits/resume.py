"""Carrying on an interrupted audit: the store is the crawl's memory.

Every page, file and external verdict is committed to the store in small batches as the
crawl goes. After a Ctrl-C, a crash or `kill -9`, what the store holds is done; the links
from stored pages to targets it does not hold yet are the frontier. A resumed crawl starts
from there, so no page is lost (the last uncommitted batch is simply fetched again) and
none is recorded twice. The browser stage carries on the same way: a page's axe-core
result is committed together with everything it flagged, so the pages with a result are
done and only the others are loaded again (`browser_checked`).
"""

from __future__ import annotations

from collections.abc import Iterable

from audits.store import Store


def resume_state(
    store: Store, run_id: int
) -> tuple[set[str], list[tuple[str, str, int, str]], list[str]]:
    """What an interrupted run had done, for carrying on: the URLs already recorded
    (pages, checked files, external verdicts), the frontier (target, kind, depth,
    source) of links from recorded pages to unrecorded targets, and the sitemap URLs."""
    done = {
        url
        for (url,) in store.db.execute(
            "SELECT u.url FROM pages p JOIN urls u ON u.id IN (p.url_id, p.final_url_id) "
            "WHERE p.run_id = ? UNION SELECT u.url FROM link_status s "
            "JOIN urls u ON u.id = s.url_id WHERE s.run_id = ?",
            (run_id, run_id),
        )
    }
    # One row per target and kind, from its shallowest source; targets already recorded
    # are left out here rather than after fetching every link of the run.
    frontier = [
        (target, kind, (depth or 0) + 1, source)
        for target, kind, depth, source in store.db.execute(
            "SELECT t.url, l.kind, MIN(p.depth), s.url FROM links l "
            "JOIN pages p ON p.run_id = l.run_id AND p.url_id = l.source_id "
            "JOIN urls t ON t.id = l.target_id JOIN urls s ON s.id = l.source_id "
            "WHERE l.run_id = ? "
            "AND l.target_id NOT IN (SELECT url_id FROM pages WHERE run_id = ?) "
            "AND l.target_id NOT IN (SELECT url_id FROM link_status WHERE run_id = ?) "
            "GROUP BY l.target_id, l.kind ORDER BY MIN(p.depth)",
            (run_id, run_id, run_id),
        )
        if target not in done
    ]
    sitemap = [
        url
        for (url,) in store.db.execute(
            "SELECT u.url FROM sitemap_urls m JOIN urls u ON u.id = m.url_id WHERE m.run_id = ?",
            (run_id,),
        )
        if url not in done
    ]
    return done, frontier, sitemap


def unfinished_run(store: Store, start_url: str) -> int | None:
    """The latest run of this site that was interrupted or killed, if it is the latest."""
    row = store.db.execute(
        "SELECT id, status FROM runs WHERE start_url = ? ORDER BY id DESC LIMIT 1",
        (start_url,),
    ).fetchone()
    return row[0] if row and row[1] in ("running", "interrupted") else None


def reopen_run(store: Store, run_id: int) -> None:
    """Mark a run as running again (it is being resumed)."""
    store.db.execute("UPDATE runs SET status = 'running', finished = NULL WHERE id = ?", (run_id,))


def browser_checked(store: Store, run_id: int) -> set[str]:
    """The pages of a run the browser stage has already stored a result for."""
    return {
        url
        for (url,) in store.db.execute(
            "SELECT u.url FROM browser_pages b JOIN urls u ON u.id = b.url_id WHERE b.run_id = ?",
            (run_id,),
        )
    }


def forget_findings_of(store: Store, run_id: int, rule_ids: Iterable[str]) -> None:
    """Forget some rules' findings and errors in a run (before those rules run again)."""
    ids = list(rule_ids)
    marks = ",".join("?" * len(ids))
    store.db.execute(f"DELETE FROM findings WHERE run_id = ? AND rule IN ({marks})", (run_id, *ids))
    store.db.execute(
        f"DELETE FROM rule_errors WHERE run_id = ? AND rule IN ({marks})", (run_id, *ids)
    )
