"""The accessibility statement and search-engine findability rules: the pure pieces they
share (statement dates and sections, noindex headers) and how the configuration reaches
them (`[accessibility_statement] url`, `[[top_tasks]]`). The rules' own behaviour is in
their case folders (tests/rules/cases/accessibility-statement-*, meta-description-*,
top-task-not-indexable)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from audits.core.config import STATEMENT_RULES, TOP_TASK_PAGE_RULES, ConfigError, parse_config
from audits.rule_engine import load_rules
from rules.analyses.accessibility_statement import (
    read_statement,
    statement_dates,
    statement_page_facts,
)
from rules.analyses.search_listing import header_says_noindex
from rules.page import Page


@pytest.mark.parametrize(
    ("text", "reviewed", "prepared"),
    [
        (
            "This statement was prepared on 23 September 2019. It was last reviewed on "
            "3 March 2025.",
            date(2025, 3, 3),
            date(2019, 9, 23),
        ),
        ("Last updated: March 2024", date(2024, 3, 1), None),
        ("This statement was prepared on 1/4/2020.", None, date(2020, 4, 1)),
        ("Reviewed 2 May 2023. Updated 9 June 2024.", date(2024, 6, 9), None),
        ("This website was last tested on 3 March 2025.", None, None),
        ("We reviewed our forms.", None, None),
    ],
)
def test_statement_dates_are_read_as_councils_write_them(
    text: str, reviewed: date | None, prepared: date | None
) -> None:
    assert statement_dates(text) == (reviewed, prepared)


@pytest.mark.parametrize(
    ("text", "compliance", "missing"),
    [
        ("This website is partly compliant with WCAG 2.2.", "partially", "non_accessible"),
        ("This website is fully compliant with WCAG 2.2.", "fully", "reporting"),
        ("The ECNI enforces the regulations in Northern Ireland.", None, "compliance"),
    ],
)
def test_statement_sections_and_status(text: str, compliance: str | None, missing: str) -> None:
    read = read_statement(text)
    assert read["compliance"] == compliance
    assert missing not in read["sections"]


def test_ecni_counts_as_the_enforcement_procedure() -> None:
    assert "enforcement" in read_statement("Contact the ECNI.")["sections"]


@pytest.mark.parametrize(
    ("value", "noindex"),
    [
        ("noindex", True),
        ("none", True),
        ("noindex, nofollow", True),
        ("googlebot: noindex", True),
        ("otherbot: noindex", False),
        ("nofollow", False),
        ("unavailable_after: 25 Jun 2030 15:00:00 PST", False),
        ("", False),
    ],
)
def test_x_robots_tag_values(value: str, noindex: bool) -> None:
    assert header_says_noindex(value) is noindex


def _options(raw: dict[str, Any], rule_id: str) -> Any:
    [rule] = [r for r in load_rules(parse_config(raw)).site_rules if r.id == rule_id]
    return rule.options


def test_statement_url_reaches_every_statement_rule() -> None:
    raw = {"accessibility_statement": {"url": "/help/accessibility"}}
    for rule_id in STATEMENT_RULES:
        assert _options(raw, rule_id).statement_url == "/help/accessibility"


def test_top_tasks_reach_the_rules_that_weigh_top_task_pages() -> None:
    raw = {
        "top_tasks": [
            {"name": "Report a missed bin", "url": "/bins/missed", "max_clicks": 2},
            {"name": "Pay council tax", "pattern": "council-tax/pay"},
        ]
    }
    for rule_id in TOP_TASK_PAGE_RULES:
        options = _options(raw, rule_id)
        assert options.tasks == (("Report a missed bin", "/bins/missed"),)
        assert options.task_patterns == (("Pay council tax", "council-tax/pay"),)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"address": "/a"}, "unknown key address"),
        ({"url": 3}, "path or address"),
        ("/a", "must be a table"),
    ],
)
def test_bad_accessibility_statement_tables_are_config_errors(table: Any, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config({"accessibility_statement": table})


def test_an_unusable_statement_address_finds_nothing_rather_than_failing() -> None:
    page = Page(url="https://council.example/", html="<title>Home</title><a href='/x'>x</a>")
    assert statement_page_facts(page, "http://[bad") is None
