"""Keeping the HTML report's files whose inputs did not change since the last report.

A nightly re-audit of an unchanged site would otherwise render every file of the report
again (one per page with problems), which was most of its time. Each file under
pages/, rules/ and sections/, and each list of views/ (not the WCAG view, the scorecard
or the fixed problems: they are made of more than the run's findings, and few), gets a
digest of what it is made from: the findings it shows (their outline and their text,
`RowDigests`), its own facts (the page, the pager, the section) and what every file
shares (`shared_digest`: the navigation, the footer, the checks' documentation, and the
code and templates of the report itself). The digests of
the files written are kept beside them, in `.siteaudit-digests.json`. The next report
links a file whose digest it finds there from the old folder into its staging folder
(`reports.files.staged_dir`) instead of rendering it again.

findings.json names the run, so it is written each time, but its lists of findings and
inventory rows are made of the rows alone: when their digests (`findings_digest`) are the
last report's, those bytes are copied from the old file rather than read from the store
and encoded again. Its digest is kept in the same list, with where the lists lie in it.

The run's number and date are not inputs, or no file would ever be kept: a kept file shows
the date of the audit that last changed it. The digest list is removed before the first
folder is replaced and written again after the last one, so a writer stopped midway leaves
none that describes other files than those in place.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from array import array
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audits import __version__
from reports.files import write_atomic
from reports.model import FindingDetails, ReportModel, Row, StoredRow

if TYPE_CHECKING:
    from audits.store import Store

MANIFEST = ".siteaudit-digests.json"
"""In the report folder: report file (relative path) -> digest of its inputs, and the
file's inode, size and modification time (and for findings.json where its lists lie)."""
_FORMAT = 2
_HERE = Path(__file__).parent


@cache
def code_digest() -> str:
    """A digest of the report's own code, templates and static files, and the version:
    a report written by other code shares no file with the one before it."""
    h = hashlib.blake2b(digest_size=16)
    h.update(__version__.encode())
    files = [
        *sorted(_HERE.glob("*.py")),
        *sorted((_HERE / "templates").iterdir()),
        *sorted((_HERE / "static").iterdir()),
        _HERE.parent / "rules" / "base.py",
    ]
    for path in files:
        if path.is_file():
            h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, default=repr, ensure_ascii=False).encode()


def shared_digest(parts: Mapping[str, Any]) -> bytes:
    """The digest of what every file of the report shares (`parts`), with the code's."""
    h = hashlib.blake2b(digest_size=16)
    h.update(code_digest().encode())
    h.update(_json(parts))
    return h.digest()


def _details_of(model: ReportModel) -> FindingDetails | None:
    """The store reader behind the model's rows, when they come from a store."""
    for rows in (model.rows, *model.inventory_rows.values()):
        for row in rows:
            return row.f._details if isinstance(row.f, StoredRow) else None
    return None


TASK_KEYS = ("task", "top_task")
"""Evidence keys of a finding about a top task (the forms view lists it)."""


class RowDigests:
    """An 8-byte digest of each row (by rank): its finding's outline, text and evidence,
    and what the report adds to it (the check's title and file, the section, how many
    pages). Everything a finding's HTML is made of, but its rank. Read in the same pass,
    for the views that pick findings by their evidence: which rows' evidence names a top
    task (`tasks`, by rank) and the WCAG criteria it is tagged with (`wcag`, by rank)."""

    def __init__(self, digests: array[int], tasks: bytearray, wcag: dict[int, list[Any]]) -> None:
        self.digests = digests
        self.tasks = tasks
        self.wcag = wcag

    def of(self, rows: Iterable[Row]) -> bytes:
        """The digests of some rows, in order, as bytes."""
        digests = self.digests
        return array("Q", [digests[row.rank] for row in rows]).tobytes()


def row_digests(store: Store, run_id: int, model: ReportModel) -> RowDigests | None:
    """The rows' digests, reading the findings' texts in the report's order (one pass
    over the run's findings); None when the model's rows do not come from this store or
    the order read differs from the model's."""
    details = _details_of(model)
    if details is None or details.store is not store:
        return None
    ordered = [*model.rows, *(row for rows in model.inventory_rows.values() for row in rows)]
    ordered.sort(key=lambda row: row.rank)
    if [row.rank for row in ordered] != list(range(len(details.ids))):
        return None
    digests = array("Q", bytes(8 * len(ordered)))
    tasks = bytearray(len(ordered))
    wcag: dict[int, list[Any]] = {}
    blake2b = hashlib.blake2b
    rank = 0
    for inventory in (False, True):
        found = store.finding_texts(run_id, inventory=inventory, task_keys=TASK_KEYS)
        for finding_id, *texts, task, tags in found:
            if rank >= len(ordered) or details.ids[rank] != finding_id:
                return None
            row = ordered[rank]
            # repr of str, numbers and None, as stored (pages and evidence as JSON text):
            # one text per value, made in C.
            made_of = (
                texts,
                row.rule_title,
                row.rule_file,
                row.section,
                row.shared,
                row.pages_count,
            )
            digests[rank] = int.from_bytes(blake2b(repr(made_of).encode(), digest_size=8).digest())
            tasks[rank] = bool(task)
            if tags is not None:
                wcag[rank] = json.loads(tags)
            rank += 1
    if rank != len(ordered):
        return None
    return RowDigests(digests, tasks, wcag)


