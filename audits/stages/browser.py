"""The browser stage: axe-core in headless Chromium on every crawled HTML page.

After the crawl, every page that answered 200 with HTML is loaded in a pool of headless
Chromium browsers driven through Selenium, one thread per browser (Selenium's calls block,
and Chromium does the work in its own processes). axe-core is injected into every new
document over the DevTools protocol before the page's own scripts run, then run with a
small script that passes its options as JSON and always answers, so an axe-core error is
reported at once instead of as a script timeout. Images, fonts and media are never
fetched: axe-core needs the DOM and the styles, not the pixels.

What axe-core flags is stored per page (`Store.add_browser_result`); the rules
`axe-violation`, `axe-needs-review` and `browser-audit-error` turn it into findings with
the other site rules. A page whose content is unchanged since the previous run, checked
by the same axe-core with the same options, reuses the stored result without a browser.

Without axe-core or Chromium the stage says so in one line on stderr and the audit goes
on without it.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from audits.core.children import preexec_exit_with_parent, process_tree
from audits.core.config import AAA_AXE_TAGS, BrowserConfig
from audits.core.coverage import SETUP_COMMAND
from audits.core.credentials import CredentialScope
from audits.core.progress import (
    LIVE_INTERVAL,
    LOG_INTERVAL,
    browser_line,
    clear_line,
    write_line,
)
from audits.core.userdata import installed_axe
from audits.stages.browser_checks import (
    CHECKS_SCRIPT,
    OWN_CHECKS_VERSION,
    answered,
    checks_arguments,
    parse_checks,
)
from audits.stages.browser_contrast import (
    CONTRAST_RULES,
    needs_pictures,
    resolve_contrast,
)
from audits.stages.browser_credentials import BrowserCredentials, CredentialsUnavailable
from audits.stages.browser_names import LABEL_IN_NAME, drop_icon_font_labels
from audits.stages.browser_review import (
    REVIEW_SCRIPT,
    REVIEW_VERSION,
    decide,
    found_beyond,
    review_arguments,
)
from rules.analyses.axe_results import (
    INCOMPLETE,
    VIOLATION,
    AxeNode,
    template_key,
    wcag_criteria,
)

if TYPE_CHECKING:
    from audits.store import Store

REPO_ROOT = Path(__file__).resolve().parents[2]
VENDOR_AXE = REPO_ROOT / "vendor" / "node_modules" / "axe-core" / "axe.min.js"
"""Where `make setup` installs the pinned axe-core in a checkout."""
AXE_ENV = "SITEAUDIT_AXE"
"""Environment variable naming axe.min.js (the config's `[browser] axe_path` wins)."""

# Debian's real binary first: /usr/bin/chromium is a wrapper script that adds its own
# flags. Then the usual places of other systems' packages, before the PATH.
CHROMIUM_PATHS = (
    "/usr/lib/chromium/chromium",
    "/usr/lib64/chromium-browser/chromium-browser",
    "/snap/bin/chromium",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
)
CHROMEDRIVER_PATHS = (
    "/usr/bin/chromedriver",
    "/usr/lib/chromium/chromedriver",
    "/snap/bin/chromium.chromedriver",
    "/opt/homebrew/bin/chromedriver",
    "/usr/local/bin/chromedriver",
)

HOW_TO_GET_AXE = f"run `{SETUP_COMMAND}` (or set [browser] axe_path or $SITEAUDIT_AXE)"
HOW_TO_GET_CHROMIUM = f"run `{SETUP_COMMAND}` to find them or learn how to install them"

# Headless, and off the internet: no updates, sync, extensions or Google services.
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-extensions",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-default-apps",
    "--mute-audio",
    "--window-size=1280,1024",
    # Without this Chromium still looks up accounts.google.com and its update hosts.
    "--host-resolver-rules=MAP *.google.com ~NOTFOUND, MAP *.googleapis.com ~NOTFOUND, "
    "MAP *.gvt1.com ~NOTFOUND",
)

# What axe-core does not need: images, fonts and media (with or without a query string).
_IMAGES = ("png", "jpg", "jpeg", "gif", "webp", "avif", "bmp", "ico", "svg", "tif", "tiff")
_FONTS = ("woff", "woff2", "ttf", "otf", "eot")
_MEDIA = ("mp4", "webm", "ogg", "ogv", "mp3", "wav", "m4a", "m4v", "mov", "avi", "flac")


def _url_patterns(extensions: Sequence[str]) -> tuple[str, ...]:
    return tuple(pattern for ext in extensions for pattern in (f"*.{ext}", f"*.{ext}?*"))


IMAGE_URLS = _url_patterns(_IMAGES)
MEDIA_URLS = _url_patterns(_MEDIA)
BLOCKED_URLS = IMAGE_URLS + _url_patterns(_FONTS) + MEDIA_URLS
FRAME_PING_MS = 500
"""How long axe-core waits for a frame to answer before skipping it (another site's
embed has no axe-core to answer)."""

