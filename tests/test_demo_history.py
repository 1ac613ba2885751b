"""The demo history's edits (audits/demo_site/_history.toml): one that names a pattern
(`files = "**/*.html"`) puts the same text back in every file it matches, and fails the
demo with one line when a matching file lacks the text."""

from __future__ import annotations

from pathlib import Path

import pytest

from audits.demo import Change, DemoHistoryError, Edit, History, load_history, site_as_of
from audits.siteserver import DEMO_ROOT

HEADER_SEARCH = '<input type="search" id="site-search-q" name="q">\n'


def _history(*edits: Edit) -> History:
    return History((7,), (Change(0, "The search box is added", (), edits),))


def test_a_pattern_edit_changes_every_file_it_matches(tmp_path: Path) -> None:
    edit = Edit(files="**/*.html", now=HEADER_SEARCH, was="<!-- no search yet -->\n")
    site = site_as_of(_history(edit), 7, tmp_path / "site")
    pages = sorted(site.rglob("*.html"))
    assert {page.name for page in pages} >= {"index.html", "404.html"}
    assert any(page.parent != site for page in pages)  # pages in folders too
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert HEADER_SEARCH not in text
        assert "<!-- no search yet -->" in text
    assert (site / "sitemap.xml").read_bytes() == (DEMO_ROOT / "sitemap.xml").read_bytes()


def test_a_pattern_edit_fails_in_one_line_naming_the_file_without_its_text(
    tmp_path: Path,
) -> None:
    # The home page links to the search page; the search page itself does not.
    edit = Edit(files="*.html", now='<a href="/search">', was="")
    with pytest.raises(DemoHistoryError) as raised:
        site_as_of(_history(edit), 7, tmp_path / "site")
    message = raised.value.line()
    assert "\n" not in message
    assert "The search box is added" in message
    assert "search.html (it matches *.html)" in message


def test_a_pattern_that_matches_no_file_fails(tmp_path: Path) -> None:
    edit = Edit(files="**/*.shtml", now="<header>", was="")
    with pytest.raises(DemoHistoryError, match=r"a file matching \*\*/\*\.shtml"):
        site_as_of(_history(edit), 7, tmp_path / "site")


@pytest.mark.parametrize("names", ['file = "index.html"\nfiles = "*.html"', ""])
def test_an_edit_names_either_a_file_or_a_pattern(tmp_path: Path, names: str) -> None:
    path = tmp_path / "_history.toml"
    path.write_text(
        'audits = [7]\n[[change]]\nmade = 0\nsummary = "Odd"\n'
        f'[[change.edit]]\n{names}\nnow = "a"\nwas = ""\n',
        encoding="utf-8",
    )
    with pytest.raises(DemoHistoryError, match="either `file`"):
        load_history(path)
