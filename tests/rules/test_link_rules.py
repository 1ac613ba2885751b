"""The link rules beside broken-link: fragments, redirects, refusals, soft 404s."""

from __future__ import annotations

import pytest

from rules.analyses.fragments import finds_element, names_an_element
from rules.base import Severity
from rules.links.broken_fragment import BrokenFragment
from rules.links.broken_link import BrokenLink
from rules.links.link_not_verified import LinkNotVerified
from rules.links.malformed_contact_link import mailto_problem, tel_doubt, tel_problem
from rules.links.redirected_link import RedirectedLink
from rules.links.soft_404 import Soft404, says_not_found
from rules.site import SOFT_404_TITLE_STAT, LinkRow, TargetStatus
from tests.kit.memory_site import MemorySite, info, link, u


def anchor(source: str, url: str, fragment: str, text: str = "") -> LinkRow:
    return LinkRow(source, url, fragment, text, "a", "main", "main > a")


def test_missing_fragment_same_page_and_cross_page() -> None:
    site = MemorySite(
        pages=[info(u("/a")), info(u("/b"))],
        links=[
            anchor(u("/a"), u("/a"), "how-to-pay", "How to pay"),
            anchor(u("/a"), u("/b"), "fees", "Fees"),
            anchor(u("/a"), u("/b"), "opening-hours", "Opening hours"),
            anchor(u("/b"), u("/b"), "top", "Back to top"),
        ],
        facts={"broken-fragment": {u("/a"): ["main"], u("/b"): ["opening-hours"]}},
    )
    findings = {f.target: f for f in BrokenFragment().check_site(site)}
    assert set(findings) == {u("/a") + "#how-to-pay", u("/b") + "#fees"}
    assert findings[u("/a") + "#how-to-pay"].evidence["same_page"] is True
    assert findings[u("/b") + "#fees"].evidence["same_page"] is False


def test_fragment_is_checked_on_the_redirect_target() -> None:
    site = MemorySite(
        pages=[info(u("/a")), info(u("/old"), final_url=u("/new")), info(u("/new"))],
        links=[anchor(u("/a"), u("/old"), "fees")],
        facts={"broken-fragment": {u("/new"): ["fees"]}},
    )
    assert list(BrokenFragment().check_site(site)) == []


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ("fees", True),
        ("top", False),
        ("TOP", False),
        ("%74op", False),  # "top" once decoded, as browsers decode it
        ("/route", False),
        ("!route", False),
        ("", False),
    ],
)
def test_which_fragments_name_elements(fragment: str, expected: bool) -> None:
    assert names_an_element(fragment) is expected


@pytest.mark.parametrize(
    ("fragment", "anchors", "found"),
    [
        # LinkChecker's urlencoding_anchor fixture: every encoding of one <a name>.
        ("with_|_(and—dash)", {"with_|_(and—dash)"}, True),
        ("with_|_%28and%E2%80%94dash%29", {"with_|_(and—dash)"}, True),
        ("with_%7C_%28and%E2%80%94dash%29", {"with_|_(and—dash)"}, True),
        ("partially_%7C_(encoded_em—dash)", {"partially_|_(encoded_em—dash)"}, True),
        ("bad_%7C_%28and%E2%80%94dash%29", {"with_|_(and—dash)"}, False),
        # Welsh and accented headings, encoded or not (lychee's fragments fixture).
        ("Upper-%C3%84%C3%96%C3%B6", {"Upper-ÄÖö"}, True),
        ("Upper-ÄÖö", {"Upper-ÄÖö"}, True),
        ("talu-ar-l%C3%A2n", {"talu-ar-lân"}, True),
        # An id that itself holds a percent sign is reached as written, as browsers do.
        ("tangent%3A-kustomize", {"tangent%3A-kustomize"}, True),
        # Case matters; a lone Latin-1 byte is not UTF-8 and decodes to U+FFFD.
        ("in-THE-begiNNing", {"in-the-beginning"}, False),
        ("caf%E9", {"café"}, False),
        ("a b", {"a b"}, True),
    ],
)
def test_fragments_match_ids_as_browsers_match_them(
    fragment: str, anchors: set[str], found: bool
) -> None:
    assert finds_element(fragment, anchors) is found


