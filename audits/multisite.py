"""Auditing a list of sites in one command: `siteaudit audit --sites FILE`.

The sites file lists one site a line: a start URL, optionally followed by spaces and a
name (`https://www.leeds.gov.uk/  Leeds City Council`); blank lines and lines starting
with `#` are skipped. Each site is audited into a folder of its own under --out, named
after its address (`www.leeds.gov.uk/`), with its own store and report, so running the
same list again gives every site its trend.

Scrapy's reactor cannot be restarted, so each site's audit is a `siteaudit audit` of its
own in a child process, given the options of this command line: it behaves exactly as a
single audit would, and one site failing (exit 3 for an unreachable start URL) does not
stop the others. Sites are audited one after another, or `--parallel N` at a time. The
comparison index (reports/comparison.py) is written again after each site, so a long
run shows how far it has got.

The exit code is the highest of the sites' own exit codes (0, 1 the gate failed, 2, 3
could not be crawled, 4, 5 the browser stage --require-browser asks for did not run), or
130 when the run was interrupted.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Collection, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

import click
from click.core import ParameterSource

from audits.core.children import preexec_exit_with_parent
from audits.core.config import load_config
from audits.core.errors import EXIT_INTERRUPTED, EXIT_STAGE_SKIPPED, UsageError
from audits.engine import check_start_url
from audits.rule_engine import rule_engine
from reports import parse_formats
from reports.comparison import (
    FIGURED_STATES,
    RESERVED_NAMES,
    STATES,
    SiteResult,
    read_figures,
    write_comparison,
)

SITE_LOG = "siteaudit.log"
"""Each site's audit output, kept in its folder."""
STATE_OF_EXIT: dict[int, str] = {
    0: "audited",
    1: "failed-gate",
    EXIT_STAGE_SKIPPED: "browser-skipped",
    EXIT_INTERRUPTED: "interrupted",
}
"""A site audit's exit code -> its state in the comparison; any other code: not audited."""
LINES_KEPT = 50
"""Last lines of a site's output kept in memory, to find its error line in."""
SINGLE_SITE_FILES = ("audit.db", "findings.json")
"""Files that mark a folder as one site's report, which the comparison must not overwrite."""


@dataclass(frozen=True, slots=True)
class Site:
    """One site of a sites file."""

    url: str
    """The start URL, normalised as a single audit stores it."""
    name: str
    """The name the file gives ('' for none)."""
    folder: str
    """Its folder under --out."""
    line: int


def site_folder(url: str) -> str:
    """The folder a site is audited into: its host, port and path, in letters, digits,
    dots and hyphens (`www.leeds.gov.uk`, `127.0.0.1-8000`, `example.gov.uk-council`)."""
    parts = urlsplit(url)
    text = "-".join(
        str(piece)
        for piece in (parts.hostname, parts.port, parts.path.strip("/"), parts.query)
        if piece
    )
    folder = re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-.")[:100].strip("-.") or "site"
    return f"{folder}-site" if folder in RESERVED_NAMES else folder


def parse_sites(text: str, source: str) -> list[Site]:
    """The sites listed in a sites file's text; UsageError names the line of a bad one."""
    sites: list[Site] = []
    by_folder: dict[str, Site] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{source}, line {number}"
        address, *rest = line.split(None, 1)
        name = rest[0] if rest else ""
        if "," in urlsplit(address).netloc:
            raise UsageError(
                f"{where}: {address!r} is not a web address; put the name after the URL "
                "with spaces, not a comma"
            )
        try:
            url = check_start_url(address)
        except UsageError as exc:
            raise UsageError(f"{where}: {exc}") from None
        folder = site_folder(url)
        earlier = by_folder.get(folder)
        if earlier is not None:
            raise UsageError(
                f"{where}: {address} is the same site as line {earlier.line} "
                f"(both would be audited into {folder}/); list it once"
            )
        site = Site(url=url, name=" ".join(name.split()), folder=folder, line=number)
        by_folder[folder] = site
        sites.append(site)
    if not sites:
        raise UsageError(f"{source} lists no sites: give one URL a line, optionally with a name")
    return sites


def read_sites(path: Path) -> list[Site]:
    """The sites in a sites file; UsageError when it cannot be read or has a bad line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"sites file {path} is not UTF-8 text") from None
    except OSError as exc:
        raise UsageError(f"cannot read sites file {path}: {exc.strerror or exc}") from None
    return parse_sites(text, str(path))


def check_out_dir(out_dir: Path) -> None:
    """Refuse an --out folder holding a single site's report: the comparison's index.html
    would replace that report's overview."""
    for name in SINGLE_SITE_FILES:
        if (out_dir / name).exists():
            raise UsageError(
                f"{out_dir} holds a single site's report ({name}); "
                "give --sites an --out folder of its own"
            )


