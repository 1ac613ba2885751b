"""Whether a crawl found what an earlier one found, so the site rules can be skipped.

The site rules read the store: pages and their records, links, the statuses of link
targets, sitemap entries, traps, the site's "not found" page title and what its own
search gave. An incremental re-audit of a site that has not changed finds all of these
again, identical, and the site rules (with the same rule settings and siteaudit version,
which the incremental base run guarantees) would give the same results. A digest of the
inputs says whether that is so; when it is, the results are carried over: click depths,
sitemap flags, findings and rule errors. Rules with an `as_of` option depend on the date
as well, and always run.

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
from rules.analyses.site_search import SITE_SEARCH_STAT
from rules.site import SOFT_404_TITLE_STAT


def site_inputs_digest(store: Store, run_id: int) -> str:
    """A digest of everything the site rules read from one run."""
    digest = hashlib.sha256()
    for rows in store.site_inputs(run_id):
        for row in rows:
            digest.update(_row_bytes(row))
        digest.update(b"\x00")
    stats = store.run(run_id).stats
    # The site's own search can change while its pages don't.
    for key in (SOFT_404_TITLE_STAT, SITE_SEARCH_STAT):
        digest.update(json.dumps(stats.get(key), sort_keys=True).encode())
    return digest.hexdigest()


def _row_bytes(row: tuple[object, ...]) -> bytes:
    """One row for the digest: each text as its UTF-8 after its length, anything else
    (numbers, None) as its repr. A page's facts are kilobytes of JSON; repr escaping
    them took three quarters of the digest's Python time."""
    parts = []
    for value in row:
        if isinstance(value, str):
            data = value.encode(errors="surrogatepass")
            parts += (b"s%d:" % len(data), data)
        else:
            parts.append(b"r" + repr(value).encode() + b";")
    return b"".join(parts) + b"\n"


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
    store.carry_click_depths(run_id, previous)
    store.carry_findings(run_id, previous, rule_ids)
