"""Fake browsers for the browser pool's tests: each plays a script of crashes, timeouts
and hangs, so the pool's restarts and deadlines are tested without Chromium."""

from __future__ import annotations

import threading
import time

from audits.stages.browser import (
    BrowserCrashed,
    BrowserPool,
    BrowserSettings,
    PageCheck,
    PageTimeout,
    ScreenshotPlanner,
)
from rules.analyses.axe_results import VIOLATION, AxeNode


class FakeBrowser:
    """Plays a script: url -> what happens on each visit ("ok", "crash", "timeout", or
    "hang" until killed, when the call fails as one to a killed chromedriver does)."""

    def __init__(self, script: dict[str, list[str]], log: list[tuple[int, str, str]]) -> None:
        self.script = script
        self.log = log
        self.closed = False
        self.killed = threading.Event()

    def check(self, url: str, planner: ScreenshotPlanner | None) -> PageCheck:
        time.sleep(0.005)  # long enough for the other threads to take pages too
        plays = self.script.get(url, [])
        outcome = plays.pop(0) if plays else "ok"
        self.log.append((id(self), url, outcome))
        if outcome == "crash":
            raise BrowserCrashed("tab crashed")
        if outcome == "timeout":
            raise PageTimeout("the page did not finish loading within 1 s")
        if outcome == "hang":
            assert self.killed.wait(60), "nothing killed the hung browser"
            raise BrowserCrashed("Connection refused")
        node = AxeNode(url, VIOLATION, "image-alt", "critical", ("1.1.1",), "h", "u", "img", "", "")
        return PageCheck(url, [(node, None)])

    def kill(self) -> None:
        self.killed.set()

    def quit(self) -> None:
        self.closed = True


def fake_settings(
    workers: int = 1, recycle_after: int = 300, page_deadline: float = 60
) -> BrowserSettings:
    """Browser settings for fake browsers: nothing to locate, a 1 s page timeout."""
    return BrowserSettings(
        axe_source="",
        axe_version="4.14.1",
        chromium="",
        chromedriver="",
        workers=workers,
        page_timeout=1,
        page_deadline=page_deadline,
        max_dom_elements=50_000,
        recycle_after=recycle_after,
        axe_options={},
    )


def run_pool(
    urls: list[str], script: dict[str, list[str]], **settings: float
) -> tuple[dict[str, PageCheck], list[FakeBrowser], list[tuple[int, str, str]]]:
    """Check `urls` with a pool of `FakeBrowser`s playing `script`; return the checks by
    URL, every browser launched, and the log of (browser, url, outcome) visits."""
    log: list[tuple[int, str, str]] = []
    browsers: list[FakeBrowser] = []
    lock = threading.Lock()

    def launch(_: BrowserSettings) -> FakeBrowser:
        with lock:
            browsers.append(FakeBrowser(script, log))
            return browsers[-1]

    pool = BrowserPool(fake_settings(**settings), launcher=launch)
    results = {check.url: check for check in pool.check(urls)}
    return results, browsers, log
