"""Scope: which URLs belong to the site, which look endless, which must not be probed."""

from __future__ import annotations

import pytest

from crawler.scope import Scope


@pytest.mark.parametrize(
    ("link", "private"),
    [
        ("http://192.168.1.1/admin", True),
        ("http://10.0.0.5:8080/", True),
        ("http://169.254.169.254/latest/meta-data/", True),
        ("http://127.0.0.1:9200/", True),
        ("http://localhost:3000/", True),
        ("http://[::1]/", True),
        ("https://www.gov.uk/", False),
        ("http://8.8.8.8/", False),
    ],
)
def test_public_site_never_probes_private_addresses(link: str, private: bool) -> None:
    assert Scope("https://www.council.example/").is_private(link) is private


def test_site_on_a_private_address_may_link_to_others() -> None:
    assert not Scope("http://127.0.0.1:8088/").is_private("http://127.0.0.2:8089/")


def test_query_variants_are_capped_and_repeating_paths_are_traps() -> None:
    scope = Scope("https://council.example/", max_url_variants=3)
    verdicts = [scope.trap(f"https://council.example/events?month={m}") for m in range(5)]
    assert verdicts[:3] == [None, None, None]
    assert verdicts[3] is not None
    assert scope.trap("https://council.example/a/b/a/b/a/b/a/b/") is not None
    assert scope.trap("https://council.example/news/2024/03/bins/") is None


def test_include_and_exclude_patterns() -> None:
    scope = Scope("https://council.example/", include=("/services/",), exclude=(r"\?print=",))
    assert scope.wanted("https://council.example/services/bins")
    assert not scope.wanted("https://council.example/news/")
    assert not scope.wanted("https://council.example/services/bins?print=1")
    assert not scope.wanted("https://elsewhere.example/services/")


def test_session_ids_in_urls_are_a_trap_after_the_first_variant() -> None:
    scope = Scope("https://council.example/")
    assert scope.trap("https://council.example/shop;jsessionid=A1") is None
    trap = scope.trap("https://council.example/shop;jsessionid=B2")
    assert trap is not None
    assert "session id" in trap[1]
    assert scope.trap("https://council.example/basket?PHPSESSID=x1&item=3") is None
    assert scope.trap("https://council.example/basket?PHPSESSID=y2&item=3") is not None
    assert scope.trap("https://council.example/basket?item=4") is None  # a real variant


def test_a_parameter_merely_named_like_an_id_is_not_a_session() -> None:
    scope = Scope("https://council.example/")
    assert scope.trap("https://council.example/service?sid=1") is None
    assert scope.trap("https://council.example/service?sid=2") is None
