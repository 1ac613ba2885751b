"""The HTML report: every page type is written, escapes everything crawled, loads nothing
from elsewhere, carries a Content-Security-Policy, and splits long lists into files."""

from __future__ import annotations

import base64
import hashlib
import re
import socket
from html.parser import HTMLParser
from pathlib import Path

import pytest

from reports import html as report_html
from reports.html import Pager, chart_points, page_name, paginate, trend_svg
from reports.html_fragments import MAX_PAGES_LISTED, safe_href
from reports.model import fixed_findings, page_file, safe_screenshot
from reports.unchanged import MANIFEST
from rules.base import Category
from tests.kit.synthetic_runs import (
    RULES,
    START,
    DemoBrokenLink,
    add_run,
    finding_row,
    write_reports,
)

SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(1)>'
JS_URL = "javascript:alert(1)"
PAGE = START + "council-tax"
BINS = START + "bins/collections"


class Collector(HTMLParser):
    """Every start tag with its attributes, and the text of <script> and <style>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.text: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._in = tag

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "script":
            self.scripts.append(data)
        elif self._in == "style":
            self.styles.append(data)
        else:
            self.text.append(data)

    def attrs(self, tag: str, name: str) -> list[str]:
        return [a[name] or "" for t, a in self.tags if t == tag and name in a]


def parse(text: str) -> Collector:
    collector = Collector()
    collector.feed(text)
    return collector


def html_files(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


@pytest.fixture
def hostile(store, tmp_path):
    """A run (compared with an earlier one) whose crawled data tries to inject markup."""
    add_run(
        store,
        [finding_row(url=PAGE, fingerprint="gone", message=f"Fixed {SCRIPT}")],
        pages=[START, PAGE, BINS],
    )
    run_id = add_run(
        store,
        [
            finding_row(
                url=PAGE, target="https://gone.example/a?x=1&y=2", evidence={"status": 404}
            ),
            finding_row(
                url=START + SCRIPT,
                message=f"Link text {SCRIPT} and {BREAKOUT}",
                target=JS_URL,
                selector=f"a[title='{BREAKOUT}']",
                snippet=f'<a href="{JS_URL}">{SCRIPT}</a>',
                evidence={SCRIPT: BREAKOUT, "screenshot": f"../{SCRIPT}.png"},
                pages=[JS_URL, "  JavaScript:alert(2)", f"https://ok.example/{BREAKOUT}"],
                fingerprint="hostile",
            ),
            finding_row(
                url=JS_URL,
                severity="critical",
                message="plain",
                target="java\tscript:alert(3)",
                fingerprint="js-page",
            ),
            finding_row(
                "demo-reading-age",
                BINS,
                category="readability",
                severity="medium",
                message="The text has a reading age of 16.",
                fingerprint="reading",
            ),
            finding_row(
                "axe-contrast",
                START,
                category="accessibility",
                severity="high",
                message="Text does not stand out from its background.",
                pages=[START, PAGE, BINS],
                evidence={"screenshot": "screenshots/axe-contrast-0123.png"},
                fingerprint="template",
            ),
        ],
        pages=[START, PAGE, BINS],
    )
    store.add_rule_error(run_id, "demo-reading-age", START + "x", f"ValueError: {SCRIPT}")
    out = tmp_path / "report"
    write_reports(store, run_id, out, RULES, formats=("html", "json", "csv", "sarif", "junit"))
    return out


def test_every_page_type_is_written(hostile) -> None:
    names = {p.relative_to(hostile).as_posix() for p in html_files(hostile)}
    assert "index.html" in names
    assert "rules/demo-broken-link.html" in names
    assert "rules/demo-reading-age.html" in names
    # a rule with findings but no documentation (a plugin not loaded) still gets a page
    assert "rules/axe-contrast.html" in names
    assert f"pages/{page_file(PAGE)}" in names
    assert f"pages/{page_file(BINS)}" in names
    assert {"sections/bins.html", "sections/council-tax.html", "sections/home-page.html"} <= names
    assert {"views/templates.html", "views/accessibility-templates.html"} <= names
    assert {"views/new.html", "views/fixed.html"} <= names
    # no forms or contact findings: those views are not written
    assert "views/forms.html" not in names
    assert "views/contact.html" not in names
    assert (hostile / "report.css").is_file()
    assert {"findings.json", "findings.csv", "findings.sarif", "junit.xml"} <= {
        p.name for p in hostile.iterdir()
    }


def test_every_page_has_csp_landmarks_and_no_outside_assets(hostile) -> None:
    for path in html_files(hostile):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("<!DOCTYPE html>"), path
        assert '<html lang="en-GB">' in text
        doc = parse(text)
        metas = [a for t, a in doc.tags if t == "meta" and a.get("http-equiv")]
        assert len(metas) == 1, path
        assert metas[0]["http-equiv"] == "Content-Security-Policy"
        policy = metas[0]["content"]
        assert "default-src 'none'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        for digest in (hashlib.sha256(s.encode()).digest() for s in doc.scripts):
            assert f"'sha256-{base64.b64encode(digest).decode()}'" in policy
        assert text.index("Content-Security-Policy") < text.index("<link")
        names = [t for t, _ in doc.tags]
        for landmark in ("header", "nav", "main", "footer"):
            assert landmark in names, (path, landmark)
        # the stylesheet is ours, beside the pages; scripts are inline only
        assert doc.attrs("link", "href") in (["report.css"], ["../report.css"])
        assert not doc.attrs("script", "src")
        for src in doc.attrs("img", "src"):
            assert not re.match(r"[a-z]+:", src) and "//" not in src, src
        ths = [a for t, a in doc.tags if t == "th"]
        assert all(a.get("scope") in ("col", "row") for a in ths), path
        assert not doc.styles, "no inline styles: the CSP does not allow them"
        for _, attrs in doc.tags:
            assert "style" not in attrs


def test_crawled_content_is_escaped_everywhere(hostile) -> None:
    for path in html_files(hostile):
        text = path.read_text(encoding="utf-8")
        assert SCRIPT not in text, path
        assert "onerror=alert" not in text.replace("onerror=alert(1)&gt;", ""), path
        doc = parse(text)
        for script in doc.scripts:
            assert script == report_html.SCRIPT
        for _, attrs in doc.tags:
            assert not any(name.startswith("on") for name in attrs), path
        for href in doc.attrs("a", "href"):
            assert not href.lower().lstrip().startswith(("javascript", "data:")), (path, href)
            assert href.startswith(("https://", "http://", "#", "../")) or re.fullmatch(
                r"[a-z0-9/_.#-]+", href
            ), (path, href)
    index = (hostile / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in index
    page = (hostile / "pages" / page_file(START + SCRIPT)).read_text(encoding="utf-8")
    assert "Link text &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    # the query string's & is escaped in the href too
    rule = (hostile / "rules" / "demo-broken-link.html").read_text(encoding="utf-8")
    assert 'href="https://gone.example/a?x=1&amp;y=2"' in rule
    # javascript: addresses are shown as text, never as links
    assert "javascript:alert(1)" in rule
    assert "  JavaScript:alert(2)" in rule


def test_unsafe_screenshot_paths_are_dropped(hostile) -> None:
    page = (hostile / "pages" / page_file(START + SCRIPT)).read_text(encoding="utf-8")
    assert "<img" not in page
    template = (hostile / "views" / "accessibility-templates.html").read_text(encoding="utf-8")
    assert '<img src="../screenshots/axe-contrast-0123.png"' in template
    assert 'alt="Screenshot of the problem on https://council.example.gov.uk/"' in template


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("screenshots/a-1.png", "screenshots/a-1.png"),
        ("screenshots/A_b.JPG", "screenshots/A_b.JPG"),
        ("../secret.png", None),
        ("/etc/passwd.png", None),
        ("screenshots/../../x.png", None),
        ("https://evil.example/x.png", None),
        ("javascript:alert(1).png", None),
        ("screenshots/x.svg", None),
        ("screenshots/x.png?y", None),
        ('screenshots/"x".png', None),
        ("screenshots//x.png", None),
        ("", None),
        (None, None),
        (12, None),
    ],
)
def test_safe_screenshot(value, expected) -> None:
    assert safe_screenshot(value) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://council.example.gov.uk/a b", None),
        ("https://council.example.gov.uk/a?b=1&c=2", "https://council.example.gov.uk/a?b=1&c=2"),
        ("HTTP://EXAMPLE.COM/", "HTTP://EXAMPLE.COM/"),
        ("javascript:alert(1)", None),
        (" javascript:alert(1)", None),
        ("java\tscript:alert(1)", None),
        ("https://ok.example/\njavascript:x", None),
        ("data:text/html,<script>", None),
        ("//evil.example/", None),
        ("/relative", None),
        ("mailto:a@b.example", None),
        ("https:alert(1)", None),
        (None, None),
    ],
)
def test_safe_href(url, expected) -> None:
    assert safe_href(url) == expected
    assert report_html.safe_href(url) == expected


def test_overview_content(hostile) -> None:
    index = (hostile / "index.html").read_text(encoding="utf-8")
    for heading in (
        "Health by category",
        "Do these first",
        "Sections and their owners",
        "Checks",
        "Fixed since the last audit",
        "How priority is worked out",
        "How the health score is worked out",
        "Checks that failed",
    ):
        assert heading in index, heading
    assert "<dt>Problems found</dt><dd>5</dd>" in index
    assert "<dt>Pages audited</dt><dd>3</dd>" in index
    # one trend chart per category, named and described for screen readers
    doc = parse(index)
    charts = [a for t, a in doc.tags if t == "svg"]
    assert len(charts) == len(Category)
    assert all(a.get("role") == "img" and a.get("aria-labelledby") for a in charts)
    # what was fixed is listed, escaped
    assert "Fixed &lt;script&gt;" in index
    assert '<a href="views/fixed.html">1 problem fixed</a>' in index
    assert "ValueError: &lt;script&gt;" in index
    for file in ("findings.json", "findings.csv", "findings.sarif", "junit.xml"):
        assert f'<a href="{file}">{file}</a>' in index


def test_rule_page_explains_the_check(hostile) -> None:
    text = (hostile / "rules" / "demo-broken-link.html").read_text(encoding="utf-8")
    assert "<h1>Broken link</h1>" in text
    assert "Why it matters" in text and "How to fix it" in text
    assert "People who follow a broken link give up or phone instead." in text
    assert "<p>That costs money.</p>" in text
    assert 'href="https://www.w3.org/WAI/"' in text
    assert "javascript:alert(&#39;ref&#39;)" in text  # a bad reference stays text
    assert "<code>timeout</code>" in text and "Seconds to wait for a reply" in text
    # its problems link to the pages' own report pages
    assert f'href="../pages/{page_file(PAGE)}"' in text
    undocumented = (hostile / "rules" / "axe-contrast.html").read_text(encoding="utf-8")
    assert "plugin that was not loaded" in undocumented


def test_page_lists_everything_wrong_on_it(hostile) -> None:
    text = (hostile / "pages" / page_file(PAGE)).read_text(encoding="utf-8")
    assert "Problems on “A page”" in text
    assert "2 problems, most urgent first" in text
    # its own broken link and the template problem reported on the home page
    assert "This link leads to a page that does not exist." in text
    assert "Text does not stand out from its background." in text
    assert "The same problem is on 3 pages" in text
    assert f'(reported on <a href="{page_file(START)}">{START}</a>)' in text
    assert 'href="../sections/council-tax.html"' in text
    assert "How to fix it" in text


def test_section_page_splits_own_and_shared(hostile) -> None:
    text = (hostile / "sections" / "bins.html").read_text(encoding="utf-8")
    assert "<h1>/bins</h1>" in text
    own = text.split('id="problems-heading"', 1)[1].split('id="shared-heading"', 1)[0]
    assert "The text has a reading age of 16." in own
    assert "Text does not stand out" not in own
    shared = text.split('id="shared-heading"', 1)[1]
    assert "Text does not stand out from its background." in shared
    assert "Pages to look at first" in text


def test_new_and_fixed_views(hostile) -> None:
    new = (hostile / "views" / "new.html").read_text(encoding="utf-8")
    assert new.count("<tr data-category=") == 5
    fixed = (hostile / "views" / "fixed.html").read_text(encoding="utf-8")
    assert "Fixed &lt;script&gt;alert(1)&lt;/script&gt;" in fixed


def test_configured_sections_name_owners(store, tmp_path) -> None:
    from audits.core.config import ReportConfig

    run_id = add_run(
        store,
        [
            finding_row(url=START + "bins/a", fingerprint="a"),
            finding_row(url=START + "recycling/b", fingerprint="b"),
            finding_row(url=START + "parking/", fingerprint="c"),
        ],
        pages=[START, START + "bins/a", START + "recycling/b", START + "parking/"],
    )
    config = ReportConfig(sections={"/bins/": "Waste team", "/recycling/": "Waste team"})
    out = tmp_path / "r"
    write_reports(store, run_id, out, RULES, config=config)
    waste = (out / "sections" / "waste-team.html").read_text(encoding="utf-8")
    assert "<h1>Waste team</h1>" in waste
    assert waste.count("<tr data-category=") == 2
    assert (out / "sections" / "parking.html").is_file()
    index = (out / "index.html").read_text(encoding="utf-8")
    table = index.split('id="sections-table"', 1)[1].split("</table>", 1)[0]
    assert table.index("Waste team") < table.index("/parking")  # owners first
    assert "/bins/, /recycling/" in table


def test_long_lists_are_paginated(store, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(report_html, "PAGE_SIZE", 4)
    run_id = add_run(
        store, [finding_row(url=START + f"bins/{i}", fingerprint=f"f{i}") for i in range(10)]
    )
    out = tmp_path / "r"
    write_reports(store, run_id, out, RULES)
    files = sorted(p.name for p in (out / "rules").iterdir())
    assert files == [
        "demo-broken-link-2.html",
        "demo-broken-link-3.html",
        "demo-broken-link.html",
        "demo-reading-age.html",
    ]
    first = (out / "rules" / "demo-broken-link.html").read_text(encoding="utf-8")
    assert first.count("<tr data-category=") == 4
    assert "Showing 1 to 4 of 10." in first
    assert 'href="demo-broken-link-2.html" rel="next"' in first
    last = (out / "rules" / "demo-broken-link-3.html").read_text(encoding="utf-8")
    assert last.count("<tr data-category=") == 2
    assert 'href="demo-broken-link-2.html" rel="prev"' in last
    assert "About this check" not in last  # the explanation is on the first page only
    sections = sorted(p.name for p in (out / "sections").iterdir())
    assert "bins-3.html" in sections


@pytest.mark.parametrize(
    ("items", "size", "expected"),
    [
        (0, 10, [(1, 1, 0)]),
        (10, 10, [(1, 1, 10)]),
        (11, 10, [(1, 2, 10), (2, 2, 1)]),
        (25, 10, [(1, 3, 10), (2, 3, 10), (3, 3, 5)]),
    ],
)
def test_paginate(items: int, size: int, expected) -> None:
    got = [(p.number, p.count, len(chunk)) for p, chunk in paginate(list(range(items)), "x", size)]
    assert got == expected


@pytest.mark.parametrize(
    ("number", "count", "links"),
    [
        (1, 1, [1]),
        (1, 3, [1, 2, 3]),
        (1, 10, [1, 2, 3, None, 10]),
        (5, 10, [1, None, 3, 4, 5, 6, 7, None, 10]),
        (10, 10, [1, None, 8, 9, 10]),
    ],
)
def test_pager_links(number: int, count: int, links) -> None:
    assert Pager(number, count, "x", count * 10, 1, 10).links == links


def test_page_name() -> None:
    assert page_name("broken-link", 1) == "broken-link.html"
    assert page_name("broken-link", 3) == "broken-link-3.html"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([100], [(139.0, 8.0)]),
        ([0, 100], [(28.0, 78.0), (250.0, 8.0)]),
        ([50, 50, 120], [(28.0, 43.0), (139.0, 43.0), (250.0, 8.0)]),
    ],
)
def test_chart_points(values, expected) -> None:
    assert chart_points(values) == expected


def test_trend_svg_is_escaped_and_labelled() -> None:
    from reports.health import RunHealth

    points = [
        RunHealth(1, "2025-03-01T02:00:00+00:00", "finished", 10, {}, {"links": 40}),
        RunHealth(2, "2025-03-02T02:00:00+00:00", "finished", 10, {}, {"links": 90}),
    ]
    svg = str(trend_svg("links", "<Links>", points))
    assert "&lt;Links&gt; health went from 40 on 1 Mar 2025 to 90 on 2 Mar 2025" in svg
    assert "<polyline" in svg and svg.count("<circle") == 2
    single = str(trend_svg("links", "Links", points[:1]))
    assert "<polyline" not in single and "trends appear after the next audit" in single


def test_pages_list_collapses_after_three(store, tmp_path) -> None:
    few = [START + f"few/{i}" for i in range(3)]
    many = [START + f"many/{i}" for i in range(MAX_PAGES_LISTED + 7)]
    run_id = add_run(
        store,
        [
            finding_row(url=few[0], pages=few, fingerprint="few"),
            finding_row(url=many[0], pages=many, fingerprint="many"),
        ],
    )
    out = tmp_path / "r"
    write_reports(store, run_id, out, RULES)
    text = (out / "rules" / "demo-broken-link.html").read_text(encoding="utf-8")
    rows = text.split("<tr data-category=")
    few_row = next(r for r in rows if "few/0" in r)
    many_row = next(r for r in rows if "many/0" in r)
    assert "<details><summary>Show" not in few_row
    assert all(f">{u}</a>" in few_row for u in few)
    assert f"Show {len(many)} pages" in many_row
    assert "and 7 more, in the exports" in many_row
    assert f">{many[MAX_PAGES_LISTED]}</a>" not in many_row
    # every affected page got its own report page
    assert all((out / "pages" / page_file(u)).is_file() for u in many)


def test_stale_pages_disappear_and_nothing_is_left_half_written(store, tmp_path) -> None:
    out = tmp_path / "r"
    first = add_run(store, [finding_row(url=PAGE, fingerprint="a")], pages=[START, PAGE])
    write_reports(store, first, out, RULES)
    assert (out / "pages" / page_file(PAGE)).is_file()
    second = add_run(store, [finding_row(url=BINS, fingerprint="b")], pages=[START, BINS])
    write_reports(store, second, out, RULES)
    assert not (out / "pages" / page_file(PAGE)).exists()
    assert (out / "pages" / page_file(BINS)).is_file()
    leftovers = [p.name for p in out.iterdir() if p.name.startswith(".") and p.name != MANIFEST]
    assert leftovers == []


def test_formats_pick_the_outputs(store, tmp_path) -> None:
    run_id = add_run(store, [finding_row()])
    out = tmp_path / "r"
    paths = write_reports(store, run_id, out, RULES, formats=("json", "csv"))
    assert set(paths) == {"json", "csv"}
    assert sorted(p.name for p in out.iterdir()) == ["findings.csv", "findings.json"]
    html_only = write_reports(store, run_id, tmp_path / "h", RULES, formats=("html",))
    index = html_only["html"].read_text(encoding="utf-8")
    assert "findings.json" not in index  # not written, so not linked


def test_statuses_and_fixed_in_summary(store, tmp_path) -> None:
    first = add_run(store, [finding_row(fingerprint="a"), finding_row(fingerprint="b")])
    write_reports(store, first, tmp_path / "one", RULES)
    second = add_run(store, [finding_row(fingerprint="a"), finding_row(fingerprint="c")])
    text = write_reports(store, second, tmp_path / "two", [DemoBrokenLink])["html"].read_text(
        encoding="utf-8"
    )
    assert "1 new problem</a>," in text
    assert "1 problem still there" in text
    assert "1 problem fixed</a>" in text


def test_fixed_findings_most_urgent_first_then_by_address_then_as_found(store) -> None:
    from audits.stages.prioritise import prioritise

    first = add_run(
        store,
        [
            finding_row(url=START + "b", severity="low", fingerprint="low-b"),
            finding_row(url=START + "b", fingerprint="high-b-1"),
            finding_row(url=START + "a", fingerprint="high-a"),
            finding_row(url=START + "b", fingerprint="high-b-2"),
            finding_row(url=START + "a", fingerprint="stays"),
        ],
    )
    prioritise(store, first)
    second = add_run(store, [finding_row(url=START + "a", fingerprint="stays")])
    fixed = fixed_findings(store, first, set(prioritise(store, second)))
    assert [f["fingerprint"] for f in fixed] == ["high-a", "high-b-1", "high-b-2", "low-b"]
    assert fixed[0] == {
        "rule": "demo-broken-link",
        "category": "links",
        "severity": "high",
        "priority": 4,
        "score": 4.5,
        "url": START + "a",
        "message": "This link leads to a page that does not exist.",
        "fingerprint": "high-a",
    }


def test_unknown_rule_and_unfinished_run(store, tmp_path) -> None:
    run_id = store.begin_run(START, "0.1.0", {})
    store.add_findings(run_id, [finding_row("plugin-rule", fingerprint="p")])
    out = tmp_path / "r"
    text = write_reports(store, run_id, out, {})["html"].read_text(encoding="utf-8")
    assert "This audit did not finish" in text
    assert "plugin-rule" in text
    assert (out / "rules" / "plugin-rule.html").is_file()


def test_renders_without_network(store, tmp_path, monkeypatch) -> None:
    def no_network(*args, **kwargs):
        raise AssertionError("the report tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    run_id = add_run(store, [finding_row()])
    text = write_reports(store, run_id, tmp_path, RULES)["html"].read_text(encoding="utf-8")
    assert "</html>" in text


def test_autoescape_is_on_for_j2_templates() -> None:
    env = report_html.environment()
    assert env.autoescape is True
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"
    for name in ("index", "rule", "page", "section", "list", "fixed", "base", "macros"):
        assert env.get_template(f"{name}.html.j2").environment.autoescape is True


def test_static_files_are_safe_to_inline() -> None:
    css = report_html.stylesheet()
    assert "@import" not in css and "url(" not in css
    assert not re.search(r"https?://", css)
    assert "@media print" in css
    assert "</" not in report_html.SCRIPT
    assert "eval(" not in report_html.SCRIPT and "innerHTML" not in report_html.SCRIPT


def test_contrast_of_badges() -> None:
    """Badge colour pairs in report.css meet WCAG AA (4.5:1) for small text."""

    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    css = report_html.stylesheet()
    pairs = re.findall(r"background: (#[0-9a-f]{6}); color: (#[0-9a-f]{6})", css)
    assert len(pairs) >= 5
    for background, colour in pairs:
        a, b = sorted((luminance(background), luminance(colour)), reverse=True)
        assert (a + 0.05) / (b + 0.05) >= 4.5, (background, colour)


def test_fragments_escape_as_markupsafe_does() -> None:
    from markupsafe import Markup, escape

    from reports.html_fragments import e

    for value in ("<a href=\"x\">'Tom' & Jerry</a>", "plain", "", Markup("<b>kept</b>"), 7, None):
        assert e(value) == str(escape(value))


@pytest.mark.parametrize(
    ("url", "written"),
    [
        (
            "https://www.example.gov.uk/a?b=1&c=<2>",
            '<a href="https://www.example.gov.uk/a?b=1&amp;c=&lt;2&gt;">'
            "https://www.example.gov.uk/a?b=1&amp;c=&lt;2&gt;</a>",
        ),
        ('javascript:alert("x")', '<span class="not-linked">javascript:alert(&#34;x&#34;)</span>'),
        (
            'https://example.org/it\'s "quoted"',
            '<span class="not-linked">https://example.org/it&#39;s &#34;quoted&#34;</span>',
        ),
        ("/relative/path", '<span class="not-linked">/relative/path</span>'),
        ("", '<span class="not-linked"></span>'),
    ],
)
def test_the_link_filter_and_macro_link_only_web_addresses_and_escape_them(
    url: str, written: str
) -> None:
    env = report_html.environment()
    macros = env.get_template("macros.html.j2").module
    assert env.from_string("{{ url | link }}").render(url=url) == written
    assert str(macros.link(url)) == written


@pytest.mark.parametrize(
    ("count", "written"),
    [
        (0, "0 pages &lt;fail&gt;"),
        (1, "1 page &lt;fails&gt;"),
        (2, "2 pages &lt;fail&gt;"),
        (1234, "1,234 pages &lt;fail&gt;"),
        (1_000_000, "1,000,000 pages &lt;fail&gt;"),
    ],
)
def test_the_plural_filter_and_macro_count_and_escape(count: int, written: str) -> None:
    env = report_html.environment()
    macros = env.get_template("macros.html.j2").module
    made = env.from_string('{{ count | plural("page <fails>", "pages <fail>") }}')
    assert made.render(count=count) == written
    assert str(macros.plural(count, "page <fails>", "pages <fail>")) == written


def test_a_stored_row_shows_what_its_keys_say(store) -> None:
    # `shown` and `where` read a stored row's outline by position: the same values as
    # looking its keys up one by one, as they do for a finding held as a dict.
    from audits.stages.prioritise import prioritise
    from reports.findings_json import findings_document
    from reports.model import build_model, shown, where
    from reports.rule_docs import rule_docs

    run_id = add_run(
        store,
        [
            finding_row(url=PAGE, severity="critical", message="one"),
            finding_row(url=START, pages=[START, PAGE, BINS], fingerprint="template"),
        ],
        pages=[START, PAGE, BINS],
    )
    prioritise(store, run_id)
    model = build_model(store, findings_document(store, run_id), rule_docs(RULES))
    assert len(model.rows) == 2
    for row in model.rows:
        as_dict = dict(row.f)
        expected = tuple(as_dict[k] for k in ("category", "severity", "priority", "status"))
        assert shown(row.f) == shown(as_dict) == expected
        assert where(row.f) == where(as_dict) == (as_dict["url"], as_dict["pages"])
