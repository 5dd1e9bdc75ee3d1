"""The store of the incremental layer: the build cache in `config.cache_dir`: what the last build read, made and wrote, so the next
build redoes only what its inputs changed.

Invalidation, from the coarsest to the finest:

- **Build key.** sitegen's version and the source files of the build (path, size, mtime), the versions
  of the libraries that shape the bytes (Markdown, Jinja2, Babel, PyYAML, …), the whole
  Config (every key, `base_url` included), `--drafts`, `--future` and `SOURCE_DATE_EPOCH`.
  Any difference and the cache is ignored: the build is a cold one.
- **No-op.** Every input file (content/, templates/, static/, themes/: path, size,
  mtime_ns) and every file of the output folder (path, size, mtime_ns) stat as they did
  after the last build, and no scheduled article came out nor any expired since
  (`State.next_change`): nothing is read, rendered or written. A file modified less than
  `RACY_NS` before the build that recorded it is "racy" (a second edit in the same clock
  tick would keep its mtime and maybe its size), so its bytes are hashed and compared.
  Output folders whose ctime is what the last build's check found are not listed: their
  files are the ones the last build left there, stat-ed one by one (`scan_outputs`).
- **Content.** Otherwise a content file is read only when its stat changed since the build
  that read it (or it was racy then); its front matter is parsed again only when its text
  (and path, and slug style) is new: parsed articles are kept by a digest of it. An unread
  file's article has no body in memory (`Article.body_digest` stands for it) until a page
  or a Markdown conversion needs it.
- **Markdown.** A body is converted again only when its text is new, or when one of the
  link names it looked up (`[x](other.md)`) now resolves to another article (or none):
  the conversion records every lookup and its answer, which is everything it read.
- **Pages.** Every output page has a fingerprint: the template's dependency hash (the
  template and every template it extends, includes or imports), the render key (config,
  static asset names, build time) and its context data, with each article card and body
  stood in for by a digest of its own data. A page is rendered again only when its
  fingerprint changed or its file in the output folder is not what the last build wrote;
  so a page is a pure function of fingerprinted inputs, and an incremental build writes
  exactly the bytes a cold one would. `sitegen build --verify-incremental` checks it.
- **Search.** The Pagefind bundle is kept by a digest of every article's slug, title and
  body text (and Pagefind's version); while the output folder holds, intact, the bundle of
  the digest the site wants (`State.search_key`), its files are kept without being read.
- **Writes.** Rendered bytes whose digest equals what the output folder holds are not
  written; kept pages are not touched.

Layout: `<cache_dir>/build/<output folder digest>/` holds `state.pickle` (key, input and
output stats, output folders' ctimes: all the no-op check reads), `data-*.pickle` (parsed
articles, body index, link stage result, page fingerprints and content file stats), with
`delta-*.pickle` beside the first three (what changed since their base: see `TABLES`), and
`bodies-*.pack` (rendered body HTML, appended to, compacted when mostly dead). The cache
is a private format: delete the folder at any time, the next build is cold. Every file
carries a checksum of its bytes, checked on read (the pack: one per body): a damaged,
truncated or unreadable file is a miss, said in one warning line, and what it held is made
again; it never becomes output (see incremental.sealed). Beside
`build/`, `<cache_dir>/libraries.pickle` keeps the libraries' versions for the build key
(see `_library_versions`) and `<cache_dir>/templates/` Jinja2's compiled templates.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import logging
import os
import pickle
import sys
import tempfile
import time
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from sitegen.config import Config
from sitegen.fsutil import Folders, Stat, scan, scan_since
from sitegen.hashing import digest
from sitegen.incremental.sealed import MAGIC, SUM, CacheDamaged, SealedFile, checksum, unseal
from sitegen.incremental.warm import WarmState
from sitegen.model import Article, ArticleLinks, Body, Links, RelatedRef
from sitegen.schedule import source_date_epoch

log = logging.getLogger(__name__)

FORMAT = 11
"""Bump when the cache's layout changes."""
RACY_NS = 2_000_000_000
"""Files modified this close (2 s) before the build that recorded them are hashed, not
trusted by stat: file systems store mtimes at a clock tick (up to 2 s on FAT)."""
LIBRARIES = ("markdown", "jinja2", "babel", "pyyaml", "python-slugify", "hijridate",
             "minify-html", "brotli", "markupsafe", "text-unidecode", "pillow")
"""Libraries whose version can change the built bytes."""

NOT_BUILD_CODE = ("serve/", "deploy.py", "check.py", "new.py", "cli.py", "__main__.py")
"""sitegen's modules that `build()` never runs: editing them keeps the cache."""



