"""File writing that never leaves a half-written file and never touches unchanged ones; the
one-step swap of two folders (`exchange`) and the lock that keeps one build per output folder
(`OutputLock`)."""

from __future__ import annotations

import errno
import functools
import logging
import os
import stat
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from sitegen.errors import SitegenError

log = logging.getLogger(__name__)


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


# --- swapping two folders -------------------------------------------------------------------------
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_SYS_RENAMEAT2 = {"x86_64": 316, "amd64": 316, "aarch64": 276, "arm64": 276}
"""renameat2's system call number, for a C library too old to wrap it (glibc < 2.28)."""


@functools.lru_cache(maxsize=1)
def _renameat2() -> "Callable[[bytes, bytes, int], int] | None":
    """renameat2(AT_FDCWD, a, AT_FDCWD, b, flags) of the C library, or through syscall(2);
    None off Linux."""
    # Imported here: a no-op build never swaps anything.
    import ctypes
    import platform

    if platform.system() != "Linux":
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
    fn = getattr(libc, "renameat2", None)
    if fn is not None:
        fn.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
        return lambda a, b, flags: int(fn(_AT_FDCWD, a, _AT_FDCWD, b, flags))
    number = _SYS_RENAMEAT2.get(platform.machine().lower())
    syscall = getattr(libc, "syscall", None)
    if number is None or syscall is None:
        return None
    return lambda a, b, flags: int(syscall(ctypes.c_long(number), ctypes.c_int(_AT_FDCWD), ctypes.c_char_p(a),
                                           ctypes.c_int(_AT_FDCWD), ctypes.c_char_p(b), ctypes.c_uint(flags)))


def exchange(a: Path, b: Path) -> bool:
    """Swap the two existing paths `a` and `b` (folders in the same folder) in one atomic
    step: Linux's renameat2(RENAME_EXCHANGE), so a reader of either name sees the old folder
    or the new one, never neither. False when the platform or file system cannot (not Linux,
    a kernel before 3.15, a file system without it): nothing was changed then. OSError for
    any other failure, nothing changed either."""
    fn = _renameat2()
    if fn is None:
        return False
    if fn(os.fsencode(a), os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    import ctypes

    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(a), None, str(b))


# --- one build per output folder --------------------------------------------------------------------
LOCK_TIMEOUT = 600.0
"""Seconds a build waits for another build of the same output folder before it gives up."""


class OutputLock:
    """An exclusive `flock` on the file `path`, standing for the output folder `folder`, held
    from `acquire` to `release` (or the end of a `with` block, or of the process: the kernel
    drops it when the process dies, so a killed build never leaves the folder locked). Locks
    of one file taken through separate `OutputLock`s exclude each other in one process too."""

    def __init__(self, folder: Path, path: Path, timeout: float = LOCK_TIMEOUT) -> None:
        self.folder, self.path, self.timeout = folder, path, timeout
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock; when another build holds it, say so once and wait for it, up to
        `timeout` seconds, then raise SitegenError."""
        import fcntl

        deadline = time.monotonic() + self.timeout
        said = False
        fd = self._open()
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise SitegenError(
                            f"{self.folder.name}/: another build of this folder has been running for "
                            f"{self.timeout:.0f} s (lock {self.path}); try again when it ends") from None
                    if not said:
                        log.warning("waiting for another build of %s/ to finish …", self.folder.name)
                        said = True
                    # flock has no timeout of its own; a tenth of a second is nothing next to a build.
                    time.sleep(min(0.1, max(0.0, deadline - time.monotonic())))
                    continue
                try:
                    if os.fstat(fd).st_ino == os.stat(self.path).st_ino:
                        break
                except FileNotFoundError:
                    pass
                # The file was deleted (the cache folder emptied) while we waited: its lock
                # excludes no one any more; lock the one there now.
                os.close(fd)
                fd = -1
                fd = self._open()
        except BaseException:
            if fd >= 0:
                os.close(fd)
            raise
        self._fd = fd

    def _open(self) -> int:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as e:
            raise SitegenError(f"{self.path}: cannot make the lock of {self.folder.name}/: {e.strerror}") from None

    def release(self) -> None:
        """Drop the lock (closing the file releases it)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "OutputLock":
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
