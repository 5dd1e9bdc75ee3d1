"""Writing the output folder: only changed files written, unchanged files untouched, stale files
gone, a failed write leaves the folder as it was, no leftovers."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

import sitegen.hashing
import sitegen.incremental.store
from sitegen.errors import LinkError
from sitegen.model import Output
from sitegen.write import OutputState, Staging, WriteResult

from conftest import tree


def write(out: Path, outputs: Iterable[Output], previous: OutputState | None = None,
          kept: Iterable[str] = ()) -> tuple[WriteResult, OutputState]:
    """One write as sitegen.build drives it: `previous` is the state the last write returned."""
    staging = Staging(out, previous or {}, sitegen.incremental.store.scan(out), sitegen.hashing.digest)
    try:
        staging.add(outputs)
        return staging.commit(kept)
    finally:
        staging.discard()


def test_writes_exactly_the_outputs_under_unicode_names(tmp_path: Path) -> None:
    out = tmp_path / "public"
    result, _state = write(out, [Output("index.html", b"home"), Output("articles/خبر/index.html", b"x")])
    assert tree(out) == {"index.html": b"home", "articles/خبر/index.html": b"x"}
    assert (result.written, result.unchanged, result.removed) == (2, 0, 0)
    assert [p.name for p in tmp_path.iterdir()] == ["public"]


def test_unchanged_files_keep_their_inode_and_stale_files_go(tmp_path: Path) -> None:
    out = tmp_path / "public"
    _result, state = write(out, [Output("a.html", b"a"), Output("b.html", b"b"), Output("old/c.html", b"c")])
    before = (out / "a.html").stat()
    result, _state = write(out, [Output("a.html", b"a"), Output("b.html", b"B")], state)
    after = (out / "a.html").stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert tree(out) == {"a.html": b"a", "b.html": b"B"}
    assert (result.written, result.unchanged, result.removed) == (1, 1, 1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]


def test_kept_files_stay_and_a_file_changed_on_disk_is_rewritten(tmp_path: Path) -> None:
    out = tmp_path / "public"
    _result, state = write(out, [Output("a.html", b"a"), Output("b.html", b"b")])
    (out / "b.html").write_bytes(b"edited by hand")
    result, state = write(out, [Output("b.html", b"b")], state, kept=["a.html"])
    assert tree(out) == {"a.html": b"a", "b.html": b"b"}
    assert (result.written, result.unchanged, result.removed) == (1, 1, 0)
    assert set(state) == {"a.html", "b.html"}


@pytest.mark.parametrize("bad", ["../escape.html", "/abs.html", "a//b.html", "./x.html"])
def test_paths_outside_the_folder_are_refused_and_nothing_changes(tmp_path: Path, bad: str) -> None:
    out = tmp_path / "public"
    _result, state = write(out, [Output("index.html", b"old")])
    with pytest.raises(LinkError, match="not a path inside the output folder"):
        write(out, [Output("index.html", b"new"), Output(bad, b"x")], state)
    assert tree(out) == {"index.html": b"old"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]


def test_two_outputs_for_one_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(LinkError, match="two pages want this path"):
        write(tmp_path / "out", [Output("x/index.html", b"1"), Output("x/index.html", b"2")])
    assert not (tmp_path / "out").exists()
    # One path in two Unicode normal forms (NFC 'é', NFD 'e' + U+0301) is one file on some systems.
    with pytest.raises(LinkError, match="two pages want this path"):
        write(tmp_path / "out", [Output("\u00e9.html", b"1"), Output("e\u0301.html", b"2")])
    assert [p.name for p in tmp_path.iterdir()] == []


def test_a_failure_while_writing_leaves_the_old_folder(tmp_path: Path) -> None:
    out = tmp_path / "public"
    _result, state = write(out, [Output("index.html", b"old")])

    def outputs():  # type: ignore[no-untyped-def]
        yield Output("index.html", b"new")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write(out, outputs(), state)
    assert tree(out) == {"index.html": b"old"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]


def test_a_file_where_a_folder_must_go_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    out = tmp_path / "public"
    _result, state = write(out, [Output("index.html", b"old"), Output("a", b"old a")])
    # Both clashing paths new, or one of them a file the last build wrote and this one keeps.
    with pytest.raises(LinkError, match="a/b.html: write: a is a file, not a folder"):
        write(out, [Output("index.html", b"new"), Output("a", b"file"), Output("a/b.html", b"x")], state)
    with pytest.raises(LinkError, match="a/b.html: write: a is a file, not a folder"):
        write(out, [Output("index.html", b"new"), Output("a/b.html", b"x")], state, kept=["a"])
    assert tree(out) == {"index.html": b"old", "a": b"old a"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]
    # Into a missing folder, the clash fails inside the staging folder, which is cleaned up.
    fresh = tmp_path / "fresh"
    with pytest.raises(LinkError, match="a/b.html: write: a is a file, not a folder"):
        write(fresh, [Output("a", b"file"), Output("a/b.html", b"x")])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]