def discard(config: Config, warm: WarmState) -> None:
    """Delete the build cache of config.output_dir (after `CacheDamaged`), and what `warm`
    kept of it."""
    import shutil

    folder = config.cache_dir / "build" / digest(str(config.output_dir.resolve()))[:16]
    warm.caches.pop(folder, None)
    shutil.rmtree(folder, ignore_errors=True)


def input_roots(config: Config) -> dict[str, Path]:
    """The folders whose files a build reads, by a name used in the recorded stats."""
    return {"content": config.content_dir, "templates": config.templates_dir,
            "static": config.static_dir, "themes": config.themes_dir}


def scan_inputs(config: Config) -> dict[str, Stat]:
    """Every input file → stat, keyed `root-name:relative/path`."""
    out: dict[str, Stat] = {}
    for name, folder in input_roots(config).items():
        out.update({f"{name}:{rel}": st for rel, st in scan(folder).items()})
    return out


def lock_file(config: Config) -> Path:
    """The file whose lock a build of config.output_dir holds (see fsutil.OutputLock): one per
    output folder, in the cache folder, not beside or inside the output folder, which is
    swapped whole."""
    return config.cache_dir / "locks" / f"{digest(str(config.output_dir.resolve()))[:16]}.lock"


def _input_path(config: Config, key: str) -> Path:
    name, _, rel = key.partition(":")
    return input_roots(config)[name] / rel


@functools.lru_cache(maxsize=4)
def _library_versions(cache_dir: Path) -> str:
    """The LIBRARIES' versions, as importlib.metadata gives them. Once per process: the
    libraries that run are the ones imported at its start, whatever is installed later (and
    a dev server builds hundreds of times).

    Asking importlib.metadata is most of what the build key costs a no-op build (importing
    it, and parsing each METADATA as an e-mail message), so its answer is kept in `cache_dir`
    by the mtimes of what it reads, sys.path's folders and files: installing, upgrading or
    removing a distribution adds or removes a `*.dist-info` folder, which changes its
    folder's mtime."""
    now = time.time_ns()
    entries = []
    for entry in sys.path:
        try:
            entries.append((entry, os.stat(entry or ".").st_mtime_ns))
        except OSError:
            entries.append((entry, -1))
    memo = cache_dir / "libraries.pickle"
    known = _load(memo, tuple)
    if known is not None and len(known) == 2 and known[0] == entries:
        return known[1]
    from importlib.metadata import PackageNotFoundError, version

    parts = []
    for name in LIBRARIES:
        try:
            parts.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            parts.append(f"{name}=-")
    versions = ",".join(parts)
    # Kept only when no entry changed within RACY_NS: an install in the same clock tick as
    # this reading would leave its folder's mtime as it is now.
    if all(mtime < now - RACY_NS for _entry, mtime in entries):
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            _dump(memo, (entries, versions))
        except OSError as e:  # only a memo: the next build asks importlib.metadata again
            log.debug("%s: not written (%s)", memo, e)
    return versions


def build_key(config: Config, drafts: bool, future: bool = False) -> str:
    """The digest every cached value depends on (see the module docstring)."""
    import sitegen

    package = Path(sitegen.__file__).parent
    code = []
    for p in package.rglob("*.py"):
        rel = p.relative_to(package).as_posix()
        if not rel.startswith(NOT_BUILD_CODE):
            st = p.stat()
            code.append((rel, st.st_size, st.st_mtime_ns))
    code.sort()
    return digest(str(FORMAT), sitegen.__version__, sys.version, repr(code), _library_versions(config.cache_dir),
                  repr(config), repr(drafts), repr(future), repr(source_date_epoch()))


