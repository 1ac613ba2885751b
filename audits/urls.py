"""URL handling shared by the crawler, the rules and the store."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urljoin, urlsplit, urlunsplit

from w3lib.url import safe_url_string

_DEFAULT_PORTS = {"http": 80, "https": 443}

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


def normalise(url: str) -> str:
    """Canonical form used as a URL's identity: no fragment, lower-case host, no default port.

    Query strings keep their order: a site may treat `?a=1&b=2` and `?b=2&a=1` differently.
    """
    parts = urlsplit(safe_url_string(url.strip()))
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if parts.port and parts.port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{parts.port}"
    path = parts.path or "/"
    return urlunsplit((scheme, host, path, parts.query, ""))


def absolute(base: str, href: str) -> tuple[str, str] | None:
    """Resolve `href` against `base`: (normalised URL, fragment), or None for unusable hrefs.

    `mailto:`, `tel:` and other non-web schemes are returned unchanged (they are recorded,
    never requested); `javascript:` and `data:` are dropped.
    """
    href = href.strip()
    if href.startswith("/") and not href.startswith("//"):
        # Menus repeat the same root-relative links on every page: resolve them once per
        # origin rather than once per page.
        scheme, _, rest = base.partition("://")
        base = f"{scheme}://{rest.split('/', 1)[0]}/"
    return _resolve(base, href)


@lru_cache(maxsize=65536)
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
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return normalise(joined), parts.fragment


def host_of(url: str) -> str:
    """Host with port (if not the default), lower-case: the unit of scope and politeness."""
    return urlsplit(url).netloc.lower()


def is_document(url: str) -> bool:
    """True when the URL's extension says it is not an HTML page."""
    path = urlsplit(url).path.lower()
    dot = path.rfind(".")
    return dot > path.rfind("/") and path[dot:] in DOCUMENT_EXTENSIONS
