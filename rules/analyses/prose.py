"""Text helpers shared by the content rules: sentences, prose, language, clipping.

The page's words come from `Page.main_blocks` (rules.page); these turn blocks into the
sentences that readability and plain-English rules look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from contextlib import suppress
from urllib.parse import unquote

from rules.analyses.contacts import find_emails, find_phones
from rules.page import Page, TextBlock

# textstat's own sentence split, so evidence quotes the sentences the scores counted.
_SENTENCE = re.compile(r"\b[^.!?]+[.!?]*")
_SENTENCE_END = frozenset(".!?:;")
# Where a sentence ends: after . ! ? before a space, and at the end of a block (a line of
# `lined_text`).
_BOUNDARY = re.compile(r"[.!?](?=\s)|\n")
SENTENCE_CLIP = 300
# How far before a place `sentence_around` looks for its sentence's start first.
_SENTENCE_REACH = 400
# A word as everyday prose writes it: lower-case letters only (not a name, a code, a slug
# or a hyphenated qualifier such as "non-executive").
_PLAIN_WORD = re.compile(r"[a-z]+")
# Small words that names and titles keep in lower case.
_JOINING_WORDS = frozenset(
    re.findall(
        r"\S+",
        "a an and as at by da de del der des di du for in la le of on or the to van von with",
    )
)
# Everyday words a line of contact details may have besides them ("Telephone out of hours").
_CONTACT_LABEL_WORDS = 4
_WRAPPING = ".!?\"'()[],:;\u2018\u2019\u201c\u201d"
_POSTCODE = re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}\b")
_DIGIT = re.compile(r"[0-9]")
# The most characters of page text a message quotes: a message is read as a headline.
QUOTE_CLIP = 120


def is_english(lang: str) -> bool:
    """Whether a `lang` value names English, or is unset."""
    lang = lang.strip().lower().replace("_", "-")
    return not lang or lang == "en" or lang.startswith("en-")


def is_english_page(page: Page) -> bool:
    """Whether the page's main content is in English (or does not say)."""
    main_lang = page.main.get("lang") if page.main is not None else None
    return is_english(main_lang or page.lang)


def main_prose(page: Page) -> tuple[TextBlock, ...]:
    """The prose blocks of the page's main content, found once per page."""
    return page.memo(_main_prose)


def _main_prose(page: Page) -> tuple[TextBlock, ...]:
    return tuple(prose_blocks(page.main_blocks))


def main_prose_text(page: Page) -> str:
    """`prose_text` of the page's main prose, joined once per page."""
    return page.memo(_main_prose_text)


def _main_prose_text(page: Page) -> str:
    return prose_text(main_prose(page))


def main_fragments(page: Page) -> list[str]:
    """The page's main prose (`main_prose_text`) cut where textstat cuts sentences, once
    per page for the rules that count sentences (`split_sentences` keeps those of three
    words or more). Shared: not to be changed."""
    return page.memo(_main_fragments)


def _main_fragments(page: Page) -> list[str]:
    return _SENTENCE.findall(main_prose_text(page))


def main_lines(page: Page) -> str:
    """`lined_text` of the page's main content, joined once per page."""
    return page.memo(_main_lines)


def _main_lines(page: Page) -> str:
    return lined_text(page.main_blocks)


def prose_blocks(blocks: Iterable[TextBlock]) -> list[TextBlock]:
    """The blocks read as prose: table cells (data), fragments of two words or fewer
    (headings like "Contact us", a lone "Green bin"), names and contact details are not
    sentences."""
    # maxsplit: three words are enough to know a block has more than two.
    return [
        b
        for b in blocks
        if b.kind != "cell" and len(b.text.split(maxsplit=3)) > 2 and not is_listing(b.text)
    ]


def is_listing(text: str) -> bool:
    """Whether a block is a name or contact details rather than a sentence.

    A name has no everyday lower-case word ("Professor Dame Sally Davies, Chief Medical
    Officer", "Minister of State for Housing", "Civic Centre, Market Street"); contact
    details, once their addresses, numbers and postcodes are set aside, have a few at most
    ("Telephone out of hours 0115 496 0000", "Jane Smith, Clerk, clerk@parish.example").
    Lists of people, teams and addresses score as very hard reading (long names, no
    verbs), though nobody reads them as prose.
    """
    spans = [(hit.start, hit.end) for hit in (*find_emails(text), *find_phones(text))]
    if _DIGIT.search(text):  # a postcode has digits: most blocks have none, a quick scan
        spans += [m.span() for m in _POSTCODE.finditer(text)]
    for start, end in spans:
        text = text[:start] + " " * (end - start) + text[end:]
    allowed = _CONTACT_LABEL_WORDS if spans else 0
    plain = 0
    for word in text.split():
        bare = word.strip(_WRAPPING)
        if _PLAIN_WORD.fullmatch(bare) and bare not in _JOINING_WORDS:
            plain += 1
            if plain > allowed:
                return False  # a sentence: no need to read the rest of it
    return True


def prose_text(blocks: Iterable[TextBlock]) -> str:
    """Blocks joined into running text, each ending a sentence: a heading or list item
    without a full stop is a sentence of its own, not the start of the next one."""
    return " ".join(b.text if b.text[-1] in _SENTENCE_END else b.text + "." for b in blocks)


def lined_text(blocks: Iterable[TextBlock]) -> str:
    """Blocks one to a line: searches can run on from a label to its value in the next
    block ("Closing date" in a table heading, the date in the cell beside it), and
    `sentence_around` still stops at the end of a block."""
    return "\n".join(b.text for b in blocks)


def split_sentences(text: str) -> list[str]:
    """Sentences as textstat counts them (fragments of two words or fewer are dropped)."""
    return sentences_of(_SENTENCE.findall(text))


def sentences_of(fragments: list[str]) -> list[str]:
    """`split_sentences` of a text already cut into fragments (`main_fragments`)."""
    return [s.strip() for s in fragments if len(s.split()) > 2]


def sentence_around(text: str, offset: int) -> str:
    """The sentence that holds the character at `offset` (within one line of text)."""
    start = 0
    # The last boundary before offset, looked for just before it first: a boundary is one
    # character, found wherever a search starts, and reading every boundary from the top
    # of a long page took longer than the rest of a rule's examples.
    near = max(0, offset - _SENTENCE_REACH)
    for m in _BOUNDARY.finditer(text, near, offset):
        start = m.end()
    if not start and near:
        for m in _BOUNDARY.finditer(text, 0, near + 1):
            start = m.end()
    end_match = _BOUNDARY.search(text, offset)
    end = end_match.end() if end_match else len(text)
    return text[start:end].strip()


def clip(text: str, limit: int = SENTENCE_CLIP) -> str:
    """Text cut to `limit` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def quoted(text: str, limit: int = QUOTE_CLIP) -> str:
    """Page text (a link's text or address) for a message, in double quotes: percent-decoded
    where that gives readable text, whitespace collapsed, clipped to `limit` characters."""
    if "%" in text:
        # Bytes that are not UTF-8 once decoded stay as written: the best we have.
        with suppress(UnicodeDecodeError):
            text = unquote(text, errors="strict")
    return f'"{clip(" ".join(text.split()), limit)}"'


def first_words(text: str, limit: int) -> str:
    """The first `limit` words of text."""
    words = text.split(maxsplit=limit)
    return " ".join(words[:limit])
