"""A crawl shared by several workers through Redis, on scrapy-redis.

Every worker runs the ordinary `site` spider with these parts swapped in (the settings
are in `shared_settings`):

- scrapy-redis's scheduler (`SharedScheduler`), over `SharedQueue`: one priority queue of requests in Redis
  for all workers. Requests are stored as JSON (scrapy-redis pickles them by default, and
  unpickling what a Redis server hands back would let anyone who can write to it run code
  on every worker), without any staging credentials (a worker adds its own on sending).
  A pop also marks the worker busy and records the request in the worker's `pending`
  hash, in the same atomic step: the busy mark lets the coordinator tell that the crawl
  is over, and the pending record lets it put the request back on the queue if the
  worker dies before finishing it.
- `crawler.frontier.SharedFrontier`: the spider's claims live in the scrapy-redis
  duplicate filter's set, so no URL is requested twice, whichever worker meets it. A
  claim stays in the crawl's `unqueued` hash under the worker's name until the worker
  queues its request (`SharedQueue.push`, one atomic step) or sends the item answering
  it: if the worker is lost first, the coordinator releases the claim together with
  re-queueing the request whose page linked there, which claims it again.
- `ItemsToRedis` and `InHand`: items go to a Redis list as JSON; the coordinator
  (audits.stages.shared_crawl) is the one process writing the store. A request's items are sent
  together with the removal of its pending record, in one atomic step, once the request
  is finished: whatever a killed worker had not sent is still pending, and is crawled
  again by another worker; whatever it had sent is never crawled again.
- `SharedCrawl`: keeps an idle worker open until the coordinator says the whole crawl is
  over, and beats a heartbeat so that a dead worker is noticed.

scrapy-redis's own defaults would be wrong here: with SCHEDULER_PERSIST false (its
default) the first worker to finish deletes the shared queue and duplicate filter while
others still crawl, and they then crawl pages again. Persistence is on, and the
coordinator deletes the crawl's keys when it ends. Its idle-close timer (for RedisSpider)
is not used: a worker closes when the coordinator says so, not after a quiet spell.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import time
from collections import defaultdict
from dataclasses import dataclass, fields
from typing import Any
from weakref import WeakKeyDictionary

import redis
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.utils.defer import deferred_from_coro
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from audits.core.errors import REDIS_ENV
from crawler.frontier import URL_PREFIX
from crawler.items import LinkStatusItem, PageItem, SitemapItem, TrapItem
from crawler.pipelines import ItemCounts
from rules.site import TrapHit
from rules.urls import normalise

logger = logging.getLogger(__name__)

BUSY, IDLE, CLOSED, LOST = "busy", "idle", "closed", "lost"
"""A worker's state in the crawl's `state` hash."""

_HEARTBEAT = 1.0
# An idle worker looks for new requests this often (Scrapy's engine otherwise waits for
# its 5-second heartbeat, and a worker that ran dry would sit out most of the crawl).
_POLL = 0.2
_ITEM_BATCH = 500


@dataclass(frozen=True)
class JobKeys:
    """The Redis keys of one shared crawl, all under `siteaudit:<job>:`."""

    job: str

    def _key(self, name: str) -> str:
        return f"siteaudit:{self.job}:{name}"

    @property
    def prefix(self) -> str:
        return self._key("")

    @property
    def spec(self) -> str:
        """JSON: what to crawl and how (written by the coordinator)."""
        return self._key("spec")

    @property
    def requests(self) -> str:
        """The scrapy-redis priority queue."""
        return self._key("requests")

    @property
    def dupefilter(self) -> str:
        """The scrapy-redis duplicate filter's set, which also holds the spider's claims."""
        return self._key("dupefilter")

    @property
    def files(self) -> str:
        return self._key("files")

    @property
    def in_scope(self) -> str:
        return self._key("in_scope")

    @property
    def unqueued(self) -> str:
        """URL claimed -> "role worker", from the claim until its request is queued (or,
        for a URL answered without a request, until the item answering it is sent)."""
        return self._key("unqueued")

    @property
    def traps(self) -> str:
        return self._key("traps")

    @property
    def variants(self) -> str:
        return self._key("variants")

    @property
    def released(self) -> str:
        """How many times the coordinator released a lost worker's unqueued claims."""
        return self._key("released")

    @property
    def items(self) -> str:
        """What workers found, for the coordinator to store."""
        return self._key("items")

    @property
    def stats(self) -> str:
        """Each worker's crawl stats, pushed as it closes."""
        return self._key("stats")

    @property
    def claims(self) -> str:
        """A counter numbering the requests popped from the queue."""
        return self._key("claims")

    def pending(self, worker: str) -> str:
        """Claim number -> "score request" for each request `worker` popped and has not
        finished (its items are not sent yet)."""
        return self._key(f"pending:{worker}")

    @property
    def state(self) -> str:
        """Worker name -> busy, idle, closed or lost."""
        return self._key("state")

    @property
    def beats(self) -> str:
        """Worker name -> time of its last heartbeat."""
        return self._key("beats")

    @property
    def seed(self) -> str:
        """The worker that queued the start URL (the first to join)."""
        return self._key("seed")

    @property
    def done(self) -> str:
        """Set by the coordinator: "finished" or "shutdown"."""
        return self._key("done")

    @property
    def coordinator(self) -> str:
        """Exists while the coordinator is alive (it renews a short expiry)."""
        return self._key("coordinator")


