"""Plain-English and past-date helpers, table by table: words to avoid, passive voice,
capitals, closing dates and financial-year references."""

from __future__ import annotations

from datetime import date

import pytest

from rules.freshness.past_closing_date import PastClosingDate, find_past_dates
from rules.freshness.past_financial_year import PastFinancialYear, find_year_references
from rules.page import Page
from rules.readability.all_caps_text import capital_runs
from rules.readability.passive_voice import is_passive
from rules.readability.words_to_avoid import (
    WordsToAvoid,
    count_uses,
    example_of,
    phrase_index,
    starts_sentence,
    verb_forms,
)

AS_OF = date(2025, 6, 1)


def test_verb_forms_include_inflections_and_ize_spellings() -> None:
    assert verb_forms("utilise") == (
        "utilise",
        "utilises",
        "utilised",
        "utilising",
        "utilize",
        "utilizes",
        "utilized",
        "utilizing",
    )
    assert verb_forms("deliver") == ("deliver", "delivers", "delivered", "delivering")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("In order to apply, utilise the form.", {"in order to": 1, "utilise": 1}),
        ("We commenced work prior to the meeting.", {"commence": 1, "prior to": 1}),
        ("Going forward, we will liaise with you.", {"going forward": 1, "liaise": 1}),
        ("We are facilitating and we facilitated.", {"facilitate": 2}),
        ("The one-stop shop is ring-fenced.", {"one-stop shop": 1, "ring-fenced": 1}),
        ("Order a bin. Prior approval. In order.", {"prior to": 0}),
        ("We deliver meals and use the shop.", {"deliver": 1}),
        ("", {}),
    ],
)
def test_count_uses(text: str, expected: dict[str, int]) -> None:
    index = phrase_index((), ())
    found = {index.entries[n].word: c for n, c in count_uses(text, index).items()}
    assert found == {w: c for w, c in expected.items() if c}


def test_configured_words_are_added_and_built_in_ones_ignored() -> None:
    index = phrase_index((("signpost", "refer or direct"),), ("deliver",))
    words = {e.word: e.alternative for e in index.entries}
    assert words["signpost"] == "refer or direct"
    assert "deliver" not in words


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("We will purchase land.", 1),
        ("Purchase a permit online.", 1),  # the start of a sentence
        ("Under the Compulsory Purchase Act 2004 we may buy land.", 0),  # a name
        ("Buy it.\nPurchase it.", 1),  # the start of a line (a new block)
    ],
)
def test_capitalised_uses_in_mid_sentence_are_names(text: str, count: int) -> None:
    index = phrase_index((), ())
    number = next(n for n, e in enumerate(index.entries) if e.word == "purchase")
    assert count_uses(text, index)[number] == count
    example = example_of(text, index.entries[number])
    assert (example != "") is (count > 0)
    assert example_of(text, index.entries[number], text.lower()) == example


@pytest.mark.parametrize(
    "text",
    [
        "The Compulsory Purchase Act lets us buy land. You can purchase a permit.",
        "Purchased permits: none. We repurchase them; purchase-ish words. We purchased two.",
        "Nothing to see here.",
        "A re-purchase. Then we purchase it.",
    ],
)
def test_an_example_found_from_the_lower_cased_text_is_the_same(text: str) -> None:
    index = phrase_index((), ())
    for entry in index.entries:
        assert example_of(text, entry, text.lower()) == example_of(text, entry)


@pytest.mark.parametrize(
    ("text", "offset", "starts"),
    [("Hello", 0, True), ("Yes. Hello", 5, True), ("Yes, Hello", 5, False), ("a\nHello", 2, True)],
)
def test_starts_sentence(text: str, offset: int, starts: bool) -> None:
    assert starts_sentence(text, offset) is starts


def test_a_page_under_the_threshold_has_no_finding() -> None:
    page = Page(
        "https://council.example/", "<main><p>In order to apply, utilise the form.</p></main>"
    )
    assert list(WordsToAvoid().check_page(page)) == []
    assert len(list(WordsToAvoid(WordsToAvoid.Options(min_uses=2)).check_page(page))) == 1


@pytest.mark.parametrize(
    ("sentence", "passive"),
    [
        ("Your bin will be collected on Monday.", True),
        ("Bins must be placed at the kerb by 7am.", True),
        ("Extra bags are not collected.", True),
        ("The form was sent to you.", True),
        ("Payment is taken when you register.", True),
        ("Decisions have been made.", True),
        ("Applications are usually processed within 10 days.", True),
        ("The office is closed on Mondays.", True),
        ("We collect your bin on Monday.", False),
        ("We are pleased to help.", False),
        ("If you are interested, call us.", False),
        ("You are married or in a civil partnership.", False),
        ("There is a need for more homes.", False),
        ("It is red.", False),
        ("The charge is £50 a year.", False),
        ("We used to collect on Fridays.", False),
        ("YOUR BIN WILL BE COLLECTED ON MONDAY.", True),
        ("Bins Are Emptied Weekly.", True),
        ("The caf\u00e9 is run by volunteers.", True),
        ("The caf\u00e9 IS CLOSED.", True),
        ("The caf\u00e9 is red.", False),
        ("We Are Pleased To Help.", False),
    ],
)
def test_is_passive(sentence: str, passive: bool) -> None:
    assert is_passive(sentence) is passive


