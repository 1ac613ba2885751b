"""Sections of the site, and who owns them: each editor's own view of the report.

`[report.sections]` maps URL prefixes to a team or owner:

```toml
[report.sections]
"/bins/" = "Waste team"
"/recycling/" = "Waste team"
"/council-tax/" = "Revenues team"
"https://forms.example.gov.uk/" = "Digital team"
```

A prefix starting `http://` or `https://` is compared with the whole (normalised) URL,
anything else with the URL's path on any of the site's hosts. The longest matching
prefix wins, and several prefixes may name the same owner: each owner gets one section.

Pages no prefix matches (all of them when no sections are configured) fall into a
section per first path segment: `/bins/collections/` is in `/bins`, the home page in
"Home page", and a page on another of the site's hosts in a section named after that
host.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

HOME_SECTION = "Home page"


@dataclass(frozen=True, slots=True)
class Section:
    """One section: its name (a team, or a path), where its pages are, its file's slug."""

    name: str
    prefixes: tuple[str, ...]
    slug: str
    configured: bool


def slugify(text: str, limit: int = 60) -> str:
    """Lower-case letters, digits and single hyphens, for a file name."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:limit].strip("-")


def default_section(url: str, site_host: str) -> tuple[str, str]:
    """(name, prefix) of the section a page is in when no configured prefix matches."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    if parts.netloc and parts.netloc != site_host:
        return parts.netloc, f"{parts.scheme}://{parts.netloc}/"
    if not segments:
        return HOME_SECTION, "/"
    first = segments[0]
    if len(segments) == 1 and "." in first:
        # /about.html is the about section, like /about/ would be
        first = first.rsplit(".", 1)[0] or first
    return f"/{first}", f"/{first}"


def _matches(prefix: str, url: str, path: str) -> bool:
    whole = prefix.startswith(("http://", "https://"))
    subject = url if whole else path
    # "/bins/" also takes the page "/bins" itself.
    return subject.startswith(prefix) or (prefix.endswith("/") and subject == prefix[:-1])


class Sections:
    """Assigns pages to sections; builds each section once, with a unique slug."""

    def __init__(self, configured: Mapping[str, str], site_host: str) -> None:
        self.site_host = site_host
        # Longest first, so the most specific prefix wins.
        self.prefixes = sorted(configured.items(), key=lambda item: (-len(item[0]), item[0]))
        self._by_name: dict[str, Section] = {}
        self._slugs: set[str] = set()
        self.of = lru_cache(maxsize=None)(self._section_of)

    def _make(self, name: str, prefix: str, configured: bool) -> Section:
        known = self._by_name.get(name)
        if known is not None:
            if prefix not in known.prefixes:
                known = Section(name, (*known.prefixes, prefix), known.slug, known.configured)
                self._by_name[name] = known
            return known
        base = slugify(name) or "section"
        slug = base
        if slug in self._slugs:
            slug = f"{base}-{hashlib.sha1(name.encode()).hexdigest()[:8]}"  # noqa: S324 - a file name
        self._slugs.add(slug)
        section = Section(name, (prefix,), slug, configured)
        self._by_name[name] = section
        return section

    def _section_of(self, url: str) -> str:
        parts = urlsplit(url)
        path = parts.path or "/"
        for prefix, owner in self.prefixes:
            if _matches(prefix, url, path):
                return self._make(owner, prefix, True).name
        name, prefix = default_section(url, self.site_host)
        return self._make(name, prefix, False).name

    def section(self, name: str) -> Section:
        """A section by name (after `of` has assigned some page to it)."""
        return self._by_name[name]

    def all(self) -> list[Section]:
        """Every section pages were assigned to: configured owners first, then by name."""
        return sorted(self._by_name.values(), key=lambda s: (not s.configured, s.name.lower()))
