"""Every built-in rule against its cases in tests/rules/cases/<rule-id>/.

Adding a rule is copying one rule file and one case folder. Each rule has at least one
case named `pass_<name>` (no findings) and one named `fail_<name>` (findings), checked by
`test_every_builtin_rule_has_a_passing_and_a_failing_case`. A case is one of two kinds.

A page case is one HTML file, `<case>.html`, crawled as https://council.example/page. A
fail case's first line is `<!-- expect: N -->`: exactly N findings. Optional siblings:

- `<case>.headers.json`: response headers (lower-case keys);
- `<case>.expect.json`: a list with one object per finding, in order, giving the fields to
  check (`severity`, `message`, `selector`, `snippet`, `target`, `key`, `url`, `pages`;
  `evidence` is checked as a subset, so a case pins only what it is about).

A site case is a folder, `<case>/`, run through the in-memory site (tests/kit/
memory_site.py). Each HTML file in it is a crawled page at its path, as on a static site
(`index.html` at /, `bins.html` at /bins, `waste/index.html` at /waste/); its links are
extracted as the crawl extracts them, and a site rule's `page_facts` collected from it.
`expect.json` lists the findings as above (a fail folder has one, a pass folder none).
An optional `site.json` says what pages alone can't; every key is optional, and a URL
in it or in expect.json may be written as a path on https://council.example:

- `pages`: {url: record} to say more of an HTML page or to add a URL without one (a
  missing page, a PDF, a redirect): `status` (200; null when no answer came), `error`,
  `final_url` (where redirects ended), `redirects` (the hops, default [final_url]),
  `content_type` ("text/html"), `title` (the page's own), `click_depth` (0 for the
  start URL, else 1; null when no link path reaches it), `in_sitemap` (whether
  `sitemap` lists it), `headers`;
- `start_url` ("/"); `sitemap`: {url: lastmod or null};
- `links`: [{from, to, text, kind ("a"), region ("main"), selector, fragment}], links
  no HTML page shows, such as those inside a PDF (region "document");
- `external`: {url: {status, error, final_url}}, how other sites' link targets answered;
- `history`: {url: [[run id, run start, status, error], ...]}, earlier runs' answers;
- `traps`: [{pattern, reason, example, source, variants}]; `stats`: crawl statistics;
- `facts`: {key: {url: value}}, what the crawl records beside the rules (`document-date`);
- `browser`: {url: the page's recorded axe-core result, {"violations": [...],
  "incomplete": [...]} as axe.run() returns it, or {"error": why the browser stage could
  not check the page}}: the browser rules' input, no browser needed;
- `options`: the rule's options for this case, over the folder's.

In either kind, the rule folder's `options.json` is the rule's `[rules.<id>]` section
(e.g. a fixed `as_of`). A page rule runs on each HTML page; a site rule on the site (a
page case is a site of that one page).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest

from audits.rule_engine import configure
from audits.stages.browser import parse_axe_results
from rules import BUILTIN_RULES
from rules.base import Finding, PageRule, Rule, SiteRule
from rules.page import Page
from rules.site import LinkRow, PageInfo, TargetStatus, TrapHit
from tests.kit.memory_site import BrowserFailure, MemorySite

CASES = Path(__file__).parent / "cases"
ORIGIN = "https://council.example/"
URL = urljoin(ORIGIN, "page")
"""Where a page case is crawled."""
_EXPECT = re.compile(r"<!--\s*expect:\s*(\d+)\s*-->")
_RULES = {cls.id: cls for cls in BUILTIN_RULES}
_URL_FIELDS = ("url", "target")


def cases() -> list[Path]:
    """Every case (HTML file or folder), sorted so test ids are stable."""
    return sorted(path for path in CASES.glob("*/*") if path.suffix == ".html" or path.is_dir())


def page_path(file: Path) -> str:
    """The path a folder case's HTML file is crawled at, as on a static site: bins.html
    is /bins, waste/index.html is /waste/."""
    path = "/" + file.with_suffix("").as_posix()
    return path.removesuffix("index") if file.stem == "index" else path


@dataclass(frozen=True)
class Case:
    """One case: an HTML file (a page case) or a folder (a site case)."""

    path: Path

    @property
    def rule_id(self) -> str:
        """The id of the rule the case is for: its folder's name."""
        return self.path.parent.name

    @property
    def is_site(self) -> bool:
        """A folder (a site case), not one HTML file (a page case)."""
        return self.path.is_dir()

    @cached_property
    def spec(self) -> dict[str, Any]:
        """The folder's site.json; a page case says nothing beyond its page."""
        spec_file = self.path / "site.json"
        return json.loads(spec_file.read_text()) if self.is_site and spec_file.exists() else {}

    @cached_property
    def start_url(self) -> str:
        """Where the crawl starts: the home page, click depth 0."""
        return urljoin(ORIGIN, self.spec.get("start_url", "/"))

    def at(self, url: str) -> str:
        """A URL written as a path on the case's site, made absolute ("" stays "")."""
        return urljoin(self.start_url, url) if url else url

    def rule(self) -> Rule:
        """The rule, configured from the folder's options.json and the case's own options,
        like a config section."""
        options_file = CASES / self.rule_id / "options.json"
        section = json.loads(options_file.read_text()) if options_file.exists() else {}
        rule = configure(_RULES[self.rule_id], {**section, **self.spec.get("options", {})})
        assert rule is not None
        return rule

    def expected_fields(self) -> list[dict[str, Any]] | None:
        """The case's list of expected findings (`<case>.expect.json`, or expect.json in a
        folder), if it has one."""
        path = self.path
        expect_file = path / "expect.json" if self.is_site else path.with_suffix(".expect.json")
        return json.loads(expect_file.read_text()) if expect_file.exists() else None

    def expected_count(self) -> int:
        """0 for a pass case; the `<!-- expect: N -->` of a fail page case's first line, or
        the length of a fail folder's expect.json."""
        if self.path.name.startswith("pass_"):
            return 0
        if self.is_site:
            return len(self.expected_fields() or [])
        first_line = self.path.read_text(encoding="utf-8").splitlines()[0]
        m = _EXPECT.search(first_line)
        assert m, f"{self.path.name}: a fail case starts with <!-- expect: N -->"
        return int(m.group(1))

    # -- the site ---------------------------------------------------------------------------

    def records(self) -> dict[str, dict[str, Any]]:
        """Every URL of the case with its record: each HTML file at its path, and the
        URLs site.json's pages say more of or add."""
        if not self.is_site:
            record: dict[str, Any] = {"html": self.path.name}
            headers_file = self.path.with_suffix(".headers.json")
            if headers_file.exists():
                record["headers"] = json.loads(headers_file.read_text())
            return {URL: record}
        records = {
            self.at(page_path(file.relative_to(self.path))): {
                "html": file.relative_to(self.path).as_posix()
            }
            for file in sorted(self.path.rglob("*.html"))
        }
        for url, record in self.spec.get("pages", {}).items():
            records.setdefault(self.at(url), {}).update(record)
        return records

    def pages(self, records: dict[str, dict[str, Any]]) -> list[Page]:
        """The HTML pages among the records, as the crawl hands them to the rules."""
        folder = self.path if self.is_site else self.path.parent
        return [
            Page(
                url=url,
                html=(folder / record["html"]).read_text(encoding="utf-8"),
                headers=record.get("headers", {}),
            )
            for url, record in records.items()
            if "html" in record
        ]

    def page_info(self, url: str, record: dict[str, Any], page: Page | None) -> PageInfo:
        """What the crawl records of one URL, from its record and its page."""
        final = self.at(record.get("final_url", url))
        content_type = record.get("content_type", "text/html")
        return PageInfo(
            url=url,
            final_url=final,
            status=record.get("status", 200),
            content_type=content_type,
            is_html=content_type.startswith("text/html"),
            title=record.get("title", page.title if page else ""),
            click_depth=record.get("click_depth", 0 if url == self.start_url else 1),
            in_sitemap=record.get("in_sitemap", url in self.sitemap()),
            error=record.get("error"),
            redirects=tuple(map(self.at, record.get("redirects", [final] if final != url else []))),
        )

    def sitemap(self) -> dict[str, str | None]:
        """Every URL the sitemaps list, with its lastmod."""
        return {self.at(url): lastmod for url, lastmod in self.spec.get("sitemap", {}).items()}

    def links(self, pages: list[Page]) -> list[LinkRow]:
        """The pages' links as the crawl extracts them, then site.json's."""
        extracted = [
            LinkRow(page.url, ln.url, ln.fragment, ln.text, ln.kind, ln.region, ln.selector)
            for page in pages
            for ln in page.links
        ]
        given = [
            LinkRow(
                self.at(ln["from"]),
                self.at(ln["to"]),
                ln.get("fragment", ""),
                ln.get("text", ""),
                ln.get("kind", "a"),
                ln.get("region", "main"),
                ln.get("selector", ""),
            )
            for ln in self.spec.get("links", [])
        ]
        return extracted + given

    def facts(self, rule: Rule, pages: list[Page]) -> dict[str, dict[str, Any]]:
        """site.json's facts, and the rule's `page_facts` of each page."""
        facts = {
            key: {self.at(url): value for url, value in values.items()}
            for key, values in self.spec.get("facts", {}).items()
        }
        if isinstance(rule, SiteRule):
            for page in pages:
                value = rule.page_facts(page)
                if value is not None:  # as the page stage stores them
                    facts.setdefault(rule.id, {})[page.url] = value
        return facts

    def site(self, rule: Rule, pages: list[Page], records: dict[str, Any]) -> MemorySite:
        """The in-memory site the case describes."""
        at, spec = self.at, self.spec
        by_url = {page.url: page for page in pages}
        browser = {at(url): result for url, result in spec.get("browser", {}).items()}
        return MemorySite(
            start_url=self.start_url,
            pages=[self.page_info(url, r, by_url.get(url)) for url, r in records.items()],
            links=self.links(pages),
            external=[
                TargetStatus(
                    at(url), s.get("status"), s.get("error"), at(s.get("final_url", url)), False
                )
                for url, s in spec.get("external", {}).items()
            ],
            facts=self.facts(rule, pages),
            traps=[
                TrapHit(
                    **{**hit, "example": at(hit["example"]), "source": at(hit.get("source", ""))}
                )
                for hit in spec.get("traps", [])
            ],
            history={
                at(url): [tuple(run) for run in runs]
                for url, runs in spec.get("history", {}).items()
            },
            stats=spec.get("stats", {}),
            sitemap=self.sitemap(),
            axe_nodes=[
                node
                for url, result in browser.items()
                if "error" not in result
                for node in parse_axe_results(url, result)
            ],
            browser_errors=[
                BrowserFailure(url, result["error"])
                for url, result in browser.items()
                if "error" in result
            ],
        )

    def findings(self) -> list[Finding]:
        """The rule's findings: a page rule's on each page, a site rule's on the site."""
        rule = self.rule()
        records = self.records()
        pages = self.pages(records)
        if isinstance(rule, PageRule):
            return [f for page in pages if rule.applies_to(page) for f in rule.check_page(page)]
        assert isinstance(rule, SiteRule)
        return list(rule.check_site(self.site(rule, pages, records)))

    def assert_matches(self, finding: Finding, expected: dict[str, Any]) -> None:
        """The finding has every field (and evidence item) the expectation names."""
        for name, value in expected.items():
            if name == "evidence":
                actual = {k: finding.evidence.get(k) for k in value}
                assert actual == value, finding.message
            elif name == "severity":
                assert finding.severity.value == value, finding.message
            elif name == "pages":
                assert list(finding.pages) == [self.at(url) for url in value], finding.message
            elif name in _URL_FIELDS and value is not None:
                assert getattr(finding, name) == self.at(value), name
            else:
                assert getattr(finding, name) == value, name


