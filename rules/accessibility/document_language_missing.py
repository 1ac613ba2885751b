"""document-language-missing: the page does not say which language it is in (WCAG 3.1.1)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from rules.base import Category, Finding, PageRule, Severity, SuccessCriterion
from rules.page import Page

# ISO 639-1: the two-letter codes a lang attribute should start with (deprecated ones
# such as "iw" included: browsers and screen readers still know them).
_TWO_LETTER = frozenset(
    """
    aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu
    cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi
    ho hr ht hu hy hz ia id ie ig ii ik in io is it iu iw ja ji jv jw ka kg ki kj kk kl km
    kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mo mr ms mt my na
    nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd
    se sg sh si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw
    ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
    """.split()  # noqa: SIM905 (190 codes read better as words than as quoted strings)
)
# Three-letter codes of languages that have a two-letter code, which must be used instead
# (BCP 47): the languages most often seen on UK council sites.
_USE_TWO_LETTER = {
    "amh": "am",
    "ara": "ar",
    "ben": "bn",
    "bul": "bg",
    "ces": "cs",
    "chi": "zh",
    "cor": "kw",
    "cym": "cy",
    "cze": "cs",
    "deu": "de",
    "eng": "en",
    "fas": "fa",
    "fra": "fr",
    "fre": "fr",
    "ger": "de",
    "gla": "gd",
    "gle": "ga",
    "glv": "gv",
    "guj": "gu",
    "hin": "hi",
    "hun": "hu",
    "ita": "it",
    "kur": "ku",
    "lav": "lv",
    "lit": "lt",
    "nep": "ne",
    "pan": "pa",
    "per": "fa",
    "pol": "pl",
    "por": "pt",
    "pus": "ps",
    "ron": "ro",
    "rum": "ro",
    "rus": "ru",
    "slk": "sk",
    "slo": "sk",
    "som": "so",
    "spa": "es",
    "tam": "ta",
    "tir": "ti",
    "tur": "tr",
    "ukr": "uk",
    "urd": "ur",
    "wel": "cy",
    "zho": "zh",
}
_THREE_LETTERS = re.compile(r"^[a-z]{3}$")
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def language_problem(value: str | None) -> str | None:
    """ "missing", "empty" or "invalid" for an <html> lang value; None when it is fine.

    Like axe-core, only the primary language subtag (before the first "-") is checked.
    """
    if value is None:
        return "missing"
    primary = value.strip().lower().split("-", 1)[0]
    if not primary:
        return "empty"
    if primary in _TWO_LETTER or (_THREE_LETTERS.match(primary) and primary not in _USE_TWO_LETTER):
        return None
    return "invalid"


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
            if primary in _USE_TWO_LETTER:
                message += f': use the two-letter code "{_USE_TWO_LETTER[primary]}"'
        yield self.finding(
            page.url,
            message,
            selector="html",
            snippet=opening_tag(html),
            evidence={"lang": value, "problem": problem},
        )
