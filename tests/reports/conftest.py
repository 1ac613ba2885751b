"""Fixtures for the report tests: stores built from synthetic findings, two tiny rules."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest

from audits.store import Store
from tests.kit.synthetic_runs import add_run


@pytest.fixture
def store(tmp_path: Path) -> Iterable[Store]:
    db = Store(str(tmp_path / "audit.db"))
    yield db
    db.close()


@pytest.fixture
def make_run(store: Store) -> Callable[..., int]:
    def make(findings: Iterable[Mapping[str, Any]], **kwargs: Any) -> int:
        return add_run(store, findings, **kwargs)

    return make
