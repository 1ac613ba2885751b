"""Scoring, bands and new / persisting / fixed."""

from __future__ import annotations

import math

import pytest

from audits.stages import prioritise as pr
from tests.kit.synthetic_runs import START, add_run, finding_row


@pytest.mark.parametrize(
    ("pages", "expected"),
    [(0, 1.0), (1, 1.0), (2, 2.0), (4, 3.0), (1024, 11.0)],
)
def test_breadth_factor(pages: int, expected: float) -> None:
    assert pr.breadth_factor(pages) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("inbound", "expected"),
    [(0, 1.0), (9, 2.0), (99, 3.0), (-5, 1.0)],
)
def test_links_factor(inbound: int, expected: float) -> None:
    assert pr.links_factor(inbound) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("depth", "expected"),
    [(0, 2.0), (1, 1.5), (2, 1.0), (3, 0.75), (4, 0.5), (12, 0.5), (None, 0.5), (-1, 0.5)],
)
def test_depth_factor(depth: int | None, expected: float) -> None:
    assert pr.depth_factor(depth) == expected


@pytest.mark.parametrize(
    ("severity", "pages", "inbound", "depth", "expected"),
    [
        # one page, two clicks deep, nothing links to it: reach 1
        ("high", 1, 0, 2, 9.0),
        ("critical", 1, 0, 2, 27.0),
        ("medium", 1, 0, 2, 3.0),
        ("low", 1, 0, 2, 1.0),
        ("info", 1000, 999, 0, 0.0),
        # home page with 99 pages linking to it: 2 * 3
        ("high", 1, 99, 0, 54.0),
        # a template problem on 4 pages, one click deep, 9 links: 3 * 2 * 1.5
        ("medium", 4, 9, 1, 27.0),
        # an orphan page
        ("critical", 1, 0, None, 13.5),
        ("unknown-severity", 8, 8, 0, 0.0),
    ],
)
def test_score(severity: str, pages: int, inbound: int, depth: int | None, expected: float) -> None:
    assert pr.score(severity, pages, inbound, depth) == pytest.approx(expected)


def test_score_is_weight_times_reach() -> None:
    value = pr.score("high", 3, 5, 3)
    reach = (1 + math.log2(3)) * (1 + math.log10(6)) * 0.75
    assert value == round(9 * reach, 2)


@pytest.mark.parametrize(
    ("score", "severity", "expected"),
    [
        (1000.0, "high", 1),
        (50.0, "high", 1),
        (49.99, "high", 2),
        (15.0, "medium", 2),
        (14.99, "medium", 3),
        (5.0, "low", 3),
        (4.99, "low", 4),
        (0.0, "info", 4),
        # critical is never below P2
        (13.5, "critical", 2),
        (0.0, "critical", 2),
        (60.0, "critical", 1),
    ],
)
def test_priority_band(score: float, severity: str, expected: int) -> None:
    assert pr.priority_band(score, severity) == expected


@pytest.mark.parametrize(
    ("fingerprint", "previous", "expected"),
    [
        ("a", None, "new"),
        ("a", set(), "new"),
        ("a", {"b"}, "new"),
        ("a", {"a", "b"}, "persisting"),
    ],
)
def test_status_of(fingerprint: str, previous: set[str] | None, expected: str) -> None:
    assert pr.status_of(fingerprint, previous) == expected


def test_prominence_takes_best_page() -> None:
    inbound = {"a": 3, "b": 10, "c": 1}
    depths = {"a": 4, "b": None, "c": 1}
    assert pr.prominence(["a", "b", "c", "unknown"], inbound, depths) == (10, 1)
    assert pr.prominence(["unknown"], inbound, depths) == (0, None)


def test_explanation_mentions_every_band_and_weight() -> None:
    text = pr.PRIORITY_EXPLANATION
    for needle in ("27", "9", "50", "15", "5", "P1", "P4", "log2", "log10", "1.5", "0.75"):
        assert needle in text
    assert "page views" in pr.priority_explanation(with_views=True)
    assert "log2" not in pr.priority_explanation(with_views=True)


@pytest.mark.parametrize(
    ("word", "pages", "expected"),
    [
        (None, 1, "medium"),
        (None, 2, "low"),  # shared: one fix in the template
        ("high", 50, "high"),  # the rule knows better
        ("LOW", 1, "low"),
        ("medium", 9, "medium"),
        ("enormous", 1, "medium"),  # unknown words are ignored
        (3, 4, "low"),
    ],
)
def test_effort_of(word: object, pages: int, expected: str) -> None:
    assert pr.effort_of(word, pages) == expected


