"""The content site rules' helpers (stale-content's page facts, misspelling's word
lists, document-instead-of-html's document types): what their cases in
tests/rules/cases/ don't pin."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.accessibility.document_instead_of_html import document_type
from rules.analyses import spelling
from rules.freshness.stale_content import StaleContent
from rules.page import Page
from rules.readability.misspelling import (
    _NOT_PROSE,
    MAX_ADDRESS_RUN,
    Misspelling,
    is_known,
    one_edit_apart,
    suggestion,
    unknown_words,
    without_addresses,
)
from tests.kit.memory_site import MemorySite, u


def page(path: str, body: str, *, headers: dict[str, str] | None = None) -> Page:
    """A crawled page whose main content is `body`."""
    html = f'<html lang="en-GB"><body><main>{body}</main></body></html>'
    return Page(url=u(path), html=html, headers=headers or {})


# -- stale-content -------------------------------------------------------------------------


def test_page_facts_are_none_for_a_page_with_no_date_anywhere() -> None:
    assert StaleContent().page_facts(page("/x/", "<p>No dates here.</p>")) is None


# -- misspelling ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "word",
    [
        "colour",
        "organise",
        "organisations",
        "recognised",
        "analyse",
        "centre",
        "fibre",
        "licence",
        "travelled",
        "counsellor",
        "catalogue",
        "paediatric",
        "programme",
        "judgement",
        "ageing",
        "neighbourhood",
        "favourite",
        "behavioural",
        "kerb",
        "whilst",
        "aluminium",
        "cheque",
        "organize",
        "mitigations",
        "overpayments",
        "renewables",
        "scepticism",
        "etc",
    ],
)
def test_british_spellings_are_known(word: str) -> None:
    assert is_known(word)


@pytest.mark.parametrize(
    "word", ["recieve", "goverment", "accomodation", "seperate", "councill", "publically", "color"]
)
def test_common_misspellings_are_unknown(word: str) -> None:
    assert not is_known(word)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("recieve", "receive"),
        ("goverment", "government"),
        ("accomodation", "accommodation"),
        ("xqzzy", None),
        # written as one word where the dictionary has two: style, not spelling
        ("onsite", None),
        ("webchat", None),
    ],
)
def test_suggestion_is_a_known_word_one_letter_away(word: str, expected: str | None) -> None:
    assert suggestion(word) == expected


@pytest.mark.parametrize(
    ("one", "other", "apart"),
    [
        ("recieve", "receive", True),
        ("colour", "color", True),
        ("bin", "bins", True),
        ("bins", "bin", True),
        ("cat", "cut", True),
        ("cat", "cat", False),
        ("cat", "dog", False),
        ("onsite", "on-site", True),
        ("form", "from", True),
        ("abcd", "badc", False),
        ("bin", "binds", False),
    ],
)
def test_one_edit_apart(one: str, other: str, apart: bool) -> None:
    assert one_edit_apart(one, other) is apart


def test_a_missing_dictionary_is_one_readable_error_not_a_finding_per_word(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(spelling, "LANGUAGE", "xx_NOWHERE")
    spelling.dictionary.cache_clear()
    spelling.is_known.cache_clear()
    try:
        rule = Misspelling()
        assert rule.page_facts(page("/x/", "<p>We will recieve it.</p>")) is None
        with pytest.raises(RuntimeError, match="hunspell-en-gb"):
            list(rule.check_site(MemorySite(facts={rule.id: {}})))
    finally:
        spelling.dictionary.cache_clear()
        spelling.is_known.cache_clear()


def test_names_acronyms_addresses_postcodes_and_compound_prefixes_are_not_checked() -> None:
    text = (
        "Visit Kingsmead library or email bins@northbrook.gov.uk or go to "
        "https://www.northbrook.gov.uk/recieve-it. Post it to NB1 1AA. Ask the SENCO. "
        "Our multi-agency team runs pre-school groups and writes off write-offs. Ref ab12cd. "
        "We will recieve it."
    )
    assert unknown_words(text, frozenset()) == {"recieve": (1, text.rindex("recieve"))}


# Pieces of text around web and email addresses, in either case, with the spaces, line
# breaks and other white space that end them.
_ADDRESS_PIECES = ["a", "Bins", "@", "://", "www.", "WWW.", ".uk", ".UK", ".gov", "gov"]
_ADDRESS_PIECES += ["http", "s", "-", "+", ".", "/", "_", "9", "\u2019", "é", " ", "\n", "\t"]
_ADDRESS_PIECES += ["\xa0", "\x1e", "co", "nhs"]


@given(st.lists(st.sampled_from(_ADDRESS_PIECES), max_size=30).map("".join))
def test_addresses_are_blanked_as_the_pattern_over_the_whole_text_blanks_them(text: str) -> None:
    whole = _NOT_PROSE.sub(lambda m: " " * len(m.group()), text)
    assert without_addresses(text) == whole


def test_a_run_too_long_for_an_address_is_blanked_whole_in_linear_time() -> None:
    # Tried on the pattern, 100,000 letters and as many @ took minutes (quadratic).
    run = "a" * 100_000 + "@" * 100_000
    text = f"We recieve {run} and recieve"
    started = time.process_time()
    assert without_addresses(text) == f"We recieve {' ' * len(run)} and recieve"
    assert unknown_words(text, frozenset()) == {"recieve": (2, 3)}
    assert time.process_time() - started < 5
    # Up to the limit, a run is blanked where the pattern finds an address, no more.
    longest = "recieve," + "y" * (MAX_ADDRESS_RUN - 31) + ",bins@northbrook.gov.uk"
    assert len(longest) == MAX_ADDRESS_RUN
    blanked = without_addresses(longest)
    assert blanked == _NOT_PROSE.sub(lambda m: " " * len(m.group()), longest)
    assert blanked == longest.removesuffix("bins@northbrook.gov.uk") + " " * 22


def test_the_site_dictionary_and_allow_list_accept_local_words(tmp_path: Path) -> None:
    dictionary = tmp_path / "words.txt"
    dictionary.write_text("# place names\nkingsmeade\n\ntelecare  # a service\n", encoding="utf-8")
    rule = Misspelling(Misspelling.Options(dictionary=str(dictionary), allow=("wheelie",)))
    facts = rule.page_facts(
        page("/x/", "<p>Ask about telecare at kingsmeade, and recieve help.</p>")
    )
    assert facts is not None and set(facts) == {"recieve"}
    with pytest.raises(ValueError, match="dictionary"):
        Misspelling.Options(dictionary=str(tmp_path / "missing.txt"))


# -- document-instead-of-html --------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "content_type", "extensions", "kind"),
    [
        ("https://c.example/a.pdf", "application/pdf", ("pdf",), "PDF"),
        ("https://c.example/download?id=3", "application/pdf; charset=binary", ("pdf",), "PDF"),
        ("https://c.example/a.docx", "application/octet-stream", ("docx",), "Word"),
        ("https://c.example/a.docx", "", ("doc", "docx"), "Word"),
        (
            "https://c.example/a",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            ("pptx",),
            "PowerPoint",
        ),
        ("https://c.example/a.pdf", "application/pdf", ("docx",), None),
        ("https://c.example/a.csv", "text/csv", ("pdf",), None),
        ("https://c.example/a.pdf", "text/html", ("pdf",), None),
    ],
)
def test_document_type(
    url: str, content_type: str, extensions: tuple[str, ...], kind: str | None
) -> None:
    assert document_type(url, content_type, extensions) == kind
