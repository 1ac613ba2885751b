"""Analyses shared by several rules, computed once per page or per site.

A rule module holds one rule; what two or more rules read of a page or a site (its
contacts, forms, dates, prose, headings, what is hidden, axe-core's results, link
verdicts, the click graph) lives here, so no rule imports another. Page analyses are
memoised on the `Page` (`Page.memo`), site analyses on the `Site` (`rules.site.memo`),
so every rule of a run shares one computation without a module-level cache.
"""
