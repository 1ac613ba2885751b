"""misspelling: words that look like spelling mistakes, rare on the site.

A site rule with a page-stage half: `page_facts` lists each page's unknown lower-case
words as the page is parsed; `check_site` counts them across the site and keeps the rare
ones that are one letter away from a known word. A "misspelling" used on many pages is
usually a local name or term, and one with no near neighbour is usually jargon.

Words are checked against hunspell's British English dictionary (Debian's hunspell-en-gb,
the LibreOffice en_GB word list) through Enchant. It knows British spellings (organise,
colour, licence, kerb, whilst) and the Oxford -ize forms, plurals and other endings by its
affix rules, and abbreviations written with their full stop ("etc.").
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rules.analyses.prose import clip, is_english_page, main_lines, sentence_around
from rules.analyses.spelling import MISSING_DICTIONARY, dictionary, is_known
from rules.base import Category, Finding, Severity, SiteRule, option
from rules.page import Page
from rules.site import Site

# Spans that are not words to check: web and email addresses, UK postcodes.
# (Postcodes need no pattern: they are capitals and digits, which `_WORD` never matches.)
_NOT_PROSE = re.compile(
    r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+|(?:https?://|www\.)\S+"
    r"|\b[\w.\-]+\.(?:gov|org|co|ac|nhs|sch|police)\.uk\S*",
    re.IGNORECASE,
)
# Cheap tests for whether a text has anything `_NOT_PROSE` would find.
_NOT_PROSE_HINTS = ("@", "://", "www.", ".uk")
# What every `_NOT_PROSE` span holds, in any case: one of these, and no space.
_NOT_PROSE_MARK = re.compile(r"@|://|www\.|\.uk", re.IGNORECASE)
_NO_SPACE = re.compile(r"\S*")
# The longest run without a space `_NOT_PROSE` is tried on: on a run of n characters its
# leading `[\w.+\-]+` can take n steps from each of n places (20,000 letters and 20,000
# @ took over a second). Every address stays far shorter (2,048 characters is about the
# most a browser or sitemap takes); a longer run is no prose, and is blanked whole.
MAX_ADDRESS_RUN = 2048
# Lower-case words standing alone: not part of a name (capitalised), an acronym, a code
# mixing letters and digits, or a path; nor part of a compound ("multi-agency",
# "pre-school", "write-offs"), whose parts the dictionary need not list alone.
_WORD = re.compile(r"(?<![\w/])(?<![A-Za-z]-)[a-z]+(?:['\u2019][a-z]+)?(?![\w/]|-[a-z])")
MIN_LENGTH = 3
# A page with more unknown words than this is probably not English prose.
MAX_PER_PAGE = 40


@lru_cache(maxsize=16)
def site_words(path: str, allow: tuple[str, ...]) -> frozenset[str]:
    """The site's own words: the dictionary file (one a line, # comments) and `allow`."""
    words = {w.lower() for w in allow}
    if path:
        with open(path, encoding="utf-8") as f:
            for line in f:
                word = line.split("#", 1)[0].strip().lower()
                if word:
                    words.add(word)
    return frozenset(words)


def unknown_words(text: str, own: frozenset[str]) -> dict[str, tuple[int, int]]:
    """Unknown lower-case words in text: word to (uses, offset of the first use).

    Each distinct word is looked up once per page (and `is_known` remembers verdicts
    across pages), so the cost is one pass of a regular expression over the text.
    """
    if any(hint in text for hint in _NOT_PROSE_HINTS):
        text = without_addresses(text)
    found: dict[str, tuple[int, int]] = {}
    tokens = _WORD.findall(text)
    # Each distinct word in order of first use; only unknown words' uses are counted.
    for token in dict.fromkeys(tokens):
        word = token.replace("\u2019", "'")
        word = word[:-2] if word.endswith("'s") else word  # a possessive's word
        if len(word) < MIN_LENGTH or word in own or is_known(word):
            continue
        uses = tokens.count(token)
        first = re.search(rf"(?<![\w/]){re.escape(token)}(?![\w/])", text)
        offset = first.start() if first else 0
        earlier_uses, earlier = found.get(word, (0, offset))
        found[word] = (earlier_uses + uses, min(earlier, offset))
    return found


def without_addresses(text: str) -> str:
    """Text with each web and email address and site name (`_NOT_PROSE`) blanked out,
    offsets kept.

    Such a span has no space in it and holds an @, ://, www. or .uk: only the runs of
    non-space characters around those are searched. The pattern, run over a whole page,
    tried its leading `[\\w.+\\-]+` from every letter of every word. A run longer than
    `MAX_ADDRESS_RUN` is blanked whole.
    """
    pieces, done = [], 0
    for mark in _NOT_PROSE_MARK.finditer(text):
        if mark.start() < done:
            continue  # in the run already blanked: each run is walked once
        start = mark.start()
        while start and not text[start - 1].isspace():
            start -= 1
        end = _NO_SPACE.match(text, mark.start()).end()  # type: ignore[union-attr]
        run = text[start:end]
        blanked = _NOT_PROSE.sub(_blank, run) if len(run) <= MAX_ADDRESS_RUN else " " * len(run)
        pieces += (text[done:start], blanked)
        done = end
    pieces.append(text[done:])
    return "".join(pieces)


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group())


