"""What each checking stage of a run did: ran, was skipped, or stopped part way, and why.

A stage that does not run must not pass unseen: the engine records each stage's outcome
with the run (`STAGES_STAT` in its stats), findings.json lists them (`run.stages`), the
HTML report puts a banner at the top of every page for each one that did not run, the
health of the categories it feeds reads "not checked" instead of a score, and
`--require-browser` fails CI on it (exit code 5).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

STAGES_STAT = "siteaudit/stages"
"""The run's stats key holding `{stage: {"status", "reason", "fix"}}`."""

RAN, SKIPPED, STOPPED = "ran", "skipped", "stopped"
STATUSES = (RAN, SKIPPED, STOPPED)

CRAWL, BROWSER, SITE = "crawl", "browser", "site"
STAGE_NAMES: dict[str, str] = {
    CRAWL: "The crawl and the checks on each page",
    BROWSER: "The accessibility checks in a browser (axe-core in headless Chromium)",
    SITE: "The site-wide checks (click depths, links between pages, top tasks)",
}
"""The checking stages, in the order they run, with what they are to a reader."""

STAGE_CATEGORIES: dict[str, tuple[str, ...]] = {BROWSER: ("accessibility",)}
"""The health categories a skipped stage leaves unjudged: without axe-core an accessibility
score would count only the few static checks and look far better than the site is."""

SETUP_COMMAND = "siteaudit setup"
"""Finds or installs what the browser stage needs and says what is missing."""
RESUME_FIX = "siteaudit audit URL --resume"


@dataclass(frozen=True)
class StageOutcome:
    """One stage's outcome: `status` is ran, skipped or stopped; `reason` and `fix` (one
    command) say why and what to do when it did not run."""

    status: str = RAN
    reason: str | None = None
    fix: str | None = None

    @property
    def ran(self) -> bool:
        """True when the stage did all its work."""
        return self.status == RAN

    def as_dict(self) -> dict[str, str | None]:
        """The outcome as stored and as findings.json shows it."""
        return {"status": self.status, "reason": self.reason, "fix": self.fix}


def record_stage(stats: dict[str, Any], stage: str, outcome: StageOutcome) -> None:
    """Set one stage's outcome in a run's stats."""
    stages = dict(stats.get(STAGES_STAT) or {})
    stages[stage] = outcome.as_dict()
    stats[STAGES_STAT] = stages


def stage_outcomes(stats: Any) -> dict[str, StageOutcome]:
    """The recorded outcomes, in running order; empty for runs made before they were kept."""
    raw = stats.get(STAGES_STAT) if isinstance(stats, Mapping) else None
    if not isinstance(raw, Mapping):
        return {}
    outcomes = {}
    for stage in STAGE_NAMES:
        value = raw.get(stage)
        if isinstance(value, Mapping) and value.get("status") in STATUSES:
            outcomes[stage] = StageOutcome(value["status"], value.get("reason"), value.get("fix"))
    return outcomes


def not_run(stats: Any) -> dict[str, StageOutcome]:
    """The stages that were skipped or stopped part way."""
    return {stage: o for stage, o in stage_outcomes(stats).items() if not o.ran}


def unchecked_categories(stats: Any) -> dict[str, str]:
    """Category -> why its health is "not checked": a stage feeding it was skipped."""
    unchecked = {}
    for stage, outcome in stage_outcomes(stats).items():
        if outcome.status == SKIPPED:
            for category in STAGE_CATEGORIES.get(stage, ()):
                unchecked[category] = outcome.reason or "its stage did not run"
    return unchecked
