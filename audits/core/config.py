"""`siteaudit.toml`: parsed into frozen dataclasses, unknown keys rejected by name.

```toml
[crawl]
max_pages = 20000
exclude = ["/search", "\\\\?print="]

[browser]
workers = 2

[store]
path = "council.db"

[rules.reading-age]
target = 9
```
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, get_type_hints

from audits.core.errors import SiteauditError, did_you_mean


class ConfigError(SiteauditError):
    """The configuration cannot be used; the message says what to change."""


@dataclass(frozen=True)
class CrawlConfig:
    """How the site is walked."""

    max_pages: int = 50_000
    """Stop after this many in-scope URLs (pages and documents)."""
    max_depth: int = 0
    """Follow links at most this many clicks from the start URL; 0 means no limit."""
    concurrency: int = 8
    """Requests in flight at once to each host."""
    delay: float = 0.0
    """Seconds between requests to one host (robots.txt Crawl-delay wins when longer)."""
    max_crawl_delay: float = 10.0
    """Longest robots.txt Crawl-delay honoured on the site's own hosts, in seconds; a
    longer ask is cut to this, and the console and the report say so."""
    timeout: float = 15.0
    """Seconds to wait for a response."""
    include: tuple[str, ...] = ()
    """Regular expressions: when given, only in-scope URLs matching one are crawled."""
    exclude: tuple[str, ...] = ()
    """Regular expressions: in-scope URLs matching one are not crawled."""
    hosts: tuple[str, ...] = ()
    """Other hosts that are part of the site (the start URL's host always is)."""
    max_url_variants: int = 50
    """Most query-string variants of one path to crawl, the bare path included (stops
    calendars and the like)."""
    max_family_pages: int = 1000
    """Most pages of one URL shape to crawl: paths that differ only in numbers or dates,
    such as /events/2024/05/ (stops endless calendars; news archives are far smaller)."""
    check_external: bool = True
    """Request external link targets for their status (never crawled)."""
    external_concurrency: int = 2
    """Requests in flight at once to each external host: other people's servers."""
    external_delay: float = 0.0
    """Seconds between requests to one external host (their robots.txt Crawl-delay wins)."""
    external_cache_hours: float = 24.0
    """Reuse an external link's OK verdict from an earlier run this recent; 0 re-checks all."""
    incremental: bool = False
    """Ask the server whether each page changed since the last finished run (ETag,
    Last-Modified) and reuse the results of those that did not; for nightly audits."""
    retries: int = 2
    """Times a server error (5xx) or rate limit (429) is retried, with growing waits."""
    max_retry_after: float = 30.0
    """Longest Retry-After wait honoured, in seconds; longer asks are treated as refusals."""
    use_sitemaps: bool = True
    """Read robots.txt Sitemap lines and /sitemap.xml to find pages."""
    max_sitemaps: int = 100
    """Most sitemap files fetched, sitemap indexes included (the report says when more
    are listed)."""
    max_sitemap_urls: int = 0
    """Most addresses read from sitemaps, all files together; 0 means `max_pages`."""
    max_page_bytes: int = 10 * 1024 * 1024
    """Larger responses are abandoned and reported."""
    page_workers: int = -1
    """Processes running the page rules; -1 picks one per CPU core, 0 runs them inline."""
    page_analysis_timeout: float = 30.0
    """Seconds one page's rules may take in a page worker; a page taking longer has its
    worker killed and is stored with a rule error ("too large to analyse")."""
    max_pdf_bytes: int = 20 * 1024 * 1024
    """PDFs are downloaded and read (their links, their accessibility) up to this size,
    even above `max_page_bytes`; a larger one is recorded as not checked, not as broken."""
    pdf_timeout: float = 15.0
    """Seconds reading one PDF may take in a page worker; a PDF taking longer (a hostile
    or broken file) has its worker killed and is recorded as not checked."""

    def __post_init__(self) -> None:
        if self.page_analysis_timeout <= 0:
            raise ValueError("page_analysis_timeout must be a number of seconds above 0")
        if self.pdf_timeout <= 0 or self.max_pdf_bytes < 0:
            raise ValueError("pdf_timeout must be above 0 seconds, max_pdf_bytes 0 or more")
        if self.max_url_variants < 1 or self.max_family_pages < 1:
            raise ValueError("max_url_variants and max_family_pages must be 1 or more")
        if self.max_crawl_delay < 0:
            raise ValueError("max_crawl_delay must be 0 or more seconds")
        if self.max_sitemaps < 0 or self.max_sitemap_urls < 0:
            raise ValueError("max_sitemaps and max_sitemap_urls must be 0 or more")

    @property
    def sitemap_url_budget(self) -> int:
        """Most addresses read from sitemaps: `max_sitemap_urls`, else `max_pages`."""
        return self.max_sitemap_urls or self.max_pages


DEFAULT_AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")
"""axe-core tags run by default: WCAG 2.0, 2.1 and 2.2, levels A and AA."""
AAA_AXE_TAGS = ("wcag2aaa", "wcag21aaa", "wcag22aaa")
"""axe-core tags of WCAG level AAA, run with `[browser] aaa = true`."""
DEFAULT_EXTRA_RULES = (
    "css-orientation-lock",
    "empty-heading",
    "empty-table-header",
    "image-redundant-alt",
    "landmark-banner-is-top-level",
    "landmark-contentinfo-is-top-level",
    "landmark-main-is-top-level",
    "landmark-no-duplicate-banner",
    "landmark-no-duplicate-contentinfo",
    "landmark-no-duplicate-main",
    "landmark-one-main",
    "page-has-heading-one",
    "presentation-role-conflict",
    "region",
    "skip-link",
    "tabindex",
)
"""axe-core rules run by default beside the tagged ones. One is a WCAG 2.1 AA check that
axe-core still calls experimental (css-orientation-lock: a page locked to portrait or
landscape, 1.3.4). The others are best-practice rules, not WCAG requirements, that each
find a barrier people meet: no main landmark or h1 to jump to, content outside every
landmark, an empty heading or table header, a skip link going nowhere, a positive tabindex
scrambling the tab order, alt text repeating the text beside it, a decorative element that
is still exposed."""


@dataclass(frozen=True)
class BrowserConfig:
    """The browser stage: axe-core in headless Chromium on every crawled HTML page."""

    enabled: bool = True
    """Run the browser stage (`--no-browser` turns it off for one run)."""
    workers: int = 0
    """Browsers running at once, each driven from its own thread; 0 means one per CPU core."""
    axe_path: str = ""
    """axe.min.js to inject; empty means $SITEAUDIT_AXE, else the copy `siteaudit setup`
    fetched, else vendor/ from `make setup`."""
    tags: tuple[str, ...] = DEFAULT_AXE_TAGS
    """axe-core rule tags to run."""
    extra_rules: tuple[str, ...] = DEFAULT_EXTRA_RULES
    """axe-core rules to run beside the tagged ones, by id (best-practice rules that find
    real barriers, by default)."""
    best_practice: bool = False
    """Run every one of axe-core's best-practice rules, not only `extra_rules`."""
    aaa: bool = False
    """Also run axe-core's WCAG AAA rules (enhanced contrast, identical links, timing)."""
    page_timeout: float = 30.0
    """Seconds a page may take to load, and axe-core to check it."""
    page_deadline: float = 60.0
    """Seconds a page may take in all (loading, checking, retries and browser restarts):
    after that its browser is killed and the page recorded as not checked."""
    max_page_bytes: int = 5 * 1024 * 1024
    """Pages larger than this (as the crawl downloaded them) are not loaded in the browser."""
    max_dom_elements: int = 50_000
    """Pages with more elements than this are not checked (axe-core's time grows with them)."""
    recycle_after: int = 300
    """Restart each browser after this many pages (Chromium's memory grows)."""
    screenshots: int = 50
    """Most element screenshots per run, for the top issues; 0 takes none."""
    max_pages: int = 0
    """Check at most this many pages in the browser, shallowest first; 0 means all."""
    incremental: bool = True
    """Reuse the last run's result for a page whose content and axe-core version are unchanged."""
    block: tuple[str, ...] = ()
    """More URL patterns for the browser not to load (images, fonts and media never are)."""

    def __post_init__(self) -> None:
        if self.workers < 0 or self.recycle_after < 1 or self.page_timeout <= 0:
            raise ValueError("workers must be 0 or more, recycle_after and page_timeout positive")
        if self.page_deadline <= 0 or self.max_page_bytes < 1 or self.max_dom_elements < 1:
            raise ValueError("page_deadline, max_page_bytes and max_dom_elements must be positive")


REPORT_FORMATS = ("html", "json", "csv", "sarif", "junit")
"""Outputs the reports can be written as."""


@dataclass(frozen=True)
class ReportConfig:
    """What the reports show and which files are written (`[report]`, see docs/reports.md)."""

    formats: tuple[str, ...] = ("html", "json")
    """Outputs to write: html, json, csv, sarif, junit (`--format` picks for one run)."""
    page_views: str | None = None
    """CSV of page views exported from GA4, Matomo or Plausible, for priorities by traffic."""
    sections: Mapping[str, str] = field(default_factory=dict)
    """URL prefix -> the team or owner of that part of the site (`[report.sections]`)."""

    def __post_init__(self) -> None:
        unknown = [f for f in self.formats if f not in REPORT_FORMATS]
        if unknown or not self.formats:
            raise ValueError(
                f"formats must be some of {', '.join(REPORT_FORMATS)}, not {', '.join(unknown) or 'none'}"
            )


@dataclass(frozen=True)
class ContentConfig:
    """Where a page's own content is (`[content]`), for templates without a <main> landmark."""

    main_selectors: tuple[str, ...] = ()
    """CSS selectors of the main content, tried in order before <main>, role=main and
    <article>; the content rules (reading age, dates, plain English) read only that part."""

    def __post_init__(self) -> None:
        from cssselect import GenericTranslator, SelectorError

        for selector in self.main_selectors:
            try:
                GenericTranslator().css_to_xpath(selector)
            except SelectorError as exc:
                raise ValueError(
                    f"main_selectors: {selector!r} is not a CSS selector ({exc})"
                ) from None


TOP_TASKS_RULE = "top-task-too-deep"
"""The rule `[[top_tasks]]` configures (its `tasks`, `task_patterns`, `task_max_clicks`)."""
TOP_TASK_PAGE_RULES = (
    "meta-description-missing",
    "meta-description-duplicate",
    "top-task-not-indexable",
)
"""Rules that weigh top task pages more (rules.analyses.top_tasks): `[[top_tasks]]` sets
their `tasks` and `task_patterns` too."""
STATEMENT_RULES = (
    "accessibility-statement-missing",
    "accessibility-statement-not-linked",
    "accessibility-statement-incomplete",
    "accessibility-statement-out-of-date",
)
"""The rules `[accessibility_statement] url` gives the statement's address to."""


@dataclass(frozen=True)
class TopTask:
    """One of the council's top tasks (`[[top_tasks]]`): where it leads, within how many clicks."""

    name: str
    url: str = ""
    """The page (a path such as /forms/missed-bin/, or a full URL) the task leads to..."""
    pattern: str = ""
    """...or a regular expression matched against page and link URLs."""
    max_clicks: int | None = None
    """Most clicks from the home page; the rule's `max_clicks` when not given."""
    search: tuple[str, ...] = ()
    """Phrases residents type for this task: each is searched for with the site's own
    search form, and the task's page should be among the first results (`[site_search]`)."""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError("each task needs a name")
        if any(not phrase.strip() for phrase in self.search):
            raise ValueError(f"task {self.name!r}: search phrases must not be empty")
        if bool(self.url) == bool(self.pattern):
            raise ValueError(f"task {self.name!r} needs a url or a pattern (one of them)")
        if self.pattern:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValueError(
                    f"task {self.name!r}: pattern is not a regular expression: {exc}"
                ) from None
        clicks = self.max_clicks
        if clicks is not None and (
            not isinstance(clicks, int) or isinstance(clicks, bool) or clicks < 0
        ):
            raise ValueError(f"task {self.name!r}: max_clicks must be a whole number, 0 or more")


PHRASE_PLACEHOLDER = "{phrase}"
"""Where the words go in `[site_search] url`."""


@dataclass(frozen=True)
class SiteSearchConfig:
    """`[site_search]`: how the top tasks' search phrases (`[[top_tasks]] search`) are
    put to the site's own search. Nothing is searched unless a task has phrases.

    The searches go to the search form's address even when `[crawl] exclude` (or
    `include`) keeps the crawl away from it: the phrases ask for it. robots.txt is obeyed
    all the same, and the result pages are read, never crawled."""

    results: int = 10
    """How many results count: a task's page further down is reported."""
    delay: float = 2.0
    """Seconds to wait from one search's answer to the next search (a search costs a site
    more than a page); the searches keep to `[crawl] delay` and the Crawl-delay too."""
    url: str = ""
    """The search address with {phrase} where the words go (such as /search?q={phrase}),
    for a site whose home page has no search form siteaudit can read; a path or a URL on
    the site's hosts. Empty: the home page's search form is used."""

    def __post_init__(self) -> None:
        if self.results < 1:
            raise ValueError("results must be 1 or more")
        if self.delay < 0:
            raise ValueError("delay must be 0 or more seconds")
        if self.url and PHRASE_PLACEHOLDER not in self.url:
            raise ValueError(
                f"url must show where the words go with {PHRASE_PLACEHOLDER}, "
                f"like /search?q={PHRASE_PLACEHOLDER}"
            )


@dataclass(frozen=True)
class NotifyConfig:
    """`[notify]`: where to send the run's summary and the teams' digests (audits.stages.notify)."""

    webhook: str = ""
    """URL to POST the run's JSON summary to (for chat tools, dashboards)."""
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_user: str = ""
    """Login name; the password comes from SITEAUDIT_SMTP_PASSWORD."""
    mail_from: str = ""
    sections: Mapping[str, str] = field(default_factory=dict)
    """URL path prefix to the e-mail address of the team that owns it."""


@dataclass(frozen=True)
class AuditConfig:
    """Everything one audit needs to know."""

    crawl: CrawlConfig = field(default_factory=CrawlConfig)
    browser: BrowserConfig = field(default_factory=BrowserConfig)
    store: str | None = None
    """SQLite file holding every run; defaults to OUT/audit.db."""
    keep_runs: int = 0
    """`[store] keep_runs`: keep the details (pages, links, findings) of this many latest
    finished runs of a site and only the summary of older ones; 0 keeps everything."""
    rules: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Raw `[rules.<id>]` sections; checked against each rule's Options when rules load."""
    plugins: bool = True
    """Load third-party rules from the `siteaudit.rules` entry point group."""
    report: ReportConfig = field(default_factory=ReportConfig)
    content: ContentConfig = field(default_factory=ContentConfig)
    notify: NotifyConfig = field(default_factory=NotifyConfig)
    gate: Mapping[str, str] = field(default_factory=dict)
    """`[gate]`: `fail_on` (a severity) and per-category thresholds ("none" exempts one);
    checked by audits.gate when `siteaudit check` or `--fail-on` uses it."""
    require_browser: bool = False
    """`[gate] require_browser`: `audit` and `check` exit 5 when the browser stage did not
    run (as `--require-browser` does)."""
    top_tasks: tuple[TopTask, ...] = ()
    """`[[top_tasks]]`: the council's top tasks, checked by the top-task-too-deep rule."""
    site_search: SiteSearchConfig = field(default_factory=SiteSearchConfig)

    def with_crawl(self, **changes: Any) -> AuditConfig:
        """A copy with some crawl settings replaced (command-line flags)."""
        given = {k: v for k, v in changes.items() if v is not None}
        return dataclasses.replace(self, crawl=dataclasses.replace(self.crawl, **given))

    def with_browser(self, **changes: Any) -> AuditConfig:
        """A copy with some browser-stage settings replaced (command-line flags)."""
        given = {k: v for k, v in changes.items() if v is not None}
        return dataclasses.replace(self, browser=dataclasses.replace(self.browser, **given))


_SECTIONS = {
    "crawl": CrawlConfig,
    "browser": BrowserConfig,
    "store": None,
    "rules": None,
    "plugins": None,
    "report": ReportConfig,
    "content": ContentConfig,
    "gate": None,
    "notify": NotifyConfig,
    "top_tasks": None,
    "site_search": SiteSearchConfig,
    "accessibility_statement": None,
}


def load_config(path: str | os.PathLike[str] | None) -> AuditConfig:
    """Read a TOML config file; None gives the defaults."""
    if path is None:
        return AuditConfig()
    try:
        with open(path, "rb") as f:
            raw = tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    config = parse_config(raw, str(path))
    views = config.report.page_views
    if views and not os.path.isabs(views):
        # A path in the file is relative to the file, wherever the audit runs from.
        absolute = os.path.join(os.path.dirname(os.path.abspath(path)), views)
        config = dataclasses.replace(
            config, report=dataclasses.replace(config.report, page_views=absolute)
        )
    return config


def parse_config(raw: Mapping[str, Any], origin: str = "config") -> AuditConfig:
    """Build an AuditConfig from parsed TOML, rejecting unknown keys and wrong types."""
    _reject_unknown(raw, _SECTIONS, origin)
    crawl = build_dataclass(CrawlConfig, raw.get("crawl", {}), f"{origin} [crawl]")
    browser = build_dataclass(BrowserConfig, raw.get("browser", {}), f"{origin} [browser]")
    store = raw.get("store", {})
    if not isinstance(store, Mapping):
        raise ConfigError(f"{origin}: [store] must be a table")
    _reject_unknown(store, {"path": None, "keep_runs": None}, f"{origin} [store]")
    keep_runs = store.get("keep_runs", 0)
    if (
        isinstance(keep_runs, bool)
        or not isinstance(keep_runs, int)
        or keep_runs == 1
        or keep_runs < 0
    ):
        raise ConfigError(
            f"{origin} [store] keep_runs must be 0 (keep every run) or 2 or more "
            "(the latest run is compared with the one before)"
        )
    rules = raw.get("rules", {})
    if not isinstance(rules, Mapping) or not all(isinstance(v, Mapping) for v in rules.values()):
        raise ConfigError(f"{origin}: [rules] must hold one [rules.<rule-id>] table per rule")
    plugins = raw.get("plugins", True)
    if not isinstance(plugins, bool):
        raise ConfigError(f"{origin}: plugins must be true or false")
    report = parse_report(raw.get("report", {}), f"{origin} [report]")
    content = build_dataclass(ContentConfig, raw.get("content", {}), f"{origin} [content]")
    gate, require_browser = parse_gate_table(raw.get("gate", {}), origin)
    top_tasks = parse_top_tasks(raw.get("top_tasks", []), origin)
    site_search = build_dataclass(
        SiteSearchConfig, raw.get("site_search", {}), f"{origin} [site_search]"
    )
    notify = raw.get("notify", {})
    if not isinstance(notify, Mapping):
        raise ConfigError(f"{origin}: [notify] must be a table")
    teams = notify.get("sections", {})
    if not isinstance(teams, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) and "@" in v for k, v in teams.items()
    ):
        raise ConfigError(
            f"{origin}: [notify.sections] maps URL prefixes to e-mail addresses, "
            'like "/bins/" = "waste@example.gov.uk"'
        )
    simple = {k: v for k, v in notify.items() if k != "sections"}
    notify_config = dataclasses.replace(
        build_dataclass(NotifyConfig, simple, f"{origin} [notify]"), sections=dict(teams)
    )
    return AuditConfig(
        crawl=crawl,
        browser=browser,
        store=store.get("path"),
        keep_runs=keep_runs,
        rules=with_statement_url(
            with_top_tasks(rules, top_tasks, origin), raw.get("accessibility_statement", {}), origin
        ),
        plugins=plugins,
        report=report,
        content=content,
        gate=gate,
        require_browser=require_browser,
        notify=notify_config,
        top_tasks=top_tasks,
        site_search=site_search,
    )


