"""Built-in rules. Each module holds one rule, named after the problem it detects."""

from __future__ import annotations

from rules.all_caps_text import AllCapsText
from rules.axe_needs_review import AxeNeedsReview
from rules.axe_violation import AxeViolation
from rules.base import Category, Finding, PageRule, Rule, Severity, SiteRule
from rules.broken_fragment import BrokenFragment
from rules.broken_link import BrokenLink
from rules.browser_audit_error import BrowserAuditError
from rules.contact_inventory import ContactInventory
from rules.crawl_trap import CrawlTrap
from rules.document_instead_of_html import DocumentInsteadOfHtml
from rules.document_language_missing import DocumentLanguageMissing
from rules.document_link_missing_details import DocumentLinkMissingDetails
from rules.document_title_missing import DocumentTitleMissing
from rules.form_inventory import FormInventory
from rules.form_page_broken import FormPageBroken
from rules.form_too_deep import FormTooDeep
from rules.heading_empty import HeadingEmpty
from rules.heading_level_skipped import HeadingLevelSkipped
from rules.image_missing_alt import ImageMissingAlt
from rules.inconsistent_phone_number import InconsistentPhoneNumber
from rules.link_not_verified import LinkNotVerified
from rules.link_text_vague import LinkTextVague
from rules.long_paragraph import LongParagraph
from rules.malformed_contact_link import MalformedContactLink
from rules.malformed_link import MalformedLink
from rules.misspelling import Misspelling
from rules.passive_voice import PassiveVoice
from rules.past_closing_date import PastClosingDate
from rules.past_financial_year import PastFinancialYear
from rules.phone_before_online import PhoneBeforeOnline
from rules.phone_only_service import PhoneOnlyService
from rules.reading_age import ReadingAge
from rules.redirected_link import RedirectedLink
from rules.soft_404 import Soft404
from rules.stale_content import StaleContent
from rules.top_task_too_deep import TopTaskTooDeep
from rules.unapproved_phone_number import UnapprovedPhoneNumber
from rules.words_to_avoid import WordsToAvoid

BUILTIN_RULES: tuple[type[Rule], ...] = (
    BrokenLink,
    BrokenFragment,
    RedirectedLink,
    LinkNotVerified,
    Soft404,
    MalformedContactLink,
    MalformedLink,
    CrawlTrap,
    StaleContent,
    PastClosingDate,
    PastFinancialYear,
    ReadingAge,
    WordsToAvoid,
    PassiveVoice,
    AllCapsText,
    LongParagraph,
    Misspelling,
    DocumentInsteadOfHtml,
    ImageMissingAlt,
    DocumentLanguageMissing,
    DocumentTitleMissing,
    HeadingEmpty,
    HeadingLevelSkipped,
    LinkTextVague,
    DocumentLinkMissingDetails,
    AxeViolation,
    AxeNeedsReview,
    BrowserAuditError,
    FormTooDeep,
    FormPageBroken,
    TopTaskTooDeep,
    FormInventory,
    PhoneBeforeOnline,
    PhoneOnlyService,
    InconsistentPhoneNumber,
    UnapprovedPhoneNumber,
    ContactInventory,
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
