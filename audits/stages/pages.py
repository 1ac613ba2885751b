"""The page stage: parse an HTML page once, extract its links, run every page rule on it.

This is the CPU-heavy half of a crawl (parsing, readability scores), so it runs in worker
processes beside the crawler's own: `PageStage` writes each page to a worker's socket and
the spider awaits the answer, which the crawl's event loop reads from that socket; this
keeps both cores busy. `workers=0` runs it inline.
`PageStage` is the crawl's page analyser (crawler/analyser.py), the component the
SITEAUDIT_PAGE_ANALYSER setting names.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import gc
import hashlib
import io
import itertools
import multiprocessing
import multiprocessing.forkserver
import os
import socket
import struct
import sys
import traceback
import warnings
from multiprocessing.connection import Connection
from multiprocessing.reduction import ForkingPickler
from typing import TYPE_CHECKING, Any

from w3lib.encoding import html_body_declared_encoding, read_bom

from audits.core.children import exit_with_parent, parent_pid
from audits.core.config import AuditConfig
from audits.rule_engine import RuleEngine, rule_engine
from crawler.analyser import AnalysisError, PageAnalysis, PdfReading
from rules.analyses.pdf_accessibility import inspect_pdf
from rules.page import Link, Page
from rules.urls import absolute

if TYPE_CHECKING:  # the worker processes don't import Scrapy
    from scrapy.crawler import Crawler

# Only the main text is scored and searched: a 6 MB page must not take seconds per rule.
_MAX_HTML_CHARS = 2_000_000


class PageStageError(AnalysisError):
    """A page could not be analysed (its worker process died on it)."""


class PageTooLargeError(PageStageError):
    """A page's analysis took longer than the page stage allows; its worker was killed."""


PAGE_ANALYSIS = "page-analysis"
"""The rule id of the error stored for a page too large to analyse in time."""


def analyse(
    engine: RuleEngine,
    url: str,
    body: bytes,
    encoding: str,
    headers: dict[str, str],
    depth: int,
    main_selectors: tuple[str, ...] = (),
) -> PageAnalysis:
    """Parse one page and run every page rule and site-rule fact collector on it.

    `main_selectors` locate the main content in unusual templates (`[content]` config).
    """
    html = decode(body, encoding)
    if len(html) > _MAX_HTML_CHARS:
        html = html[:_MAX_HTML_CHARS]
    page = Page(url=url, html=html, headers=headers, depth=depth, main_selectors=main_selectors)
    checked = engine.check_page(page)
    return PageAnalysis(
        title=page.title[:500],
        lang=page.lang[:35],
        content_hash=content_hash(body),
        links=page.links,
        findings=checked.findings,
        facts=checked.facts,
        rule_errors=checked.errors,
    )


def content_hash(body: bytes) -> str:
    """A short fingerprint of a page's bytes (the same bytes, the same page)."""
    return hashlib.blake2b(body, digest_size=16).hexdigest()


def decode(body: bytes, encoding: str) -> str:
    """The page's text. When the bytes are not valid in the encoding the server declared
    but are in the one the page itself declares (a <meta charset>), the page's own
    declaration is believed: the usual case of a template saved in windows-1252 and a
    server that says UTF-8 for everything. A byte order mark beats both, as in browsers."""
    marked, bom = read_bom(body[:4])
    if marked and bom:
        return body[len(bom) :].decode(marked, errors="replace")
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        declared = html_body_declared_encoding(body)
        if declared and declared != encoding:
            try:
                return body.decode(declared)
            except (UnicodeDecodeError, LookupError):
                pass
        return body.decode(encoding, errors="replace")


