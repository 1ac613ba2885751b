"""A failed request in plain words: what went wrong, never an exception name or repr.

Reports show these lines to people, and the rules match on some of their phrases (keep
them in step with rules/site.py's verdicts, TIMED_OUT and ROBOTS_FORBIDDEN, and with
tests/test_hostile_servers.py's PLAIN_FAILURES).
"""

from __future__ import annotations

from collections.abc import Iterator

from scrapy.exceptions import IgnoreRequest
from twisted.python.failure import Failure

from crawler.middlewares import RobotsTxtUnavailable
from rules.site import ROBOTS_FORBIDDEN, TIMED_OUT

# Exception class names (Scrapy's and Twisted's, wrapped ones included) and what they mean
# to a person, most telling first.
_FAILURES = (
    ("ConnectionRefused", "the server refused the connection"),
    ("CannotResolveHost", "host name does not resolve"),
    ("DNSLookup", "host name does not resolve"),
    ("Timeout", TIMED_OUT + " {timeout} s"),
    ("TimedOut", TIMED_OUT + " {timeout} s"),
    ("SSL", "secure connection (TLS) failed"),
    ("TLS", "secure connection (TLS) failed"),
    ("ResponseNeverReceived", "the connection was closed before the page arrived"),
    ("DataLoss", "the connection was closed before the whole page arrived"),
    ("ConnectionLost", "the connection was closed before the whole page arrived"),
    ("ResponseFailed", "the connection was closed before the whole page arrived"),
    ("ConnectionDone", "the connection was closed before the page arrived"),
    ("DownloadCancelled", "download abandoned"),
)


def describe_failure(failure: Failure, timeout: float) -> str:
    """One plain line for a failed request. `timeout` is the configured one, for "no
    answer within N s"."""
    causes = list(_causes(failure.value))
    text = " ".join(str(exc) for exc in causes).lower()
    if "max size" in text or "maxsize" in text:
        # Scrapy says so for large bodies and for decompression bombs alike.
        return "response larger than the download limit"
    if isinstance(causes[0], RobotsTxtUnavailable):
        return str(causes[0])
    if isinstance(causes[0], IgnoreRequest):
        return ROBOTS_FORBIDDEN
    if "content-length" in text or "non-decimal digits" in text:
        return "malformed response (its Content-Length header is invalid)"
    if "invalid response" in text:
        return "malformed response"
    names = [type(exc).__name__ for exc in causes]
    for marker, plain in _FAILURES:
        if any(marker in name for name in names):
            return plain.format(timeout=f"{timeout:g}")
    return "the server gave no usable answer"


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """An exception, what it wraps (`raise ... from`), and the failures a Twisted
    ResponseFailed lists in `reasons`, outermost first."""
    yield exc
    for reason in getattr(exc, "reasons", ()):
        yield from _causes(getattr(reason, "value", reason))
    if exc.__cause__ is not None:
        yield from _causes(exc.__cause__)
