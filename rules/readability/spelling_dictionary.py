"""Loads misspelling's en_GB dictionary when imported.

The page workers' forkserver imports it before it forks them (`Misspelling.worker_data`),
so every worker shares the one dictionary Enchant loaded (about 14 MB) instead of
loading its own.
"""

from __future__ import annotations

from rules.readability.misspelling import is_known

is_known("council")  # loads the dictionary, and Enchant's hunspell with it
