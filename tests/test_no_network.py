"""No network: an audit from a machine that reaches no other website says so once and
fails nothing for it.

Host names under `.invalid` (RFC 6761) resolve nowhere, on any machine, so links to
several of them are what every external link looks like without DNS or internet. A
partner site on 127.0.0.2 answering shows the other case: the network works, and a
website that does not resolve is broken.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rules.analyses.link_verdicts import Verdict, offline_targets, site_verdict
from rules.site import PRIVATE_ADDRESS, TargetStatus
from tests.kit.cli import run_cli
from tests.kit.findings import load_findings
from tests.kit.memory_site import HOME, MemorySite, info
from tests.kit.pages import html_page
from tests.kit.siteserver import SiteServer

DEAD_HOSTS = (
    "http://library-partner.invalid/",
    "https://www.bus-times.invalid/timetables",
    "https://forms.council-platform.invalid/apply-for-a-permit",
)
CONFIG = "[crawl]\ntimeout = 2\nuse_sitemaps = false\n"


def external(url: str, status: int | None = None, error: str | None = None) -> TargetStatus:
    return TargetStatus(url, status, error, url, internal=False)


DNS = "host name does not resolve"
CASES = {
    "every website fails to resolve": (
        [external("https://a.example/", error=DNS), external("https://b.example/x", error=DNS)],
        {"https://a.example/", "https://b.example/x"},
    ),
    "timeouts and refusals too": (
        [
            external("https://a.example/", error="no answer within 15 s"),
            external("https://b.example/", error="the server refused the connection"),
        ],
        {"https://a.example/", "https://b.example/"},
    ),
    "one website answered": (
        [external("https://a.example/", error=DNS), external("https://b.example/", 200)],
        set(),
    ),
    "one dead website is just dead": (
        [external("https://a.example/", error=DNS), external("https://a.example/y", error=DNS)],
        set(),
    ),
    "a TLS failure means a host was reached": (
        [
            external("https://a.example/", error=DNS),
            external("https://b.example/", error="secure connection (TLS) failed"),
        ],
        set(),
    ),
    "targets never requested say nothing": (
        [
            external("https://a.example/", error=DNS),
            external("https://b.example/", error=DNS),
            external("http://10.0.0.1/", error=PRIVATE_ADDRESS),
        ],
        {"https://a.example/", "https://b.example/"},
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_no_network_is_known_only_when_every_website_out_there_failed_to_connect(
    case: str,
) -> None:
    statuses, offline = CASES[case]
    site = MemorySite(pages=[info(HOME)], external=statuses)
    assert offline_targets(site) == offline
    for status in statuses:
        expected = Verdict.NO_NETWORK if status.url in offline else None
        if expected:
            assert site_verdict(site, status) is expected


def home_linking(*hrefs: str) -> Any:
    body = "".join(f'<p><a href="{h}">Visit {h.rsplit("/", 1)[-1] or h}</a></p>' for h in hrefs)
    body += f'<p><a href="{DEAD_HOSTS[2]}">Apply online</a></p>'
    return lambda request: html_page("Home", body)


@pytest.mark.slow
def test_a_machine_without_network_fails_no_release_and_says_so_once(tmp_path: Path) -> None:
    config = tmp_path / "siteaudit.toml"
    config.write_text(CONFIG)
    with SiteServer(routes={"/": home_linking(*DEAD_HOSTS[:2])}) as site:
        result = run_cli("check", f"{site.url}/", "--config", config, "--out", tmp_path, "-q")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Gate passed" in result.stdout
    assert result.stdout.count("External links could not be checked: no network") == 1
    data = load_findings(tmp_path)
    rules = {f["rule"] for f in data["findings"]}
    assert not rules & {"broken-link", "form-page-broken", "link-not-verified"}
    notes = [n for n in data["run"]["notes"] if "no network from this machine" in n]
    assert len(notes) == 1
    assert "3 addresses were not verified" in notes[0]


@pytest.mark.slow
def test_with_a_working_network_a_website_that_resolves_nowhere_is_broken(
    tmp_path: Path,
) -> None:
    config = tmp_path / "siteaudit.toml"
    config.write_text(CONFIG)
    partner_routes = {"/": lambda r: html_page("Partner")}
    with SiteServer(routes=partner_routes, host="127.0.0.2") as partner:
        routes = {"/": home_linking(*DEAD_HOSTS[:2], f"{partner.url}/")}
        with SiteServer(routes=routes) as site:
            result = run_cli("audit", f"{site.url}/", "--config", config, "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    data = load_findings(tmp_path)
    broken = {f["target"] for f in data["findings"] if f["rule"] == "broken-link"}
    assert broken == set(DEAD_HOSTS)
    assert {f["target"] for f in data["findings"] if f["rule"] == "form-page-broken"} == {
        DEAD_HOSTS[2]
    }
    assert not [n for n in data["run"]["notes"] if "no network" in n]