@dataclass
class State:
    """What the no-op check needs: small, read first."""

    key: str = ""
    """The build key the cache was made under."""
    inputs: dict[str, Stat] = field(default_factory=dict)
    """Input files → stat, as `scan_inputs` gives them."""
    racy: dict[str, str] = field(default_factory=dict)
    """Racy input files → digest of their bytes."""
    outputs: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    """Output files → (mtime_ns, size, digest of bytes), as the last build left them."""
    pages: int = 0
    """HTML pages of the last build."""
    warnings: list[str] = field(default_factory=list)
    """The last build's warnings, reported again by a no-op build."""
    search_stale: bool = False
    """The last build kept the search bundle of an earlier one (the dev server refreshes it
    later): the next build must not take the no-op path."""
    search_key: dict[str, str] | None = None
    """The search shards in the output folder: folder → key (see search.search_outputs)."""
    next_change: float | None = None
    """When an article the last build left out is published, or one it built expires
    (seconds since the epoch; sitegen.schedule.next_change): a build from then on is not a
    no-op, though no file changed."""
    folders: Folders = field(default_factory=dict)
    """The output folder's folders → ctime, as this build's check found them, so the next
    one lists only the folders changed since (see `BuildCache.scan_outputs`)."""
    spare: tuple[tuple[int, int], Folders] | None = None
    """The tree the last changing build swapped out of the output folder (kept as the spare,
    see sitegen.write.Staging): its root's (st_dev, st_ino) and its folders → ctime, as that
    build's check found them when it was the output folder. When the next changing build
    swaps that very tree back in, they are its record (`BuildCache.outputs_replaced`)."""

    # Every build writes the state and the next reads it: its tens of thousands of paths and
    # stats are pickled as a few long strings and arrays, far fewer objects than a dict of
    # tuples.
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["inputs"], state["outputs"] = _columns(self.inputs), _columns(self.outputs)
        state["folders"] = _pack_folders(self.folders)
        if self.spare is not None:
            state["spare"] = (self.spare[0], _pack_folders(self.spare[1]))
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state["inputs"], state["outputs"] = _table(state["inputs"]), _table(state["outputs"])
        state["folders"] = _unpack_folders(state["folders"])
        if state.get("spare") is not None:
            state["spare"] = (tuple(state["spare"][0]), _unpack_folders(state["spare"][1]))
        self.__dict__.update(state)


def _pack_folders(folders: Folders) -> tuple[str, bytes, list[str]]:
    """Folders as pickle takes them fastest: the names joined by NUL, the ctimes one array,
    and the folders to list again (None) apart: a few among thousands."""
    again = [k for k, v in folders.items() if v is None]
    return "\0".join(folders), array("q", [v or 0 for v in folders.values()]).tobytes(), again


def _unpack_folders(packed: tuple[str, bytes, list[str]]) -> Folders:
    """`_pack_folders` undone."""
    names, ctimes, again = packed
    folders: Folders = {}
    if names or ctimes:
        ints = array("q")
        ints.frombytes(ctimes)
        folders = dict(zip(names.split("\0"), ints.tolist()))
        folders.update(dict.fromkeys(again))
    return folders


@dataclass
class Data:
    """What an incremental build reuses."""

    articles: dict[str, Any] = field(default_factory=dict)
    """Front matter digest → the Article parsed from it (body left empty)."""
    bodies: dict[str, tuple[dict[str, str | None], Any, int, int]] = field(default_factory=dict)
    """Body text digest → (link lookups and their answers, Body without html, pack offset,
    length in bytes)."""
    pack: str = ""
    """The pack file holding body HTML."""
    pack_live: int = 0
    """Bytes of the pack that entries still point to."""
    fingerprints: dict[str, str] = field(default_factory=dict)
    """Output path → fingerprint of what rendered it."""
    deps: Any = None
    """The last build's PageDeps (incremental.pages.PageDeps), or None."""
    links: tuple[str, Any] | None = None
    """(digest of the link stage's inputs, its result)."""
    files: dict[str, tuple[tuple[int, int], str, str, int]] = field(default_factory=dict)
    """Content file (absolute path) → (its stat when read, front matter digest, body digest,
    body line): a file that still has that stat, and was not racy, is not read again."""


PARTS = {"articles": ("articles",), "bodies": ("bodies", "pack", "pack_live"),
         "links": ("links",), "pages": ("fingerprints", "files", "deps")}
"""Data's fields by the file they are saved in (`data-<part>.pickle`)."""
TABLES = ("articles", "bodies", "links")
"""The parts that are a table of ten thousand entries (and a few other values) of which an
edit changes one or two: saved as a base (`data-<part>.pickle`, with its id) that is
rewritten only when an eighth of the table changed since, and `delta-<part>.pickle`, the
entries added, changed and removed since that base (with the base's id, so a delta never
meets another base)."""
_DELTA_SHARE = 8


def _split(name: str, values: tuple[Any, ...]) -> tuple[dict[str, Any], tuple[Any, ...]]:
    """A table part's field values → (its table, the other values)."""
    if name == "links":  # (key, Links): the table is Links.articles
        links = values[0]
        return (({}, (None, (), ())) if links is None
                else (links[1].articles, (links[0], links[1].warnings, links[1].notes)))
    return values[0], values[1:]


def _join(name: str, table: dict[str, Any], rest: tuple[Any, ...]) -> tuple[Any, ...]:
    """`_split` undone."""
    if name == "links":
        key, warnings, notes = rest
        return (None,) if key is None else ((key, Links(articles=table, warnings=warnings, notes=notes)),)
    return (table, *rest)


