"""Checks of our own in the browser, after axe-core: what only a rendered page can show.

One script, run in the page axe-core has just checked, answers two WCAG questions that
axe-core leaves to a person:

- **focus visible** (2.4.7): each element in the keyboard's tab order (up to a limit) is
  focused, and what can be seen of it is compared before and after: its outline, borders,
  box shadow, background, colour, text decoration, filter and box, with its
  pseudo-elements, first children, parent (a card that lights up with `:focus-within`),
  next sibling and labels (a hidden radio button whose label shows the focus).
  Transitions are switched off while it looks. No change anywhere: nobody can see where
  the keyboard is. Text fields are left out: their caret shows it.
- **skip link** (2.4.1): the first link in the tab order that points to a place on the
  same page is followed; it fails when its target exists (a missing one is axe-core's
  `skip-link`) but after following it the target neither has the focus nor is in view:
  it is hidden, or the page's script stopped the link.

Target size (2.5.8) needs nothing of ours: axe-core's `target-size` runs with the WCAG 2.2
AA tag, with the spacing and inline exceptions.

Each check is bounded in elements (`MAX_FOCUSABLE`, `MAX_FLAGGED`) and stops looking at
more after `BUDGET_MS`; the script runs once per page, with no round trip per element. Its
flagged elements come back as `AxeNode`s under our rules' ids, so the same template
grouping applies to them as to axe-core's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rules.analyses.axe_results import (
    FOCUS_NOT_VISIBLE,
    INCOMPLETE,
    SKIP_LINK_DOES_NOTHING,
    VIOLATION,
    AxeNode,
)

_SAME = 250
"""Characters of markup compared: axe-core and our script each shorten long markup."""
OWN_CHECKS_VERSION = 1
"""Stored with each page's result: a page checked by an older version of these checks is
checked again rather than reused."""
MAX_FOCUSABLE = 40
"""Elements focused per page: the header and navigation, where a template's focus style is
set, come first in the tab order."""
MAX_FLAGGED = 20
"""Elements reported per check and page."""
BUDGET_MS = 1500
"""Page time after which the focus check looks at no more elements."""


@dataclass(frozen=True)
class _Check:
    rule: str
    help: str
    wcag: str
    impact: str
    help_url: str


_CHECKS = {
    "focus": _Check(
        FOCUS_NOT_VISIBLE,
        "Keyboard focus is not visible on this element",
        "2.4.7",
        "serious",
        "https://www.w3.org/WAI/WCAG22/Understanding/focus-visible.html",
    ),
    "skip": _Check(
        SKIP_LINK_DOES_NOTHING,
        "Skip link does not move to its target",
        "2.4.1",
        "serious",
        "https://www.w3.org/WAI/WCAG22/Understanding/bypass-blocks.html",
    ),
}
"""The script's answer keys and the rules they feed."""

SELECTOR_JS = """
const selector = (el) => {
  if (el.id && document.querySelectorAll('#' + CSS.escape(el.id)).length === 1) {
    return '#' + CSS.escape(el.id);
  }
  const steps = [];
  for (let e = el; e && e.nodeType === 1 && e !== document.documentElement; e = e.parentElement) {
    if (e.id && document.querySelectorAll('#' + CSS.escape(e.id)).length === 1) {
      steps.unshift('#' + CSS.escape(e.id));
      return steps.join(' > ');
    }
    const same = [...e.parentElement.children].filter((c) => c.tagName === e.tagName);
    const tag = e.tagName.toLowerCase();
    steps.unshift(same.length > 1 ? `${tag}:nth-of-type(${same.indexOf(e) + 1})` : tag);
  }
  return steps.join(' > ');
};
"""
"""`selector(el)`: a CSS selector of an element, from the nearest unique id (shared with
audits/stages/browser_review.py)."""

