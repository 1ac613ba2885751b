"""A crawl shared by workers through a real redis-server: every page once, same findings."""

from __future__ import annotations

import json
import pickle
import re
import shutil
import sqlite3
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
import redis

from audits.siteserver import DEMO_ROOT
from tests.kit.cli import assert_one_line_error, run_cli, slow_page, start_cli
from tests.kit.crash import count_rows
from tests.kit.findings import load_findings
from tests.kit.pages import html_page
from tests.kit.processes import kill_and_check_children_go, wait_for
from tests.kit.redis_server import RedisServer, StallingProxy
from tests.kit.siteserver import RequestInfo, Response, SiteServer

ESTATE_PAGES = 150


def council_site(root: Path) -> Path:
    """The demo council site (its seeded defects: redirects, forms, PDFs, soft 404s...)
    plus a generated section of interlinked pages, some with broken links."""
    shutil.copytree(DEMO_ROOT, root)
    for i in range(ESTATE_PAGES):
        links = [f"/estate/{(i * k + 1) % ESTATE_PAGES}/" for k in (1, 3, 7, 11)]
        if i % 10 == 0:
            links.append(f"/estate/missing-{i}/")
        anchors = " ".join(f'<a href="{link}">Estate page {link}</a>' for link in links)
        page = root / "estate" / str(i)
        page.mkdir(parents=True)
        (page / "index.html").write_text(
            f"<!doctype html><html lang='en'><head><title>Estate {i}</title></head><body>"
            f"<main><h1>Council estate {i}</h1><p>Repairs and rent for block {i}.</p>"
            f"<p>{anchors} <a href='/'>Home</a></p></main></body></html>",
            encoding="utf-8",
        )
    home = root / "index.html"
    home.write_text(
        home.read_text(encoding="utf-8").replace(
            "</main>", '<p><a href="/estate/0/">Council estates</a></p></main>'
        ),
        encoding="utf-8",
    )
    return root


def fingerprints(out: Path) -> Counter[str]:
    return Counter(f["fingerprint"] for f in load_findings(out)["findings"])


