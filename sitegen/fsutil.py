"""File writing that never leaves a half-written file and never touches unchanged ones."""

from __future__ import annotations

import os
import tempfile
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
    """Every file under `folder` (recursively, symlinks followed as files) → its stat, keyed
    by '/'-separated path relative to `folder`. An absent folder is empty."""
    out: dict[str, Stat] = {}
    todo = [("", str(folder))]
    while todo:
        prefix, path = todo.pop()
        try:
            entries = os.scandir(path)
        except (FileNotFoundError, NotADirectoryError):
            continue
        with entries:
            for e in entries:
                rel = prefix + e.name
                # Not into linked folders (as Path.rglob, which the loader uses): no cycles.
                if e.is_dir(follow_symlinks=False):
                    todo.append((rel + "/", e.path))
                else:
                    try:
                        st = e.stat()
                    except FileNotFoundError:
                        continue
                    out[rel] = (st.st_mtime_ns, st.st_size)
    return out