def parse_gate_table(values: Any, origin: str) -> tuple[dict[str, str], bool]:
    """`[gate]` as (thresholds: fail_on and per-category severities, require_browser);
    the thresholds are checked by audits.gate when a gate is used."""
    if isinstance(values, Mapping):
        thresholds = {k: v for k, v in values.items() if k != "require_browser"}
        require_browser = values.get("require_browser", False)
        if not isinstance(require_browser, bool):
            raise ConfigError(f"{origin} [gate] require_browser must be true or false")
        if all(isinstance(v, str) for v in thresholds.values()):
            return thresholds, require_browser
    raise ConfigError(
        f'{origin}: [gate] holds fail_on = "high", category = "severity" and '
        "require_browser = true lines"
    )


def parse_top_tasks(values: Any, origin: str) -> tuple[TopTask, ...]:
    """The `[[top_tasks]]` array of tables as TopTasks, names unique."""
    if not isinstance(values, list) or not all(isinstance(v, Mapping) for v in values):
        raise ConfigError(
            f"{origin}: top tasks are [[top_tasks]] tables (name, url or pattern, max_clicks, "
            "search)"
        )
    tasks = tuple(
        build_dataclass(TopTask, value, f"{origin} [[top_tasks]] {value.get('name') or n + 1}")
        for n, value in enumerate(values)
    )
    names = [task.name for task in tasks]
    doubled = sorted({name for name in names if names.count(name) > 1})
    if doubled:
        raise ConfigError(
            f"{origin} [[top_tasks]]: the task {doubled[0]!r} is given more than once"
        )
    return tasks


