"""phone-only-service: a page that gives only a phone number or email for a service that has
an online form elsewhere on the site."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from rules.analyses.click_graph import click_graph
from rules.analyses.contacts import scan_page, stem
from rules.analyses.forms import platform_links, section_of, service_forms
from rules.analyses.online_options import OnlineOptionFinder, OnlineOptions
from rules.base import Category, Finding, Severity, SiteRule, option
from rules.page import Page, selector_of
from rules.site import Site
from rules.urls import absolute

_WORD = re.compile(r"[a-z]+")
# Words that say nothing about which service a page or form is for.
_GENERIC = frozenset(
    re.findall(
        r"\S+",
        """
        a an and or of the to for on at by in our your us you we i it is are be can will
        with from this that these those how what when where who why which do does if not no
        yes about into out up more most all any some use using get getting find make made
        online form forms council councils service services apply applying application
        applications report reporting pay paying payment payments book booking request
        order renew register claim check tell contact call phone email page pages
        information help new old also may must need other there their them they has have
        had was were been being its as so than then too very just only over under such per
        via each every one two three start now here home page website site
        """,
    )
)
_TITLE_TAIL = re.compile(r"\s+[-|\u2013\u2014]\s+[^-|\u2013\u2014]+$")
_MAX_WORDS = 400


def keywords(text: str) -> set[str]:
    """The words of a title or text that say what it is about, lower-case and singular."""
    return {stem(w) for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in _GENERIC}


def form_keywords(title: str) -> set[str]:
    """Keywords of a form's heading or title (the site name after ' - ' left out)."""
    return keywords(_TITLE_TAIL.sub("", title))


@dataclass(frozen=True)
class OnlineForm:
    """An online form a contact-only page may be about."""

    url: str
    title: str
    words: frozenset[str]
    sections: frozenset[str]


def match_form(
    page_url: str, page_words: set[str], forms: list[OnlineForm]
) -> tuple[OnlineForm, set[str]] | None:
    """The form a page is about: same section, and every keyword of the form's title found
    on the page, at least one of them more than the section's own name (every page under
    /council-tax/ says "tax"). The form with the most such words wins."""
    section = section_of(page_url)
    section_words = keywords(section.replace("-", " ").replace("_", " "))
    best: tuple[OnlineForm, set[str]] | None = None
    for form in forms:
        if form.url == page_url or section not in form.sections:
            continue
        if not form.words - section_words or not form.words <= page_words:
            continue
        if best is None or (len(form.words), best[0].url) > (len(best[0].words), form.url):
            best = (form, set(form.words))
    return best