# Runs axe-core on the document and always calls back: with the results, trimmed to what
# is stored, or with the error (a rejected promise must not become a 30 s script timeout).
# A document with more elements than the limit is not checked: axe-core's time grows with
# it, and counting them here costs no extra round trip.
AXE_RUNNER = """
const done = arguments[arguments.length - 1];
const [options, maxElements, embedded] = arguments;
if (!window.axe || typeof window.axe.run !== 'function') {
  done({error: 'axe-core was not loaded into the page'});
  return;
}
const elements = document.getElementsByTagName('*').length;
if (elements > maxElements) {
  done({elements: elements});
  return;
}
if (embedded) {
  const wanted = EMBEDDED(document);
  if (wanted.objects.length || wanted.media.length) {
    done({load: {objects: wanted.objects.length, media: wanted.media.length}});
    return;
  }
}
// An element behind an open modal dialog (or in an [inert] subtree) cannot be reached with
// the keyboard, nor can anything in a frame that is: a focus rule's failure there is a false
// alarm (ACT akn7bn). A target's first step is in this document (the frame, for a frame's).
const modal = document.querySelector(':modal');
const inert = (target) => {
  const element = typeof target[0] === 'string' ? document.querySelector(target[0]) : null;
  return !!element && (!!element.closest('[inert]') || (!!modal && !modal.contains(element)));
};
const reachable = (rule, node) => !(rule.id === 'frame-focusable-content' && inert(node.target));
const trim = (results) => results.map((rule) => ({
  id: rule.id, impact: rule.impact, tags: rule.tags, help: rule.help, helpUrl: rule.helpUrl,
  nodes: rule.nodes.filter((node) => reachable(rule, node)).map((node) => ({
    impact: node.impact, target: node.target, html: node.html,
    failureSummary: node.failureSummary,
  })),
}));
window.axe.run(document, options)
  .then((r) => done({version: r.testEngine.version, violations: trim(r.violations),
                     incomplete: trim(r.incomplete)}))
  .catch((e) => done({error: String((e && e.message) || e)}));
"""

# What a rule needs loaded that the browser blocked, in the page and its same-origin frames:
# an <object> showing an image (object-alt checks only objects that rendered their data,
# not their fallback) and autoplaying media (no-autoplay-audio needs their duration).
_EMBEDDED = """
const EMBEDDED = (top) => {
  const docs = [];
  const visit = (doc) => {
    docs.push(doc);
    for (const frame of doc.querySelectorAll('iframe, frame')) {
      try { if (frame.contentDocument) visit(frame.contentDocument); } catch (e) { /* other origin */ }
    }
  };
  visit(top);
  const all = (selector) => docs.flatMap((doc) => [...doc.querySelectorAll(selector)]);
  return {
    objects: all('object[data]'),
    media: all('video[autoplay], audio[autoplay]').filter((m) => m.readyState === 0),
  };
};
"""
AXE_RUNNER = _EMBEDDED + AXE_RUNNER

# Loads them once the blocks are lifted: each object is replaced by a copy of itself (which
# fetches its data), each medium's metadata is loaded; gives up after 3 s.
_LOAD_EMBEDDED = (
    _EMBEDDED
    + """
const done = arguments[arguments.length - 1];
const wanted = EMBEDDED(document);
const loaded = (element, events) => new Promise((resolve) => {
  for (const name of events) element.addEventListener(name, resolve, {once: true});
});
const waits = [];
for (const object of wanted.objects) {
  const copy = object.cloneNode(true);
  waits.push(loaded(copy, ['load', 'error']));
  object.replaceWith(copy);
}
for (const medium of wanted.media) {
  waits.push(loaded(medium, ['loadedmetadata', 'error']));
  medium.load();
}
Promise.race([Promise.all(waits), new Promise((r) => setTimeout(r, 3000))]).then(() => done(true));
"""
)

# Loads the images in and around an element again (they were blocked), for its screenshot;
# gives up after 3 s.
_LOAD_IMAGES = """
const element = arguments[0];
const done = arguments[arguments.length - 1];
const images = [element, ...element.querySelectorAll('img')].filter((e) => e.tagName === 'IMG');
const loads = images.map((img) => {
  const src = img.getAttribute('src');
  if (src) { img.removeAttribute('src'); img.setAttribute('src', src); }
  return img.decode().catch(() => null);
});
Promise.race([Promise.all(loads), new Promise((r) => setTimeout(r, 3000))]).then(() => done(true));
"""

NOTHING_TO_REVIEW = frozenset({"css-orientation-lock"})
"""axe-core rules whose "needs review" says nothing a person could check: css-orientation-lock
cannot decide on every document without a stylesheet (a bare page, a `srcdoc` frame)."""
_AXE_HEADER = re.compile(r"axe v(\d+\.\d+\.\d+)")
# Elements that stand for the whole page (a missing title or lang): no picture to take.
_PAGE_TARGETS = frozenset({"html", "body", "head", "title"})
SETTLED_RULES = CONTRAST_RULES | {LABEL_IN_NAME}
"""axe-core rules whose findings our checks look at again after it."""
SETTLED_VERSION = 1
"""Stored with each page's result: a page whose findings an older version of those checks
settled is checked again rather than reused."""


class BrowserUnavailable(Exception):
    """The browser stage cannot run (or, `stopped`, cannot go on): `reason` says why,
    `how` how to mend it, and `fix` is the one command that finds or installs what is
    missing (or None). The message is the one line made of them."""

    def __init__(
        self,
        reason: str,
        how: str = "",
        fix: str | None = SETUP_COMMAND,
        *,
        stopped: bool = False,
    ) -> None:
        self.reason = reason
        self.detail = f"{reason}; {how}" if how else reason
        """The reason and how to mend it: the message without its "browser stage ..." start."""
        self.fix = fix
        line = f"browser stage {'stopped' if stopped else 'skipped'}"
        super().__init__(f"{line}: {self.detail}" if reason else line)


class PageTimeout(Exception):
    """The page did not load, or axe-core did not finish, within the page timeout."""


class BrowserCrashed(Exception):
    """The browser (or chromedriver) stopped answering; restart it and try again."""


