"""axe-core's findings our checks settle after it, in the browser stage's own session.

Contrast axe-core leaves to a person, decided from the rendered page (1.4.3, 1.4.6;
audits/stages/browser_contrast.py): each page of tests/sites/browser-contrast holds one
text; `fail_` pages must end with a color-contrast violation where axe-core alone says
"needs review" (or nothing), `pass_` pages with no contrast finding, `review_` pages still
asking a person. Label in name (2.5.3; audits/stages/browser_names.py): the pages of
tests/sites/browser-names, `pass_` without a label-content-name-mismatch violation,
`fail_` with one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from audits.core.config import BrowserConfig
from audits.stages.browser import BrowserSettings, ChromiumSession, parse_axe_results
from audits.stages.browser_contrast import contrast_verdict, required_ratio, resolve_contrast
from audits.stages.browser_names import ICON_FONT, LABEL_IN_NAME
from rules.analyses.axe_results import INCOMPLETE, VIOLATION
from tests.kit.browsers import require_browser
from tests.kit.siteserver import SiteServer

SITES = Path(__file__).parent / "sites"
PAGES = SITES / "browser-contrast"
NAMES = SITES / "browser-names"
CONTRAST = ("color-contrast", "color-contrast-enhanced")
Node = tuple[str, str]


@pytest.fixture(scope="module")
def session() -> Iterator[tuple[ChromiumSession, str]]:
    """The browser stage's Chromium session and the base URL of the pages."""
    require_browser()
    chromium = ChromiumSession(BrowserSettings.from_config(BrowserConfig()))
    try:
        with SiteServer(SITES) as server:
            yield chromium, server.url
    finally:
        chromium.quit()


def outcomes(session: ChromiumSession, url: str) -> tuple[list[Node], list[Node]]:
    """(rule, outcome) of each node on the page: axe-core's alone, then the stage's."""
    check = session.check(url, None)
    axe_alone = parse_axe_results(url, session._run_axe(embedded=True))
    return [(n.rule, n.outcome) for n in axe_alone], [(n.rule, n.outcome) for n, _ in check.nodes]


EXPECTED = {"fail": {VIOLATION}, "pass": set(), "review": {INCOMPLETE}}


@pytest.mark.parametrize("page", sorted(p.name for p in PAGES.glob("*.html")))
@pytest.mark.browser
def test_undecided_contrast_is_decided_from_the_rendered_page(
    session: tuple[ChromiumSession, str], page: str
) -> None:
    chromium, base = session
    alone, settled = outcomes(chromium, f"{base}/{PAGES.name}/{page}")
    axe_alone = {outcome for rule, outcome in alone if rule in CONTRAST}
    ours = {outcome for rule, outcome in settled if rule in CONTRAST}
    kind = page.split("_", 1)[0]
    assert ours == EXPECTED[kind]
    # A fail_ or pass_ page is one axe-core could not decide itself, or got wrong; a
    # review_ page one it could not decide and neither can the picture.
    assert (axe_alone == ours) == (kind == "review")


@pytest.mark.browser
def test_a_decided_failure_says_what_was_measured(session: tuple[ChromiumSession, str]) -> None:
    chromium, base = session
    check = chromium.check(f"{base}/{PAGES.name}/fail_gradient_background.html", None)
    [node] = [node for node, _ in check.nodes if node.rule == "color-contrast"]
    assert node.wcag == ("1.4.3",)
    assert "at most 2.3" in node.failure_summary
    assert "Expected contrast ratio of 4.5:1" in node.failure_summary


@pytest.mark.browser
def test_with_aaa_on_a_measured_text_is_judged_for_enhanced_contrast_too(
    session: tuple[ChromiumSession, str],
) -> None:
    chromium, base = session
    url = f"{base}/{PAGES.name}/aaa/fail_enhanced_only.html"
    aaa = ChromiumSession(BrowserSettings.from_config(BrowserConfig(aaa=True)))
    try:
        axe_alone, ours = outcomes(aaa, url)
    finally:
        aaa.quit()
    assert [n for n in axe_alone if n[0] in CONTRAST] == [("color-contrast", INCOMPLETE)]
    assert [n for n in ours if n[0] in CONTRAST] == [("color-contrast-enhanced", VIOLATION)]
    # The same text passes the minimum contrast: nothing without AAA.
    assert not [n for n in outcomes(chromium, url)[1] if n[0] in CONTRAST]


@pytest.mark.browser
def test_a_picture_that_fails_leaves_the_text_shown(session: tuple[ChromiumSession, str]) -> None:
    chromium, base = session
    url = f"{base}/{PAGES.name}/fail_gradient_background.html"
    chromium.driver.get(url)
    nodes = parse_axe_results(url, chromium._run_axe(embedded=True))

    def broken(clip: object) -> str:
        raise RuntimeError("the browser went away")

    with pytest.raises(RuntimeError):
        resolve_contrast(nodes, chromium._execute, broken)
    left = chromium.driver.execute_script(
        "return document.querySelectorAll('[data-siteaudit-contrast]').length"
    )
    assert left == 0
    assert (
        chromium.driver.execute_script("return getComputedStyle(document.querySelector('p')).color")
        == "rgb(170, 170, 170)"
    )


@pytest.mark.parametrize("page", sorted(p.name for p in NAMES.glob("*.html")))
@pytest.mark.browser
def test_text_an_icon_font_draws_is_not_a_visible_label(
    session: tuple[ChromiumSession, str], page: str
) -> None:
    chromium, base = session
    axe_alone, ours = outcomes(chromium, f"{base}/{NAMES.name}/{page}")
    key = (LABEL_IN_NAME, VIOLATION)
    assert axe_alone.count(key) == 1  # the fonts are blocked
    assert ours.count(key) == page.startswith("fail_")


@pytest.mark.parametrize(
    ("lowest", "highest", "required", "verdict"),
    [
        (1.0, 2.3, 4.5, VIOLATION),  # even the best background pixel fails
        (4.9, 12.6, 4.5, "pass"),  # even the worst passes
        (2.0, 6.0, 4.5, None),  # some pixels pass, some fail: a person decides
        (1.0, 4.4, 4.5, None),  # within the margin of the threshold
        (4.6, 9.0, 4.5, None),
        (1.0, 1.0, 4.5, None),  # the text is drawn in its background's own colour
        (5.0, 6.5, 7.0, VIOLATION),
    ],
)
def test_a_measured_range_decides_only_clear_of_the_threshold(
    lowest: float, highest: float, required: float, verdict: str | None
) -> None:
    assert contrast_verdict(lowest, highest, required) == verdict


def test_large_text_asks_less() -> None:
    assert required_ratio("color-contrast", large=False) == 4.5
    assert required_ratio("color-contrast", large=True) == 3.0
    assert required_ratio("color-contrast-enhanced", large=False) == 7.0
    assert required_ratio("color-contrast-enhanced", large=True) == 4.5


@pytest.mark.parametrize(
    ("family", "icons"),
    [
        ('"Material Icons"', True),
        ('"Material Symbols Outlined"', True),
        ('"Font Awesome 6 Free"', True),
        ("FontAwesome", True),
        ("bootstrap-icons", True),
        ('"Glyphicons Halflings"', True),
        ("icomoon", True),
        ("Lexicon", False),  # a text face with "icon" inside a word
        ("Arial", False),
        ('"GDS Transport"', False),
    ],
)
def test_icon_fonts_are_told_by_their_family_name(family: str, icons: bool) -> None:
    assert bool(re.search(ICON_FONT, family, re.IGNORECASE)) == icons
