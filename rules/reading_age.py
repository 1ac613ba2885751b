"""reading-age: pages written above the reading age most people read comfortably at."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree
from textstat.textstat import textstatistics

from rules.base import Category, Finding, PageRule, Severity, option
from rules.page import Page

# A private instance: textstat's module-level one has global settings (language,
# rounding) that other code could change.
_TEXTSTAT = textstatistics()

# Scoring a huge page word by word takes seconds; its first 5,000 words are a fair sample.
MAX_WORDS = 5000
# GOV.UK advises keeping sentences to 25 words or fewer.
LONG_SENTENCE_WORDS = 25
HARDEST_SHOWN = 3
SENTENCE_CLIP = 300
# Above these, the message blames long sentences / long words (plain English sits below).
_LONG_AVERAGE_SENTENCE = 20.0
_LONG_AVERAGE_SYLLABLES = 1.5

# The same sentence split textstat uses, so the evidence matches the score.
_SENTENCE = re.compile(r"\b[^.!?]+[.!?]*")
_ENDS_SENTENCE = re.compile(r"([^.!?:;\s])\s*\n")

# Elements that end a line of text: a heading or list item without a full stop is still
# a sentence of its own, not the start of the next paragraph's first sentence.
_BLOCK_TAGS = frozenset(
    {f"h{level}" for level in range(1, 7)}
    | {"p", "li", "dt", "dd", "dl", "ul", "ol", "td", "th", "tr", "table", "caption"}
    | {"div", "section", "article", "blockquote", "pre", "figcaption", "address"}
    | {"legend", "label", "summary"}
)
_NO_TEXT_TAGS = frozenset({"script", "style", "noscript", "template", "svg"})
# Without a <main>, these hold the site's furniture, not the page's own words (the same
# choice `Page.main_text` makes).
_BOILERPLATE_TAGS = frozenset({"header", "nav", "footer", "aside", "form"})
_BOILERPLATE_ROLES = frozenset({"banner", "navigation", "complementary", "contentinfo"})
_BOILERPLATE_HINTS = ("cookie", "breadcrumb", "skip-link", "banner")


@dataclass(frozen=True, slots=True)
class Readability:
    """Readability scores of one text."""

    reading_age: float
    flesch_reading_ease: float
    fk_grade: float
    words: int
    sentences: int
    avg_sentence_length: float
    long_sentence_share: float
    hardest_sentences: tuple[str, ...]

    @property
    def avg_syllables_per_word(self) -> float:
        """Derived from the Flesch-Kincaid formula, so textstat need not count again."""
        return (self.fk_grade + 15.59 - 0.39 * self.avg_sentence_length) / 11.8


def is_english(lang: str) -> bool:
    """Whether a `lang` value (already lower-case) names English, or is unset."""
    lang = lang.strip().lower().replace("_", "-")
    return not lang or lang == "en" or lang.startswith("en-")


def prose_text(root: etree._Element, *, skip_boilerplate: bool = False) -> str:
    """Visible text with a sentence break after each block (heading, list item, cell...)."""
    parts: list[str] = []
    _collect(root, parts, skip_boilerplate)
    text = _ENDS_SENTENCE.sub(r"\1.\n", " ".join(parts))
    return " ".join(text.split())


def _collect(el: etree._Element, parts: list[str], skip_boilerplate: bool) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    skipped = not tag or tag in _NO_TEXT_TAGS or (skip_boilerplate and _is_boilerplate(el, tag))
    if not skipped:
        if el.text:
            parts.append(el.text)
        for child in el:
            _collect(child, parts, skip_boilerplate)
        if tag in _BLOCK_TAGS:
            parts.append("\n")
    if el.tail:
        parts.append(el.tail)


def _is_boilerplate(el: etree._Element, tag: str) -> bool:
    role = el.get("role")
    if role == "main":
        return False
    if tag in _BOILERPLATE_TAGS or role in _BOILERPLATE_ROLES:
        return True
    marker = f"{el.get('id', '')} {el.get('class', '')}".lower()
    return any(hint in marker for hint in _BOILERPLATE_HINTS)


def first_words(text: str, limit: int = MAX_WORDS) -> str:
    """The first `limit` words of text."""
    words = text.split(maxsplit=limit)
    return " ".join(words[:limit])


def split_sentences(text: str) -> list[str]:
    """Sentences as textstat counts them (fragments of two words or fewer are dropped)."""
    return [s.strip() for s in _SENTENCE.findall(text) if len(s.split()) > 2]


def clip(text: str, limit: int = SENTENCE_CLIP) -> str:
    """Text cut to `limit` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def measure(text: str) -> Readability:
    """Score a text: textstat once per measure, sentence statistics from one split."""
    fk_grade = _TEXTSTAT.flesch_kincaid_grade(text)
    ease = _TEXTSTAT.flesch_reading_ease(text)
    words = _TEXTSTAT.lexicon_count(text)
    sentences = _TEXTSTAT.sentence_count(text)
    split = split_sentences(text)
    lengths = [len(s.split()) for s in split]
    long_share = sum(n > LONG_SENTENCE_WORDS for n in lengths) / len(lengths) if lengths else 0.0
    order = sorted(range(len(split)), key=lambda i: -lengths[i])[:HARDEST_SHOWN]
    return Readability(
        reading_age=fk_grade + 5,
        flesch_reading_ease=ease,
        fk_grade=fk_grade,
        words=words,
        sentences=sentences,
        avg_sentence_length=words / sentences if sentences else 0.0,
        long_sentence_share=long_share,
        hardest_sentences=tuple(clip(split[i]) for i in order),
    )