# -- settings ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BrowserSettings:
    """Everything a browser in the pool needs, resolved from the config."""

    axe_source: str
    axe_version: str
    chromium: str
    chromedriver: str
    workers: int
    page_timeout: float
    page_deadline: float
    max_dom_elements: int
    recycle_after: int
    axe_options: Mapping[str, Any]
    blocked: tuple[str, ...] = BLOCKED_URLS
    credentials: CredentialScope | None = None
    """Staging credentials, sent to their hosts only (audits.stages.browser_credentials)."""
    compare_with: Mapping[str, str] = field(default_factory=dict)
    """Page URL -> the page of the site its bypass check compares it with
    (`Store.browser_compare_pages`): only pages the crawl fetched."""

    @property
    def options_key(self) -> str:
        """axe-core's options and our own checks' version, as stored with each result:
        results depend on them."""
        own = {
            "own_checks": OWN_CHECKS_VERSION,
            "settled": SETTLED_VERSION,
            "review": REVIEW_VERSION,
        }
        return json.dumps({**self.axe_options, **own}, sort_keys=True)

    @classmethod
    def from_config(
        cls, config: BrowserConfig, credentials: CredentialScope | None = None
    ) -> BrowserSettings:
        """Find axe-core and Chromium; BrowserUnavailable (one line) if either is missing."""
        axe_path = locate_axe(config.axe_path)
        source, version = read_axe(axe_path)
        unknown = unknown_axe_rules(source, config.extra_rules)
        if unknown:
            raise BrowserUnavailable(
                f"axe-core {version} has no rule {', '.join(unknown)} ([browser] extra_rules)",
                fix=None,  # a configuration mistake: installing axe-core again won't mend it
            )
        chromium, chromedriver = locate_chromium()
        return cls(
            axe_source=source,
            axe_version=version,
            chromium=chromium,
            chromedriver=chromedriver,
            workers=config.workers or _cpu_count(),
            page_timeout=config.page_timeout,
            page_deadline=config.page_deadline,
            max_dom_elements=config.max_dom_elements,
            recycle_after=config.recycle_after,
            axe_options=axe_run_options(config),
            blocked=BLOCKED_URLS + tuple(config.block),
            credentials=credentials or None,
        )


def axe_run_options(config: BrowserConfig) -> dict[str, Any]:
    """The options passed to `axe.run`."""
    tags = [*config.tags, *(AAA_AXE_TAGS if config.aaa else ())]
    options: dict[str, Any] = {"runOnly": {"type": "tag", "values": tags}}
    if config.best_practice:
        tags.append("best-practice")
    if config.extra_rules:
        # A rule enabled here runs whatever the tags say (axe-core's ruleShouldRun).
        options["rules"] = {rule: {"enabled": True} for rule in config.extra_rules}
    return {
        **options,
        # Passes and inapplicable rules are never stored: not building them is much faster.
        "resultTypes": ["violations", "incomplete"],
        # Same-origin frames have axe-core too (it is injected into every document): their
        # content is checked as part of the page, as a person meets it. A frame that does
        # not answer axe-core's ping (another site's embed, without axe-core) is skipped.
        "iframes": True,
        "pingWaitTime": FRAME_PING_MS,
        "selectors": True,
        "ancestry": False,
        "xpath": False,
        "elementRef": False,
        "performanceTimer": False,
    }


def unknown_axe_rules(source: str, rules: Sequence[str]) -> list[str]:
    """Those of `rules` that axe-core's source does not define."""
    return [rule for rule in rules if f'id:"{rule}"' not in source]


def locate_axe(configured: str = "") -> Path:
    """axe.min.js: the config's path, else $SITEAUDIT_AXE, else the copy `siteaudit setup`
    put in the user's data folder, else the checkout's vendored one."""
    raw = configured or os.environ.get(AXE_ENV, "")
    if raw:
        path = Path(raw).expanduser()
    else:
        path = next((p for p in (installed_axe(), VENDOR_AXE) if p.is_file()), installed_axe())
    if not path.is_file():
        raise BrowserUnavailable(f"axe-core not found at {path}", HOW_TO_GET_AXE)
    return path


def read_axe(path: Path) -> tuple[str, str]:
    """axe-core's source and the version in its header comment."""
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BrowserUnavailable(
            f"cannot read axe-core at {path} ({exc})", HOW_TO_GET_AXE
        ) from None
    m = _AXE_HEADER.search(source[:500])
    if not m:
        raise BrowserUnavailable(f"{path} is not axe-core's axe.min.js", HOW_TO_GET_AXE)
    return source, m.group(1)


def find_chromium() -> str | None:
    """Chromium's binary at the usual places, else on the PATH."""
    return _first_file(CHROMIUM_PATHS) or shutil.which("chromium")


def find_chromedriver() -> str | None:
    """chromedriver at the usual places, else on the PATH."""
    return _first_file(CHROMEDRIVER_PATHS) or shutil.which("chromedriver")


def locate_chromium() -> tuple[str, str]:
    """(Chromium binary, chromedriver); BrowserUnavailable naming what is missing."""
    chromium, chromedriver = find_chromium(), find_chromedriver()
    if not chromium or not chromedriver:
        missing = " and ".join(
            name
            for name, found in (("Chromium", chromium), ("chromedriver", chromedriver))
            if not found
        )
        raise BrowserUnavailable(f"{missing} not found", HOW_TO_GET_CHROMIUM)
    return chromium, chromedriver


