"""Every built-in rule against its cases in tests/rules/cases/<rule-id>/.

A case is named `pass_<name>` (no findings expected) or `fail_<name>` (findings
expected). It is one of two things:

A page case is one HTML file, `<case>.html`, crawled as https://council.example/page. A
fail case's first line is `<!-- expect: N -->`: exactly N findings. Optional siblings:

- `<case>.headers.json`: response headers (lower-case keys);
- `<case>.expect.json`: a list with one object per finding, in order, giving the fields to
  check (`severity`, `message`, `selector`, `target`, `key`, `url`, `pages`; `evidence`
  is checked as a subset, so a case pins only what it is about).

A site case is a folder, `<case>/`, run through the in-memory site: each `*.html` in it
is a crawled page at its path, as on a static site (`index.html` at /, `bins.html` at
/bins, `waste/index.html` at /waste/), and a small
optional `site.json` says what pages alone can't. Its `expect.json` is the list of
findings as above (required in a fail folder, absent in a pass folder). In site.json and
expect.json a URL may be written as a path on https://council.example. site.json's keys,
all optional:

- `pages`: {url: record} for URLs beyond the HTML files or to say more of one:
  `html` (file name, when it isn't the path's), `status` (200; null when none came),
  `error`, `final_url` (where redirects ended), `redirects` (the hops), `content_type`
  ("text/html"), `title` (the page's own), `click_depth` (0 for the start URL, else 1;
  null when no link path reaches it), `in_sitemap` (listed in `sitemap`), `headers`;
- `start_url` ("/"); `sitemap`: {url: lastmod or null};
- `links`: [{from, to, text, kind ("a"), region ("main"), selector, fragment}] beyond
  the HTML pages' own, such as the links inside a PDF (region "document");
- `external`: {url: {status, error, final_url}} for other sites' link targets;
- `history`: {url: [[run id, run start, status, error], ...]} of earlier runs;
- `traps`: [{pattern, reason, example, source, variants}]; `stats`: crawl statistics;
- `facts`: {fact key: {url: value}} the crawl records beside the rules' own
  (`document-date`); a site rule's `page_facts` come from the HTML pages;
- `browser`: {url: recorded axe-core result ({"violations": [...], "incomplete": [...]})
  or {"error": why the browser stage could not check it}};
- `options`: the rule's options for this case, over the folder's options.json.

Links come from the HTML pages, as the crawl extracts them. A page rule's folder case
runs the rule on each HTML page.

Per rule folder, `options.json` is the rule's `[rules.<id>]` section (e.g. a fixed
`as_of`). A site rule's page case is a site of that one page.
"""

from __future__ import annotations

import json
import re
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest

from audits.browser import parse_axe_results
from audits.ruleset import configure
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
    return sorted(
        path
        for path in CASES.glob("*/*")
        if path.suffix == ".html" or (path.is_dir() and path.name != "__pycache__")
    )


def load_rule(rule_id: str, case_options: dict[str, Any] | None = None) -> Rule:
    """The rule, configured from the folder's options.json (and the case's own options)
    like a config section."""
    options_file = CASES / rule_id / "options.json"
    section = json.loads(options_file.read_text()) if options_file.exists() else {}
    rule = configure(_RULES[rule_id], {**section, **(case_options or {})})
    assert rule is not None
    return rule


def expected_count(path: Path) -> int:
    """0 for a pass case; the `<!-- expect: N -->` of a fail page case's first line, or
    the length of a fail folder's expect.json."""
    if path.name.startswith("pass_"):
        return 0
    if path.is_dir():
        return len(expected_fields(path) or [])
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    m = _EXPECT.search(first_line)
    assert m, f"{path.name}: a fail case starts with <!-- expect: N -->"
    return int(m.group(1))


def expected_fields(path: Path) -> list[dict[str, Any]] | None:
    """The case's list of expected findings (`<case>.expect.json`, or expect.json in a
    folder), if it has one."""
    expect_file = path / "expect.json" if path.is_dir() else path.with_suffix(".expect.json")
    return json.loads(expect_file.read_text()) if expect_file.exists() else None


