"""The service scorecard: for each council service, is the online route the easy one?

A service is one of the council's top tasks (`[[top_tasks]]`, as top-task-too-deep found
it) or an online form the crawl found (form-inventory), a form that is a top task's
target counting once, as the task. Each gets one row:

- clicks from the home page to the online option, and the path (the click graph's
  fewest-clicks path, as those rules recorded it);
- the service's pages: the steps of that path after the home page, and the online
  option's own page when it is a page of the site;
- whether any of them shows a phone number or email address before the online option
  (its phone-before-online findings);
- the online option's status when requested, and its page's accessibility problems
  ("not checked" when the browser stage did not check that page);
- the highest reading age among the service's pages (reading-age records every page it
  scores, within the target or not);
- page views of the online option's page (of the page linking to it, for a form on
  another website) when an analytics export is given;
- the problems found on the service's pages;
- a digital-first score from 0 to 100 (`digital_first_score`, explained in the report
  and in docs/channel-shift.md), and its trend over the site's earlier runs, each
  worked out again from what that run stored.

It is written as views/services.html, services.json (with the json format; its schema is
schema/services.schema.json) and services.csv (with the csv format), when the site has
services at all.
"""

from __future__ import annotations

import csv
import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from audits.core.coverage import BROWSER, SKIPPED, stage_outcomes
from reports.csv_export import cell
from reports.files import atomic_open
from reports.health import trend_runs
from reports.sections import Sections
from rules.analyses.forms import is_hub
from rules.site import PRIVATE_ADDRESS, ROBOTS_FORBIDDEN, ROBOTS_UNAVAILABLE

if TYPE_CHECKING:
    from audits.store import Store, StoredSite
    from reports.pageviews import PageViews
    from rules.site import TargetStatus

SERVICES_JSON = "services.json"
SERVICES_CSV = "services.csv"
SCHEMA_PATH = Path(__file__).parent / "schema" / "services.schema.json"
SCHEMA_VERSION = 1
TREND_RUNS = 10
SCORES_KEY = "siteaudit/service_scores"
"""The run stats' key of the services' scores kept with a run for later trends."""
SCORES_VERSION = 1
"""Raise it when `digital_first_score` or what feeds it changes: scores kept by another
version are worked out again."""
"""Runs on a service's trend, the latest ones (this one included)."""

TOP_TASK, ONLINE_FORM = "top task", "online form"
TASK_RULE, INVENTORY_RULE = "top-task-too-deep", "form-inventory"
CONTACT_RULE, READING_RULE = "phone-before-online", "reading-age"
DEFAULT_MAX_CLICKS = 3
"""Most clicks for a form that is not a top task: form-too-deep's default."""
DEFAULT_READING_TARGET = 9

# The formula: what each part can take off 100 (docs/channel-shift.md).
FINDABLE_POINTS = 35
POINTS_PER_EXTRA_CLICK = 10
ONLINE_FIRST_POINTS = 20
WORKS_POINTS = 20
ACCESSIBLE_POINTS = 15
ACCESSIBLE_MEDIUM_POINTS = 8
READABLE_POINTS = 10
POINTS_PER_YEAR_OVER = 5

FORMULA = (
    ("Findable", FINDABLE_POINTS,
     f"{POINTS_PER_EXTRA_CLICK} for each click beyond the limit (the top task's max_clicks, "
     f"else {DEFAULT_MAX_CLICKS}); all {FINDABLE_POINTS} when no link path from the home "
     "page leads to the online option"),
    ("Online first", ONLINE_FIRST_POINTS,
     "when any page of the service shows a phone number or email address before the "
     "online option"),
    ("Works", WORKS_POINTS,
     "when the online option answers an error or nothing"),
    ("Accessible", ACCESSIBLE_POINTS,
     f"when the online option's page has a critical or high accessibility problem "
     f"({ACCESSIBLE_MEDIUM_POINTS} when its worst is medium); nothing when not checked"),
    ("Readable", READABLE_POINTS,
     f"{POINTS_PER_YEAR_OVER} for each year (or part) the hardest page of the service is "
     "above the reading age target"),
)  # fmt: skip
"""(part, most points it takes off, when): the digital-first score is 100 minus them."""


