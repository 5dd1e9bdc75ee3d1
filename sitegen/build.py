"""The one place the build stages are chained: load → theme → images (measured) → markdown →
link → groups → render → images (encoded) → search → postprocess (minify, precompress) →
write, each timed, through the build cache (sitegen.incremental) so that a rebuild redoes
only what its inputs changed.

When no input file and no output file changed since the last build (by stat), nothing is
read, rendered or written (the no-op path: it imports no Markdown, Jinja2 or Babel).
Otherwise every page is fingerprinted and only pages whose fingerprint changed are rendered.
The complete new site is made in a staging folder beside the output folder, and swapped in
whole (sitegen.write), so a failed or killed build leaves the previous output exactly as it
was. A build first checks that its output folder is one it may replace (never the project or
a folder holding its files, never a non-empty folder it did not build), and holds the output
folder's lock (sitegen.fsutil.OutputLock, a file in the cache folder) throughout: one build at
a time per output folder.
"""

from __future__ import annotations

import datetime
import gc
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sitegen import fsutil, memory, schedule
from sitegen.config import Config
from sitegen.errors import BuildError, SitegenError
from sitegen.fsutil import OutputLock
from sitegen.hashing import digest
from sitegen.incremental import WarmState
from sitegen.incremental import changes
from sitegen.incremental import store as build_cache
from sitegen.incremental.sealed import CacheDamaged
from sitegen.write import MARKER, MARKER_TEXT, check_output_folder, remove_leftovers

if TYPE_CHECKING:
    from sitegen.model import Output
    from sitegen.search import BundleJob
    from sitegen.write import Staging

log = logging.getLogger(__name__)

T = TypeVar("T")

BATCH = 256
"""Pages rendered, post-processed and staged at a time."""


@dataclass(frozen=True)
class BuildOptions:
    """How to build, besides the config: the command line's flags, and the dev server's modes."""

    strict: bool = False
    """Any warning fails the build (the output folder is left as it was)."""
    drafts: bool = False
    """Articles marked `draft: true` are built too."""
    future: bool = False
    """Articles dated ahead of now (sitegen.schedule) are built too."""
    defer_search: bool = False
    """A search shard that Pagefind must index (seconds to minutes) is not: the output keeps
    the shard it has, one edit behind, and the report's `search_job` indexes the new one for
    the next build (the dev server). Off (`sitegen build`), the index always matches the
    pages."""
    defer_save: bool = False
    """The build cache is not written before `build` returns: the caller writes it with
    `save_cache(report.unsaved)` once the new pages are published, before the next build
    (the dev server tells the browsers to reload first). Until then the output folder is
    ahead of the cache, which the next build would only take for files changed by someone
    else."""
    log_warnings: bool = True
    """Log the warnings one per line (off: the dev server's rebuilds print only their count);
    they are in the report either way, and fail `strict` either way."""
    changed: frozenset[Path] | None = None
    """The input paths touched since the last build given the same `warm` (resolved), as the
    caller's watcher saw them, when it saw every change (None: not known). The build then
    stats those instead of every input and output file, when the cache and the output
    folder are as that build left them (see incremental.changes)."""


@dataclass
class UnsavedCache:
    """The build cache a build with `defer_save` left for its caller to write (`save_cache`)."""

    store: build_cache.BuildCache
    """The cache, holding what the build read and made."""
    inputs: dict[str, build_cache.Stat]
    """The input files' stats the build started from."""
    started_ns: int
    """When the build started (files modified since are hashed: see incremental.store.RACY_NS)."""
    config: Config
    """The build's config."""
    old_output: "Staging | None"
    """The staging area holding the output folder the build replaced, deleted with the save
    (None: deleted already)."""


