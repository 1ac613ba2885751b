"""The prioritise stage: which problems a council's editors should fix first.

    score = severity weight * reach * effort

Severity weights: critical 27, high 9, medium 3, low 1, info 0.

*Reach* comes from real page views when an analytics export is configured
(`[report] page_views`, see `reports.pageviews`):

    reach     = 1 + log10(1 + views)              views summed over every page affected

otherwise it is estimated from the crawl:

    breadth   = 1 + log2(pages affected)          pages affected = max(1, len(pages))
    links     = 1 + log10(1 + inbound links)      distinct internal pages linking to the page
    depth     = 2.0 home page, 1.5 one click away, 1.0 two, 0.75 three,
                0.5 four or more clicks, or not reachable by links at all
    reach     = breadth * links * depth

For a finding shared by many pages (a template problem) the links and depth factors
come from the most prominent of those pages: the most linked-to and the shallowest.

A finding about an online form that is hard to find (its evidence names the `service`:
the form, and the pages that link to it or name it) takes its reach from the service's
importance, never from the links the form lacks: an orphaned form would otherwise rank
lowest exactly because nobody can find it. Its links factor counts the pages naming the
service, its depth factor is the home page's (2.0) when the form is one of the council's
top tasks (`[[top_tasks]]`, as the top-task-too-deep rule found them) and one click's
(1.5) otherwise, where the form belongs; with page views, the views of those pages count.

*Effort* rewards problems that are cheap to fix for what they cost residents. A rule
that knows puts `effort` ("low", "medium" or "high") in the finding's evidence:

    effort    = 1.5 low, 1.0 medium, 0.75 high
                no effort given: 1.5 for a problem shared by several pages (one fix in
                the shared template or menu mends them all), else 1.0

Bands, by score:

    P1  score ≥ 50     fix now
    P2  score ≥ 15     fix soon
    P3  score ≥ 5      plan in
    P4  below 5        when time allows (all "info" findings land here)

and a critical finding is never below P2, however obscure its page.

Status compares fingerprints with the latest earlier *finished* run of the same start
URL: a finding seen there is "persisting", otherwise "new" (everything is new on the
first audit). Fingerprints of that run which are gone now are "fixed".

The scoring functions are pure. The store is read by `inbound_counts` and
`click_depths` (one aggregate query each for the whole run, never one per finding),
`previous_run_id` and `compare`; `prioritise` ties them together, reading the findings
5,000 at a time (`Store.scoring_chunks`, which also says whether the previous run had
each fingerprint: SQLite compares the runs, not Python sets) and writing each chunk's
results back with `Store.set_priorities` before reading the next. The engine runs it after the site stage
(`audits.stages.report.render`); the reports read what it wrote and never write themselves.
"""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rules.base import Severity

if TYPE_CHECKING:
    from audits.store import Store
    from reports.pageviews import PageViews

SEVERITY_WEIGHTS: dict[str, int] = {s.value: s.weight for s in Severity}

# Factor for 0, 1, 2, 3 clicks from the start URL; deeper or unreachable pages get
# UNREACHED_DEPTH_FACTOR.
DEPTH_FACTORS: tuple[float, ...] = (2.0, 1.5, 1.0, 0.75)
UNREACHED_DEPTH_FACTOR = 0.5

# (priority, lowest score for it), most urgent first; anything lower is P4.
PRIORITY_BANDS: tuple[tuple[int, float], ...] = ((1, 50.0), (2, 15.0), (3, 5.0))
LOWEST_PRIORITY = 4
# The least urgent priority a severity may get, whatever its reach.
SEVERITY_FLOOR: dict[str, int] = {Severity.CRITICAL.value: 2}

# Effort named in a finding's evidence, and the factor it gives the score.
EFFORT_FACTORS: dict[str, float] = {"low": 1.5, "medium": 1.0, "high": 0.75}
# A problem shared by several pages is one fix (a template, a menu) unless the rule says.
SHARED_EFFORT = "low"
DEFAULT_EFFORT = "medium"

