"""The WCAG 2.2 success criteria of levels A and AA, and the axe-core rules that test them.

Public sector websites must meet WCAG 2.2 AA: these 55 criteria (4.1.1 Parsing is obsolete
in 2.2 and not among them). Numbers, names and levels are the W3C Recommendation's
(https://www.w3.org/TR/WCAG22/); each criterion's Understanding page is named after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

UNDERSTANDING = "https://www.w3.org/WAI/WCAG22/Understanding/"


@dataclass(frozen=True, slots=True)
class Criterion:
    """One WCAG 2.2 success criterion."""

    number: str
    name: str
    level: str

    @property
    def url(self) -> str:
        """Its Understanding page: "Contrast (Minimum)" is contrast-minimum.html."""
        slug = re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")
        return f"{UNDERSTANDING}{slug}.html"


CRITERIA: tuple[Criterion, ...] = tuple(
    Criterion(number, name, level)
    for number, name, level in (
        ("1.1.1", "Non-text Content", "A"),
        ("1.2.1", "Audio-only and Video-only (Prerecorded)", "A"),
        ("1.2.2", "Captions (Prerecorded)", "A"),
        ("1.2.3", "Audio Description or Media Alternative (Prerecorded)", "A"),
        ("1.2.4", "Captions (Live)", "AA"),
        ("1.2.5", "Audio Description (Prerecorded)", "AA"),
        ("1.3.1", "Info and Relationships", "A"),
        ("1.3.2", "Meaningful Sequence", "A"),
        ("1.3.3", "Sensory Characteristics", "A"),
        ("1.3.4", "Orientation", "AA"),
        ("1.3.5", "Identify Input Purpose", "AA"),
        ("1.4.1", "Use of Color", "A"),
        ("1.4.2", "Audio Control", "A"),
        ("1.4.3", "Contrast (Minimum)", "AA"),
        ("1.4.4", "Resize Text", "AA"),
        ("1.4.5", "Images of Text", "AA"),
        ("1.4.10", "Reflow", "AA"),
        ("1.4.11", "Non-text Contrast", "AA"),
        ("1.4.12", "Text Spacing", "AA"),
        ("1.4.13", "Content on Hover or Focus", "AA"),
        ("2.1.1", "Keyboard", "A"),
        ("2.1.2", "No Keyboard Trap", "A"),
        ("2.1.4", "Character Key Shortcuts", "A"),
        ("2.2.1", "Timing Adjustable", "A"),
        ("2.2.2", "Pause, Stop, Hide", "A"),
        ("2.3.1", "Three Flashes or Below Threshold", "A"),
        ("2.4.1", "Bypass Blocks", "A"),
        ("2.4.2", "Page Titled", "A"),
        ("2.4.3", "Focus Order", "A"),
        ("2.4.4", "Link Purpose (In Context)", "A"),
        ("2.4.5", "Multiple Ways", "AA"),
        ("2.4.6", "Headings and Labels", "AA"),
        ("2.4.7", "Focus Visible", "AA"),
        ("2.4.11", "Focus Not Obscured (Minimum)", "AA"),
        ("2.5.1", "Pointer Gestures", "A"),
        ("2.5.2", "Pointer Cancellation", "A"),
        ("2.5.3", "Label in Name", "A"),
        ("2.5.4", "Motion Actuation", "A"),
        ("2.5.7", "Dragging Movements", "AA"),
        ("2.5.8", "Target Size (Minimum)", "AA"),
        ("3.1.1", "Language of Page", "A"),
        ("3.1.2", "Language of Parts", "AA"),
        ("3.2.1", "On Focus", "A"),
        ("3.2.2", "On Input", "A"),
        ("3.2.3", "Consistent Navigation", "AA"),
        ("3.2.4", "Consistent Identification", "AA"),
        ("3.2.6", "Consistent Help", "A"),
        ("3.3.1", "Error Identification", "A"),
        ("3.3.2", "Labels or Instructions", "A"),
        ("3.3.3", "Error Suggestion", "AA"),
        ("3.3.4", "Error Prevention (Legal, Financial, Data)", "AA"),
        ("3.3.7", "Redundant Entry", "A"),
        ("3.3.8", "Accessible Authentication (Minimum)", "AA"),
        ("4.1.2", "Name, Role, Value", "A"),
        ("4.1.3", "Status Messages", "AA"),
    )
)

AXE_CORE_VERSION = "4.14.1"
"""The axe-core whose rules `AXE_CRITERIA` lists (the one `siteaudit setup` installs)."""

ADDED_IN: dict[str, str] = {
    **dict.fromkeys(
        [
            "1.3.4",
            "1.3.5",
            "1.4.10",
            "1.4.11",
            "1.4.12",
            "1.4.13",
            "2.1.4",
            "2.5.1",
            "2.5.2",
            "2.5.3",
            "2.5.4",
            "4.1.3",
        ],
        "21",
    ),
    **dict.fromkeys(["2.4.11", "2.5.7", "2.5.8", "3.2.6", "3.3.7", "3.3.8"], "22"),
}
"""The A and AA criteria added by WCAG 2.1 and 2.2 (the others are WCAG 2.0's), as
axe-core's tags name the versions (wcag21aa, wcag22aa)."""

AXE_EXPERIMENTAL: frozenset[str] = frozenset({"css-orientation-lock"})
"""Rules of `AXE_CRITERIA` that axe-core calls experimental: they run only when named in
`[browser] extra_rules`, whatever the tags."""

AXE_CRITERIA: dict[str, tuple[str, ...]] = {
    "area-alt": ("2.4.4", "4.1.2"),
    "aria-allowed-attr": ("4.1.2",),
    "aria-braille-equivalent": ("4.1.2",),
    "aria-command-name": ("4.1.2",),
    "aria-conditional-attr": ("4.1.2",),
    "aria-deprecated-role": ("4.1.2",),
    "aria-hidden-body": ("1.3.1", "4.1.2"),
    "aria-hidden-focus": ("4.1.2",),
    "aria-input-field-name": ("4.1.2",),
    "aria-meter-name": ("1.1.1",),
    "aria-progressbar-name": ("1.1.1",),
    "aria-prohibited-attr": ("4.1.2",),
    "aria-required-attr": ("4.1.2",),
    "aria-required-children": ("1.3.1",),
    "aria-required-parent": ("1.3.1",),
    "aria-roledescription": ("4.1.2",),
    "aria-roles": ("4.1.2",),
    "aria-tab-name": ("4.1.2",),
    "aria-toggle-field-name": ("4.1.2",),
    "aria-tooltip-name": ("4.1.2",),
    "aria-valid-attr": ("4.1.2",),
    "aria-valid-attr-value": ("4.1.2",),
    "audio-caption": ("1.2.1",),
    "autocomplete-valid": ("1.3.5",),
    "avoid-inline-spacing": ("1.4.12",),
    "blink": ("2.2.2",),
    "button-name": ("4.1.2",),
    "bypass": ("2.4.1",),
    "color-contrast": ("1.4.3",),
    "css-orientation-lock": ("1.3.4",),
    "definition-list": ("1.3.1",),
    "dlitem": ("1.3.1",),
    "document-title": ("2.4.2",),
    "duplicate-id-aria": ("4.1.2",),
    "form-field-multiple-labels": ("3.3.2",),
    "frame-focusable-content": ("2.1.1",),
    "frame-title": ("4.1.2",),
    "frame-title-unique": ("4.1.2",),
    "html-has-lang": ("3.1.1",),
    "html-lang-valid": ("3.1.1",),
    "html-xml-lang-mismatch": ("3.1.1",),
    "image-alt": ("1.1.1",),
    "input-button-name": ("4.1.2",),
    "input-image-alt": ("1.1.1", "4.1.2"),
    "label": ("4.1.2",),
    "label-content-name-mismatch": ("2.5.3",),
    "link-in-text-block": ("1.4.1",),
    "link-name": ("2.4.4", "4.1.2"),
    "list": ("1.3.1",),
    "listitem": ("1.3.1",),
    "marquee": ("2.2.2",),
    "meta-refresh": ("2.2.1",),
    "meta-viewport": ("1.4.4",),
    "nested-interactive": ("4.1.2",),
    "no-autoplay-audio": ("1.4.2",),
    "object-alt": ("1.1.1",),
    "role-img-alt": ("1.1.1",),
    "scrollable-region-focusable": ("2.1.1", "2.1.3"),
    "select-name": ("4.1.2",),
    "server-side-image-map": ("2.1.1",),
    "summary-name": ("4.1.2",),
    "svg-img-alt": ("1.1.1",),
    "target-size": ("2.5.8",),
    "td-headers-attr": ("1.3.1",),
    "th-has-data-cells": ("1.3.1",),
    "valid-lang": ("3.1.2",),
    "video-caption": ("1.2.2",),
}
"""The success criteria each axe-core rule that runs by default is tagged with: the rules
of the default `[browser] tags` (WCAG 2.0 to 2.2, A and AA) that are not experimental,
and the default `extra_rules` that carry WCAG tags. Checked against the bundled
axe-core by tests/reports/test_wcag_view.py."""
