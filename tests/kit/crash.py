"""Crashing the real `siteaudit` command on purpose: `kill -9` at a chosen moment."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path


def kill_when(proc: subprocess.Popen[str], ready: Callable[[], bool], timeout: float = 60) -> None:
    """`kill -9` the process (started with `start_cli`, in a session of its own) and
    everything it started as soon as `ready()` is true.

    Polls every 20 ms; fails if the process ends first or `ready()` never comes true.
    """
    deadline = time.monotonic() + timeout
    try:
        while not ready():
            assert proc.poll() is None, "the command finished before it could be killed"
            assert time.monotonic() < deadline, "the moment to kill it never came"
            time.sleep(0.02)
    finally:
        with contextlib.suppress(ProcessLookupError):  # it ended on its own: say why above
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def count_rows(db: Path, sql: str) -> int:
    """A COUNT(*) query on a store another process is writing; 0 until it can be read."""
    if not db.exists():
        return 0
    try:
        with contextlib.closing(sqlite3.connect(db, timeout=1)) as conn:
            return int(conn.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:  # no such table yet, or locked for a moment
        return 0
