"""Outputs → the output folder, atomically: every file goes into a sibling staging folder,
which is then swapped in, so a failed build never leaves a half-written site. Files whose
bytes did not change are hard-linked from the old folder (same inode, same mtime), so hosts,
rsync and browsers see them unchanged."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from sitegen.errors import LinkError
from sitegen.model import Output

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WriteResult:
    """What writing changed in the output folder."""

    written: int
    """Files that are new or whose bytes changed."""
    unchanged: int
    """Files whose bytes were already there."""
    removed: int
    """Files of the previous output that no output produces any more."""


def check_paths(outputs: Iterable[Output]) -> list[Output]:
    """The outputs as a list; a LinkError if two want one path or a path leaves the folder."""
    seen: dict[str, Output] = {}
    for o in outputs:
        parts = o.path.split("/")
        if o.path.startswith("/") or any(p in ("", ".", "..") for p in parts):
            raise LinkError(f"{o.path}: write: not a path inside the output folder")
        key = unicodedata.normalize("NFC", o.path)
        if key in seen:
            raise LinkError(f"{o.path}: write: two pages want this path")
        seen[key] = o
    return list(seen.values())


def write_outputs(outputs: Iterable[Output], out_dir: Path) -> WriteResult:
    """Replace `out_dir` with exactly `outputs`. Anything in the old folder that no output
    produces is gone afterwards. On error the old folder is left as it was."""
    items = check_paths(outputs)
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    old_files = _files(out_dir) if out_dir.is_dir() else set()
    staging = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.staging-"))
    written = unchanged = 0
    try:
        for o in items:
            target = staging / o.path
            target.parent.mkdir(parents=True, exist_ok=True)
            old = out_dir / o.path
            if o.path in old_files and _same(old, o.data):
                try:
                    os.link(old, target)
                    unchanged += 1
                    continue
                except OSError:  # file systems without hard links: write a copy
                    pass
            target.write_bytes(o.data)
            os.chmod(target, 0o644)
            written += 1
        os.chmod(staging, 0o755)
        _swap(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    removed = len(old_files - {o.path for o in items})
    return WriteResult(written=written, unchanged=unchanged, removed=removed)


def _same(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def _swap(staging: Path, out_dir: Path) -> None:
    """Put `staging` where `out_dir` is. The old folder is renamed aside first and deleted
    after, so at no point is a mix of old and new files visible under `out_dir`."""
    if not out_dir.exists():
        os.replace(staging, out_dir)
        return
    aside = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.old-"))
    os.rmdir(aside)
    os.replace(out_dir, aside)
    try:
        os.replace(staging, out_dir)
    except BaseException:
        os.replace(aside, out_dir)
        raise
    shutil.rmtree(aside, ignore_errors=True)


# --- Incremental writes ------------------------------------------------------------------------
# The trade-off: the staging swap above makes the switch from old to new output one rename,
# but it must put every file of the site into the staging folder, a hard link at least for
# each unchanged one: 14,000 links for a one-line edit. The incremental writer below keeps
# the half that matters, that a failed build leaves the output folder exactly as it was:
# every page is rendered, and every changed file written into a staging folder, before the
# output folder is touched. Only then are stale files deleted and changed files renamed in,
# each with one atomic os.replace. What it gives up: for the few milliseconds of those
# renames a reader (or an rsync) can see some files new and some old, and an OS error in
# the middle of them (disk full cannot happen then: the bytes are already written) leaves a
# mix, which the next build repairs, since it checks the output folder against its cache.
# A cold build into a missing folder is still one rename of the staging folder.

OutputState = dict[str, tuple[int, int, str]]
"""Output file → (mtime_ns, size, digest of its bytes), as the build cache records it."""


def write_changed(outputs: Iterable[Output], kept: Iterable[str], out_dir: Path,
                  previous: OutputState, current: dict[str, tuple[int, int]],
                  digest: Callable[[bytes], str]) -> tuple[WriteResult, OutputState]:
    """Make `out_dir` hold exactly `outputs` plus the `kept` files (already there, as the
    last build wrote them). Outputs whose bytes the folder already holds (`previous` says
    which digest each file had, `current` that it still has that stat) are not written;
    every file no longer produced is removed. Returns what changed and the folder's new
    state. Raises (leaving `out_dir` as it was) on clashing paths."""
    items = check_paths(outputs)
    kept = [k for k in kept if k in previous]
    final = {o.path for o in items} | set(kept)
    if len(final) != len(items) + len(kept):
        raise LinkError("write: an output is also a kept file")
    for path in final:
        parts = path.split("/")
        for n in range(1, len(parts)):
            if "/".join(parts[:n]) in final:
                raise LinkError(f"{path}: write: {'/'.join(parts[:n])} is a file, not a folder")
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    state: OutputState = {k: previous[k] for k in kept}
    changed: list[tuple[Output, str]] = []
    unchanged = len(kept)
    for o in items:
        d = digest(o.data)
        prev = previous.get(o.path)
        if prev is not None and prev[2] == d and current.get(o.path) == prev[:2]:
            state[o.path] = prev
            unchanged += 1
        else:
            changed.append((o, d))
    stale = [p for p in current if p not in final]
    fresh = not out_dir.exists()
    staging = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.staging-"))
    try:
        staged: list[tuple[Path, str, str]] = []
        for n, (o, d) in enumerate(changed):
            target = staging / o.path if fresh else staging / f"{n}"
            if fresh:
                target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(o.data)
            os.chmod(target, 0o644)
            staged.append((target, o.path, d))
        if fresh:
            os.chmod(staging, 0o755)
            os.replace(staging, out_dir)
        else:
            # Rendering is done and every byte is written: from here on, only renames.
            for rel in stale:
                (out_dir / rel).unlink(missing_ok=True)
            _prune_empty(out_dir, {str(Path(rel).parent) for rel in stale})
            for tmp, rel, _d in staged:
                target = out_dir / rel
                if target.is_dir():  # a folder of stale files where a file now goes
                    shutil.rmtree(target)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    for _tmp, rel, d in staged:
        st = (out_dir / rel).stat()
        state[rel] = (st.st_mtime_ns, st.st_size, d)
    return WriteResult(written=len(changed), unchanged=unchanged, removed=len(stale)), state


def _prune_empty(root: Path, folders: set[str]) -> None:
    """Remove the folders (relative to `root`) left empty, and their emptied parents."""
    for rel in sorted(folders, key=lambda f: -f.count("/")):
        folder = root / rel
        while folder != root and folder.is_relative_to(root):
            try:
                folder.rmdir()
            except OSError:
                break
            folder = folder.parent
