"""long-paragraph: paragraphs too long to take in at once."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rules.analyses.prose import clip, split_sentences
from rules.base import Category, Finding, PageRule, Severity, option
from rules.page import Page

# Blocks that hold running text; list items, cells and headings are short by nature.
_PARAGRAPH_KINDS = ("paragraph", "text")
MAX_EXAMPLES = 3
OPENING_WORDS = 12


class LongParagraph(PageRule):
    """Flag pages with paragraphs longer than the limit."""

    id = "long-paragraph"
    title = "Very long paragraphs"
    category = Category.READABILITY
    severity = Severity.LOW
    summary = (
        "Counts the words in each paragraph of the main content and flags pages with "
        "paragraphs over 100 words. The evidence lists the longest, with their opening "
        "words so they can be found."
    )
    why = (
        "Long blocks of text are hard to read on a phone and easy to skim past, so people "
        "miss what they need to do. Most people scan web pages rather than read every word, "
        "and short paragraphs with one idea each make scanning work."
    )
    how_to_fix = (
        "Split each long paragraph into short ones of one idea each, two or three sentences "
        "at most. Turn steps or options into a numbered or bulleted list, and add "
        "descriptive subheadings so people can jump to the part they need."
    )
    references = (
        "https://www.gov.uk/guidance/content-design/writing-for-gov-uk",
        "https://www.w3.org/WAI/WCAG22/Understanding/reading-level.html",
    )

    @dataclass(frozen=True)
    class Options:
        """Options of long-paragraph."""

        max_words: int = option(100, "Flag paragraphs with more words than this")

    def check_page(self, page: Page) -> Iterator[Finding]:
        """Yield one finding listing the page's paragraphs over `max_words`."""
        long = []
        for block in page.main_blocks:
            if block.kind in _PARAGRAPH_KINDS:
                words = len(block.text.split())
                if words > self.options.max_words:
                    long.append((words, block.text))
        if not long:
            return
        long.sort(key=lambda item: -item[0])
        words, text = long[0]
        more = f" (and {len(long) - 1} more)" if len(long) > 1 else ""
        yield self.finding(
            page.url,
            f'Paragraph of {words} words starting "{opening(text)}"{more}',
            evidence={
                "paragraphs": len(long),
                "max_words": self.options.max_words,
                "longest": [
                    {
                        "words": n,
                        "sentences": max(1, len(split_sentences(t))),
                        "opening": opening(t),
                    }
                    for n, t in long[:MAX_EXAMPLES]
                ],
            },
        )


def opening(text: str) -> str:
    """The first words of a paragraph, to find it by."""
    words = text.split()
    head = " ".join(words[:OPENING_WORDS])
    return clip(head + ("…" if len(words) > OPENING_WORDS else ""), 120)
