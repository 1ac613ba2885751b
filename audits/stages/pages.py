"""The page stage: parse an HTML page once, extract its links, run every page rule on it.

This is the CPU-heavy half of a crawl (parsing, readability scores), so it runs in worker
processes beside the crawler's own: `PageStage` hands pages to a process pool and the
spider awaits the result, which keeps both cores busy. `workers=0` runs it inline.
`PageStage` is the crawl's page analyser (crawler/analyser.py), the component the
SITEAUDIT_PAGE_ANALYSER setting names.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import io
import itertools
import multiprocessing
import multiprocessing.forkserver
import os
import signal
import sys
import warnings
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any

from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)

from audits.core.children import exit_with_parent, parent_pid
from audits.core.config import AuditConfig
from audits.rule_engine import RuleEngine, rule_engine
from crawler.analyser import AnalysisError, PageAnalysis, PdfReading, link_fields
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

    An empty `encoding` is worked out here from the body and the Content-Type in
    `headers` (`sniffed_encoding`), off the crawler's busy event loop.
    `main_selectors` locate the main content in unusual templates (`[content]` config).
    """
    html = decode(body, encoding or sniffed_encoding(body, headers.get("content-type", "")))
    if len(html) > _MAX_HTML_CHARS:
        html = html[:_MAX_HTML_CHARS]
    page = Page(url=url, html=html, headers=headers, depth=depth, main_selectors=main_selectors)
    checked = engine.check_page(page)
    return PageAnalysis(
        title=page.title[:500],
        lang=page.lang[:35],
        content_hash=content_hash(body),
        links=link_fields(page.links),
        findings=checked.findings,
        facts=checked.facts,
        rule_errors=checked.errors,
    )


def content_hash(body: bytes) -> str:
    """A short fingerprint of a page's bytes (the same bytes, the same page)."""
    return hashlib.blake2b(body, digest_size=16).hexdigest()


def sniffed_encoding(body: bytes, content_type: str) -> str:
    """The encoding a page served with this Content-Type header is read in, named as
    Scrapy's TextResponse.encoding names it: a byte order mark, else the header's charset,
    else the page's own declaration (a <meta charset>), else what the bytes decode as:
    ASCII (read as windows-1252, as browsers do), UTF-8, or charset_normalizer's guess;
    "ascii" when nothing fits."""
    return (
        read_bom(body)[0]
        or http_content_type_encoding(content_type)
        or html_body_declared_encoding(body)
        or _detected_encoding(body)
    )


def _detected_encoding(body: bytes) -> str:
    for candidate in ("ascii", "utf-8"):
        try:
            body.decode(candidate)
        except UnicodeError:
            continue
        return resolve_encoding(candidate) or candidate
    from charset_normalizer import from_bytes  # imported here: few pages get this far

    match = from_bytes(body).best()
    return (resolve_encoding(match.encoding) if match else None) or "ascii"


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


class _Worker:
    """One page worker process, in an executor of its own: a page stuck in it can be
    killed without losing the pages the other workers are analysing."""

    def __init__(self, config: AuditConfig, context: multiprocessing.context.BaseContext) -> None:
        self.pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=context,
            initializer=_init_worker,
            initargs=(config, os.getpid()),
        )
        self.ready = self.pool.submit(os.getpid)
        """The worker's pid, once it is started and warmed up."""
        self.analysed = 0
        """How many pages and PDFs it has been given."""
        self.last: Future[Any] | None = None
        """The last page or PDF handed to it: the next one waits behind it."""
        self.killed = False
        """Killed because a page in it took too long (or it broke): the page queued behind
        that one is not at fault, and is analysed again in another worker."""
        self.successor: _Worker | None = None
        """The worker that replaced this one (killed or retired), once there is one."""
        self.in_hand = 0
        """How many pages it holds now (at most PageStage.SLOTS)."""

    def stop(self, *, kill: bool = False) -> None:
        """Stop the process: at once with `kill`, else once it is idle."""
        if kill and self.ready.done() and self.ready.exception() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.ready.result(), signal.SIGKILL)
        self.pool.shutdown(wait=not kill, cancel_futures=True)

    def retire(self) -> None:
        """Let the idle process end, without waiting for it."""
        self.pool.shutdown(wait=False)


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
            task: Future[Any] | None = None
            try:
                if not worker.ready.done():
                    await asyncio.wrap_future(worker.ready)
                worker.ready.result()  # raises as the worker's start did
                ahead = worker.last
                task = worker.last = worker.pool.submit(function, *args)
                if ahead is not None and not ahead.done():
                    # This page's time starts when the page ahead of it in the worker ends.
                    await asyncio.wait([asyncio.wrap_future(ahead)])
                # asyncio.timeout, not wait_for: no task of its own made for every page.
                async with asyncio.timeout(timeout):
                    return await asyncio.wrap_future(task)
            except TimeoutError:
                raise PageTooLargeError(f"too large to analyse in {timeout:g} s") from None
            except (BrokenProcessPool, asyncio.CancelledError) as exc:
                lost_in_queue = task is not None and (
                    task.cancelled() or isinstance(exc, BrokenProcessPool)
                )
                if lost_in_queue and worker.killed and not retried:
                    # The page ahead of this one was too slow (or crashed) and took the
                    # worker with it: this page is analysed again in the replacement.
                    retried = True
                    continue
                if isinstance(exc, asyncio.CancelledError):
                    raise
                # A worker died (out of memory, a crashing C extension): the crawl goes on
                # without this page's analysis.
                raise PageStageError(
                    "page analysis crashed its worker process; page skipped"
                ) from None
            finally:
                self._give_back(worker, task)

    def _start_worker(self) -> None:
        worker = _Worker(self.config, self._context)
        self._live.add(worker)
        for _ in range(self.SLOTS):
            self._free(worker)

    def _free(self, worker: _Worker) -> None:
        self._idle.put_nowait((worker.in_hand, next(self._arrivals), worker))

    def _give_back(self, worker: _Worker, task: Future[Any] | None) -> None:
        """Free the slot a page had in `worker`, replacing the worker first when the page
        killed it or it has analysed its share."""
        worker.analysed += 1
        worker.in_hand -= 1
        if worker.successor is None:
            if worker.killed or not _finished_cleanly(task):
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

    def close(self) -> None:
        """Stop the worker processes at once: an idle one holds nothing to keep, and
        waiting for each to wind down kept a crawl stopped with Ctrl-C waiting seconds."""
        for worker in self._live:
            worker.stop(kill=True)
        self._live.clear()
        if self.workers and self._context.get_start_method() == "forkserver":
            # With its workers gone, the forkserver's copy of the rules and word lists is
            # shared with no one: it must not sit through the site and report stages.
            multiprocessing.forkserver._forkserver._stop()


def _finished_cleanly(task: Future[Any] | None) -> bool:
    """Whether the task ran to an end in a worker that can take the next page."""
    return (
        task is not None
        and task.done()
        and not task.cancelled()
        and not isinstance(task.exception(), BrokenProcessPool)
    )
