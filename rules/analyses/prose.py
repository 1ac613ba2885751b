"""Text helpers shared by the content rules: sentences, prose, language, clipping.

The page's words come from `Page.main_blocks` (rules.page); these turn blocks into the
sentences that readability and plain-English rules look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from contextlib import suppress
from urllib.parse import unquote

from rules.page import Page, TextBlock

# textstat's own sentence split, so evidence quotes the sentences the scores counted.
_SENTENCE = re.compile(r"\b[^.!?]+[.!?]*")
_SENTENCE_END = frozenset(".!?:;")
# Where a sentence ends: after . ! ? before a space, and at the end of a block (a line of
# `lined_text`).
_BOUNDARY = re.compile(r"[.!?](?=\s)|\n")
SENTENCE_CLIP = 300
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


def prose_blocks(blocks: Iterable[TextBlock]) -> list[TextBlock]:
    """The blocks read as prose: table cells (data) and fragments of two words or fewer
    (headings like "Contact us", a lone "Green bin") are not sentences."""
    return [b for b in blocks if b.kind != "cell" and len(b.text.split()) > 2]


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
    return [s.strip() for s in _SENTENCE.findall(text) if len(s.split()) > 2]


def sentence_around(text: str, offset: int) -> str:
    """The sentence that holds the character at `offset` (within one line of text)."""
    start = 0
    for m in _BOUNDARY.finditer(text, 0, offset):
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
