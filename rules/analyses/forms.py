"""Online forms: which forms are services, which links lead to one, and how far they are.

Shared by the forms rules (`form-too-deep`, `form-inventory`, `form-page-broken`,
`top-task-too-deep`) and the contact rules that need to know where the online option is.

- Which `<form>` is a service form (apply, report, pay, book) rather than site furniture
  (search, newsletter sign-up, cookie consent, a "was this page useful?" widget):
  heuristics, overridden by CSS selectors from config (`form_selectors`,
  `not_form_selectors`).
- Which link is an online option: a link to a form platform (`form_hosts`), to a path
  that names a form (/forms/..., /apply-for-...), or with words such as "Apply online".
- Where each form sits: how many clicks from the home page (`rules.analyses.click_graph`),
  which pages and documents link to it (`form_entries`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from cssselect import SelectorError
from lxml import etree

from rules.analyses.click_graph import ClickGraph, click_graph
from rules.base import option
from rules.page import Page, collapse, css_selector, region_of, selector_of
from rules.site import Site, memo

DEFAULT_FORM_HOSTS = (
    "forms.office.com",
    "docs.google.com/forms",
    "forms.gle",
    "jotform.com",
    "achieveservice.com",
    "firmstep.com",
    "form.gov.uk",
    "forms.service.gov.uk",
    "surveymonkey.co.uk",
    "surveymonkey.com",
    "smartsurvey.co.uk",
    "citizenspace.com",
    "granicus.com",
    "govdelivery.com",
    "eformsdirect.com",
    "liberty-cloud.co.uk",
    "civicaepay.co.uk",
)
DEFAULT_FORM_PATHS = ("form", "forms", "eform", "eforms", "apply", "webform")
# A verb of doing followed by "online", or a link that starts with such a verb
# ("Report a missed bin", "Apply for a blue badge", "Pay your council tax"), unless it
# goes on to offer a non-online channel ("Pay by phone").
DEFAULT_ONLINE_TEXT = (
    r"\b(?:apply|report|pay|book|request|order|renew|register|claim|check|tell us|contact us"
    r"|complete|submit|make|cancel|change|update)\b.{0,40}\bonline\b"
    r"|^(?:apply|report|pay|book|request|order|renew|register|claim|cancel|start now|submit"
    r"|sign up)\b(?!.*\b(?:by (?:phone|telephone|post|cheque)|in person)\b)"
)

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


# -- which forms are service forms -------------------------------------------------------


def _marker(el: etree._Element) -> str:
    return f"{el.get('id', '')} {el.get('class', '')}".lower()


def visitor_fields(form: etree._Element) -> list[etree._Element]:
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
    field_ = fields[0]
    kind = (field_.get("type") or "").strip().lower()
    name = (field_.get("name") or "").strip().lower()
    return kind == "search" or (kind in _TEXT_TYPES and name in _SEARCH_NAMES)


def search_box(form: etree._Element) -> etree._Element | None:
    """The named box a search form's words go in: a search box, else a text box called
    q/query/search..., else its only text box; None when there is no such box."""
    boxes = [
        el
        for el in form.iter("input")
        if (el.get("type") or "").strip().lower() in _TEXT_TYPES and (el.get("name") or "").strip()
    ]
    for el in boxes:
        if (el.get("type") or "").strip().lower() == "search":
            return el
    for el in boxes:
        if el.get("name", "").strip().lower() in _SEARCH_NAMES:
            return el
    return boxes[0] if len(boxes) == 1 else None


def is_newsletter_form(form: etree._Element, fields: list[etree._Element]) -> bool:
    """Newsletter sign-up: named so, or nothing to fill in but an email address."""
    for node in (form, *_wrappers(form)):
        words = f"{node.get('action', '')} {_marker(node)}".lower()
        if any(hint in words for hint in _NEWSLETTER_HINTS):
            return True
    if len(fields) != 1 or fields[0].tag != "input":
        return False
    field_ = fields[0]
    return (field_.get("type") or "").lower() == "email" or "email" in (
        field_.get("name") or ""
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
    fields = visitor_fields(form)
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


def check_selectors(selectors: tuple[str, ...], name: str) -> None:
    """Raise ValueError naming the option when a selector is not valid CSS."""
    for selector in selectors:
        try:
            css_selector(selector)
        except SelectorError as exc:
            raise ValueError(f"{name}: {selector!r} is not a CSS selector ({exc})") from None


def _matched(page: Page, selectors: tuple[str, ...]) -> set[etree._Element]:
    found: set[etree._Element] = set()
    for selector in selectors:
        found.update(css_selector(selector)(page.tree))
    return found


def _inside(el: etree._Element, marked: set[etree._Element]) -> bool:
    return el in marked or any(a in marked for a in el.iterancestors())


def service_forms(
    page: Page, form_selectors: tuple[str, ...] = (), not_form_selectors: tuple[str, ...] = ()
) -> list[etree._Element]:
    """The page's service forms, in document order (cached per page and selectors).

    An element matching `form_selectors` is a service form whatever the heuristics say,
    even when it is not a `<form>` (a JavaScript form's container); a form inside an
    element matching `not_form_selectors` never is.
    """
    return page.memo(_service_forms, form_selectors, not_form_selectors)


def _service_forms(
    page: Page, form_selectors: tuple[str, ...], not_form_selectors: tuple[str, ...]
) -> list[etree._Element]:
    excluded = _matched(page, not_form_selectors) if not_form_selectors else set()
    included = _matched(page, form_selectors) if form_selectors else set()
    forms: list[etree._Element] = []
    for el in page.tree.iter("form"):
        if excluded and _inside(el, excluded):
            continue
        if (included and _inside(el, included)) or is_transactional_form(el):
            forms.append(el)
    # Marked containers without a <form> of their own (a JavaScript form) count too.
    for el in included:
        if _is_form_container(el, included, excluded):
            forms.append(el)
    if included:
        order = {el: n for n, el in enumerate(page.tree.iter())}
        forms.sort(key=lambda el: order.get(el, 0))
    return forms


def _is_form_container(
    el: etree._Element, included: set[etree._Element], excluded: set[etree._Element]
) -> bool:
    """A marked element with no <form> inside, not inside another marked or excluded one."""
    if el.tag == "form" or next(el.iter("form"), None) is not None:
        return False
    if excluded and _inside(el, excluded):
        return False
    return not any(a in included for a in el.iterancestors())


@dataclass(frozen=True)
class FormOptions:
    """Options every rule that finds service forms on pages takes (set them alike)."""

    form_selectors: tuple[str, ...] = option(
        (),
        "CSS selectors of service forms the heuristics miss (any element, such as a "
        "JavaScript form's container)",
    )
    not_form_selectors: tuple[str, ...] = option(
        (),
        "CSS selectors of forms (or their wrappers) that are never service forms, such as "
        "a site-wide widget",
    )
    form_hosts: tuple[str, ...] = option(
        DEFAULT_FORM_HOSTS,
        "Hosts (optionally host/path) of online form platforms; a link there is an online form",
    )

    def __post_init__(self) -> None:
        """Reject selectors that are not valid CSS."""
        check_selectors(self.form_selectors, "form_selectors")
        check_selectors(self.not_form_selectors, "not_form_selectors")


@dataclass(frozen=True)
class FormLinkOptions:
    """How a link to an online form is told, by its host, its path or its words: options
    of every rule that looks for such links (form-page-broken, phone-before-online,
    phone-only-service), so they are set alike."""

    form_hosts: tuple[str, ...] = option(
        DEFAULT_FORM_HOSTS,
        "Hosts (optionally host/path) of online form platforms; a link there leads to a form",
    )
    form_paths: tuple[str, ...] = option(
        DEFAULT_FORM_PATHS,
        "Path words that mark a link to a form, matched as a whole path segment or its "
        "start (/forms/..., /apply-for-...)",
    )
    online_text: str = option(
        DEFAULT_ONLINE_TEXT,
        "Regular expression (case-insensitive) matched against link text to recognise "
        "a link to an online form",
    )

    def __post_init__(self) -> None:
        """Reject an `online_text` that is not a valid regular expression (after any
        checks of the other options classes a rule's options build on)."""
        checks = getattr(super(), "__post_init__", None)
        if checks is not None:
            checks()
        compile_online_text(self.online_text)


def form_page_facts(page: Page, options: FormOptions) -> dict[str, Any] | None:
    """{'forms': n, 'title': ..., 'selector': ...} for a page with service forms, else None."""
    forms = service_forms(page, options.form_selectors, options.not_form_selectors)
    if not forms:
        return None
    return {"forms": len(forms), "title": page.title, "selector": selector_of(forms[0])}


# -- which links lead to an online form --------------------------------------------------


def host_matches(url: str, entries: tuple[str, ...]) -> bool:
    """Whether a URL is on one of the form platforms (`host` or `host/path-prefix`)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    path = parts.path.lower()
    for entry in entries:
        entry_host, _, entry_path = entry.lower().partition("/")
        if host != entry_host and not host.endswith("." + entry_host):
            continue
        if not entry_path or path.startswith("/" + entry_path):
            return True
    return False


def path_matches(url: str, names: tuple[str, ...]) -> bool:
    """Whether a path segment is a form word: /forms/..., /apply-for-a-permit, /form.aspx.

    Whole words only, so /formal-complaints and /information do not count.
    """
    for segment in urlsplit(url).path.lower().split("/"):
        stem = segment.split(".", 1)[0]
        if any(stem == name or stem.startswith(name + "-") for name in names):
            return True
    return False


@lru_cache(maxsize=16)
def compile_online_text(pattern: str) -> re.Pattern[str]:
    """The online-option link text pattern, case-insensitive (ValueError if invalid)."""
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"online_text is not a valid regular expression: {exc}") from None


# -- the forms inventory -----------------------------------------------------------------


@dataclass(frozen=True)
class FormEntry:
    """One online form: a page with a service form, or a form on a form platform."""

    url: str
    kind: str
    """"page" (a page of the site with a service form) or "platform" (a form platform)."""
    title: str
    selector: str | None
    clicks: int | None
    """Fewest clicks from the home page over HTML links; None when none lead there."""
    path: tuple[str, ...]
    document_path: tuple[str, ...]
    """Fewest-clicks path when links inside documents count too; () when none."""
    sources: tuple[str, ...]
    """Pages of the site that link to it (HTML pages, not documents), sorted."""
    documents: tuple[str, ...]
    """Documents (PDFs) that link to it, sorted."""
    from_home: bool
    hub: str | None
    """The section page (first path segment) linking to it, if one does."""
    in_sitemap: bool
    fallback_clicks: int | None = None
    """The crawl's own click depth, used when no recorded link leads there."""

    @property
    def orphaned(self) -> bool:
        """No link path from the home page at all, even through documents."""
        return self.clicks is None and not self.document_path and self.fallback_clicks is None

    @property
    def only_in_document(self) -> bool:
        """Reachable only through a link inside a document."""
        return self.clicks is None and bool(self.document_path)

    @property
    def depth(self) -> int | None:
        """Clicks over HTML links, else the crawl's click depth when no links are known."""
        if self.clicks is not None:
            return self.clicks
        return None if self.document_path else self.fallback_clicks

    def evidence(self, graph: ClickGraph) -> dict[str, Any]:
        """What the inventory records about the form, JSON-ready."""
        return {
            "form_url": self.url,
            "form_kind": self.kind,
            "title": self.title,
            "click_depth": self.depth,
            "path": graph.breadcrumb(self.path),
            "linked_from_pages": len(self.sources),
            "linked_from_home": self.from_home,
            "linked_from_hub": self.hub is not None,
            "hub": self.hub,
            "orphaned": self.orphaned,
            "only_in_document": self.only_in_document,
            "documents": list(self.documents[:20]),
            "document_path": graph.breadcrumb(self.document_path),
            "in_sitemap": self.in_sitemap,
        }


def _hub_of(url: str) -> str | None:
    """The section page a URL belongs to: scheme://host/first-segment (no trailing part)."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    if not segments:
        return None
    return f"{parts.scheme}://{parts.netloc}/{segments[0]}"


def is_hub(url: str) -> bool:
    """A section page: one path segment, such as /bins/ or /council-tax."""
    return len([s for s in urlsplit(url).path.split("/") if s]) == 1


def section_of(url: str) -> str:
    """A URL's first path segment, lower-case ('' for the home page)."""
    segments = [s for s in urlsplit(url).path.lower().split("/") if s]
    return segments[0] if segments else ""


def _sources(site: Site, graph: ClickGraph, url: str) -> tuple[set[str], set[str]]:
    """(HTML pages, documents) linking to `url` or to an address that redirects there."""
    addresses = {url} | {old for old, new in graph.redirect.items() if new == url}
    pages: set[str] = set()
    documents: set[str] = set()
    for address in addresses:
        for row in site.links_to(address):
            if row.kind not in ("a", "area"):
                continue
            source = graph.final(row.source)
            if source == url:
                continue
            (documents if row.region == "document" else pages).add(source)
    return pages, documents


def _entry(
    site: Site,
    graph: ClickGraph,
    url: str,
    kind: str,
    title: str,
    selector: str | None,
    fallback: int | None,
) -> FormEntry:
    path = graph.path(url)
    document_path = graph.path(url, with_documents=True) if path is None else None
    pages, documents = _sources(site, graph, url)
    start = graph.final(graph.start)
    # Its sections: its own first path segment, and those of the service pages linking to
    # it (a form under /forms/ belongs to the sections whose pages offer it); a form only
    # section pages link to belongs to theirs.
    top = [p for p in pages if is_hub(p) and p != start]
    served = {section_of(p) for p in pages if not is_hub(p) and p != start}
    sections = {section_of(url)} | (served or {section_of(p) for p in top})
    hubs = sorted(p for p in top if section_of(p) in sections)
    own_hub = _hub_of(url)
    hub = next((h for h in hubs if own_hub and h.rstrip("/") == own_hub), None)
    return FormEntry(
        url=url,
        kind=kind,
        title=title,
        selector=selector,
        clicks=len(path) - 1 if path else None,
        path=tuple(path or ()),
        document_path=tuple(document_path or ()),
        sources=tuple(sorted(pages)),
        documents=tuple(sorted(documents)),
        from_home=start in pages or url == start,
        hub=hub or (hubs[0] if hubs else None),
        in_sitemap=url in graph.in_sitemap,
        fallback_clicks=fallback if not (path or document_path or pages or documents) else None,
    )


def form_entries(
    site: Site, facts: Mapping[str, Any], form_hosts: tuple[str, ...]
) -> list[FormEntry]:
    """Every online form of the site: pages with service forms (from `facts`, as
    `form_page_facts` collected them) and form-platform URLs that pages link to."""
    graph = click_graph(site)
    entries = []
    for url in sorted(facts):
        info = site.page(url)
        page_facts = facts[url]
        if info is None or not page_facts:
            continue
        title = page_facts.get("title") or info.title
        entries.append(
            _entry(
                site,
                graph,
                url,
                "page",
                graph.title(url) if not title else graph.short_title(title),
                page_facts.get("selector"),
                info.click_depth,
            )
        )
    for url, text in platform_links(site, form_hosts).items():
        entries.append(_entry(site, graph, url, "platform", text, None, None))
    return entries


def platform_links(site: Site, form_hosts: tuple[str, ...]) -> dict[str, str]:
    """Form-platform URLs the site links to, with the first non-empty link text of each.

    Several rules ask; the answer comes from the click graph's one read of the links,
    once per site and set of hosts."""
    return memo(site, _platform_links, form_hosts)


def _platform_links(site: Site, form_hosts: tuple[str, ...]) -> dict[str, str]:
    # A URL on a platform has the platform's host in it: most URLs are let go at that.
    hosts = tuple({entry.lower().partition("/")[0] for entry in form_hosts})
    found = {
        url: text
        for url, text in click_graph(site).link_texts.items()
        if url.startswith(("http://", "https://"))
        and any(host in url.lower() for host in hosts)
        and host_matches(url, form_hosts)
    }
    return dict(sorted(found.items()))
