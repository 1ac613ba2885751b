"""Text contrast axe-core cannot decide, decided from the rendered page (WCAG 1.4.3, 1.4.6).

axe-core reads a text's background from the CSS; over a background image, a gradient, a
pseudo-element or another element it cannot, and asks a person ("needs review"). Here the
browser looks instead, after axe-core, in the same session:

1. The text is made transparent (its element and everything in it, with their
   pseudo-elements), so that only what is behind it is drawn; the images behind it are
   loaded (the browser stage blocks them) and decoded first.
2. The box of the text itself (its text nodes, not the whole element) is photographed.
3. Every pixel of that picture is a background the text may stand on: the text colour
   (blended over it when translucent) is compared with each. The ACT rule (afw4f7) asks
   for the *highest possible* contrast: when even the best pixel is below the
   threshold by `MARGIN`, the text fails; when even the worst is above it by `MARGIN`, it
   passes; anything between stays for a person.

Only where axe-core doubted the colours (its reason says a colour "could not be
determined"); where it doubted the text is text (one character, symbols only) its question
stands. A decided failure replaces axe-core's "needs review" as a violation of the same
rule (one barrier, one finding); a decided pass drops it. Text with a shadow, under a
translucent, filtered or blended ancestor, or hidden under another element is left to a
person: its pixels are not a background of known colour.

Text that expresses nothing in a human language (no letter or digit: a row of dashes,
"±±±") is not text under 1.4.3: axe-core's contrast findings on it, decided or not, are
dropped, as the ACT rule's expectation excepts it.

Bounded: at most `MAX_DECIDED` texts a page, the images waited on for `IMAGE_WAIT_MS`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from rules.analyses.axe_results import INCOMPLETE, VIOLATION, AxeNode

THRESHOLDS = {"color-contrast": (4.5, 3.0), "color-contrast-enhanced": (7.0, 4.5)}
"""axe-core's contrast rules: the ratio asked of normal text and of large text."""
MARGIN = 0.2
"""How far past a threshold a measured ratio must be before it decides: the picture's
antialiased edges and colour rounding are left to a person."""
INVISIBLE = 1.1
"""Below this even at its best, the text is drawn in its background's own colour: not
text anyone is shown (the ACT rule leaves it out), but hidden text a person should see."""
MAX_DECIDED = 10
"""Texts photographed a page."""
IMAGE_WAIT_MS = 2000
"""How long the images behind the texts are waited on."""
MAX_CLIP = (1280, 720)
"""The largest picture taken of one text, in CSS pixels."""
MINIMUM, ENHANCED = THRESHOLDS
CONTRAST_RULES = frozenset(THRESHOLDS)
_MARK = "data-siteaudit-contrast"
_NO_COLOUR = "color could not be determined"
"""What axe-core's reasons for not deciding a contrast say when the colours are the doubt."""

