"""An unseen, hostile council website: "Eastmere District Council" (fictional).

Static pages live in `tests/sites/hostile/` (old-style markup: `<div id="content">`, no
`<main>`); the traps below are routes. A well-behaved crawl of `hostile_site()` must:

- never request anything under `DISALLOWED_PREFIX` (robots.txt), although the home page
  links to `DISALLOWED_PAGE`;
- stop following the endless calendar at `CALENDAR_PATH?month=YYYY-MM`, whose every month
  links to the month before and after, for ever;
- follow `OFFSITE_REDIRECT` only far enough to learn its status: it redirects to
  `OFFSITE_LANDING` on another host (`server.offsite`), whose page links to more off-site
  pages (`OFFSITE_LINKED`) that must never be requested;
- survive `BIG_PAGE` (`BIG_PAGE_BYTES` of HTML), `BINARY_AS_HTML` (PNG-like bytes labelled
  text/html) and `MALFORMED_PAGE` (unclosed tags, stray end tags, broken attributes),
  still finding `MALFORMED_ONLY_LINK`, which only the malformed page links to;
- decode `WINDOWS_1252_PAGE` (declared windows-1252 in the header and a meta tag) so its
  text contains `WINDOWS_1252_TEXT`;
- crawl the `NORMAL_PAGES` as usual.

robots.txt gives its Sitemap line as a relative URL (`/sitemap.xml`), against the sitemaps
protocol but seen on real sites.
"""

from __future__ import annotations

import random
import re
from functools import cache
from pathlib import Path

from tests.kit.siteserver import RequestInfo, Response, SiteServer

ROOT = Path(__file__).resolve().parents[1] / "sites" / "hostile"

DISALLOWED_PREFIX = "/private/"
DISALLOWED_PAGE = "/private/staff-directory.html"

CALENDAR_PATH = "/events/calendar"
CALENDAR_START = "2025-06"
"""The month the site links to; the calendar answers for any month of any year."""

OFFSITE_HOST = "127.0.0.2"
OFFSITE_REDIRECT = "/old-page"
OFFSITE_LANDING = "/landing"
OFFSITE_LINKED = ("/landing/things-to-do", "/landing/where-to-stay")

BIG_PAGE = "/reports/annual-report-full"
BIG_PAGE_BYTES = 6 * 1024 * 1024

BINARY_AS_HTML = "/downloads/leaflet"

MALFORMED_PAGE = "/consultations.html"
MALFORMED_ONLY_LINK = "/planning.html"

WINDOWS_1252_PAGE = "/council-tax/charges"
WINDOWS_1252_TEXT = "Band D: £2,143.18"

NORMAL_PAGES = (
    "/",
    "/index.html",
    "/about.html",
    "/bins.html",
    "/council-tax.html",
    "/housing.html",
    "/parking.html",
    "/libraries.html",
    "/contact.html",
    "/events/",
    "/news/",
    "/news/bin-strike.html",
    "/news/new-leisure-centre.html",
    "/planning.html",
)

_MONTH = re.compile(r"^month=(\d{4})-(0[1-9]|1[0-2])$")
_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class HostileSite(SiteServer):
    """The hostile site plus its off-site neighbour, started and stopped together."""

    def __init__(self) -> None:
        super().__init__(
            ROOT,
            routes={
                CALENDAR_PATH: calendar,
                OFFSITE_REDIRECT: self._to_offsite,
                BIG_PAGE: big_page,
                BINARY_AS_HTML: binary_as_html,
                WINDOWS_1252_PAGE: windows_1252_page,
            },
        )
        self.offsite = offsite_server(OFFSITE_HOST)

    def start(self) -> HostileSite:
        """Start the off-site server, then this one."""
        try:
            self.offsite.start()
        except OSError:
            # Only Linux routes all of 127/8 to loopback; another port is another origin too.
            self.offsite = offsite_server("127.0.0.1")
            self.offsite.start()
        super().start()
        return self

    def stop(self) -> None:
        """Stop both servers."""
        super().stop()
        self.offsite.stop()

    def _to_offsite(self, request: RequestInfo) -> Response:
        return Response.redirect(self.offsite.url + OFFSITE_LANDING)


