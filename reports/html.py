"""The HTML report: a static site of pages for editors and the web team.

    index.html                    overview: health per category with trends, counts by
                                  priority, "do these first", sections, checks, changes
    rules/<rule>.html             one per check: why it matters, how to fix, the problems
    pages/<hash>.html             one per page of the site with problems: everything on it
    sections/<section>.html       one per section or owner: their problems, most urgent first
    views/<view>.html             forms and top tasks, contact, shared templates,
                                  accessibility in templates (with screenshots), new, fixed,
                                  and wcag.html: every WCAG 2.2 A and AA criterion
    report.css                    the stylesheet every page links to

Long lists are split into files of `PAGE_SIZE` rows (`rules/broken-link-2.html`, ...), so
every file opens quickly whatever the size of the site. Each template is compiled once
and streamed into its files; the folders of many files are filled in a staging folder
that replaces the old one at the end (`reports.files.staged_dir`). A file whose inputs
did not change since the report before it in the same folder is linked from the old
folder rather than rendered again (`reports.unchanged`).

It works offline from file:// and loads nothing from anywhere: the stylesheet is a file
beside the pages, and the one script (search, filter and sort; every page works without
it) is inline, allowed by its hash in each page's Content-Security-Policy.

Everything that comes from crawled pages is untrusted. The jinja2 environment
autoescapes every template whatever its file name, undefined variables are errors,
`safe_href` only lets absolute http(s) URLs become links, and screenshots must be
relative image paths inside the report folder (`reports.model.safe_screenshot`).
"""

from __future__ import annotations

import base64
import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup, escape

from audits import PROJECT_URL, __version__
from audits.stages.prioritise import priority_explanation
from reports.files import WRITE_BUFFER, atomic_open, staged_dir, write_atomic
from reports.health import RunHealth
from reports.html_fragments import Fragments, KeptText, e, external_link, safe_href
from reports.model import PageFacts, ReportModel, Row, page_file
from reports.services import (
    FORMULA,
    SERVICES_CSV,
    SERVICES_JSON,
    Scorecard,
    accessibility_text,
    status_text,
)
from reports.text import (
    CATEGORY_LABELS,
    PRIORITY_LABELS,
    SEVERITY_LABELS,
    STATUS_LABELS,
    paragraphs,
    show_value,
    slug,
    text_blocks,
)
from reports.unchanged import (
    TASK_KEYS,
    Manifest,
    RowDigests,
    file_digest,
    row_digests,
    shared_digest,
)
from reports.wcag import wcag_context
from rules.base import is_inventory

if TYPE_CHECKING:
    from audits.store import Store

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

INDEX_HTML = "index.html"
STYLESHEET = "report.css"
PAGE_SIZE = 100
"""Rows in one file of a long list."""
TOP_FIXES = 20
"""Problems in the overview's "do these first"."""
SHARED_IN_SECTION = 20
"""Shared (template) problems listed on a section's first page."""
TOP_PAGES_IN_SECTION = 30
"""A section's pages with the most urgent problems, listed on its first page."""
MAX_ROWS = 500
"""Rule errors listed in the overview; findings.json has all of them."""
WCAG_VIEW = "wcag.html"
"""Under views/: every WCAG 2.2 A and AA criterion with what failed it (reports/wcag.py)."""
FIXED_ON_OVERVIEW = 10
"""Fixed problems listed in the overview; views/fixed.html has all of them."""

_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

EXPORT_FILES: dict[str, tuple[str, str]] = {
    "json": ("findings.json", "every problem, for other tools (the findings contract)"),
    "csv": ("findings.csv", "a row per problem and page, for spreadsheets"),
    "sarif": ("findings.sarif", "SARIF 2.1.0, for code-scanning dashboards"),
    "junit": ("junit.xml", "JUnit XML, for CI servers"),
}


@dataclass(frozen=True)
class View:
    """A list of problems picked by a predicate; written only when it has any."""

    slug: str
    title: str
    intro: str
    picks: Callable[[Row], bool]
    screenshots: bool = False


