"""passive-voice: pages where much of the writing is in the passive voice."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from rules.analyses.prose import clip, is_english_page, main_fragments, sentences_of
from rules.base import Category, Finding, PageRule, Severity, option
from rules.page import Page

# Past participles that do not end in -ed, the ones council writing uses.
_IRREGULAR = [
    "arisen",
    "awoken",
    "been",
    "beaten",
    "become",
    "begun",
    "bent",
    "bid",
    "bitten",
    "blown",
    "born",
    "borne",
    "bought",
    "bound",
    "broken",
    "brought",
    "built",
    "burnt",
    "caught",
    "chosen",
    "come",
    "cost",
    "cut",
    "dealt",
    "done",
    "drawn",
    "driven",
    "drunk",
    "eaten",
    "fallen",
    "felt",
    "fought",
    "found",
    "forbidden",
    "forgiven",
    "forgotten",
    "frozen",
    "given",
    "gone",
    "grown",
    "hung",
    "heard",
    "held",
    "hidden",
    "hit",
    "hurt",
    "kept",
    "known",
    "laid",
    "led",
    "left",
    "lent",
    "let",
    "lost",
    "made",
    "meant",
    "met",
    "mistaken",
    "overtaken",
    "paid",
    "put",
    "read",
    "rebuilt",
    "repaid",
    "reset",
    "rung",
    "run",
    "said",
    "seen",
    "sent",
    "set",
    "shaken",
    "shed",
    "shown",
    "shut",
    "slain",
    "sold",
    "sought",
    "spent",
    "split",
    "spoken",
    "spread",
    "stolen",
    "struck",
    "stuck",
    "sung",
    "sworn",
    "taken",
    "taught",
    "thrown",
    "told",
    "torn",
    "understood",
    "undertaken",
    "upheld",
    "woken",
    "won",
    "worn",
    "withdrawn",
    "withheld",
    "written",
]
# Words after "is" or "are" that end in -ed but describe a state or feeling, or are not
# verbs at all: "we are pleased", "you are interested", "the need is".
_NOT_PASSIVE = frozenset(
    [
        "interested",
        "concerned",
        "worried",
        "pleased",
        "delighted",
        "tired",
        "bored",
        "scared",
        "excited",
        "surprised",
        "married",
        "divorced",
        "retired",
        "disabled",
        "qualified",
        "experienced",
        "skilled",
        "supposed",
        "used",
        "need",
        "indeed",
        "exceed",
        "proceed",
        "succeed",
        "speed",
        "seed",
        "feed",
        "breed",
        "bleed",
        "hundred",
        "red",
        "bed",
        "shed",
    ]
)
# A form of "to be", an optional adverb or "not", then a past participle: "is collected",
# "will be sent", "were not told", "has been fully paid".
_PASSIVE_PATTERN = (
    r"\b(?:am|is|are|was|were|be|been|being)\s+(?:(?:not|never|also|then|now|usually"
    r"|always|often|only|still|\w+ly)\s+)?(?P<participle>[a-z]+ed|" + "|".join(_IRREGULAR) + r")\b"
)
_PASSIVE = re.compile(_PASSIVE_PATTERN, re.IGNORECASE)
# An ASCII sentence, lower-cased, is searched case-sensitively: the same matches, in about
# 60% of the time (a case-insensitive pattern folds the case of every letter it tries).
_PASSIVE_LOWER = re.compile(_PASSIVE_PATTERN)
MAX_EXAMPLES = 3


def is_passive(sentence: str) -> bool:
    """Whether a sentence holds a passive construction (a heuristic: be + participle)."""
    if sentence.isascii():
        lowered = sentence.lower()
        return any(m["participle"] not in _NOT_PASSIVE for m in _PASSIVE_LOWER.finditer(lowered))
    for m in _PASSIVE.finditer(sentence):
        if m.group("participle").lower() not in _NOT_PASSIVE:
            return True
    return False


class PassiveVoice(PageRule):
    """Flag pages where a large share of sentences are in the passive voice."""

    id = "passive-voice"
    title = "Page uses the passive voice a lot"
    category = Category.READABILITY
    severity = Severity.LOW
    summary = (
        "Finds sentences in the passive voice ('your bin will be collected', 'forms must be "
        "returned') and flags pages where they are more than a third of all sentences; "
        "an occasional passive sentence is fine."
    )
    why = (
        "Passive sentences hide who does what, so people cannot tell whether they or the "
        "council must act. They are also longer and harder to follow than active ones. "
        "Clear instructions say 'we will collect your bin' and 'send us the form'."
    )
    how_to_fix = (
        "Rewrite the example sentences in the evidence so the person or team doing the "
        "action comes first: 'we', 'you' or a named service. 'Applications must be made "
        "online' becomes 'Apply online'; 'your bin will be collected on Monday' becomes 'we "
        "will collect your bin on Monday'."
    )
    references = (
        "https://www.gov.uk/guidance/content-design/writing-for-gov-uk",
        "https://www.gov.uk/guidance/style-guide/a-to-z-of-gov-uk-style",
    )

    @dataclass(frozen=True)
    class Options:
        """Options of passive-voice."""

        max_share: float = option(
            0.33, "Flag pages where more than this share of sentences are passive (0 to 1)"
        )
        min_sentences: int = option(8, "Skip pages with fewer sentences than this")

    def applies_to(self, page: Page) -> bool:
        """English pages only (or pages that do not say their language)."""
        return is_english_page(page)

    def check_page(self, page: Page) -> Iterator[Finding]:
        """Yield one finding when passive sentences exceed `max_share`."""
        sentences = sentences_of(main_fragments(page))
        if len(sentences) < self.options.min_sentences:
            return
        passive = [s for s in sentences if is_passive(s)]
        share = len(passive) / len(sentences)
        if share <= self.options.max_share:
            return
        yield self.finding(
            page.url,
            f"{len(passive)} of {len(sentences)} sentences ({share:.0%}) are in the passive "
            "voice: say who does what",
            evidence={
                "passive_sentences": len(passive),
                "sentences": len(sentences),
                "share": round(share, 2),
                "max_share": self.options.max_share,
                "examples": [clip(s) for s in passive[:MAX_EXAMPLES]],
            },
        )
