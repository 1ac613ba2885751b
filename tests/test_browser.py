"""The browser stage: axe-core in real headless Chromium on fixture pages, and its pool.

The fixture site (tests/sites/a11y, see its README) has one known WCAG failure per page,
clean controls, a template issue and a page too slow for the browser. One audit of it (and
a second run on the same store) is shared by the module. Chromium, chromedriver and
axe-core (`make setup`) must be installed: without them these tests fail, unless
SITEAUDIT_SKIP_BROWSER=1 says to skip them. The pool's restart logic is tested with fake
browsers, and the stage's fallbacks without a browser at all.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from audits.core.config import BrowserConfig, parse_config
from audits.siteserver import DEMO_ROOT
from audits.stages.browser import (
    BrowserPool,
    BrowserSettings,
    BrowserUnavailable,
    ChromiumSession,
    axe_run_options,
    locate_axe,
    locate_chromium,
    read_axe,
    run_browser_stage,
)
from reports.findings_json import validate_findings
from rules.analyses.axe_results import OWN_CHECKS, VIOLATION
from tests.kit.browsers import require_browser
from tests.kit.cli import run_cli
from tests.kit.fake_browsers import FakeBrowser, fake_settings, run_pool
from tests.kit.findings import load_findings, url_path
from tests.kit.siteserver import RequestInfo, Response, SiteServer

A11Y_ROOT = Path(__file__).parent / "sites" / "a11y"
CASES = Path(__file__).parent / "rules" / "cases"
SEEDED = {
    "/image-without-alt/": "image-alt",
    "/unlabelled-input/": "label",
    "/low-contrast/": "color-contrast",
    "/empty-link/": "link-name",
    "/missing-lang/": "html-has-lang",
    "/missing-title/": "document-title",
    "/unnamed-button/": "button-name",
    "/untitled-iframe/": "frame-title",
    "/framed-form/": "label",  # inside a frame: axe-core runs in it too
    "/object-image/": "object-alt",  # the image loads for <object>, or its fallback shows
    "/positive-tabindex/": "tabindex",  # a best-practice rule on by default
}
CLEAN = ("/", "/clean/contact/", "/clean/apply/", "/embed/map/")
TEMPLATE_PAGES = ("/news/one/", "/news/two/", "/news/three/", "/news/four/")
SLOW_PAGE = "/slow/"
PAGE_TIMEOUT = 3
# Static check -> the axe-core rules that judge the same thing.
AGREEING_RULES = {
    "document-language-missing": {"html-has-lang", "html-lang-valid"},
    "document-title-missing": {"document-title"},
    "image-missing-alt": {"image-alt"},
    "heading-empty": {"empty-heading"},
    "heading-level-skipped": {"heading-order"},
}


def slow_for_browsers(request: RequestInfo) -> Response:
    """Answers the crawler at once and the browser after its page timeout."""
    page = Response.html(
        "<!DOCTYPE html><html lang='en-GB'><head><title>Committee papers</title></head>"
        "<body><main><h1>Planning committee papers</h1><p>Agendas and minutes.</p></main>"
        "</body></html>"
    )
    if "HeadlessChrome" in request.headers.get("user-agent", ""):
        page.delay = PAGE_TIMEOUT + 2
    return page


def by_page(findings: list[dict[str, Any]], rule: str) -> dict[str, list[dict[str, Any]]]:
    """A rule's findings by page path (each page of a template issue included)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for f in findings:
        if f["rule"] == rule:
            for url in f["pages"] or [f["url"]]:
                found.setdefault(url_path(url), []).append(f)
    return found


