"""URL handling shared by the crawler, the rules and the store."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urljoin, urlsplit, urlunsplit

from w3lib.url import safe_url_string

_DEFAULT_PORTS = {"http": 80, "https": 443}

# How many entries each per-process cache of link targets, fragments and link names keeps.
# Menus and footers repeat a few hundred targets on every page and the rest are met once
# or twice: over a generated 50,000-page site's 1.28 million root-relative links an LRU
# cache hit 96.0% of look-ups with 1,024 entries and with 65,536, and the bigger one only
# grew the page workers' memory with the site.
SITE_CACHE_SIZE = 4096
_NO_HOST = "the address has no host name (such as www.example.gov.uk)"
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
# "http:" or "https:" not followed by exactly two slashes and a host.
_LOOSE_WEB_SCHEME = re.compile(r"https?:(?!//[^/\\])", re.IGNORECASE)

# Extensions of targets that are never HTML pages: requested for their status only.
DOCUMENT_EXTENSIONS = frozenset(
    [
        ".pdf",
        ".doc",
        ".docx",
        ".xls",
        ".xlsx",
        ".ppt",
        ".pptx",
        ".odt",
        ".ods",
        ".odp",
        ".rtf",
        ".csv",
        ".txt",
        ".zip",
        ".gz",
        ".xml",
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".svg",
        ".webp",
        ".ico",
        ".bmp",
        ".tif",
        ".tiff",
        ".mp3",
        ".mp4",
        ".m4a",
        ".wav",
        ".ogg",
        ".webm",
        ".mov",
        ".avi",
        ".css",
        ".js",
        ".json",
        ".woff",
        ".woff2",
        ".ttf",
        ".eot",
    ]
)


class MalformedUrl(ValueError):
    """A link address that no browser can follow; the message says why, in plain words."""


def normalise(url: str) -> str:
    """Canonical form used as a URL's identity: no fragment, lower-case host, no default port.

    Query strings keep their order: a site may treat `?a=1&b=2` and `?b=2&a=1` differently.
    Raises MalformedUrl when the address has no usable host or port.
    """
    try:
        parts = urlsplit(safe_url_string(url.strip()))
        port = parts.port
    except ValueError as exc:
        raise MalformedUrl(_host_or_port_problem(url)) from exc
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"  # an IPv6 address keeps its brackets
    # Port 0 is kept: dropping it would make the link look like one to the default port.
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    path = parts.path or "/"
    return urlunsplit((scheme, host, path, parts.query, ""))


def absolute(base: str, href: str) -> tuple[str, str] | None:
    """Resolve `href` against `base`: (normalised URL, fragment), or None for unusable hrefs
    (malformed ones included: `resolve` says what is wrong with those)."""
    try:
        return resolve(base, href)
    except MalformedUrl:
        return None


def resolve(base: str, href: str) -> tuple[str, str] | None:
    """Resolve `href` against `base` as a browser does: (normalised URL, fragment), or None.

    `mailto:`, `tel:` and other non-web schemes are returned unchanged (they are recorded,
    never requested); `javascript:` and `data:` are dropped. Raises MalformedUrl for a web
    address that browsers reject (no host, a bad port, a host with forbidden characters).
    """
    href = href.strip()
    if href[:1] == "/" and href[1:2] != "/" and "\\" not in href:
        # Menus repeat the same root-relative links on every page: resolve them once per
        # origin rather than once per page. (Browsers read them as written.)
        return _resolve(_origin(base), href)
    href = _as_browsers_read(base, href)
    if href.startswith("#") and href.isprintable():
        # A page's own sections ("#how-to-apply"): its address with another fragment, so
        # the address is resolved once per page, not once per section. (Tabs and line
        # breaks, which urlsplit drops from a fragment too, take the long way, and so does
        # a malformed base, whose problem is told from the href.)
        try:
            page = _resolve(base, "#")
        except MalformedUrl:
            return _resolve(base, href)
        return None if page is None else (page[0], href[1:])
    if href.startswith("/") and not href.startswith("//"):
        base = _origin(base)  # a backslashed one, read as browsers read it
    return _resolve(base, href)


@lru_cache(maxsize=1024)
def _origin(base: str) -> str:
    """The root of `base` ("https://host:port/"), which a root-relative link resolves from."""
    scheme, _, rest = base.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}/"


def _as_browsers_read(base: str, href: str) -> str:
    """`href` rewritten so that urljoin reads it as the WHATWG URL standard does on an http
    or https page: backslashes are slashes, any number of slashes may lead to the host, and
    `http:x` is relative only on an http page."""
    if "\\" not in href and not href.startswith("///") and not _LOOSE_WEB_SCHEME.match(href):
        return href  # nearly every link: urljoin reads it as browsers do
    base_scheme = base.split(":", 1)[0].lower()
    match = _SCHEME.match(href)
    if base_scheme not in _DEFAULT_PORTS or (match and match[1].lower() not in _DEFAULT_PORTS):
        return href  # mailto:, tel: and the like are read as written
    scheme = match[1].lower() if match else ""
    rest = _slashes(href[match.end() :] if match else href)
    if not rest.startswith("//") and scheme in ("", base_scheme):
        return rest or href  # relative to the page ("http:" alone is the page itself)
    authority = rest.lstrip("/")
    if authority[:1] in ("", "?", "#"):
        raise MalformedUrl(_NO_HOST)
    return f"{scheme or base_scheme}://{authority}"


def _slashes(href: str) -> str:
    """Backslashes before the query or fragment read as slashes (browsers do so)."""
    if "\\" not in href:
        return href
    end = min((i for i in (href.find("?"), href.find("#")) if i >= 0), default=len(href))
    return href[:end].replace("\\", "/") + href[end:]


# Characters a host name may not contain: the WHATWG URL standard's forbidden host code
# points that can still be in a host once the address is split.
_FORBIDDEN_IN_HOST = frozenset(' <>^|\\"[]')


@lru_cache(maxsize=SITE_CACHE_SIZE)
def _resolve(base: str, href: str) -> tuple[str, str] | None:
    if not href:
        return None
    scheme = href.split(":", 1)[0].lower() if ":" in href else ""
    if scheme in ("javascript", "data", "blob", "about"):
        return None
    if scheme in ("mailto", "tel", "sms"):
        return href, ""
    try:
        joined = urljoin(base, href)
        parts = urlsplit(joined)
    except ValueError as exc:
        raise MalformedUrl(_host_or_port_problem(href)) from exc
    if parts.scheme not in ("http", "https"):
        return None
    if not parts.hostname:
        raise MalformedUrl(_NO_HOST)
    if _FORBIDDEN_IN_HOST.intersection(parts.hostname):
        raise MalformedUrl(f"the host name “{parts.hostname}” has characters no host name can have")
    url = normalise(joined)
    if parts.port == 0:
        raise MalformedUrl("port 0 is not a port browsers will connect to")
    return url, parts.fragment


def _host_or_port_problem(url: str) -> str:
    """Plain words for an address urlsplit rejects: a bad port or a broken host."""
    authority = re.split(r"[/?#]", url.partition("://")[2], maxsplit=1)[0]
    host_port = authority.rpartition("@")[2]
    _, colon, port = host_port.rpartition(":")
    if "[" in host_port or "]" in host_port or not (colon and port):
        return "the host name is not valid (check its brackets and punctuation)"
    if not port.isdigit():
        return f"the port “{port}” is not a number"
    return f"the port number {int(port)} is out of range (ports go from 1 to 65535)"


def host_of(url: str) -> str:
    """Host with port (if not the default), lower-case: the unit of scope and politeness."""
    return urlsplit(url).netloc.lower()


def is_document(url: str) -> bool:
    """True when the URL's extension says it is not an HTML page."""
    path = urlsplit(url).path.lower()
    dot = path.rfind(".")
    return dot > path.rfind("/") and path[dot:] in DOCUMENT_EXTENSIONS
