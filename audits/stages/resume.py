"""Carrying on an interrupted audit: the store is the crawl's memory.

Every page, file and external verdict is committed to the store in small batches as the
crawl goes. After a Ctrl-C, a crash or `kill -9`, what the store holds is done; the links
from stored pages to targets it does not hold yet are the frontier. A resumed crawl starts
from there, so no page is lost (the last uncommitted batch is simply fetched again) and
none is recorded twice. The browser stage carries on the same way: a page's axe-core
result is committed together with everything it flagged, so the pages with a result are
done and only the others are loaded again (`Store.browser_checked`).
"""

from __future__ import annotations

from audits.store import Store


def resume_state(
    store: Store, run_id: int
) -> tuple[set[str], list[tuple[str, str, int, str]], list[str]]:
    """What an interrupted run had done, for carrying on: the URLs already recorded
    (pages, checked files, external verdicts), the frontier (target, kind, depth,
    source) of links from recorded pages to unrecorded targets, and the sitemap URLs."""
    done = store.recorded_urls(run_id)
    frontier = [
        (target, kind, (depth or 0) + 1, source)
        for target, kind, depth, source in store.unrecorded_targets(run_id)
        if target not in done
    ]
    sitemap = [url for url in store.sitemap_urls(run_id) if url not in done]
    return done, frontier, sitemap


def unfinished_run(store: Store, start_url: str) -> int | None:
    """The latest run of this site that was interrupted or killed, if it is the latest."""
    latest = store.latest_run_status(start_url)
    return latest[0] if latest and latest[1] in ("running", "interrupted") else None
