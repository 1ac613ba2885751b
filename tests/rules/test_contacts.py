"""Phone numbers and email addresses: detection, labels, the page walk, and the contact
rules (contact-inventory, inconsistent-phone-number, unapproved-phone-number,
phone-only-service) over an in-memory site."""

from __future__ import annotations

from typing import Any

import pytest

from audits.core.config import ConfigError
from audits.rule_engine import configure
from rules.analyses.contacts import (
    email_from_mailto,
    find_emails,
    find_phones,
    label_before,
    label_key,
    parse_phone,
    phone_from_tel,
    scan_page,
)
from rules.base import Severity, SiteRule
from rules.contact.contact_inventory import ContactInventory
from rules.contact.inconsistent_phone_number import InconsistentPhoneNumber
from rules.contact.phone_only_service import PhoneOnlyService, keywords
from rules.contact.unapproved_phone_number import UnapprovedPhoneNumber
from rules.page import Page
from tests.kit.memory_site import HOME, MemorySite, info, link, u

# -- phone numbers in text -----------------------------------------------------------------

PHONES = [
    # the common UK ways of writing one number
    ("Call 0113 496 0000", ["+441134960000"]),
    ("0113-496-0000", ["+441134960000"]),
    ("(0113) 496 0000", ["+441134960000"]),
    ("01134960000", ["+441134960000"]),
    ("0113 4960 000", ["+441134960000"]),
    ("+44 113 496 0000", ["+441134960000"]),
    ("+44 (0)113 496 0000", ["+441134960000"]),
    ("+441134960000", ["+441134960000"]),
    ("0044 113 496 0000", ["+441134960000"]),
    ("Tel: 020 7946 0000", ["+442079460000"]),
    ("0207 946 0000", ["+442079460000"]),
    ("Freephone 0800 123 4567", ["+448001234567"]),
    ("03000 123 123", ["+443000123123"]),
    ("0300 123 4567 (calls cost the same as 01 numbers)", ["+443001234567"]),
    ("Mobile: 07911 123456", ["+447911123456"]),
    ("07911123456", ["+447911123456"]),
    ("0113 496 0000 ext 123", ["+441134960000"]),
    ("Textphone: 18001 0113 496 0000", ["+441134960000"]),
    ("Council tax: 0113 496 0123 or 0113 496 0124", ["+441134960123", "+441134960124"]),
    ("Lines are open 8am to 6pm, Monday to Friday, on 0161 496 0001.", ["+441614960001"]),
    ("Northbrook NB1 1AA. Phone 0113 496 0000", ["+441134960000"]),
    # Ofcom's ranges for drama and examples, which libphonenumber does not list as in use
    ("Call 01632 960123", ["+441632960123"]),
    ("Mobile 07700 900123", ["+447700900123"]),
    ("Tel: 0117 496 0123 or 020 7946 0123", ["+441174960123", "+442079460123"]),
    ("Textphone: 18001 01632 960 001", ["+441632960001"]),
    # things that look like numbers but are not phone numbers
    ("Page last reviewed: 03/03/2019", []),
    ("01/04/2024 - 31/03/2025", []),
    ("It costs £1,234.56 a year", []),
    ("£2.83 a call against £0.15 online", []),
    ("Ref: 12345678", []),
    ("Reference: 01134960123", []),
    ("Your account number 0113 496 0123 is on your bill", []),
    ("Application ref 24/01234/FUL", []),
    ("24/01234/FUL", []),
    ("Civic Centre, Market Street, LS1 4AB", []),
    ("Budget for 2019-2020", []),
    ("Opening hours 08:00-18:00", []),
    ("Population 1,234,567", []),
    ("ISBN 978-0-14-312755-4", []),
    ("In an emergency call 999", []),
    ("Invoice 20240101123", []),
    ("12 March 2024 at 10:30", []),
    ("Meeting on 01.04.2024 10:30 in the chamber", []),
    ("Budget 0.5 0.25 0.125 0.0625", []),
    ("Sort code 01-23-45, account 01234567", []),
    ("Call 0113 496", []),
    ("dial 127 or 04 2222 235 and ask for an ambulance", []),
]


@pytest.mark.parametrize(("text", "numbers"), PHONES)
def test_phone_numbers_in_text(text: str, numbers: list[str]) -> None:
    assert [hit.value for hit in find_phones(text)] == numbers