def _is_task(row: Row, tasks: bytearray | None = None) -> bool:
    """A forms finding, or one whose evidence names a top task (known from `tasks`, by
    rank, when `reports.unchanged.row_digests` read it, else from the evidence)."""
    if row.f["category"] == "forms":
        return True
    if tasks is not None:
        return bool(tasks[row.rank])
    evidence = row.f["evidence"]
    return any(key in evidence for key in TASK_KEYS)


VIEWS: tuple[View, ...] = (
    View(
        "forms",
        "Online forms and top tasks",
        "Problems with the online forms and the tasks residents come to the site for: forms "
        "that are too many clicks away, hard to find or hard to complete.",
        _is_task,
    ),
    View(
        "contact",
        "Contact: phone and email before the online option",
        "Pages that show a phone number or email address before the online way of doing "
        "the same thing, which sends people to the most expensive channel.",
        lambda row: row.f["category"] == "contact",
    ),
    View(
        "templates",
        "Problems in shared templates and menus",
        "Problems found on many pages at once, usually because they are in a shared "
        "template, menu or footer. Fixing one fixes every page listed.",
        lambda row: row.pages_count > 1,
    ),
    View(
        "accessibility-templates",
        "Accessibility problems in templates, with screenshots",
        "Accessibility barriers shared by many pages, or captured in a screenshot by the "
        "browser checks. Each is a fix for the web team rather than for one editor.",
        lambda row: (
            row.f["category"] == "accessibility"
            and (row.pages_count > 1 or row.screenshot is not None)
        ),
        screenshots=True,
    ),
)


def script_hash(script: str) -> str:
    """The CSP source expression allowing exactly this inline script."""
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _static_text(name: str) -> str:
    text = (STATIC_DIR / name).read_text(encoding="utf-8")
    if "</" in text:
        # Inlined into a page (the script) or not, neither may close an element early.
        raise ValueError(f"{name} must not contain '</'")
    return text


SCRIPT = _static_text("report.js")
FILTER_SCRIPT = SCRIPT  # the name older code and tests know

CONTENT_SECURITY_POLICY = (
    # 'self' lets the pages use report.css and screenshots over http(s) and, in Chromium,
    # from file://; `file:` covers browsers that treat every local file as its own origin.
    "default-src 'none'; style-src 'self' file:; img-src 'self' file: data:; "
    f"script-src {script_hash(SCRIPT)}; base-uri 'none'; form-action 'none'"
)


@lru_cache(maxsize=64)  # every file of a report shows its run's date
def nice_date(value: str | None) -> str:
    """'5 March 2025, 14:03 UTC' from an ISO 8601 time; the input itself if unparsable."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year}, {moment:%H:%M} UTC"


@lru_cache(maxsize=64)  # every file of a report shows its run's date
def short_date(value: str | None) -> str:
    """'5 Mar 2025' from an ISO 8601 time."""
    try:
        moment = datetime.fromisoformat(value or "")
    except ValueError:
        return value or ""
    return f"{moment.day} {_MONTHS[moment.month - 1][:3]} {moment.year}"


def thousands(value: int | float) -> str:
    """1234 -> '1,234'."""
    return f"{value:,}"


def link(url: object) -> Markup:
    """A link to an address on the web, or the address as text when it is not http(s):
    what the `link` macro writes, for templates rendered once per page of the site (a
    filter costs a fraction of a macro call)."""
    return Markup(external_link(url))  # noqa: S704 - escaped there


def plural(count: int, one: str, many: str) -> Markup:
    """'1,234 problems', '1 problem': what the `plural` macro writes (see `link`)."""
    return Markup(f"{count:,} {e(one if count == 1 else many)}")  # noqa: S704 - escaped


@cache
def environment() -> jinja2.Environment:
    """The report's jinja2 environment: autoescaping on for every template."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        # A bool, not select_autoescape: that keys on the extension and would leave
        # *.html.j2 unescaped.
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.globals.update(
        categories=CATEGORY_LABELS,
        severities=SEVERITY_LABELS,
        priorities=PRIORITY_LABELS,
        statuses=STATUS_LABELS,
    )
    env.filters.update(
        safe_href=safe_href,
        nice_date=nice_date,
        short_date=short_date,
        thousands=thousands,
        link=link,
        plural=plural,
        paragraphs=paragraphs,
        show_value=show_value,
        slug=slug,
    )
    return env