# The rule whose findings name the pages and forms of the council's top tasks.
TOP_TASK_RULE = "top-task-too-deep"

# Findings scored and written back at a time: a big run has hundreds of thousands.
SCORING_CHUNK = 5000

# Link kinds that count as a way for a visitor to reach a page.
NAVIGATION_KINDS: tuple[str, ...] = ("a", "area", "iframe")

_EXPLANATION_START = """\
Each finding gets a score: how serious the problem is, multiplied by how many people \
are likely to meet it, multiplied by how cheap it is to fix.

Seriousness is the severity weight: critical 27, high 9, medium 3, low 1, info 0.
"""

_CRAWL_REACH = """\
How many people meet it (reach) is estimated from the crawl, because no page views \
were given. Reach multiplies three things:
- the number of pages with the problem: 1 + log2(pages), so 1 page counts 1, \
2 pages 2, 4 pages 3 and 1,000 pages about 11;
- how many other pages of the site link to the page: 1 + log10(1 + links), so no \
links counts 1, 9 links 2 and 99 links 3;
- how close the page is to the home page: the home page counts 2, one click away 1.5, \
two clicks 1, three clicks 0.75, and deeper pages, or pages no link leads to, 0.5.
For a problem on many pages, the best-linked and shallowest of them is used.
An online form that is hard to find is counted by its service instead: the pages \
that name it count as its links, and it counts as on the home page when it is one of \
the council's top tasks, else as one click away, where it belongs.
"""

_VIEWS_REACH = """\
How many people meet it (reach) comes from the page views in the analytics export: \
1 + log10(1 + views), adding up the views of every page with the problem. So no views \
counts 1, 9 views 2, 999 views 4 and 99,999 views 6. Pages the export does not list \
count as having no views.
"""

_EXPLANATION_END = """\
How cheap it is to fix (effort): a check that knows says so, and low effort counts 1.5, \
medium 1 and high 0.75. Otherwise a problem shared by several pages counts 1.5, \
because one fix in the shared template or menu mends every page, and any other \
problem counts 1.

The score is the severity weight multiplied by the reach and the effort. Priority \
bands: P1 (fix now) for a score of 50 or more, P2 (fix soon) 15 or more, P3 (plan in) \
5 or more, and P4 (when time allows) below 5. A critical problem is never below P2.

"New" means the problem was not found by the previous complete audit of the same \
site; "persisting" means it was. Problems that the previous audit found and this one \
did not are counted as fixed."""


def priority_explanation(with_views: bool = False) -> str:
    """How scores and priorities are worked out, in plain English, for the report."""
    reach_text = _VIEWS_REACH if with_views else _CRAWL_REACH
    return "\n".join((_EXPLANATION_START, reach_text, _EXPLANATION_END))


PRIORITY_EXPLANATION = priority_explanation()


def severity_weight(severity: str) -> int:
    """The weight of a severity name; unknown names weigh nothing."""
    return SEVERITY_WEIGHTS.get(severity, 0)


def breadth_factor(pages_affected: int) -> float:
    """1 + log2(pages): each doubling of the pages affected adds one."""
    return 1.0 + math.log2(max(1, pages_affected))


def links_factor(inbound: int) -> float:
    """1 + log10(1 + inbound links): each tenfold increase adds one."""
    return 1.0 + math.log10(1 + max(0, inbound))


def depth_factor(click_depth: int | None) -> float:
    """Shallow pages reach more people; None means no link path reaches the page."""
    if click_depth is None or click_depth < 0 or click_depth >= len(DEPTH_FACTORS):
        return UNREACHED_DEPTH_FACTOR
    return DEPTH_FACTORS[click_depth]


def reach(pages_affected: int, inbound: int, click_depth: int | None) -> float:
    """Estimated reach of a problem from crawl signals alone."""
    return breadth_factor(pages_affected) * links_factor(inbound) * depth_factor(click_depth)


def views_reach(views: int) -> float:
    """Reach from real page views: 1 + log10(1 + views)."""
    return 1.0 + math.log10(1 + max(0, views))


