"""index.html: the report council content editors read.

One self-contained file: the stylesheet is inlined, there is one tiny inline script
(allowed by its hash in the page's Content-Security-Policy, and only needed for the
filters), and nothing is loaded from anywhere, so it works from file:// offline.

Everything that comes from crawled pages is untrusted. The jinja2 environment
autoescapes every template whatever its file name, undefined variables are errors,
and `safe_href` only lets absolute http(s) URLs become links.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from audits import PROJECT_URL, __version__
from reports.findings_json import write_atomic
from reports.prioritise import PRIORITY_EXPLANATION
from rules.base import Category, Rule, Severity

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

MAX_ROWS = 500
"""Findings (and rule errors) shown in the page; findings.json has all of them."""
MAX_PAGES_LISTED = 50
"""Affected pages listed under one finding."""
PAGES_SHOWN_OPEN = 3
"""Up to this many affected pages are listed openly; more go inside <details>."""

CATEGORY_LABELS: dict[str, tuple[str, str]] = {
    Category.LINKS: ("Links", "Links that are broken or lead somewhere unexpected"),
    Category.FRESHNESS: ("Out-of-date content", "Pages and documents that look out of date"),
    Category.READABILITY: ("Readability", "Text that is harder to read than it needs to be"),
    Category.ACCESSIBILITY: ("Accessibility", "Barriers for disabled people"),
    Category.FORMS: ("Online forms", "Online forms that are hard to find or to complete"),
    Category.CONTACT: ("Contact", "Pages that steer people to phone before going online"),
}
SEVERITY_LABELS: dict[str, str] = {
    Severity.CRITICAL: "Critical",
    Severity.HIGH: "High",
    Severity.MEDIUM: "Medium",
    Severity.LOW: "Low",
    Severity.INFO: "For information",
}
PRIORITY_LABELS: dict[int, str] = {
    1: "Fix now",
    2: "Fix soon",
    3: "Plan in",
    4: "When time allows",
}
STATUS_LABELS: dict[str, str] = {"new": "New", "persisting": "Still there"}

FILTER_SCRIPT = (
    "(function(){var f=document.getElementById('filters');if(!f)return;f.hidden=false;"
    "var rows=document.querySelectorAll('#findings-table tbody tr'),"
    "out=document.getElementById('filter-status');"
    "function apply(){var c=f.elements.category.value,p=f.elements.priority.value,n=0;"
    "for(var i=0;i<rows.length;i++){var r=rows[i],ok=(!c||r.getAttribute('data-category')===c)"
    "&&(!p||r.getAttribute('data-priority')===p);r.hidden=!ok;if(ok)n++;}"
    "out.textContent=n+' of '+rows.length+' problems shown';}"
    "f.addEventListener('change',apply);"
    "f.addEventListener('submit',function(e){e.preventDefault();apply();});})();"
)

_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_SAFE_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f-\x9f]+", re.IGNORECASE)


def script_hash(script: str) -> str:
    """The CSP source expression allowing exactly this inline script."""
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    f"script-src {script_hash(FILTER_SCRIPT)}; base-uri 'none'; form-action 'none'"
)


def safe_href(url: object) -> str | None:
    """`url` if it may become a link: absolute http(s), no spaces or control characters."""
    if isinstance(url, str) and _SAFE_URL.fullmatch(url):
        return url
    return None


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


def thousands(value: int | float) -> str:
    """1234 -> '1,234'."""
    return f"{value:,}"


def paragraphs(text: str | None) -> list[str]:
    """Split rule documentation into paragraphs on blank lines, tidying indentation."""
    if not text:
        return []
    blocks = re.split(r"\n\s*\n", text.strip())
    return [" ".join(line.strip() for line in block.splitlines()) for block in blocks]


def text_blocks(text: str) -> list[tuple[str, Any]]:
    """Lines of plain text as ("p", line) paragraphs and ("ul", [items]) for "- " lines."""
    blocks: list[tuple[str, Any]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("- "):
            if not blocks or blocks[-1][0] != "ul":
                blocks.append(("ul", []))
            blocks[-1][1].append(line[2:])
        else:
            blocks.append(("p", line))
    return blocks


def show_value(value: Any) -> str:
    """An evidence or option value as plain text."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, tuple | list) and all(isinstance(v, str | int | float) for v in value):
        return ", ".join(str(v) for v in value) if value else "none"
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