@cache
def stylesheet() -> str:
    """The report stylesheet (report.css)."""
    return _static_text(STYLESHEET)


# -- pagination ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Pager:
    """Where one file sits in a list split over several files."""

    number: int
    count: int
    base: str
    total: int
    first: int
    """Position (from 1) of the file's first item in the whole list."""
    last: int

    def name(self, number: int) -> str:
        """The file name of page `number` of this list."""
        return page_name(self.base, number)

    @property
    def links(self) -> list[int | None]:
        """Page numbers to link to: the first, the last, and two either side of this one;
        None marks a gap."""
        wanted = {1, self.count, *range(self.number - 2, self.number + 3)}
        numbers = sorted(n for n in wanted if 1 <= n <= self.count)
        out: list[int | None] = []
        for n in numbers:
            if out and out[-1] is not None and n - out[-1] > 1:
                out.append(None)
            out.append(n)
        return out


def page_name(base: str, number: int) -> str:
    """'broken-link.html' for page 1, 'broken-link-2.html' for page 2."""
    return f"{base}.html" if number == 1 else f"{base}-{number}.html"


def paginate(
    items: Sequence[Any], base: str, size: int | None = None
) -> Iterator[tuple[Pager, Sequence[Any]]]:
    """(pager, items of that file) for each file of a list; one empty file for no items.

    `size` defaults to PAGE_SIZE (read at call time, so tests can shrink it).
    """
    size = size or PAGE_SIZE
    count = max(1, math.ceil(len(items) / size))
    for number in range(1, count + 1):
        chunk = items[(number - 1) * size : number * size]
        first = (number - 1) * size + 1
        yield Pager(number, count, base, len(items), first, first + len(chunk) - 1), chunk


# -- trend charts ---------------------------------------------------------------------------

CHART_WIDTH = 260
CHART_HEIGHT = 96
_PAD_LEFT, _PAD_RIGHT, _PAD_TOP, _PAD_BOTTOM = 28, 10, 8, 18


def chart_points(values: Sequence[int]) -> list[tuple[float, float]]:
    """(x, y) in the chart's box for health values 0..100, evenly spaced, oldest left."""
    inner_w = CHART_WIDTH - _PAD_LEFT - _PAD_RIGHT
    inner_h = CHART_HEIGHT - _PAD_TOP - _PAD_BOTTOM
    step = inner_w / (len(values) - 1) if len(values) > 1 else 0.0
    return [
        (
            round(_PAD_LEFT + (i * step if len(values) > 1 else inner_w / 2), 1),
            round(_PAD_TOP + inner_h * (1 - max(0, min(100, v)) / 100), 1),
        )
        for i, v in enumerate(values)
    ]


