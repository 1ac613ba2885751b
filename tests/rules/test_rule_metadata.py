"""Every built-in rule describes itself fully: the CLI, report and docs are built from it."""

from __future__ import annotations

import dataclasses
import re

import pytest

from audits.ruleset import configure
from rules import BUILTIN_RULES
from rules.base import Category, PageRule, Rule, Severity, SiteRule

_KEBAB = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_WCAG = re.compile(r"^https://www\.w3\.org/WAI/WCAG22/Understanding/[a-z0-9-]+\.html$")
_SUPPORTED_TYPES = {
    "int",
    "float",
    "bool",
    "str",
    "tuple[str, ...]",
    "tuple[int, ...]",
    # TOML tables ({"/news/" = 6}), read into (key, value) pairs
    "tuple[tuple[str, int], ...]",
    "tuple[tuple[str, str], ...]",
}

RULES = pytest.mark.parametrize("cls", BUILTIN_RULES, ids=lambda cls: cls.id)


def test_ids_are_unique() -> None:
    ids = [cls.id for cls in BUILTIN_RULES]
    assert len(ids) == len(set(ids))


@RULES
def test_identity(cls: type[Rule]) -> None:
    assert _KEBAB.match(cls.id), cls.id
    assert issubclass(cls, PageRule | SiteRule)
    assert isinstance(cls.category, Category)
    assert isinstance(cls.severity, Severity)
    assert (cls.__doc__ or "").strip()


@RULES
def test_editor_facing_text(cls: type[Rule]) -> None:
    for name in ("title", "summary", "why", "how_to_fix"):
        value = getattr(cls, name, "")
        assert isinstance(value, str), name
        assert value.strip(), f"{cls.id}: {name} is empty"
        assert value == value.strip(), f"{cls.id}: {name} has stray whitespace"
    assert not cls.title.endswith("."), "a title is a headline"
    sentences = len(re.findall(r"[.!?](?:\s|$)", cls.why))
    assert 2 <= sentences <= 4, f"{cls.id}: why has {sentences} sentences; aim for 2 to 4"


@RULES
def test_references(cls: type[Rule]) -> None:
    assert isinstance(cls.references, tuple)
    assert cls.references, f"{cls.id} has no reference"
    for url in cls.references:
        assert url.startswith("https://"), url
        if "w3.org/WAI" in url:
            assert _WCAG.match(url), f"{url}: link WCAG 2.2 Understanding pages"


@RULES
def test_options_are_documented_frozen_and_configurable(cls: type[Rule]) -> None:
    assert dataclasses.is_dataclass(cls.Options)
    assert cls.Options.__dataclass_params__.frozen  # type: ignore[attr-defined]
    for name, default, doc in cls.option_docs():
        assert doc.strip(), f"{cls.id}.{name} has no doc"
        assert not isinstance(default, list | dict | set), f"{cls.id}.{name}: use a tuple"
        assert default is not dataclasses.MISSING, f"{cls.id}.{name} needs a default"
    for f in dataclasses.fields(cls.Options):
        assert str(f.type) in _SUPPORTED_TYPES, f"{cls.id}.{f.name}: {f.type} cannot be configured"
    # An empty config section gives the defaults; `enabled = false` turns the rule off.
    rule = configure(cls, {})
    assert isinstance(rule, cls)
    assert rule.options == cls.Options()
    assert configure(cls, {"enabled": False}) is None
