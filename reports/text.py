"""Words the reports share: labels of categories, severities and priorities, and each
rule's documentation as plain data (from the rule classes' metadata)."""

from __future__ import annotations

import json
import re
from typing import Any

from rules.base import Category, Severity

CATEGORY_LABELS: dict[str, tuple[str, str]] = {
    Category.LINKS: ("Links", "Links that are broken or lead somewhere unexpected"),
    Category.FRESHNESS: ("Out-of-date content", "Pages and documents that look out of date"),
    Category.READABILITY: ("Readability", "Text that is harder to read than it needs to be"),
    Category.ACCESSIBILITY: ("Accessibility", "Barriers for disabled people"),
    Category.FORMS: ("Online forms", "Online forms that are hard to find or to complete"),
    Category.CONTACT: ("Contact", "Pages that steer people to phone before going online"),
    Category.FINDABILITY: (
        "Findability",
        "Pages that search engines show poorly, or are told not to show at all",
    ),
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
