"""document-language-missing: the page does not say which language it is in (WCAG 3.1.1)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from rules.analyses.languages import USE_TWO_LETTER, language_problem
from rules.base import Category, Finding, PageRule, Severity, SuccessCriterion
from rules.page import Page

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def opening_tag(el: etree._Element) -> str:
    """An element's start tag, with its attributes, as evidence."""
    attrs = "".join(f' {name}="{value}"' for name, value in el.attrib.items())
    return f"<{el.tag}{attrs}>"


class DocumentLanguageMissing(PageRule):
    """Report pages whose <html> element has no lang attribute, or one that names no language."""

    id = "document-language-missing"
    title = "Page does not say which language it is in"
    category = Category.ACCESSIBILITY
    severity = Severity.HIGH
    summary = (
        "Static check (from the HTML, no browser needed): the page's <html> element must have "
        'a lang attribute naming its language, such as lang="en-GB" or lang="cy" for Welsh. '
        "Missing, empty and invalid codes are reported, as axe-core's html-has-lang and "
        "html-lang-valid do."
    )
    why = (
        "Screen readers use the page's language to choose a voice and how to pronounce words. "
        "Without it, English may be read out with another language's rules, or Welsh with "
        "English ones, and becomes hard to follow. Public sector websites must meet this "
        "requirement (WCAG 3.1.1)."
    )
    how_to_fix = (
        "This is set once in the site's page template, not on each page: ask your web team "
        'to add lang="en-GB" (or the right code, such as "cy" for Welsh pages) to the <html> '
        "element of every template. Use the two-letter code where a language has one."
    )
    references = (
        "https://www.w3.org/WAI/WCAG22/Understanding/language-of-page.html",
        "https://www.w3.org/International/questions/qa-html-language-declarations",
    )
    wcag = (SuccessCriterion("3.1.1", "A"),)
    axe_rules = ("html-has-lang", "html-lang-valid")

    @dataclass(frozen=True)
    class Options:
        """document-language-missing has no options."""

    def check_page(self, page: Page) -> Iterator[Finding]:
        """At most one finding: the <html> element's lang is missing, empty or invalid."""
        html = page.tree
        value = html.get("lang")
        if value is None or not value.strip():
            # xml:lang counts too, as it does for axe-core (XHTML pages).
            xml_lang = html.get("xml:lang") or html.get(_XML_LANG)
            if xml_lang and xml_lang.strip():
                value = xml_lang
        problem = language_problem(value)
        if problem is None:
            return
        if problem == "missing":
            message = "The page has no lang attribute, so its language is unknown"
        elif problem == "empty":
            message = "The page's lang attribute is empty"
        else:
            message = f'The page\'s lang="{value}" is not a valid language code'
            primary = (value or "").strip().lower().split("-", 1)[0]
            if primary in USE_TWO_LETTER:
                message += f': use the two-letter code "{USE_TWO_LETTER[primary]}"'
        yield self.finding(
            page.url,
            message,
            selector="html",
            snippet=opening_tag(html),
            evidence={"lang": value, "problem": problem},
        )
