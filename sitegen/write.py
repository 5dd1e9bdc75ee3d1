"""Outputs → the output folder, incrementally (`Staging`): only the files whose bytes changed
are written, into a staging folder beside the output folder, and renamed in once every page is
rendered and staged, so a failed build leaves the output folder as it was. Unchanged files are
not touched (same inode, same mtime), so hosts, rsync and browsers see them unchanged. A cold
build into a missing folder is one rename of the staging folder."""

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


def _check_path(path: str, seen: dict[str, str]) -> None:
    """Record `path` in `seen` (keyed by its NFC form); a LinkError if it leaves the output
    folder or another output already wants it."""
    parts = path.split("/")
    if path.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise LinkError(f"{path}: write: not a path inside the output folder")
    key = unicodedata.normalize("NFC", path)
    if key in seen:
        raise LinkError(f"{path}: write: two pages want this path")
    seen[key] = path


# Why not build the whole site into a staging folder and swap it in, which would make the
# switch from old to new output one rename: every file of the site would have to go into the
# staging folder, a hard link at least for each unchanged one: 14,000 links for a one-line
# edit. Staging keeps the half that matters, that a failed build leaves the output folder
# exactly as it was: every page is rendered, and every changed file written into the staging
# folder, before the output folder is touched. Only then are stale files deleted and changed
# files renamed in, each with one atomic os.replace. What it gives up: for the few
# milliseconds of those renames a reader (or an rsync) can see some files new and some old,
# and an OS error in the middle of them (disk full cannot happen then: the bytes are already
# written) leaves a mix, which the next build repairs, since it checks the output folder
# against its cache. A cold build into a missing folder is one rename of the staging folder.

OutputState = dict[str, tuple[int, int, str]]
"""Output file → (mtime_ns, size, digest of its bytes), as the build cache records it."""


class Staging:
    """An incremental write of the output folder: `add` outputs as they are rendered (only
    changed bytes are written, into a staging folder beside the output folder, so memory
    holds no more than a batch of pages), then `commit`, or `discard` after a failure."""

    def __init__(self, out_dir: Path, previous: OutputState, current: dict[str, tuple[int, int]],
                 digest: Callable[[bytes], str]) -> None:
        """`previous`: the output folder's files as the last build recorded them (with the
        digest of their bytes); `current`: their stats now."""
        self.out_dir = out_dir.resolve()
        self.previous, self.current, self.digest = previous, current, digest
        self.out_dir.parent.mkdir(parents=True, exist_ok=True)
        self.fresh = not self.out_dir.exists()
        """No output folder yet: the staging folder becomes it, in one rename."""
        self.folder = Path(tempfile.mkdtemp(dir=self.out_dir.parent, prefix=f".{self.out_dir.name}.staging-"))
        self.state: OutputState = {}
        self.staged: list[tuple[Path, str, str]] = []
        self.unchanged = 0
        self.changed: list[str] = []
        """After `commit`: the files written or removed."""
        self._seen: dict[str, str] = {}

    def add(self, outputs: Iterable[Output]) -> None:
        """Stage the outputs whose bytes the output folder does not already hold."""
        for o in outputs:
            _check_path(o.path, self._seen)
            d = self.digest(o.data)
            prev = self.previous.get(o.path)
            if prev is not None and prev[2] == d and self.current.get(o.path) == prev[:2]:
                self.state[o.path] = prev
                self.unchanged += 1
                continue
            target = self.folder / (o.path if self.fresh else str(len(self.staged)))
            if self.fresh:
                target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(o.data)
            os.chmod(target, 0o644)
            self.staged.append((target, o.path, d))

    def commit(self, kept: Iterable[str]) -> tuple[WriteResult, OutputState]:
        """Put the staged files in place, keep `kept` (files of the last build left as they
        are), remove every other file. Returns what changed and the folder's new state.
        Raises, with the output folder untouched, when paths clash."""
        kept = [k for k in kept if k in self.previous and k not in self._seen]
        final = set(self._seen.values()) | set(kept)
        for path in final:
            parts = path.split("/")
            for n in range(1, len(parts)):
                if "/".join(parts[:n]) in final:
                    raise LinkError(f"{path}: write: {'/'.join(parts[:n])} is a file, not a folder")
        stale = [p for p in self.current if p not in final]
        out_dir = self.out_dir
        if self.fresh:
            os.chmod(self.folder, 0o755)
            os.replace(self.folder, out_dir)
        else:
            # Rendering is done and every byte is written: from here on, only renames.
            for rel in stale:
                (out_dir / rel).unlink(missing_ok=True)
            _prune_empty(out_dir, {str(Path(rel).parent) for rel in stale})
            for tmp, rel, _d in self.staged:
                target = out_dir / rel
                if target.is_dir():  # a folder of stale files where a file now goes
                    shutil.rmtree(target)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp, target)
        state = {**{k: self.previous[k] for k in kept}, **self.state}
        for _tmp, rel, d in self.staged:
            st = (out_dir / rel).stat()
            state[rel] = (st.st_mtime_ns, st.st_size, d)
        self.changed = [rel for _tmp, rel, _d in self.staged] + stale
        result = WriteResult(written=len(self.staged), unchanged=self.unchanged + len(kept),
                             removed=len(stale))
        return result, state

    def discard(self) -> None:
        """Remove the staging folder (after `commit` it is already gone or empty)."""
        shutil.rmtree(self.folder, ignore_errors=True)


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