# -- the score ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScoreInputs:
    """What the digital-first score is worked out from."""

    found: bool
    """The online option was found at all (a top task's URL or pattern matched)."""
    clicks: int | None
    """Fewest clicks from the home page over links; None when no link path leads there."""
    max_clicks: int
    contact_first: bool
    works: bool | None
    """The online option answered (None: not requested, such as a form elsewhere unchecked)."""
    accessibility: str | None
    """The worst severity of the page's accessibility problems; "none"; None: not checked."""
    reading_age: float | None
    reading_target: int


def digital_first_score(inputs: ScoreInputs) -> tuple[int, list[tuple[str, int]]]:
    """(score 0..100, [(reason, points taken off)]): 100 minus the parts of `FORMULA`."""
    if not inputs.found:
        return 0, [("the online option was not found", 100)]
    off: list[tuple[str, int]] = []
    if inputs.clicks is None:
        off.append(("no link path from the home page", FINDABLE_POINTS))
    elif inputs.clicks > inputs.max_clicks:
        extra = inputs.clicks - inputs.max_clicks
        off.append(
            (
                f"{extra} click{'s' if extra != 1 else ''} over the limit of {inputs.max_clicks}",
                min(FINDABLE_POINTS, POINTS_PER_EXTRA_CLICK * extra),
            )
        )
    if inputs.contact_first:
        off.append(("phone or email before the online option", ONLINE_FIRST_POINTS))
    if inputs.works is False:
        off.append(("the online option does not work", WORKS_POINTS))
    if inputs.accessibility in ("critical", "high"):
        off.append((f"{inputs.accessibility} accessibility problem", ACCESSIBLE_POINTS))
    elif inputs.accessibility == "medium":
        off.append(("medium accessibility problem", ACCESSIBLE_MEDIUM_POINTS))
    if inputs.reading_age is not None and inputs.reading_age > inputs.reading_target:
        years = math.ceil(round(inputs.reading_age - inputs.reading_target, 1))
        off.append(
            (
                f"reading age {inputs.reading_age:g} (target {inputs.reading_target})",
                min(READABLE_POINTS, POINTS_PER_YEAR_OVER * years),
            )
        )
    return max(0, 100 - sum(points for _, points in off)), off


# -- the scorecard ------------------------------------------------------------------------


@dataclass(slots=True)
class Service:
    """One row of the scorecard."""

    key: str
    """Stable across runs: "task:<name>" or "form:<url>"."""
    name: str
    kind: str
    section: str
    target: str | None
    clicks: int | None
    max_clicks: int
    path: list[dict[str, str]]
    pages: list[str]
    """The service's pages: the path's steps after the home page, and the online option's
    page when it is one of the site's."""
    contact_first: list[dict[str, Any]]
    status: int | None
    status_error: str | None
    works: bool | None
    accessibility: dict[str, Any]
    reading_age: float | None
    reading_page: str | None
    reading_target: int
    views: int | None
    findings: list[dict[str, Any]]
    """The problems on the service's pages (reported there, or shared with them)."""
    problem_pages: list[str]
    """The service's pages that have problems (each has its own report page)."""
    score: int
    deductions: list[tuple[str, int]]
    trend: list[dict[str, Any]] = field(default_factory=list)

    @property
    def change(self) -> int | None:
        """The score's change since the previous run on the trend (None: no earlier run)."""
        return self.trend[-1]["score"] - self.trend[-2]["score"] if len(self.trend) > 1 else None

    def as_dict(self) -> dict[str, Any]:
        """The row as services.json has it."""
        return {
            "key": self.key,
            "name": self.name,
            "kind": self.kind,
            "section": self.section,
            "target": self.target,
            "clicks": self.clicks,
            "max_clicks": self.max_clicks,
            "path": self.path,
            "pages": self.pages,
            "contact_before_online": self.contact_first,
            "status": self.status,
            "status_error": self.status_error,
            "works": self.works,
            "accessibility": self.accessibility,
            "reading_age": self.reading_age,
            "reading_age_page": self.reading_page,
            "reading_age_target": self.reading_target,
            "page_views": self.views,
            "findings": self.findings,
            "problem_pages": self.problem_pages,
            "score": self.score,
            "deductions": [{"reason": r, "points": p} for r, p in self.deductions],
            "trend": self.trend,
        }


