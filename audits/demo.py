"""`siteaudit demo`: the bundled demo council site, audited as a council's nightly job would.

The site is served on a fixed address (127.0.0.1:8642), so every demo is the same site to
the store. The first time, the demo audits the site as it was on earlier days of the
month (audits/demo_site/_history.toml says which days and what changed since), each in a
process of its own (a crawl runs Twisted's reactor, which starts once per process), with
dates judged as of that day and the run recorded on that day. Then it audits the site as
it is, so the first report already shows trends, what is new and fixed since last week,
and the top tasks and sections the demo's configuration (audits/demo_site/_siteaudit.toml)
names.
"""

from __future__ import annotations

import multiprocessing
import shutil
import sys
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from audits.core.config import AuditConfig, load_config
from audits.core.errors import EXIT_INTERNAL, SiteauditError
from audits.engine import audit
from audits.rule_engine import with_as_of
from audits.siteserver import DEMO_CONFIG, DEMO_ROOT, StaticSiteServer
from audits.store import Store

DEMO_HISTORY = DEMO_ROOT / "_history.toml"
"""The earlier audits of the demo's month and the changes between them."""


class DemoHistoryError(SiteauditError):
    """_history.toml does not fit the demo site (an edit's text is no longer in its file)."""


@dataclass(frozen=True)
class Edit:
    """Text of a file as it is now (`now`) and as it was before the change (`was`), in
    the one file `file` or in every file whose path matches the pattern `files`."""

    now: str
    was: str
    file: str = ""
    files: str = ""

    def paths(self, root: Path) -> list[Path]:
        """The files under `root` this edit changes."""
        if self.files:
            return sorted(path for path in root.glob(self.files) if path.is_file())
        return [root / self.file]


@dataclass(frozen=True)
class Change:
    """One change to the site, made `made` days ago: older audits see the site without it."""

    made: int
    summary: str
    unpublished: tuple[str, ...]
    edits: tuple[Edit, ...]


@dataclass(frozen=True)
class History:
    """The demo's earlier audits (days before today, oldest first) and the changes."""

    audits: tuple[int, ...]
    changes: tuple[Change, ...]


def load_history(path: Path = DEMO_HISTORY) -> History:
    """Read _history.toml."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    changes = tuple(
        Change(
            made=change["made"],
            summary=change["summary"],
            unpublished=tuple(change.get("unpublished", ())),
            edits=tuple(_edit(change["summary"], edit) for edit in change.get("edit", ())),
        )
        for change in raw.get("change", ())
    )
    return History(tuple(sorted(raw["audits"], reverse=True)), changes)


def _edit(summary: str, raw: dict[str, str]) -> Edit:
    if ("file" in raw) == ("files" in raw):
        raise DemoHistoryError(
            f"{DEMO_HISTORY.name}: an edit of the change {summary!r} needs either `file` "
            "(one file) or `files` (a pattern), not both or neither"
        )
    return Edit(**raw)


def site_as_of(history: History, days_ago: int, root: Path) -> Path:
    """Write the demo site as it was `days_ago` days ago into the new folder `root`."""
    shutil.copytree(DEMO_ROOT, root)
    for change in history.changes:
        if change.made >= days_ago:
            continue
        for name in change.unpublished:
            (root / name).unlink()
        for edit in change.edits:
            files = edit.paths(root)
            if not files:
                raise _stale(change, f"a file matching {edit.files}", edit)
            for file in files:
                text = file.read_text(encoding="utf-8")
                if edit.now not in text:
                    where = file.relative_to(root).as_posix()
                    if edit.files:
                        where += f" (it matches {edit.files})"
                    raise _stale(change, where, edit)
                file.write_text(text.replace(edit.now, edit.was, 1), encoding="utf-8")
    return root


def _stale(change: Change, where: str, edit: Edit) -> DemoHistoryError:
    """The error for an edit whose `now` text is not where `where` says it should be."""
    return DemoHistoryError(
        f"{DEMO_HISTORY.name}: the change {change.summary!r} expects {where} to contain "
        f"{edit.now.strip()!r}; update its edit"
    )


def demo_config() -> AuditConfig:
    """The demo's configuration file, read."""
    return load_config(DEMO_CONFIG)


def audit_the_month(
    server: StaticSiteServer,
    out_dir: Path,
    echo: Callable[[str], None],
    *,
    progress: bool = False,
    history: History | None = None,
) -> None:
    """Audit the site's earlier states into the store, oldest first, unless the store
    has audited this site before (a second demo adds today's run to the same month)."""
    history = history or load_history()
    start_url = f"{server.url}/"
    config = demo_config()
    store_path = Path(config.store) if config.store else out_dir / "audit.db"
    if store_path.exists():
        store = Store(str(store_path))
        try:
            if any(run.start_url == start_url for run in store.runs()):
                return
        finally:
            store.close()
    today = datetime.now(UTC)
    echo(f"First demo: auditing the site as it was {len(history.audits)} times this month")
    served = server.root
    spawn = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory(prefix="siteaudit-demo-") as tmp:
        try:
            for days_ago in history.audits:
                server.serve(site_as_of(history, days_ago, Path(tmp) / str(days_ago)))
                day = today - timedelta(days=days_ago)
                child = spawn.Process(target=_audit_day, args=(start_url, out_dir, day, progress))
                child.start()
                try:
                    child.join()
                finally:
                    if child.is_alive():
                        child.terminate()
                        child.join()
                if child.exitcode != 0:
                    raise SiteauditError(
                        f"the demo's audit of the site as it was {days_ago} days ago "
                        f"failed (exit code {child.exitcode})"
                    )
        finally:
            if served is not None:
                server.serve(served)


def _audit_day(start_url: str, out_dir: Path, day: datetime, progress: bool) -> None:
    """In a process of its own: audit the site as of `day`, print one line about it."""
    config = with_as_of(demo_config(), day.date())
    try:
        result = audit(start_url, config, out_dir, progress=progress, dated=day)
    except SiteauditError as exc:
        print(f"siteaudit: {exc.line()}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except Exception as exc:  # one line, as the CLI gives its own internal errors
        print(f"siteaudit: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(EXIT_INTERNAL)
    found = sum(result.findings.values())
    print(f"  {day:%d %B}: {result.pages} pages, {found} findings ({result.seconds:.0f} s)")
