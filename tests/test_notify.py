"""Notifications: a webhook POST and per-section e-mail digests, to real local servers."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from audits.stages.notify import NotifyConfig, NotifyError, post_webhook, run_summary, send_digests
from audits.store import Store
from tests.kit.ports import free_port
from tests.kit.synthetic_runs import START, add_run, finding_row


class Inbox:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[tuple[Store, int]]:
    store = Store(str(tmp_path / "audit.db"))
    run_id = add_run(
        store,
        [
            finding_row(url=START + "bins/missed", message="Link to a missing page (404)"),
            finding_row(
                "demo-reading-age",
                START + "tax/bands",
                category="readability",
                severity="medium",
                message="Reading age 15 (target 9)",
            ),
        ],
        pages=(START, START + "bins/missed", START + "tax/bands"),
    )
    yield store, run_id
    store.close()


def test_webhook_receives_the_json_summary(store: tuple[Store, int]) -> None:
    received: list[dict[str, Any]] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        summary = run_summary(*store, report="file:///srv/report/index.html")
        post_webhook(f"http://127.0.0.1:{server.server_port}/hook", summary)
    finally:
        server.shutdown()
    assert received == [summary]
    assert received[0]["findings"] == len(store[0].findings(store[1]))


def test_unreachable_webhook_is_one_clear_error() -> None:
    with pytest.raises(NotifyError, match="could not be reached"):
        post_webhook("http://127.0.0.1:9/hook", {"x": 1}, timeout=2)


def test_each_section_owner_gets_their_own_pages_problems(
    store: tuple[Store, int], smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    prefix = "/bins/"
    config = NotifyConfig(
        smtp_host="127.0.0.1",
        smtp_port=port,
        mail_from="audit@council.example",
        sections={prefix: "team@council.example", "/nowhere/": "other@council.example"},
    )
    sent = send_digests(config, *store, report="https://intranet/audit/")
    assert sorted(sent) == ["other@council.example", "team@council.example"]
    by_to = {m["To"]: m for m in inbox.messages}
    team = by_to["team@council.example"].get_payload()
    assert "Link to a missing page (404)" in team
    assert "Reading age" not in team  # another team's page
    assert "https://intranet/audit/" in team
    assert "No problems" in by_to["other@council.example"].get_payload()


def test_unreachable_mail_server_is_one_clear_error(store: tuple[Store, int]) -> None:
    config = NotifyConfig(smtp_host="127.0.0.1", smtp_port=9, sections={"/": "a@b.example"})
    with pytest.raises(NotifyError, match=r"e-mail via 127\.0\.0\.1:9 failed"):
        send_digests(config, *store)


@pytest.mark.slow
def test_an_audit_posts_its_summary_and_warns_in_one_line_when_mail_fails(
    tmp_path: Path,
) -> None:
    from audits.siteserver import DEMO_ROOT
    from tests.kit.cli import run_cli
    from tests.kit.siteserver import SiteServer

    received: list[dict[str, Any]] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    hook = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    config = tmp_path / "siteaudit.toml"
    config.write_text(
        "[crawl]\ncheck_external = false\n[notify]\n"
        f'webhook = "http://127.0.0.1:{hook.server_port}/"\n'
        'smtp_host = "127.0.0.1"\nsmtp_port = 9\n'
        '[notify.sections]\n"/bins/" = "waste@council.example"\n'
    )
    try:
        with SiteServer(DEMO_ROOT) as server:
            result = run_cli(
                "audit",
                f"{server.url}/",
                "--config",
                config,
                "--out",
                tmp_path,
                "-q",
                "--no-browser",
            )
    finally:
        hook.shutdown()
    assert result.returncode == 0, result.stderr
    assert received[0]["pages"] > 30
    assert (
        result.stderr.strip()
        == "siteaudit: warning: e-mail via 127.0.0.1:9 failed (ConnectionRefusedError)"
    )
