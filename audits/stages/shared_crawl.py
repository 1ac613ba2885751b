"""Audits whose crawl is shared by several workers through Redis (scrapy-redis).

`siteaudit audit URL --redis redis://HOST:PORT/DB --workers N` is the coordinator. It
publishes the crawl (start URL, crawl settings, rule options) in Redis, starts N local
workers, and then collects: it is the only process writing the store, from the items the
workers push. `siteaudit worker --redis ...` on other machines joins the crawl under way.
When the crawl is over the coordinator runs the browser stage, the site rules and the
reports once, as for a crawl in one process (audits.engine).

The crawl is over when the shared queue is empty and every worker is idle: a worker is
marked busy in the same atomic step that pops a request (crawler.shared_crawl), and idle only
when it has nothing in flight and has pushed its items, so one consistent read of the
queue, the items list and the workers' states decides it. A worker that stops beating
(killed, its machine gone) is marked lost rather than waited for, and the requests it
popped and had not finished (its items unsent) go back on the queue in the same atomic
step, for the others to crawl. Workers stop by themselves when the coordinator is gone.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from audits import __version__
from audits.core.children import preexec_exit_with_parent
from audits.core.config import AuditConfig, parse_config
from audits.core.errors import REDIS_ENV, SharedCrawlError
from audits.stages.crawl import crawl as run_crawl
from audits.store import Store
from crawler.pipelines import ItemCounts, write_items
from crawler.shared_crawl import (
    BUSY,
    CLOSED,
    IDLE,
    JOBS,
    LOST,
    REQUEUE,
    JobKeys,
    decode_item,
    requeue_keys,
)

_ITEMS_PER_READ = 500
COORDINATOR_PID_ENV = "SITEAUDIT_COORDINATOR_PID"
"""Set for the workers a coordinator starts on its own machine: they stop as soon as it
is gone, rather than when its sign of life lapses."""

COORDINATOR_TTL = 15
"""Seconds the coordinator's sign of life lasts without renewal: workers stop, and the
next coordinator cleans up, once it has lapsed."""

LOST_AFTER_ENV = "SITEAUDIT_WORKER_TIMEOUT"
"""Seconds a worker may stay silent before it is taken for dead (default 30)."""
# How long the coordinator waits for workers to close once the crawl is over.
_CLOSE_WAIT = 60.0
_PROGRESS_EVERY = 5.0


SUMMED_STATS = (
    "downloader/request_count",
    "downloader/response_count",
    "siteaudit/pages_html",
    "siteaudit/urls_other",
    "siteaudit/findings",
    "robotstxt/forbidden",
)

ITEM_STATS = ("siteaudit/pages_html", "siteaudit/urls_other", "siteaudit/findings")
"""The counts of what the store keeps: taken from the items the coordinator stores, not
added up from the workers' own. A URL checked as a file by one worker and crawled as a
page by another is one page in the store, and each worker counts only what it saw."""


class _Tally:
    """Counts kept as Scrapy's stats collector keeps them, for `ItemCounts`."""

    def __init__(self) -> None:
        self.values: Counter[str] = Counter()

    def inc_value(self, key: str, count: int = 1) -> None:
        self.values[key] += count