PREPARE_SCRIPT = """
const done = arguments[arguments.length - 1];
const [items, MAX_DECIDED, IMAGE_WAIT_MS, MAX_W, MAX_H, MARK] = arguments;
const HUMAN = /[\\p{L}\\p{N}]/u;
const answers = [];
const toLoad = new Set();
const reloads = [];
const images = new Set();
let decided = 0;
const rgba = (text) => {
  const m = /^rgba?\\(([\\d.]+),\\s*([\\d.]+),\\s*([\\d.]+)(?:,\\s*([\\d.]+))?\\)$/.exec(text);
  return m ? [+m[1], +m[2], +m[3], m[4] === undefined ? 1 : +m[4]] : null;
};
const imageUrls = (el) => {
  const value = getComputedStyle(el).backgroundImage;
  return [...value.matchAll(/url\\("?([^")]*)"?\\)/g)].map((m) => m[1]);
};
const plain = (el) => {
  for (let e = el; e; e = e.parentElement) {
    const s = getComputedStyle(e);
    if (+s.opacity < 1 || s.filter !== 'none' || s.mixBlendMode !== 'normal') return false;
  }
  return getComputedStyle(el).textShadow === 'none';
};
for (const item of items) {
  let el = null;
  try { el = document.querySelector(item.target); } catch (e) { /* not one selector */ }
  if (!el) { answers.push({}); continue; }
  const texts = [...el.childNodes].filter((n) => n.nodeType === 3 && n.data.trim());
  if (texts.length && !texts.some((n) => HUMAN.test(n.data))) {
    answers.push({language: false});
    continue;
  }
  if (!item.decide || decided >= MAX_DECIDED || !texts.length || !plain(el)) {
    answers.push({});
    continue;
  }
  const fg = rgba(getComputedStyle(el).color);
  const range = document.createRange();
  range.setStartBefore(texts[0]);
  range.setEndAfter(texts[texts.length - 1]);
  el.scrollIntoView({block: 'center', behavior: 'instant'});
  const box = range.getBoundingClientRect();
  const first = range.getClientRects()[0];
  const top = first && document.elementFromPoint(first.left + first.width / 2,
                                                 first.top + first.height / 2);
  if (!fg || box.width < 1 || box.height < 1 || !top || !(el === top || el.contains(top))) {
    answers.push({});
    continue;
  }
  decided += 1;
  const style = getComputedStyle(el);
  const size = parseFloat(style.fontSize);
  const large = size >= 24 || (size >= 18.66 && +style.fontWeight >= 700);
  const behind = new Set(document.elementsFromPoint(first.left + first.width / 2,
                                                    first.top + first.height / 2));
  for (let e = el; e; e = e.parentElement) behind.add(e);
  for (const e of behind) {
    for (const url of imageUrls(e)) { toLoad.add(url); }
    if (imageUrls(e).length) reloads.push(e);
    if (e.tagName === 'IMG' && e.src) { toLoad.add(e.src); images.add(e); }
  }
  el.setAttribute(MARK, '');
  answers.push({
    fg: fg, large: large,
    clip: {x: box.left + scrollX, y: box.top + scrollY,
           width: Math.min(box.width, MAX_W), height: Math.min(box.height, MAX_H), scale: 1},
  });
}
const loads = [...toLoad].map((url) => {
  const image = new Image();
  image.src = url;
  return image.decode().then(() => true, () => false);
});
const marked = answers.filter((a) => a.clip);
const finish = (loaded) => {
  if (!loaded) {
    // An image that did not load leaves its fallback colour behind the text, which is
    // not what a person sees: nothing is decided on such a page.
    for (const a of marked) { delete a.clip; }
    for (const e of document.querySelectorAll(`[${MARK}]`)) { e.removeAttribute(MARK); }
    done(answers);
    return;
  }
  for (const e of reloads) {  // the blocked background images are asked for again
    const inline = e.style.getPropertyValue('background-image');
    const priority = e.style.getPropertyPriority('background-image');
    e.style.setProperty('background-image', 'none', 'important');
    getComputedStyle(e).backgroundImage;
    if (inline) { e.style.setProperty('background-image', inline, priority); }
    else { e.style.removeProperty('background-image'); }
  }
  for (const img of images) {
    const src = img.getAttribute('src');
    if (src) { img.removeAttribute('src'); img.setAttribute('src', src); }
  }
  const style = document.createElement('style');
  style.setAttribute(MARK, '');
  style.textContent = `[${MARK}], [${MARK}] *, [${MARK}]::before, [${MARK}]::after,
    [${MARK}] *::before, [${MARK}] *::after {
    color: transparent !important; -webkit-text-fill-color: transparent !important;
    text-shadow: none !important; text-decoration-color: transparent !important;
    caret-color: transparent !important; transition: none !important; }`;
  (document.head || document.documentElement).appendChild(style);
  Promise.all([...images].map((i) => i.decode().catch(() => null)))
    .then(() => requestAnimationFrame(() => requestAnimationFrame(() => done(answers))));
};
if (!marked.length) {
  done(answers);
} else {
  Promise.race([
    Promise.all(loads).then((all) => all.every(Boolean)),
    new Promise((r) => setTimeout(() => r(false), IMAGE_WAIT_MS)),
  ]).then(finish);
}
"""

