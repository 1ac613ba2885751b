"""Real processes seen through Linux's /proc: who a process started, and whether it lives."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path


def children_of(pid: int) -> set[int]:
    """The processes `pid` started that are still its children (every thread's)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.update(int(child) for child in (task / "children").read_text().split())
        except OSError:
            continue  # the thread ended meanwhile
    return found


def alive(pid: int) -> bool:
    """True while `pid` runs (a zombie, dead and not yet reaped, is not alive)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_for(condition: Callable[[], object], seconds: float, what: str) -> None:
    """Poll `condition()` every 50 ms until it is true; fail saying `what` did not happen
    within `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what} (waited {seconds:g} s)"
        time.sleep(0.05)


def kill_and_check_children_go(process: subprocess.Popen[str], children: int) -> None:
    """kill -9 `process`, which has started `children` processes, and wait for them to end
    with it (well before anything they wait on could answer)."""
    started = children_of(process.pid)
    assert len(started) == children, started
    process.kill()
    process.wait()
    gone = lambda: not any(alive(pid) for pid in started)  # noqa: E731
    wait_for(gone, 30, f"the children of killed process {process.pid} lived on")
