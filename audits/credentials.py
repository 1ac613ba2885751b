"""Staging credentials: read from the environment or a file, never from the command line
(which other users of the machine can read in the process list).

    SITEAUDIT_AUTH_USER / SITEAUDIT_AUTH_PASSWORD   HTTP basic auth
    SITEAUDIT_AUTH_HEADERS                          "Name: value" lines
    SITEAUDIT_AUTH_COOKIES                          "name=value; other=value"
    SITEAUDIT_AUTH_FILE                             a TOML file with user, password,
                                                    [headers] and [cookies]

They are sent only to the site's own hosts (see crawler.middlewares), and nothing here
is ever logged, stored or written into a report: `repr()` shows only what kinds are set.
"""

from __future__ import annotations

import base64
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field

from audits.config import ConfigError


@dataclass(frozen=True, repr=False)
class Credentials:
    """What to send to the site's own hosts with every request."""

    user: str = ""
    password: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    cookies: Mapping[str, str] = field(default_factory=dict)

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
    unknown = sorted(set(values) - {"user", "password", "headers", "cookies"})
    if unknown:
        raise ConfigError(
            f"SITEAUDIT_AUTH_FILE {path}: unknown key {', '.join(unknown)}; "
            "valid keys are: cookies, headers, password, user"
        )
    return values


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
