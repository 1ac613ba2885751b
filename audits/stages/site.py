"""The site stage: after the crawl (and the browser), what needs the whole site at once.

Click depths from the home page and the sitemap flags are stored first (the site rules and
the prioritising read them), then every site rule runs on the stored site, its findings
stored a batch at a time; what the rules read again and again comes from the site's
spool (`StoredSite`), which goes at the end. An incremental re-audit whose crawl found
exactly what its base run found (`siteinputs`) carries the site rules' results over
instead; rules that depend on the date run afresh.
"""

from __future__ import annotations

from audits.rule_engine import RuleEngine, SiteRuleFailed
from audits.stages.siteinputs import (
    carry_site_results,
    dated_rules,
    remember_site_inputs,
    site_inputs_of,
)
from audits.store import Store
from audits.store.site import StoredSite
from rules.analyses.click_graph import click_depths


def run_site_stage(
    store: Store, run_id: int, engine: RuleEngine, previous: int | None = None
) -> bool:
    """Click depths, sitemap flags, then every site rule; True when the site rules'
    results were carried over from `previous` (an incremental re-audit's base run)."""
    site = store.site(run_id)
    try:
        return _run_site_stage(store, run_id, engine, previous, site)
    finally:
        site.close()


def _run_site_stage(
    store: Store, run_id: int, engine: RuleEngine, previous: int | None, site: StoredSite
) -> bool:
    rules = engine.site_rules
    # Idempotent: a resumed or re-rendered run must not get a second set of these.
    store.forget_findings(run_id, [rule.id for rule in rules])
    digest = remember_site_inputs(store, run_id)
    carried = previous is not None and digest == site_inputs_of(store, previous)
    if carried:
        dated = dated_rules(list(rules))
        with store.transaction():
            carry_site_results(store, run_id, previous, [r.id for r in rules if r not in dated])
        rules = tuple(dated)
        site.read_in_place()  # two rules, a rule's facts each
    else:
        with store.transaction():
            # Sitemap flags first: the click graph reads them, and the site rules share
            # the graph the depths come from.
            store.mark_in_sitemap(run_id)
            store.set_click_depths(run_id, click_depths(site))
    # The click depths and sitemap flags are in: the pages' records change no more.
    site.spool_pages()
    for rule in rules:
        try:
            for batch in engine.check_site(rule, site):
                with store.transaction():
                    store.add_findings(run_id, batch)
        except SiteRuleFailed as failed:
            # The findings it stored before it raised go with it.
            with store.transaction():
                store.forget_findings(run_id, [rule.id])
                store.add_rule_error(run_id, rule.id, site.start_url, str(failed))
    return carried