@pytest.mark.parametrize(
    ("effort", "expected"), [("low", 1.5), ("medium", 1.0), ("high", 0.75), ("other", 1.0)]
)
def test_effort_factor(effort: str, expected: float) -> None:
    assert pr.effort_factor(effort) == expected


@pytest.mark.parametrize(
    ("views", "expected"), [(0, 1.0), (9, 2.0), (999, 4.0), (99_999, 6.0), (-3, 1.0)]
)
def test_views_reach(views: int, expected: float) -> None:
    assert pr.views_reach(views) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("severity", "views", "effort", "expected"),
    [
        ("high", 99_999, "medium", 54.0),  # a busy page: P1
        ("high", 0, "medium", 9.0),
        ("critical", 9, "low", 81.0),
        ("medium", 999, "high", 9.0),
        ("info", 10**9, "low", 0.0),
    ],
)
def test_score_with_views_and_effort(severity, views, effort, expected) -> None:
    # views win over the crawl signals, whatever they are
    assert pr.score(severity, 1000, 500, 0, views=views, effort=effort) == pytest.approx(expected)


def test_prioritise_with_page_views(store) -> None:
    from reports.pageviews import parse_page_views

    views = parse_page_views("Page path,Views\n/services/bins,99999\n/services,9\n", START)
    run_id = _graph_run(
        store,
        [
            finding_row(url=BINS, target="busy"),  # deep, but busy
            finding_row(url=HOME, target="home"),  # the home page, but no views listed
            finding_row(url=DEEP, target="shared", pages=[BINS, SERVICES]),
            finding_row(url=DEEP, target="effort", evidence={"effort": "high"}),
        ],
    )
    pr.prioritise(store, run_id, views)
    by_target = {f.finding.target: f for f in store.findings(run_id)}
    assert by_target["busy"].score == 54.0 and by_target["busy"].priority == 1
    assert by_target["home"].score == 9.0 and by_target["home"].priority == 3
    # a shared problem adds up its pages' views, and is low effort
    assert by_target["shared"].score == pytest.approx(round(9 * (1 + math.log10(100_008)) * 1.5, 2))
    assert by_target["effort"].score == pytest.approx(9 * 0.75)


HOME = START
SERVICES = START + "services"
BINS = START + "services/bins"
DEEP = START + "a/b/c/d/e"


def _graph_run(store, findings, **kwargs):
    pages = [HOME, SERVICES, BINS, DEEP]
    links = {
        HOME: [SERVICES, HOME],
        SERVICES: [HOME, BINS],
        BINS: [HOME, SERVICES],
        DEEP: [HOME],
    }
    depths = {HOME: 0, SERVICES: 1, BINS: 2, DEEP: 5}
    return add_run(store, findings, pages=pages, links=links, depths=depths, **kwargs)


def test_inbound_counts_and_click_depths(store) -> None:
    run_id = _graph_run(store, [])
    inbound = pr.inbound_counts(store, run_id)
    # self-links do not count; distinct linking pages do
    assert inbound == {HOME: 3, SERVICES: 2, BINS: 1}
    assert pr.click_depths(store, run_id, HOME) == {HOME: 0, SERVICES: 1, BINS: 2, DEEP: 5}


def test_click_depths_fall_back_to_crawl_depth(store) -> None:
    run_id = add_run(store, [], pages=[HOME, SERVICES])
    depths = pr.click_depths(store, run_id, HOME)
    assert depths[HOME] == 0  # the start URL, whatever the crawl recorded
    assert depths[SERVICES] == 1  # page_row's crawl depth


def test_prioritise_scores_by_reach(store) -> None:
    run_id = _graph_run(
        store,
        [
            finding_row(url=HOME, target="https://x.example/1"),
            finding_row(url=DEEP, target="https://x.example/2"),
            finding_row(url=BINS, severity="low", target="https://x.example/3"),
            finding_row(
                url=DEEP,
                target="https://x.example/4",
                pages=[DEEP, BINS, SERVICES, HOME],
            ),
        ],
    )
    assert pr.prioritise(store, run_id) == []
    by_target = {f.finding.target: f for f in store.findings(run_id)}
    home = by_target["https://x.example/1"]
    assert home.score == pytest.approx(9 * 2.0 * (1 + math.log10(4)), abs=0.01)
    assert home.priority == 2
    deep = by_target["https://x.example/2"]
    assert deep.score == pytest.approx(9 * 0.5, abs=0.01)
    assert deep.priority == 4
    # a template problem takes its most prominent page (the home page) and its breadth,
    # and counts as low effort (one fix mends every page)
    template = by_target["https://x.example/4"]
    assert template.score == pytest.approx(9 * 3 * 2.0 * (1 + math.log10(4)) * 1.5, abs=0.01)
    assert template.priority == 1
    assert {f.status for f in by_target.values()} == {"new"}
    # findings() now sorts most urgent first
    assert store.findings(run_id)[0].finding.target == "https://x.example/4"


