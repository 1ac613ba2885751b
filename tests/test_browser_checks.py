"""The browser stage's own checks (focus visible 2.4.7, skip links 2.4.1) in real Chromium.

Each page of tests/sites/browser-checks marks the elements a check must report
(`data-flagged="focus"` or `"skip"`); every other element must pass. The checks' script is
the one the browser stage runs after axe-core (audits/stages/browser_checks.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from audits.stages.browser_checks import CHECKS_SCRIPT, answered, checks_arguments, parse_checks
from rules.analyses.axe_results import (
    FOCUS_NOT_VISIBLE,
    INCOMPLETE,
    SKIP_LINK_DOES_NOTHING,
    VIOLATION,
    AxeNode,
)
from tests.kit.browsers import headless_chrome, needs_chromium
from tests.kit.siteserver import SiteServer

PAGES = Path(__file__).parent / "sites" / "browser-checks"
CHECK_OF_RULE = {FOCUS_NOT_VISIBLE: "focus", SKIP_LINK_DOES_NOTHING: "skip"}


@pytest.fixture(scope="module")
def chrome() -> Iterator[tuple[Any, str]]:
    """A headless Chromium and the base URL of the fixture pages."""
    with SiteServer(PAGES) as server, headless_chrome() as driver:
        yield driver, server.url


def flagged(driver: Any, url: str) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(what the checks reported, what the page marks), as (check, outerHTML) pairs."""
    driver.get(url)
    raw = driver.execute_async_script(CHECKS_SCRIPT, *checks_arguments())
    reported = set()
    for node in parse_checks(url, raw):
        element = driver.execute_script("return document.querySelector(arguments[0])", node.target)
        assert element is not None, f"{node.rule} names no element: {node.target}"
        reported.add((CHECK_OF_RULE[node.rule], element.get_attribute("outerHTML")))
    driver.get(url)  # the skip-link check followed a link: read the marks afresh
    marked = driver.execute_script(
        "return [...document.querySelectorAll('[data-flagged]')]"
        ".map((e) => [e.dataset.flagged, e.outerHTML])"
    )
    return reported, {tuple(pair) for pair in marked}


@pytest.mark.parametrize("page", sorted(p.name for p in PAGES.glob("*.html")))
@pytest.mark.browser
@needs_chromium
def test_the_checks_report_exactly_the_marked_elements(chrome: tuple[Any, str], page: str) -> None:
    driver, base = chrome
    reported, marked = flagged(driver, f"{base}/{page}")
    assert reported == marked
    assert bool(marked) == page.startswith("fail_")


@pytest.mark.browser
@needs_chromium
def test_a_finding_says_what_was_seen_and_which_criterion(chrome: tuple[Any, str]) -> None:
    driver, base = chrome
    driver.get(f"{base}/fail_skip_target_hidden.html")
    raw = driver.execute_async_script(CHECKS_SCRIPT, *checks_arguments())
    [node] = parse_checks("https://council.example/", raw)
    assert (node.rule, node.wcag, node.outcome) == (SKIP_LINK_DOES_NOTHING, ("2.4.1",), "violation")
    assert "#content is hidden" in node.failure_summary
    assert node.html.startswith('<a href="#content"')


def _node(rule: str, outcome: str, html: str) -> AxeNode:
    return AxeNode("https://council.example/", outcome, rule, None, (), "", "", "a", html, "")


SKIP = '<a href="#content">Skip to main content</a>'


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        (_node("skip-link", INCOMPLETE, SKIP), True),
        (_node("skip-link", INCOMPLETE, '<a href="#nav">Skip to navigation</a>'), False),
        (_node("skip-link", VIOLATION, SKIP), False),
        (_node("color-contrast", INCOMPLETE, SKIP), False),
    ],
)
def test_axe_cores_skip_link_review_is_answered_by_our_check_of_that_link(
    node: AxeNode, expected: bool
) -> None:
    ours = [_node(SKIP_LINK_DOES_NOTHING, VIOLATION, SKIP), _node(FOCUS_NOT_VISIBLE, VIOLATION, "")]
    assert answered(node, ours) is expected