@dataclass(frozen=True)
class BuildReport:
    """What a build did."""

    pages: int
    """HTML pages in the built site."""
    written: int
    """Files written because they were new or changed."""
    unchanged: int
    """Files left as they were (same bytes)."""
    removed: int
    """Stale files removed from the output folder."""
    warnings: list[str]
    """Unresolved references and other warnings, one line each, `file: message`."""
    seconds: float
    """Wall time of the whole build."""
    stage_seconds: dict[str, float]
    """Wall time per stage: load, theme, markdown, link, groups, render, postprocess, write."""
    rendered: int = 0
    """Pages and feeds rendered (the others were kept: their fingerprint did not change)."""
    noop: bool = False
    """True when nothing changed since the last build, so nothing was read or rendered."""
    search_job: "BundleJob | None" = None
    """With `defer_search`: the Pagefind shards this build did not index (the output keeps
    the previous ones); `run()` it, then build again to publish them."""
    only_search: bool = False
    """Every file written or removed is under pagefind/ (no page a reader sees changed)."""
    unsaved: UnsavedCache | None = None
    """With `defer_save`: the build cache to write with `save_cache`, before the next build."""


def save_cache(unsaved: UnsavedCache) -> None:
    """Write the build cache a build with `defer_save` left (what the next build starts
    from), and delete the output folder it replaced."""
    collecting = gc.isenabled()
    gc.disable()
    # The build's largest moment, with the build's data, the pickler's memo and the
    # files' stats at once: what the pages and the staging were made with goes back first.
    memory.release()
    try:
        unsaved.store.save(started_ns=unsaved.started_ns, config=unsaved.config, inputs=unsaved.inputs)
    finally:
        if unsaved.old_output is not None:
            unsaved.old_output.discard()
        if collecting:
            gc.enable()


def build(config: Config, options: BuildOptions = BuildOptions(), *, warm: WarmState | None = None,
          progress: Callable[[str, int | None], None] | None = None,
          lock_timeout: float | None = None) -> BuildReport:
    """Build the site of `config` into config.output_dir.

    `warm`: what the last build in this process left for the next (the dev server keeps
    one for its life); None starts as a new process does.

    Raises BuildError on any error, and with `options.strict` on any warning; the output
    folder is then exactly as it was before. Raises SitegenError, having touched nothing, for
    an output folder the build may not replace (`write.check_output_folder`) or a missing
    content folder. Waits for another build of the same output folder to end, up to
    `lock_timeout` seconds (default fsutil.LOCK_TIMEOUT; then SitegenError). Removes the
    staging folders a killed build left.

    `progress(stage, count)` (the CLI's status line) is called as each stage starts (count
    None) and after each batch of its items (count: how many).
    """
    # The cyclic garbage collector stays off for the build: its full passes over the
    # hundreds of thousands of objects a build keeps (articles, cards, the cache's data)
    # cost much and find little, as a build makes almost no cyclic garbage.
    check_output_folder(config, lambda: build_cache.BuildCache.recorded(config))
    warm = warm if warm is not None else WarmState()
    collecting = gc.isenabled()
    gc.disable()
    try:
        with OutputLock(config.output_dir, build_cache.lock_file(config),
                        fsutil.LOCK_TIMEOUT if lock_timeout is None else lock_timeout):
            remove_leftovers(config.output_dir.resolve())
            try:
                report = _timed_build(config, options, warm, progress)
            except CacheDamaged as e:
                # A body's HTML in the cache failed its checksum while pages were rendered,
                # so before anything was published: build again from scratch, once.
                log.warning("%s", e)
                build_cache.discard(config, warm)
                report = _timed_build(config, options, warm, progress)
            changes.record_output(config, warm)
            return report
    finally:
        if collecting:
            gc.enable()


