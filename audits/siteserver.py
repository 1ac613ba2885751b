"""A small static HTTP server: what `siteaudit demo` runs to serve the bundled demo site.

`StaticSiteServer` serves the files under a root directory from a background thread,
using only the standard library:

- `/dir/` serves `dir/index.html`; `/dir` (no slash) redirects 301 to `/dir/`.
  Directories are never listed.
- A path without an extension that matches nothing is served from `PATH.html` when that
  file exists, so `/search` can be a page without a redirect.
- A missing file answers 404 with the body of `ROOT/404.html`, if there is one.
- Names starting with `.` or `_` are never served (they hold server configuration).
- `robots.txt` and `sitemap*.xml` files are templates: `{origin}` in them becomes the
  server's own origin (`http://127.0.0.1:41234`), since sitemaps need absolute URLs
  and the port is only known once the server is listening.

Redirects come from an optional `ROOT/_redirects` file, one per line::

    # FROM             TO                              [STATUS, default 301]
    /recycling         /bins/recycling/
    /search?q=bins     /bins/                          302
    /old-page          {origin}/new-page
    /gov               https://www.gov.uk/             308

A FROM with a query string matches only that exact query; without one it matches the
path whatever the query.

A site with a `ROOT/_search` file (the demo has one) has a working search, so that the
site search check has something to ask: `/search?q=WORDS` answers with `search.html`
listing, in its `<main>`, the site's pages whose titles hold every word, by path.

The tests' fixture server (tests/kit/siteserver.py) builds on this one, adding routes,
a request log and misbehaviour; they live there because only tests need them.
"""

from __future__ import annotations

import re
import sys
import threading
from dataclasses import dataclass, field
from email.utils import formatdate
from html import escape, unescape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from os import PathLike
from pathlib import Path
from types import TracebackType
from typing import Self
from urllib.parse import parse_qs, unquote, urlsplit

DEMO_ROOT = Path(__file__).resolve().parent / "demo_site"
"""The bundled demo council website served by `siteaudit demo`."""
DEMO_CONFIG = DEMO_ROOT / "_siteaudit.toml"
"""The settings `siteaudit demo` audits the demo with (offline, with its top tasks)."""

# Our own table, not `mimetypes`: that reads /etc/mime.types, which differs by system.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".xml": "application/xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".zip": "application/zip",
    ".gz": "application/gzip",
    ".woff2": "font/woff2",
}
_DEFAULT_TYPE = "application/octet-stream"
_REDIRECTS_FILE = "_redirects"
_SEARCH_FILE = "_search"
_SEARCH_PAGE = "search.html"
_NOT_FOUND_PAGE = "404.html"
_NOT_FOUND_BODY = b"<!DOCTYPE html>\n<title>Not found</title>\n<h1>Not found</h1>\n"
# Bodies sent without a Content-Type of their own (the 404 page) are taken as pages.
_HTML_TYPE = "text/html; charset=utf-8"


