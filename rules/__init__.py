"""Built-in rules. Each module holds one rule, named after the problem it detects."""

from __future__ import annotations

from rules.base import Category, Finding, PageRule, Rule, Severity, SiteRule
from rules.broken_fragment import BrokenFragment
from rules.broken_link import BrokenLink
from rules.crawl_trap import CrawlTrap
from rules.form_too_deep import FormTooDeep
from rules.image_missing_alt import ImageMissingAlt
from rules.link_not_verified import LinkNotVerified
from rules.malformed_contact_link import MalformedContactLink
from rules.phone_before_online import PhoneBeforeOnline
from rules.reading_age import ReadingAge
from rules.redirected_link import RedirectedLink
from rules.soft_404 import Soft404
from rules.stale_content import StaleContent

BUILTIN_RULES: tuple[type[Rule], ...] = (
    BrokenLink,
    BrokenFragment,
    RedirectedLink,
    LinkNotVerified,
    Soft404,
    MalformedContactLink,
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