def _cpu_count() -> int:
    """CPUs this process may use (a container or taskset may allow fewer than exist)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _first_file(paths: Sequence[str]) -> str | None:
    return next((p for p in paths if os.path.isfile(p) and os.access(p, os.X_OK)), None)


# -- one page's result ---------------------------------------------------------------------


@dataclass
class PageCheck:
    """What checking one page gave: flagged nodes (with screenshots) or an error."""

    url: str
    nodes: list[tuple[AxeNode, bytes | None]] = field(default_factory=list)
    error: str | None = None
    elapsed_ms: int = 0


def parse_axe_results(url: str, raw: Mapping[str, Any]) -> list[AxeNode]:
    """The AXE_RUNNER's answer as nodes: violations first, then needs-review."""
    nodes = []
    for outcome, key in ((VIOLATION, "violations"), (INCOMPLETE, "incomplete")):
        for rule in raw.get(key) or ():
            if outcome == INCOMPLETE and rule.get("id") in NOTHING_TO_REVIEW:
                continue
            wcag = wcag_criteria(rule.get("tags") or ())
            # axe-core adds ?application=axeAPI to its help links: it says nothing to editors.
            help_url = (rule.get("helpUrl") or "").split("?", 1)[0]
            for node in rule.get("nodes") or ():
                nodes.append(
                    AxeNode(
                        url=url,
                        outcome=outcome,
                        rule=rule.get("id", "?"),
                        impact=node.get("impact") or rule.get("impact"),
                        wcag=wcag,
                        help=rule.get("help") or "",
                        help_url=help_url,
                        target=format_target(node.get("target") or ()),
                        html=node.get("html") or "",
                        failure_summary=node.get("failureSummary") or "",
                    )
                )
    return nodes


def format_target(target: Sequence[Any]) -> str:
    """axe-core's target as one selector; shadow DOM steps are joined with ` >>> `."""
    return " | ".join(
        " >>> ".join(map(str, step)) if isinstance(step, list) else str(step) for step in target
    )


class ScreenshotPlanner:
    """Decides which flagged elements get a picture: the top issues, at most `limit`.

    The first element of each critical or serious violation, and of each violation seen
    on a second page (a template issue in the making). Shared by the pool's threads.
    """

    def __init__(self, limit: int, seen: Sequence[AxeNode] = ()) -> None:
        self.lock = threading.Lock()
        self.left = limit
        self.pages: dict[tuple[str, str, str], set[str]] = {}
        self.shot: set[tuple[str, str, str]] = set()
        for node in seen:  # results reused from an earlier run
            key = template_key(node.rule, node.target, node.html)
            self.pages.setdefault(key, set()).add(node.url)
            if node.screenshot:
                self.shot.add(key)
                self.left -= 1

    def wants(self, node: AxeNode) -> bool:
        """Whether to take this element's screenshot (and count it if so)."""
        if node.outcome != VIOLATION or node.target.lower() in _PAGE_TARGETS:
            return False
        key = template_key(node.rule, node.target, node.html)
        with self.lock:
            pages = self.pages.setdefault(key, set())
            repeated = bool(pages - {node.url})
            pages.add(node.url)
            if self.left <= 0 or key in self.shot:
                return False
            if node.impact in ("critical", "serious") or repeated:
                self.shot.add(key)
                self.left -= 1
                return True
        return False


# -- one browser ---------------------------------------------------------------------------


class Browser(Protocol):
    """One browser of the pool (ChromiumSession; tests substitute fakes)."""

    def check(self, url: str, planner: ScreenshotPlanner | None) -> PageCheck:
        """Load the page and run axe-core on it."""
        ...

    def kill(self) -> None:
        """Stop the browser at once, from another thread; `quit` still follows."""
        ...

    def quit(self) -> None:
        """Close the browser; safe to call twice."""
        ...