def trend_svg(category: str, label: str, points: Sequence[RunHealth]) -> Markup | None:
    """A small inline SVG line chart of one category's health over the runs that checked
    it (None when none did).

    Named by its <title> and described by its <desc> (first and latest value), so a
    screen reader announces it as one image; the numbers are also in a table beside it.
    """
    points = [p for p in points if p.health.get(category, 100) is not None]
    if not points:
        return None
    values = [p.health.get(category, 100) or 0 for p in points]
    coords = chart_points(values)
    ident = f"trend-{slug(category)}"
    first, last = points[0], points[-1]
    desc = (
        f"{label} health went from {values[0]} on {short_date(first.started)} to "
        f"{values[-1]} on {short_date(last.started)}, over {len(points)} audits."
        if len(points) > 1
        else f"{label} health is {values[0]}; trends appear after the next audit."
    )
    bottom = CHART_HEIGHT - _PAD_BOTTOM
    parts = [
        f'<svg class="trend" role="img" aria-labelledby="{ident}-t {ident}-d" '
        f'viewBox="0 0 {CHART_WIDTH} {CHART_HEIGHT}" width="{CHART_WIDTH}" height="{CHART_HEIGHT}" '
        'focusable="false" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{ident}-t">{escape(label)} health over the last {len(points)} audits</title>',
        f'<desc id="{ident}-d">{escape(desc)}</desc>',
        f'<line class="grid" x1="{_PAD_LEFT}" y1="{_PAD_TOP}" x2="{CHART_WIDTH - _PAD_RIGHT}" y2="{_PAD_TOP}"/>',
        f'<line class="axis" x1="{_PAD_LEFT}" y1="{bottom}" x2="{CHART_WIDTH - _PAD_RIGHT}" y2="{bottom}"/>',
        f'<text x="{_PAD_LEFT - 4}" y="{_PAD_TOP + 4}" text-anchor="end">100</text>',
        f'<text x="{_PAD_LEFT - 4}" y="{bottom + 4}" text-anchor="end">0</text>',
        f'<text x="{_PAD_LEFT}" y="{CHART_HEIGHT - 3}">{escape(short_date(first.started))}</text>',
    ]
    if len(points) > 1:
        parts.append(
            f'<text x="{CHART_WIDTH - _PAD_RIGHT}" y="{CHART_HEIGHT - 3}" text-anchor="end">'
            f"{escape(short_date(last.started))}</text>"
        )
        line = " ".join(f"{x},{y}" for x, y in coords)
        parts.append(f'<polyline class="line" points="{line}"/>')
    parts.extend(f'<circle class="dot" cx="{x}" cy="{y}" r="2.5"/>' for x, y in coords)
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - numbers and escaped text only


# -- rendering --------------------------------------------------------------------------------


def render_to(path: Path, template: jinja2.Template, context: Mapping[str, Any]) -> None:
    """Stream a template's output into a new file (inside a staging folder)."""
    with open(path, "w", encoding="utf-8", newline="\n", buffering=WRITE_BUFFER) as handle:
        for chunk in template.generate(context):
            handle.write(chunk)


def render_page(path: Path, template: jinja2.Template, context: Mapping[str, Any]) -> None:
    """Render a template into a new file (inside a staging folder) in one write: for the
    files of pages, checks, sections and lists, each at most a page of rows
    (`paginate`), rendering the whole text first costs less than writing its dozens of
    pieces one by one, ten thousand files over."""
    text = template.render(context)
    with open(path, "wb") as handle:
        handle.write(text.encode("utf-8"))


def render_atomic(path: Path, template: jinja2.Template, context: Mapping[str, Any]) -> Path:
    """Stream a template's output into `path` through a temporary file."""
    with atomic_open(path) as handle:
        for chunk in template.generate(context):
            handle.write(chunk)
    return path