# -- a case's site ---------------------------------------------------------------------------


def page_path(file: Path) -> str:
    """The path an HTML file of a folder case is crawled at, as on a static site:
    bins.html is /bins, waste/index.html is /waste/."""
    path = "/" + file.with_suffix("").as_posix()
    return path.removesuffix("index") if file.stem == "index" else path


def crawl(records: dict[str, dict[str, Any]], folder: Path, at: Any) -> list[Page]:
    """The HTML pages among the records, parsed as the crawl does."""
    pages = []
    for url, record in records.items():
        if "html" in record:
            html = (folder / record["html"]).read_text(encoding="utf-8")
            headers = record.get("headers", {})
            pages.append(Page(url=url, html=html, headers=headers))
    return pages


def page_info(
    url: str, record: dict[str, Any], page: Page | None, spec: dict[str, Any]
) -> PageInfo:
    """What the crawl records of one URL, from its record and its page."""
    at = spec["at"]
    final = at(record.get("final_url", url))
    content_type = record.get("content_type", "text/html")
    return PageInfo(
        url=url,
        final_url=final,
        status=record.get("status", 200),
        content_type=content_type,
        is_html=content_type.startswith("text/html"),
        title=record.get("title", page.title if page else ""),
        click_depth=record.get("click_depth", 0 if url == spec["start_url"] else 1),
        in_sitemap=record.get("in_sitemap", url in spec["sitemap"]),
        error=record.get("error"),
        redirects=tuple(map(at, record.get("redirects", [final] if final != url else []))),
    )


