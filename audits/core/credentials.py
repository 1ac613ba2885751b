"""Staging credentials: read from the environment or a file, never from the command line
(which other users of the machine can read in the process list).

    SITEAUDIT_AUTH_USER / SITEAUDIT_AUTH_PASSWORD   HTTP basic auth
    SITEAUDIT_AUTH_HEADERS                          "Name: value" lines
    SITEAUDIT_AUTH_COOKIES                          "name=value; other=value"
    SITEAUDIT_AUTH_HOSTS                            the hosts to send them to
    SITEAUDIT_AUTH_FILE                             a TOML file with user, password,
                                                    hosts, [headers] and [cookies]

They go only to the credential hosts (`CredentialScope`): the start URL's host and
`[crawl] hosts`, or exactly the hosts listed in SITEAUDIT_AUTH_HOSTS (or the file's
`hosts`) when there is such a list. That set is fixed when the audit starts: the crawl's
scope may grow (the start URL redirects to another host) but the credentials' never does.
The crawler, the incremental re-audit's conditional requests and the browser all ask
`CredentialScope.headers_for`. Nothing here is ever logged, stored or written into a
report: `repr()` shows only what kinds are set.
"""

from __future__ import annotations

import base64
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from audits.core.config import ConfigError
from rules.urls import host_of

# host[:port] as URLs write it: a name, an IPv4 address or a bracketed IPv6 address.
_HOST = re.compile(r"(?:\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)(?::(\d{1,5}))?")


@dataclass(frozen=True, repr=False)
class Credentials:
    """What to send to the site's own hosts with every request."""

    user: str = ""
    password: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    cookies: Mapping[str, str] = field(default_factory=dict)
    hosts: tuple[str, ...] = ()
    """The hosts named in the auth settings; none means the site's own (CredentialScope)."""

    def __bool__(self) -> bool:
        return bool(self.user or self.headers or self.cookies)

    def __repr__(self) -> str:
        kinds = [
            k
            for k, v in (
                ("basic auth", self.user),
                ("headers", self.headers),
                ("cookies", self.cookies),
            )
            if v
        ]
        return f"Credentials({', '.join(kinds) or 'none'}; values hidden)"

    def request_headers(self) -> dict[str, str]:
        """The headers that carry these credentials."""
        headers = dict(self.headers)
        if self.user:
            token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers


@dataclass(frozen=True, repr=False)
class CredentialScope:
    """The credentials and the hosts they go to, fixed when the audit starts.

    The one answer to "does this request get the staging credentials?", for the crawler,
    the conditional requests of an incremental re-audit and the browser alike.
    """

    credentials: Credentials
    hosts: frozenset[str]
    schemes: frozenset[str] = frozenset({"http", "https"})
    """Only https when the start URL is: a password never crosses the network in clear
    because a page linked to the http:// address of the same host."""

    @classmethod
    def for_site(
        cls, credentials: Credentials, start_url: str, crawl_hosts: Iterable[str] = ()
    ) -> CredentialScope:
        """The hosts named in the auth settings, else the start URL's host and `[crawl]
        hosts`. Never the host a redirect leads to: that needs naming."""
        hosts = credentials.hosts or (host_of(start_url), *crawl_hosts)
        schemes = {"https"} if start_url.lower().startswith("https://") else {"http", "https"}
        return cls(credentials, frozenset(host.lower() for host in hosts), frozenset(schemes))

    def __bool__(self) -> bool:
        return bool(self.credentials)

    def __repr__(self) -> str:
        return f"CredentialScope({self.credentials!r} for {', '.join(sorted(self.hosts))})"

    def covers(self, url: str) -> bool:
        """True when a request for `url` gets the credentials (a URL on one of the hosts,
        the port included, in one of the schemes)."""
        scheme = url.split(":", 1)[0].lower()
        return scheme in self.schemes and host_of(url) in self.hosts

    def headers_for(self, url: str) -> dict[str, str]:
        """The credential headers to send with a request for `url`: none off the hosts."""
        return self.credentials.request_headers() if self.covers(url) else {}

    def header_names(self) -> tuple[str, ...]:
        """The headers that carry the credentials: to be taken off any other request."""
        return tuple(self.credentials.request_headers())


