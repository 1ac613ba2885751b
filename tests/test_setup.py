"""`siteaudit setup`: axe-core from a registry (a loopback server playing npm's), checked
against the published sha512; Chromium found or the command to install it."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import tarfile
from pathlib import Path

import pytest

from audits.core.userdata import AXE_VERSION, installed_axe
from audits.setup import SetupFailed, install_axe, install_command, setup
from audits.stages.browser import VENDOR_AXE, locate_axe
from tests.kit import REPO
from tests.kit.cli import run_cli
from tests.kit.siteserver import Response, SiteServer

AXE_SOURCE = f"/*! axe v{AXE_VERSION}\n * Copyright (c) Deque Systems */\nwindow.axe={{}};\n"
TARBALL_PATH = f"/axe-core/-/axe-core-{AXE_VERSION}.tgz"


def npm_tarball(files: dict[str, str]) -> bytes:
    """An npm package tarball: the files under package/, gzipped."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


GOOD = npm_tarball({"axe.min.js": AXE_SOURCE, "LICENSE": "Mozilla Public License 2.0\n"})


def registry(served: bytes, published: bytes = GOOD) -> SiteServer:
    """A registry serving `served` as the tarball and the sha512 of `published`."""
    integrity = "sha512-" + base64.b64encode(hashlib.sha512(published).digest()).decode()
    metadata = {"name": "axe-core", "version": AXE_VERSION, "dist": {"integrity": integrity}}
    json_response = Response(
        body=json.dumps(metadata).encode(), headers={"Content-Type": "application/json"}
    )
    tarball = Response(body=served, headers={"Content-Type": "application/octet-stream"})
    return SiteServer(
        routes={
            f"/axe-core/{AXE_VERSION}": lambda r: json_response,
            TARBALL_PATH: lambda r: tarball,
        }
    )


@pytest.fixture
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("SITEAUDIT_AXE", raising=False)
    return tmp_path / "data"


def test_axe_core_is_fetched_checked_and_then_found_by_the_browser_stage(
    data_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with registry(GOOD) as server:
        path = install_axe(server.url)
        asked = [r.target for r in server.requests]
    assert (
        path
        == installed_axe()
        == data_home.joinpath("siteaudit", "axe-core", AXE_VERSION, "axe.min.js")
    )
    assert path.read_text() == AXE_SOURCE
    assert (path.parent / "LICENSE").is_file()  # MPL-2.0 goes with the file
    assert asked == [f"/axe-core/{AXE_VERSION}", TARBALL_PATH]
    monkeypatch.setattr("audits.stages.browser.VENDOR_AXE", data_home / "no-vendor")
    assert locate_axe() == path


def test_a_tampered_tarball_is_refused_and_nothing_is_installed(data_home: Path) -> None:
    tampered = npm_tarball({"axe.min.js": AXE_SOURCE + "steal();", "LICENSE": "MPL"})
    with registry(tampered) as server, pytest.raises(SetupFailed, match="refused axe-core"):
        install_axe(server.url)
    assert not installed_axe().exists()
    assert not installed_axe().parent.exists()


def test_a_tarball_without_axe_core_in_it_is_refused(data_home: Path) -> None:
    empty = npm_tarball({"README.md": "nothing"})
    with registry(empty, published=empty) as server, pytest.raises(SetupFailed, match="incomplete"):
        install_axe(server.url)
    assert not installed_axe().exists()


def test_an_unreachable_registry_is_one_line(data_home: Path) -> None:
    with SiteServer(routes={}) as server:
        url = server.url
    with pytest.raises(SetupFailed, match="could not download"):
        install_axe(url)


@pytest.mark.parametrize(
    ("os_release", "expected"),
    [
        ('ID=debian\nVERSION_ID="12"\n', "apt-get install chromium chromium-driver"),
        ("ID=ubuntu\nID_LIKE=debian\n", "apt-get install chromium-browser chromium-chromedriver"),
        ('ID=linuxmint\nID_LIKE="ubuntu debian"\n', "apt-get install chromium-browser"),
        ('ID="fedora"\n', "dnf install chromium chromedriver"),
        ("ID=plan9\n", "your package manager's chromium and chromedriver packages"),
    ],
)
def test_the_install_command_fits_the_system(os_release: str, expected: str) -> None:
    assert expected in install_command(os_release, system="Linux")


def test_setup_prints_each_component_and_exits_1_while_one_is_missing(tmp_path: Path) -> None:
    bad = tmp_path / "no-axe.min.js"
    result = run_cli("setup", env={"SITEAUDIT_AXE": str(bad), "PATH": "/nonexistent"})
    assert result.returncode in (0, 1), result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("axe-core") and "missing:" in lines[0]
    assert result.returncode == 1
    assert "will be skipped" in lines[-1]


def test_setup_installs_axe_core_where_no_checkout_has_one(
    data_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("audits.stages.browser.VENDOR_AXE", data_home / "no-vendor")
    lines: list[str] = []
    with registry(GOOD) as server:
        setup(server.url, echo=lines.append)
    assert re.match(rf"axe-core\s+{re.escape(AXE_VERSION)}\s+{data_home}/siteaudit/", lines[0])
    assert [line.split()[0] for line in lines[:3]] == ["axe-core", "Chromium", "chromedriver"]


@pytest.mark.skipif(not VENDOR_AXE.is_file(), reason="no vendored axe-core (make setup)")
def test_setup_in_a_checkout_finds_its_axe_core_without_fetching(tmp_path: Path) -> None:
    env = {"XDG_DATA_HOME": str(tmp_path / "data"), "SITEAUDIT_AXE": ""}
    with registry(GOOD) as server:
        result = run_cli("setup", "--registry", server.url, env=env)
        asked = list(server.requests)
    axe = result.stdout.splitlines()[0]
    assert re.match(rf"axe-core\s+\d+\.\d+\.\d+\s+{VENDOR_AXE}$", axe), axe
    assert asked == []
    assert "Traceback" not in result.stderr


def test_the_pinned_axe_core_is_the_makefiles() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert f"AXE_VERSION := {AXE_VERSION}\n" in makefile
