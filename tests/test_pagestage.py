"""The page stage in process: parsing, link extraction and running rules on one page."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy.http import HtmlResponse

from audits.core.children import process_tree
from audits.core.config import AuditConfig
from audits.rule_engine import RuleEngine, forget_rule_engines
from audits.stages.pages import (
    _MAX_HTML_CHARS,
    PageAnalysis,
    PageStage,
    analyse,
    sniffed_encoding,
    worker_context,
)
from rules.accessibility.image_missing_alt import ImageMissingAlt
from rules.base import Category, Finding, PageRule, Severity, SiteRule
from rules.page import Page
from rules.readability.reading_age import ReadingAge
from tests.kit.plugins import fake_distribution

URL = "https://www.example.gov.uk/bins/"


class _TestRule:
    """Metadata every rule needs; these rules are never shown to anyone."""

    category = Category.LINKS
    severity = Severity.LOW
    title = summary = why = how_to_fix = "Test rule."

    @dataclass(frozen=True)
    class Options:
        """No options."""


class RaisesOnEveryPage(_TestRule, PageRule):
    """A faulty page rule."""

    id = "raises-on-every-page"

    def check_page(self, page: Page) -> Iterator[Finding]:
        """Fail, as a buggy rule would."""
        raise ValueError("cannot cope with this page")


class FactsRaise(_TestRule, SiteRule):
    """A site rule whose fact collector is faulty."""

    id = "facts-raise"

    def page_facts(self, page: Page) -> Any:
        """Fail, as a buggy collector would."""
        raise KeyError("missing")


class CollectsHeading(_TestRule, SiteRule):
    """A site rule that wants each page's h1 and how much HTML it saw."""

    id = "collects-heading"

    def page_facts(self, page: Page) -> Any:
        """The page's h1 and the length of the HTML the rule was given."""
        return {"h1": page.h1, "chars": len(page.html)}


class CollectsNothing(_TestRule, SiteRule):
    """A site rule with nothing to collect from pages."""

    id = "collects-nothing"


def run(
    html: str | bytes,
    *rules: PageRule | SiteRule,
    encoding: str = "utf-8",
) -> PageAnalysis:
    """`analyse` one page with the given rules."""
    engine = RuleEngine(
        page_rules=tuple(r for r in rules if isinstance(r, PageRule)),
        site_rules=tuple(r for r in rules if isinstance(r, SiteRule)),
    )
    body = html.encode(encoding) if isinstance(html, str) else html
    return analyse(engine, URL, body, encoding, {"content-type": "text/html"}, 1)


def test_a_page_rule_that_raises_is_recorded_and_the_other_rules_still_run() -> None:
    html = '<html><body><main><img src="bin.png"></main></body></html>'
    analysis = run(html, RaisesOnEveryPage(), ImageMissingAlt(), CollectsHeading())
    assert [f["rule"] for f in analysis.findings] == ["image-missing-alt"]
    assert "collects-heading" in analysis.facts
    [(rule, error)] = analysis.rule_errors
    assert rule == "raises-on-every-page"
    assert error.startswith("ValueError: cannot cope with this page at test_pagestage.py:")


def test_a_site_rule_whose_page_facts_raise_is_recorded_and_the_others_still_collect() -> None:
    analysis = run("<h1>Bins</h1>", FactsRaise(), CollectsHeading())
    assert [rule for rule, _ in analysis.rule_errors] == ["facts-raise"]
    assert analysis.facts["collects-heading"]["h1"] == "Bins"


def test_page_facts_of_site_rules_come_back_by_rule_id_and_none_is_left_out() -> None:
    analysis = run("<h1>Bin collection days</h1>", CollectsHeading(), CollectsNothing())
    assert list(analysis.facts) == ["collects-heading"]
    assert analysis.facts["collects-heading"]["h1"] == "Bin collection days"


def test_reading_age_records_every_scored_page_within_its_target_too() -> None:
    easy = " ".join(["We take your bins away each week. Put them out by seven."] * 12)
    hard = " ".join(
        ["Notwithstanding the aforementioned considerations, residents are encouraged to "
         "familiarise themselves with the comprehensive documentation accompanying collection "
         "arrangements."] * 8
    )  # fmt: skip
    within = run(f"<main><p>{easy}</p></main>", ReadingAge())
    above = run(f"<main><p>{hard}</p></main>", ReadingAge())
    assert within.findings == []
    assert 0 < within.facts["reading-age"]["reading_age"] <= 9
    [finding] = above.findings
    assert above.facts["reading-age"]["reading_age"] == finding["evidence"]["reading_age"]
    assert "reading-age" not in run("<main><p>Too short to score.</p></main>", ReadingAge()).facts