@dataclass(frozen=True)
class BodyPack:
    """Where the HTML of a build's bodies is: a plain value (it pickles), read with `reader`."""

    path: Path | None
    """The pack file; None when the build stored no body."""
    locations: dict[str, tuple[int, int]]
    """Body key (`Body.key`) → (offset, length) of its HTML in the pack."""

    def only(self, keys: Iterable[str]) -> BodyPack:
        """This pack with the locations of `keys` alone."""
        return BodyPack(self.path, {k: self.locations[k] for k in keys})

    @contextlib.contextmanager
    def reader(self) -> Iterator[Callable[[Any], str]]:
        """A body's HTML (by its key), each checked against its checksum (CacheDamaged
        otherwise). The pack is opened once, at the start: a later build may unlink it."""
        if self.path is None:
            yield lambda body: ""
            return
        with open(self.path, "rb") as f:
            fd, pack, locations = f.fileno(), self.path, self.locations

            def html_of(body: Any) -> str:
                offset, length = locations[body.key]
                return _checked_html(os.pread(fd, SUM + length, offset - SUM), pack)

            yield html_of


class BuildCache:
    """The cache of one output folder. `open` it, use `state` and `data`, `save` it."""

    def __init__(self, folder: Path, key: str, state: State, data: Data | None, warm: WarmState) -> None:
        self.folder, self.key, self.state = folder, key, state
        self.warm = warm
        """Where `save` and `keep` leave this cache's values for the process's next build."""
        self._data = data
        self._clean: dict[str, Any] = {}
        self.used: set[str] = set()
        """Body text digests this build used (the others are dropped on save)."""
        self.locations: dict[str, tuple[int, int]] = {}
        """Body key → (offset, length) of its HTML in the pack, for this build's bodies."""
        self._pack_read: Any = None
        self._pack_append: Any = None
        self._lent = False
        self._folders: Folders = {}
        self._checked: tuple[int, int] | None = None
        """The root (st_dev, st_ino) of the output tree `scan_outputs` listed."""
        self._replaced: tuple[tuple[int, int], Folders] | None | bool = False
        """After `outputs_replaced`: the State.spare to save (False: keep the state's)."""
        self.from_warm = False
        """`state` and `data` are what this process's last build saved (or kept), and the
        cache's files are still exactly those (see `open`)."""

    @classmethod
    def open(cls, config: Config, key: str, warm: WarmState | None = None) -> BuildCache:
        """The cache for config.output_dir; empty when missing, unreadable or of another key.

        When `warm` (what this process kept between builds: the dev server's) holds this
        cache as it last saved it, and its files are still exactly what it saved, the values
        it kept are taken instead of unpickled."""
        warm = warm if warm is not None else WarmState()
        folder = config.cache_dir / "build" / digest(str(config.output_dir.resolve()))[:16]
        saved = warm.caches.pop(folder, None)
        if saved is not None and saved[0] == _files_signature(folder) and saved[1].key == key:
            store = cls(folder, key, saved[1], saved[2], warm)
            store._clean = saved[3]
            store.from_warm = True
            return store
        state = _load(folder / "state.pickle", State)
        if state is None or state.key != key:
            return cls(folder, key, State(key=key), Data(), warm)
        return cls(folder, key, state, None, warm)

    @property
    def data(self) -> Data:
        """The reusable values (read on first use: a no-op build never reads them)."""
        if self._data is None:
            data = Data()
            bases: dict[str, _Base] = {}
            for name, fields in PARTS.items():
                values = _load(self.folder / f"data-{name}.pickle", tuple)
                if name in TABLES:
                    values, bases[name] = self._with_delta(name, values)
                if values is not None and len(values) == len(fields):
                    for f, v in zip(fields, values):
                        setattr(data, f, v)
            if data.pack and not (self.folder / data.pack).exists():
                data, bases = Data(), {}
            self._data = data
            self._clean = {"bases": bases}
        return self._data

    def _with_delta(self, name: str, base: tuple[Any, ...] | None) -> tuple[tuple[Any, ...] | None, _Base]:
        """A table part's values (base with its delta applied), and what `save` needs to
        write the next delta: the base's id, its entries, and the delta as read."""
        if base is None or len(base) < 2 or not isinstance(base[1], dict):
            return None, _Base("", {}, {}, (), ())
        base_id, table, rest = base[0], base[1], base[2:]
        entries = dict(table)
        delta = _load(self.folder / f"delta-{name}.pickle", tuple)
        if delta is None or len(delta) != 4 or delta[0] != base_id:
            return _join(name, table, rest), _Base(base_id, entries, {}, (), rest)
        _id, changed, removed, rest = delta
        table.update(changed)
        for k in removed:
            table.pop(k, None)
        return _join(name, table, rest), _Base(base_id, entries, changed, removed, rest)

    def unchanged(self, config: Config, inputs: dict[str, Stat], outputs: dict[str, Stat]) -> bool:
        """True when the inputs and the output folder are exactly as the last build left them."""
        st = self.state
        if not st.outputs or inputs != st.inputs:
            return False
        if {k: v[:2] for k, v in st.outputs.items()} != outputs:
            return False
        for rel, want in st.racy.items():
            try:
                if digest(_input_path(config, rel).read_bytes()) != want:
                    return False
            except OSError:
                return False
        return True

    def outputs_replaced(self, reused: Path | None) -> None:
        """The output folder was replaced whole by another tree (swapped in): `reused` is
        the output folder when that tree is the spare (an earlier tree, see
        sitegen.write.Staging), None when it is new (none of its folders was ever checked).
        The tree swapped out (the one this build's check listed) is recorded
        as the spare; the record `save` keeps for the output folder is the spare's, when the
        tree swapped in is that spare, else none (the next check lists every folder).

        Why the spare's record holds: the next check trusts a folder only while its ctime is
        the one recorded, so no entry was added, removed or renamed in it since the check
        that recorded it; the tree swapped in holds exactly the files this build recorded
        (Staging.commit); so such a folder holds what the state records. A folder this
        build wrote into has a new ctime, and is listed."""
        spare = self.state.spare
        tree = tree_id(reused) if reused is not None else None
        self._replaced = (self._checked, self._folders) if self._checked is not None else None
        self._folders = spare[1] if tree is not None and spare is not None and spare[0] == tree else {}

    @staticmethod
    def recorded(config: Config) -> bool:
        """True when the cache of config.output_dir (whatever its build key: this may be a
        sitegen from before the output marker) records files a build wrote there."""
        folder = config.cache_dir / "build" / digest(str(config.output_dir.resolve()))[:16]
        state = _load(folder / "state.pickle", State, legacy=True)
        return state is not None and bool(getattr(state, "outputs", None))

    def scan_outputs(self, folder: Path) -> dict[str, Stat]:
        """`scan(folder)`, the output folder, without listing the folders unchanged since the
        last build's check: their files are the ones the last build left there (its
        `State.outputs`), stat-ed one by one (see `fsutil.scan_since`)."""
        st = self.state
        before = tree_id(folder)
        files, self._folders = scan_since(folder, st.outputs if st.folders else (), st.folders,
                                          racy_ns=RACY_NS)
        # The tree listed (for `outputs_replaced`): unknown when another took its place meanwhile.
        self._checked = before if before is not None and tree_id(folder) == before else None
        return files

    def assume_outputs(self, folder: Path) -> dict[str, Stat]:
        """What `scan_outputs` would find when the output folder is exactly as the last
        build left it: its files as `State.outputs` records them, and its folders as that
        build's check did; nothing is read but the folder's own stat. Only for a caller
        that knows nothing but its own builds wrote the folder since (see
        incremental.changes)."""
        self._folders = dict(self.state.folders)
        self._checked = tree_id(folder)
        return {p: (st[0], st[1]) for p, st in self.state.outputs.items()}

    # --- body HTML pack --------------------------------------------------------------------
    def html_of(self, body: Any) -> str:
        """The HTML of a body this build took from, or put in, the cache."""
        return self.body_html(*self.locations[body.key])

    def body_html(self, offset: int, length: int) -> str:
        """Body HTML stored at `offset` in the pack."""
        if self._pack_append is not None:
            self._pack_append.flush()
        if self._pack_read is None:
            self._pack_read = open(self.folder / self.data.pack, "rb")  # noqa: SIM115
        self._pack_read.seek(offset - SUM)
        return _checked_html(self._pack_read.read(SUM + length), self.folder / self.data.pack)

    def body_pack(self) -> BodyPack:
        """Where this build's bodies' HTML is, for work done during the build (the search
        shards indexed while the pages render): valid until this cache's `save`."""
        if self._pack_append is not None:
            self._pack_append.flush()
        return BodyPack(self.folder / self.data.pack if self.data.pack else None, dict(self.locations))

    def lend_pack(self) -> BodyPack:
        """`body_pack`, for work done after the build (the dev server's deferred search):
        this cache's `save` leaves the pack file as it is (no compaction), so the value holds
        until a later build's save; the pack is only appended to, and a compacted one is
        unlinked, not overwritten."""
        self._lent = True
        return self.body_pack()

    def store_html(self, html: str) -> tuple[int, int]:
        """Append body HTML to the pack; its (offset, length)."""
        data = self.data
        if self._pack_append is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            if not data.pack:
                data.pack = f"bodies-{os.getpid()}-{os.urandom(4).hex()}.pack"
            self._pack_append = open(self.folder / data.pack, "ab")  # noqa: SIM115
        b = html.encode("utf-8")
        self._pack_append.seek(0, os.SEEK_END)
        # Each body's checksum goes just before it: the offset is the HTML's own.
        offset = self._pack_append.tell() + SUM
        self._pack_append.write(checksum(b) + b)
        return offset, len(b)

    def close(self) -> None:
        """Close the pack files."""
        for f in (self._pack_append, self._pack_read):
            if f is not None:
                f.close()
        self._pack_append = self._pack_read = None

    def _compact(self, used: set[str]) -> None:
        """Keep only the bodies in `used`; rewrite the pack when most of it is dead."""
        data = self.data
        if len(used) != len(data.bodies) or not used.issuperset(data.bodies):
            data.bodies = {k: v for k, v in data.bodies.items() if k in used}
        live = sum(SUM + v[3] for v in data.bodies.values())
        self.close()
        pack = self.folder / data.pack if data.pack else None
        if (pack is None or self._lent or not pack.exists()
                or pack.stat().st_size <= 2 * live + (1 << 20)):
            data.pack_live = live
            return
        old = pack.read_bytes()
        name = f"bodies-{os.getpid()}-{os.urandom(4).hex()}.pack"
        with open(self.folder / name, "wb") as f:
            moved: dict[str, tuple[dict[str, str | None], Any, int, int]] = {}
            for k, (lookups, body, offset, length) in data.bodies.items():
                moved[k] = (lookups, body, f.tell() + SUM, length)
                f.write(old[offset - SUM:offset + length])  # the body's checksum with it
        data.bodies, data.pack, data.pack_live = moved, name, live
        pack.unlink()

    def save(self, *, started_ns: int, config: Config, inputs: dict[str, Stat]) -> None:
        """Write state and data atomically (data first: a state names the data it goes with)."""
        self._compact(self.used)
        racy: dict[str, str] = {}
        for rel, (mtime, _size) in inputs.items():
            if mtime >= started_ns - RACY_NS:
                try:
                    racy[rel] = digest(_input_path(config, rel).read_bytes())
                except OSError:
                    continue
        self.state.inputs, self.state.racy = inputs, racy
        # The folders as this build's check listed them, before the write changed some: those
        # have another ctime now, so the next check lists them again; the others hold what
        # they held then, which is what the state's outputs say (a file written or removed
        # changes its folder).
        self.state.folders = self._folders
        if self._replaced is not False:
            self.state.spare = self._replaced
        self.folder.mkdir(parents=True, exist_ok=True)
        # Of the tables, only what changed is written (see TABLES): an edit changes one or two
        # of their entries, and pickling them whole would outweigh the rest of such a
        # rebuild. Each part
        # is valid on its own (its entries are keyed by digests of what made them), so parts
        # of different builds never mix into a wrong page.
        data, clean = self.data, self._clean
        bases: dict[str, _Base] = dict(clean.get("bases", {}))
        for name, fields in PARTS.items():
            values = tuple(getattr(data, f) for f in fields)
            if name in TABLES:
                bases[name] = self._save_table(name, *_split(name, values), bases.get(name))
            else:
                _dump(self.folder / f"data-{name}.pickle", values, memo=False)
        now = {"bases": bases}
        self._clean = now
        _dump(self.folder / "state.pickle", self.state, memo=False)
        for stale in self.folder.glob("bodies-*.pack"):
            if stale.name != self.data.pack:
                stale.unlink(missing_ok=True)
        # What was just written, kept for the next build in this process (see `open`). The
        # build that opens it takes it out: one that fails half-way cannot leave values
        # that differ from the files.
        self.warm.caches[self.folder] = (_files_signature(self.folder), self.state, data, now)

    def _save_table(self, name: str, table: dict[str, Any], rest: tuple[Any, ...],
                    base: _Base | None) -> _Base:
        """Write what changed in a table part since its base: a delta of the changed entries
        (a small file) or, when an eighth of the table changed, a new base (and no delta).
        Nothing when it is what the files already hold. Returns the new _Base."""
        base_path, delta_path = self.folder / f"data-{name}.pickle", self.folder / f"delta-{name}.pickle"
        if base is not None and base.id and base_path.exists():
            entries = base.entries
            # Most builds change one table at most: the others are still what the files
            # hold, which one comparison in C tells (by identity first, then by value).
            on_disk = dict(entries)
            on_disk.update(base.changed)
            for k in base.removed:
                on_disk.pop(k, None)
            if rest == base.rest and table == on_disk and (delta_path.exists() or not base.changed
                                                           and not base.removed):
                return base
            # An entry the build kept is the very object read (the articles, the bodies); the
            # link stage, when it runs again, makes equal ones.
            changed = {k: v for k, v in table.items()
                       if (e := entries.get(k, _MISSING)) is not v and e != v}
            removed = tuple(k for k in entries if k not in table)
            if len(changed) + len(removed) <= len(table) // _DELTA_SHARE:
                _dump(delta_path, (base.id, changed, removed, rest))
                return _Base(base.id, entries, changed, removed, rest)
        base_id = os.urandom(8).hex()
        _dump_base(base_path, base_id, table, rest)
        delta_path.unlink(missing_ok=True)
        return _Base(base_id, dict(table), {}, (), rest)

    def keep(self) -> None:
        """Keep this cache's values for the process's next build, as `save` does, when the
        build that opened it changed nothing (the no-op path). When its check had to list
        many of the output folder's folders (the last build swapped in a new folder: none
        was the one recorded) and can vouch for them now, their ctimes are saved, so the
        next no-op build does not list them again."""
        settled = sum(1 for k, v in self._folders.items() if v is not None and self.state.folders.get(k) != v)
        if settled > len(self._folders) // 8:
            self.state.folders = self._folders
            try:
                _dump(self.folder / "state.pickle", self.state, memo=False)
            except OSError as e:  # a read-only cache: only the next no-op's speed is lost
                log.debug("%s: %s", self.folder, e)
        if self._data is not None:
            self.warm.caches[self.folder] = (_files_signature(self.folder), self.state, self._data, self._clean)

    def forget(self) -> None:
        """Drop the state, so the next build cannot take the no-op path (after a failed write)."""
        self.warm.caches.pop(self.folder, None)
        (self.folder / "state.pickle").unlink(missing_ok=True)


