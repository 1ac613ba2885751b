"""Analyses several page rules share are worked out once per page (rules.analyses), and
give the answers the rules agree on."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.analyses import prose
from rules.analyses.accessible_name import accessible_name, name_of
from rules.analyses.headings import headings
from rules.analyses.navigation import navigation_blocks, site_blocks
from rules.analyses.prose import lined_text, main_lines, main_prose, prose_blocks, sentence_around
from rules.analyses.visibility import hidden
from rules.page import Page
from tests.kit.memory_site import MemorySite, info, u

HTML = """<html><body><main>
<h1>Bins</h1>
<div hidden><h2>Old bins</h2><p><a href="/old">Old bin days</a></p></div>
<div style="display: none"><div><a href="/gone">Gone</a></div></div>
<noscript><a href="/plain">Plain page</a></noscript>
<h2 aria-level="4">Garden waste</h2>
<div role="heading">Recycling</div>
<h3 role="presentation">Not a heading</h3>
<p>Your green bin is emptied every other week from March to November this year.</p>
<p><a href="/days">Bin days</a></p>
</main></body></html>"""


def page() -> Page:
    return Page(url="https://council.example/bins/", html=HTML)


def test_headings_are_found_once_per_page_with_their_levels() -> None:
    bins = page()
    found = headings(bins)
    assert headings(bins) is found
    assert [(h.element.text, h.level) for h in found] == [
        ("Bins", 1),
        ("Garden waste", 4),
        ("Recycling", 2),
    ]


# Elements of random bodies for the headings' candidates: headings, names that start
# like one (header, hgroup, h7), and elements with and without a role.
_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6", "h7", "header", "hgroup", "div", "p", "span")
_ELEMENT = st.tuples(st.sampled_from(_TAGS), st.sampled_from(("", "heading", "presentation")))


@st.composite
def _bodies(draw: st.DrawFn, depth: int = 0) -> str:
    html = ""
    for tag, role in draw(st.lists(_ELEMENT, max_size=4 if depth < 3 else 0)):
        attribute = f' role="{role}"' if role else ""
        html += f"<{tag}{attribute}>x{draw(_bodies(depth + 1))}</{tag}>"
    return html


@given(_bodies(), st.sampled_from(("", ' role="main"')))
def test_heading_candidates_are_those_of_one_predicate_in_document_order(
    html: str, body_role: str
) -> None:
    from lxml import etree

    from rules.analyses.headings import _CANDIDATES

    body = Page(url="https://council.example/", html=f"<body{body_role}>{html}</body>").body
    one_predicate = etree.XPath(
        "descendant-or-self::*[self::h1 or self::h2 or self::h3 or self::h4 or self::h5 "
        "or self::h6 or @role]"
    )
    assert _CANDIDATES(body) == one_predicate(body)


def test_hidden_is_answered_from_the_ancestors_whatever_order_rules_ask_in() -> None:
    bins = page()
    links = {a.get("href"): a for a in bins.tree.iter("a")}
    shown = {href: not hidden(bins, a) for href, a in links.items()}
    assert shown == {"/old": False, "/gone": False, "/plain": False, "/days": True}
    again = page()
    links = {a.get("href"): a for a in again.tree.iter("a")}
    inner = next(again.tree.iter("h2"))  # a descendant first, then its ancestors
    assert hidden(again, inner)
    assert [hidden(again, a) for a in reversed(list(links.values()))] == [
        False,
        True,
        True,
        True,
    ]


def test_the_main_texts_prose_and_lines_are_built_once_per_page() -> None:
    bins = page()
    assert main_prose(bins) is main_prose(bins)
    assert main_lines(bins) is main_lines(bins)
    assert main_prose(bins) == tuple(prose_blocks(bins.main_blocks))
    assert main_lines(bins) == lined_text(bins.main_blocks)


def test_accessible_names_are_worked_out_once_per_page_and_agree() -> None:
    bins = page()
    links = list(bins.tree.iter("a"))
    names = [name_of(bins, a) for a in links]
    assert names == [accessible_name(a) for a in links]
    links[-1].set("aria-label", "Changed")  # the page's name was worked out already
    assert (name_of(bins, links[-1]), accessible_name(links[-1])) == ("Bin days", "Changed")


TEMPLATE = """<html><body>
<header><nav aria-label="Main"><ul><li><a href="/bins">Bins</a></li>
<li><a href="/tax">Council Tax</a></li></ul></nav><a href="/">Home</a></header>
<main><nav aria-label="In this section"><a href="/bins/days">Bin days</a></nav>
<article><footer><a href="/share">Share</a></footer></article></main>
<div role="contentinfo"><ul><li><a href="/privacy">Privacy</a></li></ul>
<aside><a href="/ad">Advert</a></aside></div>
</body></html>"""


@given(
    st.text(st.sampled_from("ab \n\t\xa0<>&"), max_size=12),
    st.sampled_from(("", " hidden", ' aria-hidden="true"', ' style="display:none"', ' title="t"')),
)
def test_a_childless_links_name_is_its_text_as_the_whole_walk_finds_it(
    text: str, attributes: str
) -> None:
    from html import escape

    from rules.analyses.accessible_name import _collect, content_text
    from rules.page import collapse

    link = next(
        Page(
            url="https://council.example/", html=f"<p><a{attributes}>{escape(text)}</a>"
        ).tree.iter("a")
    )
    walked: list[str] = []
    _collect(link, walked, top=True)
    assert content_text(link) == collapse(" ".join(walked))


def test_navigation_blocks_are_the_template_landmarks_around_the_links() -> None:
    blocks = navigation_blocks(Page(url="https://council.example/", html=TEMPLATE))
    assert blocks == [
        (
            'navigation "Main"',
            [
                ("https://council.example/bins", "Bins"),
                ("https://council.example/tax", "Council Tax"),
            ],
        ),
        ("header", [("https://council.example/", "Home")]),
        ("footer", [("https://council.example/privacy", "Privacy")]),
    ]


def sentence_read_from_the_top(text: str, offset: int) -> str:
    """sentence_around as it reads: from the last boundary before offset to the next."""
    starts = [m.end() for m in re.finditer(r"[.!?](?=\s)|\n", text[:offset])]
    end = re.compile(r"[.!?](?=\s)|\n").search(text, offset)
    return text[starts[-1] if starts else 0 : end.end() if end else len(text)].strip()


@pytest.mark.parametrize("reach", [3, 400])
@given(
    text=st.lists(st.sampled_from(["Bins", " ", ".", "!", "?", "\n", "\t", "\xa0", "x. "])).map(
        "".join
    ),
    where=st.floats(0, 1),
)
def test_a_sentence_is_found_around_any_offset(reach: int, text: str, where: float) -> None:
    offset = round(where * len(text))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(prose, "_SENTENCE_REACH", reach)  # the search near the offset, then the top
        assert sentence_around(text, offset) == sentence_read_from_the_top(text, offset)


def test_site_blocks_make_destinations_absolute_and_follow_redirects_per_origin() -> None:
    other = "https://other.example"
    pages = [
        info(u("/a")),
        info(u("/b")),
        info(u("/old"), final_url=u("/new")),
        info(other + "/x", final_url=other + "/y"),
    ]
    facts = {
        "names": {
            u("/a"): [["main menu", [["/old", "Old"], ["/b", 2], [other + "/x", "X"]]]],
            u("/b"): [["main menu", [["/old", "Old"]]], ["footer", [["/x", "Here"]]]],
            other + "/x": [["menu", [["/x", "X"], ["/old", "Old"]]]],
        },
        "plain": {u("/a"): [["main menu", ["/old", "/b"]]], other + "/x": [["menu", ["/x"]]]},
    }
    site = MemorySite(pages=pages, facts=facts)
    assert list(site_blocks(site, "names")) == [
        (u("/a"), [("main menu", [(u("/new"), "Old"), (u("/b"), "2"), (other + "/y", "X")])]),
        (u("/b"), [("main menu", [(u("/new"), "Old")]), ("footer", [(u("/x"), "Here")])]),
        (other + "/x", [("menu", [(other + "/y", "X"), (other + "/old", "Old")])]),
    ]
    assert list(site_blocks(site, "plain")) == [
        (u("/a"), [("main menu", [(u("/new"), ""), (u("/b"), "")])]),
        (other + "/x", [("menu", [(other + "/y", "")])]),
    ]
