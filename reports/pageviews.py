"""Page views from an analytics export, so priorities follow real traffic.

`[report] page_views = "views.csv"` names a CSV file exported from Google Analytics 4,
Matomo or Plausible (or anything with a page column and a views column). The columns
are recognised by their usual headers, whatever their case, spacing or underscores:

- the page: `Page location`, `Full page URL`, `URL`, `Page URL`, `Page path and screen
  class`, `Page path + query string`, `Page path`, `Page` (GA4 and Universal Analytics),
  `url`, `label` (Matomo), `name`, `page` (Plausible), `path`;
- the views: `Views`, `Screen page views`, `Pageviews`, `Page views`, `nb_hits`,
  `Hits`; when none of those is there, `Unique pageviews`, `nb_visits`, `Visitors`,
  `Visits`, `Sessions`, `Users`, `Active users` or `Total users`.

Lines before the header row (GA4 writes `# ...` comment lines and blank lines there)
are skipped, as are rows without a page or a number, and total rows. Numbers may have
thousands separators (`1,234`).

Matching: absolute URLs are normalised like the crawl's URLs (lower-case host, no
default port, no fragment) and match pages on that host only; a row with a path only
(`/bins/`) matches the path on the audited site's own host. Trailing slashes are
ignored (`/bins` and `/bins/` are one page), and so is the query string unless a row
names that exact query: a page's views are its exact row's, or else the sum of every
row for its path. Views of several rows for one page add up.

Pages the file does not mention count as having no views: export every row, not the
first screenful.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from audits.core.errors import SiteauditError
from rules.urls import normalise

PAGE_HEADERS: tuple[str, ...] = (
    "page location",
    "full page url",
    "page url",
    "url",
    "page path and screen class",
    "page path + query string",
    "page path",
    "page",
    "label",
    "name",
    "path",
)
"""Headers of the page column, most specific first."""
VIEW_HEADERS: tuple[str, ...] = (
    "views",
    "screen page views",
    "screenpageviews",
    "pageviews",
    "page views",
    "nb hits",
    "hits",
)
"""Headers of the page-views column, preferred first."""
FALLBACK_VIEW_HEADERS: tuple[str, ...] = (
    "unique pageviews",
    "unique page views",
    "nb visits",
    "visitors",
    "visits",
    "sessions",
    "users",
    "active users",
    "total users",
)
"""Used only when no column of VIEW_HEADERS is present."""

MAX_HEADER_SEARCH = 50
"""Rows read looking for the header row before giving up."""
_TOTAL_LABELS = frozenset({"total", "totals", "grand total", "(not set)", "(other)"})


class PageViewsError(SiteauditError):
    """The file cannot be used as page views; the message says why."""


def header_key(cell: str) -> str:
    """A header cell compared loosely: lower case, underscores and runs of spaces as one space."""
    return re.sub(r"[\s_]+", " ", cell.replace("\ufeff", "")).strip().lower()


def find_columns(header: Sequence[str]) -> tuple[int, int] | None:
    """(page column, views column) of a header row, or None when it is not one."""
    keys = [header_key(cell) for cell in header]

    def first(names: Iterable[str]) -> int | None:
        for name in names:
            if name in keys:
                return keys.index(name)
        return None

    page = first(PAGE_HEADERS)
    views = first(VIEW_HEADERS)
    if views is None:
        views = first(FALLBACK_VIEW_HEADERS)
    if page is None or views is None or page == views:
        return None
    return page, views


def parse_count(cell: str) -> int | None:
    """'1,234' -> 1234; '1234.0' -> 1234; '' or text -> None."""
    text = cell.strip().replace(",", "").replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    if value != value or value < 0:  # NaN or negative: not a count
        return None
    return int(value)


def read_rows(text: str) -> Iterator[tuple[str, int]]:
    """(page, views) of each usable row of an analytics CSV export."""
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    sample = "\n".join(lines[:MAX_HEADER_SEARCH])
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO("\n".join(lines)), dialect)
    columns = None
    for number, row in enumerate(reader):
        if columns is None:
            columns = find_columns(row)
            if columns is None and number >= MAX_HEADER_SEARCH:
                break
            continue
        page_col, views_col = columns
        if len(row) <= max(page_col, views_col):
            continue
        page = row[page_col].strip()
        views = parse_count(row[views_col])
        if not page or views is None or page.lower() in _TOTAL_LABELS:
            continue
        yield page, views
    if columns is None:
        raise PageViewsError(
            "no header row with a page column (such as 'Page path' or 'URL') and a views "
            "column (such as 'Views' or 'Pageviews') was found"
        )


def path_key(path: str) -> str:
    """A path compared without its trailing slash ('/' stays '/')."""
    path = path or "/"
    return path.rstrip("/") or "/"


@dataclass
class PageViews:
    """Views per page, looked up by crawled (normalised) URL."""

    site_host: str
    """Host of the audited site: path-only rows belong to it."""
    exact: dict[tuple[str, str, str], int] = field(default_factory=dict)
    """(host, path key, query) -> views, for rows naming a query string."""
    by_path: dict[tuple[str, str], int] = field(default_factory=dict)
    """(host, path key) -> views summed over every row of the path."""
    rows: int = 0

    def add(self, page: str, views: int) -> None:
        """Count one row of the export."""
        host, path, query = self.split(page)
        if query:
            key = (host, path, query)
            self.exact[key] = self.exact.get(key, 0) + views
        self.by_path[(host, path)] = self.by_path.get((host, path), 0) + views
        self.rows += 1

    def split(self, page: str) -> tuple[str, str, str]:
        """(host, path key, query) of a row's page or of a crawled URL."""
        page = page.strip()
        if "://" not in page and not page.startswith("/") and "/" in page:
            # Matomo's flat url column and some exports leave out the scheme.
            first = page.split("/", 1)[0]
            if "." in first:
                page = "https://" + page
        if "://" in page:
            try:
                parts = urlsplit(normalise(page))
            except ValueError:
                return ("", "", "")
            return parts.netloc, path_key(parts.path), parts.query
        if not page.startswith("/"):
            page = "/" + page
        parts = urlsplit(page)
        return self.site_host, path_key(parts.path), parts.query

    def views(self, url: str) -> int:
        """Views of a crawled page: its exact query's row, else every row of its path."""
        host, path, query = self.split(url)
        if query:
            exact = self.exact.get((host, path, query))
            if exact is not None:
                return exact
        return self.by_path.get((host, path), 0)

    def total(self, urls: Iterable[str]) -> int:
        """Views summed over distinct pages."""
        return sum(self.views(u) for u in set(urls))


def parse_page_views(text: str, start_url: str) -> PageViews:
    """Page views from the text of an export, for the site at `start_url`."""
    result = PageViews(site_host=urlsplit(normalise(start_url)).netloc)
    for page, views in read_rows(text):
        result.add(page, views)
    return result


def decode(raw: bytes) -> str:
    """Text of an export: UTF-16 when it has that byte-order mark (some Excel saves), else
    UTF-8 (with or without a BOM), else Windows-1252."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def load_page_views(path: str | Path, start_url: str) -> PageViews:
    """Read an analytics export; PageViewsError says what is wrong with an unusable one."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise PageViewsError(f"cannot read page views file {path}: {exc.strerror}") from None
    text = decode(raw)
    try:
        return parse_page_views(text, start_url)
    except PageViewsError as exc:
        raise PageViewsError(f"page views file {path}: {exc}") from None
