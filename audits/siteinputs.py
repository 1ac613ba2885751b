"""Whether a crawl found what an earlier one found, so the site rules can be skipped.

The site rules read the store: pages and their records, links, the statuses of link
targets, sitemap entries, traps, and the site's "not found" page title. An incremental
re-audit of a site that has not changed finds all of these again, identical, and the
site rules (with the same rule settings and siteaudit version, which the incremental base
run guarantees) would give the same results. A digest of the inputs says whether that is
so; when it is, the results are carried over: click depths, sitemap flags, findings and
rule errors. Rules with an `as_of` option depend on the date as well, and always run.

What goes into the digest leaves out what differs between two crawls of the same site:
when a URL was fetched, how long it took, at what crawl depth it was met.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable
from typing import Any

from audits.store import Store
from rules.site import SOFT_404_TITLE_STAT

_INPUTS = (
    # Every in-scope URL's record. An HTML page's content hash stands for its links. A
    # redirect's record holds its last hop's status, or its own 3xx when the crawl had
    # claimed the target already: the outcome is the target's own record either way.
    "SELECT u.url, f.url, CASE WHEN p.redirects = '[]' THEN p.status END, "
    "p.content_type, p.is_html, p.content_hash, p.error, "
    "p.redirects, p.facts FROM pages p JOIN urls u ON u.id = p.url_id "
    "LEFT JOIN urls f ON f.id = p.final_url_id WHERE p.run_id = ? ORDER BY u.url",
    # Links from what has no content hash (documents read for their links).
    "SELECT s.url, t.url, l.fragment, l.text, l.kind, l.region, l.selector FROM links l "
    "JOIN pages p ON p.run_id = l.run_id AND p.url_id = l.source_id "
    "JOIN urls s ON s.id = l.source_id JOIN urls t ON t.id = l.target_id "
    "WHERE l.run_id = ? AND p.content_hash IS NULL ORDER BY s.url, t.url, l.selector",
    "SELECT u.url, s.status, s.error, s.final_url FROM link_status s "
    "JOIN urls u ON u.id = s.url_id WHERE s.run_id = ? ORDER BY u.url",
    "SELECT u.url, m.lastmod FROM sitemap_urls m JOIN urls u ON u.id = m.url_id "
    "WHERE m.run_id = ? ORDER BY u.url",
    "SELECT pattern, reason, example, source, variants FROM traps WHERE run_id = ? "
    "ORDER BY pattern",
)


def site_inputs_digest(store: Store, run_id: int) -> str:
    """A digest of everything the site rules read from one run."""
    digest = hashlib.sha256()
    for query in _INPUTS:
        for row in store.db.execute(query, (run_id,)):
            digest.update(repr(row).encode())
        digest.update(b"\x00")
    soft_404 = store.run(run_id).stats.get(SOFT_404_TITLE_STAT)
    digest.update(json.dumps(soft_404).encode())
    return digest.hexdigest()


DIGEST_STAT = "siteaudit/site_inputs"
"""Where a run's digest is kept (in its stats), for the next run to compare with."""


def remember_site_inputs(store: Store, run_id: int) -> str:
    """Work out a run's digest and keep it with the run."""
    digest = site_inputs_digest(store, run_id)
    store.save_stats(run_id, {**store.run(run_id).stats, DIGEST_STAT: digest})
    return digest


def site_inputs_of(store: Store, run_id: int) -> str:
    """A run's digest: the one kept with it, else worked out now."""
    return store.run(run_id).stats.get(DIGEST_STAT) or site_inputs_digest(store, run_id)


def dated_rules(rules: Iterable[Any]) -> list[Any]:
    """The rules whose results depend on the date (they have an `as_of` option)."""
    return [rule for rule in rules if "as_of" in {f.name for f in dataclasses.fields(rule.Options)}]


def carry_site_results(store: Store, run_id: int, previous: int, rule_ids: list[str]) -> None:
    """Copy the site stage's results for `rule_ids` (and the click depths and sitemap
    flags) from the previous run."""
    db = store.db
    db.execute(
        "UPDATE pages SET "
        "click_depth = (SELECT o.click_depth FROM pages o "
        "WHERE o.run_id = ? AND o.url_id = pages.url_id), "
        "in_sitemap = COALESCE((SELECT o.in_sitemap FROM pages o "
        "WHERE o.run_id = ? AND o.url_id = pages.url_id), 0) "
        "WHERE run_id = ?",
        (previous, previous, run_id),
    )
    marks = ",".join("?" * len(rule_ids))
    db.execute(
        "INSERT INTO findings(run_id, rule, category, severity, url, target, message, "
        "selector, snippet, evidence, pages, fingerprint) SELECT ?, rule, category, "
        "severity, url, target, message, selector, snippet, evidence, pages, fingerprint "
        f"FROM findings WHERE run_id = ? AND rule IN ({marks})",
        (run_id, previous, *rule_ids),
    )
    db.execute(
        "INSERT INTO rule_errors(run_id, rule, url, error) SELECT ?, rule, url, error "
        f"FROM rule_errors WHERE run_id = ? AND rule IN ({marks})",
        (run_id, previous, *rule_ids),
    )
