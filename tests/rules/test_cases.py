"""Page rules against the HTML cases in tests/rules/cases/<rule-id>/.

Each folder holds `pass_*.html` (no findings expected) and `fail_*.html` (first line
`<!-- expect: N -->`, exactly N findings expected). Optional siblings:

- `<case>.headers.json`: response headers (lower-case keys);
- `<case>.expect.json`: a list with one object per finding, in order, giving the fields to
  check (`severity`, `message`, `selector`, `target`, `key`; `evidence` is checked as a
  subset, so a case pins only what it is about);
- `options.json` (per folder): the rule's `[rules.<id>]` section, e.g. a fixed `as_of`.

A site rule that reads pages (`page_facts`) runs its cases too: its facts from the case
page, then `check_site` over a site of that one page.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from audits.ruleset import configure
from rules import BUILTIN_RULES
from rules.base import Finding, PageRule, Rule, SiteRule
from rules.page import Page
from tests.kit.memory_site import MemorySite, info

CASES = Path(__file__).parent / "cases"
TESTS = Path(__file__).parent
URL = "https://council.example/page"
_EXPECT = re.compile(r"<!--\s*expect:\s*(\d+)\s*-->")
_RULES = {cls.id: cls for cls in BUILTIN_RULES}
# Test modules that only check metadata or run cases; they do not count as a site
# rule's dedicated tests.
_GENERIC_MODULES = {"test_cases.py", "test_rule_metadata.py"}


def case_files() -> list[Path]:
    """Every case file, sorted so test ids are stable."""
    return sorted(CASES.glob("*/*.html"))


def load_rule(rule_id: str) -> Rule:
    """The rule, configured from the folder's options.json like a config section."""
    options_file = CASES / rule_id / "options.json"
    section = json.loads(options_file.read_text()) if options_file.exists() else {}
    rule = configure(_RULES[rule_id], section)
    assert rule is not None
    return rule


def load_page(path: Path) -> Page:
    """The case as a crawled page, with response headers when the case has them."""
    page = Page.from_file(str(path), url=URL)
    headers_file = path.with_name(path.stem + ".headers.json")
    if headers_file.exists():
        page.headers = json.loads(headers_file.read_text())
    return page


def expected_count(path: Path) -> int:
    """0 for a pass case; the `<!-- expect: N -->` of a fail case's first line."""
    if path.name.startswith("pass_"):
        return 0
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    m = _EXPECT.search(first_line)
    assert m, f"{path.name}: a fail case starts with <!-- expect: N -->"
    return int(m.group(1))


def expected_fields(path: Path) -> list[dict[str, Any]] | None:
    """The `<case>.expect.json` list, if the case has one."""
    expect_file = path.with_name(path.stem + ".expect.json")
    return json.loads(expect_file.read_text()) if expect_file.exists() else None


def assert_matches(finding: Finding, expected: dict[str, Any]) -> None:
    """The finding has every field (and evidence item) the expectation names."""
    for name, value in expected.items():
        if name == "evidence":
            actual = {k: finding.evidence.get(k) for k in value}
            assert actual == value, finding.message
        elif name == "severity":
            assert finding.severity.value == value, finding.message
        else:
            assert getattr(finding, name) == value, name


def run_rule(rule: Rule, page: Page) -> list[Finding]:
    """A page rule on the page; a site rule on a site made of the page and its facts."""
    if isinstance(rule, PageRule):
        return list(rule.check_page(page)) if rule.applies_to(page) else []
    assert isinstance(rule, SiteRule)
    facts = rule.page_facts(page)
    site = MemorySite(
        pages=[info(page.url)], facts={rule.id: {page.url: facts} if facts is not None else {}}
    )
    return list(rule.check_site(site))


@pytest.mark.parametrize("path", case_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_case(path: Path) -> None:
    rule = load_rule(path.parent.name)
    page = load_page(path)
    findings = run_rule(rule, page)
    summary = [f.message for f in findings]
    assert len(findings) == expected_count(path), summary
    for finding in findings:
        assert finding.rule == rule.id
        assert finding.url == URL
        assert finding.message
        json.dumps(dict(finding.evidence))  # the store keeps evidence as JSON
    fields = expected_fields(path)
    if fields is not None:
        assert len(fields) == len(findings), f"{path.name}: expect.json lists {len(fields)}"
        for finding, expected in zip(findings, fields, strict=True):
            assert_matches(finding, expected)


def test_case_files_are_named_and_annotated() -> None:
    for path in case_files():
        assert path.name.startswith(("pass_", "fail_")), path
        assert not (path.name.startswith("pass_") and expected_fields(path)), path
        assert path.parent.name in _RULES, f"{path.parent.name} is not a built-in rule id"
        if path.name.startswith("fail_"):
            assert expected_count(path) >= 1, path


@pytest.mark.parametrize("cls", BUILTIN_RULES, ids=lambda cls: cls.id)
def test_every_builtin_rule_is_tested(cls: type[Rule]) -> None:
    if issubclass(cls, PageRule):
        names = [p.name for p in (CASES / cls.id).glob("*.html")]
        assert any(n.startswith("fail_") for n in names), f"{cls.id} has no fail case"
        assert any(n.startswith("pass_") for n in names), f"{cls.id} has no pass case"
    else:
        assert issubclass(cls, SiteRule)
        modules = [p for p in TESTS.glob("test_*.py") if p.name not in _GENERIC_MODULES]
        assert any(cls.__name__ in p.read_text() for p in modules), (
            f"site rule {cls.id} has no dedicated tests in {TESTS}"
        )