JOBS = "siteaudit:jobs"
"""The set of shared crawls under way, which `siteaudit worker` joins."""


def redis_from_environment(**params: Any) -> Any:
    """A Redis client for the URL in $SITEAUDIT_REDIS (scrapy-redis's `redis_cls`)."""
    import redis

    params.pop("url", None)
    return redis.Redis.from_url(os.environ[REDIS_ENV], **params)


def shared_settings(keys: JobKeys, worker: str, coordinator_pid: int = 0) -> dict[str, Any]:
    """Scrapy settings that make the `site` spider one worker of a shared crawl."""
    return {
        "SCHEDULER": "crawler.shared_crawl.SharedScheduler",
        "SCHEDULER_QUEUE_CLASS": "crawler.shared_crawl.SharedQueue",
        "SCHEDULER_QUEUE_KEY": keys.requests,
        "SCHEDULER_DUPEFILTER_KEY": keys.dupefilter,
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_IDLE_BEFORE_CLOSE": 0,
        "SCHEDULER_SERIALIZER": "crawler.shared_crawl",
        # The address (and any password in it) stays out of the settings, which Scrapy
        # logs: the client is made from the environment variable.
        "REDIS_PARAMS": {"redis_cls": "crawler.shared_crawl.redis_from_environment"},
        # Component settings merge with the project's: the store pipeline is switched off.
        "ITEM_PIPELINES": {
            "crawler.pipelines.StorePipeline": None,
            "crawler.shared_crawl.ItemsToRedis": 300,
        },
        "EXTENSIONS": {"crawler.shared_crawl.SharedCrawl": 510},
        "SITEAUDIT_JOB": keys.job,
        "SITEAUDIT_WORKER": worker,
        "SITEAUDIT_COORDINATOR_PID": coordinator_pid,
    }


# -- requests in the queue: JSON, not pickle ----------------------------------------------


def dumps(obj: dict[str, Any]) -> bytes:
    """A request's dict (Request.to_dict) as JSON: header names and values as text, the
    body as base64."""
    data = dict(obj)
    data["headers"] = {
        name.decode("latin-1"): [value.decode("latin-1") for value in values]
        for name, values in obj["headers"].items()
    }
    data["body"] = base64.b64encode(obj["body"]).decode("ascii")
    return json.dumps(data, separators=(",", ":")).encode()


def loads(data: bytes) -> dict[str, Any]:
    """The inverse of dumps; plain JSON, so a hostile Redis cannot make it run code."""
    obj = json.loads(data)
    obj["body"] = base64.b64decode(obj["body"])
    return obj