class HtmlReport:
    """Writes the HTML report of one model into a folder."""

    def __init__(
        self,
        model: ReportModel,
        out: Path,
        scorecard: Scorecard | None = None,
        store: Store | None = None,
        *,
        digests: RowDigests | None = None,
        manifest: Manifest | None = None,
    ) -> None:
        self.model = model
        self.out = out
        self.scorecard = scorecard if scorecard is not None and scorecard.services else None
        self.env = environment()
        data = model.data
        self.store = store
        self.row_digests = digests
        if digests is None and store is not None:
            self.row_digests = row_digests(store, data["run"]["id"], model)
        tasks = self.row_digests.tasks if self.row_digests is not None else None
        self.views = [
            (view, [row for row in model.rows if picks(row)])
            for view in VIEWS
            for picks in [partial(_is_task, tasks=tasks) if view.picks is _is_task else view.picks]
        ]
        self.views = [(view, rows) for view, rows in self.views if rows]
        compared = data["run"]["compared_with"] is not None
        self.new_rows = [row for row in model.rows if row.f["status"] == "new"] if compared else []
        exports = [(name, *EXPORT_FILES[name]) for name in EXPORT_FILES if name in model.formats]
        self.base: dict[str, Any] = {
            "data": data,
            "run": data["run"],
            "summary": data["summary"],
            "site_host": urlsplit(data["run"]["start_url"]).netloc,
            "csp": CONTENT_SECURITY_POLICY,
            "script": Markup(SCRIPT),  # noqa: S704 - our own file, checked for '</'
            "version": __version__,
            "project_url": PROJECT_URL,
            "exports": exports,
            "views": [
                *(
                    [("services", "Service scorecard", len(self.scorecard.services))]
                    if self.scorecard
                    else []
                ),
                *((view.slug, view.title, len(rows)) for view, rows in self.views),
            ],
            "has_changes": compared,
            "fixed_count": len(model.fixed),
            "new_count": len(self.new_rows),
            "section_slugs": {s.name: s.slug for s in model.sections},
            "rule_docs": {r["id"]: r for r in model.rules},
            "stages_not_run": model.stages_not_run,
        }

        how_to_fix = {doc["id"]: doc["how_to_fix"] for doc in model.rules}
        self.kept = KeptText()
        kept = self.kept
        self.fragments = {root: Fragments(root, how_to_fix, kept) for root in ("", "../")}
        self._chrome: dict[tuple[str, str], dict[str, Markup]] = {}
        self.manifest = manifest
        self.shared = b""
        self.folder = ""
        """The folder being written (rules, pages...): its staging folder replaces it."""

    def shared_parts(self) -> dict[str, Any]:
        """What the files of pages, checks, sections and lists share, but the run's
        number and date (`reports.unchanged`): everything in `base` their templates read."""
        base = self.base
        run = base["run"]
        return {
            **{key: value for key, value in base.items() if key not in ("data", "run")},
            "run": {"status": run["status"], "start_url": run["start_url"]},
            "tool": base["data"].get("tool"),
            "chrome": {
                f"{root}|{current}": self.chrome(root, current)
                for root, current in (("../", "page"), ("../", "checks"), ("../", "sections"))
            },
        }

    def digest(self, *parts: Any, rows: Sequence[Row] = ()) -> str | None:
        """The digest of one file's inputs (None when files are not kept)."""
        if self.row_digests is None:
            return None
        return file_digest(self.shared, *parts, rows=self.row_digests.of(rows))

    def emit(
        self,
        folder: Path,
        name: str,
        digest: str | None,
        template: jinja2.Template,
        context: Callable[..., Mapping[str, Any]],
        **parts: Callable[[], Any],
    ) -> None:
        """Render a file into the staging `folder`, unless the last report's file of the
        same name had the same inputs (`digest`): that one is kept. `context` gives the
        template's variables, with those of `parts` (the costly ones) made only when the
        file is rendered."""
        manifest = self.manifest
        keeping = digest is not None and manifest is not None
        if keeping and manifest.keep(self.folder, str(folder), name, digest):
            return
        render_page(folder / name, template, context(**{k: make() for k, make in parts.items()}))
        if keeping:
            manifest.wrote(self.folder, str(folder), name, digest)

    def chrome(self, root: str, current: str) -> dict[str, Markup]:
        """The navigation and footer of pages at `root` of one kind, rendered once."""
        key = (root, current)
        known = self._chrome.get(key)
        if known is None:
            macros = self.env.get_template("macros.html.j2").module
            base = self.base
            known = {
                # Macros of an autoescaping environment return Markup already.
                "nav_html": macros.nav(root, current, base["views"], base["has_changes"]),
                "footer_html": macros.footer(
                    root,
                    base["data"],
                    base["run"],
                    base["exports"],
                    base["version"],
                    base["project_url"],
                    root == "",
                ),
            }
            self._chrome[key] = known
        return known

    def context(self, root: str, current: str, **extra: Any) -> dict[str, Any]:
        """The variables every template gets, plus the page's own."""
        return {
            **self.base,
            **self.chrome(root, current),
            "root": root,
            "current": current,
            **extra,
        }

    def write(self) -> Path:
        """Write every page; index.html last, so its links lead to files that exist.

        With the store the model came from, the files of pages, checks, sections and
        lists whose inputs did not change since the last report in this folder are kept
        (`reports.unchanged`)."""
        try:
            return self._write()
        finally:
            self.kept.close()

    def _write(self) -> Path:
        write_atomic(self.out / STYLESHEET, stylesheet())
        if self.manifest is None:
            self.manifest = Manifest(self.out)
        self.shared = shared_digest(self.shared_parts())
        self.folder = "rules"
        with staged_dir(self.out / self.folder) as folder:
            self.write_rules(folder)
        self.folder = "pages"
        with staged_dir(self.out / self.folder) as folder:
            self.write_pages(folder)
        self.folder = "sections"
        with staged_dir(self.out / self.folder) as folder:
            self.write_sections(folder)
        self.folder = "views"
        with staged_dir(self.out / self.folder) as folder:
            self.write_views(folder)
        index = self.write_index()
        if self.row_digests is not None:
            self.manifest.save()
        return index

    def write_index(self) -> Path:
        model = self.model
        data = model.data
        by_category = Counter(row.f["category"] for row in model.rows)
        categories = []
        for key, (label, about) in CATEGORY_LABELS.items():
            categories.append(
                {
                    "key": key,
                    "label": label,
                    "about": about,
                    "health": model.health.get(key, 100),
                    "findings": by_category.get(key, 0),
                    "chart": trend_svg(key, label, model.history) if model.history else None,
                }
            )
        rules_used = Counter(row.f["rule"] for row in model.rows)
        titles = {doc["id"]: doc["title"] for doc in model.rules}
        rule_pages = Counter()
        for rule_id, rows in model.rule_rows.items():
            rule_pages[rule_id] = len({u for row in rows for u in (row.f["url"], *row.f["pages"])})
        checks = [
            {
                "id": doc["id"],
                "title": doc["title"],
                "category_label": doc["category_label"],
                "findings": rules_used.get(doc["id"], 0),
                "pages": rule_pages.get(doc["id"], 0),
                "file": model.rule_files[doc["id"]],
            }
            for doc in model.rules
            if not is_inventory(doc["id"])
        ]
        inventories = [
            {
                "title": titles.get(rule_id, rule_id),
                "entries": len(rows),
                "pages": len({u for row in rows for u in (row.f["url"], *row.f["pages"])}),
                "file": model.rule_files[rule_id],
            }
            for rule_id, rows in sorted(model.inventory_rows.items())
        ]
        documented = {doc["id"] for doc in model.rules}
        checks += [
            {
                "id": rule_id,
                "title": rule_id,
                "category_label": "",
                "findings": count,
                "pages": rule_pages.get(rule_id, 0),
                "file": model.rule_files[rule_id],
            }
            for rule_id, count in sorted(rules_used.items())
            if rule_id not in documented
        ]
        sections = [
            {
                "name": s.name,
                "slug": s.slug,
                "prefixes": s.prefixes,
                "configured": s.configured,
                "pages": model.section_pages.get(s.name, 0),
                "own": len(model.section_rows.get(s.name, ())),
                "shared": len(model.section_shared.get(s.name, ())),
                "by_priority": model.priority_counts.get(s.name, Counter()),
            }
            for s in model.sections
        ]
        template = self.env.get_template("index.html.j2")
        context = self.context(
            "",
            "overview",
            categories=categories,
            history=model.history,
            top_count=min(TOP_FIXES, len(model.rows)),
            top_body=self.fragments[""].rows(model.rows[:TOP_FIXES]),
            checks=checks,
            inventories=inventories,
            sections=sections,
            fixed=model.fixed[:FIXED_ON_OVERVIEW],
            rule_errors=data["rule_errors"][:MAX_ROWS],
            total_rule_errors=len(data["rule_errors"]),
            previous_started=model.previous_started,
            explanation=text_blocks(priority_explanation(model.with_views)),
            health_blocks=text_blocks(HEALTH_EXPLANATION),
            with_views=model.with_views,
        )
        return render_atomic(self.out / INDEX_HTML, template, context)

    def write_rules(self, folder: Path) -> None:
        template = self.env.get_template("rule.html.j2")
        docs = {doc["id"]: doc for doc in self.model.rules}
        for rule_id, file_name in self.model.rule_files.items():
            inventory = is_inventory(rule_id)
            rows = (self.model.inventory_rows if inventory else self.model.rule_rows).get(
                rule_id, []
            )
            doc = docs.get(rule_id)
            pages = len({u for row in rows for u in (row.f["url"], *row.f["pages"])})
            fragments = self.fragments["../"]
            for pager, chunk in paginate(rows, file_name[: -len(".html")]):
                body = (
                    partial(fragments.inventory_rows, list(chunk))
                    if inventory
                    else partial(fragments.rows, list(chunk), pager.first, show_rule=False)
                )
                context = partial(
                    self.context,
                    "../",
                    "checks",
                    rule_id=rule_id,
                    doc=doc,
                    inventory=inventory,
                    pager=pager,
                    total=len(rows),
                    pages_affected=pages,
                    table_id="problems",
                )
                name = pager.name(pager.number)
                digest = self.digest("rule", rule_id, name, inventory, pager, pages, rows=chunk)
                self.emit(folder, name, digest, template, context, body=body)

    def write_pages(self, folder: Path) -> None:
        template = self.env.get_template("page.html.j2")
        sections = {s.name: s for s in self.model.sections}
        fragments = self.fragments["../"]
        for url, rows in self.model.page_rows.items():
            facts = self.model.pages[url]
            section = sections[facts.section]
            context = partial(
                self.context, "../", "page", page=facts, section=section, count=len(rows)
            )
            digest = self.digest("page", facts, section, rows=rows)
            items = partial(fragments.page_items, rows, url)
            self.emit(folder, facts.file, digest, template, context, items=items)

    def write_sections(self, folder: Path) -> None:
        template = self.env.get_template("section.html.j2")
        model = self.model
        fragments = self.fragments["../"]
        by_section: dict[str, list[PageFacts]] = defaultdict(list)
        for facts in model.pages.values():
            by_section[facts.section].append(facts)
        for section in model.sections:
            own = model.section_rows.get(section.name, [])
            shared = model.section_shared.get(section.name, [])
            top_pages = self.section_top_pages(by_section.get(section.name, []))
            pages = model.section_pages.get(section.name, 0)
            by_priority = model.priority_counts.get(section.name, Counter())
            for pager, chunk in paginate(own, section.slug):
                first = pager.number == 1
                context = partial(
                    self.context,
                    "../",
                    "sections",
                    section=section,
                    pager=pager,
                    total=len(own),
                    shared=shared[:SHARED_IN_SECTION] if first else [],
                    shared_total=len(shared),
                    top_pages=top_pages if first else [],
                    pages=pages,
                    by_priority=by_priority,
                    table_id="problems",
                )
                body = partial(fragments.rows, list(chunk), pager.first)
                shared_body = (
                    partial(fragments.rows, shared[:SHARED_IN_SECTION]) if first else Markup
                )

                name = pager.name(pager.number)
                digest = None
                if self.row_digests is not None:
                    tops = [
                        (top["facts"], top["count"], sorted(top["by_priority"].items()))
                        for top in (top_pages if first else [])
                    ]
                    digest = self.digest(
                        "section",
                        section,
                        name,
                        pager,
                        len(shared),
                        tops,
                        pages,
                        sorted(by_priority.items()),
                        self.row_digests.of(shared[:SHARED_IN_SECTION] if first else []).hex(),
                        rows=chunk,
                    )
                self.emit(
                    folder, name, digest, template, context, body=body, shared_body=shared_body
                )

    def section_top_pages(self, section_pages: list[PageFacts]) -> list[dict[str, Any]]:
        """The section's pages with problems (`section_pages`), most urgent first (by
        their worst, then total)."""
        found = []
        for facts in section_pages:
            url = facts.url
            rows = self.model.page_rows[url]
            priorities = Counter(row.f["priority"] for row in rows)
            found.append(
                {
                    "facts": facts,
                    "count": len(rows),
                    "by_priority": priorities,
                    "key": (min(priorities), -sum(row.f["score"] for row in rows), url),
                }
            )
        found.sort(key=lambda item: item["key"])
        return found[:TOP_PAGES_IN_SECTION]

    def write_views(self, folder: Path) -> None:
        render_to(
            folder / WCAG_VIEW,
            self.env.get_template("wcag.html.j2"),
            self.context(
                "../",
                "wcag",
                **wcag_context(
                    self.model, self.row_digests.wcag if self.row_digests is not None else None
                ),
            ),
        )
        template = self.env.get_template("list.html.j2")
        lists: list[tuple[str, str, str, Sequence[Row], bool]] = [
            (view.slug, view.title, view.intro, rows, view.screenshots) for view, rows in self.views
        ]
        if self.base["has_changes"]:
            lists.append(
                (
                    "new",
                    "New since the last audit",
                    "Problems this audit found that the previous one did not, most urgent first.",
                    self.new_rows,
                    False,
                )
            )
        fragments = self.fragments["../"]
        for name, title, intro, rows, shots in lists:
            for pager, chunk in paginate(rows, name):
                context = partial(
                    self.context,
                    "../",
                    name,
                    title=title,
                    intro=intro,
                    pager=pager,
                    total=len(rows),
                    table_id="problems",
                )
                body = partial(fragments.rows, list(chunk), pager.first, screenshots=shots)
                file_name = pager.name(pager.number)
                digest = self.digest(
                    "list", name, file_name, title, intro, shots, pager, rows=chunk
                )
                self.emit(folder, file_name, digest, template, context, body=body)
        if self.scorecard is not None:
            self.write_scorecard(folder)
        if self.base["has_changes"]:
            fixed_template = self.env.get_template("fixed.html.j2")
            for pager, chunk in paginate(self.model.fixed, "fixed"):
                context = self.context(
                    "../",
                    "fixed",
                    rows=chunk,
                    pager=pager,
                    total=len(self.model.fixed),
                    rule_titles={doc["id"]: doc["title"] for doc in self.model.rules},
                    table_id="fixed",
                )
                render_to(folder / pager.name(pager.number), fixed_template, context)

    def write_scorecard(self, folder: Path) -> None:
        """views/services.html: the service scorecard (reports/services.py)."""
        assert self.scorecard is not None
        formats = self.model.formats
        context = self.context(
            "../",
            "services",
            card=self.scorecard,
            formula=FORMULA,
            titles={url: facts.title for url, facts in self.model.pages.items()},
            page_file=page_file,
            status_text=status_text,
            accessibility_text=accessibility_text,
            csv_file=SERVICES_CSV if "csv" in formats else None,
            json_file=SERVICES_JSON if "json" in formats else None,
        )
        render_to(folder / "services.html", self.env.get_template("services.html.j2"), context)