@dataclass(frozen=True, slots=True)
class Scorecard:
    """Every service of one run, by section, lowest score first within each."""

    run_id: int
    start_url: str
    started: str
    services: list[Service]
    browser_checked: bool
    with_views: bool


@dataclass(frozen=True, slots=True)
class Candidate:
    """A service as its rule's finding describes it, before the rest is looked up."""

    key: str
    name: str
    kind: str
    target: str | None
    clicks: int | None
    max_clicks: int
    path: list[dict[str, str]]


def _steps(value: Any) -> list[dict[str, str]]:
    """A recorded path (each step's url and title), whatever was stored."""
    if not isinstance(value, list):
        return []
    return [
        {"url": str(step.get("url", "")), "title": str(step.get("title", "") or "")}
        for step in value
        if isinstance(step, dict)
    ]


def _limit(value: Any) -> int:
    """A task's recorded most clicks (0 is a limit too), else the default."""
    return value if isinstance(value, int) and not isinstance(value, bool) else DEFAULT_MAX_CLICKS


def service_candidates(rows: Iterable[tuple[Any, ...]]) -> list[Candidate]:
    """Top tasks in their configured order, then forms that are not a task's target."""
    tasks: list[Candidate] = []
    forms: list[Candidate] = []
    for rule, _, _, _, _, _, evidence_json, *_ in rows:
        evidence = json.loads(evidence_json)
        if rule == TASK_RULE and evidence.get("task"):
            tasks.append(
                Candidate(
                    f"task:{evidence['task']}",
                    str(evidence["task"]),
                    TOP_TASK,
                    evidence.get("target"),
                    evidence.get("clicks"),
                    _limit(evidence.get("max_clicks")),
                    _steps(evidence.get("path")),
                )
            )
        elif rule == INVENTORY_RULE and evidence.get("form_url"):
            url = str(evidence["form_url"])
            forms.append(
                Candidate(
                    f"form:{url}",
                    str(evidence.get("title") or url),
                    ONLINE_FORM,
                    url,
                    None
                    if evidence.get("orphaned") or evidence.get("only_in_document")
                    else evidence.get("click_depth"),
                    DEFAULT_MAX_CLICKS,
                    _steps(evidence.get("path")),
                )
            )
    targets = {task.target for task in tasks}
    return tasks + [form for form in forms if form.target not in targets]


def _finding(row: tuple[Any, ...]) -> dict[str, Any]:
    rule, category, severity, url, target, message, _, fingerprint, priority, _ = row
    return {
        "rule": rule,
        "category": category,
        "severity": severity,
        "url": url,
        "target": target,
        "message": message,
        "priority": priority,
        "fingerprint": fingerprint,
    }


NOT_REQUESTED = (ROBOTS_FORBIDDEN, PRIVATE_ADDRESS, ROBOTS_UNAVAILABLE)
"""How the errors of a target the crawl chose not to request begin: no verdict on it."""
_SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")


