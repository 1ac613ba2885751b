"""pdf-form-field-unlabelled: a fillable PDF form whose fields have no name for screen
readers (WCAG 1.3.1, 4.1.2)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rules.analyses.pdf_accessibility import checked_pdfs
from rules.base import Category, Finding, Severity, SiteRule, SuccessCriterion
from rules.site import Site


class PdfFormFieldUnlabelled(SiteRule):
    """Report fillable PDFs with form fields that have no tooltip (/TU) naming them."""

    id = "pdf-form-field-unlabelled"
    title = "Fillable PDF form has fields with no name for screen readers"
    category = Category.ACCESSIBILITY
    severity = Severity.HIGH
    summary = (
        "Reads the fields of each fillable PDF form: each needs a tooltip (TU), the name a "
        "screen reader announces for it. One finding per PDF counts the fields without. "
        "PDFs dated before 23 September 2018 are marked as likely exempt."
    )
    why = (
        "A screen reader user moving through a PDF form hears each field's tooltip. Without "
        "one, they hear 'edit text' and have to guess whether the box wants a name, a date "
        "or a reference number (WCAG 1.3.1 and 4.1.2)."
    )
    how_to_fix = (
        "Best, replace the PDF form with an online form. Otherwise, in Adobe Acrobat Pro, "
        "open Prepare Form, open each field's Properties and type what it asks for in "
        "'Tooltip' (for example 'Your full name'), then save."
    )
    references = (
        "https://www.gov.uk/guidance/publishing-accessible-documents",
        "https://www.w3.org/WAI/WCAG22/Understanding/name-role-value.html",
    )
    wcag = (SuccessCriterion("1.3.1", "A"), SuccessCriterion("4.1.2", "A"))

    @dataclass(frozen=True)
    class Options:
        """pdf-form-field-unlabelled has no options."""

    def check_site(self, site: Site) -> Iterator[Finding]:
        """One finding per PDF with at least one field without a tooltip."""
        for pdf in checked_pdfs(site):
            unnamed = pdf.facts.get("unnamed_fields") or 0
            fields = pdf.facts.get("form_fields") or 0
            if unnamed:
                message = f"{unnamed} of the PDF form's {fields} fields have no name (tooltip)"
                yield pdf.finding(self, message, {"unnamed_fields": unnamed, "fields": fields})
