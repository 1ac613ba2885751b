"""The HTML of one finding, built once and reused by every page that lists it.

A finding appears in its check's page, its section's page, any focused view and the
page of every site page it is on (a template problem on 50,000 pages appears 50,000
times). Rendering it through a template macro each time would take most of the time
of a big report, so its table row and its list item are built here, with every crawled
string passed through `markupsafe.escape` (the same escaping jinja's autoescape
applies), and handed to the templates as `Markup`. A shared problem's HTML is built once
and remembered; a one-page problem's is built each of the two or three times it is
listed, because remembering all of them took 200 MB for 200,000 findings (from its
escaped message and "More detail", which are built once and kept: `KeptText`).

Everything here is escaped explicitly: a value is either escaped with `e()`, a number we
formatted, or a constant. External addresses only become links through `safe_href`.
"""

from __future__ import annotations

import functools
import os
import re
import tempfile
from array import array
from collections.abc import Mapping
from typing import IO, Any

from markupsafe import Markup, escape

from reports.model import Row, page_file, prefetch, shown, where
from reports.text import PRIORITY_LABELS, SEVERITY_LABELS, STATUS_LABELS, paragraphs, show_value

MAX_PAGES_LISTED = 50
"""Affected pages listed under one finding."""
PAGES_SHOWN_OPEN = 3
"""Up to this many affected pages are listed openly; more go inside <details>."""
DETAIL_KEPT = 8_000_000
"""Characters of findings' message and "More detail" HTML kept in memory for reuse (see
`Fragments.text`): about 8 MB, enough for all of a 2,000-page council site's (7 million).
Past it they are kept in a temporary file (`KeptText`)."""

_SAFE_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f-\x9f]+", re.IGNORECASE)


def e(value: object) -> str:
    """HTML-escaped text of any value (quotes too, so it is safe in attributes), the
    same text as `markupsafe.escape` gives. A report escapes millions of strings: for a
    plain string five replacements cost less than making a `Markup` and copying it."""
    if type(value) is str:  # not Markup, which is escaped already
        return (
            value.replace("&", "&amp;")
            .replace("<", "&lt;")
            .replace(">", "&gt;")
            .replace("'", "&#39;")
            .replace('"', "&#34;")
        )
    return str(escape(value))


def safe_href(url: object) -> str | None:
    """`url` if it may become a link: absolute http(s), no spaces or control characters."""
    if isinstance(url, str) and _SAFE_URL.fullmatch(url):
        return url
    return None


def external_link(url: object) -> str:
    """A link to an address on the web, or the address as plain text when it is not http(s)."""
    href = safe_href(url)
    if href:
        return f'<a href="{e(href)}">{e(url)}</a>'
    return f'<span class="not-linked">{e(url)}</span>'


@functools.lru_cache(maxsize=256, typed=True)
def priority_badge(number: object) -> str:
    """The P1..P4 badge with its meaning (remembered: there are a few priorities and
    many findings)."""
    label = PRIORITY_LABELS.get(number, "") if isinstance(number, int) else ""
    return (
        f'<span class="badge p{e(number)}">P{e(number)}</span> <span class="band">{e(label)}</span>'
    )


@functools.lru_cache(maxsize=256, typed=True)
def severity_badge(severity: str) -> str:
    """The severity badge (remembered, as `priority_badge`)."""
    return (
        f'<span class="badge sev-{e(severity)}">{e(SEVERITY_LABELS.get(severity, severity))}</span>'
    )


@functools.lru_cache(maxsize=1024, typed=True)
def _row_head(
    category: object, priority: object, status: object, severity: object
) -> tuple[str, str]:
    """The opening <tr> of a table row of problems and its badges: the same for every
    finding of one category, priority, status and severity."""
    return (
        f'<tr data-category="{e(category)}" data-priority="{e(priority)}" '
        f'data-status="{e(status)}" data-severity="{e(severity)}">',
        f"{priority_badge(priority)} {severity_badge(severity)}",
    )


_NEW_TAG = f' <span class="tag-new">{STATUS_LABELS["new"]}</span>'


def new_tag(f: Mapping[str, Any]) -> str:
    """The "New" tag for a finding the previous run did not have."""
    return _NEW_TAG if f["status"] == "new" else ""