MEASURE_SCRIPT = """
const done = arguments[arguments.length - 1];
const [pictures, MARK] = arguments;
const LINEAR = [...Array(256).keys()].map((v) => {
  const c = v / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
});
const luminance = (r, g, b) => 0.2126 * LINEAR[r] + 0.7152 * LINEAR[g] + 0.0722 * LINEAR[b];
const measure = async (picture) => {
  const bytes = Uint8Array.from(atob(picture.png), (c) => c.charCodeAt(0));
  const bitmap = await createImageBitmap(new Blob([bytes], {type: 'image/png'}));
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d');
  context.drawImage(bitmap, 0, 0);
  const data = context.getImageData(0, 0, bitmap.width, bitmap.height).data;
  const [fr, fg, fb, alpha] = picture.fg;
  let lowest = Infinity; let highest = 0;
  for (let i = 0; i < data.length; i += 4) {
    const r = data[i]; const g = data[i + 1]; const b = data[i + 2];
    const back = luminance(r, g, b);
    const front = luminance(Math.round(alpha * fr + (1 - alpha) * r),
                            Math.round(alpha * fg + (1 - alpha) * g),
                            Math.round(alpha * fb + (1 - alpha) * b));
    const ratio = (Math.max(back, front) + 0.05) / (Math.min(back, front) + 0.05);
    lowest = Math.min(lowest, ratio); highest = Math.max(highest, ratio);
  }
  return {lowest: lowest, highest: highest};
};
const tidy = () => {
  for (const e of document.querySelectorAll(`[${MARK}]`)) {
    if (e.tagName === 'STYLE') { e.remove(); } else { e.removeAttribute(MARK); }
  }
};
Promise.all(pictures.map((p) => measure(p).catch(() => null)))
  .then((ranges) => { tidy(); done(ranges); })
  .catch(() => { tidy(); done(pictures.map(() => null)); });
"""

RunScript = Callable[..., Any]
"""Runs an async script in the page with its arguments and returns its answer."""
Capture = Callable[[Mapping[str, float]], str]
"""Photographs a clip of the page (CSS pixels, in the document) and returns its PNG in
base64."""


def needs_pictures(nodes: Sequence[AxeNode]) -> bool:
    """Whether axe-core left a text's contrast to a person on this page: the images behind
    it must then be loaded to be photographed."""
    return any(undecided_colours(node) for node in nodes)


def undecided_colours(node: AxeNode) -> bool:
    """Whether axe-core left this text to a person because it could not tell its colours
    (a background image, gradient, pseudo-element or overlapping element; translucent
    text), not because it doubts the text is text (one character, symbols only)."""
    return (
        node.outcome == INCOMPLETE
        and node.rule in THRESHOLDS
        and _NO_COLOUR in node.failure_summary
    )


def required_ratio(rule: str, large: bool) -> float:
    """The contrast a rule asks of normal or large text."""
    normal, big = THRESHOLDS[rule]
    return big if large else normal


def contrast_verdict(lowest: float, highest: float, required: float) -> str | None:
    """VIOLATION when even the best background pixel is short of `required` by the margin,
    "pass" when even the worst clears it by the margin, None when a person must look (as
    for text in its background's own colour)."""
    if highest < INVISIBLE:
        return None
    if highest < required - MARGIN:
        return VIOLATION
    if lowest >= required + MARGIN:
        return "pass"
    return None


