"""An audit of a site it has never seen, full of traps, finishes and stays in bounds."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from reports.findings_json import validate_findings
from tests.kit.cli import run_cli
from tests.kit.findings import load_findings
from tests.kit.hostile_site import (
    BIG_PAGE,
    BINARY_AS_HTML,
    CALENDAR_PATH,
    DISALLOWED_PREFIX,
    MALFORMED_ONLY_LINK,
    OFFSITE_LANDING,
    OFFSITE_LINKED,
    OFFSITE_REDIRECT,
    WINDOWS_1252_PAGE,
    hostile_site,
)

pytestmark = pytest.mark.slow

VARIANT_CAP = 10


@pytest.fixture(scope="module")
def hostile_audit(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("hostile")
    config = out / "siteaudit.toml"
    config.write_text(f"[crawl]\nmax_url_variants = {VARIANT_CAP}\ntimeout = 10\n")
    with hostile_site() as server:
        result = run_cli("audit", f"{server.url}/", "--out", out, "--config", config)
        requested = [r.target for r in server.requests]
        offsite = [r.target for r in server.offsite.requests]
    assert result.returncode == 0, result.stderr
    db = sqlite3.connect(out / "audit.db")
    pages = {
        url.split("/", 3)[-1]: (status, is_html, error, title)
        for url, status, is_html, error, title in db.execute(
            "SELECT u.url, p.status, p.is_html, p.error, p.title FROM pages p "
            "JOIN urls u ON u.id = p.url_id"
        )
    }
    return {
        "out": out,
        "requested": requested,
        "offsite": offsite,
        "pages": pages,
        "findings": load_findings(out),
    }


def test_writes_schema_valid_findings_and_a_report(hostile_audit: dict[str, Any]) -> None:
    validate_findings(hostile_audit["findings"])
    assert (hostile_audit["out"] / "index.html").stat().st_size > 0


def test_requests_nothing_robots_txt_forbids(hostile_audit: dict[str, Any]) -> None:
    assert not [t for t in hostile_audit["requested"] if t.startswith(DISALLOWED_PREFIX)]


def test_stops_the_endless_calendar_and_reports_it(hostile_audit: dict[str, Any]) -> None:
    months = [t for t in hostile_audit["requested"] if t.startswith(CALENDAR_PATH + "?")]
    assert 0 < len(months) <= VARIANT_CAP
    traps = [f for f in hostile_audit["findings"]["findings"] if f["rule"] == "crawl-trap"]
    assert len(traps) == 1
    assert CALENDAR_PATH in traps[0]["target"]


def test_crawls_nothing_off_site(hostile_audit: dict[str, Any]) -> None:
    offsite = hostile_audit["offsite"]
    assert any(t.startswith(OFFSITE_LANDING) for t in offsite), "redirect target not checked"
    assert not [t for t in offsite if t.startswith(OFFSITE_LINKED)]
    status, is_html, _error, _title = hostile_audit["pages"][OFFSITE_REDIRECT.lstrip("/")]
    assert status == 200 and not is_html


def test_big_malformed_and_misencoded_pages_are_audited(hostile_audit: dict[str, Any]) -> None:
    pages = hostile_audit["pages"]
    assert pages[BIG_PAGE.lstrip("/")][1] == 1
    assert MALFORMED_ONLY_LINK.lstrip("/") in pages
    _status, is_html, _error, title = pages[WINDOWS_1252_PAGE.lstrip("/")]
    assert is_html and "\ufffd" not in title


def test_binary_served_as_html_is_recorded_not_parsed(hostile_audit: dict[str, Any]) -> None:
    status, is_html, error, _title = hostile_audit["pages"][BINARY_AS_HTML.lstrip("/")]
    assert status == 200 and not is_html
    assert error == "binary content served as text/html"
