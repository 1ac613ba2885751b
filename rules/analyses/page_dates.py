"""When a page says it was published and when it says it was last updated.

Sites put these dates in many places; each is read, and the two kinds are kept apart with
the place each came from (the evidence an editor needs to find and fix it):

- visible text: "Last updated: 3 March 2019", "Page last reviewed", "Published 3 March
  2019", "Posted on", "First published";
- `<time datetime>`, labelled by the words before it ("Last updated" in a `<dt>`), by its
  class (WordPress's `entry-date published` and `updated`) or by `pubdate`;
- schema.org microdata (`itemprop="datePublished"` / `"dateModified"`) and JSON-LD;
- `<meta>`: Open Graph `article:published_time` / `article:modified_time`, Dublin Core
  (`dcterms.created`, `dcterms.issued`, `dcterms.modified`, `DC.date`...);
- for the publication date only, a date in the address (`/2016/05/12/`, `/2016/05/`).

A date in a notice saying the page was withdrawn or archived is neither.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from lxml import etree

from rules.analyses.dates import EARLIEST_YEAR, match_date
from rules.page import Page, collapse, text_of

PUBLISHED = "published"
UPDATED = "updated"

VISIBLE = "visible text"
TIME_ELEMENT = "<time datetime>"
URL_PATH = "address"

# The wordings that introduce a page's own update date. Bare "updated"/"reviewed" need a
# colon: without one they are ordinary prose ("we updated the charges in April 2019").
_UPDATED_WORDING = (
    r"(?:(?:page|content|this\s+(?:page|statement)\s+was)\s+)?last\s+"
    r"(?:updated|reviewed|checked|modified|edited|amended)"
    r"|(?:updated|reviewed|modified|last\s+review|(?<!next )review\s+date|date\s+reviewed)(?=\s*:)"
)
# ... and its publication date. Bare "published" must be followed by the date itself
# ("Published 3 March 2019", as GOV.UK writes it), which prose rarely does.
_PUBLISHED_WORDING = (
    r"(?:first|date|originally)\s+published|publication\s+date|(?:published|posted)\s+on"
    r"|date\s+posted|(?:published|posted)(?=\s*:?\s*\d)"
)
_WORDING = re.compile(
    rf"(?P<wording>(?P<{UPDATED}>{_UPDATED_WORDING})|(?P<{PUBLISHED}>{_PUBLISHED_WORDING}))"
    r"(?:\s*(?:[:\-\u2013\u2014]|on|date)\s*)*",
    re.IGNORECASE,
)
# The word at the heart of every wording, and how far before and after it the wording can
# reach ("This statement was last updated", "Review date:").
# The \b lets the scan skip the middle of words: three times faster on long pages.
_VERBS = (
    r"\b(?:updated|reviewed|review|checked|modified|edited|amended|published|posted|publication)"
)
_VERB = re.compile(_VERBS, re.IGNORECASE)
# On ASCII text (lower-cased, the same length) the verbs are found by a case-sensitive scan,
# twice as fast, and not at all when no verb is there: most pages say none of them.
_VERB_LOWER = re.compile(_VERBS)
_VERB_STEMS = ("updated", "review", "checked", "modified", "edited", "amended", "publi", "posted")
_VERB_LEAD, _VERB_TAIL = 40, 24

# What the words just before a <time> (or its class) say it is.
_LABEL = re.compile(
    r"(?P<withdrawn>withdrawn|archived)|(?P<updated>updated|modified|reviewed|revised|amended)"
    r"|(?P<published>published|posted|issued|created|entry-date|pubdate)",
    re.IGNORECASE,
)
# A label names the <time> right after it: "Last updated", "Posted on", "Published:";
# not "published in May and closes on <time>".
_LABEL_AT_END = re.compile(rf"(?:{_LABEL.pattern})\s*(?::|-|on|at)?\s*$", re.IGNORECASE)
_LABEL_REACH = 40

# <meta name/property> keys, in order of trust within each kind.
_META_KEYS = {
    UPDATED: (
        "dcterms.modified",
        "dc.date.modified",
        "article:modified_time",
        "og:updated_time",
        "last-modified",
    ),
    PUBLISHED: (
        "dcterms.issued",
        "dcterms.created",
        "dc.date.issued",
        "dc.date.created",
        "article:published_time",
        "dcterms.date",
        "dc.date",
    ),
}
_SCHEMA_KEYS = {UPDATED: "dateModified", PUBLISHED: "datePublished"}

# /2016/05/12/ or /2016/05/ in a path: the year, month and (maybe) day of a news address.
_URL_DATE = re.compile(
    r"/(?P<year>(?:19|20)\d{2})/(?P<month>0?[1-9]|1[0-2])/(?:(?P<day>0?[1-9]|[12]\d|3[01])/)?"
)


class DateMatch(NamedTuple):
    """A date found for a page, where it came from and the words around it."""

    when: date
    source: str
    wording: str
    matched: str


@dataclass(frozen=True)
class PageDates:
    """The dates a page gives itself, each the most trusted of its kind, or None."""

    published: DateMatch | None
    updated: DateMatch | None


def find_visible_dates(text: str) -> dict[str, DateMatch]:
    """The first "Last updated <date>" and "Published <date>" statements in text, by kind."""
    found: dict[str, DateMatch] = {}
    for m in _wordings(text):
        kind = UPDATED if m.group(UPDATED) else PUBLISHED
        if kind in found:
            continue
        tail = text[m.end() : m.end() + 60]
        dated = match_date(tail)
        if dated is not None:
            when, date_text = dated
            end = m.end() + tail.index(date_text) + len(date_text)
            found[kind] = DateMatch(
                when, VISIBLE, collapse(m.group("wording")), collapse(text[m.start() : end])
            )
            if len(found) == 2:
                break
    return found


def find_visible_date(text: str) -> DateMatch | None:
    """The first "Last updated <date>"-style statement in text."""
    return find_visible_dates(text).get(UPDATED)


def _wordings(text: str) -> Iterator[re.Match[str]]:
    """`_WORDING` matches, searched only around the verbs every wording has: a regular
    expression with a dozen optional starts is slow to try at every character."""
    if text.isascii():
        lowered = text.lower()
        if not any(stem in lowered for stem in _VERB_STEMS):
            return
        verbs = _VERB_LOWER.finditer(lowered)
    else:  # str.lower can change a non-ASCII text's length, or miss a folded letter
        verbs = _VERB.finditer(text)
    searched = 0
    for verb in verbs:
        start = max(searched, verb.start() - _VERB_LEAD)
        m = _WORDING.search(text, start, verb.end() + _VERB_TAIL)
        if m is not None and m.start() >= searched:
            searched = m.end()
            yield m


def find_json_ld_value(data: Any, key: str) -> str | None:
    """The first string value of `key` anywhere in parsed JSON-LD (graphs and lists too)."""
    if isinstance(data, Mapping):
        value = data.get(key)
        if isinstance(value, str):
            return value
        children: Any = data.values()
    elif isinstance(data, list):
        children = data
    else:
        return None
    for child in children:
        found = find_json_ld_value(child, key)
        if found:
            return found
    return None


def url_date(url: str) -> DateMatch | None:
    """A publication date written in the address, as news systems do (/2016/05/12/)."""
    path = urlsplit(url).path
    m = _URL_DATE.search(path)
    if m is None:
        return None
    try:
        when = date(int(m.group("year")), int(m.group("month")), int(m.group("day") or 1))
    except ValueError:
        return None
    return DateMatch(when, URL_PATH, "address", m.group(0))


def page_dates(page: Page) -> PageDates:
    """The page's publication and update dates (shared: `page.memo(page_dates)`).

    Visible text first, because that is what readers see; then `<time>` elements,
    microdata, `<meta>` and JSON-LD; the address last, for the publication date only.
    """
    found = find_visible_dates(page.main_text)
    if UPDATED not in found and page.main is not None:
        # Templates often put "Page last updated" in the footer, outside <main>.
        for kind, match in find_visible_dates(_text_outside(page.body, page.main)).items():
            found.setdefault(kind, match)
    for source in (_time_dates, _microdata_dates, _meta_dates, _json_ld_dates):
        if len(found) == 2:
            break
        for kind, match in source(page).items():
            found.setdefault(kind, match)
    if PUBLISHED not in found:
        from_url = url_date(page.url)
        if from_url is not None:
            found[PUBLISHED] = from_url
    return PageDates(published=found.get(PUBLISHED), updated=found.get(UPDATED))


def _text_outside(body: etree._Element, main: etree._Element) -> str:
    """The body's text outside `main` (header, footer, side panels), without reading main
    again: on a long page that is most of the cost."""
    holders = set(main.iterancestors())
    parts: list[str] = []

    def walk(el: etree._Element) -> None:
        parts.append(el.text or "")
        for child in el:
            if child in holders:
                walk(child)
            elif child is not main:
                parts.append(text_of(child))
            parts.append(child.tail or "")

    walk(body)
    return collapse(" ".join(parts))


def _parsed(value: str) -> date | None:
    dated = match_date(value)
    return dated[0] if dated and dated[0].year >= EARLIEST_YEAR else None


def _time_dates(page: Page) -> dict[str, DateMatch]:
    found: dict[str, DateMatch] = {}
    for el in page.tree.iter("time"):
        value = el.get("datetime")
        when = _parsed(value) if value else None
        if when is None:
            continue
        pubdate = "pubdate" if "pubdate" in el.attrib else ""
        hint = " ".join((el.get("itemprop") or "", el.get("class") or "", pubdate))
        label = _label_before(el)
        m = _LABEL.search(hint) or _LABEL_AT_END.search(label)
        if m is None or m.lastgroup == "withdrawn":
            continue
        kind = m.lastgroup or ""
        found.setdefault(kind, DateMatch(when, TIME_ELEMENT, collapse(label or hint), value or ""))
    return found


def _label_before(el: etree._Element) -> str:
    """The words just before `el`: its `<dt>` for a `<dd>`, else the text before it in its
    parent ("Last updated <time>")."""
    parent = el.getparent()
    if parent is None:
        return ""
    if parent.tag == "dd":
        term = parent.getprevious()
        return text_of(term)[-_LABEL_REACH:] if term is not None and term.tag == "dt" else ""
    before = [parent.text or ""]
    for sibling in parent:
        if sibling is el:
            break
        before.append(text_of(sibling))
        before.append(sibling.tail or "")
    return collapse(" ".join(before))[-_LABEL_REACH:]


def _microdata_dates(page: Page) -> dict[str, DateMatch]:
    found: dict[str, DateMatch] = {}
    if "itemprop" not in page.html:
        return found  # a search of the whole tree costs more than this look at the text
    for kind, prop in _SCHEMA_KEYS.items():
        for el in page.tree.xpath(f'//*[@itemprop="{prop}"]'):
            value = el.get("content") or el.get("datetime") or text_of(el)
            when = _parsed(value) if value else None
            if when is not None:
                found[kind] = DateMatch(when, f"microdata {prop}", prop, value)
                break
    return found


def _meta_dates(page: Page) -> dict[str, DateMatch]:
    values: dict[str, str] = {}
    for meta in page.tree.iter("meta"):
        key = (meta.get("name") or meta.get("property") or "").lower()
        content = meta.get("content")
        if content:
            values.setdefault(key, content)
    found: dict[str, DateMatch] = {}
    for kind, keys in _META_KEYS.items():
        for key in keys:
            when = _parsed(values[key]) if key in values else None
            if when is not None:
                found[kind] = DateMatch(when, f"meta {key}", key, values[key])
                break
    return found


def _json_ld_dates(page: Page) -> dict[str, DateMatch]:
    found: dict[str, DateMatch] = {}
    for script in page.tree.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue  # hand-written JSON-LD is often malformed; skip it
        for kind, key in _SCHEMA_KEYS.items():
            value = find_json_ld_value(data, key)
            when = _parsed(value) if value else None
            if when is not None and kind not in found:
                found[kind] = DateMatch(when, f"JSON-LD {key}", key, value or "")
    return found
