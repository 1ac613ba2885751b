"""axe-core's "needs review" decided in the page (bypass blocks 2.4.1, table headers 1.3.1),
in real Chromium.

The pages of tests/sites/browser-review say what the script must answer: each bypass page
in its `<meta name="expected">`, each table in its `data-expected`. The script is the one
the browser stage runs last on a page (audits/stages/browser_review.py).
"""

from __future__ import annotations

import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from audits.stages.browser_review import REVIEW_SCRIPT, decide, found_beyond, review_arguments
from rules.analyses.axe_results import INCOMPLETE, VIOLATION, AxeNode
from tests.kit.browsers import headless_chrome, needs_chromium, require_browser
from tests.kit.cli import run_cli
from tests.kit.findings import load_findings
from tests.kit.siteserver import SiteServer

PAGES = Path(__file__).parent / "sites" / "browser-review"
URL = "https://council.example/"


@pytest.fixture(scope="module")
def chrome() -> Iterator[tuple[Any, str]]:
    """A headless Chromium and the base URL of the fixture pages."""
    with SiteServer(PAGES) as server, headless_chrome() as driver:
        yield driver, server.url


def _node(rule: str, target: str, outcome: str = INCOMPLETE) -> AxeNode:
    return AxeNode(URL, outcome, rule, "serious", ("2.4.1",), "", "", target, "<html>", "")


FIRST_SITE_LINK = """return [...document.querySelectorAll('a[href]')].map((a) => a.href.split('#')[0])
  .find((h) => h !== location.href.split('#')[0] && h.startsWith(location.origin + '/')) || null"""
"""The page's first link to another page of its site: the page the audit would compare it
with, had it fetched that page (`Store.browser_compare_pages`)."""


def _answer(driver: Any, url: str, nodes: list[AxeNode]) -> Any:
    driver.get(url)
    other = driver.execute_script(FIRST_SITE_LINK)
    return driver.execute_async_script(REVIEW_SCRIPT, *review_arguments(nodes, other))


@pytest.mark.parametrize("page", sorted(p.name for p in PAGES.glob("*_bypass_*.html")))
@pytest.mark.browser
@needs_chromium
def test_bypass_review_is_decided_as_the_page_says(chrome: tuple[Any, str], page: str) -> None:
    driver, base = chrome
    answer = _answer(driver, f"{base}/{page}", [_node("bypass", "html")])
    expected = driver.execute_script("return document.querySelector('meta[name=expected]').content")
    [decided] = decide([_node("bypass", "html")], answer)
    outcome = {None: "passed", INCOMPLETE: "undecided", VIOLATION: "failed"}
    assert outcome[decided and decided.outcome] == expected, answer


@pytest.mark.browser
@needs_chromium
def test_a_bypass_failure_names_the_repeated_block(chrome: tuple[Any, str]) -> None:
    driver, base = chrome
    answer = _answer(driver, f"{base}/fail_bypass_links_first.html", [_node("bypass", "html")])
    [decided] = decide([_node("bypass", "html")], answer)
    assert decided is not None and decided.rule == "bypass"
    assert '<div> "Bins and recycling Council Tax Parking permits"' in decided.failure_summary


@pytest.mark.parametrize(
    ("page", "rule"),
    [("tables.html", "th-has-data-cells"), ("hidden-focus.html", "aria-hidden-focus")],
)
@pytest.mark.browser
@needs_chromium
def test_each_element_asked_about_is_decided_as_the_page_says(
    chrome: tuple[Any, str], page: str, rule: str
) -> None:
    driver, base = chrome
    driver.get(f"{base}/{page}")
    marked = driver.execute_script(
        "return [...document.querySelectorAll('[data-expected]')]"
        ".map((e) => [e.id, e.dataset.expected])"
    )
    nodes = [_node(rule, f"#{name}") for name, _ in marked]
    decided = decide(nodes, _answer(driver, f"{base}/{page}", nodes))
    got = ["passed" if node is None else node.outcome for node in decided]
    assert got == [{"failed": VIOLATION}.get(e, e) for _, e in marked]


@pytest.mark.browser
@needs_chromium
def test_a_table_failure_names_the_headers_without_cells(chrome: tuple[Any, str]) -> None:
    driver, base = chrome
    nodes = [_node("th-has-data-cells", "#fail-empty-column")]
    [decided] = decide(nodes, _answer(driver, f"{base}/tables.html", nodes))
    assert decided is not None and '<th> "Fee"' in decided.failure_summary
    assert '"Permit"' not in decided.failure_summary


def test_the_script_is_given_the_elements_axe_core_asks_about() -> None:
    nodes = [
        _node("bypass", "html", VIOLATION),
        _node("th-has-data-cells", "table"),
        _node("no-autoplay-audio", "audio"),
        _node("aria-hidden-focus", "div"),
        _node("region", "div"),
    ]
    tables, media, hidden, *_ = review_arguments(nodes, None)
    assert (tables, media, hidden) == (["table"], ["audio"], ["div"])


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [
        ({"bypass": {"verdict": "failed", "summary": "why"}}, VIOLATION),
        ({"bypass": {"verdict": "passed"}}, None),
        ({"bypass": None}, INCOMPLETE),
        (None, INCOMPLETE),
        ("not an answer", INCOMPLETE),
    ],
)
def test_a_decision_turns_the_question_into_a_violation_or_removes_it(
    answer: Any, outcome: str | None
) -> None:
    other = _node("color-contrast", "p")
    decided = decide([_node("bypass", "html"), other], answer)
    assert (decided[0] and decided[0].outcome, decided[1]) == (outcome, other)


