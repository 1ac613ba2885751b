"""The findings files (findings.json, findings.csv, findings.sarif, junit.xml) written
together in one pass over a run's findings.

Each file has a writer that takes the findings one at a time (`take`): the problems
first, then the inventory rows for the writers that list them (`lists`), and then ends
its file (`finish`). `write_findings_files` reads the findings from the store once and
hands each to every writer asked for: reading and decoding a finding costs more than
writing it, and a big run has hundreds of thousands. A single file goes the same way.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

from reports.files import atomic_open

LISTS: tuple[str, ...] = ("findings", "inventory")
"""The lists of a findings.json document that are read from the store, in their order."""


class FindingsWriter(Protocol):
    """Writes one findings file, a finding at a time."""

    lists: tuple[str, ...]
    """The lists of the document this file shows ("findings", "inventory")."""

    def take(self, listed: str, item: Mapping[str, Any]) -> None:
        """One finding of the list `listed`, in the document's order."""

    def finish(self) -> None:
        """End the file: every finding has been taken."""


@dataclass(frozen=True)
class FindingsFile:
    """A findings file to write: where, how its text is encoded, and its writer."""

    path: Path
    writer: Callable[[IO[str]], FindingsWriter]
    encoding: str = "utf-8"
    newline: str = "\n"


def write_findings_files(data: Mapping[str, Any], files: Sequence[FindingsFile]) -> None:
    """Write the files of a findings.json document (`reports.findings_json`), each
    atomically, going through its findings once for all of them."""
    with contextlib.ExitStack() as stack:
        writers = [
            f.writer(
                stack.enter_context(atomic_open(f.path, encoding=f.encoding, newline=f.newline))
            )
            for f in files
        ]
        for listed in LISTS:
            takers = [w.take for w in writers if listed in w.lists]
            if not takers or listed not in data:
                continue
            for item in data[listed]:
                for take in takers:
                    take(listed, item)
        for writer in writers:
            writer.finish()