def effort_of(evidence_effort: object, pages_affected: int) -> str:
    """The effort a finding's fix takes: the rule's word, else by whether pages share it."""
    if isinstance(evidence_effort, str) and evidence_effort.lower() in EFFORT_FACTORS:
        return evidence_effort.lower()
    return SHARED_EFFORT if pages_affected > 1 else DEFAULT_EFFORT


def effort_factor(effort: str) -> float:
    """Cheap fixes count more: low 1.5, medium 1, high 0.75 (unknown words count 1)."""
    return EFFORT_FACTORS.get(effort, 1.0)


def score(
    severity: str,
    pages_affected: int,
    inbound: int,
    click_depth: int | None,
    *,
    views: int | None = None,
    effort: str = DEFAULT_EFFORT,
) -> float:
    """Severity weight * reach * effort, rounded to two decimals.

    Reach comes from `views` (summed over the pages affected) when given, else from the
    crawl signals.
    """
    spread = (
        views_reach(views) if views is not None else reach(pages_affected, inbound, click_depth)
    )
    return round(severity_weight(severity) * spread * effort_factor(effort), 2)


def priority_band(score_value: float, severity: str = "") -> int:
    """Priority 1 (most urgent) to 4 for a score, honouring the severity's floor."""
    band = LOWEST_PRIORITY
    for priority, threshold in PRIORITY_BANDS:
        if score_value >= threshold:
            band = priority
            break
    return min(band, SEVERITY_FLOOR.get(severity, LOWEST_PRIORITY))


def status_of(fingerprint: str, previous: set[str] | frozenset[str] | None) -> str:
    """'persisting' if the previous run had the fingerprint, else 'new'."""
    return "persisting" if previous is not None and fingerprint in previous else "new"


def prominence(
    urls: Iterable[str],
    inbound: Mapping[str, int],
    depths: Mapping[str, int | None],
) -> tuple[int, int | None]:
    """(most inbound links, shallowest click depth) over the pages of one finding."""
    best_inbound = 0
    best_depth: int | None = None
    for url in urls:
        best_inbound = max(best_inbound, inbound.get(url, 0))
        depth = depths.get(url)
        if depth is not None and (best_depth is None or depth < best_depth):
            best_depth = depth
    return best_inbound, best_depth


# -- reading and writing the store --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Comparison:
    """How a run compares with the previous finished run of the same site."""

    previous_run_id: int | None
    fixed: tuple[str, ...]
    """Fingerprints of the previous run that this run no longer finds, sorted."""


def previous_run_id(store: Store, run_id: int) -> int | None:
    """The latest finished run before `run_id` with the same start URL."""
    runs = store.runs()
    current = next((r for r in runs if r.id == run_id), None)
    if current is None:
        return None
    earlier = [
        r.id
        for r in runs
        if r.id < run_id and r.start_url == current.start_url and r.status == "finished"
    ]
    return max(earlier) if earlier else None


def compare(store: Store, run_id: int) -> Comparison:
    """New / persisting / fixed bookkeeping of a run against its predecessor.

    The store works out which fingerprints went (`Store.fixed_fingerprints`): neither
    run's fingerprints are ever all held here, and the reports keep this for the whole
    report stage.
    """
    prev_id = previous_run_id(store, run_id)
    if prev_id is None:
        return Comparison(None, ())
    return Comparison(prev_id, tuple(store.fixed_fingerprints(prev_id, run_id)))


def inbound_counts(store: Store, run_id: int) -> dict[str, int]:
    """Distinct other in-scope pages linking to each crawled page (one query)."""
    return store.inbound_counts(run_id, NAVIGATION_KINDS)