def suggestion(word: str) -> str | None:
    """The dictionary's likeliest correction one letter away (a letter added, dropped,
    changed, or two swapped), or None. A word the dictionary would split in two ("onsite",
    "on-site") is a compound, a matter of style, not a misspelling."""
    words = dictionary()
    for candidate in words.suggest(word) if words is not None else ():
        if candidate.isalpha() and candidate.islower() and one_edit_apart(word, candidate):
            return candidate
    return None


def one_edit_apart(one: str, other: str) -> bool:
    """Whether two different words are one letter added, dropped or changed, or two
    neighbouring letters swapped, apart."""
    if len(one) != len(other):
        shorter, longer = sorted((one, other), key=len)
        return len(longer) - len(shorter) == 1 and any(
            longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer))
        )
    diffs = [i for i, (a, b) in enumerate(zip(one, other, strict=True)) if a != b]
    if len(diffs) == 1:
        return True
    return (
        len(diffs) == 2
        and diffs[1] == diffs[0] + 1
        and one[diffs[0]] == other[diffs[1]]
        and one[diffs[1]] == other[diffs[0]]
    )


class Misspelling(SiteRule):
    """Flag words that look misspelt and appear on only a few pages of the site."""

    id = "misspelling"
    title = "Possible spelling mistake"
    category = Category.READABILITY
    severity = Severity.LOW
    summary = (
        "Checks the spelling of the main text against a British English dictionary "
        "(hunspell's en_GB) and reports unknown words that are one letter away from a "
        "known word and used on only one or two pages. Names "
        "(capitalised words), acronyms, postcodes, web and email addresses are ignored, and "
        "a site dictionary can list local place and service names."
    )
    why = (
        "Spelling mistakes make the council look careless and make people doubt the rest "
        "of the page. They also break search: someone searching the site for 'receive' will "
        "not find a page that says 'recieve', and screen readers mispronounce them."
    )
    how_to_fix = (
        "Check each word against the suggestion and correct it on every page listed. If the "
        "word is right (a local name or a term your service uses), add it to the site "
        "dictionary file named in the configuration so it is not reported again."
    )
    references = (
        "https://www.gov.uk/guidance/content-design/writing-for-gov-uk",
        "https://www.gov.uk/guidance/style-guide/a-to-z-of-gov-uk-style",
    )
    worker_data = "rules.analyses.spelling_dictionary"

    @dataclass(frozen=True)
    class Options:
        """Options of misspelling."""

        dictionary: str = option(
            "",
            "Text file of the site's own words (place and service names), one a line, # for "
            "comments; a relative path is read from the directory siteaudit runs in",
        )
        allow: tuple[str, ...] = option((), 'More words to accept, e.g. ["kingsmead"]')
        max_pages: int = option(
            2, "Report a word only if it is on at most this many pages (common ones are names)"
        )

        def __post_init__(self) -> None:
            """Reject a dictionary file that cannot be read, at configuration time."""
            if self.dictionary and not os.path.isfile(self.dictionary):
                raise ValueError(f"dictionary: no such file {self.dictionary!r}")

    def page_facts(self, page: Page) -> dict[str, list[Any]] | None:
        """The page's unknown words: word to [uses, the sentence of the first use]."""
        if not is_english_page(page):
            return None
        text = main_lines(page)
        own = site_words(self.options.dictionary, self.options.allow)
        found = unknown_words(text, own)
        if not found or len(found) > MAX_PER_PAGE:
            return None
        return {
            word: [uses, clip(sentence_around(text, first), 200)]
            for word, (uses, first) in found.items()
        }

    def check_site(self, site: Site) -> Iterator[Finding]:
        """Yield one finding per rare unknown word with a near neighbour, listing its pages."""
        if dictionary() is None:
            raise RuntimeError(MISSING_DICTIONARY)
        pages: dict[str, list[str]] = {}
        uses: Counter[str] = Counter()
        context: dict[str, str] = {}
        for url, words in sorted(site.facts(self.id).items()):
            for word, (count, sentence) in words.items():
                pages.setdefault(word, []).append(url)
                uses[word] += count
                context.setdefault(word, sentence)
        for word in sorted(pages):
            if len(pages[word]) > self.options.max_pages:
                continue
            suggested = suggestion(word)
            if suggested is None:
                continue
            yield self.finding(
                pages[word][0],
                f'Possible spelling mistake: "{word}" (did you mean "{suggested}"?)',
                evidence={
                    "word": word,
                    "suggestion": suggested,
                    "uses": uses[word],
                    "pages": len(pages[word]),
                    "example": context[word],
                },
                pages=tuple(pages[word]),
                key=word,
            )
