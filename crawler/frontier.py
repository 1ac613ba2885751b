"""What the crawl has claimed: every URL is requested once, whoever meets it first.

One crawler process keeps its claims in memory (`Frontier`). Crawler workers sharing one
crawl through Redis (`SharedFrontier`) keep them in the scrapy-redis duplicate filter's
set, so a URL one worker claims is never requested by another; the rules are the same.

A claim says what the URL is wanted for:

- PAGE: a page to crawl. Counts towards `[crawl] max_pages`. A URL claimed earlier as a
  FILE (a form action, say) and then met as a link is handed over to be crawled as a page.
- FILE: an in-scope file or form action, checked for its status. Counts towards
  `max_pages`.
- OTHER: an external target, a redirect's next hop, a page given with --urls: claimed
  once, counted nowhere.

A URL claimed to be requested waits its turn in `Waiting` (one process's crawl), as a
small tuple rather than as a Scrapy Request in Scrapy's scheduler.
"""

from __future__ import annotations

import enum
import heapq
import itertools
from collections.abc import Iterable
from typing import Any, NamedTuple


class Role(enum.Enum):
    """What a URL is claimed for."""

    PAGE = "page"
    FILE = "file"
    OTHER = "other"


class Frontier:
    """Claims kept in this process."""

    def __init__(self, max_in_scope: int = 0) -> None:
        self.max_in_scope = max_in_scope
        self.in_scope = 0
        self._seen: set[str] = set()
        self._files: set[str] = set()
        self._traps: set[str] = set()

    def claim(self, url: str, role: Role) -> bool:
        """True when this caller should request `url` for `role`; False when it is
        claimed already (or `max_pages` is reached)."""
        if url in self._seen:
            if role is Role.PAGE and url in self._files:
                self._files.discard(url)
                return True
            return False
        if role is not Role.OTHER:
            if self.max_in_scope and self.in_scope >= self.max_in_scope:
                return False
            self.in_scope += 1
        self._seen.add(url)
        if role is Role.FILE:
            self._files.add(url)
        return True

    def settled(self, url: str) -> bool:
        """True when no claim of `url` can succeed any more, whatever its role: most
        links lead to URLs claimed long before (a site's menus), and this answers them
        without asking the scope."""
        return url in self._seen and url not in self._files

    def claimed(self, url: str) -> bool:
        """True when `url` is claimed, whatever its role: then only a page's claim can
        still succeed (a file handed over to be crawled as a page)."""
        return url in self._seen

    def uncount(self, url: str) -> None:
        """A claimed page, `url`, turned out to be a trap variant: it is not requested, so
        it does not count towards `max_pages` (it stays claimed: nobody should request it)."""
        self.in_scope -= 1

    def still_file(self, url: str) -> bool:
        """True while `url` is claimed as a FILE (not handed over to be crawled as a page)."""
        return url in self._files

    def new_trap(self, pattern: str) -> bool:
        """True the first time a trap's URL family is reported."""
        if pattern in self._traps:
            return False
        self._traps.add(pattern)
        return True

    def restore(self, done: Iterable[str], in_scope: int) -> None:
        """Take over the claims of an interrupted run (what its store holds)."""
        self._seen.update(done)
        self.in_scope = in_scope


class Wanted(NamedTuple):
    """A claimed URL waiting to be requested: a page to crawl (`method` None) or a file
    to check (`method` "HEAD" or "GET"), at a click depth, with Scrapy's priority."""

    priority: int
    url: str
    depth: int
    method: str | None


class Waiting:
    """Claimed URLs waiting to be requested, in the order Scrapy's scheduler would send
    them: highest priority first, first come first served within a priority.

    A big site's crawl meets links far faster than it fetches them: thousands wait at
    once, and a Scrapy Request (its meta, headers, callbacks, its place in the
    scheduler's queues) costs over a kilobyte. Here each is a tuple beside a URL string
    the frontier holds anyway; the spider builds the Request when the scheduler runs
    dry (SiteSpider._top_up)."""

    def __init__(self) -> None:
        self._heap: list[tuple[int, int, Wanted]] = []
        self._order = itertools.count()

    def __len__(self) -> int:
        return len(self._heap)

    def add(self, wanted: Wanted) -> None:
        heapq.heappush(self._heap, (-wanted.priority, next(self._order), wanted))

    def take(self, most: int) -> list[Wanted]:
        """Up to `most` of the URLs to request next, in order."""
        heap = self._heap
        return [heapq.heappop(heap)[2] for _ in range(min(most, len(heap)))]