CHECKS_SCRIPT = (
    """
const done = arguments[arguments.length - 1];
const [MAX_FOCUSABLE, MAX_FLAGGED, BUDGET_MS] = arguments;
const started = performance.now();
const late = () => performance.now() - started > BUDGET_MS;
const found = {focus: [], skip: []};
"""
    + SELECTOR_JS
    + """const html = (el) => {
  const text = el.outerHTML;
  return text.length > 300 ? text.slice(0, 300) + '…' : text;
};
const flag = (check, el, summary) => {
  if (found[check].length < MAX_FLAGGED) {
    found[check].push({target: selector(el), html: html(el), summary: summary});
  }
};
const shown = (el) => {
  const box = el.getBoundingClientRect();
  const style = getComputedStyle(el);
  return box.width > 0 && box.height > 0 && style.visibility !== 'hidden'
    && !el.closest('[inert], [aria-hidden="true"]');
};
const FOCUSABLE = 'a[href], area[href], button, input:not([type="hidden"]), select, textarea, '
  + 'summary, iframe, [tabindex], [contenteditable=""], [contenteditable="true"]';
const tabbable = [...document.querySelectorAll(FOCUSABLE)].filter(
  (el) => el.tabIndex >= 0 && !el.disabled && shown(el));
// The keyboard's order: positive tabindex first (in their order), then the document's.
const order = [
  ...tabbable.filter((el) => el.tabIndex > 0).sort((a, b) => a.tabIndex - b.tabIndex),
  ...tabbable.filter((el) => el.tabIndex === 0),
];

// -- focus visible (2.4.7) --
// What can be seen of an element's style: an outline or border of style none shows nothing,
// whatever its width, colour or offset (Chromium moves a focused link's outline offset).
const edge = (style, side) => {
  const kind = style.getPropertyValue(side + '-style');
  const width = style.getPropertyValue(side + '-width');
  return kind === 'none' || kind === 'hidden' || width === '0px' ? 'none'
    : [kind, width, style.getPropertyValue(side + '-color'),
       side === 'outline' ? style.outlineOffset : ''].join(' ');
};
const PLAIN = ['box-shadow', 'background-color', 'background-image', 'color',
  'text-decoration-line', 'text-decoration-color', 'filter', 'transform', 'opacity'];
const look = (el) => {
  const parts = [];
  const add = (e, pseudo) => {
    const style = getComputedStyle(e, pseudo);
    parts.push([...['outline', 'border-top', 'border-right', 'border-bottom', 'border-left']
      .map((side) => edge(style, side)), ...PLAIN.map((name) => style.getPropertyValue(name))]
      .join('|'));
  };
  add(el, null); add(el, '::before'); add(el, '::after');
  const box = el.getBoundingClientRect();
  parts.push([box.x, box.y, box.width, box.height].join(','));
  for (const child of [...el.children].slice(0, 5)) { add(child, null); }
  if (el.parentElement) { add(el.parentElement, null); }
  // A hidden radio or checkbox shows its focus on its label (GOV.UK Frontend:
  // `input:focus + label::before`).
  for (const next of [el.nextElementSibling, ...(el.labels || [])].filter(Boolean).slice(0, 3)) {
    add(next, null); add(next, '::before'); add(next, '::after');
  }
  return parts.join('\\n');
};
// Transitions would make the focused look arrive later than the check reads it.
const still = document.createElement('style');
still.textContent = '*, *::before, *::after { transition: none !important; '
  + 'animation-duration: 0s !important; }';
(document.head || document.documentElement).appendChild(still);
const TYPED = new Set(['text', 'search', 'email', 'url', 'tel', 'password', 'number']);
const typing = (el) => el.tagName === 'TEXTAREA' || el.isContentEditable
  || (el.tagName === 'INPUT' && TYPED.has(el.type));
const before = document.activeElement;
for (const el of order.slice(0, MAX_FOCUSABLE)) {
  if (late()) { break; }
  if (el.tagName === 'IFRAME') { continue; }  // the frame's own document draws its focus
  if (typing(el)) { continue; }  // its blinking caret shows where the focus is
  const plain = look(el);
  el.focus({preventScroll: true});
  if (document.activeElement !== el) { continue; }
  const focused = look(el);
  el.blur();
  if (plain === focused) {
    flag('focus', el, 'Nothing about this element changes when it has the keyboard focus: '
      + 'no outline, border, shadow, background or colour.');
  }
}
if (before && before.focus) { before.focus({preventScroll: true}); }
still.remove();

// -- skip link (2.4.1) --
const first = order.find((el) => el.tagName === 'A' && el.hasAttribute('href'));
const href = first ? first.getAttribute('href') : '';
if (first && href.length > 1 && href[0] === '#') {
  let id = href.slice(1);
  try { id = decodeURIComponent(id); } catch (e) { /* as written */ }
  const target = document.getElementById(id) || document.getElementsByName(id)[0];
  if (target) {
    scrollTo(0, 0);
    first.click();
    const box = target.getBoundingClientRect();
    const focusedIn = target.contains(document.activeElement);
    // An empty <a name> has no size but is still scrolled to; display: none has no box.
    const rendered = target.getClientRects().length > 0;
    const inView = rendered && box.top >= -1 && box.top < innerHeight
      && getComputedStyle(target).visibility !== 'hidden';
    if (!focusedIn && !inView) {
      flag('skip', first, `Following it leaves the page where it was: its target ${href} is `
        + (rendered ? 'not brought into view' : 'hidden')
        + ' and does not take the focus.');
    }
  }
}
done(found);
"""
)


def answered(node: AxeNode, own: Sequence[AxeNode]) -> bool:
    """Whether our checks answered this "needs review" of axe-core's: axe-core asks a
    person to look at a skip link whose target is hidden, and our skip-link check, having
    followed it, says it fails. Same element: the same markup."""
    return (
        node.outcome == INCOMPLETE
        and node.rule == "skip-link"
        and any(
            mine.rule == SKIP_LINK_DOES_NOTHING and mine.html[:_SAME] == node.html[:_SAME]
            for mine in own
        )
    )


def checks_arguments() -> list[Any]:
    """The script's arguments, in its order."""
    return [MAX_FOCUSABLE, MAX_FLAGGED, BUDGET_MS]


def parse_checks(url: str, raw: Mapping[str, Sequence[Mapping[str, str]]]) -> list[AxeNode]:
    """The script's answer as nodes under our rules' ids."""
    return [
        AxeNode(
            url=url,
            outcome=VIOLATION,
            rule=check.rule,
            impact=check.impact,
            wcag=(check.wcag,),
            help=check.help,
            help_url=check.help_url,
            target=str(item.get("target", "")),
            html=str(item.get("html", "")),
            failure_summary=str(item.get("summary", "")),
        )
        for key, check in _CHECKS.items()
        for item in raw.get(key) or ()
    ]