class _Base(NamedTuple):
    """A table part's base file as this process read or wrote it, and its delta file."""

    id: str
    """Written in the base and its delta: a delta names the base it goes with."""
    entries: dict[str, Any]
    """The base's table (the entries themselves, shared with the live table)."""
    changed: dict[str, Any]
    """The delta's entries added or changed since the base."""
    removed: tuple[str, ...]
    """The delta's keys removed since the base."""
    rest: tuple[Any, ...]
    """The part's other fields (bodies: the pack's name and live bytes), as last written."""


_MISSING = object()


def _files_signature(folder: Path) -> tuple[tuple[str, int, int, int], ...]:
    """Name, inode, mtime and size of every file in a cache folder: any write by another
    process (or a deleted, damaged or replaced file) changes it, since files are replaced
    by rename, which gives a new inode."""
    out = []
    try:
        with os.scandir(folder) as entries:
            for e in entries:
                st = e.stat(follow_symlinks=False)
                out.append((e.name, st.st_ino, st.st_mtime_ns, st.st_size))
    except FileNotFoundError:
        return ()
    return tuple(sorted(out))


def tree_id(folder: Path) -> tuple[int, int] | None:
    """The (st_dev, st_ino) of `folder`, which a rename keeps and a swap for another tree
    changes; None when it is not there."""
    try:
        st = os.stat(folder)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _checked_html(data: bytes, pack: Path) -> str:
    """A body's HTML from its bytes in the pack, checksum first; CacheDamaged when they do
    not match (a truncated pack gives fewer bytes, which do not)."""
    html = memoryview(data)[SUM:]  # not a copy
    if checksum(html) != data[:SUM]:
        raise CacheDamaged(pack)
    try:
        return str(html, "utf-8")
    except UnicodeDecodeError:
        raise CacheDamaged(pack) from None


