"""The report is itself accessible: every page type passes axe-core (WCAG 2.x A and AA) in
headless Chromium, the filters and sorting work from the keyboard, the pages work without
JavaScript, and the print stylesheet applies."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest

from reports import html as report_html
from reports.model import page_file
from tests.kit.browsers import axe_violations, headless_chrome, needs_chromium_and_axe
from tests.kit.synthetic_runs import RULES, START, add_run, finding_row, write_reports

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)

pytestmark = [pytest.mark.slow, pytest.mark.browser, needs_chromium_and_axe]

BINS = [START + f"bins/{i}" for i in range(7)]
SHOT = "screenshots/axe-contrast-0123456789abcdef.png"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A report with every page type: several runs, every category, shared problems, a
    screenshot, pagination, a hostile title and an error."""
    from audits.store import Store

    root = tmp_path_factory.mktemp("accessible")
    store = Store(str(root / "audit.db"))
    pages = [START, START + "contact", START + "forms/apply", *BINS]
    add_run(store, [finding_row(url=START + "contact", fingerprint="fixed-one")], pages=pages)
    run_id = add_run(
        store,
        [
            *(
                finding_row(url=u, fingerprint=f"b{i}", target=f"https://gone.example/{i}")
                for i, u in enumerate(BINS)
            ),
            finding_row(
                "demo-reading-age",
                BINS[0],
                category="readability",
                severity="medium",
                message="<script>alert(1)</script> has a reading age of 16.",
                fingerprint="reading",
            ),
            finding_row(
                "axe-contrast",
                START,
                category="accessibility",
                severity="critical",
                message="Text does not stand out from its background.",
                pages=pages,
                evidence={"screenshot": SHOT, "impact": "serious"},
                fingerprint="template",
            ),
            finding_row(
                "form-too-deep",
                START + "forms/apply",
                category="forms",
                severity="high",
                message="This form is 5 clicks from the home page.",
                fingerprint="form",
            ),
            finding_row(
                "top-task-too-deep",
                START + "forms/apply",
                category="forms",
                severity="info",
                message='Top task "Apply <b>now</b>": 1 click from the home page',
                evidence={
                    "task": "Apply <b>now</b>",
                    "passed": True,
                    "clicks": 1,
                    "max_clicks": 2,
                    "path": [
                        {"url": START, "title": "Home"},
                        {"url": START + "forms/apply", "title": "Apply"},
                    ],
                    "target": START + "forms/apply",
                },
                fingerprint="task",
            ),
            finding_row(
                "phone-first",
                START + "contact",
                category="contact",
                severity="low",
                message="A phone number comes before the online form.",
                fingerprint="phone",
            ),
        ],
        pages=pages,
    )
    store.add_rule_error(run_id, "demo-reading-age", START, "ValueError: boom")
    out = root / "report"
    (out / "screenshots").mkdir(parents=True)
    (out / "screenshots" / SHOT.split("/")[1]).write_bytes(PNG)
    original = report_html.PAGE_SIZE
    report_html.PAGE_SIZE = 3  # so that lists are split over several files
    try:
        write_reports(store, run_id, out, RULES)
    finally:
        report_html.PAGE_SIZE = original
        store.close()
    return out


