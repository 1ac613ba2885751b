"""The fixture-site server: the package's static server plus what only tests need.

`SiteServer` serves a directory the way `siteaudit demo` does (audits/siteserver.py: files,
`_redirects`, the 404 page, `{origin}` in robots.txt and sitemaps) and adds:

- `routes`: each key is an exact path, or a prefix when it ends with `*`; each value takes
  a `RequestInfo` and returns a `Response`. Routes are tried first, then `_redirects`,
  then files.
- `requests`: every request received, in order, for tests that count what was fetched.
- Misbehaviour on purpose: a `Response` can wait before answering (`delay`) or hang up
  part-way through its body (`drop_after`).
- Conditional requests: an unchanged file answers 304 to `If-Modified-Since`, as the
  incremental audit expects of a real server; a POST to a file answers 405.
"""

from __future__ import annotations

import dataclasses
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler
from os import PathLike
from typing import NamedTuple

from audits import siteserver
from audits.siteserver import StaticHandler, StaticSiteServer


@dataclass(frozen=True)
class RequestInfo:
    """What a route handler is told about a request."""

    method: str
    path: str
    """Percent-decoded path, without the query string."""
    query: str
    """The raw query string, without the `?`; '' when there is none."""
    headers: Mapping[str, str]
    """Request headers, names lower-cased."""
    origin: str
    """This server's origin, e.g. `http://127.0.0.1:41234`, for building absolute URLs."""
    body: bytes = b""


@dataclass
class Response(siteserver.Response):
    """What a route handler answers. `delay` and `drop_after` simulate misbehaving servers.

    Content-Length is always the full body length, even when `drop_after` cuts the body
    short, so the client sees a truncated response rather than a short one.
    """

    delay: float = 0.0
    """Seconds to wait before answering."""
    drop_after: int | None = None
    """Send only this many body bytes, then close the connection."""

    @classmethod
    def html(cls, text: str, status: int = 200, *, charset: str = "utf-8") -> Response:
        """An HTML page, encoded and labelled with `charset`."""
        return cls(
            status=status,
            body=text.encode(charset),
            headers={"Content-Type": f"text/html; charset={charset}"},
        )


Route = Callable[[RequestInfo], Response]


class Request(NamedTuple):
    """One request the server received."""

    method: str
    target: str
    """Path and query string exactly as sent, e.g. `/events?month=2025-01`."""


class _FixtureHandler(StaticHandler):
    """Logs every request, then answers from the routes, else as the static server does."""

    body = b""

    def setup(self) -> None:
        super().setup()
        self.site.connected()

    def do_POST(self) -> None:
        self.respond()

    def log_message(self, format: str, *args: object) -> None:
        if self.site.verbose:
            BaseHTTPRequestHandler.log_message(self, format, *args)

    @property
    def site(self) -> SiteServer:
        site = self.server.site
        assert isinstance(site, SiteServer)
        return site

    def respond(self) -> None:
        self.site.record(self.command, self.path)
        try:
            self.read_and_respond()
        finally:
            self.site.answered()

    def read_and_respond(self) -> None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self.send(Response(status=400, body=b"Bad Content-Length"))
            return
        # Read any body even when unused, or it would be taken as the next request.
        self.body = self.rfile.read(length) if length > 0 else b""
        super().respond()

    def answer(self, raw_path: str, path: str, query: str) -> siteserver.Response:
        route = self.site.find_route(path)
        if route is None:
            return super().answer(raw_path, path, query)
        info = RequestInfo(
            method=self.command,
            path=path,
            query=query,
            headers={name.lower(): value for name, value in self.headers.items()},
            origin=self.site.url,
            body=self.body,
        )
        try:
            return route(info)
        except Exception:
            # A failing route is a bug in a test: the client only sees a 500, so say why.
            traceback.print_exc()
            return Response(status=500, body=b"Route failed")

    def static_file(self, raw_path: str, path: str, query: str) -> siteserver.Response:
        response = super().static_file(raw_path, path, query)
        if response.status != 200:
            return response
        if self.command == "POST":
            return Response(status=405, body=b"Method not allowed", headers={"Allow": "GET, HEAD"})
        since = self.headers.get("If-Modified-Since")
        if since and _not_modified_since(response.headers["Last-Modified"], since):
            return dataclasses.replace(response, status=304, body=b"")
        return response

    def send(self, response: siteserver.Response) -> None:
        if isinstance(response, Response) and response.delay > 0:
            time.sleep(response.delay)
        super().send(response)

    def write_body(self, response: siteserver.Response) -> None:
        if isinstance(response, Response) and response.drop_after is not None:
            self.wfile.write(response.body[: response.drop_after])
            self.close_connection = True
            return
        super().write_body(response)


class SiteServer(StaticSiteServer):
    """Serves a directory and/or routes over HTTP from a background thread, logging every
    request. Use as a context manager, or call `start()` and `stop()`."""

    handler = _FixtureHandler

    def __init__(
        self,
        root: str | PathLike[str] | None = None,
        *,
        routes: Mapping[str, Route] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        verbose: bool = False,
    ) -> None:
        super().__init__(root, host=host, port=port)
        self.routes = dict(routes or {})
        self.verbose = verbose
        self.requests: list[Request] = []
        """Every request received, in order; appended to under a lock."""
        self.connections = 0
        """How many connections clients opened."""
        self.in_flight = 0
        self.most_in_flight = 0
        """The most requests being answered at once."""
        self._lock = threading.Lock()

    def connected(self) -> None:
        """Count a new connection."""
        with self._lock:
            self.connections += 1

    def record(self, method: str, target: str) -> None:
        """Add a request to the log."""
        with self._lock:
            self.requests.append(Request(method, target))
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)

    def answered(self) -> None:
        """A request has had its answer."""
        with self._lock:
            self.in_flight -= 1

    def find_route(self, path: str) -> Route | None:
        """The route for `path`: an exact key, else the longest matching `*` prefix."""
        if path in self.routes:
            return self.routes[path]
        prefixes = [key for key in self.routes if key.endswith("*") and path.startswith(key[:-1])]
        return self.routes[max(prefixes, key=len)] if prefixes else None

    def show_errors(self, error: BaseException | None) -> bool:
        return self.verbose or super().show_errors(error)


def _not_modified_since(last_modified: str, header: str) -> bool:
    try:
        since = parsedate_to_datetime(header).timestamp()
    except (TypeError, ValueError):
        return False
    return parsedate_to_datetime(last_modified).timestamp() <= since
