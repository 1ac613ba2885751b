"""Content site rules (stale-content, misspelling, document-instead-of-html) against an
in-memory Site: page facts collected from real pages, then the whole-site verdict."""

from __future__ import annotations

from pathlib import Path

import pytest

from rules.accessibility.document_instead_of_html import DocumentInsteadOfHtml, document_type
from rules.base import Severity
from rules.freshness.stale_content import StaleContent
from rules.page import Page
from rules.readability.misspelling import Misspelling, is_known, suggestion, unknown_words
from rules.site import PageInfo
from tests.rules.test_site_rules import MemorySite, info, link, u

AS_OF = "2025-06-01"


def page(path: str, body: str, *, headers: dict[str, str] | None = None) -> Page:
    """A crawled page whose main content is `body`."""
    html = f'<html lang="en-GB"><body><main>{body}</main></body></html>'
    return Page(url=u(path), html=html, headers=headers or {})


def facts_of(rule: StaleContent | Misspelling, *pages: Page) -> dict[str, object]:
    """Each page's facts, as the store hands them back (pages with none are absent)."""
    collected = {p.url: rule.page_facts(p) for p in pages}
    return {url: facts for url, facts in collected.items() if facts is not None}


# -- stale-content -------------------------------------------------------------------------


def stale_findings(*pages: Page, sitemap: dict[str, str | None] | None = None, **options: object):
    rule = StaleContent(StaleContent.Options(as_of=AS_OF, **options))  # type: ignore[arg-type]
    site = MemorySite(
        pages=[info(p.url) for p in pages],
        facts={rule.id: facts_of(rule, *pages)},
        sitemap=sitemap,
    )
    return list(rule.check_site(site))


def test_a_page_with_no_date_of_its_own_is_judged_by_its_sitemap_lastmod() -> None:
    [finding] = stale_findings(
        page("/parking/car-parks/", "<h1>Car parks</h1><p>We run four car parks.</p>"),
        sitemap={u("/parking/car-parks/"): "2021-05-17"},
    )
    assert finding.url == u("/parking/car-parks/")
    assert finding.evidence["source"] == "sitemap lastmod"
    assert finding.evidence["date"] == "2021-05-17"
    assert finding.severity is Severity.HIGH  # 48 months and 15 days: over twice the limit
    assert "(from sitemap lastmod)" in finding.message


def test_the_page_s_own_date_beats_the_sitemap_and_the_header() -> None:
    recent = page(
        "/bins/",
        "<p>Last updated: 2 May 2025</p>",
        headers={"last-modified": "Tue, 15 Nov 2016 08:12:31 GMT"},
    )
    assert stale_findings(recent, sitemap={recent.url: "2015-01-01"}) == []


def test_the_sitemap_beats_a_header_that_only_says_when_the_page_was_generated() -> None:
    generated = page(
        "/news/", "<p>News.</p>", headers={"last-modified": "Sun, 01 Jun 2025 08:00:00 GMT"}
    )
    [finding] = stale_findings(generated, sitemap={generated.url: "2019-01-01"})
    assert finding.evidence["source"] == "sitemap lastmod"


def test_the_header_is_used_when_nothing_else_dates_the_page() -> None:
    old = page("/x/", "<p>Text.</p>", headers={"last-modified": "Tue, 15 Nov 2016 08:12:31 GMT"})
    [finding] = stale_findings(old)
    assert finding.evidence["source"] == "HTTP Last-Modified"
    assert finding.severity is Severity.HIGH


def test_sections_have_their_own_review_periods() -> None:
    news = page("/news/2024/fair/", "<p>Last updated: 1 October 2024</p>")  # 7 months old
    archive = page("/news/archive/2019/", "<p>Last updated: 1 October 2019</p>")
    bins = page("/bins/", "<p>Last updated: 1 October 2024</p>")
    findings = stale_findings(news, archive, bins, sections=(("/news/", 6), ("/news/archive/", 0)))
    assert [(f.url, f.evidence["max_age_months"], f.evidence["section"]) for f in findings] == [
        (news.url, 6, "/news/")
    ]


def test_redirects_documents_and_error_pages_are_not_judged() -> None:
    rule = StaleContent(StaleContent.Options(as_of=AS_OF))
    old = "2010-01-01"
    records = [
        info(u("/old/"), status=301, final_url=u("/new/")),
        info(u("/gone/"), status=404),
        PageInfo(u("/a.pdf"), u("/a.pdf"), 200, "application/pdf", False, "", 1, True, None, ()),
    ]
    site = MemorySite(pages=records, sitemap={r.url: old for r in records})
    assert list(rule.check_site(site)) == []


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
    ],
)
def test_british_spellings_are_known(word: str) -> None:
    assert is_known(word)


@pytest.mark.parametrize("word", ["recieve", "goverment", "accomodation", "seperate", "councill"])
def test_common_misspellings_are_unknown(word: str) -> None:
    assert not is_known(word)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("recieve", "receive"),
        ("goverment", "government"),
        ("accomodation", "accommodation"),
        ("xqzzy", None),
    ],
)
def test_suggestion_is_a_known_word_one_letter_away(word: str, expected: str | None) -> None:
    assert suggestion(word) == expected