def read_pdf(url: str, body: bytes) -> PdfReading:
    """The web links inside a PDF (its link annotations, with the document as their
    source), its own date and what it says of its accessibility (rules.analyses.
    pdf_accessibility). Raises PageStageError when the file is not a readable PDF."""
    import pypdf  # imported here: only workers that meet a PDF pay for it

    links: list[Link] = []
    seen: set[str] = set()
    try:
        reader = pypdf.PdfReader(io.BytesIO(body))
        for number, pdf_page in enumerate(reader.pages, start=1):
            for annotation in pdf_page.get("/Annots") or ():
                obj = annotation.get_object()
                action = obj.get("/A")
                if obj.get("/Subtype") != "/Link" or action is None:
                    continue
                uri = action.get_object().get("/URI")
                resolved = absolute(url, str(uri)) if uri else None
                if resolved is None or resolved[0] + resolved[1] in seen:
                    continue
                seen.add(resolved[0] + resolved[1])
                links.append(Link(resolved[0], resolved[1], "", "a", "document", f"page {number}"))
        modified = _pdf_date(reader)
    except Exception as exc:  # a hostile file can make pypdf raise anything
        raise PageStageError(f"the PDF could not be read ({_plain_failure(exc)})") from None
    try:
        accessibility = inspect_pdf(reader)
    except Exception as exc:
        accessibility = {"unchecked": f"the PDF could not be read ({_plain_failure(exc)})"}
    return PdfReading(tuple(links), modified, accessibility)


def _plain_failure(exc: BaseException) -> str:
    """Why pypdf gave up, in words."""
    from pypdf.errors import FileNotDecryptedError, LimitReachedError, PyPdfError

    if isinstance(exc, LimitReachedError):
        # pypdf's own bounds on hostile files: page trees, arrays, unpacked streams.
        return f"it goes past a reading limit: {str(exc).rstrip('.').lower()}"
    if isinstance(exc, FileNotDecryptedError):
        return "it is protected with a password"
    if isinstance(exc, RecursionError):
        return "its structure nests too deeply"
    if isinstance(exc, PyPdfError):
        return "it is damaged or not a PDF"
    return f"it is damaged ({type(exc).__name__})"


def _pdf_date(reader: Any) -> str | None:
    """The document's modification (else creation) date; None when absent or malformed."""
    try:
        metadata = reader.metadata
        when = metadata and (metadata.modification_date or metadata.creation_date)
    except (ValueError, TypeError, KeyError):
        return None  # pypdf raises on dates that don't follow the PDF date format
    return when.date().isoformat() if when else None


# -- the worker side ---------------------------------------------------------------------

_worker_engine: RuleEngine | None = None
_worker_main_selectors: tuple[str, ...] = ()
_WARM_UP_PAGE = b"<html lang='en'><title>Warm up</title><main><h1>Bins</h1><p>Words.</p></main>"


def _init_worker(config: AuditConfig, audit_pid: int) -> None:
    global _worker_engine, _worker_main_selectors
    # What the forkserver loaded is shared with the other workers until written to: the
    # garbage collector must not write to it (each object's collection header) either.
    gc.freeze()
    # A worker must not outlive an audit killed with kill -9. Its parent is the
    # forkserver, which exits when the audit does (its pipe from the audit closes), once
    # no worker holds that pipe open too.
    _release_forkserver()
    forkserver = os.getppid()
    exit_with_parent(forkserver)
    if sys.platform.startswith("linux") and parent_pid(forkserver) != audit_pid:
        os._exit(1)  # the audit and its forkserver ended before the signal was asked for
    warnings.simplefilter("ignore")
    _worker_engine = rule_engine(config)
    _worker_main_selectors = config.content.main_selectors
    # Rules load their data on first use (the spelling dictionary takes seconds): load it
    # now, so that a page's time limit counts the page, not the worker's start.
    _analyse_in_worker("https://warm-up.invalid/", _WARM_UP_PAGE, "utf-8", {}, 0)
    # And pypdf, so that a PDF's time limit counts reading the PDF, not importing pypdf.
    import pypdf  # noqa: F401


def _release_forkserver() -> None:
    """Close this worker's copy of the forkserver's "alive" pipe.

    Python hands every process the forkserver forks the write end of that pipe, so that
    the child could start processes of its own through the same forkserver, and the
    forkserver ends only once every holder has closed it. A page worker starts none: while
    the workers held it, the forkserver of a process killed outright (an audit, a shared
    crawl's worker) lived on, and so did the workers, whose death signal waits for the
    forkserver's end."""
    server = multiprocessing.forkserver._forkserver
    fd = getattr(server, "_forkserver_alive_fd", None)
    if fd is not None:
        with contextlib.suppress(OSError):
            os.close(fd)
        server._forkserver_alive_fd = None


def _analyse_in_worker(
    url: str, body: bytes, encoding: str, headers: dict[str, str], depth: int
) -> PageAnalysis:
    assert _worker_engine is not None, "worker not initialised"
    return analyse(_worker_engine, url, body, encoding, headers, depth, _worker_main_selectors)


