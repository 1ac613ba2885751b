"""The CI gate's decisions and baselines, on stored findings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from audits.core.config import ConfigError, parse_config
from audits.gate import Gate, at_or_above, judge, load_baseline, parse_gate, write_baseline
from rules.base import Category, Finding, Severity


def finding(severity: str, category: str = "links", fingerprint: str = "") -> Finding:
    return Finding(
        rule="broken-link",
        url="https://council.example/",
        message="Link to a missing page",
        severity=Severity(severity),
        category=Category(category),
        fingerprint=fingerprint or severity,
    )


@pytest.mark.parametrize(
    ("severity", "threshold", "expected"),
    [
        ("critical", "high", True),
        ("high", "high", True),
        ("medium", "high", False),
        ("info", "info", True),
        ("low", "critical", False),
    ],
)
def test_severity_order(severity: str, threshold: str, expected: bool) -> None:
    assert at_or_above(severity, threshold) is expected


def test_gate_fails_on_threshold_with_per_category_overrides() -> None:
    gate = parse_gate("high", {"readability": "none", "accessibility": "medium"}, "[gate]")
    result = judge(
        [
            finding("high"),
            finding("critical", "readability"),
            finding("medium", "accessibility"),
            finding("medium", "links"),
        ],
        gate,
        baseline=None,
    )
    assert [(f.category, f.severity) for f in result.failing] == [
        ("links", "high"),
        ("accessibility", "medium"),
    ]
    assert result.summary()[0].startswith("Gate failed: 2 findings")


def test_baseline_accepts_known_findings_only(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    assert (
        write_baseline(path, [finding("high", fingerprint="old")], "https://council.example/") == 1
    )
    baseline = load_baseline(path)
    result = judge(
        [finding("high", fingerprint="old"), finding("high", fingerprint="new")], Gate(), baseline
    )
    assert [f.fingerprint for f in result.failing] == ["new"]
    assert result.accepted == 1


def test_bad_thresholds_and_baselines_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="must be one of"):
        parse_gate("severe", None, "--fail-on")
    with pytest.raises(ConfigError, match="unknown category"):
        parse_gate("high", {"spelling": "low"}, "[gate]")
    (tmp_path / "bad.json").write_text("[1, 2]")
    with pytest.raises(ConfigError, match="not a siteaudit baseline"):
        load_baseline(tmp_path / "bad.json")
    with pytest.raises(ConfigError, match="does not exist"):
        load_baseline(tmp_path / "missing.json")


@pytest.mark.parametrize(
    ("gate", "expected"),
    [
        ({}, ({}, False)),
        ({"require_browser": True, "fail_on": "high"}, ({"fail_on": "high"}, True)),
        ({"links": "none", "require_browser": False}, ({"links": "none"}, False)),
    ],
)
def test_gate_table_holds_thresholds_and_require_browser(gate: dict, expected: tuple) -> None:
    config = parse_config({"gate": gate})
    assert (dict(config.gate), config.require_browser) == expected


@pytest.mark.parametrize(
    ("gate", "message"),
    [
        ({"require_browser": "yes"}, "require_browser must be true or false"),
        ({"fail_on": 3}, "[gate] holds"),
    ],
)
def test_gate_table_mistakes_are_named(gate: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        parse_config({"gate": gate})
