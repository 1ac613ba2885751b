"""`siteaudit setup`: find or install what the browser stage needs, and say each version.

- **axe-core**: found where the browser stage looks (`$SITEAUDIT_AXE`, the user's data
  folder, a checkout's vendor/), else fetched from the npm registry's tarball of the pinned
  version (`audits.core.userdata.AXE_VERSION`) into the user's data folder. The tarball's
  sha512 must equal the `dist.integrity` the registry publishes for that version, or
  nothing is installed. No npm needed.
- **Chromium and chromedriver**: found at the usual places or on the PATH; siteaudit does
  not install system packages, so when one is missing it prints the install command for
  this system (apt-get on Debian and Ubuntu).

The registry is https://registry.npmjs.org unless `--registry` (or $SITEAUDIT_NPM_REGISTRY)
names a mirror.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import platform
import re
import subprocess
import tarfile
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from audits import __version__
from audits.core.userdata import AXE_VERSION, installed_axe
from audits.stages.browser import (
    AXE_ENV,
    BrowserUnavailable,
    find_chromedriver,
    find_chromium,
    locate_axe,
    read_axe,
)

REGISTRY = "https://registry.npmjs.org"
REGISTRY_ENV = "SITEAUDIT_NPM_REGISTRY"
MAX_TARBALL = 50 * 1024 * 1024
"""axe-core's tarball is about 1 MB; anything far larger is not it."""
TIMEOUT = 60.0


class SetupFailed(Exception):
    """A component could not be installed; the message says why, in one line."""


@dataclass(frozen=True)
class Component:
    """One thing the browser stage needs, as setup found it."""

    name: str
    version: str | None
    """None when it is missing."""
    where: str
    """Its path, or what to do to get it."""


def setup(registry: str = REGISTRY, echo: Callable[[str], None] = print) -> bool:
    """Find or install every component, print a line for each; True when all are there."""
    components = [axe_component(registry), *chromium_components()]
    width = max(len(c.name) for c in components)
    for c in components:
        state = c.version if c.version is not None else "missing:"
        echo(f"{c.name:<{width}}  {state}  {c.where}")
    ready = all(c.version is not None for c in components)
    echo(
        "The browser stage is ready."
        if ready
        else "The browser stage will be skipped until the above is done."
    )
    return ready


# -- axe-core ----------------------------------------------------------------------------


def axe_component(registry: str) -> Component:
    """axe-core as the browser stage will find it, fetched first when it would find none."""
    try:
        path = locate_axe()
    except BrowserUnavailable:
        path = None
    if path is None and not os.environ.get(AXE_ENV):
        try:
            path = install_axe(registry)
        except SetupFailed as exc:
            return Component("axe-core", None, str(exc))
    if path is None:
        return Component("axe-core", None, f"${AXE_ENV} names no axe.min.js; unset it")
    try:
        _, version = read_axe(path)
    except BrowserUnavailable as exc:
        return Component("axe-core", None, exc.detail)
    return Component("axe-core", version, str(path))


def install_axe(registry: str, version: str = AXE_VERSION, dest: Path | None = None) -> Path:
    """Fetch axe-core `version` from the registry, check its sha512 against the registry's
    published integrity, and put axe.min.js (with its licence) at `dest`; return it."""
    dest = dest or installed_axe(version)
    base = registry.rstrip("/")
    metadata = _json(_get(f"{base}/axe-core/{version}", 1024 * 1024), "the registry's metadata")
    integrity = (metadata.get("dist") or {}).get("integrity", "")
    if not isinstance(integrity, str) or not integrity.startswith("sha512-"):
        raise SetupFailed(f"the registry publishes no sha512 integrity for axe-core {version}")
    tarball = _get(f"{base}/axe-core/-/axe-core-{version}.tgz", MAX_TARBALL)
    digest = base64.b64encode(hashlib.sha512(tarball).digest()).decode("ascii")
    if digest != integrity.removeprefix("sha512-"):
        raise SetupFailed(
            f"refused axe-core {version}: its tarball's sha512 is not the one the registry "
            "publishes (a damaged download or a tampered mirror); nothing was installed"
        )
    files = _read_package(tarball, ("axe.min.js", "LICENSE"))
    if f"axe v{version}".encode() not in files["axe.min.js"][:500]:
        raise SetupFailed(f"the tarball's axe.min.js is not axe-core {version}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        target = dest.parent / name
        partial = target.with_name(f".{name}.{os.getpid()}.tmp")
        partial.write_bytes(data)
        partial.replace(target)
    return dest


def _get(url: str, limit: int) -> bytes:
    request = urllib.request.Request(  # noqa: S310 - the registry is http(s) by its URL
        url, headers={"User-Agent": f"siteaudit/{__version__} (setup)"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            body = response.read(limit + 1)
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise SetupFailed(f"could not download {url} ({reason})") from None
    if len(body) > limit:
        raise SetupFailed(f"{url} is larger than {limit // (1024 * 1024)} MB: not axe-core")
    return body


def _json(body: bytes, what: str) -> dict:
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise SetupFailed(f"{what} is not JSON")
    return data


def _read_package(tarball: bytes, names: tuple[str, ...]) -> dict[str, bytes]:
    """The named files of an npm tarball's package/ folder, read without extracting."""
    found = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
            for name in names:
                member = archive.getmember(f"package/{name}")
                handle = archive.extractfile(member) if member.isfile() else None
                if handle is None:
                    raise KeyError(name)
                found[name] = handle.read()
    except (tarfile.TarError, KeyError, OSError) as exc:
        raise SetupFailed(f"the axe-core tarball is unreadable or incomplete ({exc})") from None
    return found


# -- Chromium and chromedriver -----------------------------------------------------------


def chromium_components() -> list[Component]:
    """Chromium and chromedriver, each with its version, or the command installing it."""
    found = []
    for name, path in (("Chromium", find_chromium()), ("chromedriver", find_chromedriver())):
        version = program_version(path) if path else None
        if path and version:
            found.append(Component(name, version, path))
        else:
            found.append(Component(name, None, f"install it with `{install_command()}`"))
    return found


def program_version(path: str) -> str | None:
    """The version a program's `--version` prints (`Chromium 131.0.6778.85`), or None."""
    try:
        done = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=TIMEOUT, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r"\d+(\.\d+)+", done.stdout)
    return m.group(0) if done.returncode == 0 and m else None


INSTALL_COMMANDS = {
    "debian": "apt-get install chromium chromium-driver",
    "ubuntu": "apt-get install chromium-browser chromium-chromedriver",
    "fedora": "dnf install chromium chromedriver",
    "arch": "pacman -S chromium",
    "alpine": "apk add chromium chromium-chromedriver",
}
"""By os-release ID (or ID_LIKE): the packages holding Chromium and chromedriver."""


def install_command(os_release: str | None = None, system: str | None = None) -> str:
    """The command installing Chromium and chromedriver on this system."""
    system = system or platform.system()
    if system == "Darwin":
        return "brew install --cask chromium && brew install --cask chromedriver"
    if os_release is None:
        try:
            os_release = Path("/etc/os-release").read_text(encoding="utf-8")
        except OSError:
            os_release = ""
    fields = dict(re.findall(r'^(ID|ID_LIKE)="?([^"\n]*)"?$', os_release, re.MULTILINE))
    for family in (fields.get("ID", ""), *fields.get("ID_LIKE", "").split()):
        command = INSTALL_COMMANDS.get(family)
        if command:
            return command if _is_root() else f"sudo {command}"
    return "your package manager's chromium and chromedriver packages"


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0
