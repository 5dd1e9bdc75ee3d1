"""Watching the project's inputs: which file-system events matter, and a debouncer that turns
a burst of them (an editor's save dance, a `git checkout`) into one rebuild."""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch
from watchdog.observers.polling import PollingObserver

log = logging.getLogger(__name__)

# Files editors write next to the real one while saving, and files no site is built from.
_TEMP_SUFFIXES = (
    "~",  # vim/emacs backup
    ".swp", ".swo", ".swx", ".swpx",  # vim swap
    ".bck",  # Helix
    ".tmp", ".temp",  # VS Code and many others; also sitegen's own atomic_write
    "___jb_tmp___", "___jb_old___",  # JetBrains safe write
    ".crswap",  # Chromium File System Access
    ".kate-swp",
    ".orig", ".rej",
)
_TEMP_NAMES = {"4913", ".DS_Store", "Thumbs.db"}  # 4913: vim's can-I-write probe
# `sed -i` writes sedXXXXXX beside the file, then renames it over; gedit (GIO) writes
# .goutputstream-XXXXXX; vim's later swap files run .swn, .swm …
_TEMP_PATTERN = re.compile(r"sed[A-Za-z0-9]{6}|\.goutputstream-[A-Za-z0-9]{6}|\..+\.sw[a-p]")
POLL_SECONDS = 0.5
"""How often --poll looks at the files."""
SETTLE_SECONDS = 0.01
"""The quiet period after the event that ends an editor's save of one file (see Debouncer)."""
_SKIP_DIRS = {".git", ".hg", ".svn", "__pycache__", "node_modules"}


def is_editor_temp(name: str) -> bool:
    """True for an editor's temporary, swap, backup or lock file name (never built)."""
    return (
        name in _TEMP_NAMES
        or name.startswith(".#")  # emacs lock
        or (name.startswith("#") and name.endswith("#"))  # emacs autosave
        or name.startswith(".~lock.")  # LibreOffice
        or name.endswith(_TEMP_SUFFIXES)
        or _TEMP_PATTERN.fullmatch(name) is not None
    )


class Inputs:
    """The folders and files a site is built from, relative to one project root."""

    def __init__(self, root: Path, folders: Iterable[Path], files: Iterable[Path]) -> None:
        self.root = root
        self.folders = tuple(folders)
        """Watched recursively (content/, seeds/, themes/, templates/, static/)."""
        self.files = frozenset(files)
        """Single files (config.toml)."""

    def matters(self, path: Path) -> bool:
        """True when a change to `path` can change the site."""
        if path in self.files:
            return True
        if is_editor_temp(path.name):
            return False
        for folder in self.folders:
            if path.is_relative_to(folder):
                return not any(p in _SKIP_DIRS for p in path.relative_to(folder).parts)
        return False

    def within(self, path: Path) -> bool:
        """True when `path` is one of the files or under one of the folders (editors'
        temporary files included: the build reads every file of its folders)."""
        return path in self.files or any(path.is_relative_to(folder) for folder in self.folders)

    def paths(self, event: FileSystemEvent) -> list[Path]:
        """The input paths an event changed: none for reads, folder mtimes, temp files.

        A rename counts for both ends: the source vanished (an old page to remove), the
        destination appeared (the rename-over that finishes an editor's safe save).
        """
        return [path for path in self.touched(event) if self.matters(path)]

    def touched(self, event: FileSystemEvent) -> list[Path]:
        """The paths in the inputs whose file or folder an event created, changed or
        removed, temporary and skipped files included: what a build that does not look at
        every file must look at again (see DevServer.changes)."""
        if event.event_type in ("opened", "closed_no_write"):
            return []
        if event.is_directory and event.event_type in ("modified", "attrib", "closed"):
            return []  # a folder's mtime moves whenever a file in it does: seen already
        raw = [event.src_path, event.dest_path] if event.event_type == "moved" else [event.src_path]
        return [path for p in raw if p and self.within(path := Path(os.fsdecode(p)))]