def with_top_tasks(
    rules: Mapping[str, Mapping[str, Any]], tasks: tuple[TopTask, ...], origin: str
) -> Mapping[str, Mapping[str, Any]]:
    """The `[rules.*]` sections with the top tasks written into their rule's options."""
    if not tasks:
        return rules
    section = dict(rules.get(TOP_TASKS_RULE, {}))
    if {"tasks", "task_patterns", "task_max_clicks"} & set(section):
        raise ConfigError(
            f"{origin}: give top tasks as [[top_tasks]] or in [rules.{TOP_TASKS_RULE}], not both"
        )
    section["tasks"] = {t.name: t.url for t in tasks if t.url}
    section["task_patterns"] = {t.name: t.pattern for t in tasks if t.pattern}
    section["task_max_clicks"] = {t.name: t.max_clicks for t in tasks if t.max_clicks is not None}
    pages = {"tasks": section["tasks"], "task_patterns": section["task_patterns"]}
    weighed = {rule: {**rules.get(rule, {}), **pages} for rule in TOP_TASK_PAGE_RULES}
    return {**rules, TOP_TASKS_RULE: section, **weighed}


def with_statement_url(
    rules: Mapping[str, Mapping[str, Any]], table: Any, origin: str
) -> Mapping[str, Mapping[str, Any]]:
    """The `[rules.*]` sections with `[accessibility_statement] url` given to each
    accessibility statement rule as its `statement_url`."""
    where = f"{origin} [accessibility_statement]"
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where} must be a table")
    _reject_unknown(table, {"url": None}, where)
    url = table.get("url", "")
    if not isinstance(url, str):
        raise ConfigError(f'{where} url must be a path or address, like "/accessibility-statement"')
    if not url.strip():
        return rules
    return {
        **rules,
        **{rule: {**rules.get(rule, {}), "statement_url": url.strip()} for rule in STATEMENT_RULES},
    }