def build_scorecard(
    store: Store,
    run_id: int,
    *,
    sections_config: Mapping[str, str] | None = None,
    page_views: PageViews | None = None,
    trend_limit: int = TREND_RUNS,
) -> Scorecard:
    """The run's scorecard, each service with its trend over earlier runs of the site
    (their scores as kept with them by the report stage, else worked out again)."""
    card = _scorecard(store, run_id, sections_config, page_views)
    earlier = [r for r in trend_runs(store, run_id, trend_limit) if r.id != run_id]
    scores: dict[str, list[dict[str, Any]]] = {}
    for run in earlier:
        kept = kept_service_scores(run.stats)
        for key, score in service_scores(store, run.id) if kept is None else kept:
            scores.setdefault(key, []).append(
                {"run": run.id, "started": run.started, "score": score}
            )
    for service in card.services:
        now = {"run": run_id, "started": card.started, "score": service.score}
        service.trend = [*scores.get(service.key, []), now]
    return card


def service_scores(store: Store, run_id: int) -> list[tuple[str, int]]:
    """(key, score) of each service of a run, in the scorecard's order."""
    return [(s.key, s.score) for s in _scorecard(store, run_id, None, None).services]


def kept_service_scores(stats: Any) -> list[tuple[str, int]] | None:
    """The services' scores kept with a run (audits.stages.report) by this version of the
    score, unless the run has been pruned since (its scores are then worked out from what
    is left of it, as before they were kept)."""
    from audits.store import PRUNED_STAT

    if not isinstance(stats, dict) or PRUNED_STAT in stats:
        return None
    kept = stats.get(SCORES_KEY)
    if not isinstance(kept, dict) or kept.get("version") != SCORES_VERSION:
        return None
    scores = kept.get("scores")
    if not isinstance(scores, list) or not all(
        isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str) for pair in scores
    ):
        return None
    return [(key, score) for key, score in scores]


def _scorecard(
    store: Store,
    run_id: int,
    sections_config: Mapping[str, str] | None,
    page_views: PageViews | None,
) -> Scorecard:
    """One run's services and scores (no trend)."""
    run = store.run(run_id)
    rows = store.findings_of_rules(run_id, (TASK_RULE, INVENTORY_RULE))
    candidates = service_candidates(rows)
    site = store.site(run_id)
    html_pages = store.html_page_urls(run_id)
    start = site.page(run.start_url)
    home = start.final_url if start is not None else run.start_url
    offering = {c.key: _offering(site, c.target, html_pages, home) for c in candidates}
    journeys = {c.key: _pages(c, offering[c.key], html_pages, home) for c in candidates}
    every_page = {url for pages in journeys.values() for url in pages}
    found_at: dict[str, list[dict[str, Any]]] = {}
    for row, on_pages in store.findings_at(run_id, every_page):
        finding = _finding(row)
        for url in dict.fromkeys(on_pages):
            if url in every_page:
                found_at.setdefault(url, []).append(finding)
    reading = store.facts_at(run_id, READING_RULE, every_page)
    target_age = _reading_target(run.config)
    outcome = stage_outcomes(run.stats).get(BROWSER)
    browser_ran = outcome is None or outcome.status != SKIPPED
    checked = store.browser_checked(run_id) if browser_ran else set()
    sections = Sections(sections_config or {}, urlsplit(run.start_url).netloc)

    services = []
    for candidate in candidates:
        pages = journeys[candidate.key]
        findings = list({id(f): f for url in pages for f in found_at.get(url, ())}.values())
        contact_first = [
            {"page": f["url"], "message": f["message"]}
            for f in findings
            if f["rule"] == CONTACT_RULE
        ]
        target = candidate.target
        status = site.status(target) if target else None
        works = online_option_works(status)
        accessibility = _accessibility(target, target in checked, found_at.get(target or "", []))
        ages = [
            (float(value["reading_age"]), url)
            for url, value in reading.items()
            if url in pages and isinstance(value, dict) and "reading_age" in value
        ]
        age, age_page = max(ages) if ages else (None, None)
        inputs = ScoreInputs(
            found=target is not None,
            clicks=candidate.clicks,
            max_clicks=candidate.max_clicks,
            contact_first=bool(contact_first),
            works=works,
            accessibility=accessibility["worst"] if accessibility["checked"] else None,
            reading_age=age,
            reading_target=target_age,
        )
        score, deductions = digital_first_score(inputs)
        services.append(
            Service(
                key=candidate.key,
                name=candidate.name,
                kind=candidate.kind,
                section=_section(sections, candidate, offering[candidate.key], home),
                target=target,
                clicks=candidate.clicks,
                max_clicks=candidate.max_clicks,
                path=candidate.path,
                pages=pages,
                contact_first=contact_first,
                status=status.status if status is not None else None,
                status_error=status.error if status is not None else None,
                works=works,
                accessibility=accessibility,
                reading_age=age,
                reading_page=age_page,
                reading_target=target_age,
                views=_views(page_views, candidate, html_pages),
                findings=findings,
                problem_pages=[url for url in pages if url in found_at],
                score=score,
                deductions=deductions,
            )
        )
    order = {s.name: n for n, s in enumerate(sections.all())}
    services.sort(key=lambda s: (order.get(s.section, len(order)), s.score, s.name.lower()))
    return Scorecard(
        run_id=run_id,
        start_url=run.start_url,
        started=run.started,
        services=services,
        browser_checked=browser_ran,
        with_views=page_views is not None,
    )