HEALTH_EXPLANATION = """\
Each category's health is the share of the site's pages that are free of serious \
problems of that kind, from 0 to 100.
- A page with a critical or high problem in the category counts as 0 for it.
- A page whose worst problem in the category is medium counts as half.
- Any other page counts in full: low and "for information" problems do not lower the score.
A problem shared by many pages (in a template or menu) counts on every one of them. \
The score is 100 times the pages' average, rounded down, so 100 means no page has a \
medium, high or critical problem of that kind. Every page weighs the same, so scores \
of different audits can be compared; the charts show them for the latest audits of \
this site."""


def write_html_report(
    model: ReportModel,
    out: Path,
    scorecard: Scorecard | None = None,
    store: Store | None = None,
    *,
    digests: RowDigests | None = None,
    manifest: Manifest | None = None,
) -> Path:
    """Write the whole HTML report into `out` (with the service scorecard's page when
    `scorecard` has services); returns the path of index.html. With `store` (the one the
    model was built from), files whose inputs did not change since the last report in
    `out` are kept rather than written again (`reports.unchanged`). `digests` (the rows'
    `row_digests`) and `manifest` (opened on `out`) save working them out again when the
    caller has them."""
    out.mkdir(parents=True, exist_ok=True)
    return HtmlReport(model, out, scorecard, store, digests=digests, manifest=manifest).write()
