"""siteaudit: audit a website against a digital-first council strategy."""

__version__ = "0.1.0"
PROJECT_URL = "https://github.com/siteaudit/siteaudit"
USER_AGENT = f"siteaudit/{__version__} (+{PROJECT_URL})"
