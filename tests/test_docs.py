"""The generated documentation matches the code it documents."""

from __future__ import annotations

from click.testing import CliRunner

from audits.cli import main
from tests.kit import REPO

RULES_MD = REPO / "docs" / "rules.md"
REGENERATE = "siteaudit rules --markdown --no-plugins > docs/rules.md"


def test_rules_md_is_the_current_output_of_rules_markdown() -> None:
    result = CliRunner().invoke(main, ["rules", "--markdown", "--no-plugins"])
    assert result.exit_code == 0, result.output
    committed = RULES_MD.read_text(encoding="utf-8")
    assert committed == result.output, (
        f"docs/rules.md is out of date with the rules' metadata; regenerate it with "
        f"`{REGENERATE}` (from the repository root) and commit the result"
    )
