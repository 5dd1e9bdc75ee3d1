"""Watching: which events matter, and editors' save patterns through real watchdog events →
exactly one rebuild each (sitegen/serve/watch.py with the DevServer and a fake rebuild)."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from watchdog.events import (
    DirModifiedEvent,
    FileClosedNoWriteEvent,
    FileCreatedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileOpenedEvent,
)

from sitegen.errors import SitegenError
from sitegen.serve import DevServer, Rebuilt
from sitegen.serve.watch import Debouncer, Inputs, is_editor_temp


@pytest.mark.parametrize(
    "name",
    [".a.md.swp", ".a.md.swx", "a.md~", ".#a.md", "#a.md#", "4913", "a.md.bck",
     "a.md___jb_tmp___", "a.md___jb_old___", ".a.md.x8f2.tmp", "a.md.crswap",
     "sedjQXhJT", "sed0a9ZzQ", ".goutputstream-AB12CD", ".a.md.swn"],
)
def test_editor_temp_files(name: str) -> None:
    assert is_editor_temp(name)


@pytest.mark.parametrize("name", ["a.md", "مقال.md", "style.css", "base.html", "4913.md", "config.toml",
                                  "sedan.md", "sedative", "seds.css"])
def test_real_files(name: str) -> None:
    assert not is_editor_temp(name)


@pytest.fixture
def inputs(tmp_path: Path) -> Inputs:
    for name in ("content", "seeds", "themes", "templates", "static"):
        (tmp_path / name).mkdir()
    return Inputs(tmp_path, [tmp_path / n for n in ("content", "seeds", "themes", "templates", "static")],
                  [tmp_path / "config.toml"])


def test_which_events_matter(inputs: Inputs, tmp_path: Path) -> None:
    content = tmp_path / "content"
    a = str(content / "a.md")
    assert inputs.paths(FileModifiedEvent(a)) == [content / "a.md"]
    assert inputs.paths(FileModifiedEvent(str(tmp_path / "config.toml"))) == [tmp_path / "config.toml"]
    # Rename-over: the temp file's name does not count, the real destination does.
    assert inputs.paths(FileMovedEvent(str(content / "a.md.tmp"), a)) == [content / "a.md"]
    # vim's backup rename: the real name vanished (counts), the backup does not.
    assert inputs.paths(FileMovedEvent(a, a + "~")) == [content / "a.md"]
    assert inputs.paths(FileCreatedEvent(str(content / ".a.md.swp"))) == []
    assert inputs.paths(FileOpenedEvent(a)) == []
    assert inputs.paths(FileClosedNoWriteEvent(a)) == []
    assert inputs.paths(DirModifiedEvent(str(content))) == []
    assert inputs.paths(FileModifiedEvent(str(tmp_path / "public" / "index.html"))) == []
    assert inputs.paths(FileModifiedEvent(str(tmp_path / ".sitegen-cache" / "x"))) == []
    assert inputs.paths(FileModifiedEvent(str(tmp_path / "themes" / ".git" / "index"))) == []
    assert inputs.paths(FileModifiedEvent(os.fsencode(a))) == [content / "a.md"]


def test_debouncer_coalesces_a_burst_and_numbers_changes() -> None:
    batches: list[tuple[frozenset[Path], int]] = []
    done = threading.Event()

    def on_batch(paths: frozenset[Path], seq: int) -> None:
        batches.append((paths, seq))
        done.set()

    debouncer = Debouncer(on_batch, quiet=0.2, max_wait=5.0)
    debouncer.start()
    try:
        for i in range(300):
            debouncer.add([Path(f"content/{i}.md")])
        assert done.wait(10)
        time.sleep(0.5)  # room for a wrong second batch to show up
    finally:
        debouncer.stop()
    assert len(batches) == 1
    assert len(batches[0][0]) == 300 and batches[0][1] == 300 == debouncer.seq


def test_debouncer_max_wait_cuts_an_endless_stream() -> None:
    batches: list[frozenset[Path]] = []
    debouncer = Debouncer(lambda paths, seq: batches.append(paths), quiet=0.2, max_wait=0.3)
    debouncer.start()
    try:
        end = time.monotonic() + 1.5
        i = 0
        while time.monotonic() < end:  # an event every 20 ms: never quiet for 200 ms
            debouncer.add([Path(f"content/{i}.md")])
            i += 1
            time.sleep(0.02)
        deadline = time.monotonic() + 5
        while sum(len(b) for b in batches) < i and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        debouncer.stop()
    assert len(batches) >= 2  # it did not wait for the stream to end
    assert sum(len(b) for b in batches) == i  # and lost nothing


def test_debouncer_builds_a_finished_save_of_one_file_at_once() -> None:
    """A burst of one file whose last event ends its write (`settled`) is built after the
    short `settle` period, not `quiet` (here a minute: a wrong wait fails by timeout); a
    burst of two files, or an unfinished write, still waits for `quiet`."""
    batches: list[frozenset[Path]] = []
    done = threading.Event()
    debouncer = Debouncer(lambda paths, seq: batches.append(paths) or done.set(), quiet=60.0, max_wait=120.0)
    debouncer.start()
    try:
        debouncer.add([Path("content/a.md")])  # truncated, being written
        debouncer.add([Path("content/a.md")], settled=True)  # closed after writing
        assert done.wait(10)
        assert batches == [frozenset({Path("content/a.md")})]
        done.clear()
        debouncer.add([Path("content/a.md")], settled=True)
        debouncer.add([Path("content/b.md")], settled=True)  # a second file: a bulk change
        debouncer.add([Path("content/c.md")])
        debouncer.add([Path("content/c.md")])  # still being written
        assert not done.wait(1.0)
    finally:
        debouncer.stop()
    assert len(batches) == 1


class Recorder:
    """A fake rebuild that remembers what it was told and what content/a.md said then."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.calls: list[tuple[frozenset[Path], str]] = []

    def __call__(self, paths: frozenset[Path]) -> Rebuilt:
        a = self.root / "content" / "a.md"
        self.calls.append((paths, a.read_text(encoding="utf-8") if a.exists() else ""))
        out = self.root / "public"
        out.mkdir(exist_ok=True)
        (out / "index.html").write_text("<body>x</body>", encoding="utf-8")  # output events: ignored
        return Rebuilt(written=1)