def test_phone_hit_keeps_the_written_form_and_its_place() -> None:
    text = "To book, call 0113 496 0124. Lines are open 8am to 6pm."
    [hit] = find_phones(text)
    assert hit.shown == "0113 496 0124"
    assert text[hit.start : hit.end] == "0113 496 0124"
    assert hit.national == "0113 496 0124"


def test_enough_real_world_strings_are_tested() -> None:
    assert len(PHONES) >= 30
    assert sum(1 for _, numbers in PHONES if not numbers) >= 15


EMAILS = [
    ("Email parking@council.example today", ["parking@council.example"]),
    ("Write to Council.Tax@Northbrook.gov.uk.", ["council.tax@northbrook.gov.uk"]),
    ("a.b-c+tag@sub.example.co.uk, x@y.org", ["a.b-c+tag@sub.example.co.uk", "x@y.org"]),
    ("logo@2x.png", []),
    ("Follow us @northbrook", []),
    ("name at council dot gov dot uk", []),
    ("user@localhost", []),
]


@pytest.mark.parametrize(("text", "addresses"), EMAILS)
def test_email_addresses_in_text(text: str, addresses: list[str]) -> None:
    assert [hit.value for hit in find_emails(text)] == addresses


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("tel:+441134960000", ("+441134960000", "0113 496 0000")),
        ("tel:01134960000", ("+441134960000", "0113 496 0000")),
        ("tel:0113%20496%200000", ("+441134960000", "0113 496 0000")),
        ("tel:999", ("999", "999")),
        ("tel:12345", None),
        ("tel:0113496", None),
        ("tel:", None),
        ("tel:01632960123", ("+441632960123", "01632 960123")),
        ("tel:+447700900123", ("+447700900123", "07700 900123")),
    ],
)
def test_numbers_in_tel_links(href: str, expected: tuple[str, str] | None) -> None:
    assert phone_from_tel(href) == expected
    assert phone_from_tel(href) == expected  # again, as parsed once per process


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("mailto:Help@Council.Example", "help@council.example"),
        ("mailto:a@council.example,b@council.example?subject=Hi", "a@council.example"),
        ("mailto:", None),
        ("mailto:not-an-address", None),
    ],
)
def test_addresses_in_mailto_links(href: str, expected: str | None) -> None:
    assert email_from_mailto(href) == expected


@pytest.mark.parametrize(
    ("text", "value"),
    [("0113 496 0000", "+441134960000"), ("+44 113 496 0000", "+441134960000"), ("999", "999")],
)
def test_numbers_given_in_config(text: str, value: str) -> None:
    assert parse_phone(text) == value


# -- labels ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Council tax: ", "Council tax"),
        ("Lines open 9 to 5. Housing benefit - ", "Housing benefit"),
        ("Call the council tax team on ", "council tax"),
        ("Call our repairs team on ", "repairs"),
        ("For missed bins, call ", "missed bins"),
        ("If you smell gas, call the gas emergency line on ", "gas emergency"),
        ("Call us on ", ""),
        ("Phone: ", ""),
        ("To book, call ", ""),
        ("Call us at any time, day or night, on ", ""),
        ("If you cannot go online: ", ""),
        ("Tel: 0113 496 0000 Fax: ", "Fax"),
        ("Opening hours: 9am to 5pm. Phone: ", ""),
    ],
)
def test_label_before_a_number(text: str, label: str) -> None:
    assert label_before(text) == label


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Council Tax", "council tax enquiries"),
        ("Missed bins", "missed bin"),
        ("Repairs", "repairs team"),
    ],
)
def test_labels_compare_by_their_content_words(one: str, other: str) -> None:
    assert label_key(one) == label_key(other) != ""


# -- the page walk ---------------------------------------------------------------------------


def scan(body: str) -> Any:
    page = Page(url=u("/x"), html=f"<html><head><title>T</title></head><body>{body}</body></html>")
    return scan_page(page)


