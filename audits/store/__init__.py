"""The audit store: one SQLite file holding every run of a site.

WAL mode so a report can read while a crawl writes; writes are batched by callers
inside `transaction()`. URLs are interned in `urls` (pages and links refer to them by
id), which keeps a 10,000-page run's link graph small. The schema is versioned with
`PRAGMA user_version`; `MIGRATIONS[n]` upgrades version n to n + 1.
"""

from __future__ import annotations

from audits.store.base import StoreError, now
from audits.store.browser import BrowserStore
from audits.store.findings import FindingsStore, StoredFinding
from audits.store.links import LinksStore
from audits.store.pages import PagesStore
from audits.store.retention import PRUNED_STAT, RetentionStore
from audits.store.runs import RunInfo, RunsStore
from audits.store.schema import MIGRATIONS, SCHEMA_VERSION
from audits.store.services import ServicesStore
from audits.store.site import StoredSite

__all__ = [
    "MIGRATIONS",
    "PRUNED_STAT",
    "SCHEMA_VERSION",
    "RunInfo",
    "Store",
    "StoreError",
    "StoredFinding",
    "StoredSite",
    "now",
]


class Store(
    RetentionStore,
    PagesStore,
    LinksStore,
    FindingsStore,
    BrowserStore,
    RunsStore,
    ServicesStore,
):
    """An open store. One writer at a time; readers may share the file."""

    def site(self, run_id: int) -> StoredSite:
        """The run's crawl as a `rules.site.Site`."""
        return StoredSite(self, run_id)
