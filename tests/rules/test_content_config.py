"""Configuring the content rules: TOML tables as options, and `--as-of` for every dated rule."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner

from audits.cli import main
from audits.core.config import AuditConfig, ConfigError, parse_config
from audits.rule_engine import configure, load_rules, with_as_of
from rules.freshness.stale_content import StaleContent
from rules.readability.words_to_avoid import WordsToAvoid

DATED_RULES = {
    "stale-content",
    "past-closing-date",
    "past-financial-year",
    "accessibility-statement-out-of-date",
}


def test_a_toml_table_option_becomes_key_value_pairs() -> None:
    config = parse_config(
        {"rules": {"stale-content": {"sections": {"/news/": 6, "/news/archive/": 0}}}}
    )
    rule = configure(StaleContent, config.rules["stale-content"])
    assert isinstance(rule, StaleContent)
    assert rule.options.sections == (("/news/", 6), ("/news/archive/", 0))
    words = configure(WordsToAvoid, {"extra": {"signpost": "refer"}, "ignore": ["deliver"]})
    assert isinstance(words, WordsToAvoid)
    assert words.options.extra == (("signpost", "refer"),)


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"sections": {"/news/": "six"}}, "must be a whole number"),
        ({"sections": ["/news/"]}, "must be a list"),
        ({"sections": {"/news/": -1}}, "months >= 0"),
        ({"as_of": "1 June 2025"}, "as_of must be a date"),
    ],
)
def test_bad_content_options_are_configuration_errors(
    section: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        configure(StaleContent, section)


def test_as_of_reaches_every_rule_with_an_as_of_option_and_keeps_other_options() -> None:
    config = parse_config({"rules": {"stale-content": {"max_age_months": 12}}, "plugins": False})
    dated = with_as_of(config, date(2025, 6, 1))
    assert {
        rule_id for rule_id, s in dated.rules.items() if s.get("as_of") == "2025-06-01"
    } == DATED_RULES
    assert dated.rules["stale-content"]["max_age_months"] == 12
    assert config.rules["stale-content"] == {"max_age_months": 12}  # the original is untouched
    engine = load_rules(dated)
    assert {
        r.id for r in engine.all if getattr(r.options, "as_of", None) == "2025-06-01"
    } == DATED_RULES


def test_as_of_must_be_a_date() -> None:
    result = CliRunner().invoke(
        main, ["audit", "https://council.example/", "--as-of", "01/06/2025"]
    )
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output or "does not match the format" in result.output


def test_default_config_has_no_main_selectors() -> None:
    assert AuditConfig().content.main_selectors == ()
