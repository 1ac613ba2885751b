"""Everything the HTML report shows, gathered once from the store and the findings.

`build_model` reads the run's pages (titles, click depths, inbound links), assigns each
finding to its rule, its pages and its section, works out the health scores and their
history, and collects the findings fixed since the previous run. The templates only
look things up in the result; they never query the store.
"""

from __future__ import annotations

import hashlib
from array import array
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from audits.core.coverage import STAGE_NAMES, not_run, unchecked_categories
from audits.stages.prioritise import Comparison, compare, inbound_counts
from reports.health import Health, RunHealth, health_scores, history
from reports.sections import Section, Sections
from reports.text import slug

if TYPE_CHECKING:
    from audits.store import Store
    from reports.pageviews import PageViews

SHOTS_EXTENSIONS = (".png", ".jpg", ".jpeg", ".webp", ".gif")


_OUTLINE = ("rule", "category", "severity", "priority", "score", "url", "pages", "status")
"""What a `StoredRow` keeps: `Store.finding_outlines` without the id and screenshot."""
_OUTLINE_AT = {key: n for n, key in enumerate(_OUTLINE)}
_DETAILS = ("target", "message", "selector", "snippet", "evidence", "fingerprint")
_KEYS = (*_OUTLINE, *_DETAILS)


class FindingDetails:
    """Reads the text and evidence of findings from the store by id, remembering the
    last few hundred. A page of the report asks for the same finding several times in a
    row (its message, then its details) and asks for its rows' together (`prefetch`); a
    finding asked for alone brings the next ones in the report's order with it (a view
    going through every finding reads them a few dozen at a time)."""

    def __init__(self, store: Store, keep: int = 256, read_ahead: int = 64) -> None:
        self.store = store
        self.keep = keep
        self.read_ahead = read_ahead
        self.ids = array("q")
        """Finding ids by rank, the report's order."""
        self._known: OrderedDict[int, dict[str, Any]] = OrderedDict()

    def __call__(self, rank: int) -> dict[str, Any]:
        finding_id = self.ids[rank]
        known = self._known.get(finding_id)
        if known is None:
            self.prefetch(self.ids[rank : rank + self.read_ahead])
            known = self._known[finding_id]
        self._known.move_to_end(finding_id)
        return known

    def prefetch(self, finding_ids: Sequence[int]) -> None:
        """Read the findings not remembered in one query (at most `keep` of them)."""
        wanted = [n for n in dict.fromkeys(finding_ids[: self.keep]) if n not in self._known]
        if not wanted:
            return
        self._known.update(self.store.finding_details(wanted))
        while len(self._known) > self.keep:
            self._known.popitem(last=False)


_SHOWN = itemgetter(*(_OUTLINE_AT[key] for key in ("category", "severity", "priority", "status")))
_WHERE = itemgetter(_OUTLINE_AT["url"], _OUTLINE_AT["pages"])


def shown(f: Mapping[str, Any]) -> tuple[Any, Any, Any, Any]:
    """A finding's (category, severity, priority, status), what every listing of it
    shows: one call for a stored row (`StoredRow`) instead of a call a key."""
    if type(f) is StoredRow:
        return _SHOWN(f._outline)
    return f["category"], f["severity"], f["priority"], f["status"]


def where(f: Mapping[str, Any]) -> tuple[str, Sequence[str]]:
    """A finding's (url, pages), as `shown`."""
    if type(f) is StoredRow:
        return _WHERE(f._outline)
    return f["url"], f["pages"]


def prefetch(rows: Sequence[Row]) -> None:
    """Read the text and evidence of rows about to be shown, in one query per store."""
    by_loader: dict[int, tuple[FindingDetails, list[int]]] = {}
    for row in rows:
        if isinstance(row.f, StoredRow):
            loader = row.f._details
            by_loader.setdefault(id(loader), (loader, []))[1].append(loader.ids[row.rank])
    for loader, ids in by_loader.values():
        loader.prefetch(ids)


class StoredRow(Mapping[str, Any]):
    """A finding as findings.json has it, holding only what the report sorts and groups
    findings by (`Store.finding_outlines`, `_OUTLINE`); its target, message, selector,
    snippet, evidence and fingerprint are read when asked. A big run's findings with their evidence took most of
    the report's memory, and each is shown on only a few pages, one page at a time."""

    __slots__ = ("_details", "_outline", "_rank")

    def __init__(self, outline: tuple[Any, ...], details: FindingDetails, rank: int) -> None:
        self._outline = outline
        self._details = details
        self._rank = rank

    def __getitem__(self, key: str) -> Any:
        at = _OUTLINE_AT.get(key)
        if at is not None:
            return self._outline[at]
        if key in _DETAILS:
            return self._details(self._rank)[key]
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(_KEYS)

    def __len__(self) -> int:
        return len(_KEYS)