def parse_report(values: Any, where: str) -> ReportConfig:
    """The `[report]` table (or a run's recorded report settings) as a ReportConfig."""
    if not isinstance(values, Mapping):
        raise ConfigError(f"{where} must be a table")
    sections = values.get("sections", {})
    if not isinstance(sections, Mapping) or not all(
        isinstance(k, str) and k and isinstance(v, str) and v.strip() for k, v in sections.items()
    ):
        raise ConfigError(
            f'{where}: [report.sections] maps URL prefixes to team names, like "/bins/" = "Waste team"'
        )
    views = values.get("page_views")
    if views is not None and not (isinstance(views, str) and views.strip()):
        raise ConfigError(f"{where} page_views must be the path of a CSV file")
    simple = {k: v for k, v in values.items() if k != "sections"}
    report = build_dataclass(ReportConfig, simple, where)
    return dataclasses.replace(report, sections={k: v.strip() for k, v in sections.items()})


def build_dataclass(cls: type, values: Any, where: str) -> Any:
    """Instantiate a frozen dataclass from a TOML table, with errors a person can act on."""
    if not isinstance(values, Mapping):
        raise ConfigError(f"{where} must be a table")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    _reject_unknown(values, fields, where)
    hints = get_type_hints(cls)
    converted = {}
    for key, value in values.items():
        converted[key] = _coerce(value, hints[key], f"{where} {key}")
    try:
        return cls(**converted)
    except (TypeError, ValueError) as exc:  # an Options class rejecting a value
        raise ConfigError(f"{where}: {exc}") from None