def test_contacts_have_regions_flow_and_labels() -> None:
    result = scan(
        "<header><p>Contact centre 0113 496 0001</p></header>"
        "<main><h1>Council tax</h1>"
        "<dl><dt>Council tax</dt><dd><a href='tel:+441134960123'>0113 496 0123</a></dd></dl>"
        "<aside><p>Email help@council.example</p></aside></main>"
        "<footer><a href='mailto:contact@council.example'>Email us</a></footer>"
    )
    seen = {(c.value, c.region, c.flow, c.label) for c in result.contacts}
    assert seen == {
        ("+441134960001", "header", False, ""),
        ("+441134960123", "main", True, "Council tax"),
        ("+441134960123", "main", True, ""),  # the tel: link itself
        ("help@council.example", "aside", False, ""),
        ("contact@council.example", "footer", False, ""),
    }


def test_without_main_the_template_is_not_the_flow() -> None:
    result = scan(
        "<div id='site-header'><p>Call 0113 496 0001</p></div>"
        "<div class='content'><h1>Noise</h1><p>Telephone: 0113 496 0123</p></div>"
        "<div class='page-footer'>Phone 0113 496 0999</div>"
    )
    flow = [(c.value, c.region) for c in result.contacts if c.flow]
    assert flow == [("+441134960123", "body")]
    regions = {c.value: c.region for c in result.contacts}
    assert regions["+441134960001"] == "header"
    assert regions["+441134960999"] == "footer"


def test_a_number_split_by_inline_markup_is_still_one_number() -> None:
    result = scan("<main><p>Call <strong>0113</strong> 496 0000 today.</p></main>")
    assert [c.value for c in result.contacts] == ["+441134960000"]


# -- contact-inventory -------------------------------------------------------------------------


def facts_of(rule: SiteRule, pages: dict[str, str]) -> dict[str, Any]:
    """The rule's facts from HTML bodies, by page URL, as the crawl collects them."""
    out = {}
    for url, body in pages.items():
        html = f"<html><head><title>{url}</title></head><body>{body}</body></html>"
        facts = rule.page_facts(Page(url=url, html=html))
        if facts is not None:
            out[url] = facts
    return out


FOOTER = "<footer><p>Call <a href='tel:+441134960000'>0113 496 0000</a></p></footer>"


def test_inventory_lists_each_number_once_with_pages_and_regions() -> None:
    rule = ContactInventory()
    bodies = {
        HOME: f"<main><p>Welcome</p></main>{FOOTER}",
        u("/bins"): f"<main><p>Missed bins: 0113 496 0123</p></main>{FOOTER}",
        u("/contact"): (
            "<main><p>Call 0113 496 0000 or email "
            f"<a href='mailto:Help@Council.Example'>Help@Council.Example</a></p></main>{FOOTER}"
        ),
    }
    site = MemorySite(
        pages=[info(HOME, click_depth=0), info(u("/bins")), info(u("/contact"))],
        facts={rule.id: facts_of(rule, bodies)},
    )
    findings = {f.evidence["value"]: f for f in rule.check_site(site)}
    assert set(findings) == {"+441134960000", "+441134960123", "help@council.example"}
    main_line = findings["+441134960000"]
    assert main_line.severity is Severity.INFO
    assert main_line.url == HOME
    assert main_line.evidence["page_count"] == 3
    assert main_line.evidence["regions"] == {"footer": 3, "main": 1}
    assert main_line.evidence["display"] == "0113 496 0000"
    assert {"url": u("/contact"), "regions": ["footer", "main"]} in main_line.evidence["pages"]
    assert main_line.message == (
        "The phone number 0113 496 0000 appears on 3 pages (footer on 3, main content on 1)"
    )
    assert findings["+441134960123"].url == u("/bins")
    assert findings["help@council.example"].evidence["shown"] == ["Help@Council.Example"]
    assert main_line.key == "+441134960000"


def test_inventory_of_a_site_without_contacts_is_empty() -> None:
    assert list(ContactInventory().check_site(MemorySite(pages=[info(HOME)]))) == []


# -- inconsistent-phone-number ----------------------------------------------------------------


