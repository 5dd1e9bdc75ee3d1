"""The dev server: one HTTP server, one watcher, one rebuild thread, one reload channel.

    watch ─▶ debounce ─▶ rebuild (holding off requests) ─▶ tell the browsers

The server never renders anything itself: it calls a rebuild callable (`sitegen serve`
passes the real build, tests pass fakes), so `sitegen build` and the server share one
build and one cache.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path

from sitegen.incremental.store import input_roots
from sitegen.config import Config, load_config
from sitegen.errors import SitegenError
from sitegen.serve.handler import Handler, is_loopback
from sitegen.serve.paths import normalise_base_path
from sitegen.serve.reload import SiteState
from sitegen.serve.watch import POLL_SECONDS, Debouncer, Inputs, Watcher, is_editor_temp

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rebuilt:
    """What one rebuild did, as the server needs it."""

    written: int
    """Output files written (new or changed bytes)."""
    removed: int = 0
    """Stale output files removed."""
    pages: int = 0
    """Pages in the site."""
    warnings: int = 0
    """Warnings of the build (unresolved references)."""
    wrote_inputs: frozenset[Path] = field(default_factory=frozenset)
    """Input files the rebuild itself wrote or removed (content/*.md from an import of changed
    seeds, the older file of a renamed article):
    their watch events are its own doing and must not start another rebuild."""
    problems: tuple[str, ...] = ()
    """Errors that did not stop the build (a seed that failed to import while the others
    did): shown like a failed build's, over the new pages."""
    later: Callable[[], None] | None = None
    """Slow work the rebuild left undone (the search index, kept one edit behind): the
    server runs it off the rebuild thread once the editor is idle, then rebuilds with no
    changed paths to publish what it made."""
    reload: bool = True
    """False when the rebuild changed nothing a page shows (only the search index): only a
    page running a search reloads (its index's files were replaced)."""
    after: Callable[[], None] | None = None
    """Work to run once the new pages are published (pages told to reload), before the next
    rebuild: writing the build cache, which the reload need not wait for."""


Rebuild = Callable[[frozenset[Path]], Rebuilt]
"""Rebuild the site for these changed input paths (empty: the first build). Raises
SitegenError when the build fails; the old output must then be left in place."""


class DevHTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that joins its request threads on close and can cut open
    connections, so stopping leaves no thread behind."""

    daemon_threads = False
    block_on_close = True

    def __init__(self, address: tuple[str, int], dev: "DevServer") -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.dev = dev
        self.loopback = is_loopback(address[0])
        """Bound to a loopback address: requests must name a loopback host."""
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        """A browser that goes away mid-response is normal while reloading: no traceback."""
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            log.debug("%s: connection lost: %s", client_address, exc)
            return
        log.error("serving %s failed:\n%s", client_address, traceback.format_exc().rstrip())

    def track(self, conn: socket.socket) -> None:
        """Remember an open connection (so `cut_connections` can end it)."""
        with self._connections_lock:
            self._connections.add(conn)

    def untrack(self, conn: socket.socket) -> None:
        """Forget a finished connection."""
        with self._connections_lock:
            self._connections.discard(conn)

    def cut_connections(self) -> None:
        """Shut down every open connection, waking threads blocked reading a request."""
        with self._connections_lock:
            conns = list(self._connections)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _signature(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def _find_link(folders: Iterable[Path]) -> Path | None:
    """A symbolic link under `folders` (its target's changes send no event there), or None."""
    todo = [str(f) for f in folders]
    while todo:
        try:
            entries = os.scandir(todo.pop())
        except OSError:
            continue
        with entries:
            for e in entries:
                if e.is_symlink():
                    return Path(e.path)
                if e.is_dir(follow_symlinks=False):
                    todo.append(e.path)
    return None


def describe(paths: Iterable[Path], root: Path | None) -> str:
    """'content/a.md', 'content/a.md and 2 more': what changed, short, for the terminal;
    editors' temporary files are never named (and '' when nothing else changed)."""
    names = []
    for p in sorted(paths):
        if is_editor_temp(p.name):
            continue
        try:
            names.append(str(p.relative_to(root)) if root else str(p))
        except ValueError:
            names.append(str(p))
    if not names:
        return ""
    return names[0] if len(names) == 1 else f"{names[0]} and {len(names) - 1} more"


class DevServer:
    """Serves `output_dir` with live reload; see the module docstring.

    Binds in the constructor (so `url` is known, even for port 0, before the first build);
    `start()` builds, then serves and watches in background threads; `stop()` ends them all.
    """

    def __init__(
        self,
        output_dir: Path,
        rebuild: Rebuild | None = None,
        *,
        inputs: Inputs | None = None,
        host: str = "127.0.0.1",
        port: int = 8000,
        base_path: str = "/",
        poll: bool = False,
        quiet: float = 0.05,
        max_wait: float = 1.0,
        idle: float = 0.5,
    ) -> None:
        self.output_dir = output_dir
        """The folder served; resolved on every request, since a build swaps it whole."""
        self.rebuild = rebuild
        self.inputs = inputs
        self.base_path = normalise_base_path(base_path)
        self.state = SiteState()
        if poll:
            # Each watched folder is polled on its own clock, so one change (a folder deleted)
            # can reach two pollers up to a poll apart: stay open that long for one rebuild.
            quiet = max(quiet, POLL_SECONDS * 1.2)
            max_wait = max(max_wait, quiet * 2)
        self.debouncer = Debouncer(self._on_batch, quiet=quiet, max_wait=max_wait)
        self.watcher = (Watcher(inputs, self.notify, poll=poll, on_touch=self._touch, on_loss=self._lose)
                        if inputs is not None else None)
        # What `changes` tells the next rebuild. Polling compares each folder on its own
        # clock, so a rebuild may start before a change is polled: it checks every file.
        self._changes_lock = threading.Lock()
        self._touched: set[Path] = set()
        self._lost: str | None = "the watcher has not started"
        self._watching = False
        self._poll = poll
        self._own_writes: dict[Path, tuple[int, int, int] | None] = {}
        self.builds = 0
        """Rebuilds run for changes so far (the first build included)."""
        self.refreshes = 0
        """Rebuilds run only to publish deferred work (a new search index)."""
        try:
            self.httpd = DevHTTPServer((host, port), self)
        except OSError as e:
            raise SitegenError(f"serve: cannot listen on {host}:{port}: {e.strerror or e} (try --port 0)") from None
        self._thread: threading.Thread | None = None
        self._stopped = False
        self.idle = idle
        """Seconds without a change before a rebuild's `later` work starts."""
        self._later: Callable[[], None] | None = None
        self._later_cond = threading.Condition()
        self._refresh = False
        self._later_running = False
        self._later_thread = threading.Thread(target=self._run_later, name="sitegen-later", daemon=True)

    @property
    def port(self) -> int:
        """The port actually bound (the chosen one when asked for port 0)."""
        return int(self.httpd.server_address[1])

    @property
    def url(self) -> str:
        """The site's address on this server, e.g. http://127.0.0.1:8000/."""
        host = str(self.httpd.server_address[0])
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}{self.base_path}"

    # --- life cycle -------------------------------------------------------------------------
    def start(self, *, build: bool = True) -> None:
        """Build once (unless told not to), then serve and watch in background threads."""
        if build:
            self._run_build(frozenset(), 0, first=True)
        self.debouncer.start()
        self._later_thread.start()
        if self.watcher is not None:
            self.watcher.start()
            with self._changes_lock:
                self._watching = not self._poll
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="sitegen-http", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop watching, finish a running build, close every connection, join every thread."""
        if self._stopped:
            return
        self._stopped = True
        if self.watcher is not None:
            self.watcher.stop()
        self.debouncer.stop()
        with self._later_cond:
            self._later_cond.notify_all()
            running = self._later_running
        # Pagefind can take minutes on a big site: Ctrl-C does not wait for it. Its thread is
        # a daemon and the service exits when this process does (its stdin closes).
        if self._later_thread.is_alive() and not running:
            self._later_thread.join()
        self.state.stop()
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join()
        self.httpd.cut_connections()
        self.httpd.server_close()

    def __enter__(self) -> "DevServer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- changes and builds -----------------------------------------------------------------
    def notify(self, paths: list[Path], settled: bool = False) -> int:
        """Report changed input paths (the watcher calls this; `settled`: by an event that
        ends a write); returns their sequence number. They are among the next `changes`."""
        with self._changes_lock:
            self._touched.update(paths)
        return self.debouncer.add(paths, settled)

    def changes(self) -> frozenset[Path] | None:
        """The input paths the watcher saw touched since the last call (a rebuild calls it
        as it starts), temporary files included; None when that is not every change: before
        the watcher runs, with --poll, after it lost events (see Watcher), or while a
        symbolic link is among the inputs (a change to its target sends no event). A call
        that returns None starts a new count, which the next can trust."""
        with self._changes_lock:
            touched, self._touched = frozenset(self._touched), set()
            if self._lost is None:
                return touched
            reason, self._lost = self._lost, None
            if not self._watching:
                self._lost = reason
        log.debug("this rebuild checks every file: %s", reason)
        if self._watching and self.inputs is not None and (link := _find_link(self.inputs.folders)) is not None:
            self._lose(f"{link} is a symbolic link")
        return None

    def _touch(self, paths: list[Path]) -> None:
        """Paths the watcher saw touched (on the observer thread)."""
        link = next((p for p in paths if os.path.islink(p)), None)
        with self._changes_lock:
            self._touched.update(paths)
            if link is not None:
                self._lost = f"{link} is a symbolic link"

    def _lose(self, reason: str) -> None:
        """The watcher may have missed changes: the next rebuild checks every file."""
        log.debug("%s: the next rebuild checks every file", reason)
        with self._changes_lock:
            self._lost = reason

    def changes_seen(self) -> int:
        """How many changes have been reported: a request waits until these are built."""
        return self.debouncer.seq

    def _on_batch(self, paths: frozenset[Path], seq: int) -> None:
        # Drop the events of files our own rebuild wrote (an import's content files), as
        # long as the file is still exactly as it left it.
        mine = {p for p in paths if p in self._own_writes and _signature(p) == self._own_writes[p]}
        paths = paths - mine
        with self._later_cond:
            refresh, self._refresh = self._refresh, False
        if not paths and not refresh:
            self.state.built(seq, "none", self.state.error)
            return
        self._run_build(paths, seq)

    def _run_later(self) -> None:
        """The `later` thread: run the last rebuild's deferred work once no change has come
        for `idle` seconds, then have the rebuild thread publish it."""
        while True:
            with self._later_cond:
                while not self._stopped:
                    if self._later is not None:
                        left = self.idle - self.debouncer.idle_for()
                        if left <= 0:
                            break
                        self._later_cond.wait(left)
                    else:
                        self._later_cond.wait()
                if self._stopped:
                    return
                job, self._later = self._later, None
                self._later_running = True
            assert job is not None
            start = time.perf_counter()
            try:
                job()
            except SitegenError as e:
                log.error("%s (the search index stays as it was)", e)
                continue
            except Exception as e:  # a bug: say so, keep serving
                log.error("%s", "".join(traceback.format_exception(e)).rstrip())
                continue
            finally:
                with self._later_cond:
                    self._later_running = False
            log.info("search index remade in %.2f s", time.perf_counter() - start)
            with self._later_cond:
                if self._later is not None or self._stopped:
                    continue  # a newer rebuild left newer work: that one is published
                self._refresh = True
            self.debouncer.poke()

    def _run_build(self, paths: frozenset[Path], seq: int, *, first: bool = False) -> None:
        # A full pass of the cyclic garbage collector over a big site's warm state takes a
        # tenth of a second or more: not between a save and its published pages, nor while
        # the cache is saved beside the reloading page. (build() keeps it off while it runs,
        # and on as it returns.)
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._build_once(paths, seq, first=first)
        finally:
            if collecting:
                gc.enable()

    def _build_once(self, paths: frozenset[Path], seq: int, *, first: bool = False) -> None:
        root = self.inputs.root if self.inputs else None
        what = describe(paths, root)
        error: str | None = None
        result = Rebuilt(written=0)
        start = time.perf_counter()
        with self.state.building():
            try:
                if self.rebuild is None:
                    raise SitegenError("serve: no build to run")
                result = self.rebuild(paths)
            except SitegenError as e:
                error = str(e)
            except Exception as e:  # a bug, not the user's input: say so, keep serving
                log.error("%s", "".join(traceback.format_exception(e)).rstrip())
                error = f"sitegen: internal error: {type(e).__name__}: {e}"
            if error is not None:
                # The changes it was told of may not be in the cache: the next checks all.
                self._lose("the last rebuild failed")
                kind = "none"
            elif first or not result.written + result.removed:
                kind = "none"
            elif not result.reload:
                kind = "search"
            elif all(p.suffix == ".css" for p in paths):
                kind = "css"
            else:
                kind = "html"
            # Still inside the build, so no request sees the new output with the old
            # version number (its page would then be told to reload once more).
            if paths or first:
                self.builds += 1
            else:
                self.refreshes += 1
            self.state.built(seq, kind, error if error is not None else "\n".join(result.problems) or None)
        seconds = time.perf_counter() - start  # until the pages were published
        if result.after is not None:
            try:
                result.after()
            except Exception as e:  # noqa: BLE001 - the pages are out; the next build redoes what it must
                log.error("the build cache could not be saved (the next rebuild redoes more): %s", e)
        with self._later_cond:
            # Only the newest rebuild's deferred work is worth doing.
            self._later = result.later
            self._later_cond.notify_all()
        for path in result.wrote_inputs:
            self._own_writes[path] = _signature(path)
        if error is None:
            for line in result.problems:
                log.error("%s", line)
            if first:
                log.info("built %d pages in %.2f s", result.pages, seconds)
            elif not paths:
                log.info("search index published (%d files written, %d removed)", result.written, result.removed)
            else:
                warned = f", {result.warnings} warnings" if result.warnings else ""
                log.info("%s → %d files written, %d removed in %.2f s%s",
                         f"{what} changed" if what else "rebuilt", result.written, result.removed,
                         seconds, warned)
        else:
            lines = error.splitlines() or [""]
            more = f" (and {len(lines) - 1} more)" if len(lines) > 1 else ""
            # The files whose change failed the build, when there were (a search index's
            # refresh has none): "content/a.md: build failed …", else "build failed …".
            label = "first build: " if first else f"{what}: " if what else ""
            log.error("%sbuild failed in %.2f s, still serving the last good build: %s%s",
                      label, seconds, lines[0], more)


# --- the real thing: `sitegen serve` ------------------------------------------------------------
def _config_path(config: Config, config_file: Path | None) -> Path:
    """The project's config file, resolved: `config_file` (given with -C), else config.toml."""
    return (config_file or config.root / "config.toml").resolve()


def site_inputs(config: Config, config_file: Path | None = None) -> Inputs:
    """The folders and files of a project that a rebuild depends on: the folders the build
    reads, seeds/ (imported on change) and the config file (`config_file`: the file given
    with -C, default config.toml)."""
    folders = [*input_roots(config).values(), config.seeds_dir]
    return Inputs(config.root, [f.resolve() for f in folders], [_config_path(config, config_file)])


def serve_output_dir(config: Config) -> Path:
    """Where the server builds: not public/, which holds the site built for its real
    base_url; the served build links to the local server instead."""
    return config.cache_dir / "serve" / "public"


def make_rebuild(config: Config, config_file: Path | None = None, *, strict: bool = False,
                 future: bool = False, changes: Callable[[], frozenset[Path] | None] | None = None) -> Rebuild:
    """The rebuild `sitegen serve` runs: import changed seeds, reload a changed
    config.toml, then the one build() (incremental through its cache). With `strict`, a
    warning fails the build, so it shows in the page like an error. With `future`, articles
    dated ahead of now are built too. `changes()`, called as each rebuild starts: the input
    paths touched since the last call, or None when not known (DevServer.changes); known,
    the build stats only those (BuildOptions.changed)."""
    from sitegen.build import BuildOptions, build, save_cache
    from sitegen.incremental import WarmState

    fixed = {"base_url": config.base_url, "output_dir": config.output_dir}
    current = [config]
    first_done: list[bool] = []
    broken_config: list[bool] = []
    config_path = _config_path(config, config_file)
    # What each build leaves for the next (the build cache as saved, the compiled
    # templates, the Markdown converter): this server's, for its life.
    warm = WarmState()

    def rebuild(paths: frozenset[Path]) -> Rebuilt:
        touched = changes() if changes is not None else None
        if config_path in paths or broken_config:
            try:
                current[0] = load_config(config_path).replace(**fixed)
                broken_config.clear()
            except SitegenError:
                # Until config.toml loads again, every rebuild fails with its error: a build
                # with the old settings would hide the overlay while the file is still broken.
                broken_config[:] = [True]
                raise
        cfg = current[0]
        seeds_dir = cfg.seeds_dir.resolve()
        seeds = sorted(p for p in paths if p.suffix.lower() in (".txt", ".html", ".htm") and p.is_file()
                       and p.is_relative_to(seeds_dir))
        wrote: frozenset[Path] = frozenset()
        problems: tuple[str, ...] = ()
        if seeds:
            from sitegen.importer import import_seeds
            from sitegen.importer.write import MANIFEST

            imported = import_seeds(cfg, seeds, force=False, dry_run=False)
            # Resolved, as the watcher reports them. The import rewrites its manifest whenever
            # it found articles (with the same bytes it is left alone, and no event comes),
            # and removes the older file of an article it renamed.
            own = [*imported.written, *imported.removed]
            if imported.articles:
                own.append(cfg.content_dir / MANIFEST)
            wrote = frozenset(p.resolve() for p in own)
            problems = tuple(imported.errors)  # the other seeds imported: build them
        # The first build lists every unresolved reference; after that the terminal gets one
        # line per rebuild, with the count.
        report = build(cfg, BuildOptions(strict=strict, future=future, defer_search=True, defer_save=True,
                                         log_warnings=not first_done,
                                         changed=None if touched is None else touched | wrote), warm=warm)
        unsaved = report.unsaved
        first_done[:] = [True]
        return Rebuilt(
            written=report.written,
            removed=report.removed,
            pages=report.pages,
            warnings=len(report.warnings),
            wrote_inputs=wrote,
            problems=problems,
            later=report.search_job.run if report.search_job is not None else None,
            reload=not report.only_search,
            after=(lambda: save_cache(unsaved)) if unsaved is not None else None,
        )

    return rebuild


def dev_server(config: Config, *, host: str = "127.0.0.1", port: int = 8000, poll: bool = False,
               config_file: Path | None = None, strict: bool = False, future: bool = False) -> DevServer:
    """A DevServer for a project, bound but not started: it builds into
    `serve_output_dir(config)` with base_url set to its own URL, and watches the inputs."""
    output = serve_output_dir(config)
    server = DevServer(output, inputs=site_inputs(config, config_file), host=host, port=port,
                       base_path=config.base_path, poll=poll)
    try:
        server.rebuild = make_rebuild(config.replace(base_url=server.url, output_dir=output), config_file,
                                      strict=strict, future=future, changes=server.changes)
    except BaseException:
        server.stop()
        raise
    return server


def run(config: Config, *, host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False,
        poll: bool = False, config_file: Path | None = None, strict: bool = False,
        wait: Callable[[], None] | None = None, future: bool = False) -> int:
    """`sitegen serve`: build, serve and watch until Ctrl-C (or until `wait` returns)."""
    if not is_loopback(host):
        bar = "!" * 72
        log.warning("%s", bar)
        log.warning("serving on %s: anyone who can reach this machine can read the site", host)
        log.warning("and the dev server is not hardened for that; use --host 127.0.0.1 unless you mean it")
        log.warning("%s", bar)
    server = dev_server(config, host=host, port=port, poll=poll, config_file=config_file, strict=strict,
                        future=future)
    # SIGTERM (`kill`, a service manager, a script that started the server in the
    # background, where SIGINT is ignored) stops it as Ctrl-C does: builds finished,
    # connections closed, exit status 0.
    on_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _interrupt) if on_main_thread else None
    try:
        server.start()
        log.info("serving %s (Ctrl-C to stop)%s", server.url, " — polling for changes" if poll else "")
        if open_browser:
            import webbrowser

            webbrowser.open(server.url)
        if wait is not None:
            wait()
        else:
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        log.info("stopping")
    finally:
        server.stop()
        if previous is not None:  # None too when C code, not Python, had set it
            signal.signal(signal.SIGTERM, previous)
    log.info("stopped")
    return 0


def _interrupt(signum: int, frame: object) -> None:
    """The SIGTERM handler of `run`: stop as Ctrl-C does."""
    raise KeyboardInterrupt
