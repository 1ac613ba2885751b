"""Benchmark: the floor of a Scrapy crawl, beside siteaudit's links-only audit.

What a link check can cost while staying on Scrapy: a bare spider (the same Scrapy, the
same keep-alive concurrency as the audit, no rules, links pulled out with lxml, every
URL seen once by a set) crawls the same generated council site as a links-only
`siteaudit audit` and the harness's aiohttp + lxml floor (../shared/bench/floor.py), one
after the other, and each prints its CPU milliseconds per page and pages per second:

- `scrapy-bare`: Scrapy's default components, only concurrency, keep-alive and the
  dupe filter set (every URL is looked up in the spider's set instead);
- `scrapy-lean`: the same spider with siteaudit's trims of Scrapy (crawler/settings.py:
  spider middlewares, stats, CONCURRENT_ITEMS, the garbage collector's threshold);
- `siteaudit-links`: `siteaudit audit` with every rule outside the links category off,
  as `make bench` runs it (page workers parse the pages, the site and report stages run);
- `aiohttp`: the harness's floor crawler, no Scrapy at all (32 requests in flight, as
  the harness runs it).

CPU is the user + system time of each tool's whole process tree (each process sampled
until it ends: benchmarks/crawl.run_measured), so it means something on a shared
machine; pages/s only in a quiet moment.
The bare spider also prints the CPU its parsing and link extraction took
(`parse_ms_per_page`, in its one process): without it, what Scrapy itself costs a page.
Run it in turns with a change and without.

    .venv/bin/python benchmarks/scrapy_floor.py --pages 2000 [--pages 10000]
        [--tools scrapy-bare,scrapy-lean,siteaudit-links,aiohttp] [--repeat 2]
        [--port 8088 --ext-port 8089] [--concurrency 64]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.crawl import (
    BENCH,
    bench_config,
    ensure_site,
    run_measured,
    start_serving,
    stop_serving,
)

TOOLS = ("scrapy-bare", "scrapy-lean", "siteaudit-links", "aiohttp")
# The elements whose targets siteaudit's link rules check (and the harness's floor reads).
XPATH = (
    "//a/@href | //area/@href | //link/@href | //img/@src | //script/@src | //iframe/@src"
    " | //form/@action"
)
# Targets fetched with GET and parsed when they are the site's own HTML; the others HEAD.
_FILE_SUFFIXES = (".pdf", ".css", ".js", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".ico")


# -- the bare spider (run in a process of its own: `--spider URL`) ----------------------


def floor_settings(concurrency: int, *, lean: bool) -> dict[str, Any]:
    """The bare spider's Scrapy settings: the audit's concurrency and keep-alive pool, and
    with `lean` siteaudit's trims of Scrapy's components."""
    settings: dict[str, Any] = {
        "CONCURRENT_REQUESTS": max(32, concurrency * 2),
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "DOWNLOAD_DELAY": 0,
        "ROBOTSTXT_OBEY": False,
        "HTTPERROR_ALLOW_ALL": True,
        "REDIRECT_ENABLED": False,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "INFO",
        "DOWNLOAD_HANDLERS": {
            "http": "crawler.connections.KeepAliveDownloadHandler",
            "https": "crawler.connections.KeepAliveDownloadHandler",
        },
    }
    if lean:
        from crawler import settings as audit

        settings.update(
            {
                "CONCURRENT_ITEMS": audit.CONCURRENT_ITEMS,
                "SPIDER_MIDDLEWARES": audit.SPIDER_MIDDLEWARES,
                "DOWNLOADER_MIDDLEWARES": {
                    **{k: v for k, v in audit.DOWNLOADER_MIDDLEWARES.items() if v is None},
                    "crawler.stats.RequestCounts": 850,
                    # Scrapy's decompression is off above: the lean one stands in for it.
                    "crawler.middlewares.Decompression": 590,
                },
                "EXTENSIONS": {
                    "scrapy.extensions.corestats.CoreStats": None,
                    "scrapy.extensions.logstats.LogStats": None,
                    "crawler.stats.CrawlTimes": 0,
                },
                "STATS_CLASS": audit.STATS_CLASS,
                "LOG_FORMATTER": audit.LOG_FORMATTER,
                "DOWNLOADER": audit.DOWNLOADER,
            }
        )
    return settings


def run_spider(start: str, concurrency: int, *, lean: bool, out: Path) -> None:
    """Crawl the site from `start` with the bare spider; write pages and URLs to `out`."""
    import lxml.html
    import scrapy
    from scrapy.crawler import AsyncCrawlerProcess

    first = start
    origin = urlsplit(first).netloc

    class FloorSpider(scrapy.Spider):
        name = "floor"
        pages = 0
        parse_s = 0.0
        seen: set[str] = {first}  # one spider per process

        async def start(self):  # type: ignore[no-untyped-def,override]
            yield scrapy.Request(first, callback=self.parse_page, dont_filter=True)

        def parse_page(self, response):  # type: ignore[no-untyped-def]
            kind = response.headers.get(b"Content-Type", b"")
            if response.status >= 300 or not kind.startswith(b"text/html"):
                return
            FloorSpider.pages += 1
            base = response.url
            seen = self.seen
            started = time.thread_time()
            found = []
            for href in lxml.html.document_fromstring(response.body).xpath(XPATH):
                url = urldefrag(urljoin(base, href.strip()))[0]
                if url.startswith(("http://", "https://")):
                    found.append(url)
            FloorSpider.parse_s += time.thread_time() - started
            for url in found:
                if url in seen:
                    continue
                seen.add(url)
                own = urlsplit(url).netloc == origin
                if own and not url.lower().endswith(_FILE_SUFFIXES):
                    yield scrapy.Request(url, callback=self.parse_page, dont_filter=True)
                else:
                    yield scrapy.Request(
                        url, method="HEAD", callback=self.checked, dont_filter=True
                    )

        def checked(self, response):  # type: ignore[no-untyped-def]
            return None

    if lean:
        gc.freeze()
        gc.set_threshold(50_000, *gc.get_threshold()[1:])
    process = AsyncCrawlerProcess(floor_settings(concurrency, lean=lean))
    process.crawl(FloorSpider)
    process.start()
    pages, parsing = FloorSpider.pages, FloorSpider.parse_s
    out.write_text(json.dumps({"pages": pages, "urls": len(FloorSpider.seen), "parse_s": parsing}))


# -- the runs ---------------------------------------------------------------------------


def measured(cmd: list[str]) -> tuple[float, float]:
    """Run a command; (wall seconds, CPU seconds of every process of its tree, page workers
    included: they are the forkserver's children, which RUSAGE_CHILDREN leaves out)."""
    result = run_measured(cmd)
    return result["wall_s"], result["cpu_s"]


def run_tool(tool: str, start: str, pages: int, concurrency: int, work: Path) -> dict[str, Any]:
    """One run of one tool: pages, wall and CPU seconds."""
    out = work / f"{tool}.json"
    python = sys.executable
    extra: dict[str, Any] = {}
    if tool in ("scrapy-bare", "scrapy-lean"):
        cmd = [python, __file__, "--spider", start, "--concurrency", str(concurrency)]
        cmd += ["--spider-out", str(out)] + (["--lean"] if tool == "scrapy-lean" else [])
        wall, cpu = measured(cmd)
        spider = json.loads(out.read_text())
        crawled = spider["pages"]
        # Parsing and link extraction, in the crawl's own process here: what page workers
        # take off the crawl process in siteaudit.
        extra["parse_ms_per_page"] = round(1000 * spider["parse_s"] / crawled, 2)
    elif tool == "siteaudit-links":
        config = work / "links.toml"
        config.write_text(bench_config(pages, links_only=True))
        shutil.rmtree(work / "audit", ignore_errors=True)
        cmd = [str(Path(python).parent / "siteaudit"), "audit", start, "--config", str(config)]
        cmd += ["--out", str(work / "audit"), "--concurrency", str(concurrency)]
        cmd += ["--quiet", "--no-browser", "--no-plugins"]
        wall, cpu = measured(cmd)
        crawled = json.loads((work / "audit" / "findings.json").read_text())["run"]["pages"]
    elif tool == "aiohttp":
        cmd = [python, str(BENCH / "floor.py"), start, "--concurrency", "32"]
        wall, cpu = measured([*cmd, "--out", str(out)])
        crawled = json.loads(out.read_text())["pages"]
    else:
        raise ValueError(f"unknown tool {tool!r}: one of {', '.join(TOOLS)}")
    return {
        "tool": tool,
        "pages": crawled,
        "cpu_ms_per_page": round(1000 * cpu / crawled, 2),
        "pages_per_s": round(crawled / wall, 1),
        "cpu_s": round(cpu, 2),
        "wall_s": round(wall, 1),
        **extra,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, action="append", help="site size (repeatable)")
    parser.add_argument("--tools", default=",".join(TOOLS))
    parser.add_argument("--repeat", type=int, default=1, help="runs of each tool, in turns")
    parser.add_argument("--concurrency", type=int, default=64, help="as `make bench` runs")
    parser.add_argument("--port", type=int, default=8088)
    parser.add_argument("--ext-port", type=int, default=8089, help="the external host's port")
    args = parser.parse_args()

    tools = [tool.strip() for tool in args.tools.split(",") if tool.strip()]
    results = []
    for pages in args.pages or [2000]:
        start_serving(ensure_site(pages, args.ext_port), args.port, args.ext_port)
        work = Path(tempfile.mkdtemp(prefix="siteaudit-scrapy-floor-"))
        try:
            for turn in range(args.repeat):
                for tool in tools:
                    start = f"http://127.0.0.1:{args.port}/"
                    row = run_tool(tool, start, pages, args.concurrency, work)
                    row |= {"site_pages": pages, "turn": turn + 1}
                    row["load1"] = round(os.getloadavg()[0], 1)
                    print(json.dumps(row), flush=True)
                    results.append(row)
        finally:
            stop_serving(args.port)
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--spider"]:
        spider_args = argparse.ArgumentParser()
        spider_args.add_argument("--spider", required=True)
        spider_args.add_argument("--concurrency", type=int, default=64)
        spider_args.add_argument("--spider-out", type=Path, required=True)
        spider_args.add_argument("--lean", action="store_true")
        given = spider_args.parse_args()
        # Not this folder: its incremental.py would hide Twisted's `incremental` package.
        here = Path(__file__).resolve().parent
        sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
        run_spider(given.spider, given.concurrency, lean=given.lean, out=given.spider_out)
    else:
        main()
