"""Writing report files so that a reader never sees half of one.

Single files go to a temporary file in the same directory and are renamed into place
(`atomic_open`, `write_atomic`). The thousands of per-rule, per-page and per-section
HTML files go into a staging folder next to their final place, which then replaces the
old folder in two renames (`staged_dir`): a reader sees the old set or the new set, and
files of pages that no longer have problems disappear with the old set.

A writer killed midway (`kill -9`, a power cut) leaves its hidden temporary file or
staging folder behind, never a half file under a real name. Their names carry the
writer's process id, so the next writer removes the leftovers of dead writers
(`remove_leftovers`) and leaves alone those of one still running.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

# Big enough that streaming a template's output costs few system calls.
WRITE_BUFFER = 1 << 16

# `.NAME.PID.RANDOM.tmp` (a file), `.NAME.PID.RANDOM.new` or `.old` (a folder).
_LEFTOVER = re.compile(r"\..+\.(?P<pid>\d+)\.[^.]+\.(?:tmp|new|old)")


def _temp_prefix(target: Path) -> str:
    """The start of a temporary name beside `target`: hidden, and naming this process."""
    return f".{target.name}.{os.getpid()}."


def _alive(pid: int) -> bool:
    """Whether a process with this id exists (signal 0 checks without sending anything)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def remove_leftovers(folder: str | os.PathLike[str]) -> list[Path]:
    """Delete the temporary files and staging folders that dead writers left in `folder`.

    Returns what was removed. Those of this process and of other live processes stay.
    """
    removed: list[Path] = []
    base = Path(folder)
    if not base.is_dir():
        return removed
    for entry in base.iterdir():
        m = _LEFTOVER.fullmatch(entry.name)
        if m is None or _alive(int(m["pid"])):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                entry.unlink()
        removed.append(entry)
    return removed


@contextlib.contextmanager
def atomic_open(
    path: str | os.PathLike[str],
    *,
    encoding: str = "utf-8",
    newline: str = "\n",
    durable: bool = True,
) -> Iterator[IO[str]]:
    """A text handle on a temporary file that becomes `path` when the block ends cleanly.

    With `durable`, the data is flushed to disk before the rename, so a crash leaves the
    old file or the new one, never an empty one. On any exception the temporary file is
    removed and `path` is left as it was.
    """
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=_temp_prefix(target), suffix=".tmp")
    try:
        with os.fdopen(
            fd, "w", encoding=encoding, newline=newline, buffering=WRITE_BUFFER
        ) as handle:
            yield handle
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_atomic(path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8") -> Path:
    """Write text to `path` via a temporary file in the same directory."""
    with atomic_open(path, encoding=encoding) as handle:
        handle.write(text)
    return Path(path)


@contextlib.contextmanager
def staged_dir(final: str | os.PathLike[str]) -> Iterator[Path]:
    """A new, empty folder to fill; when the block ends cleanly it replaces `final`.

    The old folder is renamed aside, the new one renamed into place, and the old one
    deleted. On an exception the staging folder is deleted and `final` is untouched.
    """
    target = Path(final)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=_temp_prefix(target), suffix=".new"))
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    # mkdtemp makes the folder private; the report is for others to read, like mkdir would.
    os.chmod(staging, 0o755)  # noqa: S103
    old: Path | None = None
    if target.exists():
        old = Path(tempfile.mkdtemp(dir=target.parent, prefix=_temp_prefix(target), suffix=".old"))
        os.replace(target, old / "previous")
    os.replace(staging, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