@pytest.fixture(params=[False, True], ids=["inotify", "poll"])
def watched(request: pytest.FixtureRequest, inputs: Inputs, tmp_path: Path) -> Iterator[tuple[DevServer, Recorder]]:
    (tmp_path / "content" / "a.md").write_text("old", encoding="utf-8")
    (tmp_path / "config.toml").write_text("", encoding="utf-8")
    recorder = Recorder(tmp_path)
    with DevServer(tmp_path / "public", recorder, inputs=inputs, port=0, poll=request.param,
                   quiet=0.5, max_wait=3.0) as server:
        server.start()
        recorder.calls.clear()  # the first build
        yield server, recorder


def rebuilds_after(recorder: Recorder, expected: int) -> int:
    """Wait until `expected` rebuilds have happened (or 10 s), then a while longer for any
    extra one, and return how many there were."""
    deadline = time.monotonic() + 10
    while len(recorder.calls) < expected and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(1.5)
    return len(recorder.calls)


def test_write_temp_then_rename(watched: tuple[DevServer, Recorder], tmp_path: Path) -> None:
    _, recorder = watched
    a = tmp_path / "content" / "a.md"
    tmp = tmp_path / "content" / ".a.md.1234.tmp"
    tmp.write_text("new via rename", encoding="utf-8")
    os.replace(tmp, a)
    assert rebuilds_after(recorder, 1) == 1
    paths, text = recorder.calls[0]
    assert a in paths and text == "new via rename"


def test_vim_backup_dance(watched: tuple[DevServer, Recorder], tmp_path: Path) -> None:
    _, recorder = watched
    content = tmp_path / "content"
    a = content / "a.md"
    swap = content / ".a.md.swp"
    swap.write_bytes(b"swap")
    probe = content / "4913"  # vim checks it may create files in the folder
    probe.write_bytes(b"")
    probe.unlink()
    os.rename(a, content / "a.md~")
    a.write_text("new via vim", encoding="utf-8")
    (content / "a.md~").unlink()
    swap.unlink()
    assert rebuilds_after(recorder, 1) == 1
    assert recorder.calls[0] == (frozenset({a}), "new via vim")


def test_jetbrains_safe_write(watched: tuple[DevServer, Recorder], tmp_path: Path) -> None:
    _, recorder = watched
    content = tmp_path / "content"
    a = content / "a.md"
    tmp = content / "a.md___jb_tmp___"
    tmp.write_text("new via jetbrains", encoding="utf-8")
    os.rename(a, content / "a.md___jb_old___")
    os.rename(tmp, a)
    (content / "a.md___jb_old___").unlink()
    assert rebuilds_after(recorder, 1) == 1
    assert recorder.calls[0] == (frozenset({a}), "new via jetbrains")


@pytest.mark.skipif(shutil.which("sed") is None, reason="no sed")
def test_sed_in_place_edit_rebuilds_the_real_file_only(watched: tuple[DevServer, Recorder], tmp_path: Path) -> None:
    _, recorder = watched
    a = tmp_path / "content" / "a.md"
    subprocess.run(["sed", "-i", "s/old/new via sed/", str(a)], check=True)
    assert rebuilds_after(recorder, 1) == 1
    assert recorder.calls[0] == (frozenset({a}), "new via sed")