@dataclass
class Response:
    """One answer: without a Content-Type in `headers`, a body is sent as UTF-8 HTML."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def redirect(cls, location: str, status: int = 301) -> Response:
        """A redirect to `location`."""
        return cls(status=status, headers={"Location": location})


@dataclass(frozen=True)
class Redirect:
    """One line of a `_redirects` file."""

    path: str
    query: str | None
    """None matches any query string."""
    to: str
    status: int


def parse_redirects(text: str) -> list[Redirect]:
    """Parse `_redirects` text; raises ValueError naming the bad line."""
    redirects = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) not in (2, 3) or (len(parts) == 3 and not parts[2].isdigit()):
            raise ValueError(f"_redirects line {number}: expected 'FROM TO [STATUS]': {raw!r}")
        status = int(parts[2]) if len(parts) == 3 else 301
        if not 300 <= status <= 399:
            raise ValueError(f"_redirects line {number}: {status} is not a redirect status")
        path, sep, query = parts[0].partition("?")
        redirects.append(Redirect(unquote(path), query if sep else None, parts[1], status))
    return redirects


class StaticHandler(BaseHTTPRequestHandler):
    """Answers GET and HEAD from the server's `_redirects` and files."""

    server: _HTTPServer
    # HTTP/1.1 keeps connections alive, as real web servers do; every answer has a length.
    protocol_version = "HTTP/1.1"
    server_version = "SiteServer"
    sys_version = ""

    def do_GET(self) -> None:
        self.respond()

    def do_HEAD(self) -> None:
        self.respond()

    def log_message(self, format: str, *args: object) -> None:
        """Silent: the demo's own output says what is being served."""

    def respond(self) -> None:
        """Answer the request in hand."""
        target = self.path.split("#", 1)[0]
        if target.startswith(("http://", "https://")):
            # Absolute-form request target, as sent to proxies.
            parts = urlsplit(target)
            raw_path, query = parts.path or "/", parts.query
        else:
            raw_path, _, query = target.partition("?")
        if not raw_path.startswith("/"):
            self.send(Response(status=400, body=b"Bad request"))
            return
        self.send(self.answer(raw_path, unquote(raw_path), query))

    def answer(self, raw_path: str, path: str, query: str) -> Response:
        """The answer to a request for `path` (percent-decoded; `raw_path` as sent)."""
        site = self.server.site
        redirect = site.find_redirect(path, query)
        if redirect is not None:
            return Response.redirect(redirect.to.replace("{origin}", site.url), redirect.status)
        words = parse_qs(query).get("q", [""])[0].strip()
        if path == "/search" and words and site.searchable:
            return Response(body=site.search_page(words).encode("utf-8"))
        return self.static_file(raw_path, path, query)

    def static_file(self, raw_path: str, path: str, query: str) -> Response:
        """The file `path` names, a redirect to a directory's slash form, or a 404."""
        site = self.server.site
        file = site.file_for(path)
        if file is not None and file.is_dir():
            if not raw_path.endswith("/"):
                return Response.redirect(raw_path + "/" + (f"?{query}" if query else ""))
            file = file / "index.html"
        if file is None or not file.is_file():
            page = site.file_for("/" + _NOT_FOUND_PAGE)
            body = page.read_bytes() if page is not None and page.is_file() else _NOT_FOUND_BODY
            return Response(status=404, body=body)
        headers = {
            "Content-Type": CONTENT_TYPES.get(file.suffix.lower(), _DEFAULT_TYPE),
            "Last-Modified": formatdate(int(file.stat().st_mtime), usegmt=True),
        }
        body = file.read_bytes()
        if file.name == "robots.txt" or (file.name.startswith("sitemap") and file.suffix == ".xml"):
            body = body.replace(b"{origin}", site.url.encode("ascii"))
        return Response(body=body, headers=headers)

    def send(self, response: Response) -> None:
        """Send the status line and headers, then the body unless the answer has none."""
        self.send_response(response.status)
        names = {name.lower() for name in response.headers}
        if "content-type" not in names and response.body:
            self.send_header("Content-Type", _HTML_TYPE)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if "content-length" not in names and response.status != 304:
            self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        # HEAD, 1xx, 204 and 304 answers have no body.
        if self.command == "HEAD" or response.status in (204, 304) or response.status < 200:
            return
        self.write_body(response)

    def write_body(self, response: Response) -> None:
        """Send the body."""
        self.wfile.write(response.body)