def evidence_label(key: str) -> str:
    """'click_depth' -> 'Click depth', as the detail list shows evidence keys."""
    text = str(key).replace("_", " ")
    return text[:1].upper() + text[1:].lower()


@functools.lru_cache(maxsize=1024)
def _evidence_term(key: str) -> str:
    """The <dt> of an evidence key: there are few keys and many findings."""
    return f"<dt>{e(evidence_label(key))}</dt>"


def detail(f: Mapping[str, Any]) -> str:
    """The "More detail" disclosure: target, selector, snippet and evidence."""
    items = []
    if f["target"]:
        items.append(f"<dt>Link or item</dt><dd>{external_link(f['target'])}</dd>")
    if f["selector"]:
        items.append(f"<dt>Where on the page</dt><dd><code>{e(f['selector'])}</code></dd>")
    if f["snippet"]:
        items.append(f"<dt>HTML</dt><dd><pre><code>{e(f['snippet'])}</code></pre></dd>")
    evidence = f["evidence"]  # read once: a stored finding's text is looked up by rank
    for key in sorted(evidence, key=str):
        if key == "screenshot":
            continue
        value = evidence[key]
        items.append(f"{_evidence_term(str(key))}<dd>{e(show_value(value))}</dd>")
    if not items:
        return ""
    return (
        '<details class="detail"><summary>More detail</summary><dl>'
        + "".join(items)
        + "</dl></details>"
    )


def screenshot(path: str, root: str, url: str) -> str:
    """A screenshot of the problem (a relative image path checked by the model)."""
    src = e(root + path)
    # The image is not itself a link: a small screenshot would be a target too small to
    # tap (WCAG 2.5.8); the caption's text link opens it full size.
    return (
        f'<figure class="shot"><img src="{src}" alt="Screenshot of the problem on {e(url)}" '
        'loading="lazy"><figcaption>Screenshot taken by the browser checks: '
        f'<a href="{src}">open it full size</a>.</figcaption></figure>'
    )


def page_list(f: Mapping[str, Any], root: str | None) -> str:
    """The pages a shared problem is on, as links to their report pages (with `root`),
    else to the pages on the site."""
    pages = f["pages"]
    if not pages or (len(pages) == 1 and pages[0] == f["url"]):
        return ""
    items = "".join(
        f'<li><a href="{root}pages/{page_file(p)}">{e(p)}</a></li>'
        if root is not None
        else f"<li>{external_link(p)}</li>"
        for p in pages[:MAX_PAGES_LISTED]
    )
    listing = f'<ul class="page-list">{items}</ul>'
    if len(pages) <= PAGES_SHOWN_OPEN:
        return listing
    more = (
        f'<p class="note">and {len(pages) - MAX_PAGES_LISTED:,} more, in the exports</p>'
        if len(pages) > MAX_PAGES_LISTED
        else ""
    )
    return f"<details><summary>Show {len(pages):,} pages</summary>{listing}{more}</details>"


class KeptText:
    """Findings' escaped messages and "More detail" HTML by rank (`Fragments.text`),
    shared by the fragments of every depth: neither depends on the depth.

    The first DETAIL_KEPT characters are kept in memory; the rest go to an unnamed
    temporary file, where each finding costs 16 bytes of memory (where its text
    lies), so a big site's report builds each finding's HTML once, not once per file
    listing it, and reads it again from the store never, while its memory stays flat.
    A file system that refuses the temporary file just means building it again."""

    def __init__(self) -> None:
        self.by_rank: dict[int, tuple[str, str]] = {}
        self.chars = 0
        self._file: IO[bytes] | None = None
        self._fd = -1
        self._end = 0
        self._at = array("q")
        """By rank: where the finding's text starts in the file, -1 when it is not there."""
        self._sizes = array("I")
        """By rank: the UTF-8 length of its message, then of its "More detail" HTML."""

    def get(self, rank: int) -> tuple[str, str] | None:
        """The finding's text, if kept."""
        known = self.by_rank.get(rank)
        if known is not None or rank >= len(self._at) or self._at[rank] < 0:
            return known
        message, more = self._sizes[2 * rank], self._sizes[2 * rank + 1]
        data = os.pread(self._fd, message + more, self._at[rank])
        return data[:message].decode(), data[message:].decode()

    def __contains__(self, rank: int) -> bool:
        return rank in self.by_rank or (rank < len(self._at) and self._at[rank] >= 0)

    def put(self, rank: int, text: tuple[str, str], shared: bool) -> None:
        """Keep a finding's text: in memory while within budget (or, for a finding on
        several pages, whose HTML around it is kept too), else in the file."""
        if self.chars < DETAIL_KEPT or shared:
            self.by_rank[rank] = text
            self.chars += len(text[0]) + len(text[1])
            return
        if self._fd == -1:
            self._open()
        if self._fd < 0:  # the file system refused it: built again when next needed
            return
        message, more = text[0].encode(), text[1].encode()
        try:
            os.pwrite(self._fd, message + more, self._end)
        except OSError:
            return
        if rank >= len(self._at):
            grow = rank + 1 - len(self._at) + 1024
            self._at.extend(array("q", [-1]) * grow)
            self._sizes.extend(array("I", [0, 0]) * grow)
        self._at[rank] = self._end
        self._sizes[2 * rank], self._sizes[2 * rank + 1] = len(message), len(more)
        self._end += len(message) + len(more)

    def _open(self) -> None:
        try:
            self._file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by `close`
        except OSError:
            self._fd = -2  # not tried again
            return
        self._fd = self._file.fileno()

    def close(self) -> None:
        """Give the temporary file back (it has no name: closing it deletes it)."""
        if self._file is not None:
            self._file.close()
        self._file, self._fd, self._end = None, -1, 0
        self._at, self._sizes = array("q"), array("I")


