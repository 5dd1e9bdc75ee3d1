"""Outputs → the output folder, as one atomic switch (`Staging`): the complete new site is
made in a staging folder beside the output folder (changed files written, unchanged ones hard
links to the output folder's, so they keep their inode and mtime), then the two folders are
swapped in one step. So a reader, a server or a killed build sees the old site or the new one,
whole, never a mix, and a failed build leaves the output folder as it was.

The old tree is not deleted: it is kept beside the output folder as the *spare*
(`.public.spare/`), with a note of the paths where it differs from the output folder, and the
next build makes its staging folder of it, bringing only those paths and its own changed
files up to date: an edit costs the files it changes, not a link per file of the site. A spare
is used only while the output folder is the very folder it was swapped against, holding the
files the last build recorded; it is claimed by renaming it to a staging folder, so a build
killed while updating it leaves a staging folder, which the next build deletes. Files are
never changed in place in a staging folder (the spare's unchanged files are the output
folder's, hard-linked): a changed one is unlinked and written anew.

Every output path is checked (inside the folder, no NUL, each name within the file system's
limit, no two outputs on one path, no file where a folder goes) before it is written
anywhere.

`check_output_folder` says whether a folder may be built into at all: the build replaces its
output folder whole, so it refuses any folder that holds the project's files, and any
non-empty folder without the `MARKER` file a build leaves in its output."""

from __future__ import annotations

import errno
import itertools
import json
import logging
import os
import shutil
import stat
import tempfile
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from sitegen.config import Config
from sitegen.errors import LinkError, SitegenError
from sitegen.fsutil import exchange
from sitegen.model import Output

log = logging.getLogger(__name__)

MARKER = ".sitegen-build"
"""The file every build leaves in its output folder: a later build replaces only a folder
that holds it (or that is empty, or that the build cache recorded as a build's output)."""
MARKER_TEXT = (b"This folder is written by `sitegen build`, which replaces it whole on every build:\n"
               b"files added here by hand are deleted by the next build.\n")

PATH_MAX = 4096
"""Longest path, in bytes, the build writes (Linux's PATH_MAX), staging folder included."""


@dataclass(frozen=True)
class WriteResult:
    """What writing changed in the output folder."""

    written: int
    """Files that are new or whose bytes changed."""
    unchanged: int
    """Files whose bytes were already there."""
    removed: int
    """Files of the previous output that no output produces any more."""


def staging_prefix(out_dir: Path) -> str:
    """The name every staging folder of `out_dir` starts with (beside it: `.public.staging-`)."""
    return f".{out_dir.name}.staging-"


def _shown(config: Config, path: Path) -> str:
    """`path` as messages name it: relative to the project when inside it."""
    try:
        rel = path.relative_to(config.root.resolve())
    except ValueError:
        return f"{path}/"
    return f"{rel.as_posix()}/" if rel.parts else "./"


def check_output_folder(config: Config, recorded: Callable[[], bool]) -> None:
    """Raise SitegenError, having touched nothing, unless `config.output_dir` may be replaced
    whole by a build: it must not be or hold the project folder, its inputs (content, themes,
    templates, static files, seeds), config.toml, .git or the cache; must not lie inside an
    input folder or .git; must be a folder if it exists, writable, and either empty, or
    holding the MARKER file, or recorded by the build cache as the last build's output
    (`recorded`: what a sitegen from before the marker built). The content folder must exist.
    """
    root = config.root.resolve()
    out = config.output_dir.resolve()
    name = _shown(config, out)
    guarded = {
        "the project folder": root,
        "config.toml": root / "config.toml",
        ".git": root / ".git",
        "the content folder": config.content_dir,
        "the themes folder": config.themes_dir,
        "the site's templates": config.templates_dir,
        "the site's static files": config.static_dir,
        "the seeds folder": config.seeds_dir,
        "the build cache": config.cache_dir,
    }
    for what, path in guarded.items():
        path = path.resolve()
        if path.is_relative_to(out):
            raise SitegenError(f"{name}: build: refusing to build into a folder that holds {what} "
                               f"({_shown(config, path)}): a build replaces its output folder whole")
        if what not in ("the project folder", "the build cache", "config.toml") and out.is_relative_to(path) \
                and path.exists():
            raise SitegenError(f"{name}: build: refusing to build inside {what} ({_shown(config, path)})")
    content = config.content_dir
    if not content.is_dir():
        raise SitegenError(f"{_shown(config, content.resolve()).rstrip('/')}: build: the content folder does not "
                           "exist (content_dir in config.toml); nothing built, the output left as it was")
    try:
        st = out.stat()
    except FileNotFoundError:
        return
    except OSError as e:
        raise SitegenError(f"{name}: build: {e.strerror}") from None
    if not stat.S_ISDIR(st.st_mode):
        raise SitegenError(f"{name.rstrip('/')}: build: the output folder is a file, not a folder")
    if not st.st_mode & stat.S_IWUSR or not os.access(out, os.W_OK):
        raise SitegenError(f"{name}: build: the output folder is read-only; make it writable to build into it")
    if (out / MARKER).is_file():
        return
    try:
        with os.scandir(out) as entries:
            empty = next(entries, None) is None
    except OSError as e:
        raise SitegenError(f"{name}: build: {e.strerror}") from None
    if not empty and not recorded():
        raise SitegenError(
            f"{name}: build: refusing to replace a non-empty folder sitegen did not build (no {MARKER} "
            f"file in it): a build deletes every file it does not make; choose an empty folder, or, "
            f"if sitegen built this one, create {name}{MARKER}")


