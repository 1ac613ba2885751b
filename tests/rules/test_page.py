"""The Page model every page rule shares: text, links, regions, selectors."""

from __future__ import annotations

import pickle
import pickletools

import lxml.html
import pytest

from rules.page import Page, refresh_url, region_of, srcset_urls

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


def test_a_menu_walks_up_to_its_landmark_once_for_all_its_links() -> None:
    tree = page().tree
    menu_links = [a for a in tree.iter("a") if a.get("href") in ("/bins/", "/tax/")]
    walked: dict[object, str] = {}
    assert [region_of(a, walked) for a in menu_links] == ["nav", "nav"]
    # The first link's <li>, <ul> and <nav>; the second adds only its own <li>.
    assert sorted(el.tag for el in walked) == ["li", "li", "nav", "ul"]
    assert set(walked.values()) == {"nav"}
    footer_link = next(a for a in tree.iter("a") if a.get("href", "").startswith("https"))
    assert region_of(footer_link, walked) == region_of(footer_link) == "footer"


def test_title_is_collapsed_and_lang_lower_cased() -> None:
    assert page().title == "Bins and recycling"
    assert page().lang == "en-gb"


def test_every_node_has_the_class_lxml_html_gives_it() -> None:
    # Page parses with its own C-level class lookup; forms, inputs, labels, comments...
    # must still be the objects lxml.html makes of them.
    html = (
        "<!DOCTYPE html><html><head><title>T</title><?php echo 1 ?></head><body>"
        "<!-- c --><FORM action='/s'><LABEL for=q>Q</LABEL><input id=q name=q>"
        "<select name=s><option>1</option></select><textarea name=t></textarea></form>"
        "<svg><title>d</title><rect/></svg><my-widget>&amp; &nbsp;</my-widget></body></html>"
    )
    ours = Page(url="https://example.gov.uk/", html=html).tree.iter()
    theirs = lxml.html.document_fromstring(html).iter()
    assert [(type(n), n.tag) for n in ours] == [(type(n), n.tag) for n in theirs]
    assert {type(n).__name__ for n in Page(url="https://e.uk/", html=html).tree.iter()} >= {
        "FormElement",
        "InputElement",
        "LabelElement",
        "SelectElement",
        "TextareaElement",
        "HtmlComment",
    }


def test_unparseable_markup_gives_an_empty_page_not_an_error() -> None:
    assert Page(url="https://council.example/", html="\x00\x01").links == ()


MEDIA = """<html><head>
<link rel="icon" href="/favicon.ico"><link rel="apple-touch-icon" href="/touch.png">
<link rel="stylesheet" href="/site.css"><link rel="preconnect" href="https://cdn.example">
<meta http-equiv="Refresh" content="0; URL='/moved'"><meta http-equiv="refresh" content="300">
</head><body>
<video src="/tour.mp4" poster="/tour.jpg"><source src="/tour.webm"><track src="/tour.vtt"></video>
<audio src="/times.mp3"></audio>
<picture><source srcset="/wide.webp 1200w, /narrow.webp 600w"><img src="/map.png"
 srcset="/map@2x.png 2x" alt="Map"></picture>
<object data="/permit.pdf"></object><embed src="/old.swf">
<a href="\\\\fs01\\forms\\apply.docx">Apply</a><a href="file:///C:/guide.pdf">Guide</a>
</body></html>"""


def test_every_kind_of_embedded_file_is_a_link_named_by_its_element() -> None:
    page = Page(url="https://council.example/recycling", html=MEDIA)
    kinds = {link.url.removeprefix("https://council.example"): link.kind for link in page.links}
    assert kinds == {
        "/favicon.ico": "icon",
        "/touch.png": "icon",
        "/site.css": "link",
        "/moved": "meta",
        "/tour.mp4": "video",
        "/tour.jpg": "img",  # a video's poster is an image
        "/tour.webm": "source",
        "/tour.vtt": "track",
        "/times.mp3": "audio",
        "/wide.webp": "img",  # a <picture>'s sources are images
        "/narrow.webp": "img",
        "/map.png": "img",
        "/map@2x.png": "img",
        "/permit.pdf": "object",
        "/old.swf": "embed",
    }
    assert [link.href for link in page.file_links] == [
        "\\\\fs01\\forms\\apply.docx",
        "file:///C:/guide.pdf",
    ]


@pytest.mark.parametrize(
    ("srcset", "urls"),
    [
        ("a.png", ["a.png"]),
        ("a.png 1x, b.png 2x", ["a.png", "b.png"]),
        ("a.png 480w,b.png 800w", ["a.png", "b.png"]),
        ("a.png, b.png 2x", ["a.png", "b.png"]),  # a comma right after an address ends it
        ("img,1.png 1x, img,2.png 2x", ["img,1.png", "img,2.png"]),
        ("a.png (x, y) 1x, b.png", ["a.png", "b.png"]),  # commas in brackets are descriptors
        (" , ,", []),
    ],
)
def test_srcset_is_read_as_the_html_standard_reads_it(srcset: str, urls: list[str]) -> None:
    assert srcset_urls(srcset) == urls


@pytest.mark.parametrize(
    ("content", "url"),
    [
        ("0; url=next.html", "next.html"),
        ("5;URL='a b.html'", "a b.html"),
        ('0; url = "x.html"', "x.html"),
        (" 3 , https://www.example.gov.uk/", "https://www.example.gov.uk/"),
        ("0 next.html", "next.html"),
        ("300", None),  # reloads the page itself
        ("0x", None),
        ("", None),
    ],
)
def test_meta_refresh_target_is_read_as_the_html_standard_reads_it(
    content: str, url: str | None
) -> None:
    assert refresh_url(content) == url


def test_a_link_is_pickled_as_its_constructors_arguments() -> None:
    """Page workers send every page's links back: one constructor call per link loads
    faster than a dataclass's state set field by field."""
    link = page().links[0]
    payload = pickle.dumps(page().links)
    assert pickle.loads(payload) == page().links  # noqa: S301 (a payload made here)
    opcodes = {opcode.name for opcode, _, _ in pickletools.genops(pickle.dumps(link))}
    assert "BUILD" not in opcodes


def test_memo_builds_each_analysis_once_even_when_it_finds_nothing() -> None:
    page = Page(url="https://council.example/", html="<p>Bins</p>")
    built: list[int] = []

    def nothing(_: Page, n: int) -> None:
        built.append(n)

    assert page.memo(nothing, 1) is None
    assert page.memo(nothing, 1) is None
    assert page.memo(nothing, 2) is None
    assert built == [1, 2]


@pytest.mark.parametrize(
    ("html", "title"),
    [
        ("<html><head><title> Bin  days </title></head><body></body></html>", "Bin days"),
        ("<html><body><svg><title>Council logo</title></svg><p>Bins</p></body></html>", ""),
        (
            "<html><head><svg><title>Logo</title></svg><title>Bins</title></head></html>",
            "Bins",
        ),
    ],
)
def test_the_title_is_the_first_outside_any_svg(html: str, title: str) -> None:
    assert Page(url="https://council.example/", html=html).title == title
