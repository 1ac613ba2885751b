"""The core layer: what every other part of siteaudit may use.

Configuration (`config`), staging credentials and where they may go (`credentials`), the
error base class with its exit codes (`errors`), the run notes' stats (`runnotes`), which
checking stages ran (`coverage`) and child-process hygiene (`children`). The core imports
nothing of ours but `rules`' URL helpers: the crawler, the store, the stages and the
reports all build on it.
"""