def default_workers() -> int:
    """One worker per CPU core: the crawler's own process is idle part of the time, and on
    2 cores two workers crawled a 10,000-page site 17% faster than one (45 s against 54)."""
    return max(1, os.cpu_count() or 2)


def worker_context(engine: RuleEngine) -> multiprocessing.context.BaseContext:
    """How page workers start: forked from a forkserver, not from the crawler process
    (which runs an event loop and threads), that has imported the rules and loaded their
    word lists (each enabled rule's `worker_data`) first. The workers then share one copy
    of them, copy-on-write, instead of each loading its own.

    The forkserver is started once per process, with the first audit's modules. Where
    there is none (Windows), each worker is spawned and loads its own."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    data = sorted({rule.worker_data for rule in engine.all if rule.worker_data})
    context.set_forkserver_preload([__name__, *data])
    return context


class _WorkerLost(Exception):
    """A page worker ended without answering: killed, or dead (out of memory, a crashing
    C extension), or it could not start."""


_SIZE = struct.Struct("!i")
_LONG_SIZE = struct.Struct("!Q")
"""Each message on a worker's socket is its length, then the pickle, framed as
multiprocessing's Connection frames them (a length past 2**31 - 1 is -1 then 8 bytes)."""

_READ_SIZE = 65536


def _serve(connection: Connection, config: AuditConfig, audit_pid: int) -> None:
    """A page worker's life: start up and say so (its pid), then run each (function,
    args) the page stage sends, in order, and send back (True, result) or (False, the
    exception raised), until the socket closes (the page stage retired it, or ended)."""
    try:
        _init_worker(config, audit_pid)
    except BaseException:
        traceback.print_exc()
        os._exit(1)  # the page stage reads the closed socket as a worker that did not start
    connection.send(os.getpid())
    while _answer_one(connection):
        pass


def _answer_one(connection: Connection) -> bool:
    """Run the next task and send its answer; False once the socket is closed.

    A function of its own so that nothing of a page outlives its answer: holding the
    last page and its analysis while the next one was analysed cost the worker 5-15%
    more CPU (objects kept alive through the next page's garbage collections move to the
    oldest generation, which is then collected in full more often)."""
    try:
        function, args = connection.recv()
    except EOFError:
        return False
    try:
        answer: tuple[bool, Any] = (True, function(*args))
    except BaseException as exc:  # raised again in the crawl, as a process pool does
        answer = (False, exc)
    try:
        connection.send(answer)  # pickled whole before a byte is written
    except OSError:
        return False  # the page stage is gone
    except Exception as exc:  # an answer that cannot be pickled
        connection.send((False, PageStageError(f"the analysis could not be sent ({exc})")))
    return True


def _frame(size: int) -> bytes:
    if size > 0x7FFFFFFF:
        return _SIZE.pack(-1) + _LONG_SIZE.pack(size)
    return _SIZE.pack(size)