# Pop the highest-priority request, mark this worker busy and record the request as
# pending under a new claim number, in one atomic step. A worker the coordinator gave up
# for lost pops nothing: what it had is back on the queue for the others.
# Also returns how many times claims were released (REQUEUE), so that the worker asks
# Redis again about URLs it knew to be claimed before crawling the request.
# KEYS: queue, state, this worker's pending hash, claims counter, releases counter.
# ARGV: worker.
_POP = """
if redis.call('HGET', KEYS[2], ARGV[1]) == 'lost' then return false end
local found = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #found == 0 then return false end
redis.call('ZREM', KEYS[1], found[1])
redis.call('HSET', KEYS[2], ARGV[1], 'busy')
local claim = redis.call('INCR', KEYS[4])
redis.call('HSET', KEYS[3], claim, found[2] .. ' ' .. found[1])
return {claim, found[1], tonumber(redis.call('GET', KEYS[5]) or '0')}
"""

# Push a request and settle its URL's claim if this worker made it ("role worker" in the
# unqueued hash), in one atomic step; nothing is pushed by a worker given up for lost.
# KEYS: queue, unqueued hash, state. ARGV: worker, score, request, member.
_PUSH = """
if redis.call('HGET', KEYS[3], ARGV[1]) == 'lost' then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
local entry = redis.call('HGET', KEYS[2], ARGV[4])
if entry and string.sub(entry, string.find(entry, ' ', 1, true) + 1) == ARGV[1] then
  redis.call('HDEL', KEYS[2], ARGV[4])
end
return 1
"""

# Put a lost worker's pending requests back on the queue, undo the claims it made and
# had not queued, and mark it lost, in one atomic step (the coordinator runs this): when
# a pending request is crawled again, its links are claimed again. KEYS: pending hash,
# queue, state, unqueued hash, duplicate filter, files, in-scope counter, releases
# counter. ARGV: worker.
REQUEUE = """
local pending = redis.call('HVALS', KEYS[1])
for _, entry in ipairs(pending) do
  local space = string.find(entry, ' ', 1, true)
  redis.call('ZADD', KEYS[2], tonumber(string.sub(entry, 1, space - 1)),
             string.sub(entry, space + 1))
end
redis.call('DEL', KEYS[1])
local unqueued, released = redis.call('HGETALL', KEYS[4]), 0
for i = 1, #unqueued, 2 do
  local member, entry = unqueued[i], unqueued[i + 1]
  local space = string.find(entry, ' ', 1, true)
  if string.sub(entry, space + 1) == ARGV[1] then
    local role = string.sub(entry, 1, space - 1)
    redis.call('HDEL', KEYS[4], member)
    released = released + 1
    if role == 'upgrade' then
      redis.call('SADD', KEYS[6], member)
    else
      redis.call('SREM', KEYS[5], member)
      redis.call('SREM', KEYS[6], member)
      if role ~= 'other' then redis.call('DECR', KEYS[7]) end
    end
  end
end
if released > 0 then redis.call('INCR', KEYS[8]) end
redis.call('HSET', KEYS[3], ARGV[1], 'lost')
return #pending
"""


def requeue_keys(keys: JobKeys, worker: str) -> list[str]:
    """The KEYS of REQUEUE for `worker`."""
    return [
        keys.pending(worker),
        keys.requests,
        keys.state,
        keys.unqueued,
        keys.dupefilter,
        keys.files,
        keys.in_scope,
        keys.released,
    ]


# Send finished requests' items and drop their pending records, in one atomic step;
# settle the claims of the URLs those items answer (a redirect's target, a cached
# verdict: claimed, and answered without a request); optionally set this worker's state.
# Nothing is sent by a worker given up for lost (its requests are back on the queue).
# KEYS: items list, pending hash, state, unqueued hash.
# ARGV: worker, new state or '', number of claims, number of URLs, the claims, the
# URLs (duplicate filter members), then the items.
_SEND = """
if redis.call('HGET', KEYS[3], ARGV[1]) == 'lost' then return 0 end
local claims, urls = tonumber(ARGV[3]), tonumber(ARGV[4])
if claims > 0 then redis.call('HDEL', KEYS[2], unpack(ARGV, 5, 4 + claims)) end
for i = 5 + claims, 4 + claims + urls do
  local entry = redis.call('HGET', KEYS[4], ARGV[i])
  if entry and string.sub(entry, string.find(entry, ' ', 1, true) + 1) == ARGV[1] then
    redis.call('HDEL', KEYS[4], ARGV[i])
  end
end
local first = 5 + claims + urls
if #ARGV >= first then redis.call('RPUSH', KEYS[1], unpack(ARGV, first)) end
if ARGV[2] ~= '' then redis.call('HSET', KEYS[3], ARGV[1], ARGV[2]) end
return 1
"""
_CLAIM_META = "shared_claim"
"""Request meta: the claim number under which this worker popped the request."""