# Claim a URL for a role, atomically across workers, and record it as claimed and not yet
# queued by this worker (`JobKeys.unqueued`: "role worker"; role "upgrade" for a file
# handed over as a page). KEYS: the duplicate filter's set, the set of URLs claimed as
# files, the in-scope counter, the unqueued hash. ARGV: member, role, max_pages, worker.
# Returns 1 (claimed, or a file handed over as a page), 0 (claimed already), 2 (limit).
_CLAIM = """
local role = ARGV[2]
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then
  if role ~= 'page' or redis.call('SREM', KEYS[2], ARGV[1]) == 0 then return 0 end
  role = 'upgrade'
else
  if role ~= 'other' then
    local limit = tonumber(ARGV[3])
    if limit > 0 and tonumber(redis.call('GET', KEYS[3]) or '0') >= limit then return 2 end
    redis.call('INCR', KEYS[3])
  end
  redis.call('SADD', KEYS[1], ARGV[1])
  if role == 'file' then redis.call('SADD', KEYS[2], ARGV[1]) end
end
redis.call('HSET', KEYS[4], ARGV[1], role .. ' ' .. ARGV[4])
return 1
"""

_CLAIMED, _LIMIT = 1, 2
# Members of the duplicate filter's set that are URLs claimed by the spider, kept apart
# from scrapy-redis's own request fingerprints (40 hex digits) in the same set.
URL_PREFIX = "url:"


class SharedFrontier(Frontier):
    """Claims kept in Redis, shared by every worker of one crawl.

    Each URL costs one round trip the first time this worker meets it; what this worker
    already knows to be claimed is answered from memory.
    """

    def __init__(self, server: Any, keys: Any, max_in_scope: int = 0, worker: str = "") -> None:
        super().__init__(max_in_scope)
        self.server = server
        self.keys = keys
        self.worker = worker
        self._claim = server.register_script(_CLAIM)
        self._known: dict[str, Role] = {}
        """URLs known to be claimed, with the strongest role this worker asked for."""
        self._releases = 0

    def claim(self, url: str, role: Role) -> bool:
        asked = self._known.get(url)
        if asked is not None and (asked is Role.PAGE or role is not Role.PAGE):
            return False
        keys = self.keys
        answer = self._claim(
            keys=[keys.dupefilter, keys.files, keys.in_scope, keys.unqueued],
            args=[URL_PREFIX + url, role.value, self.max_in_scope, self.worker],
        )
        if answer != _LIMIT:
            self._known[url] = Role.PAGE if role is Role.PAGE or asked is Role.PAGE else role
        return answer == _CLAIMED

    def settled(self, url: str) -> bool:
        return self._known.get(url) is Role.PAGE

    def claimed(self, url: str) -> bool:
        return url in self._known

    def saw_releases(self, releases: int) -> None:
        """The coordinator has released a lost worker's unqueued claims `releases` times:
        after a new release, URLs this worker knew to be claimed may be free again."""
        if releases != self._releases:
            self._releases = releases
            self._known.clear()

    def uncount(self, url: str) -> None:
        pipe = self.server.pipeline(transaction=True)
        pipe.decr(self.keys.in_scope)
        pipe.hdel(self.keys.unqueued, URL_PREFIX + url)  # nothing to queue: settled
        pipe.execute()

    def still_file(self, url: str) -> bool:
        return bool(self.server.sismember(self.keys.files, URL_PREFIX + url))

    def new_trap(self, pattern: str) -> bool:
        return bool(self.server.sadd(self.keys.traps, pattern))

    def count(self, key: str) -> int:
        """Add one to a URL family's count for every worker (Scope.count) and return it."""
        return int(self.server.hincrby(self.keys.variants, key, 1))

    def restore(self, done: Iterable[str], in_scope: int) -> None:
        """Claim what a store holds for every worker (the coordinator does this once)."""
        pipe = self.server.pipeline(transaction=False)
        batch: list[str] = []
        for url in done:
            batch.append(URL_PREFIX + url)
            if len(batch) == 1000:
                pipe.sadd(self.keys.dupefilter, *batch)
                batch = []
        if batch:
            pipe.sadd(self.keys.dupefilter, *batch)
        pipe.set(self.keys.in_scope, in_scope)
        pipe.execute()
