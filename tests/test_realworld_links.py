"""The link checkers' own fixtures (LinkChecker, lychee), audited and scored by their labels.

The corpus in ../shared/realworld is served as its README says (Python's static server, so
directories list and redirect as there) and audited with its loopback.toml; its scorer,
score_links.py, compares the findings with every locally checkable label. Every one must
agree: before fragments were matched as browsers match them and internationalised
addresses were accepted, 40 of 45 LinkChecker labels and 20 of 21 lychee labels did.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.kit.cli import run_cli
from tests.kit.realworld import realworld_dir

pytestmark = pytest.mark.slow


class QuietHandler(SimpleHTTPRequestHandler):
    """The standard library's static server, without a log line per request."""

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def static_server(folder: Path) -> Iterator[str]:
    """Serve `folder` on a free loopback port; yields its origin."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def score(corpus: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(corpus / "score_links.py"), *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=60)


@pytest.fixture(scope="module")
def scores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    corpus = realworld_dir()
    out = tmp_path_factory.mktemp("realworld-links")
    config = corpus / "loopback.toml"
    with static_server(corpus / "links" / "linkchecker") as origin:
        urls = out / "lc-urls.txt"
        urls.write_text(score(corpus, "--urls", origin).stdout)
        linkchecker = run_cli(
            "audit", f"{origin}/data/", "--config", config, "--urls", urls, "--out", out / "lc"
        )
    assert linkchecker.returncode == 0, linkchecker.stderr
    with static_server(corpus / "links" / "lychee" / "fixtures") as origin:
        harness = f"{origin}/fragments/_harness_from_md.html"
        lychee = run_cli("audit", harness, "--config", config, "--out", out / "lychee")
    assert lychee.returncode == 0, lychee.stderr
    result = score(corpus, "--json", "--linkchecker", out / "lc", "--lychee", out / "lychee")
    return dict(json.loads(result.stdout))


@pytest.mark.parametrize("fixtures", ["linkchecker", "lychee"])
def test_every_locally_checkable_label_of_the_link_checkers_fixtures_agrees(
    scores: dict[str, Any], fixtures: str
) -> None:
    tally = scores[fixtures]
    assert tally["n"] > 0
    assert tally["disagreements"] == []
    assert tally["agree"] == tally["n"]