class StaticSiteServer:
    """Serves a directory over HTTP from a background thread.

    Use as a context manager, or call `start()` and `stop()`. `url`, `host` and `port`
    are the address actually listened on, known once started.
    """

    handler: type[StaticHandler] = StaticHandler
    """The request handler class; the tests' fixture server gives its own."""

    def __init__(
        self, root: str | PathLike[str] | None = None, *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.root: Path | None = None
        self._host = host
        self._port = port
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.redirects: list[Redirect] = []
        if root is not None:
            self.serve(root)

    def serve(self, root: str | PathLike[str]) -> None:
        """Serve the files under `root` from now on: the same address, another state of
        the site (`siteaudit demo` shows how its demo site changed over a month)."""
        resolved = Path(root).resolve()
        if not resolved.is_dir():
            raise NotADirectoryError(f"site root {resolved} is not a directory")
        redirects_file = resolved / _REDIRECTS_FILE
        text = redirects_file.read_text(encoding="utf-8") if redirects_file.is_file() else ""
        self.redirects = parse_redirects(text)
        self.root = resolved

    @property
    def searchable(self) -> bool:
        """The site has a search (a `_search` file and a `search.html` to show it in)."""
        return self.root is not None and all(
            (self.root / name).is_file() for name in (_SEARCH_FILE, _SEARCH_PAGE)
        )

    def search_page(self, words: str) -> str:
        """`search.html` with the pages whose titles hold every one of `words` listed."""
        assert self.root is not None
        wanted = re.findall(r"\w+", words.lower())
        found = [
            (path, title)
            for path, title in self._titles()
            if set(wanted) <= set(re.findall(r"\w+", title.lower()))
        ]
        items = "".join(f'<li><a href="{path}">{escape(title)}</a></li>' for path, title in found)
        count = f"{len(found)} result{'s' if len(found) != 1 else ''}" if found else "No results"
        heading = f"<h2>{count} for \u201c{escape(words)}\u201d</h2>"
        listing = f'{heading}<ol class="search-results">{items}</ol>' if found else heading
        page = (self.root / _SEARCH_PAGE).read_text(encoding="utf-8")
        return page.replace("</main>", f"{listing}</main>", 1)

    def _titles(self) -> list[tuple[str, str]]:
        """(path, title) of every page the site serves, by path."""
        assert self.root is not None
        titles = []
        for file in sorted(self.root.rglob("*.html")):
            path = "/" + file.relative_to(self.root).as_posix()
            if self.file_for(path) is None or file.name in (_NOT_FOUND_PAGE, _SEARCH_PAGE):
                continue
            title = re.search(r"<title>(.*?)</title>", file.read_text(encoding="utf-8"), re.S)
            if title:
                titles.append((path.removesuffix("index.html"), unescape(title.group(1).strip())))
        return titles

    @property
    def host(self) -> str:
        """The host name or address listened on."""
        return self._host

    @property
    def port(self) -> int:
        """The port listened on (the free port picked, when created with port 0)."""
        return self._port

    @property
    def url(self) -> str:
        """The origin, without a trailing slash: `http://127.0.0.1:41234`."""
        if self._httpd is None:
            raise RuntimeError("the site server has not been started")
        return f"http://{self._host}:{self._port}"

    def start(self) -> Self:
        """Bind and serve in a daemon thread; returns self."""
        if self._httpd is not None:
            raise RuntimeError("the site server is already running")
        httpd = _HTTPServer((self._host, self._port), self.handler)
        httpd.site = self
        self._port = httpd.server_address[1]
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"SiteServer:{self._port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket. Requests still being answered are abandoned."""
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join()
        self._httpd = None
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def find_redirect(self, path: str, query: str) -> Redirect | None:
        """The first `_redirects` line matching this path and query."""
        for redirect in self.redirects:
            if redirect.path == path and redirect.query in (None, query):
                return redirect
        return None

    def file_for(self, path: str) -> Path | None:
        """The file or directory a decoded URL path names, or None if it must not be served.

        The path is resolved (following `..` and symbolic links) and must stay inside root.
        """
        if self.root is None or "\x00" in path:
            return None
        relative = path.lstrip("/")
        if any(part.startswith((".", "_")) for part in Path(relative).parts):
            return None
        try:
            candidate = (self.root / relative).resolve()
        except (OSError, RuntimeError):
            return None
        if not candidate.is_relative_to(self.root):
            return None
        if not candidate.exists() and candidate.suffix == "" and path and path[-1] != "/":
            page = candidate.with_name(candidate.name + ".html")
            if page.is_file():
                return page
        return candidate

    def show_errors(self, error: BaseException | None) -> bool:
        """Whether a request's failure is worth a traceback on stderr."""
        # Clients hang up mid-answer all the time (timeouts, size limits).
        return not isinstance(error, ConnectionError)


class _HTTPServer(ThreadingHTTPServer):
    # A slow or stuck request must not stop the server from shutting down.
    daemon_threads = True
    site: StaticSiteServer

    def handle_error(self, request: object, client_address: object) -> None:
        if self.site.show_errors(sys.exc_info()[1]):
            super().handle_error(request, client_address)  # type: ignore[arg-type]
