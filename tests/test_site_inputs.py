"""The site-inputs digest (audits/stages/siteinputs.py): what an incremental re-audit
compares to carry the site rules' results over."""

from __future__ import annotations

from pathlib import Path

from audits.stages.siteinputs import site_inputs_digest
from audits.store import Store
from tests.kit.synthetic_runs import START, Link, page_row

PDF = START + "guide.pdf"


def _run(store: Store, links_per_page: int, pdf_link_text: str = "Apply") -> int:
    """Twenty HTML pages with `links_per_page` links each, and a PDF (no content hash:
    its links stand for its content) with one link."""
    run_id = store.begin_run(START + f"?links={links_per_page}", "0.1.0", {})
    pages = [START + f"page-{n}" for n in range(20)]
    with store.transaction():
        for url in pages:
            store.add_page(run_id, page_row(url))
            store.add_links(run_id, url, [Link(START + f"t-{n}") for n in range(links_per_page)])
        store.add_page(
            run_id,
            page_row(PDF, content_type="application/pdf", is_html=False, content_hash=None),
        )
        link = Link(START + "apply")
        link.text = pdf_link_text
        store.add_links(run_id, PDF, [link])
    store.finish_run(run_id, "finished", {})
    return run_id


def _steps(store: Store, run_id: int) -> int:
    """SQLite's work (in thousands of virtual-machine steps) to work out a digest."""
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    store.db.set_progress_handler(count, 1000)
    try:
        site_inputs_digest(store, run_id)
    finally:
        store.db.set_progress_handler(None, 0)
    return steps[0]


def test_a_document_s_links_are_in_the_digest(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "audit.db"))
    apply, book = _run(store, 3), _run(store, 3, pdf_link_text="Book")
    assert site_inputs_digest(store, apply) != site_inputs_digest(store, book)


def test_the_digest_does_not_go_through_every_link_of_the_run(tmp_path: Path) -> None:
    # The HTML pages' links are stood for by their content hash: reading the documents'
    # links must not cost more when the pages have more links.
    store = Store(str(tmp_path / "audit.db"))
    few, many = _run(store, 5), _run(store, 500)
    assert _steps(store, many) < 2 * _steps(store, few) + 5


def test_one_field_s_text_cannot_pass_to_the_next_unseen(tmp_path: Path) -> None:
    # Texts go into the digest as they are, each after its length: a character moved
    # from one field of a page's record to the next changes the digest, and so does an
    # error that reads "None" where there was none.
    store = Store(str(tmp_path / "audit.db"))
    digests = set()
    for content_type, content_hash, error in (
        ("text/html", "abc", None),
        ("text/htm", "labc", None),
        ("text/html", "abc", "None"),
    ):
        run_id = store.begin_run(START, "0.1.0", {})
        with store.transaction():
            store.add_page(
                run_id,
                page_row(START, content_type=content_type, content_hash=content_hash, error=error),
            )
        store.finish_run(run_id, "finished", {})
        digests.add(site_inputs_digest(store, run_id))
    assert len(digests) == 3