def test_a_windows_1252_body_is_decoded_with_the_given_encoding() -> None:
    body = "<html><head><title>Garden waste: £45 a year</title></head></html>".encode("cp1252")
    assert b"\xa3" in body  # the pound sign is one byte in windows-1252, invalid as UTF-8
    analysis = run(body, encoding="cp1252")
    assert analysis.title == "Garden waste: £45 a year"


_BODY_PIECES = [
    b"<p>Bins</p>",
    "<p>Garden waste: \u00a345</p>".encode(),
    "<p>Garden waste: \u00a345</p>".encode("cp1252"),
    "<p>\u00c9v\u00e9nements \u00e0 Caf\u00e9 L\u00e9on, r\u00e9sum\u00e9</p>".encode("cp1252"),
    b'<meta charset="windows-1252">',
    b'<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-2">',
    b"<meta charset=utf-8>",
    b'<meta charset="no-such-encoding">',
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\x00\x81\xc3\x28",
]


@pytest.mark.filterwarnings("ignore:The default_encoding:DeprecationWarning")  # Scrapy's own call
@settings(max_examples=400, deadline=None)
@given(
    pieces=st.lists(st.sampled_from(_BODY_PIECES), max_size=6) | st.lists(st.binary(), max_size=3),
    content_type=st.sampled_from(
        [
            "",
            "text/html",
            "text/html; charset=utf-8",
            "text/html; charset=ISO-8859-1",
            "text/html;charset=shift_jis",
            "text/html; charset=bogus",
            "application/xhtml+xml",
        ]
    ),
)
def test_the_encoding_worked_out_in_the_worker_is_scrapys(
    pieces: list[bytes], content_type: str
) -> None:
    # A page's encoding is worked out in the page worker, not by Scrapy's TextResponse in
    # the crawler's process: the two must name the same one.
    body = b"".join(pieces)
    headers = {"Content-Type": content_type} if content_type else {}
    expected = HtmlResponse(URL, headers=headers, body=body).encoding
    assert sniffed_encoding(body, content_type) == expected


def test_a_page_with_no_encoding_given_is_read_in_the_one_it_declares() -> None:
    html = '<html><head><meta charset="windows-1252"><title>Garden waste: \u00a345</title>'
    analysis = run(html.encode("cp1252"), encoding="")
    assert analysis.title == "Garden waste: \u00a345"


def test_links_are_extracted_with_their_kind_and_region() -> None:
    html = """<html><body>
      <nav><a href="/">Home</a></nav>
      <main><a href="collections?week=2#today">This week</a><img src="/img/bin.png" alt=""></main>
      <footer><a href="https://www.gov.uk/">GOV.UK</a></footer>
    </body></html>"""
    links = run(html).links
    # Rows: (url, fragment, text, kind, region, selector).
    assert [(url, fragment, kind, region) for url, fragment, _, kind, region, _ in links] == [
        ("https://www.example.gov.uk/", "", "a", "nav"),
        ("https://www.example.gov.uk/bins/collections?week=2", "today", "a", "main"),
        ("https://www.example.gov.uk/img/bin.png", "", "img", "main"),
        ("https://www.gov.uk/", "", "a", "footer"),
    ]
    assert [link[2] for link in links] == ["Home", "This week", "", "GOV.UK"]


def test_a_body_larger_than_the_cap_is_truncated_not_rejected() -> None:
    head = '<html><head><title>Planning register</title></head><body><a href="/early">Early</a>'
    tail = '<a href="/late">Late</a></body></html>'
    html = head + "x" * _MAX_HTML_CHARS + tail
    analysis = run(html, CollectsHeading())
    assert analysis.title == "Planning register"
    assert analysis.facts["collects-heading"]["chars"] == _MAX_HTML_CHARS
    assert [link[0] for link in analysis.links] == ["https://www.example.gov.uk/early"]


# A rule that reports which process ran it, registered as an entry point so the page
# stage's worker processes load it as they load any plugin.
PID_RULE = '''
import os
from dataclasses import dataclass

from rules.base import Category, Severity, SiteRule


class ProcessProbe(SiteRule):
    """Reports the id of the process its page_facts ran in."""

    id = "process-probe"
    title = summary = why = how_to_fix = "Test rule."
    category = Category.LINKS
    severity = Severity.INFO

    @dataclass(frozen=True)
    class Options:
        """No options."""

    def page_facts(self, page):
        return os.getpid()
'''