@dataclass(slots=True)
class Row:
    """One finding as the report shows it."""

    rank: int
    """Position in the most-urgent-first order, from 0."""
    f: Mapping[str, Any]
    """The finding as findings.json has it."""
    rule_title: str
    rule_file: str
    page_file: str
    section: str
    shared: bool
    """Its pages lie in more than one section (a template or menu problem)."""
    pages_count: int
    screenshot: str | None


@dataclass(slots=True)
class PageFacts:
    """What the report says about one page of the site."""

    url: str
    title: str
    click_depth: int | None
    inbound: int
    views: int | None
    section: str
    file: str


@dataclass
class ReportModel:
    """The report of one run, indexed for every page type."""

    data: Mapping[str, Any]
    rules: list[dict[str, Any]]
    rows: list[Row]
    rule_rows: dict[str, list[Row]]
    rule_files: dict[str, str]
    page_rows: dict[str, list[Row]]
    pages: dict[str, PageFacts]
    sections: list[Section]
    section_rows: dict[str, list[Row]]
    """Each section's own findings (all their pages in the section)."""
    section_shared: dict[str, list[Row]]
    """Shared findings touching each section."""
    section_pages: dict[str, int]
    """HTML pages audited in each section."""
    health: Health
    history: list[RunHealth]
    fixed: list[dict[str, Any]]
    previous_started: str | None
    with_views: bool
    formats: tuple[str, ...]
    priority_counts: dict[str, Counter[int]] = field(default_factory=dict)
    """Per section: findings per priority (own and shared)."""
    inventory_rows: dict[str, list[Row]] = field(default_factory=dict)
    """The rows of each inventory rule: listed on its own page, counted nowhere else."""
    run_config: Mapping[str, Any] = field(default_factory=dict)
    """The configuration the run recorded (which checks it turned off)."""
    stages_not_run: list[dict[str, Any]] = field(default_factory=list)
    """The checking stages that were skipped or stopped (name, status, reason, fix), for
    the banner at the top of every page."""


def page_file(url: str) -> str:
    """The file name (under pages/) of a site page's report page."""
    return hashlib.sha1(url.encode("utf-8")).hexdigest()[:16] + ".html"  # noqa: S324 - a name


def safe_screenshot(value: object) -> str | None:
    """A screenshot path from a finding's evidence, if it is a safe relative image path.

    Screenshots are files the browser stage saved inside the report folder, such as
    `screenshots/3f2a.png`: no scheme, no absolute path, no `..`, an image extension.
    """
    if not isinstance(value, str) or not value or len(value) > 300:
        return None
    path = value.replace("\\", "/")
    if path.startswith("/") or ":" in path or "?" in path or "#" in path:
        return None
    parts = path.split("/")
    if any(p in ("", ".", "..") for p in parts):
        return None
    if not all(ch.isalnum() or ch in "-_./" for ch in path):
        return None
    return path if path.lower().endswith(SHOTS_EXTENSIONS) else None


def rule_file_name(rule_id: str) -> str:
    """A rule's file name under rules/: its id when that is a safe file name, else a safe
    version of it with a short hash, so two ids never share a file."""
    base = slug(rule_id)[:80]
    if base != rule_id:
        base = f"{base}-{hashlib.sha1(rule_id.encode()).hexdigest()[:8]}"  # noqa: S324 - a name
    return base + ".html"


def rule_file_names(rule_ids: Sequence[str]) -> dict[str, str]:
    """rule id -> file name under rules/ (`rule_file_name`)."""
    return {rule_id: rule_file_name(rule_id) for rule_id in sorted(rule_ids)}


def fixed_findings(store: Store, previous: int | None, fixed: set[str]) -> list[dict[str, Any]]:
    """The previous run's findings whose fingerprints this run no longer has, most urgent
    first (then by address, then in the order rules found them)."""
    if previous is None or not fixed:
        return []
    rows = store.finding_summaries(previous, sorted(fixed))
    rows.sort(key=lambda r: (r[3] or 99, -(r[4] or 0.0), r[5], r[8]))
    keys = ("rule", "category", "severity", "priority", "score", "url", "message", "fingerprint")
    return [dict(zip(keys, row[:8], strict=True)) for row in rows]