def test_one_service_with_two_numbers_is_reported_on_the_odd_page() -> None:
    rule = InconsistentPhoneNumber()
    bodies = {
        u("/council-tax"): "<main><p>Council tax: 0113 496 0123</p></main>",
        u("/council-tax/pay"): "<main><p>Call the council tax team on 0113 496 0123.</p></main>",
        u("/moving-home"): "<main><p>Council Tax enquiries: 0113 496 0999</p></main>",
        u("/bins"): "<main><p>Missed bins: 0113 496 0124</p><p>Call us on 0113 496 0555</p></main>",
    }
    site = MemorySite(facts={rule.id: facts_of(rule, bodies)})
    [finding] = rule.check_site(site)
    assert finding.url == u("/moving-home")
    assert finding.pages == (u("/moving-home"),)
    assert finding.evidence["most_used"] == "0113 496 0123"
    assert [n["number"] for n in finding.evidence["numbers"]] == ["0113 496 0123", "0113 496 0999"]
    assert finding.evidence["numbers"][0]["page_count"] == 2
    assert finding.message == (
        '"Council tax" is given 2 different phone numbers: 0113 496 0123 on 2 pages, '
        "0113 496 0999 on 1 page"
    )
    assert finding.severity is Severity.MEDIUM


def test_fax_numbers_are_not_compared_as_contact_numbers() -> None:
    rule = InconsistentPhoneNumber()
    bodies = {
        u("/a"): "<main><p>Tel: 0113 496 0000 Fax: 0113 496 0001</p></main>",
        u("/b"): "<main><p>Telephone 0113 496 0000. Fax 0113 496 0002</p></main>",
        u("/c"): "<main><h2>Fax (planning)</h2><p>0113 496 0003</p></main>",
    }
    assert facts_of(rule, bodies) == {}


def test_unlabelled_numbers_are_never_inconsistent() -> None:
    rule = InconsistentPhoneNumber()
    bodies = {
        u("/a"): "<main><p>Call us on 0113 496 0123</p></main>",
        u("/b"): "<main><p>Call us on 0113 496 0999</p></main>",
        u("/c"): "<main><h2>If you cannot go online</h2><p>Call 0113 496 0555</p></main>",
        u("/d"): "<main><h2>If you cannot go online</h2><p>Call 0113 496 0556</p></main>",
    }
    assert facts_of(rule, bodies) == {}


# -- unapproved-phone-number ------------------------------------------------------------------


def test_numbers_off_the_approved_list_are_reported() -> None:
    rule = UnapprovedPhoneNumber(
        UnapprovedPhoneNumber.Options(approved_numbers=("0113 496 0000", "+44 113 496 0123"))
    )
    bodies = {
        u("/a"): f"<main><p>Call 0113 496 0123 or 0113 496 0777, or 999.</p></main>{FOOTER}",
        u("/b"): f"<main><p><a href='tel:01134960777'>Old line</a></p></main>{FOOTER}",
    }
    site = MemorySite(facts={rule.id: facts_of(rule, bodies)})
    [finding] = rule.check_site(site)
    assert finding.evidence["number"] == "0113 496 0777"
    assert finding.pages == (u("/a"), u("/b"))
    assert finding.evidence["regions"] == {"main": 2}
    assert "not on the approved list" in finding.message


def test_no_approved_list_means_nothing_is_checked() -> None:
    rule = UnapprovedPhoneNumber()
    assert rule.page_facts(Page(url=u("/a"), html="<p>Call 0113 496 0777</p>")) is None
    assert list(rule.check_site(MemorySite())) == []


def test_approved_list_must_hold_phone_numbers() -> None:
    with pytest.raises(ConfigError, match="approved_numbers"):
        configure(UnapprovedPhoneNumber, {"approved_numbers": ["0113 496 0000", "not a number"]})


# -- phone-only-service -----------------------------------------------------------------------


def _service_site(bodies: dict[str, str], links: list[Any] = (), **options: Any) -> list[Any]:
    rule = PhoneOnlyService(PhoneOnlyService.Options(**options))
    pages = [info(url) for url in bodies]
    site = MemorySite(pages=pages, links=links, facts={rule.id: facts_of(rule, bodies)})
    return list(rule.check_site(site))


FORM_PAGE = (
    "<main><h1>Apply for a parking permit</h1><form action='/x' method='post'>"
    "<input name='reg'><input name='address'></form></main>"
)


