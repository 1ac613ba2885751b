"""Rules about links: broken, redirected, unverified or malformed links, missing anchors, soft 404s and crawl traps."""