def from_environment(env: Mapping[str, str] | None = None) -> Credentials:
    """Credentials from SITEAUDIT_AUTH_* variables (a file named there is read too)."""
    env = os.environ if env is None else env
    file_values: dict[str, object] = {}
    if env.get("SITEAUDIT_AUTH_FILE"):
        file_values = _read_file(env["SITEAUDIT_AUTH_FILE"])
    headers = dict(_table(file_values.get("headers"), "headers"))
    headers.update(_header_lines(env.get("SITEAUDIT_AUTH_HEADERS", "")))
    cookies = dict(_table(file_values.get("cookies"), "cookies"))
    cookies.update(_cookie_pairs(env.get("SITEAUDIT_AUTH_COOKIES", "")))
    return Credentials(
        user=env.get("SITEAUDIT_AUTH_USER") or str(file_values.get("user", "")),
        password=env.get("SITEAUDIT_AUTH_PASSWORD") or str(file_values.get("password", "")),
        headers=headers,
        cookies=cookies,
        hosts=_hosts(env, file_values),
    )


def _read_file(path: str) -> dict[str, object]:
    try:
        with open(path, "rb") as f:
            values = tomllib.load(f)
    except OSError as exc:
        raise ConfigError(f"SITEAUDIT_AUTH_FILE {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError:
        # The parser's message may quote the file, and the file holds secrets.
        raise ConfigError(f"SITEAUDIT_AUTH_FILE {path} is not valid TOML") from None
    unknown = sorted(set(values) - {"user", "password", "hosts", "headers", "cookies"})
    if unknown:
        raise ConfigError(
            f"SITEAUDIT_AUTH_FILE {path}: unknown key {', '.join(unknown)}; "
            "valid keys are: cookies, headers, hosts, password, user"
        )
    return values


def _hosts(env: Mapping[str, str], file_values: Mapping[str, object]) -> tuple[str, ...]:
    """SITEAUDIT_AUTH_HOSTS (comma or space separated), else the file's `hosts` list."""
    if env.get("SITEAUDIT_AUTH_HOSTS", "").strip():
        setting, text = "SITEAUDIT_AUTH_HOSTS", env["SITEAUDIT_AUTH_HOSTS"]
        entries = [entry for entry in re.split(r"[\s,]+", text) if entry]
    elif "hosts" in file_values:
        setting, listed = "SITEAUDIT_AUTH_FILE: hosts", file_values["hosts"]
        if not isinstance(listed, list) or not all(isinstance(h, str) for h in listed):
            raise ConfigError(f'{setting} must be a list of host names, like ["{_EXAMPLE}"]')
        entries = listed
    else:
        return ()
    if not entries:
        raise ConfigError(f"{setting} names no host; leave it out to use the site's own hosts")
    return tuple(_host(entry, setting) for entry in entries)


_EXAMPLE = "staging.example.gov.uk"


def _host(entry: str, setting: str) -> str:
    host = entry.strip().lower()
    m = _HOST.fullmatch(host)
    if m is None or (m.group(1) is not None and not 0 < int(m.group(1)) < 65536):
        # An address with a user name may hold a password: never echo it.
        shown = repr(entry) if "@" not in entry else "an entry with a user name"
        raise ConfigError(
            f"{setting}: {shown} is not a host[:port] (write {_EXAMPLE} "
            f"or {_EXAMPLE}:8443, without a scheme or path)"
        )
    return host


def _table(value: object, name: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"SITEAUDIT_AUTH_FILE: [{name}] must be a table of names and values")
    return {str(k): str(v) for k, v in value.items()}


def _header_lines(text: str) -> dict[str, str]:
    headers = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        name, sep, value = line.partition(":")
        if not sep or not name.strip():
            raise ConfigError("SITEAUDIT_AUTH_HEADERS must hold 'Name: value' lines")
        headers[name.strip()] = value.strip()
    return headers


def _cookie_pairs(text: str) -> dict[str, str]:
    cookies = {}
    for pair in text.split(";"):
        if not pair.strip():
            continue
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ConfigError("SITEAUDIT_AUTH_COOKIES must hold 'name=value' pairs")
        cookies[name.strip()] = value.strip()
    return cookies