def grade_severity(over: float) -> Severity:
    """Low up to 2 years over the target, medium up to 5, high beyond."""
    if over <= 2:
        return Severity.LOW
    if over <= 5:
        return Severity.MEDIUM
    return Severity.HIGH


def reading_message(score: Readability, target: int) -> str:
    """Editor-facing headline naming what makes the text hard."""
    long_sentences = (
        score.avg_sentence_length > _LONG_AVERAGE_SENTENCE or score.long_sentence_share > 0.25
    )
    long_words = score.avg_syllables_per_word > _LONG_AVERAGE_SYLLABLES
    if long_sentences and long_words:
        cause = "long sentences and long words make this page hard to follow"
    elif long_sentences:
        cause = "long sentences make this page hard to follow"
    elif long_words:
        cause = "long words make this page hard to follow"
    else:
        cause = "this page is harder to read than it should be"
    return f"Reading age {round(score.reading_age)} (target {target}): {cause}"


class ReadingAge(PageRule):
    """Flag English pages whose main text needs a reading age above the target."""

    id = "reading-age"
    title = "Page is hard to read"
    category = Category.READABILITY
    severity = Severity.MEDIUM
    summary = (
        "Estimates the reading age of each page's main text (Flesch-Kincaid grade plus 5, "
        "as a UK reading age) and flags pages above the target, 9 by default. Pages with "
        "little text or not in English are skipped."
    )
    why = (
        "Many residents read best at the level of a 9-year-old, including people with "
        "learning disabilities, people reading in a second language and anyone stressed or "
        "in a hurry. Even expert readers prefer plain English and find the answer faster. "
        "If a page is hard to read, people make mistakes or contact the council instead."
    )
    how_to_fix = (
        "Start with the hardest sentences listed in the evidence. Split long sentences so "
        "each has one idea and no more than 25 words. Swap long or formal words for everyday "
        "ones ('use' not 'utilise', 'help' not 'facilitate', 'about' not 'regarding'). Use "
        "'you' and 'we', bullet lists for steps or options, and explain any term people must "
        "know. Read it aloud: if you run out of breath, the sentence is too long."
    )
    references = (
        "https://www.gov.uk/guidance/content-design/writing-for-gov-uk",
        "https://www.w3.org/WAI/WCAG22/Understanding/reading-level.html",
    )

    @dataclass(frozen=True)
    class Options:
        """Options of reading-age."""

        target: int = option(9, "Highest acceptable UK reading age (years)")
        min_words: int = option(100, "Skip pages whose main text has fewer words than this")

    def applies_to(self, page: Page) -> bool:
        """English pages only (or pages that do not say their language)."""
        main_lang = page.main.get("lang") if page.main is not None else None
        return is_english(main_lang or page.lang)

    def check_page(self, page: Page) -> Iterator[Finding]:
        """Yield one finding when the main text's reading age is above the target."""
        if len(page.main_text.split()) < self.options.min_words:
            return
        root = page.main if page.main is not None else page.body
        text = first_words(prose_text(root, skip_boilerplate=page.main is None))
        score = measure(text)
        reading_age = round(score.reading_age, 1)
        target = self.options.target
        if reading_age <= target:
            return
        yield self.finding(
            page.url,
            reading_message(score, target),
            severity=grade_severity(reading_age - target),
            evidence={
                "reading_age": reading_age,
                "target": target,
                "flesch_reading_ease": round(score.flesch_reading_ease, 1),
                "fk_grade": round(score.fk_grade, 1),
                "words": score.words,
                "sentences": score.sentences,
                "avg_sentence_length": round(score.avg_sentence_length, 1),
                "long_sentence_share": round(score.long_sentence_share, 2),
                "hardest_sentences": list(score.hardest_sentences),
            },
        )