def _coerce(value: Any, hint: Any, where: str) -> Any:
    origin = getattr(hint, "__origin__", None)
    if origin is tuple:
        args = hint.__args__
        if isinstance(value, Mapping) and getattr(args[0], "__origin__", None) is tuple:
            # A TOML table for a tuple of (key, value) pairs: sections = {"/news/" = 6}
            value = list(value.items())
        if not isinstance(value, list | tuple):
            raise ConfigError(f"{where} must be a list")
        if len(args) != 2 or args[1] is not Ellipsis:  # a fixed-size tuple, such as a pair
            if len(value) != len(args):
                raise ConfigError(f"{where} must have {len(args)} items, got {value!r}")
            return tuple(_coerce(v, t, where) for v, t in zip(value, args, strict=True))
        return tuple(_coerce(v, args[0], where) for v in value)
    expected = {int: (int,), float: (int, float), bool: (bool,), str: (str,)}.get(hint)
    if expected is None:
        return value
    kind = {int: "a whole number", float: "a number", bool: "true or false", str: "text"}[hint]
    if isinstance(value, bool) and hint is not bool:
        raise ConfigError(f"{where} must be {kind}, not true/false")
    if not isinstance(value, expected):
        raise ConfigError(f"{where} must be {kind}, got {value!r}")
    return float(value) if hint is float else value


def _reject_unknown(values: Mapping[str, Any], known: Mapping[str, Any], where: str) -> None:
    unknown = sorted(set(values) - set(known))
    if unknown:
        valid = ", ".join(sorted(known)) or "(none)"
        hint = did_you_mean(unknown[0], known) if len(unknown) == 1 else ""
        raise ConfigError(
            f"{where}: unknown key {', '.join(unknown)}{hint}; valid keys are: {valid}"
        )
