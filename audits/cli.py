"""The `siteaudit` command.

Exit codes: 0 done; 1 findings at or above --fail-on; 2 usage or configuration error;
3 the site could not be crawled; 4 an internal error (a bug: please report it);
5 the browser stage did not run and --require-browser asks for it;
130 interrupted (what was stored is kept).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import sys
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from audits import __version__
from audits.core.config import AuditConfig, ConfigError, load_config, parse_report
from audits.core.coverage import BROWSER
from audits.core.errors import (
    EXIT_FINDINGS,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    REDIS_ENV,
    RequiredStageSkipped,
    SiteauditError,
    UsageError,
    did_you_mean,
)
from audits.core.runnotes import network_notes
from audits.engine import AuditResult, audit, check_start_url
from audits.gate import judge, load_baseline, parse_gate, write_baseline
from audits.rule_engine import available_rules, with_as_of
from audits.stages.report import render
from audits.store import PRUNED_STAT, Store
from reports.rule_docs import rule_markdown, rule_text, rules_markdown
from rules.base import Severity


def _fail(message: str, code: int) -> None:
    click.echo(f"siteaudit: {message}", err=True)
    sys.exit(code)


def _closed_pipe() -> None:
    """The reader went away (`siteaudit rules | head -n 1`): it had all it wanted, so
    exit quietly, and point stdout at nothing so the final flush cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(0)


def friendly_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn every failure into one readable line and a documented exit code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = click.get_current_context().find_root().params.get("debug", False)
        try:
            return command(*args, **kwargs)
        except BrokenPipeError:
            _closed_pipe()
        except SiteauditError as exc:
            _fail(exc.line(), exc.exit_code)
        except KeyboardInterrupt:
            _fail("interrupted; what was stored is kept", EXIT_INTERRUPTED)
        except Exception as exc:
            if debug:
                traceback.print_exc()
            _fail(
                f"internal error: {type(exc).__name__}: {exc} "
                "(rerun with --debug for details; please report this)",
                EXIT_INTERNAL,
            )

    return wrapper


class OneLineErrors(click.Group):
    """Click's own usage errors (a bad option value, a missing argument) in siteaudit's
    one-line style, instead of a usage block and "Try --help"."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)
        except click.ClickException as exc:
            where = f" (see `{exc.ctx.command_path} --help`)" if getattr(exc, "ctx", None) else ""
            _fail(f"error: {exc.format_message()}{where}", exc.exit_code)
        except click.Abort:
            _fail("interrupted", EXIT_INTERRUPTED)
        except BrokenPipeError:
            _closed_pipe()
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="siteaudit")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
def main(debug: bool) -> None:
    """Audit a council website: links, freshness, readability, accessibility, forms, contact."""


def _crawl_options(command: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option(
            "--config",
            "config_path",
            type=click.Path(dir_okay=False),
            help="TOML configuration file.",
        ),
        click.option(
            "--out",
            "out_dir",
            type=click.Path(file_okay=False, path_type=Path),
            default=Path("siteaudit-report"),
            show_default=True,
            help="Folder for the reports and (unless configured) the store.",
        ),
        click.option("--max-pages", type=click.IntRange(min=1), help="Stop after this many URLs."),
        click.option(
            "--max-depth",
            type=click.IntRange(min=0),
            help="Follow links at most this many clicks deep (0: no limit, as in the config).",
        ),
        click.option(
            "--concurrency",
            type=click.IntRange(min=1),
            help="Requests in flight at once to the site.",
        ),
        click.option(
            "--delay", type=click.FloatRange(min=0), help="Seconds between requests to the site."
        ),
        click.option(
            "--page-workers",
            type=click.IntRange(min=0),
            help="Processes running page rules (0: in the crawler's process).",
        ),
        click.option(
            "--redis",
            "redis_url",
            envvar=REDIS_ENV,
            metavar="URL",
            help="Share the crawl between workers through this Redis (redis://HOST:PORT/DB; "
            f"also read from ${REDIS_ENV}, better for a URL with a password).",
        ),
        click.option(
            "--workers",
            type=click.IntRange(min=0),
            default=1,
            show_default=True,
            help="With --redis: crawler workers to start on this machine "
            "(`siteaudit worker` adds more elsewhere).",
        ),
        click.option("--no-plugins", is_flag=True, help="Run the built-in rules only."),
        click.option(
            "--no-browser",
            is_flag=True,
            help="Skip the accessibility checks in headless Chromium (axe-core).",
        ),
        click.option("--quiet", "-q", is_flag=True, help="No progress lines."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


_FORMAT_OPTION = click.option(
    "--format",
    "formats",
    metavar="LIST",
    help="Outputs to write, comma-separated: html,json,csv,sarif,junit "
    "(default: [report] formats in the config, else html,json).",
)


def _with_formats(config: AuditConfig, formats: str | None) -> AuditConfig:
    """The config with --format's outputs, checked; UsageError names a bad one."""
    if formats is None:
        return config
    from reports import parse_formats

    try:
        chosen = parse_formats(formats)
    except ValueError as exc:
        raise UsageError(f"--format: {exc}") from None
    return dataclasses.replace(config, report=dataclasses.replace(config.report, formats=chosen))


