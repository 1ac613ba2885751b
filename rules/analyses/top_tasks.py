"""Which pages belong to the council's top tasks, for rules that treat them as more
important than other pages (the findability rules).

`[[top_tasks]]` in the configuration fills in `tasks` and `task_patterns` of each rule
with `TopTaskOptions` (audits/core/config.py lists them); top-task-too-deep has its own.
A task given by address counts the page it ends on, redirects followed; a task given by
pattern counts every page and link target whose address matches.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rules.base import option
from rules.site import Site
from rules.urls import absolute


@dataclass(frozen=True)
class TopTaskOptions:
    """The top tasks, as rules other than top-task-too-deep take them."""

    tasks: tuple[tuple[str, str], ...] = option(
        (), "Top task name -> its page (a path or full URL); set by `[[top_tasks]]` url"
    )
    task_patterns: tuple[tuple[str, str], ...] = option(
        (),
        "Top task name -> a regular expression its pages' addresses match; set by "
        "`[[top_tasks]]` pattern",
    )

    def __post_init__(self) -> None:
        """Reject a pattern that is not a regular expression."""
        for name, pattern in self.task_patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(
                    f"task {name!r}: pattern is not a regular expression: {exc}"
                ) from None


def task_targets(site: Site, options: TopTaskOptions, urls: Iterable[str]) -> dict[str, str]:
    """URL -> the name of the top task it belongs to: the tasks' own addresses (where
    they redirect to as well) and, of `urls`, those a task's pattern matches."""
    found: dict[str, str] = {}
    for name, url in options.tasks:
        resolved = absolute(site.start_url, url)
        if resolved is None:
            continue
        found.setdefault(resolved[0], name)
        status = site.status(resolved[0])
        if status is not None and status.final_url:
            found.setdefault(status.final_url, name)
    patterns = [(name, re.compile(pattern)) for name, pattern in options.task_patterns]
    if patterns:
        for url in urls:
            for name, regex in patterns:
                if regex.search(url):
                    found.setdefault(url, name)
                    break
    return found


def has_tasks(options: TopTaskOptions) -> bool:
    """Whether any top task is configured."""
    return bool(options.tasks or options.task_patterns)


def task_of(targets: Mapping[str, str], urls: Iterable[str]) -> str | None:
    """The top task one of `urls` belongs to, or None."""
    return next((targets[url] for url in urls if url in targets), None)