class ChromiumSession:
    """A headless Chromium driven through chromedriver, with axe-core injected."""

    def __init__(self, settings: BrowserSettings) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service

        self.settings = settings
        self.profile = tempfile.mkdtemp(prefix="siteaudit-chromium-")
        self.driver: Any = None
        self.credentials: BrowserCredentials | None = None
        options = Options()
        options.binary_location = _exit_with_chromedriver(settings.chromium, self.profile)
        for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={self.profile}"):
            options.add_argument(flag)
        options.page_load_strategy = "normal"
        # An alert() or a "leave this page?" prompt must not stop the pool.
        options.set_capability("unhandledPromptBehavior", "dismiss")
        # A Service with a path: Selenium Manager is never asked to download anything.
        service = Service(
            settings.chromedriver,
            log_output=subprocess.DEVNULL,
            popen_kw={"preexec_fn": preexec_exit_with_parent()},
        )
        try:
            self.driver = webdriver.Chrome(service=service, options=options)
            self.driver.set_page_load_timeout(settings.page_timeout)
            self.driver.set_script_timeout(settings.page_timeout)
            self.driver.execute_cdp_cmd("Network.enable", {})
            self.driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": list(settings.blocked)})
            # Once per document, before the page's scripts: no injection round trip per page.
            self.driver.execute_cdp_cmd(
                "Page.addScriptToEvaluateOnNewDocument", {"source": settings.axe_source}
            )
        except Exception as exc:
            self.quit()
            raise BrowserUnavailable(
                f"Chromium did not start ({_one_line(exc)})",
                f"run `{SETUP_COMMAND}` (Chromium and chromedriver must be the same version)",
            ) from exc
        try:
            self.credentials = _send_credentials(self.driver, settings)
        except CredentialsUnavailable as exc:
            self.quit()
            # Without them every page would be audited as the staging server's login page.
            raise BrowserUnavailable(
                f"cannot give Chromium the staging credentials ({exc})",
                fix=None,
            ) from None

    def check(self, url: str, planner: ScreenshotPlanner | None) -> PageCheck:
        """Load the page, run axe-core, photograph the top issues."""
        from selenium.common.exceptions import TimeoutException

        started = time.monotonic()
        timeout = f"{self.settings.page_timeout:g} s"
        try:
            self.driver.get(url)
        except TimeoutException:
            raise PageTimeout(f"the page did not finish loading within {timeout}") from None
        except Exception as exc:
            if "net::ERR_" in str(exc):  # the site, not the browser
                return PageCheck(url, error=f"the browser could not load it ({_one_line(exc)})")
            raise BrowserCrashed(_one_line(exc)) from exc
        try:
            # A command that meets an alert() or confirm() dismisses it and answers None:
            # each is asked twice.
            landed = self.driver.current_url or self.driver.current_url
            if urlsplit(landed).netloc != urlsplit(url).netloc:
                # A script or meta refresh sent the browser off the site: not this site's page.
                return PageCheck(url, error=f"the page sent the browser to {landed}")
            raw = self._run_axe(embedded=True)
            if isinstance(raw, dict) and raw.get("load"):
                # Images for the page's objects, media for its autoplaying media, until
                # axe-core has run: <img> and the rest stay blocked.
                wanted = raw["load"]
                lifted = (IMAGE_URLS if wanted.get("objects") else ()) + (
                    MEDIA_URLS if wanted.get("media") else ()
                )
                with self._unblocked(lifted):
                    self._execute(_LOAD_EMBEDDED)
                    raw = self._run_axe(embedded=False)
        except TimeoutException:
            raise PageTimeout(f"axe-core did not finish within {timeout}") from None
        except Exception as exc:
            raise BrowserCrashed(_one_line(exc)) from exc
        if isinstance(raw, dict) and raw.get("elements"):
            return PageCheck(url, error=_too_many_elements(raw["elements"], self.settings))
        if not isinstance(raw, dict) or raw.get("error"):
            reason = raw.get("error") if isinstance(raw, dict) else "no answer"
            return PageCheck(url, error=f"axe-core failed on it: {_one_line(reason)}")
        nodes = self._settle(parse_axe_results(url, raw))
        wanted = [planner is not None and planner.wants(node) for node in nodes]
        shots = self._screenshots(nodes, wanted) if any(wanted) else [None] * len(nodes)
        # Last: the checks focus elements and follow a link, which changes the page.
        own = self._own_checks(url)
        reviewed, beyond = self._review(url, nodes)
        flagged = [
            (node, shot)
            for node, shot in zip(reviewed, shots, strict=True)
            if node is not None and not answered(node, own)
        ]
        flagged += [(node, None) for node in (*own, *beyond)]
        elapsed = int((time.monotonic() - started) * 1000)
        return PageCheck(url, flagged, None, elapsed)

    def _execute(self, script: str, *args: Any) -> Any:
        """Run an async script; a command that meets an alert() or confirm() dismisses it
        and answers None, so it is asked twice."""
        answer = self.driver.execute_async_script(script, *args)
        return self.driver.execute_async_script(script, *args) if answer is None else answer

    def _own_checks(self, url: str) -> list[AxeNode]:
        """Focus visible and skip link (audits/stages/browser_checks.py)."""

        def run() -> list[AxeNode]:
            raw = self._execute(CHECKS_SCRIPT, *checks_arguments())
            return parse_checks(url, raw) if isinstance(raw, dict) else []

        return self._guarded("the focus checks", run, [])

    def _settle(self, nodes: list[AxeNode]) -> list[AxeNode]:
        """axe-core's findings with those our checks settle settled: label in name on icon
        fonts (audits/stages/browser_names.py), contrast it could not decide
        (audits/stages/browser_contrast.py)."""
        if not any(node.rule in SETTLED_RULES for node in nodes):
            return nodes

        def run() -> list[AxeNode]:
            named = drop_icon_font_labels(nodes, self._execute)
            lifted = needs_pictures(named)
            with self._unblocked(IMAGE_URLS) if lifted else contextlib.nullcontext():
                return resolve_contrast(named, self._execute, self._capture, self._aaa)

        return self._guarded("the contrast and label-in-name checks", run, nodes)

    @property
    def _aaa(self) -> bool:
        """Whether axe-core runs the AAA rules here (`[browser] aaa = true`)."""
        tags = self.settings.axe_options.get("runOnly", {}).get("values", ())
        return any(tag in AAA_AXE_TAGS for tag in tags)

    def _guarded(
        self, what: str, run: Callable[[], list[AxeNode]], fallback: list[AxeNode]
    ) -> list[AxeNode]:
        """One of our scripts' answer; `fallback` if the script fails (a page that replaced
        `getComputedStyle`, say): axe-core's results stand."""
        from selenium.common.exceptions import JavascriptException, TimeoutException

        try:
            return run()
        except JavascriptException:
            return fallback
        except TimeoutException:
            raise PageTimeout(
                f"{what} did not finish within {self.settings.page_timeout:g} s"
            ) from None
        except Exception as exc:
            raise BrowserCrashed(_one_line(exc)) from exc

    def _capture(self, clip: Mapping[str, float]) -> str:
        """A PNG (base64) of part of the page, in CSS pixels of the document."""
        shot = self.driver.execute_cdp_cmd(
            "Page.captureScreenshot",
            {"format": "png", "clip": dict(clip), "captureBeyondViewport": True},
        )
        return str(shot["data"])

    def _review(
        self, url: str, nodes: Sequence[AxeNode]
    ) -> tuple[list[AxeNode | None], list[AxeNode]]:
        """axe-core's "needs review" that the page decides, and the bypass failures it
        passed (audits/stages/browser_review.py); unchanged if the script fails or the page
        goes away under its clicks."""
        from selenium.common.exceptions import JavascriptException, TimeoutException

        try:
            other = self.settings.compare_with.get(url)
            answer = self._execute(REVIEW_SCRIPT, *review_arguments(nodes, other))
        except (JavascriptException, TimeoutException):
            answer = None
        except Exception as exc:
            raise BrowserCrashed(_one_line(exc)) from exc
        return decide(nodes, answer), found_beyond(url, nodes, answer)

    def _run_axe(self, embedded: bool) -> Any:
        """axe-core's results; with `embedded`, first what it needs loaded, if anything."""
        options = dict(self.settings.axe_options)
        return self._execute(AXE_RUNNER, options, self.settings.max_dom_elements, embedded)

    @contextlib.contextmanager
    def _unblocked(self, lifted: Sequence[str]) -> Iterator[None]:
        """Let the URLs of the `lifted` patterns load for a while; the rest stays blocked."""
        blocked = [p for p in self.settings.blocked if p not in lifted]
        self.driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": blocked})
        try:
            yield
        finally:
            self.driver.execute_cdp_cmd(
                "Network.setBlockedURLs", {"urls": list(self.settings.blocked)}
            )

    def _screenshots(self, nodes: Sequence[AxeNode], wanted: Sequence[bool]) -> list[bytes | None]:
        """Pictures of the wanted elements, with their images loaded for once (or an image
        without alt shows as a blank box)."""
        with self._unblocked(IMAGE_URLS):
            return [
                self._screenshot(node) if want else None
                for node, want in zip(nodes, wanted, strict=True)
            ]

    def _screenshot(self, node: AxeNode) -> bytes | None:
        from selenium.webdriver.common.by import By

        if " >>> " in node.target or " | " in node.target:
            return None  # inside a shadow root or frame: not reachable by one CSS selector
        try:
            element = self.driver.find_element(By.CSS_SELECTOR, node.target)
            self.driver.execute_async_script(_LOAD_IMAGES, element)
            return element.screenshot_as_png
        except Exception:  # hidden, zero-sized or gone: the finding stands without a picture
            return None

    def kill(self) -> None:
        """Kill chromedriver and Chromium at once: the page ran out of time.

        The Selenium call waiting on chromedriver then fails at once (its connection
        closes), where chromedriver's own timeouts and Selenium's 120 s read timeout could
        keep the page for minutes.
        """
        driver = self.driver
        if driver is not None:
            for pid in process_tree(driver.service.process.pid):
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)

    def quit(self) -> None:
        """Close Chromium and chromedriver and remove the profile."""
        driver, self.driver = self.driver, None
        if self.credentials is not None:
            self.credentials.close()
        if driver is not None:
            with contextlib.suppress(Exception):
                driver.quit()
        shutil.rmtree(self.profile, ignore_errors=True)


