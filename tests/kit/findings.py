"""Reading what an audit wrote: findings.json, and URLs by their path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


def load_findings(out: Path) -> dict[str, Any]:
    """The findings.json an audit wrote into `out`."""
    return json.loads((out / "findings.json").read_text(encoding="utf-8"))


def url_path(url: str | None) -> str | None:
    """The path of `url` (None stays None): the fixture servers' ports differ every run."""
    return urlsplit(url).path if url else None