def page_gets(server: SiteServer) -> Counter[str]:
    """How often each URL was fetched with GET (robots.txt, read by every worker, aside)."""
    return Counter(
        r.target for r in server.requests if r.method == "GET" and r.target != "/robots.txt"
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> SiteServer:
    with SiteServer(council_site(tmp_path_factory.mktemp("site") / "www")) as server:
        yield server


@pytest.fixture(scope="module")
def single(site: SiteServer, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Counter[str]]:
    """The same site audited by one process: what the shared crawls must equal."""
    out = tmp_path_factory.mktemp("single")
    site.requests.clear()
    result = run_cli("audit", f"{site.url}/", "--out", out, "-q")
    assert result.returncode == 0, result.stderr
    return out, page_gets(site)


def pages_per_worker(out: Path) -> list[int]:
    counts = []
    for log in sorted(out.glob("crawl-*.log")):
        found = re.search(r"'siteaudit/pages_html': (\d+)", log.read_text(encoding="utf-8"))
        counts.append(int(found.group(1)) if found else 0)
    return counts


@pytest.mark.slow
@pytest.mark.redis
def test_two_workers_fetch_every_page_once_and_find_what_one_process_finds(
    site: SiteServer, single: tuple[Path, Counter[str]], redis_server: RedisServer, tmp_path: Path
) -> None:
    single_out, single_gets = single
    site.requests.clear()
    result = run_cli(
        "audit",
        f"{site.url}/",
        "--out",
        tmp_path,
        "-q",
        "--redis",
        redis_server.url,
        "--workers",
        "2",
    )
    assert result.returncode == 0, result.stderr
    gets = page_gets(site)
    probes = [url for url in gets if "siteaudit-check-" in url]
    assert len(probes) == 1  # the "not found" probe: asked once, by one worker
    for counts in (gets, single_gets):
        for probe in [url for url in counts if "siteaudit-check-" in url]:
            del counts[probe]
    # Every URL fetched as often as by one process: each page once, and nothing more.
    assert gets == single_gets
    assert gets["/estate/0/"] == 1
    assert fingerprints(tmp_path) == fingerprints(single_out)
    workers = pages_per_worker(tmp_path)
    assert len(workers) == 2 and all(workers), workers  # both took a share
    assert sum(workers) == load_findings(tmp_path)["run"]["pages"]
    assert redis_server.client().keys("siteaudit:*") == []  # the crawl's keys are cleaned up


@pytest.mark.slow
@pytest.mark.redis
def test_a_worker_started_elsewhere_joins_the_crawl(
    site: SiteServer, single: tuple[Path, Counter[str]], redis_server: RedisServer, tmp_path: Path
) -> None:
    single_out, _ = single
    env = {"SITEAUDIT_REDIS": redis_server.url}
    # As on another machine: started first, it waits for a crawl to join.
    joiner = start_cli(
        "worker",
        "--wait",
        "60",
        "--name",
        "elsewhere",
        "--log",
        tmp_path / "crawl-elsewhere.log",
        env=env,
        capture=True,
    )
    try:
        result = run_cli(
            "audit", f"{site.url}/", "--out", tmp_path, "-q", "--workers", "1", env=env
        )
        _, errors = joiner.communicate(timeout=60)
    finally:
        joiner.kill()
    assert result.returncode == 0, result.stderr
    assert joiner.returncode == 0, errors
    assert fingerprints(tmp_path) == fingerprints(single_out)
    # It took part in this crawl (how much it got depends on how fast it started), and
    # the two workers' pages add up to the site's.
    assert "Spider opened" in (tmp_path / "crawl-elsewhere.log").read_text(encoding="utf-8")
    assert sum(pages_per_worker(tmp_path)) == load_findings(tmp_path)["run"]["pages"]


@pytest.mark.slow
@pytest.mark.redis
def test_credentials_and_passwords_never_pass_through_redis(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    password = "redis-pass-7731"  # noqa: S105 (a test fixture's)
    staging = "staging-secret-9904"
    with RedisServer(tmp_path_factory.mktemp("redis-auth"), password=password) as server:
        commands: list[str] = []
        monitor_ready = threading.Event()

        def watch() -> None:
            with server.client().monitor() as monitor:
                monitor_ready.set()
                try:
                    for command in monitor.listen():
                        commands.append(command["command"])
                except redis.ConnectionError:
                    return  # the server stopped at the end of the test

        threading.Thread(target=watch, daemon=True).start()
        assert monitor_ready.wait(60), "the monitor never started"
        with SiteServer(DEMO_ROOT) as site:
            result = run_cli(
                "audit",
                f"{site.url}/",
                "--out",
                tmp_path,
                "-q",
                "--workers",
                "2",
                env={
                    "SITEAUDIT_REDIS": server.url,
                    "SITEAUDIT_AUTH_USER": "editor",
                    "SITEAUDIT_AUTH_PASSWORD": staging,
                },
            )
        assert result.returncode == 0, result.stderr
        # The monitor reads on its own thread: on a busy machine it may lag the crawl.
        seen_crawl = lambda: any("requests" in c for c in commands)  # noqa: E731
        wait_for(seen_crawl, 60, "the monitor never saw the crawl")
    assert not [c for c in commands if staging in c or "Authorization" in c]
    for log in tmp_path.glob("crawl-*.log"):
        text = log.read_text(encoding="utf-8")
        assert password not in text and staging not in text


@pytest.mark.slow
def test_an_unreachable_redis_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = run_cli(
        "audit", "http://127.0.0.1:9/", "--out", tmp_path, "--redis", "redis://:pw@127.0.0.1:9/0"
    )
    line = assert_one_line_error(result, 2)
    assert "cannot use Redis at redis://:***@127.0.0.1:9/0" in line
    assert not (tmp_path / "audit.db").exists()  # no run opened


@pytest.mark.slow
def test_workers_without_redis_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("audit", "http://127.0.0.1:9/", "--out", tmp_path, "--workers", "2")
    assert "--redis" in assert_one_line_error(result, 2)


@pytest.mark.slow
@pytest.mark.redis
def test_a_worker_killed_mid_crawl_is_given_up_and_the_audit_completes(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    # Long enough that a live worker's heartbeat, late on a busy machine, is not taken
    # for a lost worker; the audit waits this long after the kill.
    env = {"SITEAUDIT_REDIS": redis_server.url, "SITEAUDIT_WORKER_TIMEOUT": "8"}
    with SiteServer(routes={"/*": slow_page}) as site:
        doomed = start_cli("worker", "--wait", "60", "--name", "doomed", "-q", env=env)
        audit = start_cli(
            "audit",
            f"{site.url}/",
            "--out",
            tmp_path,
            "-q",
            "--no-browser",
            "--concurrency",
            "2",
            env=env,
            capture=True,
        )
        client = redis_server.client()

        def doomed_at_work() -> bool:
            states = {
                k.decode(): v.decode()
                for job in client.smembers("siteaudit:jobs")
                for k, v in client.hgetall(f"siteaudit:{job.decode()}:state").items()
            }
            return states.get("doomed") == "busy" and len(site.requests) > 20

        wait_for(doomed_at_work, 120, "the worker never got to work")
        doomed.kill()  # kill -9: no goodbye, no last items
        doomed.wait()
        _, errors = audit.communicate(timeout=120)
    assert audit.returncode == 0, errors
    assert "worker doomed stopped answering" in errors
    db = sqlite3.connect(tmp_path / "audit.db")
    (status,) = db.execute("SELECT status FROM runs").fetchone()
    (pages,) = db.execute("SELECT COUNT(*) FROM pages WHERE is_html = 1").fetchone()
    assert status == "finished"
    assert pages == 201  # the home page and its 200 links: what `doomed` held was redone
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def held_site(release: threading.Event) -> dict[str, Callable[[RequestInfo], Response]]:
    """Home links /a, /b and /held; /a and /b each link a child page. /held answers only
    once `release` is set, so whoever fetches it is known to be busy with it."""

    def page(*hrefs: str) -> Callable[[RequestInfo], Response]:
        anchors = "".join(f'<a href="{href}">{href}</a>' for href in hrefs)
        return lambda request: Response.html(f"<html><body><main>{anchors}</main></body></html>")

    def held(request: RequestInfo) -> Response:
        release.wait(120)
        return page("/")(request)

    return {
        "/": page("/a", "/b", "/held"),
        "/a": page("/a/child"),
        "/b": page("/b/child"),
        "/a/child": page("/"),
        "/b/child": page("/"),
        "/held": held,
    }


def audit_losing_a_worker(
    redis_server: RedisServer,
    tmp_path: Path,
    doomed_redis: str,
    site: SiteServer,
    release: threading.Event,
    ready: Callable[[Callable[[str], bool]], bool],
) -> tuple[str, list[str]]:
    """Audit `site` with one worker, `doomed` (reaching Redis at `doomed_redis`), kill -9
    it once `ready(claimed)` holds, let another worker finish; return the audit's stderr
    and the paths of the HTML pages stored. `claimed(path)`: is that URL claimed?"""
    env = {"SITEAUDIT_REDIS": redis_server.url, "SITEAUDIT_WORKER_TIMEOUT": "8"}
    worker = ["worker", "--wait", "60", "-q", "--name"]
    doomed = start_cli(*worker, "doomed", env={**env, "SITEAUDIT_REDIS": doomed_redis})
    # --workers 0: `doomed` crawls alone until it is killed.
    command = ["audit", f"{site.url}/", "--out", tmp_path, "-q", "--no-browser"]
    audit = start_cli(*command, "--workers", "0", env=env, capture=True)
    try:
        client = redis_server.client()

        def claimed(path: str) -> bool:
            jobs = client.smembers("siteaudit:jobs")
            member = f"url:{site.url}{path}"
            return any(client.sismember(f"siteaudit:{j.decode()}:dupefilter", member) for j in jobs)

        wait_for(lambda: ready(claimed), 120, "the worker never got where it is to be killed")
        doomed.kill()  # kill -9: no goodbye, nothing more sent
        doomed.wait()
        release.set()
        rescuer = start_cli(*worker, "rescuer", env=env)
        try:
            _, errors = audit.communicate(timeout=120)
        finally:
            rescuer.kill()
            rescuer.wait()
    finally:
        release.set()
        for process in (doomed, audit):
            process.kill()
    assert audit.returncode == 0, errors
    assert "worker doomed stopped answering" in errors
    db = sqlite3.connect(tmp_path / "audit.db")
    rows = db.execute(
        "SELECT u.url FROM pages p JOIN urls u ON u.id = p.url_id WHERE p.is_html = 1"
    ).fetchall()
    # Stored once: a page stored twice would have its links twice.
    (links,) = db.execute("SELECT COUNT(*) FROM links").fetchone()
    assert links == 3 + 1 + 1 + 1 + 1 + 1
    return errors, sorted(url.removeprefix(site.url) for (url,) in rows)


HELD_SITE_PAGES = ["/", "/a", "/a/child", "/b", "/b/child", "/held"]


@pytest.mark.slow
@pytest.mark.redis
def test_a_worker_killed_with_pages_in_hand_loses_none_and_doubles_none(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    release = threading.Event()
    with SiteServer(routes=held_site(release)) as site:
        # /a and /b are parsed (their links claimed) and /held is being fetched: the
        # worker holds pages it may not have sent, and a request it has not finished.
        def holding(claimed: Callable[[str], bool]) -> bool:
            fetching = "/held" in {r.target for r in site.requests}
            return fetching and claimed("/a/child") and claimed("/b/child")

        _, pages = audit_losing_a_worker(
            redis_server, tmp_path, redis_server.url, site, release, holding
        )
    assert pages == HELD_SITE_PAGES


@pytest.mark.slow
@pytest.mark.redis
def test_a_worker_killed_between_claiming_a_link_and_queueing_it_loses_none(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    release = threading.Event()
    with SiteServer(routes=held_site(release)) as site:
        # `doomed` reaches Redis through a relay that lets its claim of /b/child through
        # and nothing after it: the request for /b/child never reaches the queue.
        relay = StallingProxy(redis_server, f"url:{site.url}/b/child".encode())
        try:
            errors, pages = audit_losing_a_worker(
                redis_server,
                tmp_path,
                relay.url,
                site,
                release,
                lambda claimed: relay.stalled.is_set() and claimed("/b/child"),
            )
        finally:
            relay.close()
    assert pages == HELD_SITE_PAGES
    assert "crawling again" not in errors  # redone within the crawl, not by another round


@pytest.mark.slow
@pytest.mark.redis
def test_local_workers_die_at_once_with_a_coordinator_killed_mid_fetch(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    release = threading.Event()
    config = tmp_path / "siteaudit.toml"
    config.write_text("[crawl]\ntimeout = 120\n")  # a worker stopping politely waits on /held
    env = {"SITEAUDIT_REDIS": redis_server.url}
    options = ["--out", tmp_path / "out", "-q", "--no-browser", "--config", config]
    with SiteServer(routes=held_site(release)) as site:
        coordinator = start_cli("audit", f"{site.url}/", *options, "--workers", "2", env=env)
        try:
            fetched = lambda: "/held" in {r.target for r in site.requests}  # noqa: E731
            wait_for(fetched, 60, "no worker fetched /held")
            kill_and_check_children_go(coordinator, 2)  # its two workers
        finally:
            release.set()
            coordinator.kill()
    # What the next coordinator would clean up once the dead one's sign of life lapses.
    client = redis_server.client()
    for key in client.scan_iter("siteaudit:*"):
        client.delete(key)


def test_queued_requests_are_plain_json_and_pickles_are_refused() -> None:
    from scrapy import Request
    from scrapy.utils.request import request_from_dict

    from crawler.shared_crawl import dumps, loads

    request = Request(
        "https://www.example.gov.uk/bins/",
        headers={"If-None-Match": '"v1"'},
        meta={"siteaudit": "page", "depth": 2, "chain": []},
        priority=-2,
        dont_filter=True,
    )
    data = dumps(request.to_dict())
    assert json.loads(data)["url"] == "https://www.example.gov.uk/bins/"
    again = request_from_dict(loads(data))
    assert (again.url, again.meta, again.priority) == (request.url, request.meta, -2)
    assert again.headers.get("If-None-Match") == b'"v1"'

    class Payload:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (print, ("pickles must never be loaded",))

    with pytest.raises((json.JSONDecodeError, UnicodeDecodeError)):  # refused, never run
        loads(pickle.dumps(Payload()))


@pytest.mark.slow
@pytest.mark.redis
def test_an_incremental_re_audit_shares_its_crawl_and_finds_what_one_process_finds(
    site: SiteServer, single: tuple[Path, Counter[str]], redis_server: RedisServer, tmp_path: Path
) -> None:
    single_out, _ = single
    config = tmp_path / "siteaudit.toml"
    config.write_text(f'[store]\npath = "{tmp_path / "nightly.db"}"\n')
    first = run_cli("audit", f"{site.url}/", "--config", config, "--out", tmp_path / "1", "-q")
    assert first.returncode == 0, first.stderr
    site.requests.clear()
    again = run_cli(
        "audit",
        f"{site.url}/",
        "--config",
        config,
        "--out",
        tmp_path / "2",
        "-q",
        "--incremental",
        "--redis",
        redis_server.url,
        "--workers",
        "2",
    )
    assert again.returncode == 0, again.stderr
    # Each page was asked once whether it changed; none was fetched again in full.
    gets = Counter(r.target for r in site.requests if r.method == "GET")
    assert gets["/estate/7/"] == 1
    db = sqlite3.connect(tmp_path / "nightly.db")
    (stats,) = db.execute("SELECT stats FROM runs WHERE id = 2").fetchone()
    carried = json.loads(stats)
    assert carried["siteaudit/pages_reused"] == carried["siteaudit/pages_html"] > ESTATE_PAGES
    assert fingerprints(tmp_path / "2") == fingerprints(single_out)


@pytest.mark.slow
@pytest.mark.redis
def test_a_shared_crawl_killed_with_its_coordinator_resumes_with_nothing_lost_or_doubled(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    env = {"SITEAUDIT_REDIS": redis_server.url}
    command = ["audit", "--out", tmp_path, "-q", "--no-browser", "--concurrency", "2"]
    with SiteServer(routes={"/*": slow_page}) as site:
        # In a session of its own, so that its workers can be found and left running.
        coordinator = start_cli(*command, f"{site.url}/", "--workers", "2", env=env)
        deadline = time.monotonic() + 60
        db = tmp_path / "audit.db"
        while count_rows(db, "SELECT COUNT(*) FROM pages") <= 30:
            assert time.monotonic() < deadline, "the crawl never got going"
            time.sleep(0.1)
        (old_job,) = redis_server.client().smembers("siteaudit:jobs")
        coordinator.kill()  # kill -9: its workers are orphaned and must stop by themselves
        coordinator.wait()
        orphans = ["pgrep", "-f", f"--job {old_job.decode()}"]
        deadline = time.monotonic() + 20
        while subprocess.run(orphans, capture_output=True).returncode == 0:
            assert time.monotonic() < deadline, "the killed coordinator's workers kept going"
            time.sleep(0.2)
        resumed = run_cli(
            *command,
            f"{site.url}/",
            "--resume",
            "--workers",
            "2",
            env={**env, "SITEAUDIT_WORKER_TIMEOUT": "5"},
        )
    assert resumed.returncode == 0, resumed.stderr
    store = sqlite3.connect(db)
    assert store.execute("SELECT status FROM runs").fetchall() == [("finished",)]
    (pages,) = store.execute("SELECT COUNT(*) FROM pages WHERE is_html = 1").fetchone()
    assert pages == 201  # the home page and its 200 links: none lost
    (doubled,) = store.execute(
        "SELECT COUNT(*) FROM (SELECT url_id FROM pages GROUP BY run_id, url_id HAVING COUNT(*) > 1)"
    ).fetchone()
    assert doubled == 0
    assert store.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    # The resumed crawl cleaned up after itself (the killed one's keys go once its sign of
    # life has lapsed, when the next shared crawl starts).
    assert redis_server.client().smembers("siteaudit:jobs") <= {old_job}


@pytest.mark.slow
@pytest.mark.redis
def test_a_file_later_crawled_as_a_page_is_counted_once_across_workers(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    """/search is a form's target on the home page (checked as a file) and a link on a page
    answered only after that check (crawled as a page): the store keeps one page for it.
    Whichever workers did the two, the run's counts are the store's."""
    checked = threading.Event()

    def search(request: RequestInfo) -> Response:
        if request.method == "HEAD":
            checked.set()
        return html_page("Search")

    def late_page(request: RequestInfo) -> Response:
        assert checked.wait(60), "the form's target was never checked"
        return html_page("Page", "<a href='/search'>Search</a>")

    home = html_page(
        "Home",
        "<form action='/search'><input name='q'></form>"
        + "".join(f"<a href='/p{i}'>Page {i}</a>" for i in range(8))
        + "<img src='/logo.png' alt='Logo'>",
    )
    routes: dict[str, Callable[[RequestInfo], Response]] = {
        "/": lambda request: home,
        "/search": search,
        "/logo.png": lambda request: Response(
            body=b"\x89PNG", headers={"Content-Type": "image/png"}
        ),
    }
    routes.update({f"/p{i}": late_page for i in range(8)})
    with SiteServer(routes=routes) as server:
        origin = server.url
        result = run_cli(
            "audit", f"{server.url}/", "--out", tmp_path, "-q", "--no-browser",
            "--redis", redis_server.url, "--workers", "2",
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    db = sqlite3.connect(tmp_path / "audit.db")
    rows = dict(db.execute("SELECT u.url, p.is_html FROM pages p JOIN urls u ON u.id = p.url_id"))
    assert rows[f"{origin}/search"] == 1
    (raw,) = db.execute("SELECT stats FROM runs").fetchone()
    stats = json.loads(raw)
    assert stats["siteaudit/urls_other"] == sum(1 for is_html in rows.values() if not is_html)
    assert stats["siteaudit/pages_html"] == sum(1 for is_html in rows.values() if is_html)
