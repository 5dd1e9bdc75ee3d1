"""The render stage's pages rendered, post-processed and staged by worker processes.

The planning stays in this process: which pages are kept (incremental.pages.PagePlan), their
fingerprints, the order of the outputs, and every output's path checked and claimed in the
staging folder (write.Staging.reserve) before any process writes it. What leaves it is a
work unit of plain values: a chunk of PageJobs (template name, output file, context), pickled
with each article card as its slug and a cached body as its place in the body pack
(incremental.store.PackedHtml), never its HTML. A worker renders each page with the Jinja2
environment and renderer it was forked with, once the renderer is made (so its filters and
globals are the same, its cards the same cards, and its memo of card partials its own), post-processes the outputs (postprocess.process_outputs), writes
them into the staging folder (write.Staging.write) and returns what Staging records (path,
digest, written or not): the pages' bytes never come back.

Workers are forked, one per core, only where the platform forks, this process runs no other
thread, and at least `pool_min` pages are to be rendered: a small site, or a rebuild of a few
pages, renders here. The bytes are the same either way (`render.Renderer.render_page` is the
one renderer). An error in a worker is the error the page would raise here: a template's
`templates/x.html:LINE: …` (ThemeError), CacheDamaged (the build starts again without the
cache), an OSError. Workers ignore SIGINT (the build's process ends them), die with it
(PR_SET_PDEATHSIG on Linux, and the end of their task pipe anywhere), and are ended
before `stage_pages` returns or raises.
"""

from __future__ import annotations

import copyreg
import io
import logging
import os
import pickle
import signal
import threading
from collections import deque
from collections.abc import Callable, Container, Iterable, Iterator
from itertools import islice
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TypeVar

from sitegen.config import Config
from sitegen.errors import LinkError, SitegenError, ThemeError
from sitegen.incremental.sealed import CacheDamaged
from sitegen.model import Output
from sitegen.postprocess import process_outputs
from sitegen.render import Card, Deferred, PageJob, Renderer
from sitegen.write import Staging, StagedFile

log = logging.getLogger(__name__)

T = TypeVar("T")

POOL_MIN = 256
"""Pages to render from which they are rendered by worker processes (fewer: here)."""
CHUNK = 32
"""Pages per work unit."""
BATCH = 256
"""Pages rendered, post-processed and staged at a time in this process."""
IN_FLIGHT = 2
"""Work units sent to a worker and not answered yet, at most: one to work on, one waiting.
(An answer is a few kilobytes, so the pipe holds both: a worker never waits to answer while
this process waits to send it a unit.)"""

Timed = Callable[[str, Callable[[], Any]], Any]
"""build._Timer: runs a function as (part of) a named, timed stage."""


def stage_pages(renderer: Renderer, staging: Staging, config: Config, timed: Timed, *,
                pool_min: int = POOL_MIN, workers: int | None = None,
                progress: Callable[[str, int | None], None] | None = None) -> None:
    """Render every file of `renderer` (Renderer.planned), post-process it and add it to
    `staging`: in worker processes (`workers`, default one per core) when the pages to render
    reach `pool_min` and forking is safe here, else in this process. Stage time goes to
    `timed` (render, postprocess, write); `progress("render", n)` after each n pages."""
    count = workers if workers is not None else os.cpu_count() or 1
    items = renderer.planned()
    if not _may_fork(count):
        _stage_here(items, renderer, staging, config, timed)
        return
    waiting: list[PageJob] = []
    """Pages reserved in `staging`, to render: before the workers start, all of them."""
    made: list[Output] = []
    """Other files, made here and reserved in `staging`, to post-process and write here."""
    pool: _Workers | None = None
    order: deque[list[str]] = deque()
    """The output paths of each work unit sent and not answered, oldest first."""

    def take(answers: Iterable[bytes]) -> None:
        """Record the answers to the oldest work units in `staging`, in their order."""
        for answer in answers:
            paths = order.popleft()
            _record(_answer(answer), paths, staging)
            if progress is not None:
                progress("render", len(paths))

    def send(jobs: list[PageJob]) -> None:
        assert pool is not None
        unit = _dumps(jobs)
        order.append([j.path for j in jobs])
        take(pool.submit(unit))

    def reserve(batch: tuple[Output | PageJob, ...]) -> None:
        for item in batch:
            staging.reserve(item.path)
            (waiting if isinstance(item, PageJob) else made).append(item)  # type: ignore[arg-type]

    try:
        # A tuple, not a list: `timed` counts a list's items as done.
        while batch := timed("render", lambda: tuple(islice(items, CHUNK))):
            timed("write", lambda: reserve(batch))
            if len(made) >= BATCH:
                _finish_here(made, staging, config, timed)
                made.clear()
            if pool is None and len(waiting) >= pool_min:
                pool = timed("render", lambda: _Workers(_work_of(renderer, staging, config), count))
                log.debug("rendering in %d worker processes", count)
            if pool is not None:
                while len(waiting) >= CHUNK:
                    timed("render", lambda: send(waiting[:CHUNK]))
                    del waiting[:CHUNK]
                timed("render", lambda: take(pool.ready()))  # type: ignore[union-attr]
        _finish_here(made, staging, config, timed)
        if pool is None:  # too few pages to start workers for
            for at in range(0, len(waiting), BATCH):
                rendered = timed("render", lambda: tuple(renderer.render_page(j) for j in waiting[at:at + BATCH]))
                _finish_here(list(rendered), staging, config, timed)
                if progress is not None:  # after the batch's writes: the status shows render again
                    progress("render", len(rendered))
            return
        if waiting:
            timed("render", lambda: send(waiting))
        timed("render", lambda: take(pool.drain()))  # type: ignore[union-attr]
    finally:
        if pool is not None:
            pool.close()


