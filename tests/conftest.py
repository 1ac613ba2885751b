"""Shared fixtures: local HTTP servers for the demo site and for fixture sites; and the
check that a test running a crawl in a subprocess is marked `slow`."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from os import PathLike

import pytest

from audits.siteserver import DEMO_ROOT
from tests.kit import cli
from tests.kit.siteserver import Route, SiteServer


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Tell the CLI runner which test runs (before its fixtures, which may crawl too), so
    that it fails a crawl in a test not marked `slow` (tests/kit/cli.py)."""
    cli.running_test = item


def pytest_runtest_logfinish() -> None:
    cli.running_test = None
    cli.stop_leftovers()


@pytest.fixture(scope="session")
def demo_site() -> Iterator[SiteServer]:
    """The bundled demo council site, served once for the whole test session."""
    with SiteServer(DEMO_ROOT) as server:
        yield server


@pytest.fixture
def serve() -> Iterator[Callable[..., SiteServer]]:
    """Start a SiteServer on a free port for a directory and/or routes; stopped afterwards."""
    started: list[SiteServer] = []

    def start(
        root: str | PathLike[str] | None = None,
        routes: Mapping[str, Route] | None = None,
        **options: object,
    ) -> SiteServer:
        server = SiteServer(root, routes=routes, **options).start()  # type: ignore[arg-type]
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def hostile() -> Iterator[SiteServer]:
    """The hostile fixture site (tests/kit/hostile_site.py) and its off-site neighbour, running."""
    from tests.kit.hostile_site import hostile_site

    with hostile_site() as server:
        yield server


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A redis-server of this test module's own on a loopback port (tests/kit/redis_server.py)."""
    from tests.kit.redis_server import RedisServer

    with RedisServer(tmp_path_factory.mktemp("redis")) as server:
        yield server
