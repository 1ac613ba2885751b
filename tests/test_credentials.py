"""Staging credentials: read from the environment, sent to the site's own hosts only."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from audits.config import ConfigError
from audits.credentials import from_environment
from audits.siteserver import RequestInfo, Response, SiteServer
from tests.cli import run_cli

USER, PASSWORD = "editor", "s3cret-staging-pass"
TOKEN = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()


def test_environment_and_file_give_headers_and_repr_hides_them(tmp_path: Path) -> None:
    auth_file = tmp_path / "auth.toml"
    auth_file.write_text('[headers]\nX-Staging-Key = "k-123"\n[cookies]\npreview = "yes"\n')
    credentials = from_environment(
        {
            "SITEAUDIT_AUTH_USER": USER,
            "SITEAUDIT_AUTH_PASSWORD": PASSWORD,
            "SITEAUDIT_AUTH_FILE": str(auth_file),
        }
    )
    headers = credentials.request_headers()
    assert headers["Authorization"] == f"Basic {TOKEN}"
    assert headers["X-Staging-Key"] == "k-123"
    assert headers["Cookie"] == "preview=yes"
    assert PASSWORD not in repr(credentials)
    assert "k-123" not in repr(credentials)


def test_malformed_credentials_are_config_errors_that_do_not_echo_them(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="Name: value"):
        from_environment({"SITEAUDIT_AUTH_HEADERS": "just-a-secret-token"})
    bad = tmp_path / "auth.toml"
    bad.write_text('password = "hunter2\n')
    with pytest.raises(ConfigError) as raised:
        from_environment({"SITEAUDIT_AUTH_FILE": str(bad)})
    assert "hunter2" not in str(raised.value)


def test_credentials_reach_the_staging_site_and_never_an_external_host(tmp_path: Path) -> None:
    seen_outside: list[dict[str, str]] = []

    def partner(request: RequestInfo) -> Response:
        seen_outside.append(dict(request.headers))
        return Response.html("<html><body><main><h1>Partner</h1></main></body></html>")

    def protected(request: RequestInfo) -> Response:
        if request.headers.get("authorization") != f"Basic {TOKEN}":
            return Response(status=401, headers={"WWW-Authenticate": 'Basic realm="staging"'})
        links = (
            f'<a href="/about">About</a> <a href="{outside}/page">Partner</a>'
            f' <a href="/leaving">Leaving</a>'
        )
        return Response.html(
            f"<html lang='en'><body><main><h1>Home</h1>{links}</main></body></html>"
        )

    with SiteServer(routes={"/*": partner}, host="127.0.0.2") as external:
        outside = external.url
        routes = {
            "/": protected,
            "/about": protected,
            "/leaving": lambda r: Response.redirect(f"{outside}/landing"),
        }
        with SiteServer(routes=routes) as site:
            env = {
                "SITEAUDIT_AUTH_USER": USER,
                "SITEAUDIT_AUTH_PASSWORD": PASSWORD,
                "SITEAUDIT_AUTH_HEADERS": "X-Staging-Key: k-123",
            }
            result = run_cli(
                "audit", f"{site.url}/", "--out", tmp_path, "--page-workers", "0", env=env
            )
            inside = [r.target for r in site.requests]
    assert result.returncode == 0, result.stderr
    assert "/about" in inside
    assert len(seen_outside) >= 2  # the partner page and the redirect's landing page
    for headers in seen_outside:
        assert "authorization" not in headers
        assert "x-staging-key" not in headers
    for path in tmp_path.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert PASSWORD.encode() not in data, path
            assert TOKEN.encode() not in data, path
            assert b"k-123" not in data, path
    assert PASSWORD not in result.stdout + result.stderr
