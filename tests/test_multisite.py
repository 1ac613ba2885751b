"""`siteaudit audit --sites FILE`: every site audited into its own folder, one comparison
index over them, an unreachable site listed without stopping the others, and the exit
code the worst of the sites'."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import threading
from pathlib import Path
from typing import Any

import click
import lxml.html
import pytest
from click.testing import CliRunner

from audits.core.errors import UsageError
from audits.multisite import (
    exit_code_of,
    failure_reason,
    forwarded_options,
    parse_sites,
    site_folder,
)
from audits.store import Store
from reports.comparison import overall_health
from reports.health import CATEGORIES
from tests.kit import REPO
from tests.kit.browsers import axe_violations, headless_chrome, needs_chromium_and_axe
from tests.kit.cli import assert_one_line_error, interrupt_after, run_cli, slow_page, start_cli
from tests.kit.findings import load_findings
from tests.kit.ports import free_port
from tests.kit.processes import kill_and_check_children_go, wait_for
from tests.kit.siteserver import RequestInfo, Response, SiteServer

HOSTILE_TITLE = "<script>alert(1)</script> & Borough"
BOROUGH_HOME = f"""<!DOCTYPE html>
<html lang="en"><head><title>{HOSTILE_TITLE}</title></head>
<body><main><h1>Borough Council</h1><p>Pay your council tax online.</p>
<a href="/about">About the council</a></main></body></html>"""
BOROUGH_ABOUT = """<!DOCTYPE html>
<html lang="en"><head><title>About the council</title></head>
<body><main><h1>About the council</h1><p>We run local services.</p>
<a href="/">Home</a></main></body></html>"""


def borough_site(host: str = "127.0.0.2") -> SiteServer:
    """A two-page site on another loopback address, whose home page title is hostile."""
    routes = {
        "/": lambda request: Response.html(BOROUGH_HOME),
        "/about": lambda request: Response.html(BOROUGH_ABOUT),
    }
    return SiteServer(routes=routes, host=host)


def title_site() -> SiteServer:
    """A one-page site with high and medium findings (no title, no alt text)."""
    return SiteServer(REPO / "tests" / "sites" / "a11y" / "missing-title")


def inline_config(folder: Path) -> Path:
    """A config running the page rules in the crawler's process: for a one-page site,
    starting worker processes costs more than it saves."""
    path = folder / "siteaudit.toml"
    path.write_text("[crawl]\npage_workers = 0\n", encoding="utf-8")
    return path


def closed_url() -> str:
    """The address of a site whose port refuses connections."""
    return f"http://127.0.0.1:{free_port()}/"


# -- the sites file ----------------------------------------------------------------------


def test_sites_file_takes_urls_with_optional_names_and_skips_comments() -> None:
    text = (
        "# every council in the region\n"
        "\n"
        "https://www.Leeds.gov.uk  Leeds City Council\n"
        "   # an indented comment\n"
        "https://www.york.gov.uk/\tCity of   York Council  \n"
        "http://127.0.0.1:8080/council/\n"
    )
    sites = parse_sites(text, "sites.txt")
    assert [(s.url, s.name, s.folder, s.line) for s in sites] == [
        ("https://www.leeds.gov.uk/", "Leeds City Council", "www.leeds.gov.uk", 3),
        ("https://www.york.gov.uk/", "City of York Council", "www.york.gov.uk", 5),
        ("http://127.0.0.1:8080/council/", "", "127.0.0.1-8080-council", 6),
    ]


@pytest.mark.parametrize(
    ("url", "folder"),
    [
        ("https://www.leeds.gov.uk/", "www.leeds.gov.uk"),
        ("http://127.0.0.1:8000/", "127.0.0.1-8000"),
        ("https://example.gov.uk/councils/north/", "example.gov.uk-councils-north"),
        ("https://example.gov.uk/?council=North%20East", "example.gov.uk-council-north-20east"),
        ("http://[::1]:8000/", "1-8000"),
        ("http://index.html/", "index.html-site"),
    ],
)
def test_each_site_gets_a_folder_named_after_its_address(url: str, folder: str) -> None:
    assert site_folder(url) == folder


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("https://a.gov.uk/\nwww.b.gov.uk  B Council\n", "sites.txt, line 2: 'www.b.gov.uk'"),
        ("https://a.gov.uk/\n\nftp://b.gov.uk/\n", "sites.txt, line 3: 'ftp://b.gov.uk/'"),
        ("https://a.gov.uk,A Council\n", "line 1: 'https://a.gov.uk,A' is not a web address"),
        (
            "https://a.gov.uk/ A\nhttp://A.gov.uk A again\n",
            "line 2: http://A.gov.uk is the same site as line 1 (both would be audited into "
            "a.gov.uk/)",
        ),
        ("# nothing yet\n\n", "sites.txt lists no sites"),
    ],
)
def test_a_bad_sites_file_names_the_line(text: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_sites(text, "sites.txt")
    assert message in str(caught.value)


def test_typed_options_reach_each_site_and_environment_values_stay_off_its_command_line() -> None:
    @click.command()
    @click.option("--password", envvar="SITEAUDIT_TEST_SECRET")
    @click.option("--max-pages", type=int)
    @click.option("--delay", type=float, default=0.5)
    @click.option("--quiet", is_flag=True)
    @click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]))
    @click.option("--out")
    def command(**options: Any) -> None:
        click.echo(json.dumps(forwarded_options(click.get_current_context(), {"out"})))

    argv = ["--max-pages", "5", "--quiet", "--as-of", "2025-03-01", "--out", "region"]
    result = CliRunner(env={"SITEAUDIT_TEST_SECRET": "hunter2"}).invoke(command, argv)
    assert json.loads(result.output) == ["--max-pages", "5", "--quiet", "--as-of", "2025-03-01"]


@pytest.mark.parametrize(
    ("codes", "interrupted", "expected"),
    [
        ([0, 0], False, 0),
        ([0, 1, 0], False, 1),
        ([1, 3, 0], False, 3),
        ([3, 4, 1], False, 4),
        ([0, None], False, 0),
        ([0, 1, None], True, 130),
    ],
)
def test_the_exit_code_is_the_worst_of_the_sites(
    codes: list[int | None], interrupted: bool, expected: int
) -> None:
    assert exit_code_of(codes, interrupted=interrupted) == expected


def test_the_reason_is_the_last_error_line_not_a_warning() -> None:
    lines = [
        "siteaudit: error: config file x.toml does not exist",
        "Audited 3 pages",
        "siteaudit: warning: the webhook did not answer",
    ]
    assert failure_reason(lines) == "config file x.toml does not exist"
    assert "see its log" in failure_reason(["Traceback (most recent call last):"])


def test_overall_health_is_the_mean_of_the_categories_rounded_down() -> None:
    assert overall_health(dict.fromkeys(CATEGORIES, 100)) == 100
    assert overall_health({**dict.fromkeys(CATEGORIES, 100), "links": 0, "contact": 99}) == 85


# -- the command -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sites", "{missing}"], "cannot read sites file"),
        (["--sites", "{bad}"], "line 2: 'not-a-url'"),
        (["https://a.gov.uk/", "--sites", "{bad}"], "either a URL or --sites FILE, not both"),
        ([], "give the URL of the site to audit, or --sites FILE"),
        (["--sites", "{good}", "--baseline", "b.json"], "--baseline belongs to one site's"),
        (["--sites", "{good}", "--config", "{store_config}"], "[store] path names one file"),
    ],
)
@pytest.mark.slow
def test_usage_errors_are_one_line_and_exit_2(
    tmp_path: Path, args: list[str], message: str
) -> None:
    files = {
        "missing": tmp_path / "missing.txt",
        "bad": tmp_path / "bad.txt",
        "good": tmp_path / "good.txt",
        "store_config": tmp_path / "siteaudit.toml",
    }
    files["bad"].write_text("# sites\nnot-a-url Council\n", encoding="utf-8")
    files["good"].write_text("https://a.gov.uk/\n", encoding="utf-8")
    files["store_config"].write_text('[store]\npath = "one.db"\n', encoding="utf-8")
    argv = [a.format(**{k: str(v) for k, v in files.items()}) for a in args]
    line = assert_one_line_error(run_cli("audit", *argv, "--out", tmp_path / "out"), 2)
    assert message in line
    assert not (tmp_path / "out" / "index.html").exists()


@pytest.mark.slow
def test_an_out_folder_holding_one_sites_report_is_refused(tmp_path: Path) -> None:
    (tmp_path / "audit.db").write_bytes(b"")
    sites = tmp_path / "sites.txt"
    sites.write_text("https://a.gov.uk/\n", encoding="utf-8")
    line = assert_one_line_error(run_cli("audit", "--sites", sites, "--out", tmp_path), 2)
    assert "holds a single site's report" in line


@dataclasses.dataclass
class MultiRun:
    """A finished `audit --sites` run and what it was given."""

    out: Path
    result: subprocess.CompletedProcess[str]
    urls: dict[str, str]
    """title, borough, gone -> start URL"""

    def comparison(self) -> dict[str, Any]:
        return json.loads((self.out / "comparison.json").read_text(encoding="utf-8"))

    def row(self, key: str) -> dict[str, Any]:
        return next(s for s in self.comparison()["sites"] if s["url"] == self.urls[key])


@pytest.fixture(scope="module")
def multi(tmp_path_factory: pytest.TempPathFactory) -> MultiRun:
    """Two sites on different loopback addresses and one that is down, audited one after
    another with a gate and extra formats."""
    root = tmp_path_factory.mktemp("multisite")
    with title_site() as first, borough_site() as second:
        urls = {"title": f"{first.url}/", "borough": f"{second.url}/", "gone": closed_url()}
        sites = root / "sites.txt"
        sites.write_text(
            "# a county and its districts\n"
            f"{urls['title']}   Missing Title Council\n"
            f"{urls['gone']}  Gone District Council\n"
            "\n"
            f"{urls['borough']}\n",
            encoding="utf-8",
        )
        out = root / "out"
        result = run_cli(
            "audit",
            "--sites",
            sites,
            "--out",
            out,
            "--fail-on",
            "high",
            "--format",
            "html,json,csv",
            "--config",
            inline_config(root),
            timeout=120,
        )
    return MultiRun(out, result, urls)


@pytest.mark.slow
def test_every_site_is_audited_into_its_own_folder(multi: MultiRun) -> None:
    for key in ("title", "borough"):
        folder = multi.out / multi.row(key)["folder"]
        for name in ("index.html", "findings.json", "findings.csv", "audit.db", "siteaudit.log"):
            assert (folder / name).is_file(), (key, name)
        assert load_findings(folder)["run"]["start_url"] == multi.urls[key]


@pytest.mark.slow
def test_the_comparison_has_a_row_per_site_in_file_order(multi: MultiRun) -> None:
    data = multi.comparison()
    assert [s["url"] for s in data["sites"]] == [
        multi.urls["title"],
        multi.urls["gone"],
        multi.urls["borough"],
    ]
    assert data["finished"] is True
    page = lxml.html.parse(str(multi.out / "index.html")).getroot()
    rows = page.cssselect("#sites-table tbody tr")
    assert [r.get("data-state") for r in rows] == [s["state"] for s in data["sites"]]
    csv_lines = (multi.out / "comparison.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(csv_lines) == 4 and csv_lines[0].startswith("name,url,state,reason,pages")


@pytest.mark.slow
def test_scores_and_counts_are_each_sites_own(multi: MultiRun) -> None:
    page = lxml.html.parse(str(multi.out / "index.html")).getroot()
    headers = [th.text_content().strip() for th in page.cssselect("#sites-table thead th")]
    for key in ("title", "borough"):
        row = multi.row(key)
        folder = multi.out / row["folder"]
        findings = load_findings(folder)
        assert row["run"]["id"] == findings["run"]["id"]
        assert row["pages"] == findings["run"]["pages"]
        assert row["findings"] == findings["summary"]["findings"]
        assert row["by_severity"] == findings["summary"]["by_severity"]
        # The health cards of the site's own overview, by category label.
        overview = lxml.html.parse(str(folder / "index.html")).getroot()
        cards = {
            card.cssselect("h3")[0].text_content(): _score(card.cssselect(".score")[0].text)
            for card in overview.cssselect("#health .card")
        }
        assert cards["Accessibility"] is None  # --no-browser: not checked, on both pages
        table_row = next(
            r
            for r in page.cssselect("#sites-table tbody tr")
            if row["url"] in r.cssselect("th")[0].text_content()
        )
        cells = [c.text_content().strip() for c in table_row.cssselect("th, td")]
        shown = dict(zip(headers, cells, strict=True))
        assert {label: _score(shown[label]) for label in cards} == cards
        assert list(cards.values()) == [row["health"][c] for c in CATEGORIES]
        assert row["health"]["overall"] == overall_health(row["health"])
        assert int(shown["Overall health"]) == row["health"]["overall"]
        assert shown["Pages"] == str(row["pages"])
        assert table_row.cssselect("th a")[0].get("href") == f"{row['folder']}/index.html"


def _score(text: str | None) -> int | None:
    """A health score as a report shows it: a number, or "not checked"."""
    return None if (text or "").strip().lower() == "not checked" else int(text or "")


@pytest.mark.slow
def test_an_unreachable_site_is_listed_and_does_not_stop_the_others(multi: MultiRun) -> None:
    gone = multi.row("gone")
    assert gone["state"] == "not-audited" and gone["exit_code"] == 3
    assert "the server refused the connection" in gone["reason"]
    assert gone["report"] is None and gone["health"] is None
    assert gone["name"] == "Gone District Council"
    page = (multi.out / "index.html").read_text(encoding="utf-8")
    assert "Could not be audited: could not crawl" in page
    assert multi.row("borough")["state"] in ("audited", "failed-gate")


@pytest.mark.slow
def test_the_gate_applies_to_each_site_and_the_run_exits_with_the_worst(multi: MultiRun) -> None:
    for key in ("title", "borough"):
        row = multi.row(key)
        serious = row["by_severity"]["critical"] + row["by_severity"]["high"]
        assert row["exit_code"] == (1 if serious else 0), row
        assert row["state"] == ("failed-gate" if serious else "audited")
    assert multi.row("title")["exit_code"] == 1  # it has high findings
    codes = [s["exit_code"] for s in multi.comparison()["sites"]]
    assert multi.result.returncode == max(codes) == 3, multi.result.stderr
    # The unreachable site's error is the one line on stderr; nothing else is.
    errors = [line for line in multi.result.stderr.splitlines() if line.strip()]
    assert errors == [f"siteaudit: {multi.row('gone')['reason']}"]


@pytest.mark.slow
def test_crawled_titles_and_given_names_are_escaped(multi: MultiRun) -> None:
    assert multi.row("borough")["name"] == HOSTILE_TITLE  # no name given: the home page's title
    html = (multi.out / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Borough" in html
    assert "Missing Title Council" in html


@pytest.mark.slow
def test_parallel_runs_again_give_each_site_its_trend(tmp_path: Path) -> None:
    sites = tmp_path / "sites.txt"
    out = tmp_path / "out"
    with title_site() as first, borough_site() as second:
        sites.write_text(f"{first.url}/ First\n{second.url}/ Second\n", encoding="utf-8")
        config = inline_config(tmp_path)
        args = ("audit", "--sites", sites, "--out", out, "--parallel", "2", "--config", config)
        runs = [run_cli(*args, timeout=120) for _ in range(2)]
    assert [r.returncode for r in runs] == [0, 0], runs[-1].stderr
    data = json.loads((out / "comparison.json").read_text(encoding="utf-8"))
    assert [s["state"] for s in data["sites"]] == ["audited", "audited"]
    for site in data["sites"]:
        assert site["run"]["id"] == 2
        store = Store(str(out / site["folder"] / "audit.db"))
        try:
            assert [r.status for r in store.runs()] == ["finished", "finished"]
        finally:
            store.close()
    # Parallel audits' output goes to each site's log, with a line here per site.
    assert runs[-1].stdout.count(": audited (") == 2


@pytest.mark.slow
def test_ctrl_c_stops_the_run_and_keeps_what_was_audited(tmp_path: Path) -> None:
    sites = tmp_path / "sites.txt"
    out = tmp_path / "out"
    with SiteServer(routes={"/*": slow_page}) as slow, title_site() as later:
        sites.write_text(f"{slow.url}/ Slow\n{later.url}/ Later\n", encoding="utf-8")
        proc = start_cli("audit", "--sites", sites, "--out", out, "--no-browser", capture=True)
        _, stderr = interrupt_after(proc, slow, 5)
        assert not later.requests  # the next site never started
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    data = json.loads((out / "comparison.json").read_text(encoding="utf-8"))
    assert [s["state"] for s in data["sites"]] == ["interrupted", "waiting"]
    assert data["sites"][0]["run"]["status"] == "interrupted"
    assert data["sites"][0]["pages"] >= 1


@pytest.mark.slow
def test_a_killed_run_takes_its_site_audits_with_it(tmp_path: Path) -> None:
    release = threading.Event()

    def held(request: RequestInfo) -> Response:
        release.wait(120)
        return Response.html("<html><body><main>Held</main></body></html>")

    sites = tmp_path / "sites.txt"
    config = tmp_path / "siteaudit.toml"
    config.write_text("[crawl]\ntimeout = 120\n")  # an orphaned audit would wait on /
    with SiteServer(routes={"/": held}) as site:
        sites.write_text(f"{site.url}/ Held\n", encoding="utf-8")
        options = ["--out", tmp_path / "out", "--no-browser", "--config", config]
        proc = start_cli("audit", "--sites", sites, *options)
        try:
            wait_for(lambda: bool(site.requests), 60, "the site's audit never started")
            kill_and_check_children_go(proc, 1)  # the site's audit
        finally:
            release.set()
            proc.kill()


@needs_chromium_and_axe
@pytest.mark.slow
@pytest.mark.browser
def test_the_index_passes_axe_and_sorts_by_keyboard(multi: MultiRun) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    with headless_chrome() as driver:
        url = (multi.out / "index.html").as_uri()
        violations = axe_violations(driver, url)
        assert violations == [], [(v["id"], v["help"]) for v in violations]
        driver.get(url)
        button = driver.find_element(By.CSS_SELECTOR, "#sites-table thead th:nth-child(3) button")
        button.send_keys(Keys.ENTER)
        th = driver.find_element(By.CSS_SELECTOR, "#sites-table thead th:nth-child(3)")
        assert th.get_attribute("aria-sort") == "ascending"
        states = [
            r.get_attribute("data-state")
            for r in driver.find_elements(By.CSS_SELECTOR, "#sites-table tbody tr")
        ]
        assert states[0] == "not-audited"  # no score sorts below every score
        overall = [
            int(r.find_element(By.CSS_SELECTOR, "td:nth-child(3)").text)
            for r in driver.find_elements(By.CSS_SELECTOR, "#sites-table tbody tr")[1:]
        ]
        assert overall == sorted(overall)


@needs_chromium_and_axe
@pytest.mark.slow
@pytest.mark.browser
def test_the_index_works_without_javascript(multi: MultiRun) -> None:
    from selenium.webdriver.common.by import By

    with headless_chrome(javascript=False) as driver:
        driver.get((multi.out / "index.html").as_uri())
        rows = driver.find_elements(By.CSS_SELECTOR, "#sites-table tbody tr")
        assert len(rows) == 3 and all(r.is_displayed() for r in rows)
        assert not driver.find_elements(By.CSS_SELECTOR, "#sites-table button")