class PhoneOnlyService(SiteRule):
    """Flag pages offering only a phone number or email for a service that can be done online."""

    id = "phone-only-service"
    title = "Only a phone number or email for a service that has an online form"
    category = Category.CONTACT
    severity = Severity.MEDIUM
    summary = (
        "Finds pages whose main content gives a phone number or email address and no "
        "online option, and checks whether the site has an online form for the same service: "
        "a form in the same section whose title's words all appear on the page, or a form "
        "the configuration pairs with the page."
    )
    why = (
        "A resident who lands on a page that only gives a number will call, even though "
        "the form exists, and a call costs the council many times more than an online "
        "transaction. Pages reached from search engines are often not the ones the web "
        "team links the form from."
    )
    how_to_fix = (
        "Add a clear link to the online form near the top of the page, such as 'Report a "
        "missed bin online', and move the phone number and email below it under a heading "
        "like 'If you cannot use the online form'. If the page is about a different service, "
        "pair it with the right form (or none) in the configuration."
    )
    references = (
        "https://design-system.service.gov.uk/patterns/contact-a-department-or-service-team/",
        "https://www.gov.uk/guidance/content-design/user-needs",
    )

    @dataclass(frozen=True)
    class Options(OnlineOptions):
        """Options of phone-only-service (the online option is recognised as by
        phone-before-online)."""

        services: tuple[tuple[str, str], ...] = option(
            (),
            "Page address regex -> the online form for pages it matches (a path or full "
            "URL), for services the section-and-words match misses",
        )

        def __post_init__(self) -> None:
            """Reject invalid patterns."""
            super().__post_init__()
            for pattern, _ in self.services:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise ValueError(
                        f"services: {pattern!r} is not a regular expression: {exc}"
                    ) from None

    def __init__(self, options: Options | None = None, severity: Severity | None = None) -> None:
        """Recognise online options with phone-before-online's logic and these options."""
        super().__init__(options, severity)
        self.finder = OnlineOptionFinder(self.options)

    def page_facts(self, page: Page) -> Any:
        """{'form': title} for a page with a service form; {'contact': ..., 'words': ...}
        for a page whose main content gives contact details and no online option."""
        forms = service_forms(page, self.options.form_selectors, self.options.not_form_selectors)
        if forms:
            return {"form": page.h1 or page.title}
        scan = scan_page(page)
        contacts = self.finder.counted_contacts(scan)
        if not contacts or self.finder.first_online(page, scan) is not None:
            return None
        first = contacts[0]
        words = keywords(f"{page.h1} {page.title} {page.main_text}")
        return {
            "contact": first.shown,
            "kind": first.kind,
            "selector": selector_of(first.element) if first.element is not None else None,
            "title": page.h1 or page.title,
            "words": sorted(words)[:_MAX_WORDS],
        }

    def check_site(self, site: Site) -> Iterator[Finding]:
        """One finding per contact-only page that matches an online form."""
        facts = site.facts(self.id)
        pages = {url: f for url, f in facts.items() if f and "contact" in f}
        if not pages:
            return
        forms = self._forms(site, facts)
        graph = click_graph(site)
        configured = [(re.compile(p), form) for p, form in self.options.services]
        titles = {form.url: form.title for form in forms}
        for url in sorted(pages):
            page = pages[url]
            matched_by, shared = "config", set[str]()
            form_url = next((f for p, f in configured if p.search(url)), None)
            if form_url is not None:
                resolved = absolute(site.start_url, form_url)
                form_url = resolved[0] if resolved else form_url
                form_title = titles.get(form_url, "")
            else:
                match = match_form(url, set(page.get("words", ())), forms)
                if match is None:
                    continue
                form_url, form_title, shared = match[0].url, match[0].title, match[1]
                matched_by = "section and keywords"
            if _links_to(graph, url, form_url):
                continue  # the page does link to the form, in words we did not recognise
            noun = "phone number" if page.get("kind") == "phone" else "email address"
            label = f'"{form_title}"' if form_title else form_url
            yield self.finding(
                url,
                f"This page gives only a {noun} ({page['contact']}) for a service with an "
                f"online form: {label}",
                target=form_url,
                selector=page.get("selector"),
                evidence={
                    "contact": page["contact"],
                    "kind": page.get("kind"),
                    "form_url": form_url,
                    "form_title": form_title,
                    "matched_by": matched_by,
                    "shared_words": sorted(shared),
                },
            )

    def _forms(self, site: Site, facts: Mapping[str, Any]) -> list[OnlineForm]:
        """Form pages (from facts) and form-platform links, with the sections they serve:
        their own and those of the content pages that link to them."""
        found: dict[str, str] = {url: f["form"] for url, f in facts.items() if f and "form" in f}
        for url, text in platform_links(site, self.options.form_hosts).items():
            found.setdefault(url, text)
        forms = []
        for url, title in sorted(found.items()):
            sections = {section_of(url)}
            for row in site.links_to(url):
                if row.region in ("main", "body"):
                    sections.add(section_of(row.source))
            sections.discard("")
            forms.append(
                OnlineForm(url, title, frozenset(form_keywords(title)), frozenset(sections))
            )
        return forms


def _links_to(graph: Any, page: str, target: str) -> bool:
    source = graph.ids.get(graph.final(page))
    goal = graph.ids.get(graph.final(target))
    return source is not None and goal is not None and goal in graph.html[source]
