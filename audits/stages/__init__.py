"""The stages of an audit, in the order `audits.engine.audit` runs them.

carry over unchanged pages (`revalidate`), crawl (`crawl`, or `shared_crawl` through Redis,
with `pages` analysing each page in worker processes), browser (`browser`), site rules
(`site`), prioritise (`prioritise`), keep the run's health (`retention`), report and
notify (`notify`). Each stage reads and writes the store; none calls another.
"""