def click_depths(store: Store, run_id: int, start_url: str) -> dict[str, int | None]:
    """Each crawled page's clicks from the start URL, by URL and by final URL (one query).

    When the run has no click depths at all (they were never computed), the crawl depth
    stands in for them. The start URL is always depth 0.
    """
    rows = store.page_depths(run_id)
    use_crawl_depth = all(row[2] is None for row in rows)
    depths: dict[str, int | None] = {}
    for url, final_url, click_depth, crawl_depth in rows:
        depth = crawl_depth if use_crawl_depth else click_depth
        depths[url] = depth
        if final_url and final_url != url:
            known = depths.get(final_url)
            if final_url not in depths or (depth is not None and (known is None or depth < known)):
                depths[final_url] = depth
    depths[start_url] = 0
    return depths


@dataclass(frozen=True, slots=True)
class Service:
    """What a form finding says of the service behind it (its evidence's `service`)."""

    form: str
    mentions: int
    """Pages (and documents) that link to the form or name it."""
    pages: tuple[str, ...]
    """Some of them, for their page views."""


def service_of(raw: object) -> Service | None:
    """The `service` of a finding's evidence, from its JSON text; None when absent or
    not an object."""
    try:
        data = json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    pages = tuple(str(p) for p in data.get("pages") or () if isinstance(p, str))
    mentions = data.get("mentions")
    return Service(
        form=str(data.get("form") or ""),
        mentions=mentions if isinstance(mentions, int) else len(pages),
        pages=pages,
    )


def top_task_targets(store: Store, run_id: int) -> frozenset[str]:
    """The pages and forms the council's top tasks lead to, as the top-task-too-deep
    rule found them in the run (`[[top_tasks]]`; empty without)."""
    return frozenset(
        str(target) for target in store.evidence_values(run_id, TOP_TASK_RULE, "target") if target
    )


def prioritise(
    store: Store,
    run_id: int,
    page_views: PageViews | None = None,
    *,
    comparison: Comparison | None = None,
    inbound: Mapping[str, int] | None = None,
) -> list[str]:
    """Score, band and date every finding of a run; return the fingerprints fixed since
    the previous finished run of the same start URL (empty on the first audit).

    With `page_views`, reach comes from them instead of the crawl signals. `comparison`
    and `inbound` save reading the store again when the caller has them already.
    """
    if inbound is None:
        inbound = inbound_counts(store, run_id)
    depths = click_depths(store, run_id, store.run(run_id).start_url)
    if comparison is None:
        comparison = compare(store, run_id)
    # One transaction for every chunk: the scores land all at once or not at all.
    with contextlib.nullcontext() if store.in_transaction else store.transaction():
        _score_findings(store, run_id, comparison, inbound, depths, page_views)
    return list(comparison.fixed)


def _score_findings(
    store: Store,
    run_id: int,
    comparison: Comparison,
    inbound: Mapping[str, int],
    depths: Mapping[str, int | None],
    page_views: PageViews | None,
) -> None:
    """Score and band a run's findings a chunk at a time, writing each chunk back
    before reading the next: the run's findings are never all in memory."""
    views_of: dict[str, int] = {}
    top_tasks = top_task_targets(store, run_id)
    for chunk in store.scoring_chunks(run_id, comparison.previous_run_id, SCORING_CHUNK):
        rows: list[tuple[int, float, str | None, int]] = []
        for finding_id, severity, url, pages_json, effort_word, seen, service_json in chunk:
            pages = json.loads(pages_json) if pages_json != "[]" else []
            urls = (url, *pages)
            affected = max(1, len(pages))
            effort = effort_of(effort_word, affected)
            service = service_of(service_json)
            if service is not None:
                urls = (*urls, *service.pages)
            if page_views is not None:
                views = 0
                for page in set(urls):
                    if page not in views_of:
                        views_of[page] = page_views.views(page)
                    views += views_of[page]
                value = score(severity, affected, 0, None, views=views, effort=effort)
            elif service is not None:
                depth = 0 if service.form in top_tasks else 1
                value = score(severity, affected, service.mentions, depth, effort=effort)
            else:
                links, depth = prominence(urls, inbound, depths)
                value = score(severity, affected, links, depth, effort=effort)
            priority = priority_band(value, severity)
            rows.append((priority, value, "persisting" if seen else "new", finding_id))
        store.set_priorities(rows)
