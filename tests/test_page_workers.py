"""The page stage's worker processes: they end with the audit that started them."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

from audits.siteserver import SiteServer
from tests.cli import slow_page
from tests.crash import start_cli


def page_workers_of(pid: int) -> list[int]:
    """The live page-worker processes (spawned multiprocessing children) of process `pid`."""
    workers = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and alive(int(entry.name)):
            with contextlib.suppress(OSError):
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                cmdline = (entry / "cmdline").read_bytes()
                if ppid == pid and b"spawn_main" in cmdline:
                    workers.append(int(entry.name))
    return workers


def alive(pid: int) -> bool:
    """Whether the process exists and is not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for(condition: object, what: str, timeout: float = 90) -> None:
    """Poll `condition()` until it is true; fail saying `what` never happened."""
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def test_page_workers_exit_when_the_audit_is_killed(tmp_path: Path) -> None:
    config = tmp_path / "siteaudit.toml"
    config.write_text("[crawl]\ncheck_external = false\nuse_sitemaps = false\npage_workers = 2\n")
    with SiteServer(routes={"/*": slow_page}) as server:
        proc = start_cli(
            "audit", f"{server.url}/", "--out", tmp_path / "out", "--config", config, "-q"
        )
        try:
            wait_for(lambda: page_workers_of(proc.pid), "the audit started no page workers")
            workers = page_workers_of(proc.pid)
            os.kill(proc.pid, signal.SIGKILL)  # the audit alone, as a crash would
            proc.wait()
            wait_for(
                lambda: not any(alive(pid) for pid in workers),
                f"page workers {workers} outlived the killed audit",
            )
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
