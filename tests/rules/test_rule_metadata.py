"""Every built-in rule describes itself fully: the CLI, report and docs are built from it."""

from __future__ import annotations

import dataclasses
import functools
import re

import pytest

from audits.rule_engine import configure
from audits.stages.browser import VENDOR_AXE
from rules import BUILTIN_RULES
from rules.base import Category, PageRule, Rule, Severity, SiteRule

_KEBAB = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_WCAG = re.compile(r"^https://www\.w3\.org/WAI/WCAG22/Understanding/[a-z0-9-]+\.html$")
# principle.guideline.criterion: four principles, at most 13 guidelines or criteria each
_SC_NUMBER = re.compile(r"^[1-4]\.(?:[1-9]|1[0-3])\.(?:[1-9]|1[0-3])$")
# One rule object in axe.min.js: {id:"image-alt",impact:...,tags:["wcag2a","wcag111",...]
_AXE_RULE = re.compile(r'\{id:"([a-z0-9-]+)",[^{}]*?tags:\[([^\]]*)\]')
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


@functools.cache
def bundled_axe_rules() -> dict[str, tuple[str, ...]]:
    """Rule id -> tags of every rule in the axe-core that `make setup` vendors."""
    assert VENDOR_AXE.is_file(), f"{VENDOR_AXE} is missing: run `make setup`"
    rules = _AXE_RULE.findall(VENDOR_AXE.read_text(encoding="utf-8"))
    return {rule: tuple(tag.strip('"') for tag in tags.split(",")) for rule, tags in rules}


def test_bundled_axe_rules_are_read() -> None:
    rules = bundled_axe_rules()
    assert len(rules) > 90
    assert rules["image-alt"][:3] == ("cat.text-alternatives", "wcag2a", "wcag111")


@RULES
def test_wcag_success_criteria(cls: type[Rule]) -> None:
    assert isinstance(cls.wcag, tuple)
    numbers = [sc.number for sc in cls.wcag]
    assert len(numbers) == len(set(numbers)), f"{cls.id}: a criterion is listed twice"
    for sc in cls.wcag:
        assert _SC_NUMBER.match(sc.number), f"{cls.id}: {sc.number} is not a WCAG 2.2 number"
        assert sc.level in ("A", "AA", "AAA"), f"{cls.id}: {sc.number} has level {sc.level}"


@RULES
def test_axe_rules_exist_and_agree_on_wcag(cls: type[Rule]) -> None:
    """Each axe-core rule named is in the bundled axe-core, and every success criterion
    axe tags it with (wcag111, with wcag2a for the level) is one of the rule's too."""
    assert isinstance(cls.axe_rules, tuple)
    ours = {(sc.number, sc.level) for sc in cls.wcag}
    for axe_id in cls.axe_rules:
        tags = bundled_axe_rules().get(axe_id)
        assert tags is not None, f"{cls.id}: axe-core has no rule {axe_id!r}"
        # wcag2a, wcag21aa, wcag22aa...: the level of the criteria in the same tags
        levels = [m[1].upper() for t in tags if (m := re.fullmatch(r"wcag2\d?(a{1,3})", t))]
        for tag in tags:
            digits = re.fullmatch(r"wcag(\d)(\d)(\d+)", tag)
            if digits:
                number = ".".join(digits.groups())
                assert (number, levels[0]) in ours, f"{cls.id}: {axe_id} is tagged {number}"