def _may_fork(workers: int) -> bool:
    """True when worker processes may be forked here: more than one wanted, a platform that
    forks, and no other thread in this process (the dev server's: a forked copy of a lock
    another thread holds would hang the child)."""
    import multiprocessing

    return (workers >= 2 and threading.active_count() == 1
            and "fork" in multiprocessing.get_all_start_methods())


def _stage_here(items: Iterator[Output | PageJob], renderer: Renderer, staging: Staging, config: Config,
                timed: Timed) -> None:
    """Render, post-process and stage `items` in this process, a batch at a time, so memory
    never holds the whole site."""
    while batch := timed("render", lambda: [renderer.render_page(i) if isinstance(i, PageJob) else i
                                            for i in islice(items, BATCH)]):
        staged = timed("postprocess", lambda: process_outputs(batch, config))
        timed("write", lambda: staging.add(staged))


def _finish_here(outputs: list[Output], staging: Staging, config: Config, timed: Timed) -> None:
    """Post-process `outputs`, whose paths `staging` has reserved, and stage them, here."""
    if not outputs:
        return
    paths = {o.path for o in outputs}
    processed = timed("postprocess", lambda: process_outputs(outputs, config))
    timed("write", lambda: _record([staging.write(o.path, o.data) for o in processed], paths, staging))


def _record(staged: list[StagedFile], reserved: Container[str], staging: Staging) -> None:
    """Record in `staging` the files staged for outputs of `reserved` paths, and their
    precompressed siblings (config `compress`), whose paths are checked here."""
    for f in staged:
        if f.path not in reserved:
            staging.reserve(f.path)
        staging.record(f)


# --- Work units ---------------------------------------------------------------------------
def _card(slug: str) -> Card:
    """What a work unit calls for article `slug`'s card: a worker's unpickler (`_UnitLoader`)
    has it mean that worker's `Renderer.cards[slug]`."""
    raise RuntimeError(f"card {slug!r}: cards are made from work units by a render worker only")


def _reduce_card(card: Card) -> tuple[Any, ...]:
    # By its slug: a worker, forked with the renderer, makes the same card (Renderer._card
    # is a function of the site). A unit is about 4x smaller than with the card's fields,
    # and each worker renders a card's partials once (Renderer.partial's memo).
    return (_card, (card["slug"],))


def _reduce_deferred(value: Deferred) -> tuple[Any, ...]:
    if value.portable is None:
        raise TypeError(f"deferred value {value.key} has no portable form: Renderer.page_job makes it")
    return (Deferred, (value.key, value.portable))


_UNIT_REDUCERS = {**copyreg.dispatch_table, Card: _reduce_card, Deferred: _reduce_deferred}
"""How a work unit pickles what fingerprints pickle otherwise (Card.__reduce__,
Deferred.__reduce__ stand for the values by their digests)."""


def _dumps(jobs: list[PageJob]) -> bytes:
    """A work unit: `jobs` pickled, cards by their slug and bodies by their place in the
    body pack."""
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _UNIT_REDUCERS
    pickler.dump(jobs)
    return buf.getvalue()


def _work_of(renderer: Renderer, staging: Staging, config: Config) -> Callable[[bytes], bytes]:
    """What a worker does with a work unit: render, post-process and stage its pages, and
    answer with the StagedFiles, or with the error."""
    def work(unit: bytes) -> bytes:
        try:
            jobs: list[PageJob] = _UnitLoader(io.BytesIO(unit), renderer).load()
            outputs = [renderer.render_page(j) for j in jobs]
            staged = [staging.write(o.path, o.data) for o in process_outputs(outputs, config)]
            return pickle.dumps((None, staged), protocol=pickle.HIGHEST_PROTOCOL)
        except CacheDamaged as e:
            error: tuple[Any, ...] = ("damaged", str(e.path))
        except SitegenError as e:
            error = ("error", type(e).__name__, str(e))
        except OSError as e:
            error = ("os", e.errno, e.strerror, e.filename)
        except Exception as e:  # noqa: BLE001 - a bug: reported as such in the build's process
            import traceback

            error = ("bug", "".join(traceback.format_exception(e)))
        return pickle.dumps((error, None), protocol=pickle.HIGHEST_PROTOCOL)

    return work


