"""Real headless Chromium for tests: the audit's browser stage, and a driver of our own.

`require_browser` is for tests of the browser stage (a missing browser is a failure unless
SITEAUDIT_SKIP_BROWSER=1); `headless_chrome` and `axe_violations` check our own reports'
pages with axe-core, skipped (`needs_chromium`, `needs_chromium_and_axe`) where Chromium is not installed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from audits.core.config import BrowserConfig
from audits.stages.browser import BrowserSettings, BrowserUnavailable
from tests.kit import REPO

AXE = REPO / "vendor" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/lib/chromium/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

needs_chromium = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()), reason="needs Chromium and chromedriver"
)
needs_chromium_and_axe = pytest.mark.skipif(
    not (AXE.is_file() and CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="needs Chromium, chromedriver and axe-core (make setup)",
)


def require_browser() -> None:
    """Skip only when asked to; otherwise a missing browser or axe-core is a failure."""
    if os.environ.get("SITEAUDIT_SKIP_BROWSER") == "1":
        pytest.skip("SITEAUDIT_SKIP_BROWSER=1")
    try:
        BrowserSettings.from_config(BrowserConfig())
    except BrowserUnavailable as exc:
        pytest.fail(f"{exc} (or set SITEAUDIT_SKIP_BROWSER=1 to skip the browser tests)")


@contextmanager
def headless_chrome(javascript: bool = True) -> Iterator[Any]:
    """A Selenium driver of a headless Chromium that reaches nothing on the network; quit,
    and its profile removed, on leaving."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    from audits.stages.browser import CHROMIUM_FLAGS

    options = webdriver.ChromeOptions()
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    if not javascript:
        options.add_argument("--blink-settings=scriptEnabled=false")
    profile = tempfile.mkdtemp(prefix="siteaudit-report-chrome-")
    options.add_argument(f"--user-data-dir={profile}")
    options.binary_location = str(CHROMIUM)
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        driver.set_script_timeout(60)
        driver.set_page_load_timeout(60)
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def axe_violations(driver: Any, url: str) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.x A and AA violations on the page at `url`."""
    driver.get(url)
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    return driver.execute_async_script(  # type: ignore[no-any-return]
        "var done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})"
        ".then(function (r) { done(r.violations); }, function (e) { done([{id: 'axe-error', help: String(e), nodes: []}]); });",
        WCAG_TAGS,
    )
