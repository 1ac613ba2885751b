"""Loads the en_GB dictionary (`rules.analyses.spelling`) when imported.

The page workers' forkserver imports it before it forks them (`Misspelling.worker_data`),
so every worker shares the one dictionary Enchant loaded (about 14 MB) instead of
loading its own.
"""

from __future__ import annotations

from rules.analyses.spelling import is_known

is_known("council")  # loads the dictionary, and Enchant's hunspell with it
