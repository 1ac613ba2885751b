"""Main content extraction shared by the content rules: blocks, landmarks, boilerplate
removal and configured selectors, through `Page` and through the page stage."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audits.core.config import ConfigError, parse_config
from audits.rule_engine import RuleEngine
from audits.stages.pages import analyse
from rules.page import Page, TextBlock, text_blocks, text_of
from rules.readability.long_paragraph import LongParagraph

URL = "https://council.example/bins/"


def blocks(html: str, **kwargs: object) -> list[tuple[str, str]]:
    page = Page(URL, html, **kwargs)  # type: ignore[arg-type]
    return [(b.kind, b.text) for b in page.main_blocks]


def test_blocks_have_the_kind_of_their_element() -> None:
    html = """<main><h1>Bins</h1><p>Put <b>bins</b> out.<br>By 7am</p>
    <ul><li>Green <a href="/g">bin</a></li><li><p>Blue bin</p></li></ul>Loose words
    <table><caption>Days</caption><tr><th>Area</th><td>Monday</td></tr></table>
    <div>In a div <p>and a paragraph</p> and after it</div><blockquote>Quoted</blockquote></main>"""
    assert blocks(html) == [
        ("heading", "Bins"),
        ("paragraph", "Put bins out. By 7am"),
        ("item", "Green bin"),
        ("item", "Blue bin"),  # a paragraph inside a list item is still an item
        ("text", "Loose words"),
        ("cell", "Days"),
        ("cell", "Area"),
        ("cell", "Monday"),
        ("text", "In a div"),
        ("paragraph", "and a paragraph"),
        ("text", "and after it"),
        ("paragraph", "Quoted"),
    ]


def test_without_a_main_landmark_page_furniture_is_left_out() -> None:
    html = """<body><div class="cookie-banner">We use cookies</div><header>Council</header>
    <nav>Menu</nav><div class="breadcrumbs">Home</div><div id="left-sidebar">Related</div>
    <div class="content"><h1>Bins</h1><p>We empty bins weekly.</p></div>
    <aside>Popular</aside><footer>Contact</footer></body>"""
    assert blocks(html) == [("heading", "Bins"), ("paragraph", "We empty bins weekly.")]


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<body><main><p>Main</p></main><article><p>Article</p></article></body>", "Main"),
        ('<body><div role="main"><p>Role</p></div><p>Other</p></body>', "Role"),
        (
            "<body><nav>Menu</nav><article><p>The one article</p></article></body>",
            "The one article",
        ),
        # Several articles are a listing's cards: the whole body (less furniture) is the content.
        (
            "<body><nav>Menu</nav><h1>News</h1><article><p>One</p></article>"
            "<article><p>Two</p></article></body>",
            "News One Two",
        ),
    ],
)
def test_main_content_is_found_by_landmark(html: str, text: str) -> None:
    assert Page(URL, html).main_text == text


def test_configured_selectors_win_over_landmarks_in_order() -> None:
    html = """<body><main><div class="layout"><div class="promo">Offers</div>
    <div id="page-content"><p>The page's own words.</p></div></div></main></body>"""
    assert Page(URL, html).main_text == "Offers The page's own words."
    selected = Page(URL, html, main_selectors=(".missing", "#page-content"))
    assert selected.main_text == "The page's own words."


def test_main_text_is_the_blocks_joined() -> None:
    page = Page(URL, "<main><h1>A</h1><p>b <i>c</i>d</p>e</main>")
    assert page.main_text == "A b cd e"
    assert page.main_text == text_of(page.main)  # type: ignore[arg-type]


_TAGS = ["p", "div", "li", "h2", "td", "span", "b", "a", "br", "section"]


@st.composite
def fragments(draw: st.DrawFn, depth: int = 0) -> str:
    """Random nested markup of block and inline elements around short words."""
    parts = []
    for _ in range(draw(st.integers(0, 3))):
        if depth < 3 and draw(st.booleans()):
            tag = draw(st.sampled_from(_TAGS))
            inner = draw(fragments(depth + 1))
            parts.append(f"<{tag}>{inner}</{tag}>" if tag != "br" else "<br>")
        else:
            parts.append(draw(st.sampled_from(["bin", " day ", "x", "  ", "7am."])))
    return "".join(parts)


@settings(max_examples=200, deadline=None)
@given(fragments())
def test_blocks_joined_are_always_text_of(markup: str) -> None:
    page = Page(URL, f"<html><body><main>{markup}</main></body></html>")
    root = page.main
    assert root is not None
    joined = " ".join(b.text for b in text_blocks(root))
    assert joined == text_of(root)
    assert all(
        isinstance(b, TextBlock) and b.text == b.text.strip() and b.text for b in page.main_blocks
    )


def test_the_page_stage_passes_configured_selectors_to_the_page() -> None:
    html = (
        b"<html><body><div class='layout'><div class='nav-column'>" + b"menu " * 200 + b"</div>"
        b"<div class='text'><p>" + b"word " * 120 + b"</p></div></div></body></html>"
    )
    engine = RuleEngine(page_rules=(LongParagraph(),), site_rules=())
    whole = analyse(engine, URL, html, "utf-8", {}, 1)
    assert len(whole.findings) == 1
    only_text = analyse(engine, URL, html, "utf-8", {}, 1, main_selectors=("div.text",))
    assert only_text.findings[0]["evidence"]["longest"][0]["words"] == 120


def test_content_main_selectors_are_checked_when_the_config_is_read() -> None:
    config = parse_config({"content": {"main_selectors": ["#content", "div.page > .body"]}})
    assert config.content.main_selectors == ("#content", "div.page > .body")
    with pytest.raises(ConfigError, match="main_selectors"):
        parse_config({"content": {"main_selectors": ["div[["]}})
    with pytest.raises(ConfigError, match="unknown key"):
        parse_config({"content": {"selectors": ["#content"]}})
