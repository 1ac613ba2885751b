"""Scrapy settings for the siteaudit crawler.

Few settings, each with its reason. The CLI overrides the crawl-shaping ones (concurrency,
delay, timeout, size limit) at `cmdline` priority from the audit's configuration; these are
the values `scrapy crawl site -a start_url=URL` runs with.
"""

from audits import USER_AGENT

BOT_NAME = "siteaudit"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Identify ourselves, and obey robots.txt under that name.
USER_AGENT = USER_AGENT
ROBOTSTXT_OBEY = True

# An audit of one's own site can go faster than Scrapy's project template (one request at
# a time, 1 s apart, under 1 page/s) while staying polite: a few requests per host at once.
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 8
DOWNLOAD_DELAY = 0
DOWNLOAD_TIMEOUT = 15

# Breadth-first: shallow pages first, first come first served within a depth. The spider
# sets each request's priority from its click depth.
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"

# Every status is data for an audit: callbacks see 404s and 500s too.
HTTPERROR_ALLOW_ALL = True
# The spider follows redirects itself (crawler/redirects.py), to record chains and keep
# off-site targets to a status check; a chain longer than this is recorded as an error.
REDIRECT_ENABLED = False
METAREFRESH_ENABLED = False
REDIRECT_MAX_TIMES = 10
# Network errors get one more try; HTTP errors are retried by crawler/retries.py, with
# waits and Retry-After honoured, which Scrapy's immediate retries don't do.
RETRY_TIMES = 1
RETRY_HTTP_CODES: list[int] = []

# Huge responses and decompression bombs are abandoned, not held in memory.
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 0

# Nothing here needs a session; the telnet console and remote control are needless open
# ports.
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# Responses downloaded and waiting for their callback (mostly for a page worker's
# analysis) are held in memory up to about this many bytes of bodies before the engine
# stops taking more requests from the scheduler. The page workers, not the network, set
# the crawl's pace, so Scrapy's 5 MB (600 pages of a generated site, each with its own
# callback's deferreds and generators) only raised the crawl's peak working set, which
# Python's allocator keeps after the crawl: at 1 MB, a 2,000-page audit's process
# peaked at 120-122 MB instead of 135-136, with the same CPU.
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 1_000_000

# Scrapy starts this many tasks for every response's output, besides one filling their
# queue; our pipeline is synchronous, so a second only costs event-loop time (the default
# of 100 cost ~15% of the crawl's CPU). With one, a callback's requests and items are
# also handled in the order it yields them.
CONCURRENT_ITEMS = 1

# Spider middlewares that would work on every request for nothing:
SPIDER_MIDDLEWARES = {
    # the spider tracks click depth and sets priorities itself (this was about a tenth
    # of the crawl's CPU);
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    # no Referer header: other hosts are not told the addresses of the site's pages (a
    # staging site's among them);
    "scrapy.spidermiddlewares.referer.RefererMiddleware": None,
    # the scope (crawler/scope.py) decides which URLs are crawled;
    "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None,
    # a development aid that compares every request's meta with its response's;
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
    # it marks the start requests, and passes every callback's output through a layer
    # of asynchronous generators to do it: the spider marks them itself (SiteSpider.start).
    "scrapy.spidermiddlewares.start.StartSpiderMiddleware": None,
}

# Staging credentials are added by our own middleware, which knows the site's scope;
# Scrapy's basic-auth middleware is not needed.
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
    # The scope (crawler/scope.py) decides which hosts are crawled: the spider names no
    # allowed_domains, and Scrapy's offsite filter would look at every request for nothing.
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    # Scrapy's robots.txt middleware lets requests that wait for a host's robots.txt
    # together go out unchecked; ours makes each of them wait (crawler/middlewares.py).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.RobotsTxt": 100,
    "crawler.middlewares.StagingCredentials": 450,
    # Scrapy's decompression, a gzipped page inflated in one call (crawler/middlewares.py).
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "crawler.middlewares.Decompression": 590,
    # Requests and responses counted, without working out each one's size in bytes
    # (crawler/stats.py).
    "scrapy.downloadermiddlewares.stats.DownloaderStats": None,
    "crawler.stats.RequestCounts": 850,
}

# What the audit configures, set by the CLI from `[crawl]` (these are its defaults):
# server errors and rate limits retried, with Retry-After waits up to a limit
# (crawler/retries.py); the site's own hosts' concurrency and delay, and the longest
# robots.txt Crawl-delay honoured there (crawler/throttle.py).
SITEAUDIT_RETRIES = 2
SITEAUDIT_MAX_RETRY_AFTER = 30.0
SITEAUDIT_CONCURRENCY = 8
SITEAUDIT_DELAY = 0.0
SITEAUDIT_MAX_CRAWL_DELAY = 10.0

# Parses each HTML page and runs the page rules on it, in worker processes beside the
# crawler's (crawler/analyser.py says what the spider asks of it).
SITEAUDIT_PAGE_ANALYSER = "audits.stages.pages.PageStage"

# Connections to the site are kept open for reuse, as many as its concurrency; Scrapy's
# own handler keeps CONCURRENT_REQUESTS_PER_DOMAIN, the external allowance
# (crawler/connections.py).
DOWNLOAD_HANDLERS = {
    "http": "crawler.connections.KeepAliveDownloadHandler",
    "https": "crawler.connections.KeepAliveDownloadHandler",
}

# Each host held to its concurrency: Scrapy 2.19's slots let a burst past it
# (crawler/downloader.py).
DOWNLOADER = "crawler.downloader.PoliteDownloader"

ITEM_PIPELINES = {"crawler.pipelines.StorePipeline": 300}
# Progress lines; on Ctrl-C, requests queued in the downloader are dropped, not fetched.
EXTENSIONS = {
    "crawler.progress.Progress": 500,
    "crawler.prompt_stop.PromptStop": 500,
    # The crawl's start, end and reason, without a signal receiver counting every response
    # and item (crawler/stats.py); the per-minute log line of those counts goes with it.
    "scrapy.extensions.corestats.CoreStats": None,
    "scrapy.extensions.logstats.LogStats": None,
    "crawler.stats.CrawlTimes": 0,
}
# Statistics kept without Scrapy's wrapping of every call (crawler/stats.py).
STATS_CLASS = "crawler.stats.CrawlStats"

LOG_LEVEL = "INFO"
# Scrapy builds a DEBUG record for every response and item, even when LOG_LEVEL drops it.
LOG_FORMATTER = "crawler.logformatter.QuietLogFormatter"