def _send_credentials(driver: Any, settings: BrowserSettings) -> BrowserCredentials | None:
    """Start adding the staging credentials to the tab's requests to their hosts, if any."""
    if not settings.credentials:
        return None
    address = driver.capabilities.get("goog:chromeOptions", {}).get("debuggerAddress")
    if not address:
        raise CredentialsUnavailable("chromedriver reports no debugging address")
    return BrowserCredentials(address, settings.credentials, settings.page_timeout)


def _exit_with_chromedriver(chromium: str, directory: str) -> str:
    """A launcher in `directory` that runs Chromium so that it dies with chromedriver.

    chromedriver starts Chromium and exits with the audit (PR_SET_PDEATHSIG), but Chromium
    would live on: setpriv asks Linux to kill it too when its parent goes, and Chromium's
    own helper processes end with it. Without setpriv (not Linux), Chromium itself.
    """
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return chromium
    launcher = Path(directory) / "chromium"
    launcher.write_text(
        f'#!/bin/sh\nexec {shlex.quote(setpriv)} --pdeathsig KILL -- {shlex.quote(chromium)} "$@"\n'
    )
    launcher.chmod(0o700)
    return str(launcher)


def _too_many_elements(count: int, settings: BrowserSettings) -> str:
    limit = settings.max_dom_elements
    return (
        f"it has {count:,} elements, more than the {limit:,} elements the browser checks "
        "([browser] max_dom_elements)"
    )


def _one_line(message: object) -> str:
    """The gist of an error: its first line, without Selenium's link to its docs."""
    text = str(getattr(message, "msg", None) or message)
    text = text.split("; For documentation on this error", 1)[0]
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return (lines[0] if lines else type(message).__name__)[:200]


# -- the pool ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _LaunchFailed:
    error: BrowserUnavailable


# Seconds to wait before each further try at starting a browser; None: give up.
_LAUNCH_RETRY_WAITS = (1.0, 2.0, None)