def test_new_persisting_and_fixed_across_runs(store) -> None:
    first = _graph_run(
        store,
        [
            finding_row(url=HOME, fingerprint="stays"),
            finding_row(url=BINS, fingerprint="goes"),
        ],
    )
    assert pr.prioritise(store, first) == []
    second = _graph_run(
        store,
        [
            finding_row(url=HOME, fingerprint="stays"),
            finding_row(url=SERVICES, fingerprint="arrives"),
        ],
    )
    assert pr.prioritise(store, second) == ["goes"]
    status = {f.finding.fingerprint: f.status for f in store.findings(second)}
    assert status == {"stays": "persisting", "arrives": "new"}
    comparison = pr.compare(store, second)
    assert comparison.previous_run_id == first
    assert comparison.fixed == ("goes",)
    # the first run is still compared with nothing
    assert pr.previous_run_id(store, first) is None


def test_scoring_in_chunks_gives_what_one_pass_gives(store, monkeypatch) -> None:
    def run(prints):
        rows = [
            finding_row(url=[HOME, BINS, DEEP][i % 3], target=f"t{i}", fingerprint=p)
            for i, p in enumerate(prints)
        ]
        rows.append(finding_row(rule="contact-inventory", url=HOME, fingerprint="listed"))
        return _graph_run(store, rows)

    first = run([f"p{i}" for i in range(7)])
    second = run([f"p{i}" for i in range(3, 12)])
    pr.prioritise(store, first)
    assert pr.prioritise(store, second) == ["p0", "p1", "p2"]
    whole = [(f.id, f.priority, f.score, f.status) for f in store.findings(second)]
    monkeypatch.setattr(pr, "SCORING_CHUNK", 3)  # ten rows: the last chunk is short
    assert pr.prioritise(store, second) == ["p0", "p1", "p2"]
    assert [(f.id, f.priority, f.score, f.status) for f in store.findings(second)] == whole
    status = {f.finding.fingerprint: f.status for f in store.findings(second)}
    assert status["p3"] == "persisting" and status["p11"] == "new"
    # an inventory row is never a problem: it was not there before, nor is it fixed
    assert status["listed"] == "new"


def test_only_finished_runs_of_the_same_site_count(store) -> None:
    base = _graph_run(store, [finding_row(url=HOME, fingerprint="x")])
    _graph_run(store, [], status="interrupted")  # found nothing because it stopped
    add_run(store, [finding_row(url=HOME, fingerprint="y")], start_url="https://other.example/")
    latest = _graph_run(store, [finding_row(url=HOME, fingerprint="x")])
    assert pr.previous_run_id(store, latest) == base
    assert pr.prioritise(store, latest) == []
    assert [f.status for f in store.findings(latest)] == ["persisting"]


def test_prioritise_is_idempotent(store) -> None:
    run_id = _graph_run(store, [finding_row(url=HOME), finding_row(url=BINS, target="t")])
    pr.prioritise(store, run_id)
    first = [(f.id, f.priority, f.score, f.status) for f in store.findings(run_id)]
    pr.prioritise(store, run_id)
    assert [(f.id, f.priority, f.score, f.status) for f in store.findings(run_id)] == first


def test_prioritise_uses_a_fixed_number_of_queries(store) -> None:
    def count_queries(n: int) -> int:
        run_id = _graph_run(
            store,
            [finding_row(url=BINS, target=f"https://x.example/{i}") for i in range(n)],
            start_url=START + f"?n={n}",  # a separate site each time: no comparison
        )
        statements: list[str] = []
        store.db.set_trace_callback(statements.append)
        try:
            pr.prioritise(store, run_id)
        finally:
            store.db.set_trace_callback(None)
        return sum(1 for s in statements if s.lstrip().upper().startswith("SELECT"))

    assert count_queries(3) == count_queries(60)
