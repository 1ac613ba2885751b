"""URL resolution as browsers do it (the WHATWG URL standard) and URL identity."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.urls import MalformedUrl, _as_browsers_read, _resolve, normalise, resolve

PAGE = "http://council.example/bins/collections.html"


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("/council-tax/", "http://council.example/council-tax/"),
        ("pay", "http://council.example/bins/pay"),
        ("HTTP://Council.Example:80/a#top", "http://council.example/a"),
        ("https://council.example:443/", "https://council.example/"),
        ("https://council.example:8443/", "https://council.example:8443/"),
        ("//other.example/x", "http://other.example/x"),
        # Any number of slashes leads to the host; backslashes are slashes.
        ("http:///other.example/x", "http://other.example/x"),
        ("https:///other.example/", "https://other.example/"),
        ("///other.example/x", "http://other.example/x"),
        ("\\\\server\\share", "http://server/share"),
        ("/\\server/x", "http://server/x"),
        ("a\\b?q=c\\d", "http://council.example/bins/a/b?q=c%5Cd"),
        # On an http page "http:" without slashes is relative; another scheme is not.
        ("http:/www.example.com/", "http://council.example/www.example.com/"),
        ("http:www.example.com/", "http://council.example/bins/www.example.com/"),
        ("https:other.example/x", "https://other.example/x"),
        ("http://[2001:db8::1]:8080/s", "http://[2001:db8::1]:8080/s"),
        ("mailto:bins@council.example", "mailto:bins@council.example"),
    ],
)
def test_links_resolve_where_browsers_go(href: str, expected: str) -> None:
    resolved = resolve(PAGE, href)
    assert resolved is not None
    assert resolved[0] == expected


def _the_long_way(base: str, href: str) -> tuple[str, str] | None:
    """resolve() without its short cuts: every href read as browsers read it, then joined."""
    href = _as_browsers_read(base, href.strip())
    if href.startswith("/") and not href.startswith("//"):
        scheme, _, rest = base.partition("://")
        base = f"{scheme}://{rest.split('/', 1)[0]}/"
    return _resolve(base, href)


@given(
    base=st.sampled_from(
        [
            PAGE,
            "http://council.example",
            "https://c.example:8443/a;p?q=1#top",
            "mailto:x@y.z",
            "http://host:99999/",
            "http://[::1/",
            "",
        ]
    ),
    start=st.sampled_from(["#", "/", " /", "//", "/\\", "\\", "", "http:", "HTTP:/"]),
    rest=st.text() | st.sampled_from(["a://host:abc/", "a b", "x\ty", "%41", "a#b", "é", "x?y#z"]),
)
def test_short_cuts_go_where_the_long_way_goes(base: str, start: str, rest: str) -> None:
    # resolve() takes short cuts for "#section" (the page's own address, resolved once)
    # and "/path" (resolved from the origin, as read).
    href = start + rest
    try:
        expected = _the_long_way(base, href)
    except MalformedUrl as exc:
        with pytest.raises(MalformedUrl, match=re.escape(str(exc))):
            resolve(base, href)
    else:
        assert resolve(base, href) == expected


@pytest.mark.parametrize("href", ["javascript:void(0)", "data:text/plain,x", "", "ftp://x/y"])
def test_unusable_hrefs_resolve_to_nothing(href: str) -> None:
    assert resolve(PAGE, href) is None


@pytest.mark.parametrize(
    ("href", "problem"),
    [
        ("http://host:99999/", "the port number 99999 is out of range"),
        ("http://host:abc/", "the port “abc” is not a number"),
        ("http://host:0/", "port 0 is not a port browsers will connect to"),
        ("http://", "the address has no host name"),
        ("http:///", "the address has no host name"),
        ("//////", "the address has no host name"),  # linkinator's "malformed" fixture
        ("https://?q=1", "the address has no host name"),
        ("http://localhost]", "the host name is not valid"),
        ("http://[::1/", "the host name is not valid"),
        ("http://exa mple.com/", "the host name “exa mple.com” has characters"),
    ],
)
def test_malformed_links_say_what_is_wrong(href: str, problem: str) -> None:
    with pytest.raises(MalformedUrl) as raised:
        resolve(PAGE, href)
    assert str(raised.value).startswith(problem)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://host:0/", "http://host:0/"),
        ("http://host:80/", "http://host/"),
        ("http://[::1]:8080/", "http://[::1]:8080/"),
        ("HTTPS://Host/a?b=1&a=2#f", "https://host/a?b=1&a=2"),
    ],
)
def test_normalised_identity_keeps_every_port_but_the_default(url: str, expected: str) -> None:
    assert normalise(url) == expected


def test_normalise_reports_a_bad_port_in_plain_words() -> None:
    with pytest.raises(MalformedUrl, match="port number 99999 is out of range"):
        normalise("http://host:99999/")
