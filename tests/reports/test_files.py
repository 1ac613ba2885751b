"""Atomic writes: a reader sees the old file (or folder) or the new one, never half of one."""

from __future__ import annotations

import pytest

from reports.files import atomic_open, staged_dir, write_atomic


def test_write_atomic_replaces(tmp_path) -> None:
    path = tmp_path / "a.txt"
    write_atomic(path, "one")
    write_atomic(path, "two")
    assert path.read_text() == "two"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]
    assert (path.stat().st_mode & 0o777) == 0o644


def test_atomic_open_leaves_the_old_file_on_error(tmp_path) -> None:
    path = tmp_path / "a.txt"
    write_atomic(path, "old")

    def half_write() -> None:
        with atomic_open(path) as handle:
            handle.write("half")
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        half_write()
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_staged_dir_swaps_whole_folders(tmp_path) -> None:
    final = tmp_path / "pages"
    with staged_dir(final) as folder:
        (folder / "old.html").write_text("old")
    with staged_dir(final) as folder:
        assert not (folder / "old.html").exists()
        (folder / "new.html").write_text("new")
        assert (final / "old.html").exists()  # the old set stays readable until the end
    assert sorted(p.name for p in final.iterdir()) == ["new.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pages"]
    assert (final.stat().st_mode & 0o777) == 0o755


def test_staged_dir_keeps_the_old_folder_on_error(tmp_path) -> None:
    final = tmp_path / "pages"
    with staged_dir(final) as folder:
        (folder / "old.html").write_text("old")

    def half_fill() -> None:
        with staged_dir(final) as folder:
            (folder / "new.html").write_text("new")
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        half_fill()
    assert sorted(p.name for p in final.iterdir()) == ["old.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pages"]