def spare_path(out_dir: Path) -> Path:
    """The spare of `out_dir`: the previous output tree, kept to become the next staging
    folder (beside it: `.public.spare`)."""
    return out_dir.with_name(f".{out_dir.name}.spare")


SPARE_NOTE = ".sitegen-spare"
"""The spare's note, in the spare: JSON `{"output": [st_dev, st_ino], "files": n, "differs":
[path, …]}` — the output folder it was swapped against, how many files that folder's build
recorded, and the paths where the spare may differ from it (written, removed or replaced by
that build). Deleted as soon as the spare is claimed."""


def remove_leftovers(out_dir: Path) -> int:
    """Delete the staging folders (and old output folders) that a killed build left beside
    `out_dir`; the caller holds the output folder's lock, so none of them is in use.
    Returns how many there were."""
    prefix = staging_prefix(out_dir)
    try:
        entries = os.scandir(out_dir.parent)
    except OSError:
        return 0
    with entries:
        found = [e.path for e in entries if e.name.startswith(prefix) and e.is_dir(follow_symlinks=False)]
    for path in found:
        log.info("removing %s, left by a build that did not finish", path)
        remove_tree(Path(path))
    return len(found)


def _unlink(path: str) -> None:
    """Delete the file (or, left by an older build, the folder) at `path` if there is one."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except (IsADirectoryError, PermissionError):
        if not os.path.isdir(path) or os.path.islink(path):
            raise
        remove_tree(Path(path))


def _folders_of(paths: Iterable[str]) -> set[str]:
    """Every folder the '/'-separated `paths` lie in."""
    folders: set[str] = set()
    for rel in paths:
        parent = rel.rpartition("/")[0]
        while parent and parent not in folders:
            folders.add(parent)
            parent = parent.rpartition("/")[0]
    return folders


def remove_files(folder: Path, files: Iterable[str]) -> None:
    """Delete the '/'-separated `files` under `folder` (those that exist and are files: a
    folder there now holds outputs), then each of their folders that is left empty."""
    base = str(folder)
    emptied: set[str] = set()
    for rel in files:
        try:
            os.unlink(f"{base}/{rel}")
        except OSError:
            continue
        emptied.add(rel)
    for rel in sorted(_folders_of(emptied), key=lambda f: f.count("/"), reverse=True):
        try:
            os.rmdir(f"{base}/{rel}")
        except OSError:
            continue


def remove_tree(folder: Path, files: Iterable[str] = ()) -> None:
    """Delete `folder` and everything in it, read-only subfolders too (a build made them all,
    or replaced them); what cannot be deleted is left for the next build to try again.
    `files`: '/'-separated paths the folder is known to hold, deleted by path first (half
    the system time of a walk, which opens and lists every folder); the walk then deletes
    whatever else is there."""
    remove_files(folder, files)  # what is gone or not a file there, the walk sees to

    def retry(func: Callable[..., object], path: str, exc: object) -> None:
        # A read-only folder cannot have its entries removed: make it writable, try once more.
        if isinstance(exc, tuple) and isinstance(exc[1], FileNotFoundError):
            return
        try:
            parent = os.path.dirname(path)
            os.chmod(parent, os.stat(parent).st_mode | stat.S_IWUSR | stat.S_IXUSR)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                func(path)
        except OSError as e:
            log.warning("%s: could not delete it (%s); the next build tries again", path, e.strerror)

    if os.path.lexists(folder):
        shutil.rmtree(folder, onerror=retry)


def _check_path(path: str, seen: dict[str, str], name_max: int, room: int) -> None:
    """Record `path` in `seen` (keyed by its NFC form); a LinkError if it leaves the output
    folder, holds a NUL, has a name longer than `name_max` bytes, is longer than `room`
    bytes in all, or another output already wants it."""
    shown = path.replace("\0", "\\0")
    if len(shown) > 200:
        shown = shown[:100] + "…" + shown[-60:]
    if "\0" in path:
        raise LinkError(f"{shown}: write: a NUL character in the path (from a slug or file name)")
    parts = path.split("/")
    if path.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise LinkError(f"{shown}: write: not a path inside the output folder")
    try:
        encoded = [p.encode("utf-8") for p in parts]
    except UnicodeEncodeError:
        raise LinkError(f"{shown}: write: not valid Unicode") from None
    for part, raw in zip(parts, encoded):
        if len(raw) > name_max:
            raise LinkError(f"{shown}: write: the name {part[:40]}… is {len(raw)} bytes, longer than the "
                            f"{name_max} the file system allows (a shorter slug fixes it)")
    if sum(map(len, encoded)) + len(parts) > room:
        raise LinkError(f"{shown}: write: the path is longer than the file system allows")
    key = unicodedata.normalize("NFC", path)
    if key in seen:
        raise LinkError(f"{shown}: write: two pages want this path")
    seen[key] = path


OutputState = dict[str, tuple[int, int, str]]
"""Output file → (mtime_ns, size, digest of its bytes), as the build cache records it."""


class Staging:
    """The new output folder, made beside the old one: `add` outputs as they are rendered
    (changed bytes are written, so memory holds no more than a batch of pages), then
    `commit` (unchanged files hard-linked in, the two folders swapped), then `discard` (the
    old folder deleted; after a failure, the staging folder)."""

    def __init__(self, out_dir: Path, previous: OutputState, current: dict[str, tuple[int, int]],
                 digest: Callable[[bytes], str], *, marker: bytes | None = None) -> None:
        """`previous`: the output folder's files as the last build recorded them (with the
        digest of their bytes); `current`: their stats now; `marker`: the bytes of the
        MARKER file to leave in the new folder (not counted among the outputs)."""
        self.out_dir = out_dir.resolve()
        self.previous, self.current, self.digest = previous, current, digest
        self.out_dir.parent.mkdir(parents=True, exist_ok=True)
        self.folder = Path(tempfile.mkdtemp(dir=self.out_dir.parent, prefix=staging_prefix(self.out_dir)))
        """The new site until `commit`, the old one after it: `discard` deletes it, or keeps
        it as the spare."""
        self.state: OutputState = {}
        self.staged: list[tuple[str, str]] = []
        """Outputs written into the staging folder: (path, digest); emptied by `commit`."""
        self.linked: list[str] = []
        """Outputs whose bytes the output folder holds: hard-linked in by `commit`, which
        empties it (the counts are in its WriteResult)."""
        self.changed: list[str] = []
        """After `commit`: the files written or removed."""
        self.marker = marker
        self.committed = False
        """The new folder is in place (`folder` is the old one)."""
        self._seen: dict[str, str] = {}
        self._files: set[str] = set()
        self._dirs: dict[str, str] = {}
        """Folder the outputs need → the first output in it (for the clash message)."""
        self._made: set[str] = set()
        self._from, self._into = f"{self.out_dir}/", f"{self.folder}/"
        try:
            self._name_max = os.pathconf(self.folder, "PC_NAME_MAX")
        except (OSError, ValueError):
            self._name_max = 255
        self._room = PATH_MAX - len(os.fsencode(self.folder)) - 2
        self.differs: set[str] | None = self._claim_spare()
        """When the staging folder is the claimed spare: the paths where it may differ from
        the output folder (every other path of the output folder is there, the same inode).
        None: a new, empty staging folder."""
        self._spare_note: dict[str, object] | None = None
        """After `commit`: the note the old tree gets when `discard` keeps it as the spare."""

    def _claim_spare(self) -> set[str] | None:
        """Rename the spare, if it is usable, onto the (empty) staging folder and return the
        paths where it differs from the output folder; None when there is none to use (an
        unusable one is deleted)."""
        spare = spare_path(self.out_dir)
        try:
            note = json.loads((spare / SPARE_NOTE).read_bytes())
        except FileNotFoundError:
            if not os.path.lexists(spare):
                return None
            note = None
        except (OSError, ValueError):
            note = None
        try:
            st = os.stat(self.out_dir)
            usable = (isinstance(note, dict) and note.get("output") == [st.st_dev, st.st_ino]
                      and note.get("files") == len(self.previous) and isinstance(note.get("differs"), list))
        except OSError:
            usable = False
        try:
            # Onto the empty staging folder (a rename may replace an empty folder): from now
            # on a killed build leaves a staging folder, which the next build deletes.
            os.rename(spare, self.folder)
        except OSError as e:
            log.debug("spare %s not used: %s", spare, e)
            return None
        if not usable:
            remove_tree(self.folder)
            os.mkdir(self.folder, 0o700)
            return None
        assert isinstance(note, dict)
        os.unlink(self._into + SPARE_NOTE)
        return set(note["differs"])

    def add(self, outputs: Iterable[Output]) -> None:
        """Check each output's path, and write those whose bytes the output folder does not
        already hold into the staging folder."""
        for o in outputs:
            _check_path(o.path, self._seen, self._name_max, self._room)
            self._claim(o.path)
            self._stage(o.path, o.data)

    def _claim(self, path: str) -> None:
        """A LinkError when `path` needs a folder where another output is a file, or the
        reverse."""
        parts = path.split("/")
        for n in range(1, len(parts)):
            folder = "/".join(parts[:n])
            if folder in self._files:
                raise LinkError(f"{path}: write: {folder} is a file, not a folder")
            self._dirs.setdefault(folder, path)
        if path in self._dirs:
            raise LinkError(f"{self._dirs[path]}: write: {path} is a file, not a folder")
        self._files.add(path)

    def _stage(self, path: str, data: bytes) -> bool:
        """Write `data` at `path` in the staging folder, or, when the output folder holds
        these very bytes (as the last build recorded and it still stats), note it for a hard
        link. True when unchanged."""
        d = self.digest(data)
        prev = self.previous.get(path)
        if prev is not None and prev[2] == d and self.current.get(path) == prev[:2]:
            self.state[path] = prev
            self.linked.append(path)
            return True
        self._parent(path)
        target = self._into + path
        if self.differs is not None:
            _unlink(target)  # perhaps the output folder's file too (a hard link): never written into
        with open(target, "wb") as f:
            f.write(data)
        os.chmod(target, 0o644)
        self.staged.append((path, d))
        return False

    def _parent(self, path: str) -> None:
        """Make the folders `path` needs in the staging folder."""
        folder = path.rpartition("/")[0]
        if not folder or folder in self._made:
            return
        self._parent(folder)
        try:
            os.mkdir(self._into + folder, 0o755)
        except FileExistsError:
            # In the spare, the folder is there already, or a file of the spare that no
            # output wants where this build needs a folder.
            target = self._into + folder
            if self.differs is None:
                raise
            if os.path.islink(target) or not os.path.isdir(target):
                _unlink(target)
                os.mkdir(target, 0o755)
        self._made.add(folder)

    def commit(self, kept: Iterable[str]) -> tuple[WriteResult, OutputState]:
        """Complete the new folder with the unchanged files and `kept` (files of the last
        build left as they are), swap it with the output folder, and return what changed
        and the folder's new state. Every other file of the old folder is gone with it.
        Raises, with the output folder untouched, when paths clash or a file cannot be made."""
        kept = [k for k in kept if k in self.previous and k not in self._seen]
        self._claim_kept(kept)
        final = set(self._seen.values()) | set(kept)
        if self.marker is not None:
            final.add(MARKER)
            if self._stage(MARKER, self.marker):
                self.linked.pop()
                self._link(MARKER)
            else:
                self.staged.pop()
        stale = [p for p in self.current if p not in final]
        # The spare holds every file of the output folder, hard-linked, but for the paths
        # the last build changed; it may also hold files neither output folder wants.
        differs = self.differs
        for path in itertools.chain(self.linked, kept):
            if differs is None or path in differs:
                self._link(path)
        if differs is not None:
            remove_files(self.folder, (self.current.keys() | self.previous.keys() | differs) - final)
        state = {**{k: self.previous[k] for k in kept}, **self.state}
        folder = str(self.folder)
        for rel, d in self.staged:
            st = os.stat(os.path.join(folder, rel))
            state[rel] = (st.st_mtime_ns, st.st_size, d)
        if self.marker is not None:
            st = os.stat(os.path.join(folder, MARKER))
            state[MARKER] = (st.st_mtime_ns, st.st_size, self.digest(self.marker))
        os.chmod(folder, 0o755)
        self.changed = [rel for rel, _d in self.staged] + stale
        self._spare_note = {"files": len(state), "differs": sorted(self.changed)}
        self._swap()
        self.committed = True
        if self._spare_note is not None:
            try:
                st = os.stat(self.out_dir)
                self._spare_note["output"] = [st.st_dev, st.st_ino]
            except OSError:
                self._spare_note = None
        result = WriteResult(written=len(self.staged), unchanged=len(self.linked) + len(kept),
                             removed=len(stale))
        # What the outputs were checked and staged against, an entry per file of the site:
        # of no more use, and the build's largest tables are still to be saved.
        for table in (self._seen, self._files, self._dirs, self._made, self.staged, self.linked):
            table.clear()
        return result, state

    def _claim_kept(self, kept: list[str]) -> None:
        """`_claim` for files of the last build, which are one folder's files: they cannot
        clash with each other, only with this build's outputs (a LinkError then)."""
        for path in kept:
            if path in self._dirs:
                raise LinkError(f"{self._dirs[path]}: write: {path} is a file, not a folder")
        # An output that was a file of the last build has none of its files under it.
        new = [f for f in self._files if f not in self.previous]
        if new:
            folders = _folders_of(kept)
            for f in new:
                if f in folders:
                    inside = next(k for k in kept if k.startswith(f + "/"))
                    raise LinkError(f"{inside}: write: {f} is a file, not a folder")
        self._files.update(kept)

    def _link(self, path: str) -> None:
        """Hard-link the output folder's `path` into the staging folder (a copy keeping the
        mtime where the file system has no hard links)."""
        self._parent(path)
        src, dst = self._from + path, self._into + path
        if self.differs is not None:
            _unlink(dst)
        try:
            os.link(src, dst, follow_symlinks=False)
        except OSError as e:
            if e.errno not in (errno.EPERM, errno.EXDEV, errno.EMLINK, errno.EOPNOTSUPP):
                raise
            shutil.copy2(src, dst)

    def _swap(self) -> None:
        """Put the staging folder in the output folder's place, in one step where the
        platform can (Linux: renameat2's RENAME_EXCHANGE); `self.folder` is then the old
        output folder."""
        out = self.out_dir
        if not os.path.lexists(out):
            os.rename(self.folder, out)
            self._spare_note = None  # no old folder: nothing to keep
            return
        try:
            if exchange(self.folder, out):
                return
        except OSError as e:
            if e.errno in (errno.EBUSY, errno.EXDEV):
                raise SitegenError(f"{out.name}/: write: {e.strerror}: the output folder is swapped whole, "
                                   "so it cannot be a mount point; build into a folder inside it") from None
            raise
        # No atomic exchange here (not Linux, or a file system without it): two renames, with
        # a moment between them when the output folder does not exist (a reader gets "not
        # found", never a mix of two builds). A build killed in that moment leaves no output
        # folder; the next build makes it again.
        old = self.folder.with_name(self.folder.name + "-old")
        os.rename(out, old)
        try:
            os.rename(self.folder, out)
        except OSError:
            os.rename(old, out)
            raise
        self.folder = old

    def discard(self) -> None:
        """After `commit`, keep the old output folder as the spare (or delete it when it
        cannot be); after a failure, delete the staging folder."""
        if self.committed and self._spare_note is not None:
            spare = spare_path(self.out_dir)
            try:
                (self.folder / SPARE_NOTE).write_text(json.dumps(self._spare_note), encoding="utf-8")
                if os.path.lexists(spare):  # another build's, older: renamed aside, deleted
                    aside = Path(tempfile.mkdtemp(dir=self.out_dir.parent, prefix=staging_prefix(self.out_dir)))
                    os.rename(spare, aside)
                    remove_tree(aside)
                os.rename(self.folder, spare)
                return
            except OSError as e:
                log.debug("old output tree not kept as the spare: %s", e)
        remove_tree(self.folder, self.current if self.committed else ())
