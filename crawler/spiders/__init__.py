"""The crawl's one spider lives in `crawler.spiders.site`."""
