"""axe-core's "needs review" that the rendered page can decide, following the W3C ACT rules.

axe-core asks a person to look where its own checks stop short. Four of its questions
have an answer in the page, by the definitions of the ACT rules that axe-core maps them to:

- **bypass** (2.4.1; ACT cf77f2 and its parts 3e12e1, 047fe0, ye5d6e, b40fd1), on every
  page without a main landmark (with one, axe-core's answer stands). A *block of repeated
  content* is content the page shares with the site's other pages, so the page is
  compared with one other page of the same site it links to: the first that the audit
  itself fetched with a 200, as a page or a checked link (so never one robots.txt,
  `[crawl] exclude` or the scope kept it from), fetched again once, bounded in time and
  size: the blocks whose text (more than two words) is also there are
  repeated, the rest is the page's own. It passes when no repeated content comes before
  the page's own, when a visible heading follows the repeated content, or when a control
  ahead of the page's own content, clicked, lands where no repeated text follows (a skip
  link or scripted skip) or hides the repeated blocks (moving them off-screen or
  `aria-hidden` does not hide them from a keyboard user). Otherwise it fails: also where
  axe-core passed, since axe-core counts any heading or same-page link wherever it is or
  leads. Controls that would leave the page (links to other pages, submit buttons in
  forms) are never clicked. Without another page of the site to compare with, nothing is
  decided.
- **th-has-data-cells** (1.3.1; ACT d0f69e): a table header must have at least one cell
  assigned to it: the cells of its column below it (a column header) or of its row after
  it (a row header), by the table's grid (row and column spans counted), unless a cell's
  `headers` attribute names other headers; or a cell whose `headers` names it. A header
  with none fails; tables of headers alone are left to a person. ARIA tables, which
  axe-core does not look at, are checked on every page by the order of their rows and
  cells (one with spans, indexes or `aria-owns` is left to a person).
- **aria-hidden-focus** (4.1.2; ACT 6cfa84): each element in the tab order inside the
  `aria-hidden` content axe-core asks about is focused; one that keeps the focus fails
  (nothing tells a screen reader user where they are), and none keeping it passes (a
  focus sentinel whose script sends the focus on).
- **no-autoplay-audio** (1.4.2; ACT 80f0bf): axe-core measures an autoplaying medium and
  leaves even a failure for review. An `<audio>` playing more than 3 s, not muted, without
  `controls` and with nothing on the page that could stop it fails. A `<video>` stays with
  a person: only listening tells a silent sound track.

A decided "failed" becomes a violation of axe-core's own rule, saying what was seen; a
decided "passed" removes the question; anything else stays a question for a person. The
script runs last on the page: its clicks change it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from audits.stages.browser_checks import SELECTOR_JS
from rules.analyses.axe_results import INCOMPLETE, VIOLATION, AxeNode

REVIEW_VERSION = 1
"""Stored with each page's result: a page decided by an older version is checked again."""
PER_ELEMENT = ("th-has-data-cells", "no-autoplay-audio", "aria-hidden-focus")
"""axe-core's rules whose "needs review" the script decides element by element."""
REVIEWED = ("bypass", *PER_ELEMENT)
"""axe-core's rules whose "needs review" the script decides."""
FETCH_MS = 2000
"""Time allowed to fetch the other page of the site the bypass check compares with."""
MAX_CHARS = 500_000
"""Characters of that page read: enough for any page's template."""
MAX_CONTROLS = 5
"""Controls before the page's own content clicked in search of a skip or collapse."""
FAILED = "failed"
PASSED = "passed"

