"""Where siteaudit keeps what it fetches for the user: the pinned axe-core.

The user's data folder (platformdirs: `$XDG_DATA_HOME/siteaudit`, else
`~/.local/share/siteaudit` on Linux; `~/Library/Application Support/siteaudit` on macOS;
`%LOCALAPPDATA%\\siteaudit` on Windows), so that one `siteaudit setup` serves every virtual
environment and survives reinstalls.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs

AXE_VERSION = "4.14.1"
"""The axe-core release `siteaudit setup` installs; the Makefile's AXE_VERSION is the same
(tests/test_setup.py holds them together)."""


def data_dir() -> Path:
    """siteaudit's folder in the user's data folder (not created here)."""
    return Path(platformdirs.user_data_dir("siteaudit", appauthor=False))


def installed_axe(version: str = AXE_VERSION) -> Path:
    """Where `siteaudit setup` puts axe.min.js of `version`."""
    return data_dir() / "axe-core" / version / "axe.min.js"
