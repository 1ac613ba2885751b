"""Staging credentials in the browser stage: Chromium sends them to the credential hosts only.

`Network.setExtraHTTPHeaders` would add them to every request the page makes, to any
origin: a script, an image or an iframe from another host would receive the password.
Instead, Chromium pauses each request to a credential host's origin (DevTools `Fetch`
domain, one URL pattern per origin) and this module lets it go on with the credential
headers added, after asking `CredentialScope.headers_for` (the crawler's own answer) about
its URL. A request to any other origin matches no pattern: it is never paused and never
sees them. Cookies travel as a `Cookie` header the same way rather than through the
browser's cookie jar, which would send them to every port of the host.

Selenium's `execute_cdp_cmd` cannot receive the `Fetch.requestPaused` events, so this opens
a DevTools session of its own to the browser's tab (through the debugging address that
chromedriver reports) and answers them on a thread. If that thread stops, requests to the
credential hosts wait until the page timeout: the page is reported as not loaded, and
nothing is sent anywhere without its credentials' host being checked.
"""

from __future__ import annotations

import itertools
import json
import threading
import urllib.request
from typing import Any

from audits.core.credentials import CredentialScope


class CredentialsUnavailable(Exception):
    """The DevTools session that adds the credentials could not be opened."""


class BrowserCredentials:
    """Adds staging credentials to one Chromium tab's requests to the credential hosts."""

    def __init__(self, debugger_address: str, credentials: CredentialScope, timeout: float) -> None:
        import websocket

        self.credentials = credentials
        self._ids = itertools.count(1)
        self._socket: Any = None
        try:
            self._socket = websocket.create_connection(
                _tab_socket_url(debugger_address, timeout),
                timeout=timeout,
                # Chromium refuses DevTools connections with an Origin it was not told of.
                suppress_origin=True,
            )
            self._call("Fetch.enable", {"patterns": origin_patterns(credentials)})
        except (OSError, ValueError, websocket.WebSocketException) as exc:
            self.close()
            raise CredentialsUnavailable(f"no DevTools session ({exc})") from None
        except CredentialsUnavailable:
            self.close()
            raise
        # Answers come as fast as Chromium asks: a wait would hold up the page, not time out.
        self._socket.settimeout(None)
        self._thread = threading.Thread(target=self._serve, name="browser-credentials", daemon=True)
        self._thread.start()

    def _call(self, method: str, params: dict[str, Any]) -> None:
        """Send a command and wait for its answer (only before the thread starts)."""
        command_id = next(self._ids)
        self._socket.send(json.dumps({"id": command_id, "method": method, "params": params}))
        while True:
            answer = json.loads(self._socket.recv())
            if answer.get("id") == command_id:
                if "error" in answer:
                    raise CredentialsUnavailable(f"{method}: {answer['error'].get('message')}")
                return

    def _serve(self) -> None:
        """Let each paused request go on, with the credentials its URL gets."""
        import websocket

        try:
            while True:
                message = json.loads(self._socket.recv())
                if message.get("method") == "Fetch.requestPaused":
                    self._socket.send(json.dumps(self._continue(message["params"])))
        except (OSError, ValueError, websocket.WebSocketException):
            return  # the tab or the browser closed

    def _continue(self, paused: dict[str, Any]) -> dict[str, Any]:
        request = paused["request"]
        params: dict[str, Any] = {"requestId": paused["requestId"]}
        added = self.credentials.headers_for(request["url"])
        if added:  # the pattern matched; the URL is checked again all the same
            names = {name.lower() for name in added}
            headers = {
                name: value
                for name, value in request.get("headers", {}).items()
                if name.lower() not in names
            }
            headers.update(added)
            params["headers"] = [{"name": n, "value": v} for n, v in headers.items()]
        return {"id": next(self._ids), "method": "Fetch.continueRequest", "params": params}

    def close(self) -> None:
        """End the session; the thread ends with it."""
        if self._socket is not None:
            self._socket.close()


def origin_patterns(credentials: CredentialScope) -> list[dict[str, str]]:
    """A Fetch request pattern for each credential host and scheme.

    The host is followed by `/`, so `staging.example.org` matches neither
    `staging.example.org.evil.test` nor `staging.example.org:8443`.
    """
    return [
        {"urlPattern": f"{scheme}://{host}/*", "requestStage": "Request"}
        for host in sorted(credentials.hosts)
        for scheme in sorted(credentials.schemes)
    ]


def _tab_socket_url(debugger_address: str, timeout: float) -> str:
    """The DevTools WebSocket address of the browser's one tab."""
    with urllib.request.urlopen(f"http://{debugger_address}/json/list", timeout=timeout) as answer:
        targets = json.load(answer)
    pages = [t["webSocketDebuggerUrl"] for t in targets if t.get("type") == "page"]
    if len(pages) != 1:
        raise OSError(f"expected one tab, found {len(pages)}")
    return pages[0]
