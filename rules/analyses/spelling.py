"""The British English dictionary misspelling checks words against: hunspell's en_GB
word list through Enchant, loaded once per process (the page workers share the copy their
forkserver loaded: `rules.analyses.spelling_dictionary`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import enchant

LANGUAGE = "en_GB"
# hunspell's word list first (or nuspell's reading of the same files), aspell's only when
# neither has en_GB: Enchant's own ordering asks aspell first for en_GB, and aspell's
# British list lacks the Oxford -ize forms and many plurals ("organize", "renewables"), so
# on a machine that also has aspell-en (apt's recommends bring it) those were reported as
# misspellings.
PROVIDERS = "hunspell,nuspell"
MISSING_DICTIONARY = (
    "the British English dictionary is not installed: install Debian's hunspell-en-gb and "
    "libenchant-2-2 packages (`make system-deps` does), then audit again"
)
# Words council sites use that the dictionary lacks.
COUNCIL_WORDS = frozenset(["ebike", "ebikes", "ebook", "ebooks"])


@lru_cache(maxsize=1)
def dictionary() -> enchant.Dict | None:
    """The en_GB dictionary, loaded once per process; None when this machine lacks it."""
    try:
        # Imported here: pyenchant raises ImportError when the Enchant C library is
        # missing, and that must not stop the other rules from loading.
        import enchant
    except ImportError:
        return None
    broker = enchant.Broker()
    broker.set_ordering(LANGUAGE, PROVIDERS)
    try:
        return broker.request_dict(LANGUAGE)
    except enchant.errors.DictNotFoundError:
        return None


@lru_cache(maxsize=200_000)
def is_known(word: str) -> bool:
    """Whether a lower-case word is British English, abbreviations included (every word
    is, without a dictionary: `check_site` says it is missing)."""
    words = dictionary()
    if words is None or word in COUNCIL_WORDS:
        return True
    return words.check(word) or words.check(word + ".")