@pytest.mark.parametrize("path", cases(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_case(path: Path) -> None:
    case = Case(path)
    findings = case.findings()
    assert len(findings) == case.expected_count(), [f.message for f in findings]
    for finding in findings:
        assert finding.rule == case.rule_id
        assert finding.message
        json.dumps(dict(finding.evidence))  # the store keeps evidence as JSON
        if not case.is_site:
            assert finding.url == URL
    fields = case.expected_fields()
    if fields is not None:
        assert len(fields) == len(findings), f"{path.name}: the expectations list {len(fields)}"
        for finding, expected in zip(findings, fields, strict=True):
            case.assert_matches(finding, expected)


def test_cases_are_named_and_annotated() -> None:
    for path in cases():
        case = Case(path)
        assert path.name.startswith(("pass_", "fail_")), path
        assert case.rule_id in _RULES, f"{case.rule_id} is not a built-in rule id"
        if case.is_site:
            assert case.spec or any(path.rglob("*.html")), f"{path}: an empty case"
        if path.name.startswith("pass_"):
            assert not case.expected_fields(), f"{path}: a pass case expects no findings"
        else:
            assert case.expected_count() >= 1, f"{path}: a fail case expects findings"


@pytest.mark.parametrize("rule_id", sorted(_RULES))
def test_every_builtin_rule_has_a_passing_and_a_failing_case(rule_id: str) -> None:
    names = [path.name for path in cases() if path.parent.name == rule_id]
    assert any(n.startswith("pass_") for n in names), f"{rule_id} has no pass case in {CASES}"
    assert any(n.startswith("fail_") for n in names), f"{rule_id} has no fail case in {CASES}"
