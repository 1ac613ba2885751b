"""The page stage's worker processes: a page stuck in one is cut short, and they end
with the audit that started them."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from audits.core.children import parent_pid, process_tree
from audits.core.config import AuditConfig
from audits.stages.pages import PAGE_ANALYSIS, PageAnalysis, PageStage
from tests.kit.cli import slow_page, start_cli
from tests.kit.plugins import hanging_plugin
from tests.kit.processes import alive, wait_for
from tests.kit.siteserver import SiteServer

pytestmark = pytest.mark.slow

# A rule that never finishes on a page titled "stuck", after writing down its process id:
# as a rule with super-linear work on a huge page would, only for certain.


def page_workers_of(pid: int) -> list[int]:
    """The live page-worker processes of process `pid`: the multiprocessing children
    under it (the workers, the forkserver they are forked from, its resource tracker)."""
    workers = []
    for child in process_tree(pid)[1:]:
        with contextlib.suppress(OSError):
            if b"multiprocessing" in Path(f"/proc/{child}/cmdline").read_bytes():
                workers.append(child)
    return workers


def kill_and_wait_for_workers(proc: subprocess.Popen[str], what: str) -> None:
    """Kill `proc` alone, as a crash would, and wait for its page workers (the forkserver
    among them) to end; whatever is left of its process group is killed in any case."""
    try:
        workers = page_workers_of(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        wait_for(
            lambda: not any(alive(pid) for pid in workers),
            90,
            f"{what} {workers} outlived the killed process",
        )
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


def test_page_workers_exit_when_the_audit_is_killed(tmp_path: Path) -> None:
    config = tmp_path / "siteaudit.toml"
    config.write_text("[crawl]\ncheck_external = false\nuse_sitemaps = false\npage_workers = 2\n")
    with SiteServer(routes={"/*": slow_page}) as server:
        proc = start_cli(
            "audit", f"{server.url}/", "--out", tmp_path / "out", "--config", config, "-q"
        )
        try:
            wait_for(
                lambda: (
                    len([p for p in page_workers_of(proc.pid) if parent_pid(p) != proc.pid]) == 2
                ),  # forked by the forkserver
                90,
                "the audit started no page workers",
            )
            kill_and_wait_for_workers(proc, "page workers")
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)


def test_page_workers_exit_when_the_process_holding_the_page_stage_is_killed(
    tmp_path: Path,
) -> None:
    # As a shared crawl's worker holds it: the page stage in the process killed, not in a
    # child of it. Python's forkserver lived on while its workers held its "alive" pipe.
    script = tmp_path / "hold_page_stage.py"
    script.write_text(
        "import asyncio\n"
        "from audits.core.config import AuditConfig\n"
        "from audits.stages.pages import PageStage\n"
        "async def main():\n"
        "    stage = PageStage(AuditConfig(), workers=2)\n"
        "    await stage.analyse('https://x.invalid/', b'<title>t</title>', 'utf-8', {}, 0)\n"
        "    print('ready', flush=True)\n"
        "    await asyncio.Event().wait()\n"
        "if __name__ == '__main__':\n"
        "    asyncio.run(main())\n"
    )
    proc = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        ready = proc.stdout.readline().strip()
        started = page_workers_of(proc.pid)
    finally:
        kill_and_wait_for_workers(proc, "the forkserver and page workers")
    assert ready == "ready"
    assert len(started) >= 3, started  # the forkserver and two workers at least


def test_a_page_over_the_time_limit_has_its_worker_killed_and_the_other_pages_go_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hanging_plugin(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))  # spawned workers find the rule too
    pid_file = tmp_path / "stuck.pid"
    monkeypatch.setenv("STUCK_WORKER_PID_FILE", str(pid_file))
    stage = PageStage(AuditConfig().with_crawl(page_analysis_timeout=5), workers=2)

    def page(title: str) -> object:
        return stage.analyse(
            "https://www.example.gov.uk/", f"<title>{title}</title>".encode(), "utf-8", {}, 0
        )

    async def pages() -> list[PageAnalysis]:
        together = await asyncio.gather(page("stuck"), page("Bins"))
        return [*together, await page("Council tax"), await page("Parking")]

    try:
        stuck, *others = asyncio.run(pages())  # type: ignore[arg-type]
    finally:
        stage.close()
    assert stuck.rule_errors == [(PAGE_ANALYSIS, "too large to analyse in 5 s")]
    assert stuck.links == () and stuck.findings == []
    assert [analysis.title for analysis in others] == ["Bins", "Council tax", "Parking"]
    stuck_pid = int(pid_file.read_text())
    wait_for(lambda: not alive(stuck_pid), 90, "the stuck worker was left running")


def test_a_page_queued_behind_a_stuck_page_is_analysed_in_the_replacement_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One worker holds two pages at once (PageStage.SLOTS): the stuck page's worker is
    # killed, and the page waiting behind it in that worker must not be lost with it.
    hanging_plugin(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    pid_file = tmp_path / "stuck.pid"
    monkeypatch.setenv("STUCK_WORKER_PID_FILE", str(pid_file))
    stage = PageStage(AuditConfig().with_crawl(page_analysis_timeout=3), workers=1)
    assert stage.SLOTS == 2

    def page(title: str) -> object:
        return stage.analyse(
            "https://www.example.gov.uk/", f"<title>{title}</title>".encode(), "utf-8", {}, 0
        )

    async def pages() -> list[PageAnalysis]:
        return list(await asyncio.gather(page("stuck"), page("Bins"), page("Parking")))

    try:
        stuck, *others = asyncio.run(pages())  # type: ignore[arg-type]
    finally:
        stage.close()
    assert stuck.rule_errors == [(PAGE_ANALYSIS, "too large to analyse in 3 s")]
    assert [(analysis.title, analysis.rule_errors) for analysis in others] == [
        ("Bins", []),
        ("Parking", []),
    ]
    stuck_pid = int(pid_file.read_text())
    wait_for(lambda: not alive(stuck_pid), 90, "the stuck worker was left running")