def slug(value: str) -> str:
    """A rule id made safe for an HTML id attribute."""
    return re.sub(r"[^a-z0-9_-]+", "-", str(value).lower()).strip("-") or "rule"


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
    )
    env.filters.update(
        safe_href=safe_href,
        nice_date=nice_date,
        thousands=thousands,
        paragraphs=paragraphs,
        show_value=show_value,
        slug=slug,
    )
    return env


@cache
def stylesheet() -> str:
    """The report stylesheet, to inline into the page."""
    css = (STATIC_DIR / "report.css").read_text(encoding="utf-8")
    if "</" in css:
        raise ValueError("report.css must not contain '</'")
    return css


def rule_docs(
    rule_classes: Iterable[type[Rule]] | Mapping[str, type[Rule]],
) -> list[dict[str, Any]]:
    """Each rule's documentation as plain data, sorted by category and title."""
    classes = rule_classes.values() if isinstance(rule_classes, Mapping) else rule_classes
    docs = []
    for cls in classes:
        try:
            options = [
                {
                    "name": name,
                    "default": "(worked out when the check runs)"
                    if default is dataclasses.MISSING
                    else default,
                    "doc": doc,
                }
                for name, default, doc in cls.option_docs()
            ]
        except (TypeError, AttributeError):
            options = []
        category = str(getattr(cls, "category", ""))
        severity = str(getattr(cls, "severity", ""))
        docs.append(
            {
                "id": str(cls.id),
                "title": str(getattr(cls, "title", cls.id)),
                "category": category,
                "category_label": CATEGORY_LABELS.get(category, (category, ""))[0],
                "severity": severity,
                "severity_label": SEVERITY_LABELS.get(severity, severity),
                "summary": str(getattr(cls, "summary", "")),
                "why": str(getattr(cls, "why", "")),
                "how_to_fix": str(getattr(cls, "how_to_fix", "")),
                "references": [str(r) for r in getattr(cls, "references", ())],
                "options": options,
            }
        )
    order = list(CATEGORY_LABELS)
    docs.sort(
        key=lambda d: (
            order.index(d["category"]) if d["category"] in order else len(order),
            d["title"].lower(),
        )
    )
    return docs


def render_html(
    data: Mapping[str, Any],
    rule_classes: Iterable[type[Rule]] | Mapping[str, type[Rule]],
    *,
    previous_started: str | None = None,
) -> str:
    """The report page for a findings.json document (`reports.findings_json.build_findings`).

    `previous_started` is when the run the statuses compare with started, if any.
    """
    rules = rule_docs(rule_classes)
    titles = {r["id"]: r["title"] for r in rules}
    findings = data["findings"]
    errors = data["rule_errors"]
    template = environment().get_template("index.html.j2")
    return template.render(
        data=data,
        run=data["run"],
        summary=data["summary"],
        findings=findings[:MAX_ROWS],
        total_findings=len(findings),
        rule_errors=errors[:MAX_ROWS],
        total_rule_errors=len(errors),
        rules=rules,
        rule_titles=titles,
        documented=set(titles),
        previous_started=previous_started,
        categories=CATEGORY_LABELS,
        severities=SEVERITY_LABELS,
        priorities=PRIORITY_LABELS,
        statuses=STATUS_LABELS,
        explanation=text_blocks(PRIORITY_EXPLANATION),
        max_rows=MAX_ROWS,
        max_pages=MAX_PAGES_LISTED,
        pages_open=PAGES_SHOWN_OPEN,
        version=__version__,
        project_url=PROJECT_URL,
        csp=CONTENT_SECURITY_POLICY,
        css=Markup(stylesheet()),  # noqa: S704 - our own file, checked for '</'
        script=Markup(FILTER_SCRIPT),  # noqa: S704 - a constant, allowed by its hash
    )


def write_html(
    data: Mapping[str, Any],
    rule_classes: Iterable[type[Rule]] | Mapping[str, type[Rule]],
    path: Path,
    *,
    previous_started: str | None = None,
) -> Path:
    """Render the report page and write it atomically."""
    return write_atomic(path, render_html(data, rule_classes, previous_started=previous_started))