def online_option_works(status: TargetStatus | None) -> bool | None:
    """Whether the online option answered without an error; None when it was not requested
    (a form on another website when external links are not checked, robots.txt forbids
    it, or it is on a private network address)."""
    if status is None or (status.status is None and not status.error):
        return None
    if status.status is None and status.error and status.error.startswith(NOT_REQUESTED):
        return None
    return status.status is not None and status.status < 400 and not status.error


def _offering(site: StoredSite, target: str | None, html_pages: set[str], home: str) -> list[str]:
    """The site's pages that link to the online option (the pages that offer it)."""
    if target is None:
        return []
    sources = {
        row.source
        for row in site.links_to(target)
        if row.kind in ("a", "area") and row.region != "document"
    }
    return sorted(u for u in sources if u in html_pages and u not in (home, target))


def _pages(
    candidate: Candidate, offering: Sequence[str], html_pages: set[str], home: str
) -> list[str]:
    """The service's pages: its path after the home page, the pages offering the online
    option, and the online option's own page when it is one of the site's."""
    steps = [step["url"] for step in candidate.path[1:]]
    steps += offering
    if candidate.target in html_pages:
        steps.append(candidate.target)
    return [url for url in dict.fromkeys(steps) if url != home]


def _section(sections: Sections, candidate: Candidate, offering: Sequence[str], home: str) -> str:
    """The section a service belongs to: its online option's, when a configured section
    takes it; else the commonest among the service pages offering it (pages below a
    section page before section pages themselves, as form-inventory counts them), so a
    form under /forms/ belongs where it is offered; else its path's or its own."""
    target = candidate.target
    if target is not None:
        own = sections.of(target)
        if sections.section(own).configured:
            return own
    pages = [u for u in offering if not is_hub(u)] or list(offering)
    if not pages:
        pages = [step["url"] for step in candidate.path[1:-1]][-1:] or [target or home]
    counts = Counter(sections.of(url) for url in pages)
    return min(counts, key=lambda name: (-counts[name], name))


