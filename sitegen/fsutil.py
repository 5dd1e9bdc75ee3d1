"""File writing that never leaves a half-written file and never touches unchanged ones."""

from __future__ import annotations

import os
import stat
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path


def atomic_write(path: Path, data: bytes) -> bool:
    """Write `data` to `path` through a temporary file in the same folder and `os.replace`.

    Returns False, and leaves the file (and its modification time) alone, when it already
    holds exactly these bytes; True when it was written.
    """
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    # Same folder as the target: os.replace is only atomic within one file system.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return True


Stat = tuple[int, int]
"""(mtime_ns, size) of a file."""


def scan(folder: Path) -> dict[str, Stat]:
    """Every file under `folder` (recursively, symlinks followed as files, not into linked
    folders, as Path.rglob) → its stat, keyed by '/'-separated path relative to `folder`.
    An absent folder is empty. (`scan_since` with nothing recorded: one walk for both.)"""
    return scan_since(folder, (), {}, racy_ns=0)[0]


Folders = dict[str, "int | None"]
"""Folder ('/'-separated path relative to the scanned folder, '' for itself) → the ctime_ns
it had when it was listed, or None when that listing cannot vouch for a later one (see
`scan_since`)."""


def scan_since(folder: Path, files: Iterable[str], folders: Folders, *,
               racy_ns: int) -> tuple[dict[str, Stat], Folders]:
    """What `scan(folder)` returns, and the folders' ctimes to pass to the next call.

    `files` and `folders` describe the folder as an earlier call (or a build since) left it:
    a folder whose ctime is still the one recorded holds the same entries (adding, removing
    or renaming an entry changes the ctime of the folder that holds it, and so does anything
    else that sets its mtime, so a restored backup is listed again), so it is not listed:
    its files are the recorded ones in it, each stat-ed. Any other folder is listed. Saves
    about a third of `scan` on a site of one page per folder, where the stats are most of it.

    A folder whose ctime is less than `racy_ns` before the listing is recorded as None
    (listed next time): a change in the same clock tick would leave its ctime as it was. So
    is one holding an entry `scan` skips (a dangling link), which could turn into a file.
    `files` must be the files of the folders recorded with a ctime, and only those may be
    missing from `folders` that were made since (their parent's ctime then changed)."""
    limit = time.time_ns() - racy_ns
    try:
        # Paths are looked up from the folder's descriptor: a tenth cheaper than from the
        # root of the file system.
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except (FileNotFoundError, NotADirectoryError):
        return {}, {}
    try:
        return _scan_since(fd, str(folder) + "/", files, folders, limit)
    finally:
        os.close(fd)


def _scan_since(fd: int, root: str, files: Iterable[str], folders: Folders,
                limit: int) -> tuple[dict[str, Stat], Folders]:
    trusted: Folders = {}
    changed: list[str] = []
    for rel, want in folders.items():
        try:
            st = os.stat(rel, dir_fd=fd, follow_symlinks=False) if rel else os.stat(fd)
        except OSError:
            continue  # gone: its parent changed, and its listing says so
        if want is not None and st.st_ctime_ns == want and stat.S_ISDIR(st.st_mode):
            trusted[rel] = want
        else:
            changed.append(rel)
    out: dict[str, Stat] = {}
    for rel in files:
        if rel.rpartition("/")[0] in trusted:
            try:
                st = os.stat(rel, dir_fd=fd)
            except (FileNotFoundError, NotADirectoryError):
                continue
            out[rel] = (st.st_mtime_ns, st.st_size)
    record: Folders = dict(trusted)
    # The root when it changed (or nothing was recorded: everything is listed), and each
    # changed folder in a trusted one; the listing goes down into every folder not trusted.
    todo = [rel for rel in changed if rel and rel.rpartition("/")[0] in trusted]
    if "" not in trusted:
        todo.append("")
    while todo:
        rel = todo.pop()
        try:
            # Its ctime before its entries: a change while it is listed shows next time.
            st = os.stat(rel, dir_fd=fd, follow_symlinks=False) if rel else os.stat(fd)
            entries = os.scandir(root + rel)
        except (FileNotFoundError, NotADirectoryError):
            continue
        sure = st.st_ctime_ns < limit
        with entries:
            for e in entries:
                name = rel + "/" + e.name if rel else e.name
                # Not into linked folders, as `scan`.
                if e.is_dir(follow_symlinks=False):
                    if name not in trusted:
                        todo.append(name)
                else:
                    try:
                        fst = e.stat()
                    except FileNotFoundError:
                        sure = False
                        continue
                    out[name] = (fst.st_mtime_ns, fst.st_size)
        record[rel] = st.st_ctime_ns if sure else None
    return out, record