class Debouncer:
    """Collects changed paths and calls `on_batch(paths, seq)` once per burst, on its own
    thread: after `quiet` seconds without a new event, or `max_wait` seconds after the
    burst's first event even if it has not ended. Batches never overlap: events that arrive
    while `on_batch` runs make the next batch.

    When the burst is one file and its last event says its writer is done with it (closed
    after writing, or renamed into place: `settled`), the quiet period is `settle` instead:
    a save is built at once, not `quiet` later, while a `git checkout` (many files) still
    waits for its burst to end.

    `seq` counts every `add`; a batch covers every add up to its `seq`, so a request can
    ask "has the change I know about been built yet?" by comparing numbers.
    """

    def __init__(
        self,
        on_batch: Callable[[frozenset[Path], int], None],
        *,
        quiet: float,
        max_wait: float,
        settle: float = SETTLE_SECONDS,
    ) -> None:
        self.on_batch = on_batch
        self.quiet = quiet
        self.max_wait = max_wait
        self.settle = min(settle, quiet)
        self._cond = threading.Condition()
        self._pending: set[Path] = set()
        self._first = 0.0
        self._last = 0.0
        self._seq = 0
        self._stopping = False
        self._poked = False
        self._settled = False
        self._thread = threading.Thread(target=self._run, name="sitegen-rebuild", daemon=True)

    @property
    def seq(self) -> int:
        """The number of changes added so far."""
        with self._cond:
            return self._seq

    def add(self, paths: Iterable[Path], settled: bool = False) -> int:
        """Note changed paths (`settled`: by an event that ends a write); returns the
        sequence number covering them."""
        now = time.monotonic()
        with self._cond:
            added = False
            for path in paths:
                if not self._pending:
                    self._first = now
                self._pending.add(path)
                added = True
            if added:
                self._seq += 1
                self._last = now
                self._settled = settled
                self._cond.notify_all()
            return self._seq

    def poke(self) -> None:
        """Run `on_batch` once more, with the changes pending (maybe none), as soon as the
        rebuild thread is free."""
        with self._cond:
            self._poked = True
            self._cond.notify_all()

    def idle_for(self) -> float:
        """Seconds since the last change was added (0 while changes wait to be built)."""
        with self._cond:
            if self._pending or self._poked:
                return 0.0
            return time.monotonic() - self._last

    def start(self) -> None:
        """Start the rebuild thread."""
        self._thread.start()

    def stop(self) -> None:
        """Drop pending changes, wait for a running batch to finish and end the thread."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread.is_alive():
            self._thread.join()

    def _take(self) -> tuple[frozenset[Path], int] | None:
        with self._cond:
            self._cond.wait_for(lambda: self._pending or self._poked or self._stopping)
            while not self._stopping and self._pending:
                quiet = self.settle if self._settled and len(self._pending) == 1 else self.quiet
                deadline = min(self._last + quiet, self._first + self.max_wait)
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            if self._stopping:
                return None
            batch, self._pending = frozenset(self._pending), set()
            self._poked = False
            return batch, self._seq

    def _run(self) -> None:
        while (taken := self._take()) is not None:
            try:
                self.on_batch(*taken)
            except Exception:  # a bug in a rebuild must not end live reload
                log.exception("rebuild failed unexpectedly")


class _Forward(FileSystemEventHandler):
    def __init__(self, watcher: "Watcher") -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        self.watcher.dispatch(event)


class _Overflow(logging.Handler):
    """Hears watchdog say that the kernel dropped events (inotify's queue overflowed): it
    tells no handler of events, only its log."""

    def __init__(self, on_loss: Callable[[str], object]) -> None:
        super().__init__(logging.WARNING)
        self.on_loss = on_loss

    def emit(self, record: logging.LogRecord) -> None:
        if "overflow" in record.getMessage().lower():
            self.on_loss("the watcher's event queue overflowed")


class Watcher:
    """watchdog observer over a site's inputs, feeding changed paths to `on_change(paths,
    settled)`; `settled` when the event ends a write: a file closed after writing (inotify's
    IN_CLOSE_WRITE), or renamed onto an input (an editor's safe save).

    `on_touch(paths)` gets every path an event touched in the inputs, temporary files
    included (`Inputs.touched`), and `on_loss(reason)` is called whenever events may have
    been missed: a watch added after its folder appeared, removed with it, or the kernel's
    queue overflowing.

    A watched folder that does not exist yet (say templates/) is picked up when it is
    created: the project root is watched (not recursively) for that and for config files.
    """

    def __init__(self, inputs: Inputs, on_change: Callable[[list[Path], bool], object], *,
                 poll: bool = False, on_touch: Callable[[list[Path]], object] | None = None,
                 on_loss: Callable[[str], object] | None = None) -> None:
        self.inputs = inputs
        self.on_change = on_change
        self.on_touch = on_touch
        self.on_loss = on_loss
        self.observer: BaseObserver = PollingObserver(timeout=POLL_SECONDS) if poll else Observer()
        self._handler = _Forward(self)
        self._watched: dict[Path, ObservedWatch] = {}
        self._overflow = _Overflow(on_loss) if on_loss is not None else None

    def start(self) -> None:
        """Schedule the watches and start the observer thread."""
        if self._overflow is not None:
            logging.getLogger("watchdog").addHandler(self._overflow)
        parents = {f.parent for f in self.inputs.files} | {f.parent for f in self.inputs.folders}
        for parent in sorted(parents):
            if parent.is_dir():
                self.observer.schedule(self._handler, str(parent), recursive=False)
        for folder in self.inputs.folders:
            self._watch(folder)
        self.observer.start()

    def _watch(self, folder: Path) -> None:
        if folder in self._watched or not folder.is_dir():
            return
        if self.observer.is_alive() and self.on_loss is not None:
            # Files made in it before its watch began send no event.
            self.on_loss(f"{folder} is watched anew")
        self._watched[folder] = self.observer.schedule(self._handler, str(folder), recursive=True)

    def _unwatch(self, folder: Path) -> None:
        watch = self._watched.pop(folder, None)
        if watch is not None:
            if self.on_loss is not None:
                self.on_loss(f"{folder} is no longer watched")
            try:
                self.observer.unschedule(watch)
            except KeyError:  # the emitter already stopped on its own
                pass

    def dispatch(self, event: FileSystemEvent) -> None:
        """Turn one watchdog event into changed paths (runs on the observer thread)."""
        touched = self.inputs.touched(event)
        if touched and self.on_touch is not None:
            # Before the rebuild it may start is asked for: a build never misses what
            # started it.
            self.on_touch(touched)
        paths = [path for path in touched if self.inputs.matters(path)]
        if event.is_directory and event.event_type in ("deleted", "moved"):
            gone = Path(os.fsdecode(event.src_path))
            if gone in self.inputs.folders:
                # Its watch died with it; a folder created later under that name gets a new one.
                self._unwatch(gone)
        if event.is_directory and event.event_type in ("created", "moved"):
            target = Path(os.fsdecode(event.dest_path or event.src_path))
            if target in self.inputs.folders:
                self._watch(target)
        # Events for a watched folder's files arrive twice when the folder's parent is also
        # watched (non-recursively): harmless, the debouncer keeps a set.
        if paths:
            log.debug("changed: %s", ", ".join(str(p) for p in paths))
            settled = event.event_type == "closed" or (
                event.event_type == "moved" and bool(event.dest_path)
                and Path(os.fsdecode(event.dest_path)) in paths)
            self.on_change(paths, settled)

    def stop(self) -> None:
        """Stop the observer thread and wait for it."""
        self.observer.stop()
        if self.observer.is_alive():
            self.observer.join()
        if self._overflow is not None:
            logging.getLogger("watchdog").removeHandler(self._overflow)
