"""Child processes that end when the audit that started them ends, even after `kill -9`.

An audit starts page workers, Chromiums, chromedrivers and crawl workers. A parent killed
outright runs no clean-up, so each child asks Linux to kill it when its parent goes
(prctl PR_SET_PDEATHSIG). Elsewhere these are no-ops and children may outlive a killed audit.

The signal fires when the *thread* that started the child ends, not only the process:
start children from a thread that lives as long as they should (the main thread, or a
pool thread kept for the audit's length).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Callable
from typing import Any

_PR_SET_PDEATHSIG = 1


def exit_with_parent(parent_pid: int, prctl: Any = None) -> None:
    """Kill this process when its parent dies; exit now if it already has.

    `parent_pid` is the pid the parent had when it started us: if it died before this
    call, we have been re-parented already and the kernel would never signal us.
    """
    if not sys.platform.startswith("linux"):
        return
    (prctl or _prctl())(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:
        os._exit(1)


def preexec_exit_with_parent() -> Callable[[], None] | None:
    """A `preexec_fn` for subprocess.Popen that makes the child exit with this process.

    None off Linux (Popen then runs nothing before exec). prctl is looked up here, in the
    parent: between fork and exec the child of a threaded process may only make plain
    system calls, not load libraries.
    """
    if not sys.platform.startswith("linux"):
        return None
    parent, prctl = os.getpid(), _prctl()
    return lambda: exit_with_parent(parent, prctl)


def _prctl() -> Any:
    """libc's prctl, from the symbols already loaded into this process."""
    return ctypes.CDLL(None, use_errno=True).prctl


def process_tree(root: int) -> list[int]:
    """`root` and every process descending from it, from /proc (just `root` elsewhere).

    A snapshot: children started after it, or re-parented before it, are not in it.
    """
    children: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return [root]
    for entry in entries:
        if entry.isdigit():
            parent = parent_pid(int(entry))
            if parent is not None:
                children.setdefault(parent, []).append(int(entry))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, ()))
    return tree


def parent_pid(pid: int) -> int | None:
    """The parent of a live process; None if it has gone (or is a zombie)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            # The command name in brackets may hold spaces: read the fields after it.
            state, parent = stat.read().rsplit(")", 1)[1].split()[:2]
    except (OSError, IndexError, ValueError):
        return None
    return None if state == "Z" else int(parent)
