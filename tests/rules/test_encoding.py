"""Pages in legacy encodings reach the rules, and their evidence, with the right characters."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse

from audits.rule_engine import RuleEngine
from audits.stages.pages import analyse
from rules.freshness.past_closing_date import PastClosingDate

URL = "https://council.example/events/"
SENTENCE = "The café quiz (entry £5) will take place on 3 May 2024."
HTML = (
    "<html><head>{meta}<title>Café events</title></head><body><main><h1>Café events</h1>"
    f"<p>{SENTENCE}</p></main></body></html>"
)
RULES = RuleEngine(
    page_rules=(PastClosingDate(PastClosingDate.Options(as_of="2025-06-01")),), site_rules=()
)


def quoted_sentence(body: bytes, encoding: str) -> str:
    """The page stage's evidence for the page's past event: the sentence it quotes."""
    result = analyse(RULES, URL, body, encoding, {}, 1)
    [finding] = result.findings
    return finding["evidence"]["dates"][0]["sentence"]


def test_a_cp1252_page_keeps_pound_and_e_acute_in_evidence() -> None:
    body = HTML.format(meta="").encode("cp1252")
    assert b"\xa3" in body and b"\xe9" in body  # one byte each, not UTF-8
    assert quoted_sentence(body, "cp1252") == SENTENCE
    # The same bytes read as UTF-8 would have lost both characters.
    assert "£" not in body.decode("utf-8", errors="replace")


@pytest.mark.parametrize(
    ("content_type", "meta", "encoding"),
    [
        ("text/html; charset=windows-1252", "", "windows-1252"),
        ("text/html", '<meta charset="windows-1252">', "windows-1252"),
        (
            "text/html",
            '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">',
            "iso-8859-1",
        ),
        ("text/html; charset=utf-8", "", "utf-8"),
    ],
)
def test_the_encoding_scrapy_detects_from_headers_or_meta_decodes_the_page(
    content_type: str, meta: str, encoding: str
) -> None:
    body = HTML.format(meta=meta).encode(encoding)
    # The crawler hands the page stage the encoding Scrapy's response detected.
    detected = HtmlResponse(URL, body=body, headers={"Content-Type": content_type}).encoding
    assert quoted_sentence(body, detected) == SENTENCE
    assert analyse(RULES, URL, body, detected, {}, 1).title == "Café events"
