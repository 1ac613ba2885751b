"""Language codes: whether a page's lang attribute or a document's /Lang names a language.

The HTML page rule (document-language-missing) and the PDF rule (pdf-language-missing)
judge the code the same way.
"""

from __future__ import annotations

import re

# ISO 639-1: the two-letter codes a lang attribute should start with (deprecated ones
# such as "iw" included: browsers and screen readers still know them).
_TWO_LETTER = frozenset(
    """
    aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu
    cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi
    ho hr ht hu hy hz ia id ie ig ii ik in io is it iu iw ja ji jv jw ka kg ki kj kk kl km
    kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mo mr ms mt my na
    nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd
    se sg sh si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw
    ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
    """.split()  # noqa: SIM905 (190 codes read better as words than as quoted strings)
)
# Three-letter codes of languages that have a two-letter code, which must be used instead
# (BCP 47): the languages most often seen on UK council sites.
USE_TWO_LETTER = {
    "amh": "am",
    "ara": "ar",
    "ben": "bn",
    "bul": "bg",
    "ces": "cs",
    "chi": "zh",
    "cor": "kw",
    "cym": "cy",
    "cze": "cs",
    "deu": "de",
    "eng": "en",
    "fas": "fa",
    "fra": "fr",
    "fre": "fr",
    "ger": "de",
    "gla": "gd",
    "gle": "ga",
    "glv": "gv",
    "guj": "gu",
    "hin": "hi",
    "hun": "hu",
    "ita": "it",
    "kur": "ku",
    "lav": "lv",
    "lit": "lt",
    "nep": "ne",
    "pan": "pa",
    "per": "fa",
    "pol": "pl",
    "por": "pt",
    "pus": "ps",
    "ron": "ro",
    "rum": "ro",
    "rus": "ru",
    "slk": "sk",
    "slo": "sk",
    "som": "so",
    "spa": "es",
    "tam": "ta",
    "tir": "ti",
    "tur": "tr",
    "ukr": "uk",
    "urd": "ur",
    "wel": "cy",
    "zho": "zh",
}
_THREE_LETTERS = re.compile(r"^[a-z]{3}$")


def language_problem(value: str | None) -> str | None:
    """ "missing", "empty" or "invalid" for a language code (an <html> lang attribute, a
    PDF's /Lang); None when it is fine.

    Like axe-core, only the primary language subtag (before the first "-") is checked.
    """
    if value is None:
        return "missing"
    primary = value.strip().lower().split("-", 1)[0]
    if not primary:
        return "empty"
    if primary in _TWO_LETTER or (_THREE_LETTERS.match(primary) and primary not in USE_TWO_LETTER):
        return None
    return "invalid"