REVIEW_SCRIPT = (
    """
const done = arguments[arguments.length - 1];
"""
    + SELECTOR_JS
    + """
const [tableTargets, mediaTargets, hiddenTargets, FETCH_MS, MAX_CHARS, MAX_CONTROLS, OTHER] = arguments;
const norm = (s) => (s || '').replace(/\\s+/g, ' ').trim();
const seen = (el) => el.checkVisibility({visibilityProperty: true});
// axe-core's target in this document; not one inside a frame (` | `) or shadow root (` >>> `).
const find = (target) => {
  try {
    return / \\| | >>> /.test(target) ? null : document.querySelector(target);
  } catch (e) {
    return null;
  }
};
// What an element says: its text and its images' text alternatives.
const words = (el) => norm(el.nodeType !== Node.ELEMENT_NODE ? el.textContent
  : el.textContent + ' ' + [...el.querySelectorAll('img[alt]')].map((i) => i.alt).join(' '));
const sketch = (el) => '<' + el.tagName.toLowerCase() + '> "' + words(el).slice(0, 60) + '"';
const startTag = (el) => el.outerHTML.slice(0, el.outerHTML.indexOf('>') + 1);

// -- th-has-data-cells (ACT d0f69e) --
// The table's grid of cells, row and column spans counted (built once per table).
const grids = new Map();
const gridOf = (table) => {
  if (grids.has(table)) { return grids.get(table); }
  const grid = [];
  const rows = [...table.rows];
  rows.forEach((row, r) => {
    grid[r] = grid[r] || [];
    let c = 0;
    for (const cell of row.cells) {
      while (grid[r][c]) { c++; }
      // A span past the table's last row (up to 65534 allowed) ends with it.
      for (let dr = 0; dr < Math.max(Math.min(cell.rowSpan, rows.length - r), 1); dr++) {
        grid[r + dr] = grid[r + dr] || [];
        for (let dc = 0; dc < Math.max(cell.colSpan, 1); dc++) { grid[r + dr][c + dc] = cell; }
      }
      c += Math.max(cell.colSpan, 1);
    }
  });
  grids.set(table, grid);
  return grid;
};
const assigned = (th) => {
  const table = th.closest('table');
  // A table of headers alone is no data table to judge.
  if (!table || th.closest('[role=grid], [role=treegrid]') || !table.querySelector('td')) {
    return null;
  }
  const grid = gridOf(table);
  const cells = new Set();
  const named = (cell) => th.id && (cell.getAttribute('headers') || '').split(/\\s+/).includes(th.id);
  for (const cell of table.querySelectorAll('td, th')) {
    if (cell !== th && cell.closest('table') === table && named(cell)) { cells.add(cell); }
  }
  const r0 = grid.findIndex((row) => row.includes(th));
  if (r0 < 0) { return null; }
  const c0 = grid[r0].indexOf(th);
  const scope = (th.getAttribute('scope') || '').toLowerCase();
  const rowHeader = scope === 'row' || scope === 'rowgroup'
    || (scope !== 'col' && scope !== 'colgroup' && [...th.parentElement.cells].some(
      (cell) => cell.tagName === 'TD'));
  const free = (cell) => cell && cell !== th && !cell.hasAttribute('headers');
  if (rowHeader) {
    grid[r0].slice(c0).filter(free).forEach((cell) => cells.add(cell));
  } else {
    for (let r = r0 + 1; r < grid.length; r++) {
      for (let c = c0; c < c0 + Math.max(th.colSpan, 1); c++) {
        if (free(grid[r][c])) { cells.add(grid[r][c]); }
      }
    }
  }
  return cells.size > 0;
};
const tables = {};
for (const target of tableTargets) {
  // axe-core names the table; a header's own selector is taken too.
  const element = find(target);
  const table = element && element.closest('table');
  const headers = !table ? [] : element.tagName === 'TH' ? [element]
    : [...table.querySelectorAll('th')].filter((th) => th.closest('table') === table);
  const answers = headers.map(assigned);
  const lacking = headers.filter((th, i) => answers[i] === false);
  tables[target] = !headers.length || answers.includes(null) ? null : {
    verdict: lacking.length ? 'failed' : 'passed',
    summary: lacking.length ? 'No cell of the table is assigned to the header '
      + lacking.slice(0, 3).map(sketch).join(', ') + ': its column (or row) has no cells, or '
      + 'every cell in it names other headers.' : ''};
}

// ARIA tables (role table, grid or treegrid), which axe-core's th-has-data-cells leaves out.
const ARIA_TABLE = '[role=table], [role=grid], [role=treegrid]';
const ARIA_CELL = '[role=cell], [role=gridcell], [role=columnheader], [role=rowheader]';
const ariaTables = [];
for (const grid of document.querySelectorAll(ARIA_TABLE)) {
  if (grid.tagName === 'TABLE' || !seen(grid) || grid.closest('[aria-hidden=true]')) { continue; }
  const rows = [...grid.querySelectorAll('[role=row]')].filter((r) => r.closest(ARIA_TABLE) === grid);
  const matrix = rows.map((row) => [...row.querySelectorAll(ARIA_CELL)].filter(
    (cell) => cell.closest('[role=row]') === row));
  const cells = matrix.flat();
  // Spans, indexes and owned elements move cells where the markup's order does not say.
  const moved = grid.hasAttribute('aria-owns') || cells.some((cell) => ['aria-colspan',
    'aria-rowspan', 'aria-colindex', 'aria-owns'].some((name) => cell.hasAttribute(name)));
  if (moved || !cells.some((cell) => /^(grid)?cell$/.test(cell.getAttribute('role')))) {
    continue;  // a grid of headers alone is no data table to judge
  }
  const lacking = [];
  matrix.forEach((row, r) => row.forEach((cell, i) => {
    const role = cell.getAttribute('role');
    if ((role === 'columnheader' && !matrix.slice(r + 1).some((later) => later[i]))
        || (role === 'rowheader' && i === row.length - 1)) {
      lacking.push(cell);
    }
  }));
  if (lacking.length) {
    ariaTables.push({target: selector(grid), html: startTag(grid), summary: 'No cell of the '
      + 'table is assigned to the header ' + lacking.slice(0, 3).map(sketch).join(', ')
      + ': no row after it has a cell in its column (or nothing follows it in its row).'});
  }
}

// -- aria-hidden-focus (ACT 6cfa84): does focus stay on what screen readers are told to skip? --
const TABBABLE = 'a[href], area[href], button, input, select, textarea, summary, iframe, '
  + '[tabindex], [contenteditable=""], [contenteditable="true"]';
const hiddenFocus = {};
for (const target of hiddenTargets) {
  const box = find(target);
  const inside = !box ? [] : [box, ...box.querySelectorAll(TABBABLE)].filter(
    (el) => el.matches(TABBABLE) && el.tabIndex >= 0 && !el.disabled).slice(0, MAX_CONTROLS);
  // A focus sentinel's script sends the focus on at once: it passes.
  const kept = inside.find((el) => {
    el.focus({preventScroll: true});
    return document.activeElement === el;
  });
  if (document.activeElement && document.activeElement.blur) { document.activeElement.blur(); }
  hiddenFocus[target] = kept ? {verdict: 'failed', summary: 'This element is hidden from screen '
    + 'readers (aria-hidden) but takes the keyboard focus and keeps it: a screen reader user '
    + 'lands on something their reader does not announce.'}
    : inside.length ? {verdict: 'passed'} : null;
}

// -- bypass (ACT cf77f2) --
const otherPage = async () => {
  // The page of the site to compare with, as the crawl chose it: none, nothing decided.
  const link = OTHER;
  if (!link || !link.startsWith(location.origin + '/')) { return null; }
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), FETCH_MS);
  try {
    const response = await fetch(link, {signal: stop.signal, credentials: 'same-origin'});
    const type = response.headers.get('content-type') || '';
    if (!response.ok || !type.includes('html')) { return null; }
    const text = (await response.text()).slice(0, MAX_CHARS);
    return new DOMParser().parseFromString(text, 'text/html');
  } catch (e) {
    return null;
  } finally {
    clearTimeout(timer);
  }
};
const SKIPPED = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE']);
// The page cut into blocks: an element whose text is also an element's text on the other
// page is one repeated block; others are opened down to their text. Two words or fewer
// ("Contact us", another page's heading) may be shared by chance: not a block.
const blocks = (shared) => {
  const found = [];
  const walk = (parent) => {
    for (const child of parent.childNodes) {
      const text = words(child);
      if (!text) { continue; }
      if (child.nodeType === Node.TEXT_NODE) {
        found.push({node: child, repeated: false});
      } else if (child.nodeType === Node.ELEMENT_NODE && !SKIPPED.has(child.tagName)
                 && seen(child)) {
        if (shared.has(text) && text.split(' ').length > 2) {
          found.push({node: child, repeated: true});
        }
        else if (child.children.length) { walk(child); }
        else { found.push({node: child, repeated: false}); }
      }
    }
  };
  walk(document.body);
  return found;
};
const FOCUSABLE = 'a[href], button, input[type=button], [tabindex]:not([tabindex^="-"])';
// Clicking these stays on the page: same-page links, plain buttons, scripted controls.
const stays = (el) => {
  if (el.tagName === 'A') { return /^(#|javascript:)/i.test(el.getAttribute('href') || ''); }
  if (el.tagName === 'BUTTON') { return el.type !== 'submit' || !el.form; }
  return el.tagName !== 'INPUT' || el.type === 'button';
};
// A main landmark a screen reader user can jump to passes (ACT b40fd1): axe-core's answer.
const hasMain = () => [...document.querySelectorAll('main, [role=main]')].some(
  (m) => seen(m) && !m.closest('[aria-hidden=true]'));
const onScreen = (el) => {
  const box = el.getBoundingClientRect();
  return seen(el) && !el.closest('[aria-hidden=true]') && box.width > 0 && box.height > 0
    && box.bottom + scrollY > 0 && box.right + scrollX > 0;
};
const HEADING = 'h1, h2, h3, h4, h5, h6, [role=heading]';
const bypass = async () => {
  if (hasMain()) { return null; }
  const other = await otherPage();
  if (!other || !other.body) { return null; }
  const shared = new Set([...other.body.querySelectorAll('*')].map(words));
  const found = blocks(shared);
  const first = found.findIndex((b) => b.repeated);
  const own = first < 0 ? null : found.slice(first).find((b) => !b.repeated);
  if (!own) { return {verdict: 'passed'}; }
  const repeated = found.slice(0, found.indexOf(own)).filter((b) => b.repeated).map((b) => b.node);
  const last = repeated.at(-1);
  const after = (el) => !!(last.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING)
    && !last.contains(el);
  // A heading past the repeated content (ACT 047fe0).
  if ([...document.querySelectorAll(HEADING)].some(
    (h) => after(h) && onScreen(h) && words(h))) {
    return {verdict: 'passed'};
  }
  const texts = repeated.flatMap((r) => {
    const walker = document.createTreeWalker(r, NodeFilter.SHOW_TEXT);
    const found = [];
    while (walker.nextNode()) { if (norm(walker.currentNode.textContent)) found.push(walker.currentNode); }
    return found;
  });
  // Where a skip lands is past the repeated content when none of its text comes after it.
  const reaches = (el) => !!el && el !== document.body && el !== document.documentElement
    && !texts.some((t) => el.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING);
  const before = (el) => el.compareDocumentPosition(own.node) & Node.DOCUMENT_POSITION_FOLLOWING
    && !el.contains(own.node);
  const controls = [...document.querySelectorAll(FOCUSABLE)].filter(
    (el) => before(el) && seen(el) && stays(el)).slice(0, MAX_CONTROLS);
  // A control that moves to the own content (ACT ye5d6e) or hides the repeated (3e12e1).
  for (const control of controls) {
    // Earlier checks may have followed a link here: start from no fragment.
    history.replaceState(history.state, '', location.href.split('#')[0]);
    control.click();
    const target = location.hash.length > 1
      ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
    if (reaches(target) || (document.activeElement !== control && reaches(document.activeElement))
        || repeated.every((r) => !seen(r))) {
      return {verdict: 'passed'};
    }
  }
  return {verdict: 'failed', html: startTag(document.documentElement),
    summary: 'Content repeated on the site\\'s other pages (' + sketch(repeated[0]) + ') comes '
    + 'before this page\\'s own content, with no heading starting that content, no main '
    + 'landmark, no skip link that reaches it and no control to hide the repeated content: '
    + 'keyboard users go through it on every page.'};
};

// -- no-autoplay-audio (ACT 80f0bf): an <audio> axe-core measured but left to a person --
const autoplay = {};
const CONTROLS = 'button, input, select, textarea, [role=button], [role=slider], [role=switch], '
  + '[role=checkbox], [onclick], [tabindex]:not([tabindex^="-"]), a[href^="#"], '
  + 'a[href^="javascript:" i]';
for (const target of mediaTargets) {
  const m = find(target);
  // Video may carry a silent sound track, which only listening tells apart.
  const decided = m && m.tagName === 'AUDIO' && m.autoplay && !m.muted && !m.controls
    && Number.isFinite(m.duration) && m.duration > 3 && !m.currentSrc.includes('#t=')
    && !document.querySelector(CONTROLS);
  autoplay[target] = decided ? {verdict: 'failed', summary: 'This sound plays by itself for '
    + Math.round(m.duration) + ' seconds, with no controls of its own and no button or other '
    + 'control on the page to pause, stop or mute it.'} : null;
}

(async () => ({
  'th-has-data-cells': tables,
  'no-autoplay-audio': autoplay,
  'aria-hidden-focus': hiddenFocus,
  'aria-tables': ariaTables,
  bypass: document.body ? await bypass() : null,
}))().then(done, () => done({}));  // not null: the stage reads null as a dismissed alert
"""
)