class _Day(click.ParamType):
    """A calendar day written YYYY-MM-DD, as a datetime at midnight."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, datetime):
            return value
        try:
            return datetime.strptime(str(value), "%Y-%m-%d")
        except ValueError:
            self.fail(f"{value!r} is not a date; give YYYY-MM-DD, such as 2024-03-01", param, ctx)


_AS_OF_OPTION = click.option(
    "--as-of",
    "as_of",
    type=_Day(),
    metavar="YYYY-MM-DD",
    help="Judge dates as if today were this day, YYYY-MM-DD (reproducible runs): sets the "
    "as_of option of every rule that has one.",
)


def _check_page_views(config: AuditConfig, url: str) -> None:
    """Fail before crawling, not after, when the page views file cannot be used."""
    if config.report.page_views:
        from reports.pageviews import PageViewsError, load_page_views

        try:
            load_page_views(config.report.page_views, url)
        except (PageViewsError, ValueError) as exc:
            raise ConfigError(str(exc)) from None


def _gate_options(command: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option(
            "--fail-on",
            type=click.Choice([s.value for s in Severity]),
            help="Exit 1 when findings this severe or worse exist ([gate] thresholds apply).",
        ),
        click.option(
            "--baseline",
            "baseline_path",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Accepted findings (from `siteaudit baseline`): only others fail the gate.",
        ),
        click.option(
            "--urls",
            "urls_file",
            type=click.Path(dir_okay=False, exists=True, path_type=Path),
            help="Audit only the pages listed in this file (one URL a line) and check their links.",
        ),
        click.option(
            "--resume", is_flag=True, help="Carry on the site's last run if it was interrupted."
        ),
        click.option(
            "--incremental",
            is_flag=True,
            help="Reuse the last run's results for pages the server says are unchanged.",
        ),
        click.option(
            "--require-browser",
            is_flag=True,
            help="Exit 5 when the accessibility checks in a browser did not run "
            "(no axe-core or Chromium: `siteaudit setup`); also [gate] require_browser.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _audit_options(command: Callable[..., Any], url_required: bool = True) -> Callable[..., Any]:
    for decorate in (friendly_errors, _gate_options, _AS_OF_OPTION, _FORMAT_OPTION, _crawl_options):
        command = decorate(command)
    return click.argument("url", required=url_required)(command)


@main.command("audit")
@click.option(
    "--sites",
    "sites_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Audit every site in this file (one URL a line, optionally followed by a name) "
    "into a folder each under --out, and write a comparison index (docs/multisite.md).",
)
@click.option(
    "--parallel",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="With --sites: audit this many sites at a time.",
)
@functools.partial(_audit_options, url_required=False)
def audit_command(url: str | None, sites_file: Path | None, parallel: int, **options: Any) -> None:
    """Crawl the site at URL and audit it; write the store and the reports to --out.
    With --sites FILE instead of URL, audit every site listed and compare them."""
    if sites_file is None:
        if url is None:
            raise UsageError("give the URL of the site to audit, or --sites FILE")
        _audit(AuditRequest(url, **options), default_fail_on=None)
        return
    if url is not None:
        raise UsageError("give either a URL or --sites FILE, not both")
    from audits.multisite import audit_sites

    sys.exit(audit_sites(click.get_current_context(), sites_file, parallel))


@main.command("check")
@_audit_options
def check_command(url: str, **options: Any) -> None:
    """Audit URL as a release gate: exit 1 on findings at or above the threshold
    (--fail-on, else [gate] fail_on, else high), or only on those not in --baseline."""
    _audit(AuditRequest(url, **options), default_fail_on=Severity.HIGH.value)


@dataclasses.dataclass(frozen=True)
class AuditRequest:
    """What `siteaudit audit URL` or `check URL` was asked to do, one field per option."""

    url: str
    out_dir: Path
    config_path: str | None = None
    formats: str | None = None
    as_of: datetime | None = None
    max_pages: int | None = None
    max_depth: int | None = None
    concurrency: int | None = None
    delay: float | None = None
    page_workers: int | None = None
    redis_url: str | None = None
    workers: int = 1
    no_plugins: bool = False
    no_browser: bool = False
    quiet: bool = False
    fail_on: str | None = None
    baseline_path: Path | None = None
    urls_file: Path | None = None
    resume: bool = False
    incremental: bool = False
    require_browser: bool = False

    def config(self) -> AuditConfig:
        """The configuration file's settings with the command line's over them, checked."""
        config = load_config(self.config_path).with_crawl(
            max_pages=self.max_pages,
            max_depth=self.max_depth,
            concurrency=self.concurrency,
            delay=self.delay,
            page_workers=self.page_workers,
            incremental=self.incremental or None,
        )
        if self.no_plugins:
            config = dataclasses.replace(config, plugins=False)
        if self.no_browser:
            config = config.with_browser(enabled=False)
        config = _with_formats(config, self.formats)
        if self.as_of is not None:
            config = with_as_of(config, self.as_of.date())
        _check_page_views(config, self.url)
        return config


def _audit(request: AuditRequest, *, default_fail_on: str | None) -> None:
    config = request.config()
    threshold = request.fail_on or config.gate.get("fail_on") or default_fail_on
    gate = None
    if threshold is not None or request.baseline_path is not None:
        categories = {k: v for k, v in config.gate.items() if k != "fail_on"}
        gate = parse_gate(threshold or Severity.HIGH.value, categories, "[gate]")
    baseline = None
    if request.baseline_path is not None:
        baseline = load_baseline(request.baseline_path)
    only_urls = _read_urls(request.urls_file) if request.urls_file is not None else None
    if request.redis_url is None and request.workers != 1:
        raise UsageError("--workers starts crawler workers of a crawl shared through --redis")
    require_browser = request.require_browser or config.require_browser
    if require_browser and not config.browser.enabled:
        raise UsageError(
            "the browser stage is required (--require-browser or [gate] require_browser) "
            "but turned off (--no-browser or [browser] enabled = false)"
        )
    result = audit(
        request.url,
        config,
        request.out_dir,
        progress=not request.quiet,
        resume=request.resume,
        only_urls=only_urls,
        redis_url=request.redis_url,
        workers=request.workers,
    )
    _print_summary(result)
    if result.status == "interrupted":
        sys.exit(EXIT_INTERRUPTED)
    passed = True
    if gate is not None:
        store = Store(str(result.store_path))
        try:
            decision = judge([f.finding for f in store.findings(result.run_id)], gate, baseline)
            # A gate that passed because nothing out there could be checked says so.
            notes = network_notes(store.site(result.run_id))
        finally:
            store.close()
        for line in (*decision.summary(), *notes):
            click.echo(line)
        passed = decision.passed
    browser = result.stages.get(BROWSER)
    if require_browser and (browser is None or not browser.ran):
        # Before the findings gate: a pass without the browser's checks means little.
        why = f" ({browser.reason})" if browser is not None and browser.reason else ""
        fix = f"; run `{browser.fix}`" if browser is not None and browser.fix else ""
        raise RequiredStageSkipped(f"the browser stage did not run{why}{fix}")
    if not passed:
        sys.exit(EXIT_FINDINGS)


def _read_urls(path: Path) -> list[str]:
    """The URLs in a --urls file: one a line; blank lines and # comments skipped."""
    lines = path.read_text(encoding="utf-8").splitlines()
    urls = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    for line in urls:
        check_start_url(line)
    if not urls:
        raise UsageError(f"--urls {path} lists no URLs")
    return urls


