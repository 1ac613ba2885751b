"""words-to-avoid: pages full of jargon and formal words that have plain alternatives."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from rules.analyses.prose import clip, is_english_page, main_lines, sentence_around
from rules.base import Category, Finding, PageRule, Severity, option
from rules.page import Page

# Words as this rule compares them, joined by apostrophes or hyphens; and the marks after
# which a capital letter starts a sentence rather than a name.
_WORD = re.compile(r"[a-z0-9]+(?:['\u2019\-][a-z0-9]+)*")
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['\u2019\-][A-Za-z0-9]+)*|[.!?:;\n\"\u201c(]")
_BOUNDARIES = frozenset('.!?:;\n"\u201c(')
MAX_EXAMPLES = 5


class Entry(NamedTuple):
    """A word or phrase to avoid, the forms it takes, and what to write instead."""

    word: str
    alternative: str
    forms: tuple[str, ...]


def verb_forms(verb: str) -> tuple[str, ...]:
    """A regular verb's forms, with -ize spellings for -ise verbs: utilise, utilises,
    utilised, utilising, utilize..."""
    stem = verb[:-1] if verb.endswith("e") else verb
    forms = [verb, verb + "s", stem + "ed", stem + "ing"]
    if verb.endswith("ise"):
        cut = len(verb) - 3
        forms += [form[:cut] + "iz" + form[cut + 2 :] for form in forms]
    return tuple(forms)


def _verb(verb: str, alternative: str, *more: str) -> Entry:
    return Entry(verb, alternative, (*verb_forms(verb), *more))


def _word(word: str, alternative: str, *more: str) -> Entry:
    return Entry(word, alternative, (word, *more))


# Our own list, written from GOV.UK's style guidance on plain English and words to avoid:
# formal words with everyday equivalents, and jargon that hides what is actually done.
# The alternatives are suggestions; often the best fix is to say what happens.
BUILTIN_ENTRIES: tuple[Entry, ...] = (
    _verb("utilise", "use", "utilisation", "utilization"),
    _verb("facilitate", "help, or say what you will do"),
    _verb("commence", "start", "commencement"),
    _verb("leverage", "use"),
    _verb("endeavour", "try", "endeavor"),
    _verb("ascertain", "find out"),
    _verb("obtain", "get"),
    _verb("purchase", "buy"),
    _verb("assist", "help", "assistance"),
    _verb("reside", "live"),
    _verb("terminate", "end or stop"),
    _verb("expedite", "speed up"),
    _verb("implement", "do, start or carry out", "implementation"),
    _verb("deliver", "say what you will actually do: give, run, build or provide"),
    _verb("empower", "let or allow"),
    _verb("liaise", "work with or talk to"),
    _verb("incentivise", "encourage"),
    _verb("streamline", "simplify"),
    _verb("collaborate", "work with"),
    _verb("initiate", "start"),
    _verb("deploy", "use or send"),
    _verb("require", "need, or 'must'"),
    Entry("tackle", "stop, deal with or reduce", ("tackle", "tackles", "tackled", "tackling")),
    _word("robust", "strong or thorough"),
    _word("overarching", "main or overall"),
    _word("holistic", "whole or complete", "holistically"),
    _word("synergy", "say what the benefit is", "synergies"),
    _word("proactive", "say what you will do", "proactively"),
    _word("stakeholders", "say who: residents, businesses, partners", "stakeholder"),
    _word("additional", "more or extra"),
    _word("approximately", "about"),
    _word("sufficient", "enough"),
    _word("numerous", "many"),
    _word("regarding", "about"),
    _word("remuneration", "pay"),
    _word("whilst", "while"),
    _word("notwithstanding", "despite or even if"),
    _word("hereby", "leave it out"),
    _word("herewith", "leave it out"),
    _word("aforementioned", "this or that"),
    _word("thereafter", "then or after that"),
    _word("going forward", "from now on, or in future"),
    _word("in order to", "to"),
    _word("prior to", "before"),
    _word("in respect of", "about or for"),
    _word("with regard to", "about", "with regards to"),
    _word("in relation to", "about"),
    _word("in accordance with", "under, or in line with"),
    _word("in the event of", "if", "in the event that"),
    _word("pursuant to", "under"),
    _word("in conjunction with", "with"),
    _word("on a daily basis", "daily or every day"),
    _word("at this point in time", "now"),
    _word("due to the fact that", "because"),
    _word("in excess of", "more than"),
    _word("in receipt of", "get or have"),
    _word("a number of", "some or several, or say how many"),
    _word("one-stop shop", "say what it is", "one stop shop"),
    _word("ring-fenced", "kept for or set aside for", "ring fenced", "ring-fencing"),
)


class PhraseIndex(NamedTuple):
    """Entries by the first word of each form, longest form first."""

    entries: tuple[Entry, ...]
    by_first_word: dict[str, list[tuple[tuple[str, ...], int]]]


@lru_cache(maxsize=8)
def phrase_index(extra: tuple[tuple[str, str], ...], ignore: tuple[str, ...]) -> PhraseIndex:
    """The built-in entries less `ignore`, plus configured (word, alternative) pairs."""
    ignored = {w.lower() for w in ignore}
    entries = [e for e in BUILTIN_ENTRIES if e.word not in ignored]
    entries += [Entry(w.lower(), alt, (w.lower(),)) for w, alt in extra]
    index: dict[str, list[tuple[tuple[str, ...], int]]] = {}
    for number, entry in enumerate(entries):
        for form in entry.forms:
            tokens = tuple(_WORD.findall(form.lower()))
            if tokens:
                index.setdefault(tokens[0], []).append((tokens, number))
    for candidates in index.values():
        candidates.sort(key=lambda c: -len(c[0]))
    return PhraseIndex(tuple(entries), index)


def count_uses(text: str, index: PhraseIndex) -> Counter[int]:
    """How many times each entry (by number) is used in text.

    A capitalised use in mid-sentence is part of a name ("the Compulsory Purchase Act",
    "Holistic Therapies Ltd"), which the page cannot change, so it does not count.
    """
    tokens = _TOKEN.findall(text)
    # One lower-casing for the whole page, not one per word.
    lower = "\0".join(tokens).lower().split("\0")
    uses: Counter[int] = Counter()
    present = index.by_first_word.keys() & set(lower)
    if not present:
        return uses  # most pages: nothing to look at twice
    for i in [i for i, token in enumerate(lower) if token in present]:
        if tokens[i][0].isupper() and i and lower[i - 1] not in _BOUNDARIES:
            continue
        for form, number in index.by_first_word[lower[i]]:
            if len(form) == 1 or tuple(lower[i : i + len(form)]) == form:
                uses[number] += 1
                break
    return uses


@lru_cache(maxsize=512)
def forms_pattern(entry: Entry) -> re.Pattern[str]:
    """A pattern finding any of the entry's forms as whole words, in any case."""
    forms = "|".join(re.escape(f) for f in sorted(entry.forms, key=len, reverse=True))
    return re.compile(rf"(?<![\w'\u2019-])(?:{forms})(?![\w'\u2019-])", re.IGNORECASE)


