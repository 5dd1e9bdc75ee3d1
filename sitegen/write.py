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
from collections.abc import Iterable
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