def test_redirected_link_names_the_final_address_and_flags_chains() -> None:
    one = info(u("/one"), final_url=u("/final"))
    two = info(u("/two"), final_url=u("/final"))
    two = two.__class__(
        **{
            **{f: getattr(two, f) for f in two.__slots__},
            "redirects": (u("/two"), u("/mid"), u("/final")),
        }
    )
    site = MemorySite(
        pages=[info(u("/a")), one, two, info(u("/final"))],
        links=[link(u("/a"), u("/one"), text="One"), link(u("/a"), u("/two"), text="Two")],
    )
    findings = {f.target: f for f in RedirectedLink().check_site(site)}
    assert findings[u("/one")].severity is Severity.LOW
    assert findings[u("/two")].severity is Severity.MEDIUM
    assert findings[u("/two")].evidence["hops"] == 2
    assert u("/final") in findings[u("/one")].message


def test_refused_and_rate_limited_links_are_not_verified_not_broken() -> None:
    social = "https://social.example/council"
    busy = "https://busy.example/"
    site = MemorySite(
        pages=[info(u("/a"))],
        links=[link(u("/a"), social), link(u("/a"), busy), link(u("/a"), u("/a"))],
        external=[
            TargetStatus(social, 403, None, social, internal=False),
            TargetStatus(busy, 429, None, busy, internal=False),
        ],
    )
    findings = {f.target: f for f in LinkNotVerified().check_site(site)}
    assert set(findings) == {social, busy}
    assert "slow down" in findings[busy].message


def test_soft_404_by_wording_and_by_the_sites_own_not_found_title() -> None:
    site = MemorySite(
        pages=[info(u("/")), info(u("/gone"), title="Oops"), info(u("/worded"))],
        links=[link(u("/"), u("/gone")), link(u("/"), u("/worded"))],
        facts={"soft-404": {u("/worded"): "Sorry, page not found"}},
        stats={SOFT_404_TITLE_STAT: "Oops"},
    )
    findings = {f.target: f for f in Soft404().check_site(site)}
    assert set(findings) == {u("/gone"), u("/worded")}
    assert findings[u("/gone")].url == u("/")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Page not found", True),
        ("404 - Northbrook City Council", True),
        ("Sorry, we can't find that page", True),
        ("The page you are looking for", True),
        ("Find your bin collection day", False),
        ("Planning applications found near you", False),
    ],
)
def test_not_found_wording(text: str, expected: bool) -> None:
    assert says_not_found(text) is expected


@pytest.mark.parametrize(
    ("href", "bad"),
    [
        ("mailto:contact@northbrook.example", False),
        ("mailto:a@x.example,b@y.example?subject=Hi", False),
        ("mailto:contact%40northbrook.example", False),
        ("mailto:contact@northbrook", True),
        ("mailto:", True),
        ("mailto:contact at northbrook.example", True),
        # Internationalised addresses (RFC 6531), written or percent-encoded as UTF-8.
        ("mailto:ölvin@users.sourceforge.net", False),
        ("mailto:%C3%B6lvin@users.sourceforge.net", False),
        ("mailto:swyddfa@cyngor-ynys-môn.cymru", False),
        ("mailto:%E4lvin@users.sourceforge.net", True),  # a Latin-1 byte, not UTF-8
        ("mailto:contact\u00a0@northbrook.example", True),
    ],
)
def test_mailto_syntax(href: str, bad: bool) -> None:
    assert (mailto_problem(href) is not None) is bad


@pytest.mark.parametrize(
    ("href", "bad"),
    [
        ("tel:+441134960000", False),
        ("tel:0113%20496%200000", False),
        ("tel:999", False),
        ("tel:0113496", True),
        ("tel:call-us", True),
        ("tel:+44 (0)113 496 0000", False),
        ("tel:01632960123", False),
        ("tel:07700%20900123", False),
        ("tel:0113%20496%20000", False),
    ],
)
def test_tel_is_dialable(href: str, bad: bool) -> None:
    assert (tel_problem(href) is not None) is bad


@pytest.mark.parametrize(
    ("href", "doubtful"),
    [
        ("tel:+441134960000", False),
        ("tel:999", False),
        ("tel:01632960123", True),
        ("tel:+447700900123", True),
        ("tel:call-us", False),
    ],
)
def test_numbers_outside_the_ranges_in_use_are_worth_checking(href: str, doubtful: bool) -> None:
    assert (tel_doubt(href) is not None) is doubtful


def test_the_sites_own_forbidden_page_is_broken_but_a_partners_is_not_verified() -> None:
    partner = "https://partner.example/members"
    site = MemorySite(
        pages=[info(u("/a")), info(u("/files/"), status=403)],
        links=[link(u("/a"), u("/files/"), text="Files"), link(u("/a"), partner)],
        external=[TargetStatus(partner, 403, None, partner, internal=False)],
    )
    [broken] = BrokenLink().check_site(site)
    assert broken.target == u("/files/")
    assert "not allowed to open" in broken.message
    assert [f.target for f in LinkNotVerified().check_site(site)] == [partner]
