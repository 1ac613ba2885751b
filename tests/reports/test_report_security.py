"""A real audit of a page titled `<script>alert(1)</script>`: every report page shows the
title as text, and no script of the crawled site ever runs in the report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reports.model import page_file
from tests.kit.browsers import headless_chrome, needs_chromium
from tests.kit.cli import run_cli
from tests.kit.siteserver import SiteServer

pytestmark = pytest.mark.slow

TITLE = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"

HOME = f"""<!DOCTYPE html>
<html lang="en"><head><title>{TITLE}</title></head>
<body><main><h1>Welcome</h1>
<p>Find out about <a href="/missing-page">{TITLE} bins</a>.</p>
<img src="/logo.png">
<a href="/about/">About us</a>
</main></body></html>
"""
ABOUT = f"""<!DOCTYPE html>
<html lang="en"><head><title>About {TITLE}"&gt;</title></head>
<body><main><h1>About</h1><p>We are the council.</p>
<a href="/gone/">{TITLE}</a><img src="/logo.png"></main></body></html>
"""


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    site = tmp_path_factory.mktemp("hostile-title-site")
    (site / "index.html").write_text(HOME, encoding="utf-8")
    (site / "about").mkdir()
    (site / "about" / "index.html").write_text(ABOUT, encoding="utf-8")
    (site / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    out = tmp_path_factory.mktemp("hostile-title-report")
    with SiteServer(site) as server:
        url = f"{server.url}/"
        result = run_cli(
            "audit", url, "--out", out, "--page-workers", "0", "--no-browser", "--quiet",
            "--format", "html,json,csv,sarif,junit",
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return {"out": out, "url": url}


def _pages(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def test_no_report_page_contains_the_script_as_markup(audited: dict[str, Any]) -> None:
    pages = _pages(audited["out"])
    assert len(pages) > 5
    for path in pages:
        text = path.read_text(encoding="utf-8")
        assert TITLE not in text, path
        # the only script element is the report's own
        assert text.count("<script") == text.count("<script>/* siteaudit report"), path
        assert 'http-equiv="Content-Security-Policy"' in text, path


def test_the_title_is_shown_as_text(audited: dict[str, Any]) -> None:
    out, url = audited["out"], audited["url"]
    home = (out / "pages" / page_file(url)).read_text(encoding="utf-8")
    assert f"<title>{ESCAPED} \u2013 website audit of" in home
    assert f"<h1>Problems on “{ESCAPED}”</h1>" in home
    section = (out / "sections" / "home-page.html").read_text(encoding="utf-8")
    assert f">{ESCAPED}</a>" in section
    about = (out / "pages" / page_file(url + "about/")).read_text(encoding="utf-8")
    assert f"About {ESCAPED}&#34;&gt;" in about  # the parser decoded &gt;


@needs_chromium
@pytest.mark.browser
def test_every_report_page_shows_it_as_text_in_a_browser(audited: dict[str, Any]) -> None:
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    out, url = audited["out"], audited["url"]
    with headless_chrome() as driver:
        for path in _pages(out):
            driver.get(path.as_uri())
            with pytest.raises(NoAlertPresentException):
                driver.switch_to.alert  # noqa: B018 - the property raises when no alert is open
            scripts = driver.find_elements(By.CSS_SELECTOR, "script")
            assert all(not s.get_attribute("src") for s in scripts), path
        driver.get((out / "pages" / page_file(url)).as_uri())
        assert driver.title.startswith(TITLE)
        assert TITLE in driver.find_element(By.TAG_NAME, "h1").text