def test_names_acronyms_addresses_postcodes_and_compound_prefixes_are_not_checked() -> None:
    text = (
        "Visit Kingsmead library or email bins@northbrook.gov.uk or go to "
        "https://www.northbrook.gov.uk/recieve-it. Post it to NB1 1AA. Ask the SENCO. "
        "Our multi-agency team runs pre-school groups. Ref ab12cd. We will recieve it."
    )
    assert unknown_words(text, frozenset()) == {"recieve": (1, text.rindex("recieve"))}


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


def misspelling_site(pages: dict[str, str], **options: object) -> MemorySite:
    rule = Misspelling(Misspelling.Options(**options))  # type: ignore[arg-type]
    crawled = [page(path, f"<p>{text}</p>") for path, text in pages.items()]
    return MemorySite(
        pages=[info(p.url) for p in crawled], facts={rule.id: facts_of(rule, *crawled)}
    )


def test_a_rare_misspelling_is_one_finding_listing_its_pages() -> None:
    site = misspelling_site(
        {
            "/tax/pay/": "You will recieve a receipt. We recieve payments daily.",
            "/tax/": "You will recieve your bill in March.",
            "/bins/": "Nothing wrong here at all.",
        }
    )
    [finding] = Misspelling().check_site(site)
    assert finding.rule == "misspelling"
    assert finding.url == u("/tax/")  # first page, sorted
    assert finding.pages == (u("/tax/"), u("/tax/pay/"))
    assert finding.key == "recieve"
    assert finding.severity is Severity.LOW
    assert finding.evidence == {
        "word": "recieve",
        "suggestion": "receive",
        "uses": 3,
        "pages": 2,
        "example": "You will recieve your bill in March.",
    }
    assert finding.message == 'Possible spelling mistake: "recieve" (did you mean "receive"?)'


def test_a_word_on_many_pages_is_a_local_term_not_a_mistake() -> None:
    site = misspelling_site({f"/p{i}/": "Book a wheelys collection." for i in range(3)})
    assert list(Misspelling().check_site(site)) == []
    assert len(list(Misspelling(Misspelling.Options(max_pages=3)).check_site(site))) == 1


def test_an_unknown_word_with_no_near_neighbour_is_jargon_not_a_typo() -> None:
    site = misspelling_site({"/care/": "Ask about operationalisationing telecare."})
    assert list(Misspelling().check_site(site)) == []


def test_pages_not_in_english_are_not_spell_checked() -> None:
    welsh = Page(
        u("/cy/"), '<html lang="cy"><body><main><p>Croeso i recieve</p></main></body></html>'
    )
    assert Misspelling().page_facts(welsh) is None


# -- document-instead-of-html --------------------------------------------------------------


def doc(
    path: str, content_type: str = "application/pdf", status: int = 200, final: str | None = None
) -> PageInfo:
    url = u(path)
    return PageInfo(url, final or url, status, content_type, False, "", 2, False, None, ())


def test_each_document_is_one_finding_listing_the_pages_that_link_to_it() -> None:
    plan = u("/documents/local-plan.pdf")
    site = MemorySite(
        pages=[info(u("/planning/")), info(u("/a-z/")), doc("/documents/local-plan.pdf")],
        links=[
            link(u("/planning/"), plan, text="Local plan (PDF, 2MB)"),
            link(u("/planning/"), plan, text="the plan"),
            link(u("/a-z/"), plan, text=""),
        ],
    )
    [finding] = DocumentInsteadOfHtml().check_site(site)
    assert finding.url == u("/a-z/")
    assert finding.pages == (u("/a-z/"), u("/planning/"))
    assert finding.target == plan
    assert finding.severity is Severity.LOW
    assert finding.evidence["type"] == "PDF"
    assert finding.evidence["links"] == 3
    assert finding.evidence["link_text"] == "Local plan (PDF, 2MB)"
    assert (
        finding.message == 'Links to a PDF document instead of a web page: "Local plan (PDF, 2MB)"'
    )


def test_missing_external_and_data_files_and_links_inside_documents_are_left_out() -> None:
    site = MemorySite(
        pages=[
            info(u("/budget/")),
            doc("/missing.pdf", status=404),
            doc("/data.csv", content_type="text/csv"),
            doc("/report.pdf"),
            doc("/annex.docx", content_type="application/octet-stream"),
        ],
        links=[
            link(u("/budget/"), u("/missing.pdf")),
            link(u("/budget/"), u("/data.csv")),
            link(u("/budget/"), "https://www.gov.uk/guide.pdf"),
            link(u("/report.pdf"), u("/annex.docx")),
        ],
    )
    assert list(DocumentInsteadOfHtml().check_site(site)) == []


def test_a_link_through_a_redirect_counts_for_the_document_it_lands_on() -> None:
    site = MemorySite(
        pages=[
            info(u("/forms/")),
            doc("/old-form.doc", status=301, final=u("/files/form.docx")),
            doc("/files/form.docx", content_type="application/octet-stream"),
        ],
        links=[link(u("/forms/"), u("/old-form.doc"), text="Application form")],
    )
    [finding] = DocumentInsteadOfHtml().check_site(site)
    assert finding.target == u("/files/form.docx")
    assert finding.evidence["type"] == "Word"


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
