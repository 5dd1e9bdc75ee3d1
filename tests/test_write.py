"""Writing the output folder: only changed files written, unchanged files untouched, stale files
gone, a failed write leaves the folder as it was, no leftovers; the spare (the previous tree,
made the next staging folder) never changes the result."""

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


def beside(folder: Path) -> list[str]:
    """The names in `folder` but the spare, the previous output tree kept on purpose."""
    return sorted(p.name for p in folder.iterdir() if p.name != ".public.spare")


def test_writes_exactly_the_outputs_under_unicode_names(tmp_path: Path) -> None:
    out = tmp_path / "public"
    result, _state = write(out, [Output("index.html", b"home"), Output("articles/خبر/index.html", b"x")])
    assert tree(out) == {"index.html": b"home", "articles/خبر/index.html": b"x"}
    assert (result.written, result.unchanged, result.removed) == (2, 0, 0)
    assert beside(tmp_path) == ["public"]


def test_unchanged_files_keep_their_inode_and_stale_files_go(tmp_path: Path) -> None:
    out = tmp_path / "public"
    _result, state = write(out, [Output("a.html", b"a"), Output("b.html", b"b"), Output("old/c.html", b"c")])
    before = (out / "a.html").stat()
    result, _state = write(out, [Output("a.html", b"a"), Output("b.html", b"B")], state)
    after = (out / "a.html").stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert tree(out) == {"a.html": b"a", "b.html": b"B"}
    assert (result.written, result.unchanged, result.removed) == (1, 1, 1)
    assert beside(tmp_path) == ["public"]


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
    assert beside(tmp_path) == ["public"]


def test_two_outputs_for_one_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(LinkError, match="two pages want this path"):
        write(tmp_path / "out", [Output("x/index.html", b"1"), Output("x/index.html", b"2")])
    assert not (tmp_path / "out").exists()
    # One path in two Unicode normal forms (NFC 'é', NFD 'e' + U+0301) is one file on some systems.
    with pytest.raises(LinkError, match="two pages want this path"):
        write(tmp_path / "out", [Output("\u00e9.html", b"1"), Output("e\u0301.html", b"2")])
    assert beside(tmp_path) == []


def test_a_failure_while_writing_leaves_the_old_folder(tmp_path: Path) -> None:
    out = tmp_path / "public"
    _result, state = write(out, [Output("index.html", b"old")])

    def outputs():  # type: ignore[no-untyped-def]
        yield Output("index.html", b"new")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write(out, outputs(), state)
    assert tree(out) == {"index.html": b"old"}
    assert beside(tmp_path) == ["public"]


def test_a_file_where_a_folder_must_go_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    out = tmp_path / "public"
    _result, state = write(out, [Output("index.html", b"old"), Output("a", b"old a")])
    # Both clashing paths new, or one of them a file the last build wrote and this one keeps.
    with pytest.raises(LinkError, match="a/b.html: write: a is a file, not a folder"):
        write(out, [Output("index.html", b"new"), Output("a", b"file"), Output("a/b.html", b"x")], state)
    with pytest.raises(LinkError, match="a/b.html: write: a is a file, not a folder"):
        write(out, [Output("index.html", b"new"), Output("a/b.html", b"x")], state, kept=["a"])
    assert tree(out) == {"index.html": b"old", "a": b"old a"}
    assert beside(tmp_path) == ["public"]
    # Into a missing folder, the clash fails inside the staging folder, which is cleaned up.
    fresh = tmp_path / "fresh"
    with pytest.raises(LinkError, match="a/b.html: write: a is a file, not a folder"):
        write(fresh, [Output("a", b"file"), Output("a/b.html", b"x")])
    assert beside(tmp_path) == ["public"]


