"""Sections: configured owners by URL prefix, else the first path segment."""

from __future__ import annotations

import pytest

from reports.sections import HOME_SECTION, Sections, default_section, slugify

HOST = "www.example.gov.uk"
SITE = f"https://{HOST}"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (SITE + "/", (HOME_SECTION, "/")),
        (SITE + "/bins/", ("/bins", "/bins")),
        (SITE + "/bins/collections/day", ("/bins", "/bins")),
        (SITE + "/bins", ("/bins", "/bins")),
        (SITE + "/about.html", ("/about", "/about")),
        (SITE + "/news/2025/a.html", ("/news", "/news")),
        (
            "https://forms.example.gov.uk/apply",
            ("forms.example.gov.uk", "https://forms.example.gov.uk/"),
        ),
    ],
)
def test_default_section(url: str, expected: tuple[str, str]) -> None:
    assert default_section(url, HOST) == expected


CONFIG = {
    "/bins/": "Waste team",
    "/recycling/": "Waste team",
    "/bins/garden/": "Garden waste",
    "https://forms.example.gov.uk/": "Digital team",
}


@pytest.mark.parametrize(
    ("url", "owner"),
    [
        (SITE + "/bins/collections", "Waste team"),
        (SITE + "/bins", "Waste team"),  # "/bins/" takes the page "/bins" too
        (SITE + "/binsandboxes", "/binsandboxes"),  # not under "/bins/"
        (SITE + "/recycling/centres/", "Waste team"),
        (SITE + "/bins/garden/subscribe", "Garden waste"),  # the longest prefix wins
        ("https://forms.example.gov.uk/bins/apply", "Digital team"),
        (SITE + "/parking/", "/parking"),  # no prefix: the first segment
        (SITE + "/", HOME_SECTION),
    ],
)
def test_configured_owners(url: str, owner: str) -> None:
    assert Sections(CONFIG, HOST).of(url) == owner


def test_one_section_per_owner_with_all_its_prefixes() -> None:
    sections = Sections(CONFIG, HOST)
    for path in ("/bins/a", "/recycling/b", "/parking/c", "/"):
        sections.of(SITE + path)
    listed = sections.all()
    assert [s.name for s in listed] == ["Waste team", "/parking", HOME_SECTION]
    waste = sections.section("Waste team")
    assert set(waste.prefixes) == {"/bins/", "/recycling/"}
    assert waste.configured and waste.slug == "waste-team"


def test_slugs_are_unique_and_safe() -> None:
    sections = Sections({"/a/": "Waste team!", "/b/": "waste team"}, HOST)
    sections.of(SITE + "/a/x")
    sections.of(SITE + "/b/x")
    sections.of(SITE + "/<script>/")
    slugs = [s.slug for s in sections.all()]
    assert len(set(slugs)) == 3
    assert all(c.isalnum() or c == "-" for slug in slugs for c in slug)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Waste team", "waste-team"),
        ("/bins", "bins"),
        ("<script>", "script"),
        ("Ünïcode", "n-code"),
        ("", ""),
    ],
)
def test_slugify(text: str, expected: str) -> None:
    assert slugify(text) == expected
