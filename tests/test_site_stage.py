"""The site stage (audits/stages/site.py): site rules' findings stored as they come, and
the click graph read from the store by URL numbers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from audits.rule_engine import SITE_FINDINGS_BATCH, RuleEngine
from audits.stages.site import run_site_stage
from audits.store import Store
from audits.store.site import StoredSite
from rules.analyses.click_graph import ClickGraph
from rules.base import Category, Finding, Severity, SiteRule
from rules.forms.form_too_deep import pages_naming
from rules.site import LinkRow, PageInfo, Site, TargetStatus
from tests.kit.synthetic_runs import START, Link, page_row


class _Many(SiteRule):
    """A finding on each of more pages than one batch holds, then (if asked) an error."""

    id, title, fails = "test-many", "Many", False
    category, severity = Category.LINKS, Severity.LOW

    def check_site(self, site: Site) -> Iterator[Finding]:
        for n in range(SITE_FINDINGS_BATCH * 2 + 5):
            yield self.finding(f"{START}page-{n}", f"finding {n}")
        if self.fails:
            raise RuntimeError("the rule broke after its findings")


class _Failing(_Many):
    id = "test-failing"
    fails = True


def _findings(store: Store, run_id: int) -> dict[str, int]:
    rows = store.db.execute(
        "SELECT rule, COUNT(*) FROM findings WHERE run_id = ? GROUP BY rule", (run_id,)
    )
    return dict(rows.fetchall())


def test_every_finding_is_stored_and_a_rule_that_raises_leaves_none(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "audit.db"))
    run_id = store.begin_run(START, "0.1.0", {})
    with store.transaction():
        store.add_page(run_id, page_row(START))
    store.finish_run(run_id, "finished", {})
    engine = RuleEngine(page_rules=(), site_rules=(_Many(), _Failing()))
    run_site_stage(store, run_id, engine)
    assert _findings(store, run_id) == {"test-many": SITE_FINDINGS_BATCH * 2 + 5}
    errors = store.db.execute("SELECT rule, error FROM rule_errors WHERE run_id = ?", (run_id,))
    [(rule, error)] = errors.fetchall()
    assert rule == "test-failing"
    assert error.startswith("RuntimeError: the rule broke after its findings")
    # Run again (a resumed run): the same findings, not a second set.
    run_site_stage(store, run_id, engine)
    assert _findings(store, run_id) == {"test-many": SITE_FINDINGS_BATCH * 2 + 5}


class _RowsOnly:
    """A stored site that hands the click graph its link rows, not its URL numbers."""

    def __init__(self, site: Site) -> None:
        self._site = site
        self.start_url = site.start_url

    def pages(self) -> Iterator[PageInfo]:
        return self._site.pages()

    def links(self, **options: Any) -> Iterator[LinkRow]:
        return self._site.links(**options)


def _link(url: str, text: str = "", region: str = "main") -> Link:
    link = Link(url)
    link.text, link.region = text, region
    return link


def _as_urls(graph: ClickGraph) -> dict[str, tuple[list[str], ...]]:
    return {
        url: tuple(
            [graph.urls[n] for n in edges[node]]
            for edges in (graph.html, graph.documents, graph.targets)
        )
        for url, node in graph.ids.items()
    }


def test_the_click_graph_from_url_numbers_is_the_one_from_link_rows(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "audit.db"))
    a, b, c, old, new, pdf = (START + p for p in ("a", "b", "c", "old", "new", "guide.pdf"))
    # Numbered against the order of the links, so the store's two orders differ.
    for url in (new, c, pdf, b, old, a, START):
        store.url_id(url)
    run_id = store.begin_run(START, "0.1.0", {})
    links = {
        START: [_link(c), _link(a, "A"), _link(old), _link(a, "Also A"), _link(pdf)],
        a: [_link(new, "New"), _link(b), _link(old, "Old"), _link(c, "C")],
        old: [_link(b, "B from old"), _link(c)],
        new: [_link(c, "C again"), _link(a), _link(START)],
        pdf: [_link(b, "B", region="document"), _link(new, region="document")],
        b: [_link(b), _link(old, "Old again")],
    }
    with store.transaction():
        for url in (START, a, b, c, old, new, pdf):
            final = new if url == old else url
            store.add_page(run_id, page_row(url, final_url=final, title=f"Page {url[-3:]}"))
        for url, rows in links.items():
            store.add_links(run_id, url, rows)
    store.finish_run(run_id, "finished", {})
    site = store.site(run_id)
    assert hasattr(site, "numbered_links")
    numbered, rows = ClickGraph.of_site(site), ClickGraph.of_site(_RowsOnly(site))
    assert _as_urls(numbered) == _as_urls(rows)
    assert numbered.link_texts == rows.link_texts
    assert numbered.depths(START) == rows.depths(START)
    for url in rows.ids:
        for documents in (False, True):
            assert numbered.path(url, with_documents=documents) == rows.path(
                url, with_documents=documents
            )
    # form-too-deep's pages naming a form: the store picks the links out by their text.
    names = {"old", "b", "c again", "nowhere"}
    assert (
        pages_naming(site, names)
        == pages_naming(_RowsOnly(site), names)
        == {
            "old": {a},
            "b": {pdf},
            "c again": {new},
        }
    )


def test_carried_pages_keep_their_click_depths_only_while_the_site_is_the_same(
    tmp_path: Path,
) -> None:
    store = Store(str(tmp_path / "audit.db"))
    a, b = START + "a", START + "b"
    engine = RuleEngine(page_rules=(), site_rules=())

    def run(links: dict[str, list[Any]], sitemap: list[str], previous: int | None) -> int:
        """A run whose start page is fetched afresh and whose other pages are carried over
        from `previous` (or fetched too, without one)."""
        run_id = store.begin_run(START, "0.1.0", {})
        with store.transaction():
            store.add_page(run_id, page_row(START, content_hash=str(links)))
            store.add_links(run_id, START, links.get(START, []))
            if previous is None:
                for url in (a, b):
                    store.add_page(run_id, page_row(url))
                    store.add_links(run_id, url, links.get(url, []))
            else:
                store.reuse_pages(run_id, previous, [(a, None, "now"), (b, None, "now")], [])
            store.add_sitemap_urls(run_id, [(url, None) for url in sitemap])
        store.finish_run(run_id, "finished", {})
        run_site_stage(store, run_id, engine, previous)
        return run_id

    def depths(run_id: int) -> dict[str, tuple[int | None, int]]:
        rows = store.db.execute(
            "SELECT u.url, p.click_depth, p.in_sitemap FROM pages p "
            "JOIN urls u ON u.id = p.url_id WHERE p.run_id = ?",
            (run_id,),
        )
        return {url: (depth, flag) for url, depth, flag in rows}

    first = run({START: [_link(a)], a: [_link(b)]}, [b], None)
    assert depths(first) == {START: (0, 0), a: (1, 0), b: (2, 1)}
    same = run({START: [_link(a)]}, [b], first)  # a's link to b came over with a
    assert depths(same) == depths(first)
    # The start page changed: a is out of reach and b out of the sitemap, though both
    # were carried over with the depths and flags they had.
    changed = run({START: [_link(b)]}, [], same)
    assert depths(changed) == {START: (0, 0), a: (None, 0), b: (1, 0)}


def test_facts_and_pages_read_from_the_spool_are_the_ones_read_from_the_store(
    tmp_path: Path,
) -> None:
    path = str(tmp_path / "audit.db")
    store = Store(path)
    a, b, c, moved = START + "a", START + "b", START + "c", START + "moved"
    for url in (c, START, b, a, moved):  # numbered against the order of the URLs
        store.url_id(url)
    values: list[Any] = [
        ["x", 1],
        {"ids": ["top", "b"], "n": None},
        '["a string that looks like JSON"]',
        "plain",
        3,
        2.5,
        True,
        None,
        {},
    ]
    facts = {
        START: {"many": values[0], "nested": values[1], "rare": 1},
        a: {"many": values[2], "nested": values[3], "null": None},
        b: {"many": values[4], "nested": values[5]},
        c: {"many": values[6], "nested": values[7], "empty": values[8]},
    }
    earlier = store.begin_run(START, "0.1.0", {})
    run_id = store.begin_run(START, "0.1.0", {})
    with store.transaction():
        store.add_page(earlier, page_row(START, facts={"rare": "an earlier run's"}))
        for url, page_facts in facts.items():
            store.add_page(run_id, page_row(url, facts=page_facts))
        store.add_page(run_id, page_row(moved, final_url=a, status=301, redirects=[a]))
    keys = ("many", "nested", "rare", "null", "empty", "none-such")

    def read(site: StoredSite) -> dict[str, Any]:
        return {key: (site.facts(key), list(site.facts_in_order(key))) for key in keys}

    store.close()  # a read-only connection reads every rule's facts from the pages
    direct = read(Store(path, read_only=True).site(run_id))
    store = Store(path)
    site = store.site(run_id)
    assert site._spool is None
    assert read(site) == direct
    assert site._spool  # read from the spool
    assert list(site.iter_facts("many")) == list(direct["many"][0].items())
    assert direct["rare"] == ({START: 1}, [(START, 1)])
    assert direct["null"] == ({a: None}, [(a, None)])
    assert direct["none-such"] == ({}, [])
    assert [(url, value) for url, value in direct["many"][1] if url != a] == [
        (START, ["x", 1]),
        (b, 3),
        (c, True),
    ]
    pages, statuses = list(site.pages()), list(site.statuses())
    each = [site.status(url) for url in (START, moved, a, "https://elsewhere.example/")]
    site.spool_pages()
    store.set_click_depths(run_id, {a: 4})  # not seen by a copy made before
    assert list(site.pages()) == pages
    assert list(site.statuses()) == statuses
    assert [site.status(url) for url in (START, moved, a, "https://elsewhere.example/")] == each
    assert each[1] == TargetStatus(moved, 200, None, a, internal=True)
    assert each[3] is None
    assert [status.url for status in statuses] == [c, START, b, a, moved]  # by URL number
    assert statuses[-1] == TargetStatus(moved, 200, None, a, internal=True)
    assert [page.url for page in pages] == sorted([*facts, moved])
    assert pages[-1].final_url == a and pages[-1].redirects == (a,)
    site.close()
    assert [row[1] for row in store.db.execute("PRAGMA database_list")] == ["main"]


def test_links_with_a_fragment_come_by_target_then_in_the_order_stored(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "audit.db"))
    a, b = START + "a", START + "b"
    for url in (b, a, START):
        store.url_id(url)
    run_id = store.begin_run(START, "0.1.0", {})

    def to(url: str, fragment: str, text: str) -> Link:
        link = _link(url, text)
        link.fragment = fragment
        return link

    with store.transaction():
        for url in (START, a, b):
            store.add_page(run_id, page_row(url))
        store.add_links(run_id, START, [to(a, "one", "1"), to(b, "", "2"), to(b, "two", "3")])
        store.add_links(run_id, a, [to(b, "three", "4"), to(a, "four", "5")])
        store.add_links(run_id, b, [to(a, "five", "6"), to(START, "six", "7")])
    rows = store.site(run_id).links(kinds=("a",), with_fragment=True)
    # b, a, START: the order of their numbers.
    assert [row.text for row in rows] == ["3", "4", "1", "5", "6", "7"]


def test_a_read_only_store_or_a_reader_in_place_reads_facts_from_the_pages(tmp_path: Path) -> None:
    path = str(tmp_path / "audit.db")
    store = Store(path)
    run_id = store.begin_run(START, "0.1.0", {})
    with store.transaction():
        store.add_page(run_id, page_row(START, facts={"rule": [1]}))
    store.close()
    for store in (Store(path, read_only=True), Store(path)):
        site = store.site(run_id)
        if not store.db.execute("PRAGMA query_only").fetchone()[0]:
            site.read_in_place()  # as a re-audit that carries most rules' results over
        assert [site.facts("rule") for _ in range(5)] == [{START: [1]}] * 5
        assert site._spool == ""
        site.spool_pages()
        assert [page.url for page in site.pages()] == [START]
        assert [row[1] for row in store.db.execute("PRAGMA database_list")] == ["main"]
        site.close()