class SharedScheduler(Scheduler):
    """scrapy-redis's scheduler, counting in Scrapy's current stats API (0.9.1 passes the
    spider to the stats collector, which Scrapy 2.19 deprecates)."""

    def enqueue_request(self, request: Any) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def next_request(self) -> Any:
        request = self.queue.pop()
        if request is not None and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request


class SharedQueue(PriorityQueue):
    """scrapy-redis's priority queue, storing requests as JSON without credentials."""

    def __init__(self, server: Any, spider: Any, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        settings = spider.settings
        keys = JobKeys(settings.get("SITEAUDIT_JOB"))
        self._worker = settings.get("SITEAUDIT_WORKER")
        self._keys = [self.key, keys.state, keys.pending(self._worker), keys.claims, keys.released]
        self._push_keys = [self.key, keys.unqueued, keys.state]
        self._pop = server.register_script(_POP)
        self._push = server.register_script(_PUSH)
        self._in_hand = in_hand(spider.crawler)

    def _encode_request(self, request: Any) -> bytes:
        credentials = getattr(self.spider, "credentials", None)
        if credentials:
            # A retry is a copy of a request that was sent, staging credentials and all.
            request = request.copy()
            for name in credentials.header_names():
                request.headers.pop(name, None)
        return super()._encode_request(request)

    def push(self, request: Any) -> None:
        """Queue `request`, settling the claim of its URL (see _PUSH)."""
        member = URL_PREFIX + normalise(request.url)
        args = [self._worker, -request.priority, self._encode_request(request), member]
        self._push(keys=self._push_keys, args=args)

    def pop(self, timeout: int = 0) -> Any:
        found = self._pop(keys=self._keys, args=[self._worker])
        if not found:
            return None
        claim, data, released = found
        self.spider.frontier.saw_releases(int(released))
        request = self._decode_request(data)
        request.meta[_CLAIM_META] = int(claim)
        self._in_hand.took(int(claim), request)
        return request


# -- items: JSON for the coordinator ------------------------------------------------------

_ITEM_TYPES: dict[str, type] = {
    "page": PageItem,
    "status": LinkStatusItem,
    "sitemap": SitemapItem,
    "trap": TrapItem,
}
_TYPE_NAMES = {cls: name for name, cls in _ITEM_TYPES.items()}


def encode_item(item: Any) -> str:
    """One item as a line of JSON."""
    data = {f.name: getattr(item, f.name) for f in fields(item)}
    if isinstance(item, TrapItem):
        data["hit"] = {f.name: getattr(item.hit, f.name) for f in fields(TrapHit)}
    data["type"] = _TYPE_NAMES[type(item)]
    return json.dumps(data, separators=(",", ":"))


def decode_item(line: str | bytes) -> Any:
    """An item from encode_item's JSON."""
    data = json.loads(line)
    cls = _ITEM_TYPES[data.pop("type")]
    if cls is PageItem:
        data["links"] = tuple(map(tuple, data["links"]))
        data["rule_errors"] = [tuple(pair) for pair in data["rule_errors"]]
    elif cls is SitemapItem:
        data["entries"] = [tuple(entry) for entry in data["entries"]]
    elif cls is TrapItem:
        data["hit"] = TrapHit(**data["hit"])
    return cls(**data)


class InHand:
    """What one worker has in hand: the requests it popped and has not finished, and the
    items they produced, which go to Redis together with the removal of the requests'
    pending records once the requests are finished.

    A request is finished when Scrapy's engine lets go of it: its callback has run, its
    items have passed the pipeline and the requests it produced are queued in Redis.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.server = _server(crawler)
        keys = JobKeys(crawler.settings.get("SITEAUDIT_JOB"))
        self.worker = crawler.settings.get("SITEAUDIT_WORKER")
        self.keys = [keys.items, keys.pending(self.worker), keys.state, keys.unqueued]
        self._send = self.server.register_script(_SEND)
        self.requests: dict[int, Any] = {}
        self.items: defaultdict[int, list[str]] = defaultdict(list)
        self.urls: defaultdict[int, list[str]] = defaultdict(list)
        """The URLs the items of each request answer, whose claims they settle."""
        self.loose: list[str] = []
        """Items of no popped request (from the spider's start): sent as they come."""
        self.loose_urls: list[str] = []
        self.dropped: set[int] = set()
        """Claims of requests the coordinator put back on the queue (this worker was
        taken for lost): their items are not sent."""

    def took(self, claim: int, request: Any) -> None:
        """The worker popped `request` under `claim`."""
        self.requests[claim] = request

    def add(self, line: str, url: str | None, claim: int | None) -> None:
        """An item (encode_item's JSON, answering `url`) produced while handling the request
        of `claim`."""
        if claim in self.dropped:
            return  # back on the queue: another worker sends this item
        held = claim in self.requests
        (self.items[claim] if held else self.loose).append(line)
        if url is not None:
            (self.urls[claim] if held else self.loose_urls).append(URL_PREFIX + url)

    def drop(self) -> None:
        """Forget the requests in hand: the coordinator put them back on the queue."""
        self.dropped.update(self.requests)
        self.requests.clear()
        self.items.clear()
        self.urls.clear()

    def _finished(self) -> list[int]:
        # Requests the engine still holds (downloading, or being scraped) are in its
        # slot's `inprogress` set, which is not public API; no slot: nothing in flight.
        slot = getattr(self.crawler.engine, "_slot", None)
        holding = slot.inprogress if slot is not None else ()
        return [claim for claim, request in self.requests.items() if request not in holding]

    def send(self, state: str = "") -> bool:
        """Send the finished requests' items with their acknowledgement, and set this
        worker's state if given. False when the coordinator has taken this worker for
        lost: what it had in hand is dropped (it is back on the queue)."""
        claims, loose, loose_urls = self._finished(), self.loose, self.loose_urls
        lines, urls, self.loose, self.loose_urls = list(loose), list(loose_urls), [], []
        while True:
            batch: list[int] = []
            while claims and len(lines) < _ITEM_BATCH:
                claim = claims.pop()
                batch.append(claim)
                lines.extend(self.items.get(claim, ()))
                urls.extend(self.urls.get(claim, ()))
            last = not claims
            if batch or lines or urls or (last and state):
                head = [self.worker, state if last else "", len(batch), len(urls)]
                if not self._send(keys=self.keys, args=[*head, *batch, *urls, *lines]):
                    # Claimed by no request: still to send.
                    self.loose, self.loose_urls = loose + self.loose, loose_urls + self.loose_urls
                    self.drop()
                    return False
                for claim in batch:
                    del self.requests[claim]
                    self.items.pop(claim, None)
                    self.urls.pop(claim, None)
            if last:
                return True
            lines, urls, loose, loose_urls = [], [], [], []


_IN_HAND: WeakKeyDictionary[Crawler, InHand] = WeakKeyDictionary()


def in_hand(crawler: Crawler) -> InHand:
    """The InHand of this worker's crawler (shared by its queue, pipeline and extension)."""
    if crawler not in _IN_HAND:
        _IN_HAND[crawler] = InHand(crawler)
    return _IN_HAND[crawler]


def _claim_of(response: Any) -> int | None:
    """The claim under which the request behind a response (or a failure) was popped."""
    request = getattr(response, "request", None)
    return request.meta.get(_CLAIM_META) if request is not None else None


class ItemsToRedis:
    """Item pipeline of a worker: items go to the crawl's Redis list, each with the
    request that produced it once that request is finished (InHand)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.in_hand = in_hand(crawler)
        self.counts: ItemCounts | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ItemsToRedis:
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.scraped, signal=signals.item_scraped)
        return pipeline

    def process_item(self, item: Any) -> Any:
        if self.counts is None:
            assert self.crawler.stats is not None
            self.counts = ItemCounts(self.crawler.stats)
        self.counts.count(item)
        return item

    def scraped(self, item: Any, response: Any) -> None:
        """An item passed the pipeline: keep it with its request until that is finished."""
        self.in_hand.add(encode_item(item), getattr(item, "url", None), _claim_of(response))

    def close_spider(self) -> None:
        self.in_hand.send()


class SharedCrawl:
    """Extension: the worker's part in telling when the shared crawl is over.

    The worker says "idle" when its engine has nothing in flight and the queue looked
    empty, in the same atomic step that sends its last items, and stays open until the
    coordinator sets `done`. Every few tenths of a second it sends the items of the
    requests it has finished (InHand). A worker the coordinator took for lost (silent too
    long, yet alive: a stalled machine) drops what it had in hand, which is back on the
    queue, and carries on.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.server = _server(crawler)
        self.keys = JobKeys(crawler.settings.get("SITEAUDIT_JOB"))
        self.worker = crawler.settings.get("SITEAUDIT_WORKER")
        self.in_hand = in_hand(crawler)
        self.loops: list[task.LoopingCall] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedCrawl:
        if not crawler.settings.get("SITEAUDIT_JOB"):
            raise NotConfigured("only for a crawl shared through Redis")
        ext = cls(crawler)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def opened(self) -> None:
        for call, interval in ((self.beat, _HEARTBEAT), (self.poll, _POLL)):
            loop = task.LoopingCall(call)
            loop.start(interval, now=True)
            self.loops.append(loop)

    def beat(self) -> None:
        """Say this worker is alive; close when the coordinator stops the crawl."""
        pipe = self.server.pipeline(transaction=False)
        pipe.hset(self.keys.beats, self.worker, time.time())
        pipe.get(self.keys.done)
        pipe.exists(self.keys.coordinator)
        pipe.hget(self.keys.state, self.worker)
        try:
            _, done, coordinator, state = pipe.execute()
        except redis.RedisError as exc:  # nobody could collect what this worker finds
            logger.warning("lost the shared crawl's Redis (%s); stopping", exc)
            done, coordinator, state = b"shutdown", True, None
        if state == LOST.encode():
            self._rejoin()
        parent = self.crawler.settings.getint("SITEAUDIT_COORDINATOR_PID")
        if parent and os.getppid() != parent:
            coordinator = False  # started by a coordinator on this machine, now orphaned
        if done == b"shutdown" or not coordinator:
            if not coordinator:  # killed, or its machine gone: nobody would collect
                logger.warning("the coordinator of the shared crawl is gone; stopping")
            self._stop()

    def _stop(self) -> None:
        self._stop_loops()
        deferred_from_coro(self.crawler.stop_async())

    def poll(self) -> None:
        """Send what is finished, and ask the engine to look at the queue: other workers
        may have filled it. (The engine's slot is not public API; without it the engine
        looks every 5 seconds.)"""
        if not self.in_hand.send():
            self._rejoin()
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None:
            slot.nextcall.schedule()

    def _rejoin(self) -> None:
        """The coordinator took this worker for lost (silent too long: a stalled machine)
        and gave what it had in hand to the others: carry on without it."""
        logger.warning("the coordinator took this worker for lost; carrying on")
        self.in_hand.drop()
        self.server.hset(self.keys.state, self.worker, BUSY)

    def idle(self) -> None:
        if self.server.get(self.keys.done) is not None:
            return  # the whole crawl is over: close
        if not self.in_hand.send(IDLE):
            self._rejoin()
        raise DontCloseSpider

    def _stop_loops(self) -> None:
        for loop in self.loops:
            if loop.running:
                loop.stop()

    def closed(self) -> None:
        self._stop_loops()
        stats = self.crawler.stats
        assert stats is not None
        wanted = {k: v for k, v in stats.get_stats().items() if isinstance(v, int | float | str)}
        pipe = self.server.pipeline()
        pipe.rpush(self.keys.stats, json.dumps(wanted, default=str))
        pipe.hset(self.keys.state, self.worker, CLOSED)
        pipe.execute()


def _server(crawler: Crawler) -> Any:
    from scrapy_redis.connection import get_redis_from_settings

    return get_redis_from_settings(crawler.settings)