@main.command("worker")
@click.option(
    "--redis",
    "redis_url",
    envvar=REDIS_ENV,
    required=True,
    metavar="URL",
    help=f"The Redis the coordinator uses (redis://HOST:PORT/DB; also read from ${REDIS_ENV}).",
)
@click.option("--job", help="The shared crawl to join (default: any under way).")
@click.option("--name", help="This worker's name in logs (default: host name and process id).")
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    help="Seconds to wait for a crawl to join (default: until one starts).",
)
@click.option(
    "--page-workers",
    type=click.IntRange(min=0),
    help="Processes running page rules (0: in the crawler's process).",
)
@click.option(
    "--log",
    "log_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write Scrapy's log to this file.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress lines.")
@friendly_errors
def worker_command(
    redis_url: str,
    job: str | None,
    name: str | None,
    wait: float | None,
    page_workers: int | None,
    log_file: Path | None,
    quiet: bool,
) -> None:
    """Join a crawl shared through Redis (started by `siteaudit audit URL --redis ...`)
    as one more worker; exit when the crawl is over."""
    from audits.stages.shared_crawl import work

    stats = work(
        redis_url,
        job=job,
        name=name,
        wait=wait,
        page_workers=page_workers,
        progress=not quiet,
        log_file=log_file,
    )
    if not quiet:
        pages = stats.get("siteaudit/pages_html", 0)
        click.echo(f"worker done: {pages} pages crawled here", err=True)


