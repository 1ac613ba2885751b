"""form-too-deep: forms for council services buried many clicks from the home page."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

from audits.urls import normalise
from rules.base import Category, Finding, Severity, SiteRule, option
from rules.page import Page, collapse, region_of, selector_of
from rules.site import Site

# Inputs a visitor never types into.
_NON_FIELD_TYPES = frozenset({"hidden", "submit", "button", "image", "reset"})
_SEARCH_NAMES = frozenset({"q", "query", "search", "s", "keywords", "keyword", "term"})
_TEXT_TYPES = frozenset({"text", "search", ""})
# Site-wide widgets live in these regions; a service form lives in the page content.
_FURNITURE_REGIONS = frozenset({"header", "nav", "footer"})
_COOKIE_HINTS = ("cookie", "consent")
_NEWSLETTER_HINTS = ("subscribe", "newsletter", "mailing-list", "mailinglist")
_FEEDBACK_HINTS = ("feedback", "page-useful", "pageuseful", "helpful")
_FEEDBACK_PHRASES = (
    "was this page useful",
    "is this page useful",
    "was this page helpful",
    "was this information helpful",
    "did you find what you were looking for",
    "is there anything wrong with this page",
)
_CONTENT_ROOTS = frozenset({"main", "article", "body", "html"})


def _marker(el: etree._Element) -> str:
    return f"{el.get('id', '')} {el.get('class', '')}".lower()


def _fields(form: etree._Element) -> list[etree._Element]:
    """The controls a visitor fills in (not hidden inputs or buttons)."""
    fields = []
    for el in form.iter("input", "select", "textarea"):
        if el.tag == "input" and (el.get("type") or "").strip().lower() in _NON_FIELD_TYPES:
            continue
        fields.append(el)
    return fields


def is_search_form(form: etree._Element, fields: list[etree._Element]) -> bool:
    """Site search: role=search, a search action, or one text box called q/query/search..."""
    if any(node.get("role") == "search" for node in (form, *form.iterancestors())):
        return True
    if "search" in (form.get("action") or "").lower():
        return True
    if len(fields) != 1 or fields[0].tag != "input":
        return False
    field = fields[0]
    kind = (field.get("type") or "").strip().lower()
    name = (field.get("name") or "").strip().lower()
    return kind == "search" or (kind in _TEXT_TYPES and name in _SEARCH_NAMES)


def is_newsletter_form(form: etree._Element, fields: list[etree._Element]) -> bool:
    """Newsletter sign-up: named so, or nothing to fill in but an email address."""
    for node in (form, *_wrappers(form)):
        words = f"{node.get('action', '')} {_marker(node)}".lower()
        if any(hint in words for hint in _NEWSLETTER_HINTS):
            return True
    if len(fields) != 1 or fields[0].tag != "input":
        return False
    field = fields[0]
    return (field.get("type") or "").lower() == "email" or "email" in (
        field.get("name") or ""
    ).lower()


def is_cookie_form(form: etree._Element) -> bool:
    """Cookie consent: the form or its wrapper is about cookies or consent."""
    return any(
        any(hint in _marker(node) for hint in _COOKIE_HINTS) for node in (form, *_wrappers(form))
    )


def is_feedback_form(form: etree._Element) -> bool:
    """A 'was this page useful?' widget or other page-feedback form."""
    for node in (form, *_wrappers(form)):
        words = f"{node.get('action', '')} {_marker(node)}".lower()
        if any(hint in words for hint in _FEEDBACK_HINTS):
            return True
    # The question is the form's legend or label, or the heading just before it.
    before = form.getprevious()
    texts = [" ".join(form.itertext())]
    if before is not None and isinstance(before.tag, str):
        texts.append(" ".join(before.itertext()))
    asked = collapse(" ".join(texts)).lower()
    return any(phrase in asked for phrase in _FEEDBACK_PHRASES)


def _wrappers(el: etree._Element) -> Iterator[etree._Element]:
    """Ancestors below the content root: a widget's own wrapper, not the page's.

    Stopping there matters: a body class such as "cookies-accepted" says nothing about
    the forms on the page.
    """
    for ancestor in el.iterancestors():
        if ancestor.tag in _CONTENT_ROOTS or ancestor.get("role") == "main":
            return
        yield ancestor


def is_transactional_form(form: etree._Element) -> bool:
    """A form for doing something (apply, report, pay, book), not a site widget."""
    fields = _fields(form)
    if not fields:
        return False  # a lone button: accept cookies, log out, change language
    if region_of(form) in _FURNITURE_REGIONS:
        return False
    return not (
        is_search_form(form, fields)
        or is_newsletter_form(form, fields)
        or is_cookie_form(form)
        or is_feedback_form(form)
    )


def shortest_click_path(
    graph: Mapping[str, Iterable[str]], start: str, goal: str
) -> list[str] | None:
    """Fewest-clicks path from start to goal (both included), or None if unreachable."""
    return click_paths(graph, start, (goal,)).get(goal)


def click_paths(
    graph: Mapping[str, Iterable[str]], start: str, goals: Iterable[str]
) -> dict[str, list[str]]:
    """Breadth-first search from start: the shortest path to each reachable goal.

    One search serves every goal, so a site with many deep forms costs one walk.
    """
    wanted = set(goals)
    parent: dict[str, str | None] = {start: None}
    queue = deque([start])
    remaining = wanted - {start}
    while queue and remaining:
        node = queue.popleft()
        for nxt in graph.get(node, ()):
            if nxt in parent:
                continue
            parent[nxt] = node
            remaining.discard(nxt)
            queue.append(nxt)
    paths = {}
    for goal in wanted:
        if goal not in parent:
            continue
        path: list[str] = []
        step: str | None = goal
        while step is not None:
            path.append(step)
            step = parent[step]
        paths[goal] = path[::-1]
    return paths


def link_graph(site: Site) -> tuple[dict[str, set[str]], dict[str, str], dict[str, str]]:
    """The site's click graph with redirects followed, the redirect map and page titles.

    A link to X that redirected lands on X's final URL, so edges point there; sources are
    mapped the same way in case links were recorded under the requested address.
    """
    redirect: dict[str, str] = {}
    titles: dict[str, str] = {}
    for info in site.pages():
        if info.final_url and info.final_url != info.url:
            redirect[info.url] = info.final_url
        titles.setdefault(info.url, info.title)
        titles.setdefault(info.final_url or info.url, info.title)
    graph: dict[str, set[str]] = {}
    for row in site.links(kinds=("a", "area")):
        source = redirect.get(row.source, row.source)
        target = redirect.get(row.url, row.url)
        if target != source:
            graph.setdefault(source, set()).add(target)
    return graph, redirect, titles


class FormTooDeep(SiteRule):
    """Flag pages with a service form that take too many clicks to reach, or none at all."""

    id = "form-too-deep"
    title = "Online form is hard to find"
    category = Category.FORMS
    severity = Severity.MEDIUM
    summary = (
        "Finds pages with a form for a council service (not search, newsletter, cookie or "
        "feedback forms) and checks how many clicks it takes to reach them from the home "
        "page. Flags forms more than 3 clicks deep and forms no link leads to at all."
    )
    why = (
        "Online forms are the cheapest and often the quickest way for residents to get "
        "things done. Every extra click loses people, and many then phone or visit instead. "
        "A form that no page links to can only be found through a search engine or the "
        "sitemap, so most people will never find it."
    )
    how_to_fix = (
        "Follow the click path in the evidence and look for the pages people pass through. "
        "Add a direct link to the form from the service's main page and, for popular "
        "services, from the home page or a top-level section page. Use the words residents "
        "use, such as 'Report a missed bin'. If no page links to the form, add a link from "
        "the page about that service, or remove the form if it is no longer used."
    )
    references = (
        "https://www.w3.org/WAI/WCAG22/Understanding/multiple-ways.html",
        "https://www.gov.uk/guidance/content-design/planning-content",
    )

    @dataclass(frozen=True)
    class Options:
        """Options of form-too-deep."""

        max_clicks: int = option(
            3, "Most clicks from the home page a page with a service form should need"
        )

    def page_facts(self, page: Page) -> Any:
        """{'forms': n, 'title': ..., 'selector': ...} for pages with service forms, else None."""
        forms = [form for form in page.tree.iter("form") if is_transactional_form(form)]
        if not forms:
            return None
        return {"forms": len(forms), "title": page.title, "selector": selector_of(forms[0])}

    def check_site(self, site: Site) -> Iterator[Finding]:
        """Findings for deep and orphaned form pages, with a click path for deep ones."""
        facts = site.facts(self.id)
        limit = self.options.max_clicks
        deep: list[tuple[str, int, Mapping[str, Any]]] = []
        for url in sorted(facts):
            info = site.page(url)
            if info is None or not facts[url]:
                continue
            title = facts[url].get("title") or info.title
            if info.click_depth is None:
                yield self.finding(
                    url,
                    f'The form page "{title}" can only be found via the sitemap or search: '
                    "no link on the site leads to it",
                    severity=Severity.HIGH,
                    selector=facts[url].get("selector"),
                    evidence={
                        "click_depth": None,
                        "max_clicks": limit,
                        "in_sitemap": info.in_sitemap,
                    },
                )
            elif info.click_depth > limit:
                deep.append((url, info.click_depth, facts[url]))
        if not deep:
            return
        graph, redirect, titles = link_graph(site)
        start = normalise(site.start_url)
        start = redirect.get(start, start)
        goals = {url: redirect.get(url, url) for url, _, _ in deep}
        paths = click_paths(graph, start, goals.values())
        for url, depth, page_facts in deep:
            title = page_facts.get("title") or titles.get(url, "")
            path = paths.get(goals[url], [])
            yield self.finding(
                url,
                f'The form page "{title}" is {depth} clicks from the home page '
                f"(aim for {limit} or fewer)",
                severity=Severity.HIGH if depth > limit + 2 else Severity.MEDIUM,
                selector=page_facts.get("selector"),
                evidence={
                    "click_depth": depth,
                    "max_clicks": limit,
                    "path": [{"url": step, "title": titles.get(step, "")} for step in path],
                },
            )
