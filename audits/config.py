"""`siteaudit.toml`: parsed into frozen dataclasses, unknown keys rejected by name.

```toml
[crawl]
max_pages = 20000
exclude = ["/search", "\\\\?print="]

[store]
path = "council.db"

[rules.reading-age]
target = 9
```
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, get_type_hints


class ConfigError(Exception):
    """The configuration cannot be used; the message says what to change."""


@dataclass(frozen=True)
class CrawlConfig:
    """How the site is walked."""

    max_pages: int = 50_000
    """Stop after this many in-scope URLs (pages and documents)."""
    max_depth: int = 0
    """Follow links at most this many clicks from the start URL; 0 means no limit."""
    concurrency: int = 8
    """Requests in flight at once to each host."""
    delay: float = 0.0
    """Seconds between requests to one host (robots.txt Crawl-delay wins when longer)."""
    timeout: float = 15.0
    """Seconds to wait for a response."""
    include: tuple[str, ...] = ()
    """Regular expressions: when given, only in-scope URLs matching one are crawled."""
    exclude: tuple[str, ...] = ()
    """Regular expressions: in-scope URLs matching one are not crawled."""
    hosts: tuple[str, ...] = ()
    """Other hosts that are part of the site (the start URL's host always is)."""
    max_url_variants: int = 50
    """Most query-string variants of one path to crawl (stops calendars and the like)."""
    check_external: bool = True
    """Request external link targets for their status (never crawled)."""
    external_concurrency: int = 2
    """Requests in flight at once to each external host: other people's servers."""
    external_delay: float = 0.0
    """Seconds between requests to one external host (their robots.txt Crawl-delay wins)."""
    external_cache_hours: float = 24.0
    """Reuse an external link's OK verdict from an earlier run this recent; 0 re-checks all."""
    retries: int = 2
    """Times a server error (5xx) or rate limit (429) is retried, with growing waits."""
    max_retry_after: float = 30.0
    """Longest Retry-After wait honoured, in seconds; longer asks are treated as refusals."""
    use_sitemaps: bool = True
    """Read robots.txt Sitemap lines and /sitemap.xml to find pages."""
    max_page_bytes: int = 10 * 1024 * 1024
    """Larger responses are abandoned and reported."""
    page_workers: int = -1
    """Processes running the page rules; -1 picks one per spare CPU core, 0 runs them inline."""


@dataclass(frozen=True)
class AuditConfig:
    """Everything one audit needs to know."""

    crawl: CrawlConfig = field(default_factory=CrawlConfig)
    store: str | None = None
    """SQLite file holding every run; defaults to OUT/audit.db."""
    rules: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Raw `[rules.<id>]` sections; checked against each rule's Options when rules load."""
    plugins: bool = True
    """Load third-party rules from the `siteaudit.rules` entry point group."""

    def with_crawl(self, **changes: Any) -> AuditConfig:
        """A copy with some crawl settings replaced (command-line flags)."""
        given = {k: v for k, v in changes.items() if v is not None}
        return dataclasses.replace(self, crawl=dataclasses.replace(self.crawl, **given))


_SECTIONS = {"crawl": CrawlConfig, "store": None, "rules": None, "plugins": None}


def load_config(path: str | os.PathLike[str] | None) -> AuditConfig:
    """Read a TOML config file; None gives the defaults."""
    if path is None:
        return AuditConfig()
    try:
        with open(path, "rb") as f:
            raw = tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    return parse_config(raw, str(path))


def parse_config(raw: Mapping[str, Any], origin: str = "config") -> AuditConfig:
    """Build an AuditConfig from parsed TOML, rejecting unknown keys and wrong types."""
    _reject_unknown(raw, _SECTIONS, origin)
    crawl = build_dataclass(CrawlConfig, raw.get("crawl", {}), f"{origin} [crawl]")
    store = raw.get("store", {})
    if not isinstance(store, Mapping):
        raise ConfigError(f"{origin}: [store] must be a table")
    _reject_unknown(store, {"path": None}, f"{origin} [store]")
    rules = raw.get("rules", {})
    if not isinstance(rules, Mapping) or not all(isinstance(v, Mapping) for v in rules.values()):
        raise ConfigError(f"{origin}: [rules] must hold one [rules.<rule-id>] table per rule")
    plugins = raw.get("plugins", True)
    if not isinstance(plugins, bool):
        raise ConfigError(f"{origin}: plugins must be true or false")
    return AuditConfig(crawl=crawl, store=store.get("path"), rules=rules, plugins=plugins)


def build_dataclass(cls: type, values: Any, where: str) -> Any:
    """Instantiate a frozen dataclass from a TOML table, with errors a person can act on."""
    if not isinstance(values, Mapping):
        raise ConfigError(f"{where} must be a table")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    _reject_unknown(values, fields, where)
    hints = get_type_hints(cls)
    converted = {}
    for key, value in values.items():
        converted[key] = _coerce(value, hints[key], f"{where} {key}")
    try:
        return cls(**converted)
    except (TypeError, ValueError) as exc:  # an Options class rejecting a value
        raise ConfigError(f"{where}: {exc}") from None


def _coerce(value: Any, hint: Any, where: str) -> Any:
    origin = getattr(hint, "__origin__", None)
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise ConfigError(f"{where} must be a list")
        (item_type, *_rest) = hint.__args__
        return tuple(_coerce(v, item_type, where) for v in value)
    expected = {int: (int,), float: (int, float), bool: (bool,), str: (str,)}.get(hint)
    if expected is None:
        return value
    if isinstance(value, bool) and hint is not bool:
        raise ConfigError(f"{where} must be a {hint.__name__}, not true/false")
    if not isinstance(value, expected):
        raise ConfigError(f"{where} must be a {hint.__name__}, got {value!r}")
    return float(value) if hint is float else value


def _reject_unknown(values: Mapping[str, Any], known: Mapping[str, Any], where: str) -> None:
    unknown = sorted(set(values) - set(known))
    if unknown:
        valid = ", ".join(sorted(known)) or "(none)"
        raise ConfigError(f"{where}: unknown key {', '.join(unknown)}; valid keys are: {valid}")