def forwarded_options(ctx: click.Context, skip: Collection[str]) -> list[str]:
    """The options typed on this command line, as arguments for each site's own `siteaudit
    audit`; options named in `skip` are left out.

    Defaults are left to the child, and so are values read from environment variables:
    the child inherits the environment, and a secret kept there stays out of its
    command line (which any user of the machine can list)."""
    args: list[str] = []
    for param in ctx.command.params:
        name = param.name
        if not isinstance(param, click.Option) or name is None or name in skip:
            continue
        if ctx.get_parameter_source(name) is not ParameterSource.COMMANDLINE:
            continue
        value = ctx.params[name]
        if param.is_flag:
            if value:
                args.append(param.opts[0])
            elif param.secondary_opts:
                args.append(param.secondary_opts[0])
            continue
        for one in value if param.multiple else (value,):
            args += [param.opts[0], *_as_arguments(param, one)]
    return args


def _as_arguments(param: click.Option, value: object) -> list[str]:
    """An option's parsed value back as command-line text."""
    if isinstance(value, tuple):
        return [str(v) for v in value]
    if isinstance(param.type, click.DateTime) and hasattr(value, "strftime"):
        return [value.strftime(param.type.formats[0])]
    return [str(value)]


def exit_code_of(codes: Sequence[int | None], *, interrupted: bool) -> int:
    """The exit code of a multi-site run: 130 when interrupted, else the highest of the
    sites' own codes (0 when every site was audited and none failed the gate)."""
    if interrupted:
        return EXIT_INTERRUPTED
    return max((c for c in codes if c is not None), default=0)


def failure_reason(lines: Sequence[str]) -> str:
    """The one-line error a failed audit printed last (`siteaudit: ...`), without the
    program's name; warnings and notes are not errors."""
    for line in reversed(lines):
        if line.startswith("siteaudit: ") and not line.startswith(
            ("siteaudit: warning:", "siteaudit: note:")
        ):
            reason = line.removeprefix("siteaudit: ").strip()
            return reason.removeprefix("error: ")
    return "the audit stopped without saying why; see its log"


class SitesRun:
    """Audits a list of sites in child processes and keeps the comparison index current."""

    def __init__(
        self,
        sites: Sequence[Site],
        out_dir: Path,
        options: Sequence[str],
        *,
        parallel: int = 1,
        debug: bool = False,
        echo: Callable[[str, bool], None] | None = None,
    ) -> None:
        self.sites = list(sites)
        self.out_dir = out_dir
        self.options = list(options)
        self.parallel = max(1, parallel)
        self.debug = debug
        self.echo = echo
        """Where a lone audit's output goes, line by line (with `True` for its error
        lines); None keeps it in each site's log only, as parallel audits would mix."""
        self.results: list[SiteResult] = [
            SiteResult(url=s.url, folder=s.folder, state="waiting", name=s.name) for s in sites
        ]
        self.interrupted = False
        self._ctrl_c_received = 0
        self._ctrl_c_passed_on = 0
        self._lock = threading.Lock()
        self._running: list[subprocess.Popen[str]] = []

    def command(self, site: Site) -> list[str]:
        """The command line auditing one site into its folder."""
        return [
            sys.executable,
            "-m",
            "audits.cli",
            *(["--debug"] if self.debug else []),
            "audit",
            site.url,
            "--out",
            str(self.out_dir / site.folder),
            *self.options,
        ]

    def run(self) -> int:
        """Audit every site; return the run's exit code (see `exit_code_of`)."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        write_comparison(self.results, self.out_dir, finished=False)
        with (
            self._ctrl_c_counted(),
            ThreadPoolExecutor(max_workers=self.parallel, thread_name_prefix="site") as pool,
        ):
            pending: set[Future[None]] = {
                pool.submit(self._audit_one, index) for index in range(len(self.sites))
            }
            while pending:
                done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                self._pass_on_ctrl_c()
                for future in done:
                    future.result()
                if done:
                    with self._lock:
                        results = list(self.results)
                    write_comparison(results, self.out_dir, finished=not pending)
        self._pass_on_ctrl_c()
        return exit_code_of([r.exit_code for r in self.results], interrupted=self.interrupted)

    @contextlib.contextmanager
    def _ctrl_c_counted(self) -> Iterator[None]:
        """While the sites run, Ctrl-C is counted, not raised: a KeyboardInterrupt can
        surface at any bytecode of the waiting loop, and one raised outside its `try`
        left the pool to run every remaining site before the run could stop."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def count(signum: int, frame: object) -> None:
            self._ctrl_c_received += 1

        previous = signal.signal(signal.SIGINT, count)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)

    def _pass_on_ctrl_c(self) -> None:
        """Interrupt the run once for every Ctrl-C received since the last call."""
        while self._ctrl_c_passed_on < self._ctrl_c_received:
            self._ctrl_c_passed_on += 1
            self._interrupt()

    def _interrupt(self) -> None:
        """Ctrl-C: no more sites start, and each running audit is interrupted as a single
        one would be (a second Ctrl-C stops them at once, as it does a single audit)."""
        with self._lock:
            self.interrupted = True
            running = list(self._running)
        for proc in running:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)

    def _audit_one(self, index: int) -> None:
        site = self.sites[index]
        folder = self.out_dir / site.folder
        began = time.monotonic()
        if self.echo is not None and not self.interrupted:
            self.echo(f"[{index + 1}/{len(self.sites)}] {site.name or site.url}", False)
        ran = self._run_child(site, folder)
        if ran is None:
            return
        code, lines = ran
        state = STATE_OF_EXIT.get(code, "not-audited")
        figures = None
        if state in FIGURED_STATES:
            figures = read_figures(folder / "audit.db", site.url)
        result = SiteResult(
            url=site.url,
            folder=site.folder,
            state=state,
            name=site.name,
            reason="" if state in FIGURED_STATES else failure_reason(lines),
            exit_code=code,
            figures=figures,
        )
        if self.echo is None:
            took = time.monotonic() - began
            click.echo(f"{site.url}: {result.reason or result.state} ({took:.0f} s)")
        with self._lock:
            self.results[index] = result

    def _run_child(self, site: Site, folder: Path) -> tuple[int, deque[str]] | None:
        """Run one site's audit, keeping its output in its folder's log: (exit code, its
        last lines), or None when the run was interrupted before it could start."""
        lines: deque[str] = deque(maxlen=LINES_KEPT)
        with self._lock:
            if self.interrupted:
                return None
            folder.mkdir(parents=True, exist_ok=True)
            # Started under the lock, so that `_interrupt` sees every audit that starts.
            # A session of its own, so that Ctrl-C reaches it once, from us (a second
            # SIGINT would make Scrapy stop at once, without writing the reports).
            proc = subprocess.Popen(
                self.command(site),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                text=True,
                errors="replace",
                start_new_session=True,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
                # Gone with this run, kill -9 included. This pool thread waits for the
                # audit, so it outlives it (see audits.core.children).
                preexec_fn=preexec_exit_with_parent(),
            )
            self._running.append(proc)
        try:
            with open(folder / SITE_LOG, "w", encoding="utf-8") as log:
                self._copy_output(proc.stdout, log, lines)
            code = proc.wait()
        finally:
            with self._lock:
                self._running.remove(proc)
        # Killed by a signal (the out-of-memory killer, say): counted as shells do.
        return (code if code >= 0 else 128 - code), lines

    def _copy_output(self, stream: IO[str] | None, log: IO[str], lines: deque[str]) -> None:
        assert stream is not None
        for line in stream:
            log.write(line)
            text = line.rstrip("\n")
            lines.append(text)
            if self.echo is not None:
                self.echo(text, text.startswith("siteaudit: "))