def test_page_with_only_a_phone_number_for_a_service_with_a_form() -> None:
    bodies = {
        u("/forms/parking-permit"): FORM_PAGE,
        u("/parking/visitors"): (
            "<main><h1>Visitor parking permits</h1><p>Visitors can park with a permit.</p>"
            "<p>To get one, call 0113 496 0555.</p></main>"
        ),
        u(
            "/parking/permits"
        ): "<main><p><a href='/forms/parking-permit'>Apply online</a></p></main>",
    }
    links = [link(u("/parking/permits"), u("/forms/parking-permit"), text="Apply online")]
    [finding] = _service_site(bodies, links)
    assert finding.url == u("/parking/visitors")
    assert finding.target == u("/forms/parking-permit")
    assert finding.evidence["matched_by"] == "section and keywords"
    assert finding.evidence["shared_words"] == ["parking", "permit"]
    assert finding.evidence["contact"] == "0113 496 0555"
    assert finding.message == (
        "This page gives only a phone number (0113 496 0555) for a service with an online "
        'form: "Apply for a parking permit"'
    )


@pytest.mark.parametrize(
    ("path", "body"),
    [
        # another section
        ("/libraries/visitors", "<main><h1>Parking permits</h1><p>Call 0113 496 0555.</p></main>"),
        # the form's words are not all on the page
        ("/parking/fines", "<main><h1>Parking fines</h1><p>Call 0113 496 0555.</p></main>"),
        # the online option is there
        (
            "/parking/visitors",
            "<main><h1>Parking permits</h1><p><a href='/forms/parking-permit'>Apply online</a>"
            "</p><p>Or call 0113 496 0555.</p></main>",
        ),
        # an emergency line may come on its own
        (
            "/parking/towed",
            "<main><h1>Parking permit towing</h1><p>In an emergency call 0113 496 0555.</p></main>",
        ),
        # only the footer has a number
        ("/parking/zones", f"<main><h1>Parking permit zones</h1></main>{FOOTER}"),
    ],
)
def test_pages_that_are_not_phone_only_for_that_service(path: str, body: str) -> None:
    bodies = {u("/forms/parking-permit"): FORM_PAGE, u(path): body}
    links = [link(u("/parking/permits"), u("/forms/parking-permit"), text="Apply online")]
    assert _service_site(bodies, links) == []


def test_a_link_to_the_form_in_unrecognised_words_counts_as_offering_it() -> None:
    bodies = {
        u("/parking/permit-form"): FORM_PAGE,
        u("/parking/visitors"): (
            "<main><h1>Parking permits for visitors</h1>"
            "<p><a href='/parking/permit-form'>Visitors</a></p><p>Call 0113 496 0555.</p></main>"
        ),
    }
    links = [link(u("/parking/visitors"), u("/parking/permit-form"), text="Visitors")]
    assert _service_site(bodies, links) == []


def test_config_pairs_a_page_with_a_form() -> None:
    bodies = {
        u("/housing/nowhere-to-stay"): "<main><h1>Housing</h1><p>Call 0113 496 0300.</p></main>"
    }
    [finding] = _service_site(
        bodies, services=(("/housing/nowhere", "https://forms.example.gov.uk/homeless"),)
    )
    assert finding.target == "https://forms.example.gov.uk/homeless"
    assert finding.evidence["matched_by"] == "config"


def test_form_platform_links_are_forms_too() -> None:
    bodies = {
        u("/roads/potholes"): (
            "<main><h1>Potholes</h1><p>Report a pothole by calling 0113 496 0700.</p></main>"
        )
    }
    platform = "https://northbrook.achieveservice.com/service/report_a_pothole"
    links = [link(u("/roads"), platform, text="Report a pothole")]
    [finding] = _service_site(bodies, links)
    assert finding.target == platform


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Apply for a parking permit - Northbrook", {"parking", "permit", "northbrook"}),
        ("Report a missed bin online", {"missed", "bin"}),
    ],
)
def test_keywords(text: str, words: set[str]) -> None:
    assert keywords(text) == words


def test_a_form_named_only_by_its_section_matches_no_page() -> None:
    # Every page under /council-tax/ says "council tax": that alone does not pair a page
    # about moving home with the form for paying.
    bodies = {
        u("/council-tax/pay-form"): (
            "<main><h1>Pay your council tax</h1><form action='/x' method='post'>"
            "<input name='account'><input name='amount'></form></main>"
        ),
        u(
            "/council-tax/moving"
        ): "<main><h1>Moving home</h1><p>Council tax: 0113 496 0299</p></main>",
    }
    assert _service_site(bodies) == []