def test_the_spare_becomes_the_staging_folder_and_the_output_folder_stays_as_it_was(tmp_path: Path) -> None:
    """The previous tree is kept beside the output folder and made the next staging folder;
    its files are hard links to the output folder's, yet until `commit` the output folder
    holds the last build's bytes, and after it the new ones, unchanged files keeping their
    inode."""
    out = tmp_path / "public"
    _result, state = write(out, [Output("a.html", b"a"), Output("b.html", b"b"), Output("old/c.html", b"c")])
    _result, state = write(out, [Output("a.html", b"a"), Output("b.html", b"B"), Output("n/d.html", b"d")], state)
    assert (tmp_path / ".public.spare").is_dir()
    staging = Staging(out, state, sitegen.incremental.store.scan(out), sitegen.hashing.digest)
    try:
        assert staging.differs is not None, "the spare was not used"
        assert not (tmp_path / ".public.spare").exists()
        staging.add([Output("a.html", b"A"), Output("b.html", b"B"), Output("n/d.html", b"D2")])
        assert tree(out) == {"a.html": b"a", "b.html": b"B", "n/d.html": b"d"}
        _result, state = staging.commit(())
    finally:
        staging.discard()
    assert tree(out) == {"a.html": b"A", "b.html": b"B", "n/d.html": b"D2"}
    inode = (out / "a.html").stat().st_ino
    result, _state = write(out, [Output("a.html", b"A"), Output("b.html", b"B")], state)
    assert tree(out) == {"a.html": b"A", "b.html": b"B"} and (out / "a.html").stat().st_ino == inode
    assert (result.written, result.unchanged, result.removed) == (0, 2, 1)
    assert beside(tmp_path) == ["public"]


@pytest.mark.parametrize("seed", range(4))
def test_random_writes_and_hand_edits_always_publish_exactly_the_outputs(tmp_path: Path, seed: int) -> None:
    """Random sequences of writes (files changed, unchanged, kept, removed, a file turning
    into a folder and back) with files of the output folder edited, deleted or added by hand,
    or the whole folder replaced by a copy, between them: after every write the output folder
    holds exactly the outputs, and nothing is left beside it but the spare."""
    import random
    import shutil

    rng = random.Random(seed)
    paths = ["index.html", "a.html", "x", "x/y.html", "x/z/w.html", "d/e.html", "d/e/f.html", "g/h/i.html"]
    out = tmp_path / "public"
    state: OutputState = {}
    expected: dict[str, bytes] = {}
    for _step in range(25):
        chosen = [p for p in paths if rng.random() < 0.6]
        # No file where another output needs a folder: the later one in `paths` wins.
        wanted = [p for p in chosen if not any(q.startswith(p + "/") for q in chosen)]
        untouched = {p for p in state if (out / p).is_file() and (out / p).read_bytes() == expected.get(p)}
        kept = [p for p in untouched if p not in wanted and rng.random() < 0.3
                and not any(q.startswith(p + "/") or p.startswith(q + "/") for q in wanted)]
        outputs = [Output(p, rng.choice([b"1", b"22", b"333"])) for p in wanted]
        _result, state = write(out, outputs, state, kept=kept)
        expected = {**{p: expected[p] for p in kept}, **{o.path: o.data for o in outputs}}
        assert tree(out) == expected, (seed, _step)
        assert beside(tmp_path) == ["public"]
        hand = rng.random()
        if hand < 0.15 and expected:  # edited in place: a file the spare may share
            (out / rng.choice(sorted(expected))).write_bytes(b"edited by hand, longer")
        elif hand < 0.3 and expected:
            (out / rng.choice(sorted(expected))).unlink()
        elif hand < 0.4:
            (out / "stray.html").write_bytes(b"added by hand")
        elif hand < 0.5:
            shutil.copytree(out, tmp_path / "copy", copy_function=shutil.copy2)
            shutil.rmtree(out)
            (tmp_path / "copy").rename(out)


def test_a_new_file_where_a_kept_file_needs_a_folder_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "public"
    _result, state = write(out, [Output("index.html", b"old"), Output("a/b.html", b"b")])
    with pytest.raises(LinkError, match="a/b.html: write: a is a file, not a folder"):
        write(out, [Output("index.html", b"new"), Output("a", b"file")], state, kept=["a/b.html"])
    assert tree(out) == {"index.html": b"old", "a/b.html": b"b"}