@pytest.mark.parametrize(
    ("text", "runs"),
    [
        ("PLEASE NOTE THE OFFICE IS CLOSED", ["PLEASE NOTE THE OFFICE IS CLOSED"]),
        ("PAY FOR A PERMIT NOW", ["PAY FOR A PERMIT NOW"]),  # one-letter words do not break a run
        (
            "Call us. IF YOU ARE IN DANGER, CALL 999 NOW. We can help.",
            ["IF YOU ARE IN DANGER, CALL 999 NOW"],
        ),
        ("FLY-TIPPING IS A CRIME HERE", ["FLY-TIPPING IS A CRIME HERE"]),
        ("CONTACT US", []),
        ("Ask the NHS, DWP, HMRC or DVLA", []),
        ("NHS DWP HMRC", []),
        ("Nothing shouted here", []),
        ("", []),
    ],
)
def test_capital_runs(text: str, runs: list[str]) -> None:
    assert capital_runs(text, 4) == runs


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Closing date: Friday 3 May 2024", [("2024-05-03", True)]),
        ("Closing date for applications: 12/01/2024.", [("2024-01-12", True)]),
        ("The consultation closes at 5pm on 3 March 2024.", [("2024-03-03", True)]),
        ("Deadline: 4pm, Monday 6 March 2023", [("2023-03-06", True)]),
        ("Application deadline 1 April 2024", [("2024-04-01", True)]),
        ("Apply by 31 January 2024.", [("2024-01-31", True)]),
        ("Submit your nomination by 1 February 2024.", [("2024-02-01", True)]),
        ("Forms must be received by 12 noon on 3 June 2024.", [("2024-06-03", True)]),
        ("Send it no later than 2 May 2024.", [("2024-05-02", True)]),
        ("The fair will take place on Saturday 13 July 2024.", [("2024-07-13", True)]),
        ("The meeting will be held on 4 March 2025 at the town hall.", [("2025-03-04", True)]),
        ("Event date: 3 to 5 May 2024", [("2024-05-05", True)]),
        ("The survey runs until 30 April 2025.", [("2025-04-30", True)]),
        ("The course starts on 6 January 2025.", [("2025-01-06", True)]),
        ("This consultation closed on 4 April 2022.", [("2022-04-04", False)]),
        ("The event took place on 1 June 2024.", [("2024-06-01", False)]),
        ("Closing date\n3 May 2024", [("2024-05-03", True)]),  # a label and its value in two blocks
        ("Closing date: 30 June 2025", []),  # still to come
        ("Closing date: 3 May", []),  # no year
        ("Opening times from 3 March 2019.", []),
        ("We updated the charges on 3 March 2019.", []),
        ("The deadline for returns is on your letter.", []),
        ("CLOSING DATE: FRIDAY 3 MAY 2024", [("2024-05-03", True)]),
        ("The caf\u00e9 Closes On 3 March 2024.", [("2024-03-03", True)]),
        ("The caf\u00e9 event TOOK PLACE on 1 June 2024.", [("2024-06-01", False)]),
    ],
)
def test_find_past_dates(text: str, expected: list[tuple[str, bool]]) -> None:
    assert [(p.when.isoformat(), p.still_open) for p in find_past_dates(text, AS_OF)] == expected


def test_archive_pages_are_skipped_by_address() -> None:
    html = "<title>Consultations</title><main><p>Closing date: 3 May 2024</p></main>"
    rule = PastClosingDate(PastClosingDate.Options(as_of="2025-06-01"))
    assert not rule.applies_to(Page("https://council.example/consultations/archive/parking/", html))
    assert rule.applies_to(Page("https://council.example/consultations/parking/", html))
    custom = PastClosingDate(PastClosingDate.Options(archive_patterns=("/closed-consultations/",)))
    assert not custom.applies_to(Page("https://council.example/closed-consultations/x/", html))
    with pytest.raises(ValueError, match="archive_patterns"):
        PastClosingDate.Options(archive_patterns=("(",))


def test_year_references_say_where_they_are() -> None:
    html = (
        "<title>Budget 2019/20</title><main><h1>Budget 2019 to 2020</h1>"
        "<p>Spending in 2018-19 was lower. See the 2011-12-05 minutes.</p></main>"
    )
    refs = find_year_references(Page("https://council.example/budget/", html))
    assert [(r.first_year, r.written, r.where) for r in refs] == [
        (2019, "2019/20", "title"),
        (2019, "2019 to 2020", "heading"),
        (2018, "2018-19", "text"),
    ]
    assert refs[2].sentence == "Spending in 2018-19 was lower."


@pytest.mark.parametrize(
    ("as_of", "newest", "flagged"),
    [
        ("2025-06-01", "2024/25", False),  # last year: an annual report is still current
        ("2025-06-01", "2023/24", True),
        ("2025-03-31", "2023/24", False),  # still financial year 2024/25
        ("2025-04-01", "2023/24", True),
        ("2025-06-01", "2026/27", False),
    ],
)
def test_the_newest_year_may_be_one_financial_year_back(
    as_of: str, newest: str, flagged: bool
) -> None:
    page = Page("https://council.example/tax/", f"<main><h1>Council Tax {newest}</h1></main>")
    rule = PastFinancialYear(PastFinancialYear.Options(as_of=as_of))
    assert bool(list(rule.check_page(page))) is flagged
