"""all-caps-text: runs of text written in capital letters."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from rules.analyses.prose import clip
from rules.base import Category, Finding, PageRule, Severity, option
from rules.page import Page

# Words as this rule sees them: letters, with apostrophes or hyphens inside.
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019\-][^\W\d_]+)*")
# Cheap test before looking closer: two capitals in a row somewhere in the block.
_CAPITALS = re.compile(r"[A-Z]{2}")
MAX_EXAMPLES = 3


def capital_runs(text: str, min_words: int) -> list[str]:
    """Runs of at least `min_words` consecutive words in capitals, as written.

    One-letter words ("A", "I") neither count towards a run nor break it, so "PAY FOR A
    PERMIT" is a run of three. Single acronyms (NHS, SEND) are never long enough to count.
    """
    runs: list[str] = []
    start = end = count = 0
    for m in _WORD.finditer(text):
        word = m.group()
        if word.isupper() and len(word) > 1:
            if count == 0:
                start = m.start()
            count += 1
            end = m.end()
        elif not (word.isupper() and count):
            if count >= min_words:
                runs.append(text[start:end])
            count = 0
    if count >= min_words:
        runs.append(text[start:end])
    return runs


class AllCapsText(PageRule):
    """Flag pages with sentences or headings written in capital letters."""

    id = "all-caps-text"
    title = "Text written in capital letters"
    category = Category.READABILITY
    severity = Severity.LOW
    summary = (
        "Finds runs of four or more words in capital letters in the main content, such as "
        "'PLEASE NOTE THE OFFICE WILL BE CLOSED'. Acronyms such as NHS are not counted."
    )
    why = (
        "Text in capital letters is harder to read: words lose the shapes that help people "
        "recognise them, which matters most for people with dyslexia or low vision. Some "
        "screen readers spell capitals out letter by letter, and to many readers capitals "
        "look like shouting."
    )
    how_to_fix = (
        "Rewrite the text in sentence case: a capital only at the start of the sentence and "
        "for names. To make a warning stand out, put it first, use a heading or the "
        "website's warning or inset text style, and bold a few words if you must."
    )
    references = (
        "https://www.gov.uk/guidance/style-guide/a-to-z-of-gov-uk-style",
        "https://www.w3.org/WAI/WCAG22/Understanding/visual-presentation.html",
    )

    @dataclass(frozen=True)
    class Options:
        """Options of all-caps-text."""

        min_words: int = option(4, "Flag runs of at least this many words in capitals")

    def check_page(self, page: Page) -> Iterator[Finding]:
        """Yield one finding listing the runs of capitals in the main content."""
        runs = [
            run
            for block in page.main_blocks
            if _CAPITALS.search(block.text)
            for run in capital_runs(block.text, self.options.min_words)
        ]
        if not runs:
            return
        more = f" (and {len(runs) - 1} more)" if len(runs) > 1 else ""
        yield self.finding(
            page.url,
            f'Text in capital letters: "{clip(runs[0], 80)}"{more}',
            evidence={"runs": len(runs), "examples": [clip(r, 200) for r in runs[:MAX_EXAMPLES]]},
        )
