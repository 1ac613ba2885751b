"""Links no browser can follow, and pages in unusual encodings, on a real site.

One audit runs over a site whose home page mixes good links with a port out of range,
port 0, a URL with an empty host and a Windows share path; a partner site on 127.0.0.2
shows where browsers really send the empty host, and that the share path, which a browser
would send there too, is reported as a file on a shared drive instead of requested. Each
test checks one behaviour.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from tests.kit.cli import run_cli
from tests.kit.findings import load_findings
from tests.kit.siteserver import Response, Route, SiteServer

pytestmark = pytest.mark.slow


def html(title: str, hrefs: tuple[str, ...] = ()) -> str:
    links = "".join(f'<p><a href="{href}">{title} link {n}</a></p>' for n, href in enumerate(hrefs))
    return (
        f"<html lang='en'><head><title>{title}</title></head><body><main><h1>{title}</h1>"
        f"{links}</main></body></html>"
    )


def page(title: str, *hrefs: str) -> Route:
    return lambda request: Response.html(html(title, hrefs))


def encoded(text: str, bom: bytes, codec: str) -> Route:
    """A page sent as `codec` with a byte order mark and no charset in its headers."""
    body = bom + text.encode(codec)
    return lambda request: Response(body=body, headers={"Content-Type": "text/html"})


@pytest.fixture(scope="module")
def audit(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The findings, the store and the requests each server saw."""
    out = tmp_path_factory.mktemp("malformed")
    with SiteServer(routes={"/*": page("Partner page")}, host="127.0.0.2") as partner:
        elsewhere = partner.url.removeprefix("http://")
        home = page(
            "Home",
            "/good-1",
            "http://host:99999/",
            "/good-2",
            "http://127.0.0.1:0/",
            f"http:///{elsewhere}/empty-host",
            f"\\\\{elsewhere}\\share",
            "/utf-16-le",
            "/utf-16-be",
            "/utf-8-bom",
        )
        routes = {
            "/": home,
            "/good-1": page("Good one"),
            "/good-2": page("Good two"),
            "/utf-16-le": encoded(html("Little end", ("/from-le",)), b"\xff\xfe", "utf-16-le"),
            "/utf-16-be": encoded(html("Big end", ("/from-be",)), b"\xfe\xff", "utf-16-be"),
            "/utf-8-bom": encoded(html("Marked", ("/from-utf-8",)), b"\xef\xbb\xbf", "utf-8"),
            "/*": page("Other"),
        }
        with SiteServer(routes=routes) as site:
            origin = site.url
            result = run_cli("audit", f"{origin}/", "--out", out, "-q")
    return {
        "result": result,
        "findings": load_findings(out)["findings"] if result.returncode == 0 else [],
        "db": sqlite3.connect(out / "audit.db"),
        "origin": origin,
        "site_paths": {request.target for request in site.requests},
        "partner_paths": {request.target for request in partner.requests},
    }


def of_rule(audit: dict[str, Any], rule: str) -> list[dict[str, Any]]:
    return [f for f in audit["findings"] if f["rule"] == rule]


def test_port_out_of_range_on_home_page_is_a_finding_and_the_rest_is_audited(
    audit: dict[str, Any],
) -> None:
    assert audit["result"].returncode == 0, audit["result"].stderr
    assert {"/good-1", "/good-2"} <= audit["site_paths"]
    [finding] = [f for f in of_rule(audit, "malformed-link") if "99999" in f["target"]]
    assert finding["target"] == "http://host:99999/"
    assert finding["url"] == audit["origin"] + "/"
    assert "port number 99999 is out of range" in finding["message"]


def test_port_zero_is_reported_not_checked_as_port_80(audit: dict[str, Any]) -> None:
    targets = [f["target"] for f in of_rule(audit, "malformed-link")]
    assert targets.count("http://127.0.0.1:0/") == 1
    assert not [f for f in audit["findings"] if f.get("target") == "http://127.0.0.1/"]


def test_empty_host_goes_where_browsers_go(audit: dict[str, Any]) -> None:
    assert "/empty-host" in audit["partner_paths"]
    wrong = {path for path in audit["site_paths"] if "empty-host" in path or "share" in path}
    assert wrong == set()
    assert len(of_rule(audit, "malformed-link")) == 2  # the two ports, nothing else


def test_windows_share_is_reported_as_a_shared_drive_and_not_requested(
    audit: dict[str, Any],
) -> None:
    [finding] = of_rule(audit, "local-file-link")
    assert finding["target"].startswith("\\\\127.0.0.2:")
    assert finding["severity"] == "high"
    assert "shared drive" in finding["message"]
    assert "/share" not in audit["partner_paths"]


@pytest.mark.parametrize("path", ["/utf-16-le", "/utf-16-be", "/utf-8-bom"])
def test_page_with_a_byte_order_mark_is_audited_as_text(audit: dict[str, Any], path: str) -> None:
    url = audit["origin"] + path
    is_html, error = (
        audit["db"]
        .execute(
            "SELECT p.is_html, p.error FROM pages p JOIN urls u ON u.id = p.url_id WHERE u.url = ?",
            (url,),
        )
        .fetchone()
    )
    assert (is_html, error) == (1, None)
    followed = {"/utf-16-le": "/from-le", "/utf-16-be": "/from-be", "/utf-8-bom": "/from-utf-8"}
    assert followed[path] in audit["site_paths"]
    assert not [
        f for f in audit["findings"] if f["url"] == url and f["rule"].startswith("document-")
    ]
