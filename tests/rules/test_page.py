"""The Page model every page rule shares: text, links, regions, selectors."""

from __future__ import annotations

from rules.page import Page

HTML = """<html lang="en-GB"><head><title> Bins  and recycling </title></head><body>
<header><a href="/"><img src="/logo.png" alt="Northbrook City Council"></a></header>
<nav><ul><li><a href="/bins/">Bins</a></li><li><a href="/tax/">Council tax</a></li></ul></nav>
<main id="content"><h1>Bins</h1>
<p><a href="/forms/missed-bin/"><strong>Report a missed bin</strong></a>. It takes 2 minutes.</p>
<ul><li>Green bin</li><li>Blue bin</li></ul>
<p>Call <a href="tel:01134960000">0113 496 0000</a> or <a href="javascript:void(0)">x</a></p>
</main>
<footer><a href="https://www.gov.uk/#top">GOV.UK</a></footer></body></html>"""


def page() -> Page:
    return Page(url="https://council.example/bins/", html=HTML)


def test_link_text_is_the_link_alone_without_the_text_after_it() -> None:
    texts = [link.text for link in page().links]
    assert "Report a missed bin" in texts
    assert "Northbrook City Council" in texts  # an image link is named by its alt


def test_main_text_breaks_words_at_blocks_not_inside_inline_markup() -> None:
    text = page().main_text
    assert "Report a missed bin. It takes 2 minutes." in text
    assert "Green bin Blue bin" in text
    assert "Council tax" not in text  # navigation is not the page's own words


def test_links_are_absolute_with_kind_region_and_fragment() -> None:
    links = {link.url: link for link in page().links}
    assert links["https://council.example/forms/missed-bin/"].region == "main"
    assert links["https://council.example/tax/"].region == "nav"
    assert links["https://council.example/logo.png"].kind == "img"
    assert links["https://www.gov.uk/"].fragment == "top"
    assert links["tel:01134960000"].kind == "a"
    assert not [url for url in links if url.startswith("javascript")]


def test_selectors_name_each_link_uniquely() -> None:
    selectors = [link.selector for link in page().links]
    assert len(selectors) == len(set(selectors))
    assert "nav > ul > li:nth-of-type(2) > a" in selectors
    assert "#content > p:nth-of-type(1) > a" in selectors


def test_title_is_collapsed_and_lang_lower_cased() -> None:
    assert page().title == "Bins and recycling"
    assert page().lang == "en-gb"


def test_unparseable_markup_gives_an_empty_page_not_an_error() -> None:
    assert Page(url="https://council.example/", html="\x00\x01").links == ()
