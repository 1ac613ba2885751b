"""index.html: renders, shows the counts, escapes everything crawled, loads nothing."""

from __future__ import annotations

import base64
import hashlib
import re
import socket
from html.parser import HTMLParser

import pytest

from reports import html as report_html
from reports import write_reports
from tests.reports.reportkit import RULES, START, DemoBrokenLink, add_run, finding_row

SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(1)>'
JS_URL = "javascript:alert(1)"
PAGE = START + "council-tax"


class Collector(HTMLParser):
    """Every start tag with its attributes, and the text of <script> and <style>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
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

    def attrs(self, tag: str, name: str) -> list[str]:
        return [a[name] or "" for t, a in self.tags if t == tag and name in a]


def parse(text: str) -> Collector:
    collector = Collector()
    collector.feed(text)
    return collector


@pytest.fixture
def hostile(store, tmp_path):
    """A run whose crawled data tries to inject markup and script."""
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
                evidence={SCRIPT: BREAKOUT},
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
                START + "bins",
                category="readability",
                severity="medium",
                message="The text has a reading age of 16.",
                fingerprint="reading",
            ),
        ],
        pages=[START, PAGE, START + "bins"],
    )
    store.add_rule_error(run_id, "demo-reading-age", START + "x", f"ValueError: {SCRIPT}")
    paths = write_reports(store, run_id, tmp_path / "report", RULES)
    return paths["html"].read_text(encoding="utf-8")


def test_writes_both_files(hostile, tmp_path) -> None:
    out = tmp_path / "report"
    assert sorted(p.name for p in out.iterdir()) == ["findings.json", "index.html"]


def test_page_basics(hostile) -> None:
    assert hostile.startswith("<!DOCTYPE html>")
    assert '<html lang="en-GB">' in hostile
    doc = parse(hostile)
    names = [t for t, _ in doc.tags]
    for landmark in ("header", "nav", "main", "footer"):
        assert landmark in names
    assert START in hostile
    assert "Pages audited" in hostile
    # every header cell says what it heads
    ths = [a for t, a in doc.tags if t == "th"]
    assert ths
    assert all(a.get("scope") in ("col", "row") for a in ths)
    assert "@media print" in "".join(doc.styles)


def test_counts_appear(hostile) -> None:
    def count_cell(caption: str, label: str) -> str:
        table = hostile.split(f"<caption>{caption}</caption>", 1)[1].split("</table>", 1)[0]
        row = next(r for r in table.split("<tr>") if label in r)
        return re.findall(r'<td class="num">([^<]*)</td>', row)[0]

    assert count_cell("Problems by category", "Links") == "3"
    assert count_cell("Problems by category", "Readability") == "1"
    assert count_cell("Problems by category", "Online forms") == "0"
    assert count_cell("Problems by severity", "Critical") == "1"
    assert count_cell("Problems by severity", "High") == "2"
    assert count_cell("Problems by severity", "Medium") == "1"
    assert "<dt>Problems found</dt><dd>4</dd>" in hostile
    assert "<dt>Pages audited</dt><dd>3</dd>" in hostile


def test_crawled_content_is_escaped(hostile) -> None:
    assert SCRIPT not in hostile
    assert "<img" not in hostile
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in hostile
    doc = parse(hostile)
    # the only script is ours, and no element carries an event handler
    assert len(doc.scripts) == 1
    assert doc.scripts[0] == report_html.FILTER_SCRIPT
    for _, attrs in doc.tags:
        assert not any(name.startswith("on") for name in attrs)
    # the query string's & is escaped in the href too
    assert 'href="https://gone.example/a?x=1&amp;y=2"' in hostile


def test_only_http_urls_become_links(hostile) -> None:
    doc = parse(hostile)
    hrefs = doc.attrs("a", "href")
    assert hrefs
    for href in hrefs:
        assert href.startswith(("https://", "http://", "#")) or href == "findings.json", href
    assert not any("javascript" in h.lower() for h in hrefs)
    # the javascript: URLs are still shown, as text
    assert JS_URL in hostile
    assert "  JavaScript:alert(2)" in hostile
    # a reference in a rule's docs is checked the same way
    assert "javascript:alert(&#39;ref&#39;)" in hostile
    assert 'href="https://www.w3.org/WAI/"' in hostile


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
    assert report_html.safe_href(url) == expected


def test_no_external_assets(hostile) -> None:
    doc = parse(hostile)
    assert not doc.attrs("link", "href")
    assert not doc.attrs("script", "src")
    assert not doc.attrs("img", "src")
    for tag, attrs in doc.tags:
        for name in ("src", "srcset", "poster", "data"):
            assert name not in attrs, (tag, name)
    css = "".join(doc.styles)
    assert "@import" not in css
    assert "url(" not in css
    assert not re.search(r"https?://", css)


def test_content_security_policy(hostile) -> None:
    doc = parse(hostile)
    metas = [a for t, a in doc.tags if t == "meta" and a.get("http-equiv")]
    assert len(metas) == 1
    assert metas[0]["http-equiv"] == "Content-Security-Policy"
    policy = metas[0]["content"]
    assert "default-src 'none'" in policy
    assert "unsafe-eval" not in policy
    # the inline script is allowed by its hash, and only it
    digest = hashlib.sha256(doc.scripts[0].encode()).digest()
    assert f"script-src 'sha256-{base64.b64encode(digest).decode()}'" in policy
    assert "script-src 'unsafe-inline'" not in policy
    # the policy comes before anything it governs
    assert hostile.index("Content-Security-Policy") < hostile.index("<style>")


def test_autoescape_is_on_for_j2_templates() -> None:
    env = report_html.environment()
    assert env.autoescape is True
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"
    template = env.get_template("index.html.j2")
    assert template.environment.autoescape is True


def test_rule_docs_section(hostile) -> None:
    assert "About the checks" in hostile
    assert 'id="rule-demo-broken-link"' in hostile
    assert "Why it matters" in hostile
    assert "People who follow a broken link give up or phone instead." in hostile
    assert "<p>That costs money.</p>" in hostile
    assert "How to fix it" in hostile
    # options with their defaults
    assert "<code>timeout</code>" in hostile
    assert "<code>10.0</code>" in hostile
    assert "<code>mailto</code>" in hostile
    assert "Seconds to wait for a reply" in hostile
    assert "How priority is worked out" in hostile


def test_rule_errors_section(hostile) -> None:
    assert 'id="rule-errors"' in hostile
    assert "ValueError: &lt;script&gt;" in hostile


def test_no_rule_errors_section_without_errors(store, tmp_path) -> None:
    run_id = add_run(store, [finding_row()])
    text = write_reports(store, run_id, tmp_path, RULES)["html"].read_text(encoding="utf-8")
    assert 'id="rule-errors"' not in text
    assert "first complete audit" in text


def test_pages_list_collapses_after_three(store, tmp_path) -> None:
    few = [START + f"few/{i}" for i in range(3)]
    many = [START + f"many/{i}" for i in range(report_html.MAX_PAGES_LISTED + 7)]
    run_id = add_run(
        store,
        [
            finding_row(url=few[0], pages=few, fingerprint="few"),
            finding_row(url=many[0], pages=many, fingerprint="many"),
        ],
    )
    text = write_reports(store, run_id, tmp_path, RULES)["html"].read_text(encoding="utf-8")
    table = text.split('id="findings-table"', 1)[1].split("</table>", 1)[0]
    rows = table.split("<tr ")
    few_row = next(r for r in rows if "few/0" in r)
    many_row = next(r for r in rows if "many/0" in r)
    assert "<details>" not in few_row.split('class="pages"')[1]
    assert all(f">{u}</a>" in few_row for u in few)
    assert "<details>" in many_row
    assert f"Show {len(many)} pages" in many_row
    assert "and 7 more, listed in findings.json" in many_row
    assert f">{many[report_html.MAX_PAGES_LISTED]}</a>" not in many_row


def test_rows_are_capped(store, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(report_html, "MAX_ROWS", 5)
    run_id = add_run(
        store, [finding_row(url=START + f"p{i}", fingerprint=f"f{i}") for i in range(8)]
    )
    text = write_reports(store, run_id, tmp_path, RULES)["html"].read_text(encoding="utf-8")
    table = text.split('id="findings-table"', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr data-category=") == 5
    assert "5 most urgent of 8 problems" in text
    assert '<a href="findings.json">findings.json</a>' in text


def test_statuses_and_fixed_in_summary(store, tmp_path) -> None:
    first = add_run(store, [finding_row(fingerprint="a"), finding_row(fingerprint="b")])
    write_reports(store, first, tmp_path / "one", RULES)
    second = add_run(store, [finding_row(fingerprint="a"), finding_row(fingerprint="c")])
    text = write_reports(store, second, tmp_path / "two", [DemoBrokenLink])["html"].read_text(
        encoding="utf-8"
    )
    assert "1 new problem," in text
    assert "1 problem still there" in text
    assert "1 problem fixed" in text
    assert text.count('<span class="tag-new">New</span>') == 1


def test_unknown_rule_and_unfinished_run(store, tmp_path) -> None:
    run_id = store.begin_run(START, "0.1.0", {})
    store.add_findings(run_id, [finding_row("plugin-rule", fingerprint="p")])
    text = write_reports(store, run_id, tmp_path, {})["html"].read_text(encoding="utf-8")
    assert "This audit did not finish" in text
    assert "plugin-rule" in text


def test_renders_without_network(store, tmp_path, monkeypatch) -> None:
    def no_network(*args, **kwargs):
        raise AssertionError("the report tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    run_id = add_run(store, [finding_row()])
    text = write_reports(store, run_id, tmp_path, RULES)["html"].read_text(encoding="utf-8")
    assert "</html>" in text


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
