"""The crawl plan: everything one crawl needs to know before its first request.

The engine (audits/engine.py) builds it from the audit's configuration and the store, and
hands it to the spider as its one argument. The spider then opens no store and reads no
configuration file: what earlier runs left behind (a resumed run's frontier, the
validators of an incremental re-audit, recent verdicts on external links) arrives here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from audits.core.config import AuditConfig, CrawlConfig
from audits.core.credentials import CredentialScope, from_environment
from crawler.frontier import SharedFrontier
from rules.urls import normalise

Verdict = tuple[int, str, str]
"""An external link's earlier verdict: (status, final URL, when it was checked)."""


@dataclass(frozen=True)
class CarryOn:
    """Where a crawl that carries on from a store begins: a resumed run, the pages an
    incremental re-audit carried over, a shared crawl's next round."""

    done: frozenset[str]
    """URLs the store holds already, claimed before anything is requested (empty when a
    shared crawl's coordinator claimed them for every worker)."""
    links: tuple[tuple[str, str, int, str], ...]
    """The frontier: (target, kind, depth, source) of links to targets not recorded yet."""
    sitemap: tuple[str, ...]
    """Sitemap URLs not recorded yet."""


@dataclass(frozen=True)
class EarlierRun:
    """The run an incremental re-audit builds on: a page that answers 304 Not Modified to
    its validators is carried over from it, and its earlier links are followed."""

    run_id: int
    validators: Mapping[str, tuple[str | None, str | None]]
    """URL -> (ETag, Last-Modified) the page answered with then."""
    links_from: Callable[[str], list[tuple[str, str]]]
    """(target, kind) of the links a page had then; read from the store on demand."""


@dataclass(frozen=True)
class CrawlPlan:
    """What to crawl, how, and from where."""

    start_url: str
    config: AuditConfig
    """`[crawl]` shapes the walk; the page analyser takes the rules and `[content]`."""
    credentials: CredentialScope
    """Staging credentials and their hosts: fixed now, whatever the crawl's scope becomes."""
    only_urls: frozenset[str] | None = None
    """With --urls: the pages to audit; every other link target gets a status check."""
    frontier: SharedFrontier | None = None
    """The claims of a crawl shared through Redis; None keeps them in this process."""
    seed: bool = True
    """False for a worker joining a shared crawl: its first requests come from Redis."""
    carry_on: CarryOn | None = None
    earlier: EarlierRun | None = None
    known_external: Mapping[str, Verdict] = field(default_factory=dict)
    """OK verdicts on external links from the site's recent runs, reused, not asked again."""

    @property
    def crawl(self) -> CrawlConfig:
        """The `[crawl]` settings."""
        return self.config.crawl

    @property
    def shared(self) -> bool:
        """True for a worker of a crawl shared through Redis (audits.stages.shared_crawl)."""
        return self.frontier is not None

    @classmethod
    def for_url(cls, start_url: str) -> CrawlPlan:
        """The plan of a bare `scrapy crawl site -a start_url=URL`: default settings, the
        credentials in the environment, nothing carried over."""
        start_url = normalise(start_url)
        config = AuditConfig()
        credentials = CredentialScope.for_site(from_environment(), start_url, config.crawl.hosts)
        return cls(start_url, config, credentials)