@main.command("baseline")
@click.argument("db", type=click.Path(dir_okay=False))
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("siteaudit-baseline.json"),
    show_default=True,
)
@click.option("--run", "run_id", type=int, help="Run id (default: the latest).")
@friendly_errors
def baseline_command(db: str, out_file: Path, run_id: int | None) -> None:
    """Accept a run's findings: write their fingerprints for `--baseline`."""
    _check_store_path(db)
    store = Store(db)
    try:
        run = store.run(run_id)
        count = write_baseline(out_file, [f.finding for f in store.findings(run.id)], run.start_url)
    finally:
        store.close()
    click.echo(f"Baseline of {count} findings from run {run.id} written to {out_file}")


def _check_store_path(db: str) -> None:
    """UsageError unless `db` is a file (the store of an earlier audit)."""
    if not Path(db).is_file():
        raise UsageError(f"no store at {db}; give the audit.db file of an earlier audit")


def _print_summary(result: AuditResult) -> None:
    if result.status == "interrupted":
        click.echo(
            f"Interrupted: kept {result.pages} pages in {result.store_path}; "
            "the reports below cover the pages crawled so far."
        )
    click.echo(
        f"Audited {result.pages} pages of {result.start_url} "
        f"({result.other_urls} other URLs checked) in {result.seconds:.1f} s."
    )
    order = ("critical", "high", "medium", "low", "info")
    counts = ", ".join(f"{result.findings[s]} {s}" for s in order if result.findings[s])
    total = sum(result.findings.values())
    click.echo(f"Findings: {total}" + (f" ({counts})" if counts else ""))
    if result.rule_errors:
        click.echo(f"Rule errors: {result.rule_errors} (listed in the report)")
    for name, path in result.outputs.items():
        click.echo(f"{name}: {path}")
    click.echo(f"Store: {result.store_path} (run {result.run_id})")
    for warning in result.warnings:
        click.echo(f"siteaudit: warning: {warning}", err=True)


@main.command("rules")
@click.argument("rule_id", required=False)
@click.option("--no-plugins", is_flag=True, help="Built-in rules only.")
@click.option(
    "--markdown",
    is_flag=True,
    help="Full documentation as Markdown (docs/rules.md is this, with --no-plugins).",
)
@friendly_errors
def rules_command(rule_id: str | None, no_plugins: bool, markdown: bool) -> None:
    """List every rule, or show one rule's full documentation."""
    rules = available_rules(plugins=not no_plugins)
    if rule_id is not None and rule_id not in rules:
        raise UsageError(
            f"no rule {rule_id!r}{did_you_mean(rule_id, rules)}; `siteaudit rules` lists them"
        )
    listed = sorted(rules.values(), key=lambda r: (r.category, r.id))
    if markdown:
        click.echo(rule_markdown(rules[rule_id]) if rule_id else rules_markdown(listed))
    elif rule_id:
        click.echo(rule_text(rules[rule_id]))
    else:
        width = max(len(r) for r in rules)
        for cls in listed:
            click.echo(f"{cls.id:<{width}}  {cls.category:<13} {cls.severity:<8}  {cls.title}")


@main.command("report")
@click.argument("db", type=click.Path(dir_okay=False))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("siteaudit-report"),
    show_default=True,
)
@click.option("--run", "run_id", type=int, help="Run id (default: the latest).")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="TOML configuration whose [report] settings to use (default: the run's own).",
)
@_FORMAT_OPTION
@friendly_errors
def report_command(
    db: str, out_dir: Path, run_id: int | None, config_path: str | None, formats: str | None
) -> None:
    """Write the reports again from a store, without crawling."""
    _check_store_path(db)
    store = Store(db)
    try:
        run = store.run(run_id)
        if PRUNED_STAT in run.stats:
            raise UsageError(
                f"run {run.id}'s details were deleted ([store] keep_runs); "
                "`siteaudit history` still shows its figures"
            )
        config = load_config(config_path) if config_path else _recorded_config(run.config)
        outputs = render(store, run.id, out_dir, _with_formats(config, formats))
    finally:
        store.close()
    for name, path in outputs.items():
        click.echo(f"{name}: {path}")


