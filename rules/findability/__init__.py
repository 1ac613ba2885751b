"""Findability: how the site's pages show in search engines, where most residents start."""