class _Timer:
    """Runs the build's stages, each timed (`stage_seconds`), announced to `progress`, and
    its errors made one line: a SitegenError or OSError becomes a BuildError."""

    def __init__(self, config: Config, progress: Callable[[str, int | None], None] | None) -> None:
        self.config, self.progress = config, progress
        self.start = time.perf_counter()
        self.started_ns = time.time_ns()
        self.stages: dict[str, float] = {}

    def __call__(self, name: str, fn: Callable[[], T]) -> T:
        t = time.perf_counter()
        if self.progress is not None:
            self.progress(name, None)
        try:
            result = fn()
            if self.progress is not None and isinstance(result, list):  # a batch of pages or files
                self.progress(name, len(result))
            return result
        except BuildError:
            raise
        except SitegenError as e:
            raise BuildError([e]) from None
        except OSError as e:  # disk full, a file made unreadable: one line, the output as it was
            raise BuildError([SitegenError(_os_error(self.config, name, e))]) from None
        finally:
            self.stages[name] = self.stages.get(name, 0.0) + time.perf_counter() - t

    def elapsed(self) -> float:
        """Seconds since the build started."""
        return time.perf_counter() - self.start


def _timed_build(config: Config, options: BuildOptions, warm: WarmState,
                 progress: Callable[[str, int | None], None] | None) -> BuildReport:
    """`build`, each stage timed: the no-op check, then `_build` when something changed."""
    timed = _Timer(config, progress)

    def check() -> tuple[build_cache.BuildCache, dict[str, build_cache.Stat], dict[str, build_cache.Stat]]:
        store = build_cache.BuildCache.open(config, build_cache.build_key(config, options.drafts, options.future),
                                            warm)
        if options.changed is not None:
            known = changes.known_check(config, store, options.changed, warm)
            if known is not None:
                return store, *known
        return store, build_cache.scan_inputs(config), store.scan_outputs(config.output_dir)

    store, inputs, on_disk = timed("cache", check)
    # A scheduled article published, or one expired, since the last build: no file changed,
    # yet the site did.
    at = schedule.now()
    due = store.state.next_change is not None and at.timestamp() >= store.state.next_change
    if store.unchanged(config, inputs, on_disk) and not store.state.search_stale and not due:
        warnings = list(store.state.warnings)
        store.keep()
        _report_warnings(warnings, options, config)
        return BuildReport(pages=store.state.pages, written=0,
                           unchanged=len(on_disk) - (MARKER in on_disk), removed=0,
                           warnings=warnings, seconds=timed.elapsed(),
                           stage_seconds=timed.stages, noop=True)
    try:
        return _build(config, options, warm, store, inputs, on_disk, at, timed)
    finally:
        store.close()


