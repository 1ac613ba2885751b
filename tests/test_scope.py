"""Scope: which URLs belong to the site, which look endless, which must not be probed."""

from __future__ import annotations

from datetime import date

import pytest

from crawler.scope import Scope, path_family


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


def test_query_variants_are_capped_with_the_bare_path_among_them() -> None:
    scope = Scope("https://council.example/", max_url_variants=3)
    assert scope.trap("https://council.example/events") is None
    verdicts = [scope.trap(f"https://council.example/events?month={m}") for m in range(3)]
    assert verdicts[:2] == [None, None]
    assert verdicts[2] is not None
    assert verdicts[2].pattern == "council.example/events?…"


@pytest.mark.parametrize(
    ("path", "family", "run"),
    [
        ("/", "/", 1),
        ("/council-tax/", "/council-tax/", 1),
        ("/cal/2024/05/", "/cal/*/…/", 2),
        ("/news/2024/page-2/", "/news/*/page-*/", 1),
        ("/news/2024/12/bins-collected/", "/news/*/…/bins-collected/", 2),
        ("/events/2024-05-14", "/events/*-*-*", 1),
        ("/guide/part-1/part-1/part-1/part-1/", "/guide/part-*/…/", 4),
        ("/a/b/a/b/a/b/", "/a/b/…/", 6),
        ("/sub/sub/page", "/sub/…/page", 2),
    ],
)
def test_path_family_reads_numbers_and_repeats_as_one_shape(
    path: str, family: str, run: int
) -> None:
    assert path_family(path) == (family, run)


def test_a_family_of_one_shape_is_capped_once_and_other_families_go_on() -> None:
    scope = Scope("https://council.example/", max_family_pages=12)
    months = [f"https://council.example/cal/{2024 + m // 12}/{m % 12 + 1}/" for m in range(13)]
    verdicts = [scope.trap(url) for url in months]
    assert verdicts[:12] == [None] * 12
    assert verdicts[12] is not None
    assert verdicts[12].pattern == "council.example/cal/*/…/"
    assert scope.trap("https://council.example/news/2024/page-2/") is None


def test_a_calendar_running_more_than_five_years_ahead_is_a_trap() -> None:
    scope = Scope("https://council.example/")
    year = date.today().year
    assert scope.trap(f"https://council.example/events/{year + 5}/12/") is None
    assert scope.trap(f"https://council.example/events/{year + 5}-12-31/") is None
    trap = scope.trap(f"https://council.example/events/{year + 6}/01/")
    assert trap is not None
    assert "years ahead" in trap.reason
    assert scope.trap(f"https://council.example/plans/local-plan-{year + 20}/") is None


def test_paths_growing_deeper_are_a_trap_and_a_real_deep_page_is_not() -> None:
    scope = Scope("https://council.example/")
    nested = [f"https://council.example/guide/{'part-1/' * depth}" for depth in range(1, 5)]
    assert [scope.trap(url) for url in nested] == [None] * 4
    deeper = [f"https://council.example/{'next/' * depth}" for depth in range(1, 12)]
    verdicts = [scope.trap(url) for url in deeper]
    assert verdicts[:9] == [None] * 9
    assert verdicts[9] is not None
    assert "one level deeper" in verdicts[9].reason


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
