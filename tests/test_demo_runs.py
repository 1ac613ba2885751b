"""`siteaudit demo` run again is the same site to its store: the second report compares
with the first (new, persisting, fixed) instead of starting over."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.kit.cli import run_cli
from tests.kit.findings import load_findings
from tests.kit.ports import free_port

pytestmark = pytest.mark.slow


def test_a_second_demo_compares_with_the_first(tmp_path: Path) -> None:
    port = str(free_port())
    out = tmp_path / "demo"
    runs = [run_cli("demo", "--out", out, "--port", port, "-q") for _ in range(2)]
    for result in runs:
        assert result.returncode == 0, result.stderr
        assert f"127.0.0.1:{port}/" in result.stdout
    data = load_findings(out)
    assert data["run"]["compared_with"] is not None
    assert data["summary"]["by_status"]["new"] == 0
    assert "first complete audit" not in (out / "index.html").read_text(encoding="utf-8")
