"""Health scores per category, and their history across runs."""

from __future__ import annotations

import json

import pytest

from audits.stages.retention import keep_health
from reports import health as h
from tests.kit.synthetic_runs import START, add_run, finding_row

A, B, C, D = (START + p for p in ("a", "b", "c", "d"))
PAGES = {A, B, C, D}


@pytest.mark.parametrize(
    ("pages", "penalties", "expected"),
    [
        (0, [], 100),
        (4, [], 100),
        (4, [1.0], 75),
        (4, [0.5], 87),  # 87.5 rounds down
        (4, [1.0, 1.0, 1.0, 1.0], 0),
        (3, [1.0], 66),
        (1, [5.0], 0),  # never below 0
    ],
)
def test_health_score(pages: int, penalties: list[float], expected: int) -> None:
    assert h.health_score(pages, penalties) == expected


@pytest.mark.parametrize(
    ("findings", "expected"),
    [
        ([], {"links": 100, "accessibility": 100}),
        ([("links", "high", A, ())], {"links": 75}),
        ([("links", "critical", A, ()), ("links", "medium", A, ())], {"links": 75}),  # worst counts
        ([("links", "medium", A, ()), ("links", "medium", B, ())], {"links": 75}),
        ([("links", "low", A, ()), ("links", "info", B, ())], {"links": 100}),
        ([("accessibility", "high", A, (A, B, C))], {"accessibility": 25}),  # a template
        ([("links", "high", START + "not-a-page", ())], {"links": 100}),
        ([("links", "high", A, ())], {"readability": 100}),  # other categories untouched
    ],
)
def test_health_scores(findings, expected: dict[str, int]) -> None:
    scores = h.health_scores(findings, PAGES)
    assert set(scores) == set(h.CATEGORIES)
    for category, value in expected.items():
        assert scores[category] == value


def test_kept_scores_are_read_back_and_history_follows_one_site(store) -> None:
    pages = [START, A, B, C]
    first = add_run(store, [finding_row(url=A, fingerprint="1")], pages=pages)
    add_run(store, [finding_row(url=A, fingerprint="x")], pages=pages, status="interrupted")
    add_run(store, [], pages=pages, start_url="https://elsewhere.example/")
    second = add_run(
        store,
        [finding_row(url=A, fingerprint="1"), finding_row(url=B, fingerprint="2")],
        pages=pages,
    )
    keep_health(store, second)
    points = h.history(store, second)
    assert [p.run_id for p in points] == [first, second]
    assert [p.health["links"] for p in points] == [75, 50]
    assert [p.findings["links"] for p in points] == [1, 2]
    assert all(p.pages == 4 for p in points)
    # the first run's scores are kept with it by the engine's stage, and read back
    stats = json.loads(
        store.db.execute("SELECT stats FROM runs WHERE id = ?", (first,)).fetchone()[0]
    )
    assert stats[h.STATS_KEY] == {
        "version": h.HEALTH_VERSION,
        "pages": 4,
        "health": points[0].health,
        h.COUNTS_KEY: points[0].findings,
    }
    # Read back, not counted again: the trend does not go through every run's findings.
    store.db.execute("DELETE FROM findings WHERE run_id = ?", (first,))
    again = h.history(store, second)[0]
    assert again.health["links"] == 75 and again.findings["links"] == 1


def test_history_uses_the_callers_scores_and_is_capped(store) -> None:
    runs = [add_run(store, [], pages=[START]) for _ in range(4)]
    points = h.history(store, runs[-1], current=(1, dict.fromkeys(h.CATEGORIES, 42)), limit=3)
    assert [p.run_id for p in points] == runs[-3:]
    assert points[-1].health["links"] == 42


def test_outdated_kept_scores_are_worked_out_again() -> None:
    assert h.kept_health({h.STATS_KEY: {"version": 0, "pages": 1, "health": {}}}) is None
    assert h.kept_health({}) is None
    assert h.kept_health(None) is None
    kept = h.kept_health(
        {h.STATS_KEY: {"version": h.HEALTH_VERSION, "pages": 2, "health": {"links": 5}}}
    )
    assert kept is not None and kept[0] == 2 and kept[1]["links"] == 5 and kept[1]["forms"] == 100


def test_scores_kept_before_the_counts_were_get_the_counts_and_keep_their_scores(store) -> None:
    first = add_run(store, [finding_row(url=A, fingerprint="1")], pages=[START, A])
    # As an earlier siteaudit kept them: scores without the findings per category.
    old = {"version": h.HEALTH_VERSION, "pages": 2, "health": dict.fromkeys(h.CATEGORIES, 42)}
    store.set_stat(first, h.STATS_KEY, old)
    assert h.kept_counts(store.run(first).stats) is None
    second = add_run(store, [], pages=[START, A])
    keep_health(store, second)
    kept = store.run(first).stats[h.STATS_KEY]
    assert kept["health"] == old["health"]
    assert kept[h.COUNTS_KEY] == {**dict.fromkeys(h.CATEGORIES, 0), "links": 1}
    assert [p.findings["links"] for p in h.history(store, second)] == [1, 0]
