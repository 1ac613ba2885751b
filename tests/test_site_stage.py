"""The site stage (audits/stages/site.py): site rules' findings stored as they come."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from audits.rule_engine import RuleEngine
from audits.stages.site import FINDINGS_BATCH, run_site_stage
from audits.store import Store
from rules.base import Category, Finding, Severity, SiteRule
from rules.site import Site
from tests.kit.synthetic_runs import START, page_row


class _Many(SiteRule):
    """A finding on each of more pages than one batch holds, then (if asked) an error."""

    id, title, fails = "test-many", "Many", False
    category, severity = Category.LINKS, Severity.LOW

    def check_site(self, site: Site) -> Iterator[Finding]:
        for n in range(FINDINGS_BATCH * 2 + 5):
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
    assert _findings(store, run_id) == {"test-many": FINDINGS_BATCH * 2 + 5}
    errors = store.db.execute("SELECT rule, error FROM rule_errors WHERE run_id = ?", (run_id,))
    [(rule, error)] = errors.fetchall()
    assert rule == "test-failing"
    assert error.startswith("RuntimeError: the rule broke after its findings")
    # Run again (a resumed run): the same findings, not a second set.
    run_site_stage(store, run_id, engine)
    assert _findings(store, run_id) == {"test-many": FINDINGS_BATCH * 2 + 5}
