"""Built-in rules. Each module holds one rule, named after the problem it detects."""

from __future__ import annotations

from rules.accessibility.accessibility_statement_incomplete import (
    AccessibilityStatementIncomplete,
)
from rules.accessibility.accessibility_statement_missing import AccessibilityStatementMissing
from rules.accessibility.accessibility_statement_not_linked import (
    AccessibilityStatementNotLinked,
)
from rules.accessibility.accessibility_statement_out_of_date import (
    AccessibilityStatementOutOfDate,
)
from rules.accessibility.axe_needs_review import AxeNeedsReview
from rules.accessibility.axe_violation import AxeViolation
from rules.accessibility.browser_audit_error import BrowserAuditError
from rules.accessibility.document_instead_of_html import DocumentInsteadOfHtml
from rules.accessibility.document_language_missing import DocumentLanguageMissing
from rules.accessibility.document_link_missing_details import DocumentLinkMissingDetails
from rules.accessibility.document_title_missing import DocumentTitleMissing
from rules.accessibility.focus_not_visible import FocusNotVisible
from rules.accessibility.heading_empty import HeadingEmpty
from rules.accessibility.heading_level_skipped import HeadingLevelSkipped
from rules.accessibility.image_missing_alt import ImageMissingAlt
from rules.accessibility.link_text_vague import LinkTextVague
from rules.accessibility.multiple_ways_missing import MultipleWaysMissing
from rules.accessibility.navigation_names_inconsistent import NavigationNamesInconsistent
from rules.accessibility.navigation_order_inconsistent import NavigationOrderInconsistent
from rules.accessibility.page_title_not_descriptive import PageTitleNotDescriptive
from rules.accessibility.pdf_bookmarks_missing import PdfBookmarksMissing
from rules.accessibility.pdf_form_field_unlabelled import PdfFormFieldUnlabelled
from rules.accessibility.pdf_language_missing import PdfLanguageMissing
from rules.accessibility.pdf_not_checked import PdfNotChecked
from rules.accessibility.pdf_scanned import PdfScanned
from rules.accessibility.pdf_title_missing import PdfTitleMissing
from rules.accessibility.pdf_untagged import PdfUntagged
from rules.accessibility.skip_link_does_nothing import SkipLinkDoesNothing
from rules.base import Category, Finding, PageRule, Rule, Severity, SiteRule
from rules.contact.contact_inventory import ContactInventory
from rules.contact.inconsistent_phone_number import InconsistentPhoneNumber
from rules.contact.phone_before_online import PhoneBeforeOnline
from rules.contact.phone_only_service import PhoneOnlyService
from rules.contact.unapproved_phone_number import UnapprovedPhoneNumber
from rules.findability.meta_description_duplicate import MetaDescriptionDuplicate
from rules.findability.meta_description_missing import MetaDescriptionMissing
from rules.findability.top_task_not_indexable import TopTaskNotIndexable
from rules.forms.form_inventory import FormInventory
from rules.forms.form_page_broken import FormPageBroken
from rules.forms.form_too_deep import FormTooDeep
from rules.forms.site_search_not_checked import SiteSearchNotChecked
from rules.forms.top_task_not_in_search import TopTaskNotInSearch
from rules.forms.top_task_too_deep import TopTaskTooDeep
from rules.freshness.past_closing_date import PastClosingDate
from rules.freshness.past_financial_year import PastFinancialYear
from rules.freshness.retired_content import RetiredContent
from rules.freshness.stale_content import StaleContent
from rules.links.broken_fragment import BrokenFragment
from rules.links.broken_link import BrokenLink
from rules.links.crawl_trap import CrawlTrap
from rules.links.link_not_verified import LinkNotVerified
from rules.links.local_file_link import LocalFileLink
from rules.links.malformed_contact_link import MalformedContactLink
from rules.links.malformed_link import MalformedLink
from rules.links.redirected_link import RedirectedLink
from rules.links.soft_404 import Soft404
from rules.readability.all_caps_text import AllCapsText
from rules.readability.long_paragraph import LongParagraph
from rules.readability.misspelling import Misspelling
from rules.readability.passive_voice import PassiveVoice
from rules.readability.reading_age import ReadingAge
from rules.readability.words_to_avoid import WordsToAvoid

BUILTIN_RULES: tuple[type[Rule], ...] = (
    BrokenLink,
    BrokenFragment,
    RedirectedLink,
    LinkNotVerified,
    Soft404,
    MalformedContactLink,
    MalformedLink,
    LocalFileLink,
    CrawlTrap,
    StaleContent,
    PastClosingDate,
    PastFinancialYear,
    RetiredContent,
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
    FocusNotVisible,
    SkipLinkDoesNothing,
    HeadingLevelSkipped,
    LinkTextVague,
    DocumentLinkMissingDetails,
    PageTitleNotDescriptive,
    NavigationOrderInconsistent,
    NavigationNamesInconsistent,
    MultipleWaysMissing,
    PdfUntagged,
    PdfTitleMissing,
    PdfLanguageMissing,
    PdfScanned,
    PdfBookmarksMissing,
    PdfFormFieldUnlabelled,
    PdfNotChecked,
    AxeViolation,
    AxeNeedsReview,
    BrowserAuditError,
    AccessibilityStatementMissing,
    AccessibilityStatementNotLinked,
    AccessibilityStatementIncomplete,
    AccessibilityStatementOutOfDate,
    FormTooDeep,
    FormPageBroken,
    TopTaskTooDeep,
    TopTaskNotInSearch,
    SiteSearchNotChecked,
    FormInventory,
    PhoneBeforeOnline,
    PhoneOnlyService,
    InconsistentPhoneNumber,
    UnapprovedPhoneNumber,
    ContactInventory,
    MetaDescriptionMissing,
    MetaDescriptionDuplicate,
    TopTaskNotIndexable,
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