def audit_sites(ctx: click.Context, sites_file: Path, parallel: int) -> int:
    """`siteaudit audit --sites FILE`: check the list and the options, audit every site,
    write the comparison; returns the exit code (see `exit_code_of`)."""
    params = ctx.params
    for name, flag in (("urls_file", "--urls"), ("baseline_path", "--baseline")):
        if params.get(name) is not None:
            raise UsageError(f"{flag} belongs to one site's audit; it cannot be used with --sites")
    sites = read_sites(sites_file)
    out_dir: Path = params["out_dir"]
    check_out_dir(out_dir)
    check_shared_config(params.get("config_path"), params.get("formats"), params["no_plugins"])
    options = forwarded_options(ctx, skip={"out_dir", "sites_file", "parallel"})
    debug = bool(ctx.find_root().params.get("debug", False))

    def echo(text: str, err: bool) -> None:
        click.echo(text, err=err)

    run = SitesRun(
        sites,
        out_dir,
        options,
        parallel=parallel,
        debug=debug,
        echo=echo if parallel == 1 else None,
    )
    click.echo(f"Auditing {len(sites)} sites into {out_dir}, {run.parallel} at a time")
    code = run.run()
    counts = Counter(r.state for r in run.results)
    click.echo(
        f"Comparison of {len(sites)} sites: {out_dir / 'index.html'} ("
        + ", ".join(f"{n} {STATES[s].lower()}" for s, n in counts.items())
        + ")"
    )
    if code == EXIT_INTERRUPTED:
        click.echo("siteaudit: interrupted; what each site's store holds is kept", err=True)
    return code


def check_shared_config(config_path: str | None, formats: str | None, no_plugins: bool) -> None:
    """Fail once, before any site is audited, on what would fail every site's audit, and on
    settings that belong to one site's audit only."""
    config = load_config(config_path)
    if config.store:
        raise UsageError(
            f"{config_path}: [store] path names one file, but with --sites each site keeps "
            "its own store in its folder; remove it"
        )
    if config.report.page_views:
        raise UsageError(
            f"{config_path}: [report] page_views is one site's analytics; "
            "it cannot be used with --sites"
        )
    if formats is not None:
        try:
            parse_formats(formats)
        except ValueError as exc:
            raise UsageError(f"--format: {exc}") from None
    rule_engine(dataclasses.replace(config, plugins=False) if no_plugins else config)
