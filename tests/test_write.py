"""Writing the output folder: swap, unchanged files untouched, stale files gone, no leftovers."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.errors import LinkError
from sitegen.model import Output
from sitegen.write import write_outputs


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_writes_exactly_the_outputs_under_unicode_names(tmp_path: Path) -> None:
    out = tmp_path / "public"
    result = write_outputs([Output("index.html", b"home"), Output("articles/خبر/index.html", b"x")], out)
    assert tree(out) == {"index.html": b"home", "articles/خبر/index.html": b"x"}
    assert (result.written, result.unchanged, result.removed) == (2, 0, 0)
    assert [p.name for p in tmp_path.iterdir()] == ["public"]


def test_unchanged_files_keep_their_inode_and_stale_files_go(tmp_path: Path) -> None:
    out = tmp_path / "public"
    write_outputs([Output("a.html", b"a"), Output("b.html", b"b"), Output("old/c.html", b"c")], out)
    before = (out / "a.html").stat()
    result = write_outputs([Output("a.html", b"a"), Output("b.html", b"B")], out)
    after = (out / "a.html").stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert tree(out) == {"a.html": b"a", "b.html": b"B"}
    assert (result.written, result.unchanged, result.removed) == (1, 1, 1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]


@pytest.mark.parametrize("bad", ["../escape.html", "/abs.html", "a//b.html", "./x.html"])
def test_paths_outside_the_folder_are_refused_and_nothing_changes(tmp_path: Path, bad: str) -> None:
    out = tmp_path / "public"
    write_outputs([Output("index.html", b"old")], out)
    with pytest.raises(LinkError, match="not a path inside the output folder"):
        write_outputs([Output("index.html", b"new"), Output(bad, b"x")], out)
    assert tree(out) == {"index.html": b"old"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]


def test_two_outputs_for_one_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(LinkError, match="two pages want this path"):
        write_outputs([Output("x/index.html", b"1"), Output("x/index.html", b"2")], tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_failure_while_writing_leaves_the_old_folder(tmp_path: Path) -> None:
    out = tmp_path / "public"
    write_outputs([Output("index.html", b"old")], out)

    def outputs():  # type: ignore[no-untyped-def]
        yield Output("index.html", b"new")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_outputs(outputs(), out)
    assert tree(out) == {"index.html": b"old"}
    # A file where a folder must go fails inside the staging folder, which is cleaned up.
    with pytest.raises(OSError):
        write_outputs([Output("a", b"file"), Output("a/b.html", b"x")], out)
    assert tree(out) == {"index.html": b"old"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]
