"""The errors siteaudit reports to people, and the exit codes they end a command with.

Every error a person can act on derives from `SiteauditError`, which carries its exit
code, so the CLI turns any of them into one line and that code (`audits/cli.py`,
`friendly_errors`) without a list of classes to keep in step. Errors that stay inside a
stage (a page too large to analyse, a browser that crashed) are not among them: the
stage records them and the audit goes on.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import ClassVar

EXIT_FINDINGS = 1
"""Findings at or above --fail-on (or the [gate] thresholds)."""
EXIT_USAGE = 2
"""A usage or configuration error: nothing was audited."""
EXIT_UNREACHABLE = 3
"""The site could not be crawled; partial results are kept."""
EXIT_INTERNAL = 4
"""An internal error: a bug, to be reported."""
EXIT_STAGE_SKIPPED = 5
"""A stage the gate requires (`--require-browser`) did not run; the reports are written."""
EXIT_INTERRUPTED = 130
"""Interrupted (Ctrl-C); what was stored is kept."""

REDIS_ENV = "SITEAUDIT_REDIS"
"""The environment variable holding the Redis URL of a shared crawl: a password in it
stays out of process lists (which every user of a machine can read) and out of logs."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' (did you mean "x"?)' naming the choice closest to a mistyped word, or ''."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


class SiteauditError(Exception):
    """An error the user can act on; the message says what to change."""

    exit_code: ClassVar[int] = EXIT_USAGE

    def line(self) -> str:
        """The one line the CLI prints after "siteaudit: "."""
        return f"error: {self}"


class UsageError(SiteauditError):
    """The command was given something unusable (exit code 2)."""


class SharedCrawlError(UsageError):
    """Redis cannot be used for a shared crawl (exit code 2); the message says why."""


class SiteUnreachable(SiteauditError):
    """The site could not be crawled at all (exit code 3)."""

    exit_code = EXIT_UNREACHABLE

    def line(self) -> str:
        return f"{self} (partial results, if any, are kept in the store)"


class RequiredStageSkipped(SiteauditError):
    """A stage `--require-browser` (or `[gate] require_browser`) asks for did not run
    (exit code 5); the audit and its reports are complete otherwise."""

    exit_code = EXIT_STAGE_SKIPPED

    def line(self) -> str:
        return f"gate failed: {self}"