def build_model(
    store: Store,
    data: Mapping[str, Any],
    rules: list[dict[str, Any]],
    *,
    sections_config: Mapping[str, str] | None = None,
    page_views: PageViews | None = None,
    formats: Sequence[str] = ("html", "json"),
    comparison: Comparison | None = None,
    inbound: Mapping[str, int] | None = None,
) -> ReportModel:
    """The report model of a findings.json document written from `store`.

    `comparison` and `inbound` save reading the store again when the caller has them.
    """
    run = data["run"]
    run_id = run["id"]
    site_host = urlsplit(run["start_url"]).netloc
    sections = Sections(sections_config or {}, site_host)
    titles = {r["id"]: r["title"] for r in rules}
    facts = store.titles_and_click_depths(run_id)
    if inbound is None:
        inbound = inbound_counts(store, run_id)
    html_urls = store.html_page_urls(run_id)
    details = FindingDetails(store)

    rows: list[Row] = []
    rule_rows: dict[str, list[Row]] = defaultdict(list)
    page_rows: dict[str, list[Row]] = defaultdict(list)
    section_rows: dict[str, list[Row]] = defaultdict(list)
    section_shared: dict[str, list[Row]] = defaultdict(list)
    priority_counts: dict[str, Counter[int]] = defaultdict(Counter)
    page_files: dict[str, str] = {}

    rule_file_names_seen: dict[str, str] = {}  # one string per rule, not per finding

    def rule_file_of(rule_id: str) -> str:
        name = rule_file_names_seen.get(rule_id)
        if name is None:
            name = rule_file_names_seen[rule_id] = rule_file_name(rule_id)
        return name

    def file_of(url: str) -> str:
        name = page_files.get(url)
        if name is None:
            name = page_files[url] = page_file(url)
        return name

    # An outline is (id, *_OUTLINE, screenshot): read by position, not through its row.
    def row_of(rank: int, outline: tuple[Any, ...], owners: set[str]) -> Row:
        details.ids.append(outline[0])  # ranks come in order: problems, then inventories
        rule, url = outline[1], outline[6]
        return Row(
            rank=rank,
            f=StoredRow(outline[1:-1], details, rank),
            rule_title=titles.get(rule, rule),
            rule_file=rule_file_of(rule),
            page_file=file_of(url),
            section=sections.of(url),
            shared=len(owners) > 1,
            pages_count=max(1, len(outline[7])),
            screenshot=safe_screenshot(outline[-1]),
        )

    for rank, outline in enumerate(store.finding_outlines(run_id, inventory=False)):
        url, pages, priority = outline[6], outline[7], outline[4]
        urls = list(dict.fromkeys((url, *pages)))
        owners = {sections.of(u) for u in urls}
        row = row_of(rank, outline, owners)
        home = row.section
        rows.append(row)
        rule_rows[outline[1]].append(row)
        for url in urls:
            page_rows[url].append(row)
            file_of(url)
        if row.shared:
            for owner in sorted(owners):
                section_shared[owner].append(row)
                priority_counts[owner][priority] += 1
        else:
            section_rows[home].append(row)
            priority_counts[home][priority] += 1

    inventory_rows: dict[str, list[Row]] = defaultdict(list)
    outlines = store.finding_outlines(run_id, inventory=True)
    for rank, outline in enumerate(outlines, start=len(rows)):
        inventory_rows[outline[1]].append(row_of(rank, outline, set()))
    rule_files = rule_file_names(sorted(set(rule_rows) | set(inventory_rows) | set(titles)))

    pages: dict[str, PageFacts] = {}
    for url in page_rows:
        title, depth = facts.get(url, ("", None))
        pages[url] = PageFacts(
            url=url,
            title=title,
            click_depth=depth,
            inbound=inbound.get(url, 0),
            views=page_views.views(url) if page_views is not None else None,
            section=sections.of(url),
            file=file_of(url),
        )
    section_pages: Counter[str] = Counter(sections.of(u) for u in html_urls)

    run_info = store.run(run_id)
    stats = run_info.stats
    health = health_scores(
        ((*shown(row.f)[:2], *where(row.f)) for row in rows),
        html_urls,
        unchecked_categories(stats),
    )
    points = history(store, run_id, current=(len(html_urls), health))
    if comparison is None:
        comparison = compare(store, run_id)
    fixed_prints = set(comparison.fixed)
    fixed = fixed_findings(store, run["compared_with"], fixed_prints)
    previous_started = (
        store.run(run["compared_with"]).started if run["compared_with"] is not None else None
    )
    return ReportModel(
        data=data,
        rules=rules,
        rows=rows,
        rule_rows=dict(rule_rows),
        rule_files=rule_files,
        page_rows=dict(page_rows),
        pages=pages,
        sections=sections.all(),
        section_rows=dict(section_rows),
        section_shared=dict(section_shared),
        section_pages=dict(section_pages),
        health=health,
        history=points,
        fixed=fixed,
        previous_started=previous_started,
        with_views=page_views is not None,
        formats=tuple(formats),
        priority_counts=dict(priority_counts),
        inventory_rows=dict(inventory_rows),
        run_config=run_info.config if isinstance(run_info.config, dict) else {},
        stages_not_run=[
            {"name": STAGE_NAMES[stage], **outcome.as_dict()}
            for stage, outcome in not_run(stats).items()
        ],
    )