def starts_sentence(text: str, offset: int) -> bool:
    """Whether the word at `offset` is the first of a sentence or line."""
    before = text[:offset].rstrip(" \t")
    return not before or before[-1] in ".!?:;\n\"'(\u201c\u2018"


def example_of(text: str, entry: Entry, lowered: str | None = None) -> str:
    """The sentence of the entry's first use in text (not counting uses in names).

    `lowered`, the text lower-cased when it is ASCII, lets the pattern start at the first
    place any form is written, found by plain string search: no match starts before it,
    and the pattern, which looks behind, reads the text before it all the same. (Only
    for ASCII forms: a case-blind pattern matches some other letters to ASCII ones.)
    """
    start = 0
    if lowered is not None and all(form.isascii() for form in entry.forms):
        found = [at for form in entry.forms if (at := lowered.find(form.lower())) >= 0]
        if not found:
            return ""
        start = min(found)
    for m in forms_pattern(entry).finditer(text, start):
        if m.group()[0].islower() or starts_sentence(text, m.start()):
            return clip(sentence_around(text, m.start()))
    return ""


class WordsToAvoid(PageRule):
    """Flag pages using several words and phrases that have plainer alternatives."""

    id = "words-to-avoid"
    title = "Page uses jargon or formal words"
    category = Category.READABILITY
    severity = Severity.LOW
    summary = (
        "Counts words and phrases that GOV.UK style advises against, such as 'in order "
        "to', 'facilitate', 'utilise', 'commence', 'prior to' and 'going forward', and flags "
        "pages that use them several times, suggesting a plain alternative for each."
    )
    why = (
        "Formal words and jargon make people work harder to understand a page, and some "
        "hide what the council will actually do. Plain words are quicker to read for "
        "everyone, including people reading in a second language or using a translation "
        "tool."
    )
    how_to_fix = (
        "Replace each word or phrase listed in the evidence with the suggested everyday "
        "alternative, or rewrite the sentence to say plainly what happens and who does it "
        "('we will empty your bin' rather than 'we will deliver a collection service')."
    )
    references = (
        "https://www.gov.uk/guidance/style-guide/a-to-z-of-gov-uk-style",
        "https://www.gov.uk/guidance/content-design/writing-for-gov-uk",
        "https://www.w3.org/WAI/WCAG22/Understanding/unusual-words.html",
    )

    @dataclass(frozen=True)
    class Options:
        """Options of words-to-avoid."""

        min_uses: int = option(3, "Flag a page once it uses words to avoid this many times")
        extra: tuple[tuple[str, str], ...] = option(
            (),
            "More words or phrases to avoid, as a table of word to alternative, e.g. "
            '{"signpost" = "refer or direct"}',
        )
        ignore: tuple[str, ...] = option(
            (), 'Built-in words to allow on this site, e.g. ["deliver"]'
        )

    def applies_to(self, page: Page) -> bool:
        """English pages only (or pages that do not say their language)."""
        return is_english_page(page)

    def check_page(self, page: Page) -> Iterator[Finding]:
        """Yield one finding when the page uses words to avoid `min_uses` times or more."""
        index = phrase_index(self.options.extra, self.options.ignore)
        text = main_lines(page)
        uses = count_uses(text, index)
        total = sum(uses.values())
        if total < self.options.min_uses:
            return
        ranked = [(index.entries[number], count) for number, count in uses.most_common()]
        lowered = text.lower() if text.isascii() else None
        named = ", ".join(f'"{e.word}" ({e.alternative})' for e, _ in ranked[:3])
        yield self.finding(
            page.url,
            f"{total} uses of words and phrases with plainer alternatives: {named}"
            + (f" and {len(ranked) - 3} more" if len(ranked) > 3 else ""),
            evidence={
                "uses": total,
                "words": [
                    {
                        "word": entry.word,
                        "alternative": entry.alternative,
                        "count": count,
                        "example": example_of(text, entry, lowered),
                    }
                    for entry, count in ranked[:MAX_EXAMPLES]
                ],
                "distinct": len(ranked),
            },
        )
