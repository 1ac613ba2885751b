"""The [report] section of siteaudit.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

from audits.core.config import ConfigError, ReportConfig, load_config, parse_config


def test_defaults() -> None:
    report = parse_config({}).report
    assert report == ReportConfig()
    assert (
        report.formats == ("html", "json") and report.page_views is None and report.sections == {}
    )


def test_full_section() -> None:
    report = parse_config(
        {
            "report": {
                "formats": ["html", "sarif", "junit"],
                "page_views": "/data/views.csv",
                "sections": {"/bins/": " Waste team ", "https://forms.example.gov.uk/": "Digital"},
            }
        }
    ).report
    assert report.formats == ("html", "sarif", "junit")
    assert report.page_views == "/data/views.csv"
    assert report.sections == {"/bins/": "Waste team", "https://forms.example.gov.uk/": "Digital"}


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"formats": ["html", "pdf"]}, "formats must be some of"),
        ({"formats": []}, "formats must be some of"),
        ({"formats": "html"}, "must be a list"),
        ({"page_views": 3}, "page_views must be the path of a CSV file"),
        ({"page_views": " "}, "page_views must be the path of a CSV file"),
        ({"sections": {"/bins/": 1}}, "maps URL prefixes to team names"),
        ({"sections": {"/bins/": ""}}, "maps URL prefixes to team names"),
        ({"sections": ["/bins/"]}, "maps URL prefixes to team names"),
        ({"colour": "red"}, "unknown key colour; valid keys are: formats, page_views, sections"),
    ],
)
def test_bad_values_are_errors(section, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config({"report": section})


def test_page_views_path_is_relative_to_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "conf" / "siteaudit.toml"
    config.parent.mkdir()
    config.write_text(
        '[report]\npage_views = "views.csv"\n\n[report.sections]\n"/bins/" = "Waste"\n'
    )
    report = load_config(config).report
    assert report.page_views == str(tmp_path / "conf" / "views.csv")
    assert report.sections == {"/bins/": "Waste"}
    config.write_text('[report]\npage_views = "/abs/views.csv"\n')
    assert load_config(config).report.page_views == "/abs/views.csv"