def build_site(
    rule: Rule, folder: Path, spec: dict[str, Any], records: dict[str, dict[str, Any]]
) -> tuple[MemorySite, list[Page]]:
    """The in-memory site a case describes, and its HTML pages."""
    at = spec["at"]
    pages = crawl(records, folder, at)
    by_url = {page.url: page for page in pages}
    facts: dict[str, dict[str, Any]] = {
        key: {at(url): value for url, value in values.items()}
        for key, values in spec.get("facts", {}).items()
    }
    if isinstance(rule, SiteRule):
        for page in pages:
            value = rule.page_facts(page)
            if value is not None:  # as the page stage stores them
                facts.setdefault(rule.id, {})[page.url] = value
    browser = {at(url): result for url, result in spec.get("browser", {}).items()}
    site = MemorySite(
        start_url=spec["start_url"],
        pages=[page_info(url, r, by_url.get(url), spec) for url, r in records.items()],
        links=[
            *(
                LinkRow(page.url, ln.url, ln.fragment, ln.text, ln.kind, ln.region, ln.selector)
                for page in pages
                for ln in page.links
            ),
            *(
                LinkRow(
                    at(ln["from"]),
                    at(ln["to"]),
                    ln.get("fragment", ""),
                    ln.get("text", ""),
                    ln.get("kind", "a"),
                    ln.get("region", "main"),
                    ln.get("selector", ""),
                )
                for ln in spec.get("links", [])
            ),
        ],
        external=[
            TargetStatus(
                at(url), s.get("status"), s.get("error"), at(s.get("final_url", url)), False
            )
            for url, s in spec.get("external", {}).items()
        ],
        facts=facts,
        traps=[
            TrapHit(**{**hit, "example": at(hit["example"]), "source": at(hit.get("source", ""))})
            for hit in spec.get("traps", [])
        ],
        history={
            at(url): [tuple(run) for run in runs] for url, runs in spec.get("history", {}).items()
        },
        stats=spec.get("stats", {}),
        sitemap=spec["sitemap"],
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
    return site, pages


def resolve(start_url: str, url: str) -> str:
    """A URL written as a path on the case's site, made absolute ("" stays "")."""
    return urljoin(start_url, url) if url else url


def read_site_spec(folder: Path) -> dict[str, Any]:
    """The folder's site.json with its defaults, and `at` to resolve its paths."""
    spec_file = folder / "site.json"
    spec = json.loads(spec_file.read_text()) if spec_file.exists() else {}
    start_url = urljoin(ORIGIN, spec.get("start_url", "/"))
    at = partial(resolve, start_url)
    sitemap = {at(url): lastmod for url, lastmod in spec.get("sitemap", {}).items()}
    return {**spec, "start_url": start_url, "at": at, "sitemap": sitemap}


def folder_records(folder: Path, spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every URL of a folder case with its record: the site.json pages, then each HTML
    file site.json doesn't place, at its own path."""
    at = spec["at"]
    records = {at(url): dict(record) for url, record in spec.get("pages", {}).items()}
    placed = {record["html"] for record in records.values() if "html" in record}
    for file in sorted(folder.rglob("*.html")):
        name = file.relative_to(folder).as_posix()
        if name not in placed:
            records.setdefault(at(page_path(file.relative_to(folder))), {})["html"] = name
    return records


def run_case(path: Path) -> tuple[list[Finding], Any]:
    """The rule's findings on the case, and how the case's URLs resolve."""
    if path.is_dir():
        spec = read_site_spec(path)
        rule = load_rule(path.parent.name, spec.get("options"))
        records = folder_records(path, spec)
    else:
        spec = read_site_spec(path.parent / "__none__")
        rule = load_rule(path.parent.name)
        record: dict[str, Any] = {"html": path.name}
        headers_file = path.with_suffix(".headers.json")
        if headers_file.exists():
            record["headers"] = json.loads(headers_file.read_text())
        records = {URL: record}
    site, pages = build_site(rule, path if path.is_dir() else path.parent, spec, records)
    if isinstance(rule, PageRule):
        findings = [f for page in pages if rule.applies_to(page) for f in rule.check_page(page)]
    else:
        assert isinstance(rule, SiteRule)
        findings = list(rule.check_site(site))
    return findings, spec["at"]


def assert_matches(finding: Finding, expected: dict[str, Any], at: Any) -> None:
    """The finding has every field (and evidence item) the expectation names."""
    for name, value in expected.items():
        if name == "evidence":
            actual = {k: finding.evidence.get(k) for k in value}
            assert actual == value, finding.message
        elif name == "severity":
            assert finding.severity.value == value, finding.message
        elif name == "pages":
            assert list(finding.pages) == [at(url) for url in value], finding.message
        elif name in _URL_FIELDS and value is not None:
            assert getattr(finding, name) == at(value), name
        else:
            assert getattr(finding, name) == value, name


@pytest.mark.parametrize("path", cases(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_case(path: Path) -> None:
    findings, at = run_case(path)
    summary = [f.message for f in findings]
    assert len(findings) == expected_count(path), summary
    for finding in findings:
        assert finding.rule == path.parent.name
        assert finding.message
        json.dumps(dict(finding.evidence))  # the store keeps evidence as JSON
        if path.is_file():
            assert finding.url == URL
    fields = expected_fields(path)
    if fields is not None:
        assert len(fields) == len(findings), f"{path.name}: expect.json lists {len(fields)}"
        for finding, expected in zip(findings, fields, strict=True):
            assert_matches(finding, expected, at)


def test_cases_are_named_and_annotated() -> None:
    for path in cases():
        assert path.name.startswith(("pass_", "fail_")), path
        assert path.parent.name in _RULES, f"{path.parent.name} is not a built-in rule id"
        if path.name.startswith("pass_"):
            assert not expected_fields(path), f"{path}: a pass case expects no findings"
        else:
            assert expected_count(path) >= 1, f"{path}: a fail case expects findings"


@pytest.mark.parametrize("rule_id", sorted(_RULES))
def test_every_builtin_rule_has_a_passing_and_a_failing_case(rule_id: str) -> None:
    names = [path.name for path in cases() if path.parent.name == rule_id]
    assert any(n.startswith("pass_") for n in names), f"{rule_id} has no pass case in {CASES}"
    assert any(n.startswith("fail_") for n in names), f"{rule_id} has no fail case in {CASES}"
