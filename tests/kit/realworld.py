"""Public test material nobody on the team wrote (W3C ACT cases, link checkers' fixtures,
GOV.UK content items), kept beside the project in ../shared/realworld and never copied in.

`SITEAUDIT_REALWORLD` names another place. A missing corpus fails the tests that need it
rather than skipping them: CI has it, and a skipped accuracy test would hide a gap.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def realworld_dir() -> Path:
    """The corpus folder; fails the calling test when it is not there."""
    where = Path(os.environ.get("SITEAUDIT_REALWORLD", ROOT.parent / "shared" / "realworld"))
    if not (where / "README.md").is_file():
        pytest.fail(f"the real-world corpus is not at {where}: set SITEAUDIT_REALWORLD")
    return where