def _build(config: Config, options: BuildOptions, warm: WarmState, store: build_cache.BuildCache,
           inputs: dict[str, build_cache.Stat], on_disk: dict[str, build_cache.Stat],
           at: datetime.datetime, timed: _Timer) -> BuildReport:
    """The build proper, once the no-op check said something changed."""
    # Imported here: the no-op path needs none of them (Markdown, Jinja2 and Babel are slow
    # to import).
    from sitegen import images, load
    from sitegen.incremental import memo
    from sitegen.incremental.pages import PagePlan, site_key
    from sitegen.postprocess import SIBLINGS, process_outputs
    from sitegen.render import Renderer, build_time
    from sitegen.search import BUNDLE_DIR, index_early, intact_shards, search_outputs
    from sitegen.theme import load_theme
    from sitegen.urls import article_path, url
    from sitegen.write import Staging

    data = timed("cache", lambda: store.data)
    loaded = timed("load", lambda: memo.cached_load(config, options.drafts, store, inputs))
    site = schedule.published_site(loaded, at, future=options.future)
    store.state.next_change = schedule.next_change(loaded, at, future=options.future)
    del loaded
    theme = timed("theme", lambda: load_theme(config))
    env, templates = memo.environment(theme, config, inputs, warm)
    # The masthead's search box (base.html) shows when the search page exists.
    env.globals["search"] = url(config, "search/") if config.search else None
    # Images hook (sitegen.images): the pictures of static/images/, measured (not encoded).
    pictures = timed("images", lambda: images.pictures(theme.static))
    # From here on the articles' Markdown text (most of what a cold build would hold) is read
    # from its file where it is needed: by the Markdown stage's workers, which convert it
    # there, and by a page that asks for it.
    site = memo.without_bodies(site, store)
    memory.release()
    bodies = timed("markdown", lambda: memo.cached_bodies(site, lambda slug: url(config, article_path(slug)),
                                                             store, warm.markdown, pictures))
    fronts = memo.front_digests(site, store)
    links = timed("link", lambda: memo.cached_links(site, bodies, store, fronts))
    # A page's fingerprint is trusted only while its files are what the last build wrote.
    previous = store.state.outputs
    valid = {p for p, st in previous.items() if on_disk.get(p) == st[:2]}
    # ... and, for a page with precompressed siblings (config `compress`), theirs too.
    if any(p.endswith(SIBLINGS) for p in previous):
        fingerprints = {p: fp for p, fp in data.fingerprints.items()
                        if p in valid and all(p + ext in valid for ext in SIBLINGS if p + ext in previous)}
    else:
        fingerprints = {p: fp for p, fp in data.fingerprints.items() if p in valid}
    plan = PagePlan(fingerprints, data.deps, fronts, data.links[0] if data.links else None)
    now = build_time()
    plan.begin(site_key(config, theme.assets, now, images.default_lead(config.default_image, pictures.found)))
    groups = timed("groups", lambda: memo.cached_groups(site, plan))
    # Search (config `search`): the Pagefind shards under pagefind/ and the /search/ page.
    # A shard the output folder holds, intact, is kept as it is while the site wants the
    # same one; in the dev server, it also stands in for one that Pagefind would have to
    # remake. An edit's shard is indexed from now on, while the pages render.
    published = intact_shards(store.state.search_key, valid.__contains__, previous)
    early = None if options.defer_search else timed("search", lambda: index_early(site, bodies, store.body_pack,
                                                                                   published))
    renderer = timed("render", lambda: Renderer(site, links, bodies, theme, env, groups, now=now, plan=plan,
                                                html_of=store.html_of,
                                                text_of=lambda a: load.article_body(a, config),
                                                templates=templates, pictures=pictures))
    timed("render", lambda: plan.settle(renderer))
    warnings = [w for a in site.articles for w in a.warnings] + list(links.warnings)
    warnings += images.image_warnings(site.articles, bodies, pictures, config.default_image)
    for note in links.notes:  # similar headlines taken for an article's: shown with -v
        log.debug("%s", note)
    _report_warnings(warnings, options, config)
    # Pages are rendered, minified / precompressed (config `minify`, `compress`) and staged
    # a batch at a time, so memory never holds the whole site; nothing in the output folder
    # changes until `commit`.
    staging = timed("write", lambda: Staging(config.output_dir, previous, on_disk, digest,
                                             marker=MARKER_TEXT))
    committed = False

    def stage_all(name: str, outputs: Iterator[Output]) -> None:
        """Take `outputs` a batch at a time (timed as stage `name`), post-process and stage them."""
        while batch := timed(name, lambda: list(islice(outputs, BATCH))):
            staged = timed("postprocess", lambda: process_outputs(batch, config))
            timed("write", lambda: staging.add(staged))

    try:
        stage_all("render", renderer.render_all())
        # Images hook: the WebP sizes of every picture, encoded once and kept in the cache.
        variant_store = images.VariantStore(config.cache_dir / "images")
        sources = {o.path.removeprefix("static/"): o.data for o in theme.static}
        stage_all("images", images.variant_outputs(pictures.found, sources.__getitem__, variant_store.encode))
        # Pagefind's processes (a shard's worth of memory each) run beside this one from
        # here on: what the pages were made with goes back to the system first.
        memory.release()
        deferred: list[BundleJob] | None = [] if options.defer_search and published else None
        search = timed("search", lambda: search_outputs(
            site, bodies, renderer.page, store.html_of, defer=store.lend_pack, deferred=deferred,
            published=published, early=early))
        stage_all("search", search.outputs)
        kept = [p + ext for p in plan.kept for ext in ("", *SIBLINGS) if p + ext in previous]
        job = deferred[0] if deferred else None
        if search.kept:
            kept += [p for p in previous if p.startswith(tuple(search.kept))]
        try:
            result, state = timed("write", lambda: staging.commit(kept))
        except BaseException:
            store.forget()
            raise
        committed = True
        variant_store.prune()
        # A new tree is the output folder: the next check lists its folders, but for those of
        # a spare tree swapped back in that this build left as an earlier check found them.
        store.outputs_replaced(config.output_dir if staging.differs is not None else None)
    finally:
        # The dev server deletes the old output folder once the browsers are told to reload
        # (in `save_cache`): it is as many deletions as the site has files and folders.
        if not (committed and options.defer_save):
            staging.discard()
    data.fingerprints = plan.fingerprints
    data.deps = plan.deps
    store.state.outputs = state
    store.state.pages = sum(1 for p in state if p.endswith(".html"))
    store.state.warnings = warnings
    store.state.search_stale = job is not None
    store.state.search_key = search.shards or None

    unsaved = UnsavedCache(store, inputs, timed.started_ns, config, staging if options.defer_save else None)
    if not options.defer_save:
        t = time.perf_counter()
        save_cache(unsaved)
        timed.stages["cache"] += time.perf_counter() - t
    return BuildReport(pages=store.state.pages, written=result.written, unchanged=result.unchanged,
                       removed=result.removed, warnings=warnings, seconds=timed.elapsed(),
                       stage_seconds=timed.stages, rendered=len(plan.fingerprints) - len(plan.kept),
                       search_job=job, only_search=bool(staging.changed) and all(
                           p.startswith(BUNDLE_DIR) for p in staging.changed),
                       unsaved=unsaved if options.defer_save else None)