def redacted(url: str) -> str:
    """A Redis URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def connect(url: str) -> Any:
    """A client for the Redis at `url`, checked with a PING; SharedCrawlError if not."""
    import redis

    if urlsplit(url).scheme not in ("redis", "rediss", "unix"):
        raise SharedCrawlError(
            f"--redis takes a redis://HOST:PORT/DB address, not {redacted(url)!r}"
        )
    try:
        server = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30)
        server.ping()
    except redis.AuthenticationError:
        raise SharedCrawlError(f"Redis at {redacted(url)} refused the password") from None
    except (redis.RedisError, ValueError, OSError) as exc:
        raise SharedCrawlError(f"cannot use Redis at {redacted(url)}: {exc}") from None
    return server


def crawl_spec(
    start_url: str, config: AuditConfig, known_external: dict[str, Any]
) -> dict[str, Any]:
    """What a worker needs to know: the start URL and the settings that shape the crawl
    and the page rules (never credentials: each worker reads its own environment)."""
    import dataclasses

    return {
        "version": __version__,
        "start_url": start_url,
        "config": {
            "crawl": dataclasses.asdict(config.crawl),
            "content": dataclasses.asdict(config.content),
            "rules": {k: dict(v) for k, v in config.rules.items()},
            "plugins": config.plugins,
        },
        "known_external": known_external,
    }


def crawl(
    start_url: str,
    config: AuditConfig,
    store_path: Path,
    run_id: int,
    *,
    redis_url: str,
    workers: int,
    progress: bool,
    log_dir: Path,
    resume: bool = False,
) -> dict[str, Any]:
    """Run a crawl shared through Redis with `workers` local workers (more may join from
    other machines), collect what they find into the store, and return merged stats.

    With `resume` the crawl carries on from what the store holds for the run (an
    interrupted run, or the pages an incremental re-audit carried over): those URLs are
    claimed in Redis for every worker, and the worker that starts the crawl follows the
    frontier instead of the start URL.

    A lost worker's unfinished requests go back on the queue within the round, and the
    links it had claimed and not queued are released, to be claimed again when the pages
    linking there are crawled again. Only the start is not redone so: when the worker
    that queued the start (or a frontier carried on from the store) was lost before
    queueing it all, and the store shows links not followed, another round carries on
    from the store."""
    options = {"redis_url": redis_url, "workers": workers, "progress": progress}
    stats = _crawl_round(start_url, config, store_path, run_id, log_dir, resume, **options)
    for _ in range(_MOP_UP_ROUNDS):
        lost = stats.get("shared_crawl/lost_workers")
        if not lost or stats["finish_reason"] != "finished":
            break
        if not _unfinished(store_path, run_id):
            break
        print("siteaudit: crawling again what the lost workers had in hand", file=sys.stderr)
        again = _crawl_round(start_url, config, store_path, run_id, log_dir, True, **options)
        for key in (*SUMMED_STATS, "elapsed_time_seconds"):
            if key in again:
                stats[key] = stats.get(key, 0) + again[key]
        stats["finish_reason"] = again["finish_reason"]
        stats["shared_crawl/lost_workers"] = again.get("shared_crawl/lost_workers", 0) + lost
        if not again.get("shared_crawl/lost_workers"):
            break
    return stats


_MOP_UP_ROUNDS = 3


def _unfinished(store_path: Path, run_id: int) -> bool:
    """True while links from the run's stored pages lead to targets it has not recorded."""
    from audits.stages.resume import resume_state

    store = Store(str(store_path))
    try:
        _, frontier, sitemap = resume_state(store, run_id)
    finally:
        store.close()
    return bool(frontier or sitemap)


def _crawl_round(
    start_url: str,
    config: AuditConfig,
    store_path: Path,
    run_id: int,
    log_dir: Path,
    resume: bool,
    *,
    redis_url: str,
    workers: int,
    progress: bool,
) -> dict[str, Any]:
    """One shared crawl: a job in Redis, from the start URL or carrying on."""
    from audits.stages.resume import resume_state
    from crawler.frontier import SharedFrontier
    from crawler.scope import Scope

    server = connect(redis_url)
    _delete_abandoned_jobs(server)
    keys = JobKeys(secrets.token_hex(6))
    store = Store(str(store_path))
    try:
        known: dict[str, Any] = {}
        crawl_config = config.crawl
        if crawl_config.check_external and crawl_config.external_cache_hours > 0:
            known = store.recent_external_verdicts(start_url, crawl_config.external_cache_hours)
        spec = crawl_spec(start_url, config, known)
        if resume:
            done, frontier, sitemap = resume_state(store, run_id)
            scope = Scope(start_url, hosts=crawl_config.hosts)
            in_scope = sum(1 for url in done if scope.is_internal(url))
            SharedFrontier(server, keys).restore(done, in_scope)
            spec["carried_on"] = {"frontier": frontier, "sitemap": sitemap}
    finally:
        store.close()
    server.set(keys.coordinator, os.getpid(), ex=COORDINATOR_TTL)
    server.set(keys.spec, json.dumps(spec))
    server.sadd(JOBS, keys.job)
    began = time.monotonic()
    local = [
        _start_local_worker(redis_url, keys, f"local-{i + 1}", workers, log_dir)
        for i in range(workers)
    ]
    collector = _Collector(server, keys, store_path, run_id, local, progress)
    try:
        reason = collector.run()
    except KeyboardInterrupt:
        server.set(keys.done, "shutdown")
        collector.finish()
        reason = "shutdown"
    finally:
        for process in local:
            if process.poll() is None:
                process.terminate()
        for process in local:
            process.wait()
        _delete_job(server, keys)
    stats: dict[str, Any] = dict(collector.stats)
    stats["finish_reason"] = reason
    stats["elapsed_time_seconds"] = time.monotonic() - began
    stats["shared_crawl/workers"] = len(collector.states)
    if collector.lost:
        stats["shared_crawl/lost_workers"] = len(collector.lost)
    return stats


