"""A rule's documentation, rendered from its metadata: the one place that does it.

`siteaudit rules ID` prints `rule_text`, and `siteaudit rules --markdown` (docs/rules.md)
`rules_markdown`; both take a rule's prose from `_doc_sections`. The HTML report and SARIF
read `rule_docs`, the same metadata as plain data, with the prose's paragraphs kept for
the HTML. The CLI used to render the first two itself, beside the reports' own.
"""

from __future__ import annotations

import dataclasses
import json
import textwrap
from collections.abc import Iterable, Mapping
from typing import Any

from reports.text import CATEGORY_LABELS, SEVERITY_LABELS
from rules.base import Rule


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
                "wcag": [
                    {"number": sc.number, "level": sc.level} for sc in getattr(cls, "wcag", ())
                ],
                "axe_rules": [str(r) for r in getattr(cls, "axe_rules", ())],
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


def _doc_sections(cls: type[Rule]) -> tuple[tuple[str, str], ...]:
    """The prose of a rule's documentation as (heading, text), whitespace collapsed.

    The one place the plain-text and the Markdown docs take a rule's text from.
    """
    return tuple(
        (heading, " ".join(text.split()))
        for heading, text in (
            ("What it checks", cls.summary),
            ("Why it matters", cls.why),
            ("How to fix", cls.how_to_fix),
        )
    )


def _toml_value(value: Any) -> str:
    """An option's default as it would be written in siteaudit.toml."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        if "\\" in value and "'" not in value and "\n" not in value:
            # A literal string: regular expressions read (and copy) without doubled backslashes.
            return f"'{value}'"
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(value)


def rule_text(cls: type[Rule]) -> str:
    """A rule's documentation as plain text, from its metadata."""
    lines = [
        f"{cls.id}: {cls.title}",
        f"Category: {cls.category}    Default severity: {cls.severity}",
    ]
    if cls.wcag:
        lines.append(f"WCAG 2.2: {', '.join(str(sc) for sc in cls.wcag)}")
    if cls.axe_rules:
        lines.append(f"Same problem as axe-core's: {', '.join(cls.axe_rules)}")
    for heading, text in _doc_sections(cls):
        lines += ["", heading, textwrap.fill(text, width=88)]
    options = cls.option_docs()
    if options:
        lines += ["", f"Options ([rules.{cls.id}] in siteaudit.toml)"]
        lines += [f"  {name} = {_toml_value(default)}    {doc}" for name, default, doc in options]
    if cls.references:
        lines += ["", "References", *(f"  {ref}" for ref in cls.references)]
    return "\n".join(lines)


def rule_markdown(cls: type[Rule]) -> str:
    """A rule's documentation as a Markdown section, from its metadata."""
    lines = [
        f"## {cls.id}: {cls.title}",
        "",
        f"Category: **{cls.category}** · Default severity: **{cls.severity}**",
    ]
    if cls.wcag:
        lines += ["", f"WCAG 2.2: {', '.join(f'**{sc}**' for sc in cls.wcag)}"]
    if cls.axe_rules:
        lines += ["", f"Same problem as axe-core's: {', '.join(f'`{a}`' for a in cls.axe_rules)}"]
    for heading, text in _doc_sections(cls):
        lines += ["", f"### {heading}", "", text]
    options = cls.option_docs()
    if options:
        lines += [
            "",
            "### Options",
            "",
            f"In the `[rules.{cls.id}]` section of `siteaudit.toml`:",
            "",
            "| option | default | description |",
            "| --- | --- | --- |",
        ]
        lines += [
            f"| `{name}` | {_md_cell(f'`{_toml_value(default)}`')} | {_md_cell(doc)} |"
            for name, default, doc in options
        ]
    if cls.references:
        lines += ["", "### References", "", *(f"- <{ref}>" for ref in cls.references)]
    return "\n".join(lines)


def rules_markdown(classes: list[type[Rule]]) -> str:
    """The documentation of every given rule as one Markdown document (docs/rules.md)."""
    lines = [
        "# Rules",
        "",
        "<!-- Generated by `siteaudit rules --markdown --no-plugins` from the rules' metadata."
        " Edit the rule classes, then regenerate; do not edit this file by hand. -->",
        "",
        "Every rule can also be switched off (`enabled = false`) or given another severity"
        ' (`severity = "low"`) in its `[rules.<id>]` section of `siteaudit.toml`.',
        "",
        "Each rule is one module, `rules/<category>/<rule_id>.py`, with its cases in"
        " `tests/rules/cases/<rule-id>/`: copying one rule file and one case folder is the"
        " whole recipe for a new rule. Where a rule checks a WCAG 2.2 success criterion, or"
        " reports the same problem as an axe-core rule, its section says which.",
        "",
        "| rule | category | default severity | title |",
        "| --- | --- | --- | --- |",
        *(
            f"| `{cls.id}` | {cls.category} | {cls.severity} | {_md_cell(cls.title)} |"
            for cls in classes
        ),
    ]
    for cls in classes:
        lines += ["", rule_markdown(cls)]
    return "\n".join(lines)


def _md_cell(text: str) -> str:
    # A pipe ends a table cell even inside a code span, unless escaped.
    return text.replace("|", "\\|")
