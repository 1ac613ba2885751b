"""Built-in rules. Each module holds one rule, named after the problem it detects."""

from __future__ import annotations

from rules.base import Category, Finding, PageRule, Rule, Severity, SiteRule
from rules.broken_link import BrokenLink
from rules.crawl_trap import CrawlTrap
from rules.form_too_deep import FormTooDeep
from rules.image_missing_alt import ImageMissingAlt
from rules.phone_before_online import PhoneBeforeOnline
from rules.reading_age import ReadingAge
from rules.stale_content import StaleContent

BUILTIN_RULES: tuple[type[Rule], ...] = (
    BrokenLink,
    CrawlTrap,
    StaleContent,
    ReadingAge,
    ImageMissingAlt,
    FormTooDeep,
    PhoneBeforeOnline,
)

__all__ = [
    "BUILTIN_RULES",
    "Category",
    "Finding",
    "PageRule",
    "Rule",
    "Severity",
    "SiteRule",
]