def _load(path: Path, kind: type, *, legacy: bool = False) -> Any:
    """The value pickled in the cache file `path`; None when missing, damaged (a warning,
    see `unseal`), unreadable, or not a `kind`: a damaged cache is a miss, not an error.

    A file from a sitegen before checksums (a bare pickle) is a miss without a warning, or,
    with `legacy`, read as it is: the one question asked of an old cache is whether it
    recorded the output folder as ours (`BuildCache.recorded`)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as e:
        log.warning("%s: unreadable build cache file (%s), ignored: what it held is made again",
                    path, e.strerror or e)
        return None
    if not data.startswith(MAGIC) and data[:1] == b"\x80":  # pickle's protocol opcode
        try:
            value = pickle.loads(data)
        except Exception:  # noqa: BLE001 - not a pickle after all: damage, warned below
            pass
        else:
            log.debug("%s: cache written by an older sitegen, ignored", path)
            return value if legacy and isinstance(value, kind) else None
    payload = unseal(data, path)
    if payload is None:
        return None
    try:
        value = pickle.loads(payload)
    except Exception as e:  # noqa: BLE001 - written by another version: a miss, not an error
        log.debug("%s: unreadable cache (%s), ignored", path, e)
        return None
    return value if isinstance(value, kind) else None


def _columns(table: dict[str, tuple[Any, ...]]) -> tuple[str, tuple[bytes | str, ...]]:
    """A table of str → tuple of ints or strs (one type per position), as few objects as
    pickle can take: the keys joined by NUL (which no path holds), and each column an array
    of 64-bit ints or its strs joined by NUL. `_table` undoes it."""
    if not table:
        return "", ()
    columns = list(zip(*table.values()))
    return "\0".join(table), tuple(array("q", c).tobytes() if type(c[0]) is int else "\0".join(c)
                                   for c in columns)


def _table(packed: tuple[str, tuple[bytes | str, ...]]) -> dict[str, tuple[Any, ...]]:
    """The table `_columns` packed."""
    keys, columns = packed
    if not keys and not columns:
        return {}
    values: list[list[Any]] = []
    for c in columns:
        if isinstance(c, bytes):
            ints = array("q")
            ints.frombytes(c)
            values.append(ints.tolist())
        else:
            values.append(c.split("\0"))
    return dict(zip(keys.split("\0"), zip(*values)))


class _SharingPickler(pickle.Pickler):
    """Writes each model value (Article, Body, …) with its fields' equal strings, dates and
    tuples as one object, read back as one: the tags, sources, dates and slugs that
    thousands of articles repeat are read once, and memory holds them once. Slower to write: for the files written rarely."""

    def __init__(self, file: Any) -> None:
        super().__init__(file, protocol=5)
        self._seen: dict[Any, Any] = {}

    def reducer_override(self, obj: Any) -> Any:
        cls = type(obj)
        if cls in _MODEL:  # as _Compact.__reduce__, its fields shared
            return cls, tuple(map(self.share, obj.__dict__.values()))
        return NotImplemented

    def share(self, value: Any) -> Any:
        """The first value written equal to `value` (strings, dates, related refs, tuples
        of these), else `value`."""
        cls = type(value)
        if cls is str or cls is datetime.date or cls is RelatedRef:
            return self._seen.setdefault(value, value)
        if cls is tuple and value:
            items = tuple(map(self.share, value))
            # Only tuples of these: True == 1 and 1.0 == 1, so a tuple holding a bool or a
            # float could come back holding an equal value of another type.
            return self._seen.setdefault(items, items) if _plain(items) else items
        return value


def _plain(value: Any) -> bool:
    """A value whose equals are all of its own type (str, int, None, date, RelatedRef, and
    tuples of these)."""
    cls = type(value)
    if cls is tuple:
        return all(map(_plain, value))
    return cls is str or cls is int or value is None or cls is datetime.date or cls is RelatedRef


_MODEL = (Article, RelatedRef, Body, ArticleLinks)


def _dump(path: Path, value: Any, *, memo: bool = True) -> None:
    """Pickle `value` to `path` atomically. Without `memo`, an object met twice is written
    twice (and read back as two): for plain values, whose sharing does not matter, as
    pickle's memo of every object it writes costs more than the writing."""

    def write(f: Any) -> None:
        pickler = pickle.Pickler(f, protocol=5)
        if not memo:
            # Documented as deprecated, yet there from Python 2 to 3.13; should it go, the
            # memo only costs time.
            with contextlib.suppress(AttributeError):
                pickler.fast = True
        try:
            pickler.dump(value)
        except ValueError:  # a cycle, which needs the memo
            if memo:
                raise
            f.restart()
            pickle.dump(value, f, protocol=5)

    _write_atomically(path, write)


def _dump_base(path: Path, base_id: str, table: dict[str, Any], rest: tuple[Any, ...]) -> None:
    """A table part's base, by _SharingPickler, its keys shared too (the link table's keys are
    the slugs its entries name)."""

    def write(f: Any) -> None:
        pickler = _SharingPickler(f)
        pickler.dump((base_id, {pickler.share(k): v for k, v in table.items()}, *rest))

    _write_atomically(path, write)


def _write_atomically(path: Path, write: Callable[[SealedFile], None]) -> None:
    """`write` the payload, sealed (see incremental.sealed) as it goes, to a temporary file in
    the folder of `path`, renamed to `path`. The payload is never whole in memory: written at
    the build's end, when the build holds the most, it would add its size twice, and the
    allocator keeps a buffer grown that large."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            sealed = SealedFile(f)
            write(sealed)
            sealed.close()
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