class Fragments:
    """Builds the HTML of findings for pages at one depth (`root`), remembering that of
    problems shared by several pages."""

    def __init__(
        self, root: str, how_to_fix: Mapping[str, str], kept: KeptText | None = None
    ) -> None:
        self.root = root
        self.how_to_fix = how_to_fix
        self.kept = kept if kept is not None else KeptText()
        self._message: dict[tuple[int, bool], str] = {}
        self._pages: dict[int, str] = {}
        self._items: dict[tuple[int, bool], str] = {}
        self._fix: dict[str, str] = {}
        self._rule_links: dict[str, str] = {}

    def text(self, row: Row) -> tuple[str, str]:
        """The finding's escaped message and its "More detail" disclosure, built once per
        finding: every finding is shown on its rule's page, its site page's and its
        section's, and building the detail three times was a fifth of the HTML report's
        time; with both kept, its text and evidence need not be read from the store again
        either (`unread`). Within DETAIL_KEPT characters they are kept in memory, past it
        (a big site's report) in `KeptText`'s temporary file, so the report's memory
        stops growing with its findings."""
        kept = self.kept
        known = kept.get(row.rank)
        if known is None:
            f = row.f
            known = (e(f["message"]), detail(f))
            kept.put(row.rank, known, row.pages_count > 1)
        return known

    def unread(self, rows: list[Row]) -> list[Row]:
        """The rows whose text is not kept: those `prefetch` must read from the store."""
        kept = self.kept
        return [row for row in rows if row.rank not in kept]

    def message_cell(self, row: Row, screenshots: bool) -> str:
        key = (row.rank, screenshots)
        html = self._message.get(key)
        if html is None:
            f = row.f
            shot = (
                screenshot(row.screenshot, self.root, f["url"])
                if screenshots and row.screenshot
                else ""
            )
            message, more = self.text(row)
            html = f'<td class="message">{message}{more}{shot}</td>'
            if row.pages_count > 1:
                self._message[key] = html
        return html

    def pages_cell(self, row: Row) -> str:
        html = self._pages.get(row.rank)
        if html is None:
            html = (
                f'<td class="pages" data-sort-value="{row.pages_count}">'
                f'<span class="count">{row.pages_count:,}</span>{page_list(row.f, self.root)}</td>'
            )
            if row.pages_count > 1:
                self._pages[row.rank] = html
        return html

    def table_row(
        self,
        row: Row,
        position: int,
        *,
        show_rule: bool = True,
        show_page: bool = True,
        screenshots: bool = False,
    ) -> str:
        """One <tr> of a table of problems (see the findings_table macro for its head).

        `position` (the row's place in its list, from 1) sorts the table back into its
        most-urgent-first order; not the row's rank among all the run's findings, which
        one new finding would change in every table after it."""
        category, severity, priority, status = shown(row.f)
        head, badges = _row_head(category, priority, status, severity)
        tag_new = _NEW_TAG if status == "new" else ""
        cells = [head, f'<td data-sort-value="{position}">{badges}</td>']
        if show_rule:
            cells.append(f"{self.rule_link(row)}{tag_new}</th>")
        cells.append(self.message_cell(row, screenshots))
        if show_page:
            tag = "td" if show_rule else 'th scope="row"'
            shared = (
                '<span class="shared-note">Shared with pages in other sections</span>'
                if row.shared
                else ""
            )
            url = e(where(row.f)[0])
            cells.append(
                f'<{tag} class="url" data-sort-value="{url}">'
                f'<a href="{self.root}pages/{row.page_file}">{url}</a>'
                f"{'' if show_rule else tag_new}{shared}</{tag[:2]}>"
            )
        cells.append(self.pages_cell(row))
        cells.append("</tr>")
        return "".join(cells)

    def rule_link(self, row: Row) -> str:
        """The opening row header of a table row, a link to the row's check (made once a
        check: every row of a check has the same)."""
        html = self._rule_links.get(row.rule_file)
        if html is None:
            html = self._rule_links[row.rule_file] = (
                f'<th scope="row"><a href="{self.root}rules/{e(row.rule_file)}">'
                f"{e(row.rule_title)}</a>"
            )
        return html

    def inventory_rows(self, rows: list[Row]) -> Markup:
        """The <tbody> content of an inventory (see the inventory_table macro): what was
        listed, where, and on how many pages, with no priority, for these are no problems."""
        prefetch(self.unread(rows))
        return Markup(  # noqa: S704 - escaped here
            "".join(
                f'<tr><td class="message">{"".join(self.text(row))}</td>'
                f'<td class="url">{external_link(row.f["url"])}</td>'
                f'<td class="pages" data-sort-value="{row.pages_count}">'
                f'<span class="count">{row.pages_count:,}</span>{page_list(row.f, None)}</td></tr>'
                for row in rows
            )
        )

    def rows(self, rows: list[Row], start: int = 1, **options: bool) -> Markup:
        """The <tbody> content for rows, the first at place `start` of its list."""
        prefetch(self.unread(rows))
        return Markup(  # noqa: S704 - escaped above
            "".join(
                self.table_row(row, position, **options)
                for position, row in enumerate(rows, start=start)
            )
        )

    def how_to_fix_html(self, rule_id: str) -> str:
        html = self._fix.get(rule_id)
        if html is None:
            text = self.how_to_fix.get(rule_id, "")
            html = (
                '<details class="detail"><summary>How to fix it</summary>'
                + "".join(f"<p>{e(p)}</p>" for p in paragraphs(text))
                + "</details>"
                if text
                else ""
            )
            self._fix[rule_id] = html
        return html

    def page_item(self, row: Row, page_url: str) -> str:
        """One problem in the list on a site page's report page (pages/<hash>.html)."""
        f = row.f
        primary = f["url"] == page_url
        key = (row.rank, primary)
        html = self._items.get(key)
        if html is not None:
            return html
        where = "" if primary else f' (reported on <a href="{row.page_file}">{e(f["url"])}</a>)'
        shared = (
            f'<p class="shared-note">The same problem is on {row.pages_count:,} pages: it is '
            "probably in a shared template or menu, so one fix mends them all. "
            f'<a href="{self.root}rules/{e(row.rule_file)}">See the check</a>.</p>'
            if row.pages_count > 1
            else ""
        )
        shot = screenshot(row.screenshot, self.root, f["url"]) if row.screenshot else ""
        message, more = self.text(row)
        html = (
            f'<li><h3><span class="badges">{priority_badge(f["priority"])}</span> '
            f'<a href="{self.root}rules/{e(row.rule_file)}">{e(row.rule_title)}</a>{new_tag(f)}</h3>'
            f"<p>{message}{where}</p>{shared}{self.how_to_fix_html(f['rule'])}"
            f"{more}{shot}</li>"
        )
        if row.pages_count > 1:  # only a shared problem is listed on more than one page
            self._items[key] = html
        return html

    def page_items(self, rows: list[Row], page_url: str) -> Markup:
        """The <ol> items of a site page's problems."""
        prefetch(self.unread(rows))
        return Markup("".join(self.page_item(row, page_url) for row in rows))  # noqa: S704 - escaped above