def _recorded_config(recorded: Any) -> AuditConfig:
    """The [report] settings a run was audited with (defaults for runs that have none)."""
    raw = recorded.get("report") if isinstance(recorded, dict) else None
    if not isinstance(raw, dict):
        return AuditConfig()
    try:
        report = parse_report(raw, "the run's recorded [report]")
    except ConfigError:
        return AuditConfig()
    if report.page_views and not Path(report.page_views).is_file():
        click.echo(
            f"siteaudit: note: {report.page_views} is gone; priorities use crawl signals", err=True
        )
        report = dataclasses.replace(report, page_views=None)
    return AuditConfig(report=report)


@main.command("history")
@click.argument("db", type=click.Path(dir_okay=False), default="siteaudit-report/audit.db")
@click.option("--json", "as_json", is_flag=True, help="Print the runs as JSON.")
@friendly_errors
def history_command(db: str, as_json: bool) -> None:
    """List the runs in a store (default: siteaudit-report/audit.db) with findings per category."""
    _check_store_path(db)
    from reports.health import CATEGORIES, category_counts

    store = Store(db)
    try:
        runs = store.runs()
        counts = category_counts(store, [r.id for r in runs])
        pages = store.html_page_counts()
    finally:
        store.close()
    rows = [
        {
            "run": r.id,
            "start_url": r.start_url,
            "started": r.started,
            "status": r.status,
            "pages": pages.get(r.id, r.stats.get(PRUNED_STAT, {}).get("pages", 0)),
            "findings": sum(counts[r.id].values()),
            "by_category": counts[r.id],
        }
        for r in runs
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo(f"{db} holds no runs yet")
        return
    header = ["run", "started", "status", "pages", "findings", *CATEGORIES]
    for site in dict.fromkeys(r["start_url"] for r in rows):
        table = [header] + [
            [
                str(r["run"]),
                r["started"].replace("T", " ")[:16],
                r["status"],
                str(r["pages"]),
                str(r["findings"]),
                *(str(r["by_category"][c]) for c in CATEGORIES),
            ]
            for r in rows
            if r["start_url"] == site
        ]
        widths = [max(len(line[i]) for line in table) for i in range(len(header))]
        click.echo(site)
        for line in table:
            click.echo(
                "  "
                + "  ".join(
                    cell.rjust(w) if n > 2 else cell.ljust(w)
                    for n, (cell, w) in enumerate(zip(line, widths, strict=True))
                )
            )


@main.command("setup")
@click.option(
    "--registry",
    envvar="SITEAUDIT_NPM_REGISTRY",
    default="https://registry.npmjs.org",
    show_default=True,
    metavar="URL",
    help="The npm registry (or mirror) to fetch axe-core from; "
    "also read from $SITEAUDIT_NPM_REGISTRY.",
)
@friendly_errors
def setup_command(registry: str) -> None:
    """Find or install what the accessibility checks in a browser need (axe-core, Chromium,
    chromedriver) and print each one's version; exit 1 while something is missing."""
    from audits.setup import setup

    if not setup(registry, echo=click.echo):
        sys.exit(1)


DEMO_PORT = 8642
"""The demo's port unless taken: a fixed address keeps `siteaudit demo` one site across runs."""


@main.command("demo")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("siteaudit-demo"),
    show_default=True,
)
@click.option(
    "--port",
    type=click.IntRange(min=0, max=65535),
    default=DEMO_PORT,
    show_default=True,
    help="Serve the demo on this port (0: any free one). The same port each run makes it "
    "the same site to the store, so a second demo shows what changed and the trends.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress lines.")
@friendly_errors
def demo_command(out_dir: Path, port: int, quiet: bool) -> None:
    """Serve the bundled demo council site on 127.0.0.1 and audit it; the first time, audit
    it as it was on four earlier days of the month too, so the report shows trends."""
    from audits.demo import audit_the_month, demo_config
    from audits.siteserver import DEMO_ROOT, StaticSiteServer

    try:
        server = StaticSiteServer(DEMO_ROOT, port=port).start()
    except OSError:
        server = StaticSiteServer(DEMO_ROOT).start()
        click.echo(f"Port {port} is in use: this demo is a new site to the store")
    try:
        click.echo(f"Serving the demo council site at {server.url}/")
        audit_the_month(server, out_dir, click.echo, progress=not quiet)
        click.echo("Today:")
        result = audit(f"{server.url}/", demo_config(), out_dir, progress=not quiet)
    finally:
        server.stop()
    _print_summary(result)
    click.echo(f"\nOpen the report: {(out_dir / 'index.html').resolve().as_uri()}")


if __name__ == "__main__":
    main()