def axe_reported(findings: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """axe-core's violations by page path, those merged into a static check's finding
    (audits/stages/merge.py) included, seen through the axe-core source they carry."""
    found = by_page(findings, "axe-violation")
    for f in findings:
        for source in f["evidence"].get("sources", [])[1:]:
            seen = {**f, "evidence": {**f["evidence"], **source}}
            for url in f["pages"] or [f["url"]]:
                found.setdefault(url_path(url), []).append(seen)
    return found


@pytest.fixture(scope="module")
def a11y_audit(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Two audits of the fixture site into one store: the second reuses the first."""
    require_browser()
    out = tmp_path_factory.mktemp("a11y")
    config = out / "siteaudit.toml"
    config.write_text(
        f'[store]\npath = "{out / "history.db"}"\n'
        f"[browser]\nworkers = 2\npage_timeout = {PAGE_TIMEOUT}\n"
    )
    with SiteServer(A11Y_ROOT, routes={SLOW_PAGE: slow_for_browsers}) as server:
        results = [
            run_cli(
                "audit",
                f"{server.url}/",
                "--out",
                out / run,
                "--config",
                config,
                "-q",
                browser=True,
            )
            for run in ("first", "second")
        ]
        requests = Counter((r.method, r.target) for r in server.requests)
    for result in results:
        assert result.returncode == 0, result.stderr
    return {
        "out": out,
        "stderr": [r.stderr for r in results],
        "first": load_findings(out / "first"),
        "second": load_findings(out / "second"),
        "db": sqlite3.connect(out / "history.db"),
        "requests": requests,
    }


@pytest.mark.slow
@pytest.mark.browser
def test_each_seeded_failure_is_reported_on_its_page(a11y_audit: dict[str, Any]) -> None:
    violations = axe_reported(a11y_audit["first"]["findings"])
    for page, axe_rule in SEEDED.items():
        assert axe_rule in {f["evidence"]["axe_rule"] for f in violations.get(page, [])}, page


@pytest.mark.slow
@pytest.mark.browser
def test_no_clean_page_is_flagged(a11y_audit: dict[str, Any]) -> None:
    flagged = [
        (f["rule"], f["message"])
        for f in a11y_audit["first"]["findings"]
        if f["category"] == "accessibility"
        and not f["rule"].startswith("accessibility-statement-")  # the site's, not a page's
        and {url_path(u) for u in f["pages"] or [f["url"]]} & set(CLEAN)
    ]
    assert flagged == []


@pytest.mark.slow
@pytest.mark.browser
def test_only_the_seeded_failures_are_reported(a11y_audit: dict[str, Any]) -> None:
    violations = axe_reported(a11y_audit["first"]["findings"])
    expected = {**SEEDED, **dict.fromkeys(TEMPLATE_PAGES, "link-name")}
    assert {page: {f["evidence"]["axe_rule"] for f in fs} for page, fs in violations.items()} == {
        page: {rule} for page, rule in expected.items()
    }
    assert by_page(a11y_audit["first"]["findings"], "axe-needs-review") == {}


@pytest.mark.slow
@pytest.mark.browser
def test_a_template_issue_is_reported_once_with_every_page(a11y_audit: dict[str, Any]) -> None:
    [issue] = [
        f
        for f in a11y_audit["first"]["findings"]
        if f["rule"] == "axe-violation" and f["evidence"]["template"]
    ]
    assert sorted(map(url_path, issue["pages"])) == sorted(TEMPLATE_PAGES)
    assert issue["url"] == issue["pages"][0]
    assert issue["evidence"]["page_count"] == len(TEMPLATE_PAGES)
    assert "fix it once at its source, usually the template" in issue["message"]
    assert issue["selector"] and "share" in issue["snippet"]


@pytest.mark.slow
@pytest.mark.browser
def test_violations_carry_wcag_criteria_guidance_and_severity(a11y_audit: dict[str, Any]) -> None:
    [image] = axe_reported(a11y_audit["first"]["findings"])["/image-without-alt/"]
    assert image["severity"] == "critical"
    assert image["category"] == "accessibility"
    assert image["evidence"]["wcag"] == ["1.1.1"]
    assert image["evidence"]["impact"] == "critical"
    assert image["evidence"]["help_url"].startswith("https://dequeuniversity.com/rules/axe/4.")
    assert "alt" in image["evidence"]["failure_summary"]
    assert image["selector"] and image["snippet"].startswith("<img")
    [contrast] = axe_reported(a11y_audit["first"]["findings"])["/low-contrast/"]
    assert contrast["severity"] == "high" and contrast["evidence"]["wcag"] == ["1.4.3"]


@pytest.mark.slow
@pytest.mark.browser
def test_findings_json_names_the_axe_core_version(a11y_audit: dict[str, Any]) -> None:
    _, version = read_axe(locate_axe())
    validate_findings(a11y_audit["first"])
    assert a11y_audit["first"]["tool"]["axe_core"] == version
    assert version.startswith("4.")


@pytest.mark.slow
@pytest.mark.browser
def test_static_checks_agree_with_axe_on_the_fixture_site(a11y_audit: dict[str, Any]) -> None:
    findings = a11y_audit["first"]["findings"]
    axe_pages = axe_reported(findings)
    for static, axe_rules in AGREEING_RULES.items():
        static_pages = set(by_page(findings, static))
        flagged_by_axe = {
            page
            for page, fs in axe_pages.items()
            if {f["evidence"]["axe_rule"] for f in fs} & axe_rules
        }
        if static in ("heading-empty", "heading-level-skipped"):
            continue  # axe-core checks these only with best_practice (see the next test)
        assert static_pages == flagged_by_axe, static


@pytest.mark.slow
@pytest.mark.browser
def test_a_page_too_slow_for_the_browser_is_an_audit_error(a11y_audit: dict[str, Any]) -> None:
    errors = by_page(a11y_audit["first"]["findings"], "browser-audit-error")
    assert list(errors) == [SLOW_PAGE]
    assert f"within {PAGE_TIMEOUT} s" in errors[SLOW_PAGE][0]["message"]
    pages, failed = (
        a11y_audit["db"]
        .execute("SELECT COUNT(*), COUNT(error) FROM browser_pages WHERE run_id = 1")
        .fetchone()
    )
    assert (pages, failed) == (len(SEEDED) + len(CLEAN) + len(TEMPLATE_PAGES) + 1, 1)


@pytest.mark.slow
@pytest.mark.browser
def test_the_browser_loads_pages_and_styles_but_no_images(a11y_audit: dict[str, Any]) -> None:
    # The crawler GETs pages and only HEADs assets: other GETs are the browser's.
    requested = a11y_audit["requests"]
    assert requested["GET", "/clean/contact/"] == 3  # two crawls, one browser (then reused)
    assert requested["GET", "/css/site.css"] >= 1  # styles matter: colour contrast
    assert requested["GET", "/images/town-hall.png"] == 0
    # ...except where a check depends on it: an <object> shows its image, not its fallback.
    assert requested["GET", "/images/opening-hours.png"] >= 1


@pytest.mark.slow
@pytest.mark.browser
def test_top_issues_have_screenshots_beside_the_report(a11y_audit: dict[str, Any]) -> None:
    out = a11y_audit["out"] / "first"
    shots = {
        f["evidence"]["axe_rule"]: f["evidence"]["screenshot"]
        for fs in axe_reported(a11y_audit["first"]["findings"]).values()
        for f in fs
        if f["evidence"].get("screenshot")
    }
    assert {"image-alt", "label", "button-name"} <= set(shots)  # every critical one
    for relative in shots.values():
        assert relative.startswith("screenshots/")
        assert (out / relative).read_bytes().startswith(b"\x89PNG")


@pytest.mark.slow
@pytest.mark.browser
def test_a_second_run_reuses_unchanged_pages(a11y_audit: dict[str, Any]) -> None:
    db = a11y_audit["db"]
    reused = dict(
        db.execute(
            "SELECT u.url, b.reused_from FROM browser_pages b JOIN urls u ON u.id = b.url_id "
            "WHERE b.run_id = 2"
        ).fetchall()
    )
    assert {url_path(u) for u, earlier in reused.items() if earlier is None} == {SLOW_PAGE}
    first, second = a11y_audit["first"], a11y_audit["second"]
    assert second["tool"]["axe_core"] == first["tool"]["axe_core"]

    def axe_fingerprints(data: dict[str, Any]) -> set[str]:
        return {f["fingerprint"] for f in data["findings"] if f["rule"] == "axe-violation"}

    assert axe_fingerprints(second) == axe_fingerprints(first)
    assert {f["status"] for f in second["findings"] if f["rule"] == "axe-violation"} == {
        "persisting"
    }
    for f in second["findings"]:
        if f["evidence"].get("screenshot"):
            assert (a11y_audit["out"] / "second" / f["evidence"]["screenshot"]).exists()


@pytest.mark.slow
@pytest.mark.browser
def test_report_command_writes_the_screenshots_again(
    a11y_audit: dict[str, Any], tmp_path: Path
) -> None:
    result = run_cli("report", a11y_audit["out"] / "history.db", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    shots = [
        f["evidence"]["screenshot"]
        for f in load_findings(tmp_path)["findings"]
        if f["evidence"].get("screenshot")
    ]
    assert shots
    assert all((tmp_path / shot).read_bytes().startswith(b"\x89PNG") for shot in shots)


@pytest.mark.slow
@pytest.mark.browser
def test_static_checks_agree_with_axe_on_the_rule_cases() -> None:
    """Each static check's case files, loaded in the browser: axe-core flags as many
    elements (best-practice rules on, for the heading checks)."""
    require_browser()
    from audits.rule_engine import configure
    from rules import BUILTIN_RULES
    from rules.page import Page

    classes = {cls.id: cls for cls in BUILTIN_RULES}
    settings = BrowserSettings.from_config(BrowserConfig(best_practice=True))
    session = ChromiumSession(settings)
    disagreements = []
    try:
        with SiteServer(CASES) as server:
            for static, axe_rules in AGREEING_RULES.items():
                rule = configure(classes[static], {})
                assert rule is not None
                for case in sorted((CASES / static).glob("*.html")):
                    url = f"{server.url}/{static}/{case.name}"
                    page = Page.from_file(str(case), url)
                    ours = len(list(rule.check_page(page)))  # type: ignore[attr-defined]
                    check = session.check(url, None)
                    # Elements: html-has-lang and html-lang-valid both flag one <html>.
                    theirs = len(
                        {
                            node.target
                            for node, _ in check.nodes
                            if node.outcome == VIOLATION and node.rule in axe_rules
                        }
                    )
                    if ours != theirs:
                        disagreements.append((static, case.name, ours, theirs))
    finally:
        session.quit()
    assert disagreements == []


# -- without a browser ------------------------------------------------------------------


@pytest.mark.slow
def test_without_axe_core_the_stage_stops_in_one_line_and_the_rest_runs(tmp_path: Path) -> None:
    with SiteServer(A11Y_ROOT) as server:
        result = run_cli(
            "audit",
            f"{server.url}/",
            "--out",
            tmp_path,
            "-q",
            env={"SITEAUDIT_AXE": str(tmp_path / "no-axe.min.js")},
            browser=True,
        )
    assert result.returncode == 0, result.stderr
    [line] = [line for line in result.stderr.splitlines() if line.strip()]
    assert line.startswith("siteaudit: browser stage skipped: axe-core not found")
    assert "siteaudit setup" in line
    findings = load_findings(tmp_path)
    assert findings["tool"]["axe_core"] is None
    static = {(f["rule"], url_path(f["url"])) for f in findings["findings"]}
    assert ("document-language-missing", "/missing-lang/") in static
    assert ("document-title-missing", "/missing-title/") in static
    assert not [rule for rule, _ in static if rule.startswith("axe-")]


@pytest.mark.slow
def test_no_browser_flag_skips_the_stage_silently(tmp_path: Path) -> None:
    with SiteServer(A11Y_ROOT) as server:
        result = run_cli(
            "audit", f"{server.url}/", "--out", tmp_path, "-q", "--no-browser", browser=True
        )
        requested = Counter((r.method, r.target) for r in server.requests)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert requested["GET", "/clean/contact/"] == 1  # the crawl's request only
    assert requested["GET", "/css/site.css"] == 0
    assert load_findings(tmp_path)["tool"]["axe_core"] is None


def test_browser_stage_switched_off_in_config_does_nothing() -> None:
    config = parse_config({"browser": {"enabled": False}})
    outcome = run_browser_stage(None, 1, config.browser)  # type: ignore[arg-type]
    assert outcome.stats == {} and not outcome.interrupted


def test_the_default_level_is_wcag_a_and_aa_with_chosen_extra_rules_and_aaa_is_opt_in() -> None:
    default = axe_run_options(BrowserConfig())
    assert not any("aaa" in tag for tag in default["runOnly"]["values"])
    assert {"region", "landmark-one-main", "empty-table-header", "tabindex"} <= set(
        default["rules"]
    )
    assert default["iframes"] is True
    aaa = axe_run_options(parse_config({"browser": {"aaa": True}}).browser)
    assert {"wcag2aaa", "wcag21aaa", "wcag22aaa"} <= set(aaa["runOnly"]["values"])
    none = axe_run_options(parse_config({"browser": {"extra_rules": []}}).browser)
    assert "rules" not in none


def test_an_extra_rule_axe_core_does_not_have_is_named_in_one_line() -> None:
    require_browser()
    with pytest.raises(BrowserUnavailable) as raised:
        BrowserSettings.from_config(BrowserConfig(extra_rules=("region", "regoin")))
    assert str(raised.value).startswith("browser stage skipped: axe-core 4.")
    assert "has no rule regoin ([browser] extra_rules)" in str(raised.value)


def test_a_missing_chromium_is_named_with_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("audits.stages.browser.CHROMIUM_PATHS", ())
    monkeypatch.setattr("audits.stages.browser.CHROMEDRIVER_PATHS", ())
    monkeypatch.setattr("audits.stages.browser.shutil.which", lambda name: None)
    with pytest.raises(BrowserUnavailable) as raised:
        locate_chromium()
    assert "Chromium and chromedriver not found" in str(raised.value)
    assert "run `siteaudit setup`" in str(raised.value)  # it names the install command


# -- the pool, with fake browsers ---------------------------------------------------------


def test_a_crashed_browser_is_restarted_and_its_page_retried_once() -> None:
    results, browsers, _ = run_pool(["/a", "/b", "/c"], {"/b": ["crash"]})
    assert all(check.error is None and check.nodes for check in results.values())
    assert len(browsers) == 2
    assert all(browser.closed for browser in browsers)


def test_a_page_that_crashes_the_browser_twice_is_an_error_and_the_rest_go_on() -> None:
    results, browsers, log = run_pool(["/a", "/b", "/c"], {"/b": ["crash", "crash"]})
    assert "crashed on it twice" in (results["/b"].error or "")
    assert results["/a"].error is None and results["/c"].error is None
    assert [url for _, url, _ in log].count("/b") == 2
    assert len(browsers) == 3


def test_a_timed_out_page_is_an_error_and_the_next_page_gets_a_fresh_browser() -> None:
    results, browsers, log = run_pool(["/a", "/b", "/c"], {"/b": ["timeout"]})
    assert "did not finish loading" in (results["/b"].error or "")
    assert [url for _, url, _ in log].count("/b") == 1  # not retried: it would time out again
    assert results["/c"].error is None
    assert len(browsers) == 2


def test_browsers_are_recycled_after_the_configured_number_of_pages() -> None:
    urls = [f"/p{i}" for i in range(7)]
    results, browsers, log = run_pool(urls, {}, recycle_after=3)
    assert len(results) == 7
    assert len(browsers) == 3
    assert Counter(browser for browser, _, _ in log).most_common(1)[0][1] == 3


def test_every_page_is_checked_once_by_a_pool_of_browsers() -> None:
    urls = [f"/p{i}" for i in range(40)]
    results, browsers, log = run_pool(urls, {}, workers=4)
    assert sorted(results) == sorted(urls)
    assert len(browsers) == 4
    assert len(log) == 40


def test_when_no_browser_starts_the_pool_says_why() -> None:
    def broken(_: BrowserSettings) -> FakeBrowser:
        raise BrowserUnavailable("Chromium did not start (boom)")

    pool = BrowserPool(fake_settings(workers=2), launcher=broken)
    with pytest.raises(BrowserUnavailable, match="did not start"):
        list(pool.check(["/a", "/b"]))


def test_a_browser_that_fails_to_start_once_is_started_again() -> None:
    """A busy machine can make Chromium miss its start-up timeout once: not a lost stage."""
    starts: list[int] = []
    log: list[tuple[int, str, str]] = []

    def flaky(_: BrowserSettings) -> FakeBrowser:
        starts.append(1)
        if len(starts) == 1:
            raise BrowserUnavailable("Chromium did not start (slow)")
        return FakeBrowser({}, log)

    pool = BrowserPool(fake_settings(), launcher=flaky)
    results = list(pool.check(["/a", "/b"]))
    assert sorted(check.url for check in results) == ["/a", "/b"]
    assert all(check.error is None for check in results)
    assert len(starts) == 2


@pytest.mark.slow
@pytest.mark.browser
def test_the_demo_site_has_only_its_seeded_accessibility_failures(tmp_path: Path) -> None:
    """The demo's three images without alt text and its mobile library's table header
    without cells, and nothing else, fail axe-core; its events page, and nothing else,
    fails our focus and skip-link checks."""
    require_browser()
    expected = json.loads((DEMO_ROOT / "EXPECTED.json").read_text(encoding="utf-8"))
    seeded = {d["page"] for d in expected["defects"] if d["rule"] == "image-missing-alt"}
    with SiteServer(DEMO_ROOT) as server:
        result = run_cli("audit", f"{server.url}/", "--out", tmp_path, "-q", browser=True)
    assert result.returncode == 0, result.stderr
    findings = load_findings(tmp_path)["findings"]
    browser = axe_reported(findings)
    # and axe-core's questions the page answers: the mobile library's table header
    decided = {d["page"]: {d["axe_rule"]} for d in expected["defects"] if "axe_rule" in d}
    assert {page: {f["evidence"]["axe_rule"] for f in fs} for page, fs in browser.items()} == {
        **{page: {"image-alt"} for page in seeded},
        **decided,
    }
    assert by_page(findings, "axe-needs-review") == {}
    assert by_page(findings, "browser-audit-error") == {}
    for rule in OWN_CHECKS:  # the browser stage's own checks
        assert set(by_page(findings, rule)) == {
            d["page"] for d in expected["defects"] if d["rule"] == rule
        }


@pytest.mark.slow
@pytest.mark.browser
def test_one_barrier_found_by_a_static_check_and_axe_core_is_one_finding(
    a11y_audit: dict[str, Any],
) -> None:
    findings = a11y_audit["first"]["findings"]
    on_page = [
        f
        for f in findings
        if url_path(f["url"]) == "/image-without-alt/"
        and not f["pages"]
        and f["category"] == "accessibility"
    ]
    [image] = on_page
    assert image["rule"] == "image-missing-alt"
    assert image["severity"] == "critical"
    assert [s["rule"] for s in image["evidence"]["sources"]] == [
        "image-missing-alt",
        "axe-violation",
    ]