class _UnitLoader(pickle.Unpickler):
    """Unpickles a work unit in a worker: `_card(slug)` is the renderer's card."""

    def __init__(self, file: io.BytesIO, renderer: Renderer) -> None:
        super().__init__(file)
        self.cards = renderer.cards

    def find_class(self, module: str, name: str) -> Any:
        if module == __name__ and name == "_card":
            return self.cards.__getitem__
        return super().find_class(module, name)


_ERRORS: dict[str, type[SitegenError]] = {"ThemeError": ThemeError, "LinkError": LinkError}


def _answer(answer: bytes) -> list[StagedFile]:
    """A worker's answer: its StagedFiles, or the error it met raised here as it would have
    been raised had the page been rendered here."""
    error, staged = pickle.loads(answer)
    if error is None:
        return staged  # type: ignore[no-any-return]
    kind = error[0]
    if kind == "damaged":
        raise CacheDamaged(Path(error[1]))
    if kind == "error":
        raise _ERRORS.get(error[1], SitegenError)(error[2])
    if kind == "os":
        raise OSError(error[1], error[2], error[3])
    raise RuntimeError(f"a render worker failed:\n{error[1]}")


# --- The processes --------------------------------------------------------------------------
class _Workers:
    """Worker processes forked from this one, each running `work` on the work units sent to
    it; answers come back in the order the units were sent."""

    def __init__(self, work: Callable[[bytes], bytes], count: int) -> None:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self.pipes: list[Connection] = []
        self.processes: list[Any] = []
        self.load: list[int] = []
        """Units sent to each worker and not answered."""
        self.order: deque[int] = deque()
        """The worker of each unit not answered, oldest first."""
        parent_pid = os.getpid()
        try:
            for n in range(count):
                ours, theirs = context.Pipe()
                process = context.Process(target=_serve, args=(theirs, work, [*self.pipes, ours], parent_pid),
                                          name=f"sitegen-render-{n + 1}", daemon=True)
                process.start()
                theirs.close()
                self.pipes.append(ours)
                self.processes.append(process)
                self.load.append(0)
        except BaseException:
            self.close()
            raise

    def submit(self, unit: bytes) -> list[bytes]:
        """Send `unit` to the least busy worker; the answers to the oldest units, when every
        worker had IN_FLIGHT units (waited for, oldest first, until one had room)."""
        answers = []
        while min(self.load) >= IN_FLIGHT:
            answers.append(self._next())
        n = self.load.index(min(self.load))
        self.pipes[n].send_bytes(unit)
        self.load[n] += 1
        self.order.append(n)
        return answers

    def ready(self) -> list[bytes]:
        """The answers to the oldest units that are in, without waiting."""
        answers = []
        while self.order and self.pipes[self.order[0]].poll():
            answers.append(self._next())
        return answers

    def drain(self) -> Iterator[bytes]:
        """The answers to every unit sent, in order."""
        while self.order:
            yield self._next()

    def _next(self) -> bytes:
        n = self.order.popleft()
        try:
            answer = self.pipes[n].recv_bytes()
        except EOFError:
            code = self.processes[n].exitcode
            raise SitegenError(f"render: a worker process ended without answering (exit code {code})") from None
        self.load[n] -= 1
        return answer

    def close(self) -> None:
        """End the workers: those idle end as their pipe closes; any still working (after
        an error here) are terminated."""
        for pipe in self.pipes:
            pipe.close()
        for process in self.processes:
            if self.order:
                process.terminate()
            process.join(5)
            if process.is_alive():
                process.kill()
                process.join()


def _serve(pipe: Connection, work: Callable[[bytes], bytes], inherited: list[Connection], parent: int) -> None:
    """A worker's life: answer each unit read from `pipe` with `work(unit)` until the pipe
    ends (the build's process closed it, or ended)."""
    # The build's ends of this worker's pipe and the earlier workers' (forked with them):
    # held open here, they would keep the workers from seeing the build's process end.
    for other in inherited:
        other.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the build's process ends the workers
    _die_with(parent)
    while True:
        try:
            unit = pipe.recv_bytes()
        except (EOFError, OSError):
            return
        pipe.send_bytes(work(unit))


def _die_with(parent: int) -> None:
    """Have the kernel kill this process when its parent ends (Linux), even by SIGKILL."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # it ended before the call above
        os._exit(1)
