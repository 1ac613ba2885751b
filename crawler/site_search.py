"""The site's own search, asked the top tasks' phrases (`[[top_tasks]] search`).

Opt-in: nothing here runs unless a top task has search phrases. The spider hands over
the home page once it has read it; this finds the search form on it and searches for
each phrase in turn, then records the result links (rules.analyses.site_search) for the
rules `top-task-not-in-search` and `site-search-not-checked` to judge.

- Only a search form is ever submitted, and only with GET: a form with a text or search
  box that looks like site search (rules.analyses.forms.is_search_form). A search form
  that sends with POST is reported, never submitted, and so is one sending its words to
  another host. `[site_search] url` names the search address instead, for a search box
  the home page does not show as a form.
- Each search goes through the crawl's own downloader: robots.txt (a disallowed search
  page is reported as such: robots.txt wins), staging credentials (only to the hosts they
  are for), retries and timeouts, in a download slot of its own that sends one search at
  a time, keeping to the site's `[crawl] delay` or Crawl-delay, and waiting
  `[site_search] delay` seconds from one search's answer to the next search. The crawl's
  other requests carry on meanwhile.
- `[crawl] exclude` and `include` keep the crawl away from the search page, not these
  searches: the phrases ask for them, and the record says which setting they passed. The
  result pages are read for their links, never stored or crawled.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote_plus, urlencode, urljoin, urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from audits.core.config import PHRASE_PLACEHOLDER, TopTask
from crawler.failures import describe_failure
from crawler.plan import CrawlPlan
from crawler.responses import HTML_TYPES, content_type
from crawler.retries import Retries
from crawler.scope import Scope
from rules.analyses.forms import is_search_form, search_box, visitor_fields
from rules.analyses.site_search import (
    FORBIDDEN,
    HOME_UNREAD,
    NO_FORM,
    OFF_SITE,
    POST_ONLY,
    SEARCH_RULES,
    SEARCHED,
    SITE_SEARCH_STAT,
    SearchAsked,
    SiteSearchRecord,
)
from rules.page import Page, region_of
from rules.site import ROBOTS_FORBIDDEN
from rules.urls import absolute, host_of, normalise

logger = logging.getLogger(__name__)

MAX_RESULTS = 50
"""Result links kept per search: enough to say where a task came beyond the first ten."""
MAX_HOPS = 5
"""Redirects followed from a search address (a "best bet" straight to a page, or a move
to the results page)."""
_FURNITURE = frozenset({"header", "nav", "footer", "aside"})


@dataclass(frozen=True)
class SearchForm:
    """Where a search sends its words: `template` with PHRASE_PLACEHOLDER for them."""

    action: str
    template: str

    def address(self, phrase: str) -> str:
        """The search address for `phrase`, as a browser submitting the form builds it."""
        return self.template.replace(PHRASE_PLACEHOLDER, quote_plus(phrase))


@dataclass(frozen=True)
class FormLookup:
    """The search form found on a page, or why none can be used (an outcome of
    rules.analyses.site_search, with the form's address and a detail)."""

    form: SearchForm | None
    outcome: str
    action: str = ""
    detail: str = ""


def find_search_form(page: Page, is_internal: Callable[[str], bool]) -> FormLookup:
    """The page's first usable search form: a site search form sending with GET to one of
    the site's hosts, with a box for the words. Other forms are never considered."""
    refused: FormLookup | None = None
    for form in page.tree.iter("form"):
        box = search_box(form)
        if box is None or not is_search_form(form, visitor_fields(form)):
            continue
        resolved = absolute(page.base_url, form.get("action") or "") or (page.url, "")
        action = resolved[0].split("?", 1)[0]
        if (form.get("method") or "get").strip().lower() != "get":
            refused = refused or FormLookup(None, POST_ONLY, action)
            continue
        if not is_internal(action):
            refused = refused or FormLookup(None, OFF_SITE, action, host_of(action))
            continue
        # A GET form's data replaces the action's query string; hidden fields go too.
        hidden = [
            (el.get("name") or "", el.get("value") or "")
            for el in form.iter("input")
            if (el.get("type") or "").lower() == "hidden" and el.get("name")
        ]
        query = urlencode(hidden)
        box_part = f"{quote_plus(box.get('name') or '')}={PHRASE_PLACEHOLDER}"
        template = f"{action}?{query + '&' if query else ''}{box_part}"
        return FormLookup(SearchForm(action, template), SEARCHED, action)
    return refused or FormLookup(None, NO_FORM)


def configured_form(start_url: str, url: str) -> SearchForm:
    """The search `[site_search] url` names (a path or URL with PHRASE_PLACEHOLDER)."""
    template = urljoin(start_url, url)
    return SearchForm(template.split("?", 1)[0], template)


def result_links(page: Page, is_internal: Callable[[str], bool], search_path: str) -> list[str]:
    """A results page's result links, in order: links to the site in its main content
    (without one, in its body), not in a header, navigation, footer or aside there, each
    once, without the search's own pages (more results, "did you mean")."""
    root = page.main if page.main is not None else page.body
    found: list[str] = []
    for el in root.iter("a"):
        if region_of(el) in _FURNITURE:
            continue
        resolved = absolute(page.base_url, el.get("href") or "")
        if resolved is None:
            continue
        url = resolved[0]
        if not is_internal(url) or urlsplit(url).path == search_path or url in found:
            continue
        found.append(url)
        if len(found) == MAX_RESULTS:
            break
    return found


class SiteSearch:
    """Searches the site for the top tasks' phrases, once, from the home page."""

    def __init__(self, crawler: Crawler, plan: CrawlPlan, scope: Scope, retries: Retries) -> None:
        self.crawler = crawler
        self.plan = plan
        self.scope = scope
        self.retries = retries
        self.phrases: list[tuple[TopTask, str]] = [
            (task, phrase) for task in plan.config.top_tasks for phrase in task.search
        ]
        self.done = False

    @classmethod
    def planned(
        cls, crawler: Crawler, plan: CrawlPlan, scope: Scope, retries: Retries
    ) -> SiteSearch | None:
        """The site search of this crawl, or None: no task has phrases, the rules that
        read the results are turned off, or the crawl audits a list of pages (--urls)."""
        config = plan.config
        if plan.only_urls is not None or not any(task.search for task in config.top_tasks):
            return None
        if not any(config.rules.get(rule, {}).get("enabled", True) for rule in SEARCH_RULES):
            return None
        return cls(crawler, plan, scope, retries)

    async def search_from(self, response: Response) -> None:
        """Search with the form on the home page answered by `response` (once a crawl)."""
        url = normalise(response.url)
        if (
            response.status >= 400
            or not isinstance(response, TextResponse)
            or not content_type(response).startswith(HTML_TYPES)
        ):
            kind = content_type(response) or "no type"
            self.home_unread(url, f"it answered {response.status}, {kind}")
            return
        if self.done:
            return
        self.done = True
        began = time.monotonic()
        record = await self._search(Page(url=url, html=response.text))
        logger.info(
            "site search: %s, %d searches in %.1f s",
            record.outcome,
            sum(1 for asked in record.searches if asked.request),
            time.monotonic() - began,
        )
        self._keep(record)

    def home_unread(self, url: str, detail: str) -> None:
        """The home page could not be read (`detail` says how): nothing is searched."""
        if not self.done:
            self.done = True
            self._keep(self._unasked(HOME_UNREAD, url, detail=detail))

    def _keep(self, record: SiteSearchRecord) -> None:
        stats = self.crawler.stats
        assert stats is not None
        stats.set_value(SITE_SEARCH_STAT, record.to_stat())

    def _unasked(
        self, outcome: str, page: str, action: str = "", detail: str = ""
    ) -> SiteSearchRecord:
        return SiteSearchRecord(
            outcome,
            page,
            form=action,
            detail=detail,
            results_wanted=self.plan.config.site_search.results,
            searches=tuple(self._asked(task, phrase, "") for task, phrase in self.phrases),
        )

    @staticmethod
    def _asked(
        task: TopTask,
        phrase: str,
        request: str,
        *,
        status: int | None = None,
        error: str | None = None,
        landed: str = "",
        results: tuple[str, ...] = (),
    ) -> SearchAsked:
        return SearchAsked(
            task.name, phrase, request, task.url, task.pattern, status, error, landed, results
        )

    async def _search(self, home: Page) -> SiteSearchRecord:
        settings = self.plan.config.site_search
        if settings.url:
            form = configured_form(self.plan.start_url, settings.url)
            lookup = FormLookup(form, SEARCHED, form.action)
            if not self.scope.is_internal(form.action):
                lookup = FormLookup(None, OFF_SITE, form.action, host_of(form.action))
        else:
            lookup = find_search_form(home, self.scope.is_internal)
        if lookup.form is None:
            return self._unasked(lookup.outcome, home.url, lookup.action, lookup.detail)
        form = lookup.form
        slot = self._slot(form.action)
        searches: list[SearchAsked] = []
        for n, (task, phrase) in enumerate(self.phrases):
            if n:
                # From one answer to the next search, so the site sees the gap whole.
                await asyncio.sleep(settings.delay)
            address = form.address(phrase)
            asked = await self._ask(task, phrase, address, slot, form.action)
            searches.append(asked)
            if asked.error == ROBOTS_FORBIDDEN:
                # The same page for every phrase: robots.txt wins, and once says so.
                rest = [self._asked(t, p, "") for t, p in self.phrases[n + 1 :]]
                path = urlsplit(form.action).path or "/"
                return SiteSearchRecord(
                    FORBIDDEN,
                    home.url,
                    form=form.action,
                    detail=f"robots.txt disallows {path}",
                    results_wanted=settings.results,
                    searches=(*searches, *rest),
                )
        return SiteSearchRecord(
            SEARCHED,
            home.url,
            form=form.action,
            results_wanted=settings.results,
            excluded_by=self._excluded_by(form.action),
            searches=tuple(searches),
        )

    def _excluded_by(self, url: str) -> str:
        """The `[crawl]` setting that keeps the crawl off `url`, in words; '' if none."""
        excluding = next((p.pattern for p in self.scope.exclude if p.search(url)), None)
        if excluding is not None:
            return f'[crawl] exclude "{excluding}"'
        if self.scope.include and not self.scope.wanted(url):
            return "[crawl] include (it matches none of its patterns)"
        return ""

    def _slot(self, action: str) -> str:
        """A download slot for the searches: one at a time, and the site's own delay
        between them (`[crawl] delay` or robots.txt's Crawl-delay) as for its pages."""
        downloader = self.crawler.engine.downloader
        host = host_of(action).split(":")[0]
        site_delay = downloader.per_slot_settings.get(host, {}).get("delay", 0.0)
        key = f"siteaudit-search:{host}"
        downloader.per_slot_settings[key] = {"concurrency": 1, "delay": site_delay}
        return key

    async def _ask(
        self, task: TopTask, phrase: str, address: str, slot: str, action: str
    ) -> SearchAsked:
        """One search: its answer, redirects followed on the site, result links read."""
        meta = {"download_slot": slot, "siteaudit": "search"}
        request: scrapy.Request | None = scrapy.Request(address, meta=meta, dont_filter=True)
        hops = 0
        engine = self.crawler.engine
        while request is not None:
            try:
                response = await engine.download_async(request)
            except Exception as exc:  # robots.txt, or the network: said in words
                error = describe_failure(Failure(exc), self.plan.crawl.timeout)
                return self._asked(task, phrase, address, error=error)
            request = await self.retries.retry(response) if response.status >= 400 else None
            location = response.headers.get("Location")
            if request is None and 300 <= response.status < 400 and location and hops < MAX_HOPS:
                target = normalise(urljoin(response.url, location.decode("latin-1")))
                if self.scope.is_internal(target):
                    hops += 1
                    request = scrapy.Request(target, meta=meta, dont_filter=True)
                else:
                    return self._asked(task, phrase, address, status=response.status, landed=target)
        landed = normalise(response.url) if hops else ""
        results: list[str] = []
        if isinstance(response, TextResponse) and content_type(response).startswith(HTML_TYPES):
            page = Page(url=normalise(response.url), html=response.text)
            results = result_links(page, self.scope.is_internal, urlsplit(action).path)
        return self._asked(
            task, phrase, address, status=response.status, landed=landed, results=tuple(results)
        )