def _os_error(config: Config, stage: str, e: OSError) -> str:
    """One line for an OSError of a build stage: the file (relative to the project), the
    stage, the system's reason."""
    name = e.filename if e.filename is not None else config.output_dir
    try:
        name = Path(name).resolve().relative_to(config.root.resolve()).as_posix()
    except (ValueError, OSError, TypeError):
        pass
    return f"{name}: {stage}: {e.strerror or e}; {config.output_dir.name}/ left as it was"


def _report_warnings(warnings: list[str], options: BuildOptions, config: Config) -> None:
    """Log each warning (with `log_warnings`); with `strict`, any warning fails the build."""
    if options.log_warnings:
        for w in warnings:
            log.warning("%s", w)
    if options.strict and warnings:
        raise BuildError([SitegenError(f"--strict: {len(warnings):,} warning(s); "
                                       f"{config.output_dir.name}/ left unchanged")])


def summary(report: BuildReport) -> str:
    """The one line the CLI prints after a build."""
    refs = len(report.warnings)
    return (f"built {report.pages:,} pages in {report.seconds:.1f} s, "
            f"{refs:,} unresolved reference{'' if refs == 1 else 's'} "
            f"({report.written:,} written, {report.unchanged:,} unchanged, {report.removed:,} removed)")


def verify_incremental(config: Config, options: BuildOptions = BuildOptions()) -> tuple[BuildReport, list[str]]:
    """Build incrementally (through the cache), then build the same inputs from scratch into
    a temporary folder with an empty cache, and compare every file byte for byte. Returns the
    incremental build's report and one line per difference (empty: identical)."""
    import shutil
    import tempfile
    from pathlib import Path

    report = build(config, options)
    scratch = Path(tempfile.mkdtemp(prefix="sitegen-verify-"))
    try:
        fresh = config.replace(output_dir=scratch / "public", cache_dir=scratch / "cache")
        build(fresh, options)
        a, b = config.output_dir, fresh.output_dir
        left = set(build_cache.scan(a))
        right = set(build_cache.scan(b))
        diffs = [f"{p}: only in the incremental build" for p in sorted(left - right)]
        diffs += [f"{p}: missing from the incremental build" for p in sorted(right - left)]
        diffs += [f"{p}: bytes differ" for p in sorted(left & right)
                  if (a / p).read_bytes() != (b / p).read_bytes()]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return report, diffs
