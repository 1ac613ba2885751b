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


def realworld_path() -> Path | None:
    """The corpus folder, or None when it is not there (for scripts outside pytest)."""
    where = Path(os.environ.get("SITEAUDIT_REALWORLD", ROOT.parent / "shared" / "realworld"))
    return where if (where / "README.md").is_file() else None


def realworld_dir() -> Path:
    """The corpus folder; fails the calling test when it is not there."""
    where = realworld_path()
    if where is None:
        pytest.fail("the real-world corpus is not beside the project: set SITEAUDIT_REALWORLD")
    return where
