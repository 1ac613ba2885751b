"""The prose and contact rules on real GOV.UK content items (../shared/realworld): the
false alarms docs/content.md measures stay gone, and the real mistakes stay found."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pytest

from rules.analyses.contacts import scan_page
from rules.analyses.prose import is_listing
from rules.base import Finding
from rules.links.malformed_contact_link import MalformedContactLink
from rules.page import Page
from rules.readability.misspelling import Misspelling
from tests.kit.memory_site import MemorySite
from tests.kit.realworld import realworld_dir

ORIGIN = "http://127.0.0.1:8402"


@dataclass
class Corpus:
    """The GOV.UK items read once, with what the rules make of them."""

    items: list[dict[str, Any]]
    pages: dict[str, Page]

    @cached_property
    def misspellings(self) -> dict[str, Finding]:
        rule = Misspelling()
        facts = {url: rule.page_facts(page) for url, page in self.pages.items()}
        site = MemorySite(facts={rule.id: {url: f for url, f in facts.items() if f}})
        return {finding.evidence["word"]: finding for finding in rule.check_site(site)}

    def phones(self, path: str) -> set[str]:
        contacts = scan_page(self.pages[ORIGIN + path]).contacts
        return {c.value for c in contacts if c.kind == "phone"}


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    folder = realworld_dir() / "govuk-content-examples"
    items = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    pages = {
        ORIGIN + item["url"]: Page.from_file(str(folder / item["file"]), ORIGIN + item["url"])
        for item in items
    }
    return Corpus(items, pages)


def test_british_and_current_words_are_not_called_misspelt(corpus: Corpus) -> None:
    once_flagged = {"mitigations", "renewables", "overpayments", "scepticism", "etc", "plc"}
    assert once_flagged.isdisjoint(corpus.misspellings)
    assert len(corpus.misspellings) <= 37


def test_real_misspellings_are_still_found(corpus: Corpus) -> None:
    assert corpus.misspellings["identfication"].evidence["suggestion"] == "identification"
    assert corpus.misspellings["witholding"].evidence["suggestion"] == "withholding"


def test_lists_of_names_are_left_out_of_prose(corpus: Corpus) -> None:
    path = "/corporate_information_page/corporate_information_page_without_description/"
    listed = {b.text for b in corpus.pages[ORIGIN + path].main_blocks if is_listing(b.text)}
    assert "Adult Autism Programme Board" in listed
    assert "Professor Dame Sally Davies, Chief Medical Officer" in listed
    assert "horizon scans for significant issues" not in listed


def test_every_number_the_items_list_is_found(corpus: Corpus) -> None:
    for item in corpus.items:
        found = {value[3:] for value in corpus.phones(item["url"])}  # without +44
        for number in item["phones_in_page"]:
            digits = "".join(c for c in number if c.isdigit()).removeprefix("44").lstrip("0")
            assert digits in found, (item["url"], number)


def test_numbers_as_pages_write_them(corpus: Corpus) -> None:
    # The label run into the number by the markup: "Public enquiries020 7944 4746".
    assert "+442079444746" in corpus.phones("/statistical_data_set/statistical_data_set_withdrawn/")
    # Another country's number written as its people write it, not a UK one.
    assert "+44042222235" not in corpus.phones("/travel_advice/full-country/")


def test_contact_link_messages_quote_a_headline_not_the_whole_address(corpus: Corpus) -> None:
    rule = MalformedContactLink()
    findings = [f for page in corpus.pages.values() for f in rule.check_page(page)]
    assert findings
    assert max(len(f.message) for f in findings) <= 200
    assert all("%20" not in f.message for f in findings)