def review_arguments(nodes: Sequence[AxeNode], other_page: str | None) -> list[Any]:
    """The script's arguments for this page's nodes, in its order; `other_page` is the
    page of the site the bypass check compares with (`Store.browser_compare_pages`)."""
    return [
        _targets(nodes, "th-has-data-cells"),
        _targets(nodes, "no-autoplay-audio"),
        _targets(nodes, "aria-hidden-focus"),
        FETCH_MS,
        MAX_CHARS,
        MAX_CONTROLS,
        other_page,
    ]


def _targets(nodes: Sequence[AxeNode], rule: str) -> list[str]:
    return [n.target for n in nodes if n.outcome == INCOMPLETE and n.rule == rule]


def decide(nodes: Sequence[AxeNode], answer: Any) -> list[AxeNode | None]:
    """Each node as the script's answer leaves it, in order: a decided failure becomes a
    violation of the same rule, a decided pass None; the rest unchanged."""
    answer = answer if isinstance(answer, Mapping) else {}
    return [_decided(node, answer) for node in nodes]


def found_beyond(url: str, nodes: Sequence[AxeNode], answer: Any) -> list[AxeNode]:
    """What the script found where axe-core did not ask: a bypass failure on a page
    axe-core passed (it counts any heading, same-page link or main landmark, wherever they
    are and wherever they lead), and ARIA tables' headers without cells (axe-core's
    th-has-data-cells looks at `<table>` alone)."""
    if not isinstance(answer, Mapping):
        return []
    found = []
    bypass = answer.get("bypass")
    if (
        isinstance(bypass, Mapping)
        and bypass.get("verdict") == FAILED
        and not any(n.rule == "bypass" for n in nodes)
    ):
        found.append(_violation(url, "bypass", "html", bypass))
    tables = answer.get("aria-tables")
    for table in tables if isinstance(tables, list) else ():
        if isinstance(table, Mapping):
            found.append(_violation(url, "th-has-data-cells", str(table.get("target")), table))
    return found


