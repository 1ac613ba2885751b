"""One finding shape: category and fingerprint from birth, the same after the store."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from audits.rule_engine import finding_row
from audits.store import Store
from rules.base import Category, Finding, Severity
from tests.kit.synthetic_runs import DemoReadingAge


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        # Values from the formula stored runs and --baseline files were written with.
        (
            {
                "rule": "broken-link",
                "url": "https://council.example/bins",
                "target": "https://council.example/gone",
                "selector": "main > a",
            },
            "c0cdbf89f7d381a0b8a8",
        ),
        (
            {
                "rule": "image-missing-alt",
                "url": "https://council.example/",
                "selector": "img#x",
                "key": "img.logo",
            },
            "5a1f097a8151f10bdaf6",
        ),
    ],
)
def test_fingerprint_is_the_one_stored_runs_and_baselines_hold(
    fields: dict[str, str], expected: str
) -> None:
    finding = Finding(message="m", severity=Severity.HIGH, category=Category.LINKS, **fields)
    assert finding.fingerprint == expected


def test_a_rules_finding_carries_its_category_and_fingerprint_from_birth() -> None:
    finding = DemoReadingAge().finding("https://council.example/", "Hard to read", selector="main")
    assert finding.category is Category.READABILITY
    assert len(finding.fingerprint) == 20
    graded = dataclasses.replace(finding, severity=Severity.INFO)
    assert graded.fingerprint == finding.fingerprint


def test_the_store_gives_back_the_finding_it_was_given(tmp_path: Path) -> None:
    finding = DemoReadingAge().finding(
        "https://council.example/",
        "Hard to read",
        selector="main > p",
        key="p.intro",
        evidence={"reading_age": 14},
        pages=("https://council.example/", "https://council.example/bins"),
    )
    store = Store(str(tmp_path / "audit.db"))
    try:
        run_id = store.begin_run("https://council.example/", "0.1.0", {})
        store.add_findings(run_id, [finding_row(finding)])
        [stored] = store.findings(run_id)
    finally:
        store.close()
    # Keys are not stored: they only feed the fingerprint, which is.
    assert stored.finding == dataclasses.replace(finding, key="")
    assert stored.priority is None and stored.status is None