@pytest.fixture
def process_probe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A plug-in page rule whose page facts are the pid of the process that ran it."""
    fake_distribution(
        tmp_path,
        "siteaudit-process-probe",
        "1.0",
        {"process-probe": "siteaudit_process_probe:ProcessProbe"},
        {"siteaudit_process_probe": PID_RULE},
    )
    # Spawned workers start with this process's sys.path, so they find the probe too.
    monkeypatch.syspath_prepend(str(tmp_path))
    forget_rule_engines()  # rules loaded earlier in this process did not see the probe
    yield
    forget_rule_engines()  # nor may later tests see it


@pytest.mark.parametrize(("workers", "same_process"), [(0, True), (1, False)])
@pytest.mark.usefixtures("process_probe")
def test_page_stage_runs_rules_in_a_worker_process_unless_workers_is_0(
    workers: int, same_process: bool
) -> None:
    stage = PageStage(AuditConfig(), workers=workers)
    try:
        analysis = asyncio.run(
            stage.analyse(URL, b"<html><title>Bins</title></html>", "utf-8", {}, 0)
        )
    finally:
        stage.close()
    assert analysis.title == "Bins"
    pid = analysis.facts["process-probe"]
    assert isinstance(pid, int)
    assert (pid == os.getpid()) is same_process


@pytest.mark.usefixtures("process_probe")
def test_a_page_worker_is_replaced_once_it_has_analysed_its_share_of_pages() -> None:
    # Its memory grows with the pages it has seen: a fresh one takes over, and no page
    # is lost on the way.
    stage = PageStage(AuditConfig(), workers=1, recycle_after=2)

    async def one_at_a_time() -> list[PageAnalysis]:
        page = b"<html><title>Bins</title></html>"
        return [await stage.analyse(URL, page, "utf-8", {}, 0) for _ in range(5)]

    try:
        analyses = asyncio.run(one_at_a_time())
    finally:
        stage.close()
    assert [analysis.title for analysis in analyses] == ["Bins"] * 5
    pids = [analysis.facts["process-probe"] for analysis in analyses]
    assert pids[0] == pids[1] != pids[2] == pids[3] != pids[4]
    assert len(set(pids)) == 3 and os.getpid() not in pids


def _memory_kb(pid: int) -> tuple[int, int]:
    """(PSS, RSS) of a process in kB: what it holds alone plus its share of pages it
    shares with others, and everything it has mapped in."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    )
    return int(fields["Pss"].split()[0]), int(fields["Rss"].split()[0])


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""  # gone


@pytest.mark.skipif(not Path("/proc/self/smaps_rollup").exists(), reason="Linux's /proc")
def test_page_workers_share_the_word_lists_loaded_before_they_start() -> None:
    stage = PageStage(AuditConfig(), workers=2)
    page = b"<html lang='en'><title>Bins</title><main><p>Your bin is emptied.</p></main></html>"

    async def two_at_once() -> list[PageAnalysis]:
        return await asyncio.gather(*(stage.analyse(URL, page, "utf-8", {}, 0) for _ in "ab"))

    try:
        asyncio.run(two_at_once())
        workers = [pid for pid in process_tree(os.getpid()) if pid != os.getpid()]
        pss, rss = map(sum, zip(*map(_memory_kb, workers), strict=True))
    finally:
        stage.close()
    # Nor does the forkserver outlive the page stage, holding it all for no one.
    assert not [pid for pid in process_tree(os.getpid()) if b"forkserver" in _cmdline(pid)]
    # Each worker loading its own word lists and rules shares little beyond the C
    # libraries (PSS about 75% of RSS); forked from one process that loaded them, most
    # (about 50%).
    assert pss < 0.62 * rss, f"the page workers' PSS is {pss} kB of {rss} kB RSS"


def test_page_workers_start_only_once_a_page_needs_one() -> None:
    # A re-audit whose every page is carried over analyses nothing: no forkserver
    # loading the rules and word lists, no workers.
    before = set(process_tree(os.getpid()))
    stage = PageStage(AuditConfig(), workers=2)
    try:
        assert set(process_tree(os.getpid())) == before
        analysis = asyncio.run(
            stage.analyse(URL, b"<html><title>Bins</title></html>", "utf-8", {}, 0)
        )
        started = set(process_tree(os.getpid())) - before
    finally:
        stage.close()
    assert analysis.title == "Bins"
    # The worker the page needed (with the forkserver and multiprocessing's resource
    # tracker when this process had none running yet).
    assert started


def test_page_workers_are_spawned_where_there_is_no_forkserver(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = RuleEngine(page_rules=(ReadingAge(),), site_rules=())
    assert worker_context(engine).get_start_method() == "forkserver"
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    assert worker_context(engine).get_start_method() == "spawn"
