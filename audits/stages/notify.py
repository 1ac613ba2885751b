"""Notifications after an audit: a webhook POST with a JSON summary, and an e-mail digest
per owner section (each team gets its own pages' problems, most important first).

Settings come from the config's `[notify]` section; the SMTP password only from the
SITEAUDIT_SMTP_PASSWORD environment variable. A notification that cannot be delivered is
reported in one line and never fails the audit.
"""

from __future__ import annotations

import json
import os
import smtplib
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterable, Mapping
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from audits.core.config import NotifyConfig
from audits.core.errors import SiteauditError
from audits.store import Store, StoredFinding
from rules.base import is_inventory

_DIGEST_LIMIT = 50


def problems(store: Store, run_id: int) -> list[StoredFinding]:
    """A run's findings, most urgent first, without inventory rows (they are no problems)."""
    return [f for f in store.findings(run_id) if not is_inventory(f.finding.rule)]


class NotifyError(SiteauditError):
    """A notification could not be delivered; the message says where and why."""


def run_summary(store: Store, run_id: int, report: str = "") -> dict[str, Any]:
    """The JSON summary of a run: counts, what changed, the top problems."""
    run = store.run(run_id)
    findings = problems(store, run_id)
    status = Counter(f.status or "new" for f in findings)
    return {
        "start_url": run.start_url,
        "run": run.id,
        "started": run.started,
        "finished": run.finished,
        "status": run.status,
        "pages": store.count_pages(run_id),
        "findings": len(findings),
        "new": status["new"],
        "persisting": status["persisting"],
        "by_category": dict(Counter(f.finding.category.value for f in findings)),
        "by_severity": dict(Counter(f.finding.severity.value for f in findings)),
        "top": [
            {
                "rule": f.finding.rule,
                "severity": f.finding.severity.value,
                "priority": f.priority,
                "message": f.finding.message,
                "url": f.finding.url,
            }
            for f in findings[:10]
        ],
        "report": report,
    }


def post_webhook(url: str, payload: Mapping[str, Any], timeout: float = 15) -> None:
    """POST the payload as JSON; NotifyError when the endpoint does not accept it."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise NotifyError(f"webhook {url!r} is not an http(s) URL")
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "User-Agent": "siteaudit"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            response.read()
    except urllib.error.HTTPError as exc:
        raise NotifyError(f"webhook {url} answered {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise NotifyError(f"webhook {url} could not be reached ({reason})") from None


def section_findings(findings: Iterable[StoredFinding], prefix: str) -> list[StoredFinding]:
    """The findings on pages under a URL path prefix, most important first."""
    chosen = [f for f in findings if urlsplit(f.finding.url).path.startswith(prefix)]
    return sorted(chosen, key=lambda f: (f.priority or 9, -(f.score or 0)))


def digest(start_url: str, prefix: str, findings: list[StoredFinding], report: str) -> str:
    """The plain-text body of one team's digest."""
    if not findings:
        return f"No problems were found on the pages under {prefix} of {start_url}.\n"
    lines = [
        f"The audit of {start_url} found {len(findings)} problems on the pages under {prefix}.",
        "Most important first:",
        "",
    ]
    for finding in findings[:_DIGEST_LIMIT]:
        new = " (new)" if finding.status == "new" else ""
        lines.append(f"P{finding.priority or '?'} {finding.finding.message}{new}")
        lines.append(f"    {finding.finding.url}")
    if len(findings) > _DIGEST_LIMIT:
        lines.append(f"... and {len(findings) - _DIGEST_LIMIT} more.")
    if report:
        lines += ["", f"The full report: {report}"]
    return "\n".join(lines) + "\n"


def send_digests(config: NotifyConfig, store: Store, run_id: int, report: str = "") -> list[str]:
    """E-mail each section's owner their digest; return the addresses written to."""
    if not (config.smtp_host and config.sections):
        return []
    run = store.run(run_id)
    findings = problems(store, run_id)
    messages = []
    for prefix, address in sorted(config.sections.items()):
        mine = section_findings(findings, prefix)
        message = EmailMessage()
        message["From"] = config.mail_from or f"siteaudit@{urlsplit(run.start_url).hostname}"
        message["To"] = address
        message["Subject"] = f"Website audit: {len(mine)} problems on {prefix} pages"
        message.set_content(digest(run.start_url, prefix, mine, report))
        messages.append(message)
    try:
        with smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=30) as smtp:
            if config.smtp_starttls:
                smtp.starttls()
            if config.smtp_user:
                smtp.login(config.smtp_user, os.environ.get("SITEAUDIT_SMTP_PASSWORD", ""))
            for message in messages:
                smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:
        raise NotifyError(
            f"e-mail via {config.smtp_host}:{config.smtp_port} failed ({type(exc).__name__})"
        ) from None
    return [str(m["To"]) for m in messages]


def notify_run(store: Store, run_id: int, config: NotifyConfig, report: Path | None) -> list[str]:
    """Send the configured notifications; what could not be delivered, one line each."""
    location = report.resolve().as_uri() if report is not None else ""
    problems = []
    if config.webhook:
        try:
            post_webhook(config.webhook, run_summary(store, run_id, location))
        except NotifyError as exc:
            problems.append(str(exc))
    try:
        send_digests(config, store, run_id, location)
    except NotifyError as exc:
        problems.append(str(exc))
    return problems