def hostile_site() -> HostileSite:
    """The hostile site, not started: use `with hostile_site() as server:`."""
    return HostileSite()


def offsite_server(host: str = OFFSITE_HOST) -> SiteServer:
    """Another organisation's site: every path answers a page linking to more of its pages."""
    links = "".join(f'<li><a href="{path}">{path}</a></li>' for path in OFFSITE_LINKED)
    page = _html("Visit Eastmere", f"<h1>Visit Eastmere</h1><ul>{links}</ul>")
    return SiteServer(routes={"/*": lambda request: Response.html(page)}, host=host)


def calendar(request: RequestInfo) -> Response:
    """One month of events, linking to the months either side; any valid month exists."""
    match = _MONTH.match(request.query or f"month={CALENDAR_START}")
    if match is None:
        return Response.html(_html("Not found", "<h1>No such month</h1>"), status=404)
    year, month = int(match[1]), int(match[2])
    before = f"{year - (month == 1)}-{(month - 2) % 12 + 1:02d}"
    after = f"{year + (month == 12)}-{month % 12 + 1:02d}"
    title = f"Events in {_MONTH_NAMES[month - 1]} {year}"
    body = (
        f"<h1>{title}</h1>"
        "<p>Farmers' market, Quay Street, first Saturday of the month, 9am to 1pm.</p>"
        f'<p><a href="{CALENDAR_PATH}?month={before}">Previous month</a> | '
        f'<a href="{CALENDAR_PATH}?month={after}">Next month</a></p>'
        '<p><a href="/events/">All events</a></p>'
    )
    return Response.html(_html(title, body))


def big_page(request: RequestInfo) -> Response:
    """The full annual report as one enormous page."""
    return Response(body=_big_page_body())


@cache
def _big_page_body() -> bytes:
    head, tail = _html("Annual report 2024 to 2025", "\x00").encode().split(b"\x00")
    parts, size, n = [head], len(head) + len(tail), 1
    while True:
        paragraph = (
            f"<p>Section {n}. The council continued to deliver its statutory services across "
            "the district, with collection rates, planning decisions and housing allocations "
            "reported to the Overview and Scrutiny Committee each quarter.</p>\n"
        ).encode()
        if size + len(paragraph) > BIG_PAGE_BYTES:
            break
        parts.append(paragraph)
        size += len(paragraph)
        n += 1
    # Whitespace makes up the difference, so the page is exactly BIG_PAGE_BYTES long.
    parts += [b"\n" * (BIG_PAGE_BYTES - size), tail]
    return b"".join(parts)


def binary_as_html(request: RequestInfo) -> Response:
    """A PNG-like binary file that the server wrongly labels as an HTML page."""
    noise = random.Random(1252).randbytes(20_000)
    return Response(body=b"\x89PNG\r\n\x1a\n" + noise, headers={"Content-Type": "text/html"})


def windows_1252_page(request: RequestInfo) -> Response:
    """Band charges in windows-1252: pound signs and curly quotes are single bytes."""
    body = (
        "<h1>Council tax charges 2025 to 2026</h1>"
        # Curly quotes and an en dash: single bytes in windows-1252, undefined in latin-1.
        "<p>\u201cCharges for each band\u201d \u2013 including the parish precept.</p>"
        f"<ul><li>Band A: £1,428.79</li><li>{WINDOWS_1252_TEXT}</li><li>Band H: £4,286.36</li></ul>"
        '<p><a href="/council-tax.html">Back to council tax</a></p>'
    )
    page = _html("Council tax charges", body, charset="windows-1252")
    return Response.html(page, charset="windows-1252")


def _html(title: str, body: str, *, charset: str = "utf-8") -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="{charset}">\n'
        f"<title>{title} | Eastmere District Council</title>\n</head>\n"
        f'<body>\n<div id="content">\n{body}\n</div>\n</body>\n</html>\n'
    )
