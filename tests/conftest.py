"""Shared fixtures: local HTTP servers for the demo site and for fixture sites."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from os import PathLike

import pytest

from audits.siteserver import DEMO_ROOT, Route, SiteServer


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
    """The hostile fixture site (tests/sites/hostile.py) and its off-site neighbour, running."""
    from tests.sites.hostile import hostile_site

    with hostile_site() as server:
        yield server


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A redis-server of this test module's own on a loopback port (tests/redisserver.py)."""
    from tests.redisserver import RedisServer

    with RedisServer(tmp_path_factory.mktemp("redis")) as server:
        yield server