def test_a_bypass_failure_on_a_page_axe_core_passed_is_a_violation_of_its_rule() -> None:
    answer = {"bypass": {"verdict": "failed", "summary": "why", "html": '<html lang="en">'}}
    [node] = found_beyond(URL, [_node("region", "div", VIOLATION)], answer)
    assert (node.rule, node.outcome, node.wcag, node.html) == (
        "bypass",
        VIOLATION,
        ("2.4.1",),
        '<html lang="en">',
    )
    assert found_beyond(URL, [_node("bypass", "html")], answer) == []
    assert found_beyond(URL, [], {"bypass": {"verdict": "passed"}}) == []


def _sound(path: Path, seconds: int) -> None:
    """A silent WAV file of `seconds` (what it plays does not matter, only how long)."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(1)
        out.setframerate(8000)
        out.writeframes(b"\x80" * 8000 * seconds)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [("", VIOLATION), ('<button type="button">Stop the sound</button>', INCOMPLETE)],
)
@pytest.mark.browser
@needs_chromium
def test_autoplaying_sound_with_nothing_to_stop_it_fails(
    tmp_path: Path, extra: str, expected: str
) -> None:
    _sound(tmp_path / "welcome.wav", 5)
    (tmp_path / "index.html").write_text(
        '<!DOCTYPE html><html lang="en"><title>Welcome</title>'
        f'<audio src="welcome.wav" autoplay></audio>{extra}</html>'
    )
    node = _node("no-autoplay-audio", "audio")
    with SiteServer(tmp_path) as server, headless_chrome() as driver:
        driver.get(f"{server.url}/index.html")
        driver.execute_async_script(
            "const done = arguments[0]; const audio = document.querySelector('audio');"
            "if (audio.readyState) { done(); } else { audio.onloadedmetadata = done; }"
        )
        answer = driver.execute_async_script(REVIEW_SCRIPT, *review_arguments([node], None))
    [decided] = decide([node], answer)
    assert decided is not None and decided.outcome == expected
    assert expected == INCOMPLETE or "for 5 seconds" in decided.failure_summary


@pytest.mark.browser
@needs_chromium
def test_elements_in_frames_and_shadow_roots_stay_with_a_person(chrome: tuple[Any, str]) -> None:
    driver, base = chrome
    nodes = [
        _node("th-has-data-cells", "iframe | #fail-empty-column"),
        _node("th-has-data-cells", "#host >>> #fail-empty-column"),
        _node("aria-hidden-focus", "div[aria-hidden"),  # not a selector: asks nothing
    ]
    decided = decide(nodes, _answer(driver, f"{base}/tables.html", nodes))
    assert [node and node.outcome for node in decided] == [INCOMPLETE] * 3


@pytest.mark.browser
@needs_chromium
def test_aria_table_headers_without_cells_fail_where_axe_core_does_not_look(
    chrome: tuple[Any, str],
) -> None:
    driver, base = chrome
    answer = _answer(driver, f"{base}/aria-tables.html", [])
    [node] = found_beyond(URL, [], answer)
    assert (node.rule, node.outcome, node.target, node.wcag) == (
        "th-has-data-cells",
        VIOLATION,
        "#rooms",
        ("1.3.1",),
    )
    assert '<div> "Booked by"' in node.failure_summary and '"Room"' not in node.failure_summary


NAV = """<!DOCTYPE html><html lang="en"><title>{title}</title><body>
<div class="site-links"><a href="/logout">Sign out of your account</a>
<a href="/other.html">Bins and recycling collections</a> <a href="/">Council home page</a></div>
<p>{text}</p></body></html>"""


@pytest.mark.slow
@pytest.mark.browser
def test_the_bypass_check_compares_only_with_a_page_the_audit_fetched(tmp_path: Path) -> None:
    """The first link is excluded from the audit: the browser must not fetch it either, and
    compares the page with the next page of the site the crawl fetched instead."""
    require_browser()
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(NAV.format(title="Home", text="Pay your council tax."))
    (site / "other.html").write_text(NAV.format(title="Bins", text="Put your bin out by 7am."))
    (site / "logout").write_text(NAV.format(title="Signed out", text="You are signed out."))
    config = tmp_path / "siteaudit.toml"
    config.write_text('[crawl]\nexclude = ["/logout"]\n[browser]\nworkers = 1\n')
    out = tmp_path / "out"
    with SiteServer(site) as server:
        result = run_cli(
            "audit", f"{server.url}/", "--out", out, "--config", config, "-q", browser=True
        )
        fetched = [r.target for r in server.requests]
        origin = server.url
    assert result.returncode in (0, 1), result.stderr
    assert "/logout" not in fetched
    bypass = [
        f
        for f in load_findings(out)["findings"]
        if (f.get("evidence") or {}).get("axe_rule") == "bypass"
    ]
    pages = {url for f in bypass for url in (f["url"], *f.get("pages", ()))}
    assert pages == {f"{origin}/", f"{origin}/other.html"}, bypass