class _Worker:
    """One page worker process and the socket to it: a page stuck in it can be killed
    without losing the pages the other workers are analysing.

    The crawl's event loop does the talking itself: it writes each page to the socket
    without blocking (what does not fit waits for room, `loop.add_writer`) and reads the
    answers as they come (`loop.add_reader`). A process pool ran two helper threads for
    every worker, whose hand-offs to the loop (a thread's future chained to an asyncio
    one, a wake-up through the loop's own pipe, locks) took the busy loop's time."""

    def __init__(self, config: AuditConfig, context: multiprocessing.context.BaseContext) -> None:
        ours, theirs = socket.socketpair()
        worker_end = Connection(theirs.detach())
        self.process = context.Process(  # type: ignore[attr-defined]
            target=_serve, args=(worker_end, config, os.getpid()), daemon=True
        )
        self.process.start()
        worker_end.close()  # the worker's end: once the worker is gone, reading ours says so
        ours.setblocking(False)
        self.channel = ours
        self.loop = asyncio.get_running_loop()
        self.ready: asyncio.Future[int] = self.loop.create_future()
        """The worker's pid, once it is started and warmed up."""
        self._answers: collections.deque[asyncio.Future[Any]] = collections.deque()
        """The answers owed, in the order the pages were sent."""
        self._unread = bytearray()
        self._unread_needed = 0
        self._unsent = bytearray()
        self._retiring = False
        self.gone = False
        """Its socket is closed: killed, retired and done, or dead."""
        self.loop.add_reader(ours.fileno(), self._readable)
        self.analysed = 0
        """How many pages and PDFs it has been given."""
        self.last: asyncio.Future[Any] | None = None
        """The answer to the last page or PDF handed to it: the next one waits behind it."""
        self.killed = False
        """Killed because a page in it took too long (or it broke): the page queued behind
        that one is not at fault, and is analysed again in another worker."""
        self.successor: _Worker | None = None
        """The worker that replaced this one (killed or retired), once there is one."""
        self.in_hand = 0
        """How many pages it holds now (at most PageStage.SLOTS)."""

    async def started(self) -> None:
        """Return once the worker is started and warmed up; raise _WorkerLost if it
        could not start."""
        if not self.ready.done():
            await asyncio.shield(self.ready)  # others may be waiting for it too
        self.ready.result()

    def send(self, function: Any, args: tuple[Any, ...]) -> asyncio.Future[Any]:
        """Hand the worker one task, without waiting; the future of its answer."""
        answer = self.loop.create_future()
        if self.gone:
            _fail(answer)
            return answer
        payload = ForkingPickler.dumps((function, args))
        self._answers.append(answer)
        header = _frame(len(payload))
        if self._unsent:  # earlier tasks still wait for room in the socket
            self._unsent += header
            self._unsent += payload
            return answer
        try:
            sent = self.channel.sendmsg((header, payload))
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:  # its end is closed: it died between two pages
            self._lost()
            return answer
        if sent < len(header) + len(payload):
            self._unsent += (header + payload)[sent:]  # memoryview: copied here only
            self.loop.add_writer(self.channel.fileno(), self._writable)
        return answer

    def _writable(self) -> None:
        try:
            sent = self.channel.send(self._unsent)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._lost()
            return
        del self._unsent[:sent]
        if not self._unsent:
            self.loop.remove_writer(self.channel.fileno())
            if self._retiring:
                self._end_tasks()

    def _readable(self) -> None:
        try:
            chunk = self.channel.recv(_READ_SIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            chunk = b""
        if not chunk:
            self._lost()
            return
        if self._unread:  # the rest of a long answer
            self._unread += chunk
            if len(self._unread) < self._unread_needed:
                return
            chunk = bytes(self._unread)
            self._unread.clear()
        view = memoryview(chunk)
        start, end = 0, len(chunk)
        needed = _SIZE.size
        while end - start >= needed:
            size = _SIZE.unpack_from(chunk, start)[0]
            head = _SIZE.size
            if size < 0:
                head += _LONG_SIZE.size
                if end - start < head:
                    needed = head
                    break
                size = _LONG_SIZE.unpack_from(chunk, start + _SIZE.size)[0]
            needed = head + size
            if end - start < needed:
                break
            self._deliver(view[start + head : start + needed])
            start += needed
            needed = _SIZE.size
        if start < end:
            self._unread += view[start:]
            self._unread_needed = needed

    def _deliver(self, payload: memoryview) -> None:
        try:
            # multiprocessing's unpickling of a message from its own child process, as
            # Connection.recv (and the process pool before) did it: never network data.
            message = ForkingPickler.loads(payload)
        except Exception as exc:  # read whole but not unpickled: the socket is still in step
            message = (False, PageStageError(f"the page's analysis could not be read ({exc})"))
        if not self.ready.done():
            self.ready.set_result(message)
            return
        answer = self._answers.popleft()
        if answer.done():  # its page was given up (timed out, cancelled)
            return
        ok, value = message
        if ok:
            answer.set_result(value)
        else:
            answer.set_exception(value)

    def _lost(self) -> None:
        """The socket closed: the worker ended. Every answer still owed is lost."""
        if self.gone:
            return
        self._close()
        if self.loop.is_closed():
            return
        for waiting in (self.ready, *self._answers):
            if not waiting.done():
                _fail(waiting)
        self._answers.clear()

    def _close(self) -> None:
        self.gone = True
        if not self.loop.is_closed():
            self.loop.remove_reader(self.channel.fileno())
            self.loop.remove_writer(self.channel.fileno())
        self.channel.close()

    def _end_tasks(self) -> None:
        """No more tasks: the worker ends once it has answered those it has."""
        with contextlib.suppress(OSError):
            self.channel.shutdown(socket.SHUT_WR)

    def stop(self, *, kill: bool = False) -> None:
        """Stop the process: at once with `kill`, else once it is idle."""
        if not kill:
            self.retire()
            return
        with contextlib.suppress(ProcessLookupError, ValueError):
            self.process.kill()
        self._lost()

    def retire(self) -> None:
        """Let the process end once it has answered the pages it holds, without waiting
        for it."""
        self._retiring = True
        if not self._unsent and not self.gone:
            self._end_tasks()


def _fail(waiting: asyncio.Future[Any]) -> None:
    waiting.set_exception(_WorkerLost())
    waiting.exception()  # whoever awaits it still gets the error; no one must


class PageStage:
    """Runs `analyse` for the crawler: in worker processes, or inline with workers=0.

    A page whose analysis takes longer than `[crawl] page_analysis_timeout` has its
    worker killed and replaced, and is stored with a rule error instead of an analysis.

    A worker that has analysed `recycle_after` pages is replaced by a fresh one (started
    from the forkserver in about 0.1 s): a worker's memory grew with the pages it had
    seen (the rules' caches, and what Python's allocator keeps), each of two from 48 to
    59 MB over a 10,000-page crawl, and the crawl is the audit's peak of memory.

    Each worker holds `SLOTS` pages at a time: one being analysed and the next waiting in
    its queue, so that it never sits idle while the crawler's busy event loop gets round
    to handing it another. On a 10,000-page site (benchmarks/crawl.py, in turns) one slot
    crawled in 53 s at 93 s of CPU, two in 42 s at 84 s. A waiting page's timeout starts
    when the page ahead of it ends; if that page's worker is killed, the waiting page is
    analysed again in the replacement.
    """

    RECYCLE_AFTER = 2000
    SLOTS = 2

    def __init__(
        self, config: AuditConfig, workers: int | None = None, recycle_after: int = RECYCLE_AFTER
    ) -> None:
        self.config = config
        self.recycle_after = recycle_after
        self.workers = config.crawl.page_workers if workers is None else workers
        if self.workers < 0:
            self.workers = default_workers()
        self.engine = rule_engine(config)
        self._context = worker_context(self.engine)
        self.page_rule_ids = tuple(rule.id for rule in self.engine.page_rules)
        self.timeout = config.crawl.page_analysis_timeout
        self._idle: asyncio.PriorityQueue[tuple[int, int, _Worker]] = asyncio.PriorityQueue()
        """A free slot's worker, each up to SLOTS times, the ones holding fewest pages
        first: (pages in hand, order of arrival, worker)."""
        self._arrivals = itertools.count()
        self._live: set[_Worker] = set()
        """Every worker not yet killed or retired."""
        # Started when a page first needs one, not before: a re-audit whose every page is
        # carried over analyses nothing, and starting the forkserver (it loads the rules
        # and word lists) would cost it over a second.
        self._unstarted = self.workers
        self._loop: asyncio.AbstractEventLoop | None = None
        """The event loop the workers' sockets are read from: the one running the crawl."""

    @classmethod
    def from_crawler(cls, crawler: Crawler, config: AuditConfig) -> PageStage:
        """The crawl's page analyser, for the audit's configuration (the crawl plan's)."""
        return cls(config)

    async def analyse(
        self, url: str, body: bytes, encoding: str, headers: dict[str, str], depth: int
    ) -> PageAnalysis:
        """Analyse one page without blocking the crawl."""
        if not self.workers:
            return analyse(
                self.engine,
                url,
                body,
                encoding,
                headers,
                depth,
                self.config.content.main_selectors,
            )
        try:
            return await self._run(_analyse_in_worker, url, body, encoding, headers, depth)
        except PageTooLargeError as exc:
            return PageAnalysis(
                title="",
                lang="",
                content_hash=content_hash(body),
                links=(),
                rule_errors=[(PAGE_ANALYSIS, str(exc))],
            )

    async def read_pdf(self, url: str, body: bytes) -> PdfReading:
        """A PDF's links, date and accessibility, read in a worker process (parsing a PDF
        is CPU work) within `[crawl] pdf_timeout`: a hostile file's worker is killed."""
        if not self.workers:
            return read_pdf(url, body)
        timeout = self.config.crawl.pdf_timeout
        try:
            return await self._run(read_pdf, url, body, timeout=timeout)
        except PageTooLargeError:
            raise PageStageError(f"the PDF could not be read in {timeout:g} s") from None

    async def _run(self, function: Any, *args: Any, timeout: float | None = None) -> Any:
        timeout = timeout or self.timeout
        retried = False
        if asyncio.get_running_loop() is not self._loop:
            self._start_afresh()
        while True:
            if self._unstarted and all(worker.in_hand for worker in self._live):
                # Every started worker is busy: a page waits behind another only when
                # every worker is started.
                self._unstarted -= 1
                self._start_worker()
            *_, worker = await self._idle.get()
            while worker.successor is not None:  # a slot left behind by a replaced worker
                worker = worker.successor
            worker.in_hand += 1
            answer: asyncio.Future[Any] | None = None
            try:
                await worker.started()  # raises as the worker's start did
                ahead = worker.last
                answer = worker.last = worker.send(function, args)
                if ahead is not None and not ahead.done():
                    # This page's time starts when the page ahead of it in the worker ends.
                    await asyncio.wait([ahead])
                # asyncio.timeout, not wait_for: no task of its own made for every page.
                async with asyncio.timeout(timeout):
                    return await answer
            except TimeoutError:
                raise PageTooLargeError(f"too large to analyse in {timeout:g} s") from None
            except _WorkerLost:
                if answer is not None and worker.killed and not retried:
                    # The page ahead of this one was too slow (or crashed) and took the
                    # worker with it: this page is analysed again in the replacement.
                    retried = True
                    continue
                # A worker died (out of memory, a crashing C extension): the crawl goes on
                # without this page's analysis.
                raise PageStageError(
                    "page analysis crashed its worker process; page skipped"
                ) from None
            finally:
                self._give_back(worker, answer)

    def _start_afresh(self) -> None:
        """Bind the page stage to the running event loop, the one that reads the workers'
        sockets: workers started under another loop (a stage used again after
        asyncio.run ended) are stopped, and new ones started as pages need them."""
        self._stop_workers()
        self._loop = asyncio.get_running_loop()
        self._idle = asyncio.PriorityQueue()
        self._unstarted = self.workers

    def _start_worker(self) -> None:
        worker = _Worker(self.config, self._context)
        self._live.add(worker)
        for _ in range(self.SLOTS):
            self._free(worker)

    def _free(self, worker: _Worker) -> None:
        self._idle.put_nowait((worker.in_hand, next(self._arrivals), worker))

    def _give_back(self, worker: _Worker, answer: asyncio.Future[Any] | None) -> None:
        """Free the slot a page had in `worker`, replacing the worker first when the page
        killed it or it has analysed its share."""
        worker.analysed += 1
        worker.in_hand -= 1
        if worker.successor is None:
            if worker.killed or not _finished_cleanly(answer):
                worker.killed = True
                worker.stop(kill=True)
                self._live.discard(worker)
            elif worker.analysed >= self.recycle_after:
                worker.retire()  # live until the page behind this one is done
            else:
                self._free(worker)
                return
            worker.successor = _Worker(self.config, self._context)
            self._live.add(worker.successor)
        if worker.last is None or worker.last.done():
            self._live.discard(worker)
        # The slot passes to the worker that replaced this one (its successor's, if that
        # one has been replaced in turn).
        while worker.successor is not None:
            worker = worker.successor
        self._free(worker)

    def _stop_workers(self) -> None:
        for worker in self._live:
            worker.stop(kill=True)
        self._live.clear()

    def close(self) -> None:
        """Stop the worker processes at once: an idle one holds nothing to keep, and
        waiting for each to wind down kept a crawl stopped with Ctrl-C waiting seconds."""
        self._stop_workers()
        if self.workers and self._context.get_start_method() == "forkserver":
            # With its workers gone, the forkserver's copy of the rules and word lists is
            # shared with no one: it must not sit through the site and report stages.
            multiprocessing.forkserver._forkserver._stop()


def _finished_cleanly(answer: asyncio.Future[Any] | None) -> bool:
    """Whether the task ran to an end (a result, or an exception it raised) in a worker
    that can take the next page."""
    return (
        answer is not None
        and answer.done()
        and not answer.cancelled()
        and not isinstance(answer.exception(), _WorkerLost)
    )