def resolve_contrast(
    nodes: Sequence[AxeNode], run: RunScript, capture: Capture, enhanced: bool = False
) -> list[AxeNode]:
    """axe-core's nodes with its contrast findings on text that is not in a human language
    dropped, and its contrast "needs review" decided where the rendered page shows how.
    With `enhanced` (AAA on), a text measured for the minimum contrast that fails the
    enhanced one is reported under color-contrast-enhanced too, unless axe-core has it there
    already: axe-core asks about such a text once, under color-contrast."""
    picked = [
        i
        for i, node in enumerate(nodes)
        if node.rule in CONTRAST_RULES and " >>> " not in node.target and " | " not in node.target
    ]
    if not picked:
        return list(nodes)
    items = [{"target": nodes[i].target, "decide": undecided_colours(nodes[i])} for i in picked]
    answers = run(PREPARE_SCRIPT, items, MAX_DECIDED, IMAGE_WAIT_MS, *MAX_CLIP, _MARK)
    if not isinstance(answers, list) or len(answers) != len(picked):
        return list(nodes)
    decided: dict[int, list[AxeNode]] = {}
    shots = []
    for i, answer in zip(picked, answers, strict=True):
        if answer.get("language") is False:
            decided[i] = []
        elif answer.get("clip"):
            shots.append((i, answer))
    if shots:
        try:
            pictures = [{"png": capture(answer["clip"]), "fg": answer["fg"]} for _, answer in shots]
        except Exception:
            run(MEASURE_SCRIPT, [], _MARK)  # the text made transparent is shown again
            raise
        measured = run(MEASURE_SCRIPT, pictures, _MARK)
        asked_enhanced = {node.target for node in nodes if node.rule == ENHANCED}
        for (i, answer), seen in zip(shots, measured or [], strict=False):
            if not seen:
                continue
            node = nodes[i]
            also = enhanced and node.rule == MINIMUM and node.target not in asked_enhanced
            decided[i] = _judged(node, answer, seen, [node.rule, *([ENHANCED] if also else [])])
    return [kept for i, node in enumerate(nodes) for kept in decided.get(i, [node])]


def _judged(
    node: AxeNode, answer: Mapping[str, Any], seen: Mapping[str, float], rules: Sequence[str]
) -> list[AxeNode]:
    """What stands of the node once the picture is judged under each of `rules` (its own
    first): a violation of each it fails; itself, when its own is left undecided."""
    kept = [
        _violation(node, rule, answer, seen)
        for rule in rules
        if _verdict(rule, answer, seen) == VIOLATION
    ]
    if _verdict(node.rule, answer, seen) is None:
        kept.insert(0, node)
    return kept


def _verdict(rule: str, answer: Mapping[str, Any], seen: Mapping[str, float]) -> str | None:
    """The measured range judged against what `rule` asks of this text."""
    required = required_ratio(rule, bool(answer.get("large")))
    return contrast_verdict(seen["lowest"], seen["highest"], required)


def _violation(
    node: AxeNode, rule: str, answer: Mapping[str, Any], seen: Mapping[str, float]
) -> AxeNode:
    """The node as a violation of `rule`, saying what was measured."""
    required = required_ratio(rule, bool(answer.get("large")))
    colour = "#{:02x}{:02x}{:02x}".format(*(round(c) for c in answer["fg"][:3]))
    summary = (
        "Fix any of the following:\n  Element has insufficient color contrast: at most "
        f"{seen['highest']:.2f}:1 against every part of the background drawn behind it "
        f"(foreground color: {colour}, measured on the rendered page). Expected contrast "
        f"ratio of {required:g}:1"
    )
    if rule == node.rule:
        return replace(node, outcome=VIOLATION, failure_summary=summary)
    return replace(
        node,
        outcome=VIOLATION,
        rule=rule,
        wcag=("1.4.6",),
        help="Elements must meet enhanced color contrast ratio thresholds",
        help_url=node.help_url.replace(MINIMUM, rule),
        failure_summary=summary,
    )