class Manifest:
    """The digests of the report files written last time, and of those written now."""

    def __init__(self, out: Path) -> None:
        self.out = str(out)
        self.path = out / MANIFEST
        self.old: dict[str, str] = {}
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raw = None
        if isinstance(raw, dict) and raw.get("format") == _FORMAT:
            files = raw.get("files")
            if isinstance(files, dict):
                self.old = {str(k): str(v) for k, v in files.items()}
        self.new: dict[str, str] = {}
        self.kept = 0
        # From here until `save`, the old list would describe files being replaced.
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def keep(self, folder: str, staging: str, name: str, digest: str) -> bool:
        """Link the old file `name` of `folder` (under the report folder) into the
        `staging` folder when its inputs had this digest and it is the very file written
        then (same inode, size and time: not one another writer, such as an older
        siteaudit, put there since)."""
        key = f"{folder}/{name}"
        # Taken out of the old list as the new one grows: a big report holds one of them.
        known = self.old.pop(key, None)
        if known is None:
            return False
        old_digest, _, stamp = known.partition(" ")
        if old_digest != digest:
            return False
        source = os.path.join(self.out, key)
        try:
            if _stamp(source) != stamp:
                return False
            os.link(source, os.path.join(staging, name))
        except OSError:  # gone, or a file system without hard links
            return False
        self.new[key] = known
        self.kept += 1
        return True

    def wrote(self, folder: str, staging: str, name: str, digest: str) -> None:
        """Remember the digest of a file just written into the `staging` folder."""
        with contextlib.suppress(OSError):
            stamp = _stamp(os.path.join(staging, name))
            self.new[f"{folder}/{name}"] = f"{digest} {stamp}"

    def kept_part(self, name: str, digest: str) -> tuple[int, int] | None:
        """Where the part of the old file `name` (in the report folder) lies, as a byte
        range, when the part had inputs of this digest and the file is the very one
        written then; None otherwise. The caller writes the file anew, copying the part,
        then tells where it lies in the new one (`wrote_part`)."""
        known = self.old.pop(name, None)
        if known is None:
            return None
        old_digest, stamp, *span = known.split(" ")
        if old_digest != digest or len(span) != 2:
            return None
        try:
            if _stamp(os.path.join(self.out, name)) != stamp:
                return None
        except OSError:
            return None
        start, end = int(span[0]), int(span[1])
        return (start, end) if 0 <= start <= end else None

    def wrote_part(self, name: str, digest: str, span: tuple[int, int]) -> None:
        """Remember the digest of the part of the file `name` (just written into the report
        folder) at the byte range `span`."""
        with contextlib.suppress(OSError):
            stamp = _stamp(os.path.join(self.out, name))
            self.new[name] = f"{digest} {stamp} {span[0]} {span[1]}"

    def save(self) -> None:
        write_atomic(self.path, json.dumps({"format": _FORMAT, "files": self.new}))


def _stamp(path: str) -> str:
    """What tells this file from any other put in its place: inode, size, time."""
    status = os.stat(path)
    return f"{status.st_ino}-{status.st_size}-{status.st_mtime_ns}"


def findings_digest(digests: RowDigests, problems: int) -> str:
    """The digest of findings.json's lists: every row's digest in the file's order (the
    problems, most urgent first, then the inventory rows) and where the first list ends."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{code_digest()} findings.json {problems} {len(digests.digests)} ".encode())
    h.update(digests.digests.tobytes())
    return h.hexdigest()


def file_digest(shared: bytes, *parts: Any, rows: bytes = b"") -> str:
    """The digest of one file's inputs: what all share, its own facts (`parts`: strings,
    numbers, None, dataclasses of them and tuples or lists of those, whose repr says all
    of them), its rows'."""
    h = hashlib.blake2b(shared, digest_size=16)
    h.update(repr(parts).encode())
    h.update(rows)
    return h.hexdigest()