class BrowserPool:
    """Checks pages with `settings.workers` browsers at once, one thread each.

    A browser is replaced after `recycle_after` pages, after a page timed out, and when it
    crashed (the page is then tried once more in a fresh browser).
    """

    def __init__(
        self,
        settings: BrowserSettings,
        *,
        planner: ScreenshotPlanner | None = None,
        launcher: Callable[[BrowserSettings], Browser] = ChromiumSession,
    ) -> None:
        self.settings = settings
        self.planner = planner
        self.launcher = launcher
        self.stop = threading.Event()
        self._live: set[Browser] = set()
        self._lock = threading.Lock()

    def check(self, urls: Sequence[str]) -> Iterator[PageCheck]:
        """Check every URL, yielding results as they come (not in order).

        Raises BrowserUnavailable when no browser will start. Closing the iterator (or an
        exception in the caller, such as Ctrl-C) stops the browsers.
        """
        jobs: queue.SimpleQueue[str] = queue.SimpleQueue()
        for url in urls:
            jobs.put(url)
        results: queue.SimpleQueue[PageCheck | _LaunchFailed] = queue.SimpleQueue()
        threads = [
            threading.Thread(
                target=self._work, args=(jobs, results), name=f"browser-{n}", daemon=True
            )
            for n in range(min(self.settings.workers, len(urls)))
        ]
        for thread in threads:
            thread.start()
        remaining = len(urls)
        failure: BrowserUnavailable | None = None
        try:
            while remaining:
                try:
                    item = results.get(timeout=0.5)
                except queue.Empty:
                    if not any(t.is_alive() for t in threads) and results.empty():
                        raise failure or BrowserUnavailable(
                            "every browser failed", stopped=True
                        ) from None
                    continue
                if isinstance(item, _LaunchFailed):
                    failure = item.error
                    continue
                remaining -= 1
                yield item
        finally:
            self.stop.set()
            for thread in threads:
                thread.join(timeout=5)
            with self._lock:
                leftovers = list(self._live)
            for browser in leftovers:  # a thread still waiting on a page: close under it
                browser.quit()

    def _work(
        self, jobs: queue.SimpleQueue[str], results: queue.SimpleQueue[PageCheck | _LaunchFailed]
    ) -> None:
        worker = _Worker(self)
        try:
            while not self.stop.is_set():
                try:
                    url = jobs.get_nowait()
                except queue.Empty:
                    return
                try:
                    results.put(worker.check(url))
                except BrowserUnavailable as exc:
                    jobs.put(url)  # another browser may still take it
                    results.put(_LaunchFailed(exc))
                    return
                except Exception as exc:  # a bug must cost one page, not the stage
                    results.put(PageCheck(url, error=f"could not be checked ({_one_line(exc)})"))
        finally:
            worker.close()

    def launch(self) -> Browser:
        """Start a browser and remember it until it is closed.

        A start that fails is tried again (after 1 s, then 2 s): on a machine busy with
        other work Chromium or chromedriver can miss their start-up timeouts once, and
        that must not cost the audit its whole accessibility stage.
        """
        for wait in _LAUNCH_RETRY_WAITS:
            if self.stop.is_set():
                raise BrowserUnavailable("", stopped=True)
            try:
                browser = self.launcher(self.settings)
                break
            except BrowserUnavailable:
                if wait is None or self.stop.wait(wait):
                    raise
        with self._lock:
            self._live.add(browser)
        return browser

    def close(self, browser: Browser) -> None:
        """Quit a browser of the pool."""
        with self._lock:
            self._live.discard(browser)
        browser.quit()


class _Worker:
    """One thread's browser: started lazily, recycled, replaced after a timeout or crash.

    Chromium and chromedriver are started from the worker's thread, which lives until it
    closes them: they are killed if that thread ends (see audits/core/children.py).
    """

    def __init__(self, pool: BrowserPool) -> None:
        self.pool = pool
        self.browser: Browser | None = None
        self.pages = 0

    def check(self, url: str) -> PageCheck:
        """Check one page within the page deadline, retries and restarts included.

        The deadline starts once a browser is ready: starting one for the next page (this
        worker's first, or after a page ran out of time) is not that page's doing, and on
        a busy machine it would eat a small deadline. At the deadline the browser is
        killed from the timer's thread: a page that hangs Chromium (or a huge one it is
        still parsing) cannot hold this worker any longer.
        """
        browser = self._ready()
        started = time.monotonic()
        seconds = self.pool.settings.page_deadline
        with _Deadline(seconds, self._kill) as deadline:
            try:
                check = self._attempts(url, browser, started, deadline)
            except Exception:
                if not deadline.expired.is_set():
                    raise
        if deadline.expired.is_set():
            self.close()
            return PageCheck(
                url,
                error=f"it did not finish loading and checking within {seconds:g} s",
                elapsed_ms=_ms_since(started),
            )
        return check

    def _attempts(
        self, url: str, browser: Browser, started: float, deadline: _Deadline
    ) -> PageCheck:
        for attempt in (1, 2):
            if attempt == 2:
                browser = self._ready()
                if deadline.expired.is_set():
                    break  # it passed while the browser restarted
            try:
                return browser.check(url, self.pool.planner)
            except PageTimeout as exc:
                self.close()  # a hung page can leave the browser unusable: start afresh
                return PageCheck(url, error=str(exc), elapsed_ms=_ms_since(started))
            except BrowserCrashed as exc:
                self.close()
                if attempt == 2 or self.pool.stop.is_set() or deadline.expired.is_set():
                    return PageCheck(
                        url,
                        error=f"the browser crashed on it twice ({exc})",
                        elapsed_ms=_ms_since(started),
                    )
        raise PageTimeout("the page deadline passed")  # check() says so

    def _kill(self) -> None:
        browser = self.browser
        if browser is not None:
            browser.kill()

    def _ready(self) -> Browser:
        if self.browser is not None and self.pages >= self.pool.settings.recycle_after:
            self.close()  # Chromium's memory only grows: start a fresh one now and then
        if self.browser is None:
            self.browser = self.pool.launch()
            self.pages = 0
        self.pages += 1
        return self.browser

    def close(self) -> None:
        if self.browser is not None:
            self.pool.close(self.browser)
            self.browser = None


class _Deadline:
    """Calls `expire` once, from a timer thread, if the block is still running after
    `seconds`; `expired` says whether it did."""

    def __init__(self, seconds: float, expire: Callable[[], None]) -> None:
        self.expired = threading.Event()
        self._expire = expire
        self._lock = threading.Lock()
        self._over = False
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._timer.cancel()
        with self._lock:  # a timer firing now finishes first, or finds the block over
            self._over = True

    def _fire(self) -> None:
        with self._lock:
            if not self._over:
                self.expired.set()
                self._expire()


def _ms_since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


# -- the stage -----------------------------------------------------------------------------


@dataclass
class BrowserOutcome:
    """What the stage adds to the run's statistics, whether Ctrl-C stopped it, and the
    BrowserUnavailable that kept it from starting or finishing."""

    stats: dict[str, Any] = field(default_factory=dict)
    interrupted: bool = False
    problem: BrowserUnavailable | None = None