def _start_local_worker(
    redis_url: str, keys: JobKeys, name: str, workers: int, log_dir: Path
) -> subprocess.Popen[bytes]:
    """A `siteaudit worker` process on this machine (Redis's address goes in the
    environment, not on the command line)."""
    # The machine's cores are shared out between the workers' page-rule processes.
    page_workers = max(0, (os.cpu_count() or 1) // workers)
    command = [
        sys.executable,
        "-m",
        "audits.cli",
        "worker",
        "--job",
        keys.job,
        "--name",
        name,
        "--page-workers",
        str(page_workers if page_workers > 1 else 0),
        "--log",
        str(log_dir / f"crawl-{name}.log"),
        "--quiet",
    ]
    env = {**os.environ, REDIS_ENV: redis_url, COORDINATOR_PID_ENV: str(os.getpid())}
    # Killed with the coordinator (kill -9 included): a worker stopping by itself would
    # first wait for its requests in flight. Started from the coordinator's main thread,
    # which lives as long as the workers should (see audits.core.children).
    return subprocess.Popen(
        command, env=env, stdin=subprocess.DEVNULL, preexec_fn=preexec_exit_with_parent()
    )


class _Collector:
    """The coordinator's loop: store the workers' items, watch their states, decide when
    the crawl is over."""

    def __init__(
        self,
        server: Any,
        keys: JobKeys,
        store_path: Path,
        run_id: int,
        local: list[subprocess.Popen[bytes]],
        progress: bool,
    ) -> None:
        self.server = server
        self.keys = keys
        self.store_path = store_path
        self.run_id = run_id
        self.local = local
        self.progress = progress
        self.states: dict[str, str] = {}
        self.lost: set[str] = set()
        self.counts: Counter[str] = Counter()
        self.tally = _Tally()
        self.item_counts = ItemCounts(self.tally, any_order=True)  # type: ignore[arg-type]
        self.stats: dict[str, Any] = {}
        self.began = time.monotonic()
        self.last_progress = self.began
        self.lost_after = _seconds(os.environ.get(LOST_AFTER_ENV, ""), 30.0)
        self._requeue = server.register_script(REQUEUE)
        self.renewed = time.monotonic()

    def run(self) -> str:
        """Collect until the crawl is over and every worker has closed."""
        store = Store(str(self.store_path))
        try:
            while not self._over():
                if not self._drain(store):
                    time.sleep(0.05)
                self._report()
                self._renew()
            return self._wind_up(store)
        finally:
            store.close()

    def _renew(self) -> None:
        """Tell the workers the coordinator is alive (they stop when it is gone)."""
        now = time.monotonic()
        if now - self.renewed > COORDINATOR_TTL / 3:
            self.server.set(self.keys.coordinator, os.getpid(), ex=COORDINATOR_TTL)
            self.renewed = now

    def finish(self) -> None:
        """After an interruption: keep what the workers send while they close."""
        store = Store(str(self.store_path))
        try:
            self._wind_up(store)
        finally:
            store.close()

    def _drain(self, store: Store) -> int:
        """Store the next batch of items; how many there were."""
        lines = self.server.lpop(self.keys.items, _ITEMS_PER_READ)
        if not lines:
            return 0
        items = [decode_item(line) for line in lines]
        write_items(store, self.run_id, items)
        for item in items:
            self.counts[type(item).__name__] += 1
            self.item_counts.count(item)
        return len(items)

    def _over(self) -> bool:
        """One consistent look at the queue, the items and the workers: is all done?"""
        keys = self.keys
        pipe = self.server.pipeline(transaction=True)
        pipe.exists(keys.seed)
        pipe.zcard(keys.requests)
        pipe.llen(keys.items)
        pipe.hgetall(keys.state)
        pipe.hgetall(keys.beats)
        seeded, queued, items, states, beats = pipe.execute()
        self.states = {k.decode(): v.decode() for k, v in states.items()}
        if self._notice_lost(beats):
            return False  # its requests are back on the queue: look again
        working = [name for name, state in self.states.items() if state == BUSY]
        if not seeded or queued or items or working:
            if not self.states and self.local and all(p.poll() is not None for p in self.local):
                raise SharedCrawlError("every local worker stopped before joining the crawl")
            return False
        self.server.set(keys.done, "finished")
        return True

    def _notice_lost(self, beats: dict[bytes, bytes]) -> bool:
        """Mark the workers silent for too long lost, their pending requests back on the
        queue; True if there were any."""
        now = time.time()
        found = False
        for name, state in self.states.items():
            if state in (CLOSED, LOST):
                continue
            beat = float(beats.get(name.encode(), b"0"))
            if now - beat > self.lost_after:
                self._requeue(keys=requeue_keys(self.keys, name), args=[name])
                self.states[name] = LOST
                self.lost.add(name)
                print(
                    f"siteaudit: worker {name} stopped answering; the pages it had in hand "
                    "go to the other workers",
                    file=sys.stderr,
                )
                found = True
        return found

    def _wind_up(self, store: Store) -> str:
        """Wait for the workers to close, storing their last items; merge their stats."""
        deadline = time.monotonic() + _CLOSE_WAIT
        while time.monotonic() < deadline:
            self._renew()
            drained = self._drain(store)
            states = self.server.hgetall(self.keys.state)
            self.states = {k.decode(): v.decode() for k, v in states.items()}
            self._notice_lost(self.server.hgetall(self.keys.beats))
            if all(state in (CLOSED, LOST) for state in self.states.values()) and not drained:
                break
            if not drained:
                time.sleep(0.05)
        while self._drain(store):
            pass
        self._merge_stats()
        return "finished"

    def _merge_stats(self) -> None:
        """The workers' stats as one crawl's: counts added up (those of stored pages and
        files taken from the items stored: `ITEM_STATS`), the site's "not found" title and
        the site search record from the worker that read the home page."""
        from rules.analyses.site_search import SITE_SEARCH_STAT
        from rules.site import SOFT_404_TITLE_STAT

        merged: dict[str, Any] = {}
        for raw in self.server.lrange(self.keys.stats, 0, -1):
            worker = json.loads(raw)
            for key in SUMMED_STATS:
                if key in worker:
                    merged[key] = merged.get(key, 0) + worker[key]
            for key in (SOFT_404_TITLE_STAT, SITE_SEARCH_STAT):
                if worker.get(key):
                    merged[key] = worker[key]
        for key in ITEM_STATS:
            if key in merged or key in self.tally.values:
                merged[key] = self.tally.values[key]
        self.stats = merged

    def _report(self) -> None:
        if not self.progress:
            return
        now = time.monotonic()
        if now - self.last_progress < _PROGRESS_EVERY:
            return
        self.last_progress = now
        busy = sum(1 for state in self.states.values() if state in (BUSY, IDLE))
        pages = self.counts["PageItem"]
        print(
            f"[{now - self.began:6.0f}s] {pages} URLs stored ({pages / (now - self.began):.0f}/s), "
            f"{busy} workers",
            file=sys.stderr,
            flush=True,
        )


def _seconds(text: str, default: float) -> float:
    try:
        value = float(text)
    except ValueError:
        return default
    return value if value > 0 else default


def _delete_abandoned_jobs(server: Any) -> None:
    """Delete the keys of shared crawls whose coordinator died (killed, its machine gone):
    their workers stop by themselves, and nobody else would clean up."""
    for job in server.smembers(JOBS):
        keys = JobKeys(job.decode())
        if not server.exists(keys.coordinator):
            _delete_job(server, keys)


def _delete_job(server: Any, keys: JobKeys) -> None:
    """Delete every key of the crawl: the queue and duplicate filter persist while it
    runs (SCHEDULER_PERSIST) and are removed only here, when the whole crawl is over."""
    server.srem(JOBS, keys.job)
    names = list(server.scan_iter(match=keys.prefix + "*", count=1000))
    if names:
        server.delete(*names)


# -- the worker side ----------------------------------------------------------------------


def wait_for_job(server: Any, wait: float | None) -> str:
    """The id of a shared crawl under way, waiting up to `wait` seconds (None: forever)."""
    deadline = None if wait is None else time.monotonic() + wait
    while True:
        job = server.srandmember(JOBS)
        if job is not None:
            return job.decode()
        if deadline is not None and time.monotonic() >= deadline:
            raise SharedCrawlError("no shared crawl to join (none started within --wait)")
        time.sleep(0.5)


def work(
    redis_url: str,
    *,
    job: str | None,
    name: str | None,
    wait: float | None,
    page_workers: int | None,
    progress: bool,
    log_file: Path | None,
) -> dict[str, Any]:
    """Join a shared crawl as one worker and crawl until the coordinator ends it."""
    from audits.core.credentials import from_environment
    from crawler.frontier import SharedFrontier
    from crawler.shared_crawl import shared_settings

    server = connect(redis_url)
    job = job or wait_for_job(server, wait)
    keys = JobKeys(job)
    raw = server.get(keys.spec)
    if raw is None:
        raise SharedCrawlError(f"there is no shared crawl {job} in Redis at {redacted(redis_url)}")
    spec = json.loads(raw)
    if spec.get("version") != __version__:
        raise SharedCrawlError(
            f"the crawl was started by siteaudit {spec.get('version')}; "
            f"this worker is {__version__}: run the same version everywhere"
        )
    if server.get(keys.done) is not None:
        return {"finish_reason": "finished"}
    config = parse_config(spec["config"], "the shared crawl's settings")
    if page_workers is not None:
        config = config.with_crawl(page_workers=page_workers)
    name = name or f"{socket.gethostname()}-{os.getpid()}"
    # Busy before anything else: the coordinator must never see the crawl seeded with no
    # worker busy, or it would call the crawl over before the start URL is even queued.
    pipe = server.pipeline(transaction=True)
    pipe.hset(keys.state, name, BUSY)
    pipe.hset(keys.beats, name, time.time())
    pipe.execute()
    seed = bool(server.set(keys.seed, name, nx=True))
    if not seed:
        server.hset(keys.state, name, IDLE)
    os.environ[REDIS_ENV] = redis_url  # where the crawler's scrapy-redis parts connect
    frontier = SharedFrontier(server, keys, config.crawl.max_pages, name)
    known = {url: tuple(verdict) for url, verdict in spec.get("known_external", {}).items()}
    carried = spec.get("carried_on") if seed else None
    carried_on = (
        ([tuple(link) for link in carried["frontier"]], carried["sitemap"]) if carried else None
    )
    return run_crawl(
        spec["start_url"],
        config,
        Path(""),
        0,
        progress=progress,
        log_file=log_file,
        credentials=from_environment(),
        shared=(
            shared_settings(keys, name, int(os.environ.get(COORDINATOR_PID_ENV, "0") or 0)),
            {
                "frontier": frontier,
                "known_external": known,
                "seed": seed,
                "carried_on": carried_on,
            },
        ),
    )
