"""Label in name (WCAG 2.5.3): axe-core's findings on text an icon font draws are dropped.

The browser stage blocks fonts, so axe-core never sees an icon font draw the word "search"
as a magnifying glass (its own ligature test needs the font drawn): it takes the
ligature's name for the visible label and finds it missing from the accessible name
("Find"). The ACT rule (2ee8b8) leaves out characters that express non-text content, and
text set in an icon font is that: its family's name says so (Material Icons, Material
Symbols, Font Awesome, Ionicons, icomoon...). An element whose visible text is all in
such a font has no label in words to look for in its name; one with words beside the
icon keeps axe-core's verdict.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rules.analyses.axe_results import VIOLATION, AxeNode

LABEL_IN_NAME = "label-content-name-mismatch"
ICON_FONT = (
    r"(^|[^a-z])icons?([^a-z]|$)|symbols|awesome|icomoon|fontello|ionicons|dashicons|glyphicons"
)
"""What the first family of an icon font's name holds (case aside): "icon" as a word, so
that a text face such as Lexicon is not taken for one."""

ICON_TEXT_SCRIPT = """
const done = arguments[arguments.length - 1];
const [targets, ICON_FONT] = arguments;
const icon = new RegExp(ICON_FONT, 'i');
const allIcons = (target) => {
  let el = null;
  try { el = document.querySelector(target); } catch (e) { return false; }
  if (!el) { return false; }
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  let seen = false;
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.data.trim()) { continue; }
    const family = getComputedStyle(n.parentElement).fontFamily.split(',')[0];
    if (!icon.test(family)) { return false; }
    seen = true;
  }
  return seen;
};
done(targets.map(allIcons));
"""


def drop_icon_font_labels(nodes: Sequence[AxeNode], run: Callable[..., Any]) -> list[AxeNode]:
    """axe-core's nodes without its label-in-name violations on elements whose visible
    text is all set in an icon font."""
    picked = [
        i
        for i, node in enumerate(nodes)
        if node.rule == LABEL_IN_NAME
        and node.outcome == VIOLATION
        and " >>> " not in node.target
        and " | " not in node.target
    ]
    if not picked:
        return list(nodes)
    icons = run(ICON_TEXT_SCRIPT, [nodes[i].target for i in picked], ICON_FONT)
    if not isinstance(icons, list) or len(icons) != len(picked):
        return list(nodes)
    dropped = {i for i, icon in zip(picked, icons, strict=True) if icon is True}
    return [node for i, node in enumerate(nodes) if i not in dropped]