def run_browser_stage(
    store: Store,
    run_id: int,
    config: BrowserConfig,
    *,
    progress: bool = False,
    launcher: Callable[[BrowserSettings], Browser] = ChromiumSession,
    credentials: CredentialScope | None = None,
) -> BrowserOutcome:
    """Check the run's HTML pages with axe-core and store the results."""
    if not config.enabled:
        return BrowserOutcome()
    try:
        settings = BrowserSettings.from_config(config, credentials)
    except BrowserUnavailable as exc:
        _say(str(exc))
        return BrowserOutcome(problem=exc)
    began = time.monotonic()
    pages = store.browser_pages_to_check(run_id)
    if config.max_pages:
        pages = pages[: config.max_pages]
    # A resumed run (killed or stopped during this stage) keeps the results it stored:
    # each was committed with its nodes, so checking the page again would double them.
    checked = store.browser_checked(run_id)
    pages = [(url, digest) for url, digest in pages if url not in checked]
    reused = _reuse_unchanged(store, run_id, settings, pages) if config.incremental else set()
    todo = [url for url, _ in pages if url not in reused]
    writer = _ResultWriter(store, run_id, settings, dict(pages))
    too_large = _skip_too_large(store, run_id, todo, config.max_page_bytes, writer)
    todo = [url for url in todo if url not in too_large]
    if todo:  # a re-audit that reuses every page's results has none to compare
        settings = replace(settings, compare_with=store.browser_compare_pages(run_id))
    planner = ScreenshotPlanner(config.screenshots, list(store.site(run_id).axe_nodes(VIOLATION)))
    pool = BrowserPool(settings, planner=planner, launcher=launcher)
    meter = _Progress(len(todo)) if progress and todo else None
    interrupted = False
    problem = None
    try:
        with _interruptible(), contextlib.closing(pool.check(todo)) as checks:
            for check in checks:
                writer.add(check)
                if meter:
                    meter.update(check)
    except BrowserUnavailable as exc:
        _say(str(exc))
        problem = exc
    except KeyboardInterrupt:
        interrupted = True
    finally:
        writer.flush()
        if meter:
            meter.close()
    checked, reused_count, errors = store.browser_summary(run_id)
    stats: dict[str, Any] = {
        "browser/pages": checked,
        "browser/reused": reused_count,
        "browser/errors": errors,
        "browser/seconds": round(time.monotonic() - began, 1),
    }
    if checked > errors:
        stats["axe_core"] = settings.axe_version
    return BrowserOutcome(stats, interrupted, problem)


def _reuse_unchanged(
    store: Store, run_id: int, settings: BrowserSettings, pages: Sequence[tuple[str, str | None]]
) -> set[str]:
    """Copy earlier results of pages unchanged since then; return their URLs."""
    wanted = {url for url, _ in pages}
    earlier = store.reusable_browser_results(run_id, settings.axe_version, settings.options_key)
    reusable = {url: run for url, run in earlier.items() if url in wanted}
    with store.transaction():
        for url, run in reusable.items():
            store.reuse_browser_result(run_id, url, run)
    return set(reusable)


def _skip_too_large(
    store: Store, run_id: int, urls: Sequence[str], limit: int, writer: _ResultWriter
) -> set[str]:
    """Record those of `urls` larger than `limit` bytes as not checked (a browser could
    spend minutes on one); return them."""
    sizes = store.html_pages_larger_than(run_id, limit)
    skipped = sizes.keys() & set(urls)
    for url in skipped:
        writer.add(
            PageCheck(
                url,
                error=f"it is {_kilobytes(sizes[url])}, larger than the {_kilobytes(limit)} "
                "the browser loads ([browser] max_page_bytes)",
            )
        )
    return skipped


def _kilobytes(size: int) -> str:
    return f"{size // 1024:,} KB"


class _ResultWriter:
    """Stores page checks in batches (one transaction each), from the calling thread."""

    def __init__(
        self, store: Store, run_id: int, settings: BrowserSettings, hashes: dict[str, str | None]
    ) -> None:
        self.store = store
        self.run_id = run_id
        self.settings = settings
        self.hashes = hashes
        self.batch: list[PageCheck] = []
        self.flushed = time.monotonic()

    def add(self, check: PageCheck) -> None:
        self.batch.append(check)
        if len(self.batch) >= 50 or time.monotonic() - self.flushed > 2:
            self.flush()

    def flush(self) -> None:
        with self.store.transaction():
            for check in self.batch:
                self.store.add_browser_result(
                    self.run_id,
                    check.url,
                    content_hash=self.hashes.get(check.url),
                    axe_version=self.settings.axe_version,
                    axe_options=self.settings.options_key,
                    error=check.error,
                    elapsed_ms=check.elapsed_ms,
                    nodes=check.nodes,
                )
        self.batch.clear()
        self.flushed = time.monotonic()


def write_screenshots(store: Store, run_id: int, out_dir: Path) -> int:
    """Write a run's element screenshots into out_dir/screenshots/; return how many."""
    written = 0
    for name, png in store.screenshots(run_id):
        path = out_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png)
        written += 1
    return written


def _say(message: str) -> None:
    print(f"siteaudit: {message}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def _interruptible() -> Iterator[None]:
    """Ctrl-C raises KeyboardInterrupt here, whatever handler the crawl left installed."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class _Progress:
    """Pages checked so far: a live line on a terminal, a plain line every 5 s otherwise."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.errors = 0
        self.started = self.shown = time.monotonic()
        self.tty = sys.stderr.isatty()

    def update(self, check: PageCheck) -> None:
        self.done += 1
        self.errors += check.error is not None
        now = time.monotonic()
        if now - self.shown >= (LIVE_INTERVAL if self.tty else LOG_INTERVAL):
            self.shown = now
            seconds = now - self.started
            line = browser_line(self.done, self.total, seconds, self.errors)
            write_line(sys.stderr, line, live=self.tty)

    def close(self) -> None:
        clear_line(sys.stderr, live=self.tty)