PAGE_TYPES = [
    "index.html",
    "rules/demo-broken-link.html",
    "rules/demo-broken-link-2.html",
    "rules/axe-contrast.html",
    "sections/bins.html",
    "sections/bins-2.html",
    "sections/home-page.html",
    "views/forms.html",
    "views/contact.html",
    "views/templates.html",
    "views/accessibility-templates.html",
    "views/new.html",
    "views/fixed.html",
    "views/services.html",
    "views/wcag.html",
    f"pages/{page_file(BINS[0])}",
    f"pages/{page_file(START)}",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with headless_chrome() as driver:
        yield driver


def test_every_page_type_exists(report: Path) -> None:
    for name in PAGE_TYPES:
        assert (report / name).is_file(), name


@pytest.mark.parametrize("name", PAGE_TYPES)
def test_axe_finds_no_violations(browser, report: Path, name: str) -> None:
    violations = axe_violations(browser, (report / name).as_uri())
    summary = [
        (v["id"], v["help"], [n.get("target") for n in v.get("nodes", [])][:3]) for v in violations
    ]
    assert violations == [], summary


def test_the_screenshot_and_stylesheet_load_from_file(browser, report: Path) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get((report / "views" / "accessibility-templates.html").as_uri())
    browser.execute_script("document.querySelector('.shot img').scrollIntoView()")
    # loading="lazy": the image arrives once it is in view
    width = WebDriverWait(browser, 20).until(
        lambda d: d.execute_script(
            "var i = document.querySelector('.shot img'); return i.complete && i.naturalWidth;"
        )
    )
    assert width == 1
    colour = browser.execute_script(
        "return getComputedStyle(document.querySelector('.badge.p1')).backgroundColor"
    )
    assert colour == "rgb(142, 27, 27)"  # report.css applied under the page's CSP


def test_filters_and_sorting_work_by_keyboard(browser, report: Path) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    # The first file of "New": the template problem and two broken links.
    browser.get((report / "views" / "new.html").as_uri())
    rows = browser.find_elements(By.CSS_SELECTOR, "#problems tbody tr")
    assert [r.get_attribute("data-category") for r in rows] == ["accessibility", "links", "links"]
    form = browser.find_element(By.CSS_SELECTOR, "form.filters")
    assert form.is_displayed()

    def tab_to(element_id: str) -> None:
        for _ in range(80):
            ActionChains(browser).send_keys(Keys.TAB).perform()
            if browser.execute_script("return document.activeElement.id") == element_id:
                return
        raise AssertionError(f"could not reach #{element_id} with the Tab key")

    def shown() -> int:
        return sum(1 for r in rows if r.is_displayed())

    tab_to("problems-q")
    ActionChains(browser).send_keys("gone.example/1").perform()
    assert shown() == 1
    status = browser.find_element(By.ID, "problems-shown").text
    assert status == "1 of 3 shown on this page of the list"
    ActionChains(browser).key_down(Keys.CONTROL).send_keys("a").key_up(Keys.CONTROL).send_keys(
        Keys.BACK_SPACE
    ).perform()
    assert shown() == 3

    tab_to("problems-category")
    ActionChains(browser).send_keys(Keys.ARROW_DOWN).perform()  # "Links"
    assert browser.execute_script("return document.activeElement.value") == "links"
    assert shown() == 2

    # sort by a column header button, from the keyboard
    ActionChains(browser).send_keys(Keys.ARROW_UP).perform()  # back to all categories
    tab_to("problems-q")
    header = browser.find_element(By.CSS_SELECTOR, "#problems thead th:nth-child(4) button.sort")
    for _ in range(80):
        ActionChains(browser).send_keys(Keys.TAB).perform()
        if browser.switch_to.active_element == header:
            break
    else:
        raise AssertionError("could not reach the Page column's sort button")
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    th = browser.find_element(By.CSS_SELECTOR, "#problems thead th:nth-child(4)")
    assert th.get_attribute("aria-sort") == "ascending"
    pages = [
        r.find_element(By.CSS_SELECTOR, "td.url").text
        for r in browser.find_elements(By.CSS_SELECTOR, "#problems tbody tr")
    ]
    assert pages == sorted(pages)
    assert "Sorted by page, ascending" in browser.find_element(
        By.ID, "problems-sorted"
    ).get_attribute("textContent")


def test_print_stylesheet_hides_navigation(browser, report: Path) -> None:
    browser.get((report / "index.html").as_uri())
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        display = browser.execute_script(
            "return getComputedStyle(document.querySelector('header nav')).display"
        )
        assert display == "none"
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def test_the_service_scorecard_prints_as_one_table(browser, report: Path) -> None:
    browser.get((report / "views" / "services.html").as_uri())
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        styles = browser.execute_script(
            "var s = function (q, p) { return getComputedStyle(document.querySelector(q))[p]; };"
            "return [s('header nav', 'display'), s('.screen-only', 'display'),"
            " s('.print-only', 'display'), s('table.scorecard tbody tr', 'breakInside')];"
        )
        visible_tables = browser.execute_script(
            "return Array.prototype.filter.call(document.querySelectorAll('main table'),"
            " function (t) { return t.offsetParent !== null; }).length"
        )
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert styles == ["none", "none", "block", "avoid"]
    assert visible_tables == 1


def test_works_without_javascript(report: Path) -> None:
    from selenium.webdriver.common.by import By

    with headless_chrome(javascript=False) as driver:
        driver.get((report / "sections" / "bins.html").as_uri())
        assert not driver.find_element(By.CSS_SELECTOR, "form.filters").is_displayed()
        rows = driver.find_elements(By.CSS_SELECTOR, "#problems tbody tr")
        assert len(rows) == 3 and all(r.is_displayed() for r in rows)
        # the rest of the list is one link away
        driver.find_element(By.CSS_SELECTOR, "a[rel=next]").click()
        assert driver.current_url.endswith("sections/bins-2.html")
