"""top-task-too-deep: the council's top tasks, each checked against its most-clicks target.

The tasks come from config, most simply as an array of tables::

    [[top_tasks]]
    name = "Report a missed bin"
    url = "/forms/missed-bin/"       # a path, a full URL, or...
    max_clicks = 2

    [[top_tasks]]
    name = "Pay your council tax"
    pattern = "civicaepay\\.co\\.uk/.*council-?tax"   # ...a regex matched against URLs

`audits/core/config.py` maps `[[top_tasks]]` onto this rule's options (`tasks`,
`task_patterns`, `task_max_clicks`), which can also be set in `[rules.top-task-too-deep]`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass

from rules.analyses.click_graph import ClickGraph, click_graph
from rules.base import Category, Finding, Severity, SiteRule, option
from rules.site import Site
from rules.urls import absolute


def _compile(name: str, pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ValueError(
            f"task {name!r}: pattern is not a valid regular expression: {exc}"
        ) from None


@dataclass(frozen=True)
class TaskResult:
    """How one top task fared: where it leads and how many clicks it takes."""

    name: str
    target: str | None
    """The page or link target the task leads to (the shallowest match of a pattern)."""
    path: tuple[str, ...]
    document_path: tuple[str, ...]
    max_clicks: int

    @property
    def clicks(self) -> int | None:
        """Fewest clicks from the home page over HTML links; None when none lead there."""
        return len(self.path) - 1 if self.path else None

    @property
    def passed(self) -> bool:
        """Reachable in at most `max_clicks` clicks."""
        return self.clicks is not None and self.clicks <= self.max_clicks


def evaluate_task(
    graph: ClickGraph, name: str, url: str | None, pattern: str | None, max_clicks: int
) -> TaskResult:
    """Find the task's target in the click graph and its shortest path from the home page.

    A pattern may match many URLs: the one fewest clicks away counts, preferring paths over
    HTML links to paths through documents.
    """
    if url is not None:
        resolved = absolute(graph.start, url)
        candidates = [graph.final(resolved[0])] if resolved else []
    else:
        regex = _compile(name, pattern or "")
        candidates = [u for u in graph.all_urls() if regex.search(u)]
    best: tuple[tuple[int, int, str], TaskResult] | None = None
    for candidate in candidates:
        if not graph.known(candidate):
            continue
        path = tuple(graph.path(candidate) or ())
        via_document = () if path else tuple(graph.path(candidate, with_documents=True) or ())
        rank = (0 if path else 1 if via_document else 2, len(path or via_document), candidate)
        if best is None or rank < best[0]:
            best = (rank, TaskResult(name, candidate, path, via_document, max_clicks))
    return best[1] if best else TaskResult(name, None, (), (), max_clicks)


class TopTaskTooDeep(SiteRule):
    """Check each of the council's top tasks is reachable within its number of clicks."""

    id = "top-task-too-deep"
    title = "Top task takes too many clicks"
    category = Category.FORMS
    severity = Severity.HIGH
    summary = (
        "For each top task in the configuration (such as 'Report a missed bin' within 2 "
        "clicks), finds the page or form it leads to and the fewest clicks from the home "
        "page over the site's links. Tasks that take more clicks, or that no link leads to, "
        "are reported; tasks within their limit are listed for information, with their path."
    )
    why = (
        "A handful of tasks, such as bins, council tax and parking, make up most visits to "
        "a council website. If these take many clicks, people give up and phone, which "
        "costs the council far more than an online transaction. Checking them every night "
        "catches a menu change that buries one."
    )
    how_to_fix = (
        "Follow the click path in the evidence. Link the task directly from the home page "
        "or from its section page, with the words residents use for it. If the task was not "
        "found, check its address or pattern in the configuration, and that the page still "
        "exists."
    )
    references = (
        "https://www.gov.uk/service-manual/design/scoping-your-service",
        "https://www.w3.org/WAI/WCAG22/Understanding/multiple-ways.html",
    )

    @dataclass(frozen=True)
    class Options:
        """Options of top-task-too-deep (normally written as `[[top_tasks]]` tables)."""

        tasks: tuple[tuple[str, str], ...] = option(
            (),
            "Task name -> the page (path or full URL) it leads to; `[[top_tasks]]` with "
            "`url` fills this in",
        )
        task_patterns: tuple[tuple[str, str], ...] = option(
            (),
            "Task name -> a regular expression matched against page and link URLs (the "
            "shallowest match counts); `[[top_tasks]]` with `pattern` fills this in",
        )
        task_max_clicks: tuple[tuple[str, int], ...] = option(
            (), "Task name -> most clicks from the home page for that task"
        )
        max_clicks: int = option(3, "Most clicks for tasks without a limit of their own")

        def __post_init__(self) -> None:
            """Reject bad patterns, tasks given twice and limits for unknown tasks."""
            names = [name for name, _ in (*self.tasks, *self.task_patterns)]
            doubled = sorted({n for n in names if names.count(n) > 1})
            if doubled:
                raise ValueError(f"task {doubled[0]!r} is given more than once")
            for name, pattern in self.task_patterns:
                _compile(name, pattern)
            for name, clicks in self.task_max_clicks:
                if name not in names:
                    raise ValueError(f"task_max_clicks names {name!r}, which is not a task")
                if clicks < 0:
                    raise ValueError(f"task {name!r}: max_clicks must be 0 or more")
            if self.max_clicks < 0:
                raise ValueError("max_clicks must be 0 or more")

    def check_site(self, site: Site) -> Iterator[Finding]:
        """One finding per task, in the configured order: failures high, passes for information."""
        if not (self.options.tasks or self.options.task_patterns):
            return
        graph = click_graph(site)
        limits = dict(self.options.task_max_clicks)
        tasks = [(name, url, None) for name, url in self.options.tasks]
        tasks += [(name, None, pattern) for name, pattern in self.options.task_patterns]
        for name, url, pattern in tasks:
            limit = limits.get(name, self.options.max_clicks)
            result = evaluate_task(graph, name, url, pattern, limit)
            yield self._finding(graph, result, url or f"pattern {pattern}")

    def _finding(self, graph: ClickGraph, result: TaskResult, wanted: str) -> Finding:
        clicks, limit = result.clicks, result.max_clicks
        aim = f"(aim: {limit} or fewer)"
        if result.target is None:
            message = f'Top task "{result.name}": nothing on the site matches {wanted}'
        elif clicks is None and result.document_path:
            message = (
                f'Top task "{result.name}": only a link inside a document leads to '
                f"{result.target} {aim}"
            )
        elif clicks is None:
            message = f'Top task "{result.name}": no link path from the home page leads to {result.target}'
        elif result.passed:
            message = (
                f'Top task "{result.name}": {clicks} click{"s" if clicks != 1 else ""} from '
                f"the home page {aim}"
            )
        else:
            message = f'Top task "{result.name}" takes {clicks} clicks from the home page {aim}'
        path = result.path or result.document_path
        target = result.target
        internal = target is not None and (target in graph.pages or not path)
        url = target if internal and target else (path[-2] if len(path) >= 2 else graph.start)
        finding = self.finding(
            url or graph.start,
            message,
            target=None if internal else target,
            evidence={
                "task": result.name,
                "passed": result.passed,
                "clicks": clicks,
                "max_clicks": limit,
                "path": graph.breadcrumb(result.path),
                "target": target,
                "only_in_document": clicks is None and bool(result.document_path),
                "document_path": graph.breadcrumb(result.document_path),
            },
            key=result.name,
        )
        if result.passed:
            return dataclasses.replace(finding, severity=Severity.INFO)
        return finding