def _accessibility(
    target: str | None, checked: bool, findings: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """The online option's page's accessibility problems, or not checked."""
    problems = [f for f in findings if f["category"] == "accessibility"]
    if target is None or not checked:
        return {"checked": False, "problems": len(problems), "worst": None}
    worst = min((f["severity"] for f in problems), key=_SEVERITY_ORDER.index, default="none")
    return {"checked": True, "problems": len(problems), "worst": worst}


def _views(views: PageViews | None, candidate: Candidate, html_pages: set[str]) -> int | None:
    """Views of the online option's page, or of the page offering it when it is elsewhere."""
    if views is None or candidate.target is None:
        return None
    if candidate.target in html_pages or len(candidate.path) < 2:
        return views.views(candidate.target)
    return views.views(candidate.path[-2]["url"])


def _reading_target(config: Mapping[str, Any]) -> int:
    """The run's reading-age target, as configured for it."""
    rules = config.get("rules") if isinstance(config, Mapping) else None
    settings = rules.get(READING_RULE) if isinstance(rules, Mapping) else None
    target = settings.get("target") if isinstance(settings, Mapping) else None
    return int(target) if isinstance(target, int | float) else DEFAULT_READING_TARGET


# -- writing ------------------------------------------------------------------------------


def scorecard_document(card: Scorecard) -> dict[str, Any]:
    """services.json's content."""
    return {
        "schema_version": SCHEMA_VERSION,
        "run": {"id": card.run_id, "start_url": card.start_url, "started": card.started},
        "accessibility_checked": card.browser_checked,
        "page_views": card.with_views,
        "formula": [
            {"part": part, "points": points, "taken_off": when} for part, points, when in FORMULA
        ],
        "services": [service.as_dict() for service in card.services],
    }


def write_services_json(card: Scorecard, path: Path) -> Path:
    """Write services.json, atomically."""
    with atomic_open(path) as handle:
        json.dump(scorecard_document(card), handle, ensure_ascii=False, indent=1)
    return Path(path)


@cache
def load_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of services.json."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


CSV_COLUMNS: tuple[str, ...] = (
    "section",
    "service",
    "kind",
    "score",
    "change",
    "clicks",
    "max_clicks",
    "path",
    "contact_before_online",
    "online_option",
    "status",
    "accessibility",
    "reading_age",
    "page_views",
    "problems",
    "deductions",
)


def accessibility_text(result: Mapping[str, Any]) -> str:
    """'not checked', 'no problems' or '2 problems, worst high'."""
    if not result["checked"]:
        return "not checked"
    if not result["problems"]:
        return "no problems"
    count = result["problems"]
    return f"{count} problem{'s' if count != 1 else ''}, worst {result['worst']}"


def status_text(service: Service) -> str:
    """'200', '404', 'no answer: ...' or 'not requested'."""
    if service.status is not None:
        return str(service.status)
    return service.status_error or ("not requested" if service.target else "not found")


def csv_rows(card: Scorecard) -> Iterable[list[str | int | float]]:
    """The data rows of services.csv, one per service."""
    for s in card.services:
        yield [
            cell(value)
            for value in (
                s.section,
                s.name,
                s.kind,
                s.score,
                s.change,
                s.clicks,
                s.max_clicks,
                " > ".join(step["title"] or step["url"] for step in s.path),
                "; ".join(c["page"] for c in s.contact_first),
                s.target,
                status_text(s),
                accessibility_text(s.accessibility),
                s.reading_age,
                s.views,
                len(s.findings),
                "; ".join(f"-{points} {reason}" for reason, points in s.deductions),
            )
        ]


def write_services_csv(card: Scorecard, path: Path) -> Path:
    """Write services.csv (UTF-8 with a BOM, CRLF, formula-safe, as findings.csv)."""
    with atomic_open(path, encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        writer.writerows(csv_rows(card))
    return Path(path)


def write_scorecard_files(card: Scorecard, out: Path, formats: Sequence[str]) -> dict[str, Path]:
    """services.json (with the json format) and services.csv (with csv), when the site has
    services; a file of an earlier run that had some is removed when it has none."""
    writers = {
        "json": (SERVICES_JSON, write_services_json),
        "csv": (SERVICES_CSV, write_services_csv),
    }
    written = {}
    for name, (file_name, write) in writers.items():
        if name not in formats:
            continue
        if card.services:
            written[f"services-{name}"] = write(card, out / file_name)
        else:
            (out / file_name).unlink(missing_ok=True)
    return written