_BEYOND = {
    "bypass": (
        ("2.4.1",),
        "Page must have means to bypass repeated blocks",
        "https://www.w3.org/WAI/WCAG22/Understanding/bypass-blocks.html",
    ),
    "th-has-data-cells": (
        ("1.3.1",),
        "Table headers in a data table must refer to data cells",
        "https://www.w3.org/WAI/WCAG22/Understanding/info-and-relationships.html",
    ),
}
"""The criteria, help and reference of the axe-core rules the script finds failures of
where axe-core did not ask."""


def _violation(url: str, rule: str, target: str, seen: Mapping[str, Any]) -> AxeNode:
    wcag, help_text, help_url = _BEYOND[rule]
    return AxeNode(
        url=url,
        outcome=VIOLATION,
        rule=rule,
        impact="serious",
        wcag=wcag,
        help=help_text,
        help_url=help_url,
        target=target,
        html=str(seen.get("html") or ""),
        failure_summary=str(seen.get("summary") or ""),
    )


def _decided(node: AxeNode, answer: Mapping[str, Any]) -> AxeNode | None:
    if node.outcome != INCOMPLETE or node.rule not in REVIEWED:
        return node
    verdict = answer.get(node.rule)
    if node.rule in PER_ELEMENT:
        verdict = verdict.get(node.target) if isinstance(verdict, Mapping) else None
    if not isinstance(verdict, Mapping):
        return node
    if verdict.get("verdict") == PASSED:
        return None
    if verdict.get("verdict") == FAILED:
        return dataclasses.replace(
            node,
            outcome=VIOLATION,
            impact=node.impact or "serious",
            failure_summary=str(verdict.get("summary") or ""),
        )
    return node