def test_a_failed_rebuild_names_the_real_files_or_none(inputs: Inputs, tmp_path: Path,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    def fail(paths: frozenset[Path]) -> Rebuilt:
        raise SitegenError("content/a.md:2: front matter: invalid YAML")

    content = tmp_path / "content"
    with DevServer(tmp_path / "public", fail, inputs=inputs, port=0) as server:
        with caplog.at_level(logging.ERROR, logger="sitegen"):
            server._run_build(frozenset({content / "sedjQXhJT", content / "a.md", content / "4913"}), 1)
            server._run_build(frozenset({content / ".a.md.swp"}), 2)
            server._run_build(frozenset(), 3)  # a refresh: no file changed
    messages = [r.getMessage() for r in caplog.records]
    assert messages[0].startswith("content/a.md: build failed in "), messages
    assert messages[1].startswith("build failed in ") and messages[2].startswith("build failed in "), messages
    assert all("sed" not in m and "4913" not in m and "nothing" not in m and "more" not in m for m in messages)


def test_three_hundred_files_at_once(watched: tuple[DevServer, Recorder], tmp_path: Path) -> None:
    _, recorder = watched
    for i in range(300):
        (tmp_path / "content" / f"n{i:03d}.md").write_text(f"article {i}", encoding="utf-8")
    assert rebuilds_after(recorder, 1) == 1
    assert len(recorder.calls[0][0]) == 300


def test_temp_files_and_output_alone_rebuild_nothing(watched: tuple[DevServer, Recorder], tmp_path: Path) -> None:
    _, recorder = watched
    (tmp_path / "content" / ".a.md.swp").write_bytes(b"x")
    (tmp_path / "content" / "a.md~").write_bytes(b"x")
    (tmp_path / "public").mkdir(exist_ok=True)
    (tmp_path / "public" / "x.html").write_bytes(b"x")
    (tmp_path / "notes.txt").write_bytes(b"x")
    assert rebuilds_after(recorder, 0) == 0


def test_config_and_new_folder(watched: tuple[DevServer, Recorder], tmp_path: Path) -> None:
    server, recorder = watched
    (tmp_path / "config.toml").write_text('title = "جديد"\n', encoding="utf-8")
    assert rebuilds_after(recorder, 1) == 1
    assert recorder.calls[0][0] == frozenset({tmp_path / "config.toml"})
    # A watched folder deleted and created again while serving is watched again.
    (tmp_path / "templates").rmdir()
    assert rebuilds_after(recorder, 2) == 2
    (tmp_path / "templates").mkdir()
    assert rebuilds_after(recorder, 3) == 3
    (tmp_path / "templates" / "base.html").write_text("<body></body>", encoding="utf-8")
    assert rebuilds_after(recorder, 4) == 4
    assert tmp_path / "templates" / "base.html" in recorder.calls[3][0]


def test_request_after_save_waits_for_the_rebuild(watched: tuple[DevServer, Recorder], tmp_path: Path) -> None:
    server, recorder = watched
    (tmp_path / "content" / "a.md").write_text("fresh", encoding="utf-8")
    deadline = time.monotonic() + 10
    while server.changes_seen() == 0 and time.monotonic() < deadline:
        time.sleep(0.005)
    # The change is seen but (quiet=0.5 s) not yet built: a request now must wait for it.
    with server.state.reading(server.changes_seen()):
        assert [text for _, text in recorder.calls] == ["fresh"]


@pytest.mark.parametrize("poll", [False, True], ids=["inotify", "poll"])
def test_stop_joins_the_watcher_too(inputs: Inputs, tmp_path: Path, poll: bool) -> None:
    before = set(threading.enumerate())
    server = DevServer(tmp_path / "public", Recorder(tmp_path), inputs=inputs, port=0, poll=poll)
    server.start()
    (tmp_path / "content" / "b.md").write_text("x", encoding="utf-8")  # a rebuild may be running
    server.stop()
    assert [t for t in threading.enumerate() if t not in before and t.is_alive()] == []


def test_a_saved_file_is_built_without_waiting_for_quiet(inputs: Inputs, tmp_path: Path) -> None:
    """Through real inotify events, with `quiet` a minute: a file written in place (closed
    after writing) and one saved by rename are each built at once, each once, with the text
    saved."""
    (tmp_path / "content" / "a.md").write_text("old", encoding="utf-8")
    (tmp_path / "config.toml").write_text("", encoding="utf-8")
    recorder = Recorder(tmp_path)
    a = tmp_path / "content" / "a.md"
    with DevServer(tmp_path / "public", recorder, inputs=inputs, port=0, quiet=60.0,
                   max_wait=120.0) as server:
        server.start()
        recorder.calls.clear()
        a.write_text("written in place", encoding="utf-8")
        assert rebuilds_after(recorder, 1) == 1
        tmp = tmp_path / "content" / ".a.md.1234.tmp"
        tmp.write_text("saved by rename", encoding="utf-8")
        os.replace(tmp, a)
        assert rebuilds_after(recorder, 2) == 2
    assert recorder.calls == [(frozenset({a}), "written in place"), (frozenset({a}), "saved by rename")]
