"""The freshness rules on 279 real GOV.UK content items (../shared/realworld), scored by
the corpus's own scorer against the items' own dates and withdrawn notices.

The pages are analysed in-process, as the page stage does (each page parsed once, the
rules' page facts collected, then the site rule run over them): the crawl itself is not
what is measured here, and the whole corpus takes about a second this way.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from datetime import date
from functools import cache
from types import ModuleType
from typing import Any

import pytest
from htmldate import find_date

from rules.analyses.dates import EARLIEST_YEAR
from rules.analyses.page_dates import page_dates
from rules.base import Finding
from rules.freshness.retired_content import RetiredContent
from rules.freshness.stale_content import StaleContent
from rules.page import Page
from tests.kit.memory_site import MemorySite, info
from tests.kit.realworld import realworld_dir

ORIGIN = "http://127.0.0.1:8102"
# GOV.UK's news formats, named as a council would name its news sections.
NEWS_SECTIONS = ("/news_article/", "/speech/")


@cache
def _scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("score_govuk", realworld_dir() / "score_govuk.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@cache
def _manifest() -> list[dict[str, Any]]:
    root = realworld_dir() / "govuk-content-examples"
    return json.loads((root / "manifest.json").read_text(encoding="utf-8"))


@cache
def _pages() -> tuple[Page, ...]:
    root = realworld_dir() / "govuk-content-examples"
    return tuple(
        Page.from_file(str(root / item["file"]), ORIGIN + item["url"]) for item in _manifest()
    )


def _audit(as_of: str) -> Iterator[Finding]:
    """retired-content on every page, then stale-content over the site of them all."""
    stale = StaleContent(StaleContent.Options(as_of=as_of, news_sections=NEWS_SECTIONS))
    retired = RetiredContent()
    facts = {}
    for page in _pages():
        yield from retired.check_page(page)
        facts[page.url] = stale.page_facts(page)
    site = MemorySite(pages=[info(p.url) for p in _pages()], facts={stale.id: facts})
    yield from stale.check_site(site)


def _score(as_of: str) -> tuple[dict[str, Any], list[dict[str, Any]], list[Finding]]:
    findings = list(_audit(as_of))
    doc = {
        "run": {"started": as_of},
        "findings": [
            {"rule": f.rule, "url": f.url, "message": f.message, "evidence": dict(f.evidence)}
            for f in findings
        ],
    }
    summary, items = _scorer().score(_manifest(), doc, date.fromisoformat(as_of), 24)
    return summary, items, findings


def _placeholder(item: dict[str, Any]) -> bool:
    """A content item whose date is a placeholder (publishing-api's examples use
    1881-02-27), which no page date before 1995 is taken to be."""
    return int(item["updated"][:4]) < EARLIEST_YEAR


@pytest.mark.parametrize("as_of", ["2019-06-01", "2026-12-06"])
def test_every_withdrawn_item_is_reported_withdrawn_and_no_other(as_of: str) -> None:
    summary, _, _ = _score(as_of)
    assert (summary["withdrawn"], summary["withdrawn_n"]) == (14, 14)
    assert summary["withdrawn_claimed_elsewhere"] == 0


@pytest.mark.parametrize("as_of", ["2019-06-01", "2026-12-06"])
def test_every_dated_item_older_than_the_period_is_flagged_and_no_fresh_one(as_of: str) -> None:
    summary, items, _ = _score(as_of)
    missed = [i for i in items if i["age"] == "old" and not i["stale_reported"]]
    missed = [i for i in missed if not (i["withdrawn_at"] and i["withdrawn_reported"])]
    assert [i["url"] for i in missed if not _placeholder(i)] == []
    assert summary["stale"] + len(missed) == summary["stale_n"]
    assert summary["fresh_flagged"] == 0


def test_a_withdrawn_page_is_not_also_reported_stale() -> None:
    _, items, findings = _score("2026-12-06")
    withdrawn = {ORIGIN + i["url"] for i in items if i["withdrawn_at"]}
    stale = {f.url for f in findings if f.rule == "stale-content"}
    assert withdrawn and not withdrawn & stale


def test_old_news_gets_archive_advice_not_update_advice() -> None:
    _, _, findings = _score("2026-12-06")
    news = [f for f in findings if f.rule == "stale-content" and f.evidence["kind"] == "news"]
    assert {f.url.split("/")[3] for f in news} == {"news_article", "speech"}
    assert all(
        f.severity.value == "low" and "mark it as historical" in f.message.lower() for f in news
    )
    # A news item is aged by its publication date, not by its last update.
    assert all(f.evidence["date"] == f.evidence["published"]["date"] for f in news)


@pytest.mark.slow  # htmldate takes about 4 s over the corpus (dateparser warming up)
def test_our_update_dates_agree_with_the_items_more_often_than_htmldate_s() -> None:
    """htmldate is the reference extractor; on GOV.UK's markup ours must do at least as well."""
    ours = reference = 0
    for item, page in zip(_manifest(), _pages(), strict=True):
        expected = (item["public_updated_at"] or "")[:10]
        found = page_dates(page).updated
        ours += bool(found) and found.when.isoformat() == expected  # type: ignore[union-attr]
        reference += find_date(page.html, original_date=False) == expected
    assert ours >= reference
    assert ours >= 275  # all but the two undated items and the two placeholder dates
