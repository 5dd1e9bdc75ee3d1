"""The one place the build stages are chained: load → theme → markdown → link → render →
postprocess (minify, precompress) → write, each timed, through the build cache
(sitegen.cache) so that a rebuild redoes only what its inputs changed.

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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sitegen import cache as build_cache
from sitegen import fsutil, schedule
from sitegen.config import Config
from sitegen.errors import BuildError, SitegenError
from sitegen.fsutil import OutputLock
from sitegen.model import Body, Links, Site
from sitegen.write import MARKER, MARKER_TEXT, check_output_folder, remove_leftovers

if TYPE_CHECKING:
    import jinja2

    from sitegen.search import BundleJob
    from sitegen.theme import Theme

log = logging.getLogger(__name__)

T = TypeVar("T")

BATCH = 256
"""Pages rendered, post-processed and staged at a time."""


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
    """Wall time per stage: load, theme, markdown, link, render, postprocess, write."""
    rendered: int = 0
    """Pages and feeds rendered (the others were kept: their fingerprint did not change)."""
    noop: bool = False
    """True when nothing changed since the last build, so nothing was read or rendered."""
    search_job: "BundleJob | None" = None
    """With `search_later`: the Pagefind bundle this build did not make (the output keeps
    the previous one); run it, then build again to publish it."""
    only_search: bool = False
    """Every file written or removed is under pagefind/ (no page a reader sees changed)."""
    save: "Callable[[], None] | None" = None
    """With `save_later`: writes the build cache (what the next build starts from); call it
    once the new pages are published, before the next build."""


def build(config: Config, *, strict: bool = False, drafts: bool = False, future: bool = False,
          search_later: bool = False, log_warnings: bool = True, save_later: bool = False,
          progress: Callable[[str, int | None], None] | None = None,
          lock_timeout: float | None = None) -> BuildReport:
    """Build the site of `config` into config.output_dir.

    Raises BuildError on any error, and with `strict` on any warning; the output folder is
    then exactly as it was before. Raises SitegenError, having touched nothing, for an output
    folder the build may not replace (`write.check_output_folder`) or a missing content
    folder. Waits for another build of the same output folder to end, up to `lock_timeout`
    seconds (default fsutil.LOCK_TIMEOUT; then SitegenError). Removes the staging folders a
    killed build left.

    With `search_later` (the dev server), a search bundle that must be remade (Pagefind:
    seconds to minutes) is not: the output keeps the previous bundle, one edit behind, and
    the report's `search_job` makes the new one for the next build. Without it (`sitegen
    build`), the bundle always matches the pages.

    With `future`, articles dated ahead of now (sitegen.schedule) are built too.

    With `log_warnings` False, the warnings are not logged one per line (the dev server's
    rebuilds print only their count); they are still in the report, and still fail `strict`.

    With `save_later` (the dev server), the build cache is written by the report's `save`,
    not before returning: the server tells the browser to reload first (the write is
    ~0.05 s of a rebuild on 10,000 articles). Until `save` runs, the output folder is ahead of the cache,
    which the next build would only take for files changed by someone else.

    `progress(stage, count)` (the CLI's status line) is called as each stage starts (count
    None) and after each batch of its items (count: how many).
    """
    # The cyclic garbage collector stays off for the build: its full passes over the
    # hundreds of thousands of objects a build keeps (articles, cards, the cache's data)
    # were a third of a dev-server rebuild on 10,000 articles, and a build makes almost no
    # cyclic garbage (a cold 10,000-article build peaks at 353 MiB with it on or off).
    check_output_folder(config, lambda: build_cache.BuildCache.recorded(config))
    collecting = gc.isenabled()
    gc.disable()
    try:
        with OutputLock(config.output_dir, build_cache.lock_file(config),
                        fsutil.LOCK_TIMEOUT if lock_timeout is None else lock_timeout):
            remove_leftovers(config.output_dir.resolve())
            try:
                return _timed_build(config, strict=strict, drafts=drafts, future=future,
                                    search_later=search_later, log_warnings=log_warnings,
                                    save_later=save_later, progress=progress)
            except build_cache.CacheDamaged as e:
                # A body's HTML in the cache failed its checksum while pages were rendered,
                # so before anything was published: build again from scratch, once.
                log.warning("%s", e)
                build_cache.discard(config)
                return _timed_build(config, strict=strict, drafts=drafts, future=future,
                                    search_later=search_later, log_warnings=log_warnings,
                                    save_later=save_later, progress=progress)
    finally:
        if collecting:
            gc.enable()


def _timed_build(config: Config, *, strict: bool, drafts: bool, future: bool, search_later: bool,
                 log_warnings: bool, save_later: bool,
                 progress: Callable[[str, int | None], None] | None = None) -> BuildReport:
    """`build`, each stage timed: the no-op check, then `_build` when something changed."""
    start = time.perf_counter()
    started_ns = time.time_ns()
    stages: dict[str, float] = {}

    def timed(name: str, fn: Callable[[], T]) -> T:
        t = time.perf_counter()
        if progress is not None:
            progress(name, None)
        try:
            result = fn()
            if progress is not None and isinstance(result, list):  # a batch of pages or files
                progress(name, len(result))
            return result
        except BuildError:
            raise
        except SitegenError as e:
            raise BuildError([e]) from None
        except OSError as e:  # disk full, a file made unreadable: one line, the output as it was
            raise BuildError([SitegenError(_os_error(config, name, e))]) from None
        finally:
            stages[name] = stages.get(name, 0.0) + time.perf_counter() - t

    def check() -> tuple[build_cache.BuildCache, dict[str, build_cache.Stat], dict[str, build_cache.Stat]]:
        store = build_cache.BuildCache.open(config, build_cache.build_key(config, drafts, future))
        return store, build_cache.scan_inputs(config), store.scan_outputs(config.output_dir)

    store, inputs, on_disk = timed("cache", check)
    # A scheduled article published, or one expired, since the last build: no file changed,
    # yet the site did.
    at = schedule.now()
    due = store.state.next_change is not None and at.timestamp() >= store.state.next_change
    if store.unchanged(config, inputs, on_disk) and not store.state.search_stale and not due:
        warnings = list(store.state.warnings)
        store.keep()
        _report_warnings(warnings, strict, config, log_warnings)
        return BuildReport(pages=store.state.pages, written=0,
                           unchanged=len(on_disk) - (MARKER in on_disk), removed=0,
                           warnings=warnings, seconds=time.perf_counter() - start,
                           stage_seconds=stages, noop=True)
    try:
        return _build(config, store, inputs, on_disk, strict=strict, drafts=drafts, future=future, at=at,
                      search_later=search_later, log_warnings=log_warnings, save_later=save_later,
                      start=start, started_ns=started_ns, stages=stages, timed=timed)
    finally:
        store.close()


def _build(config: Config, store: build_cache.BuildCache, inputs: dict[str, build_cache.Stat],
           on_disk: dict[str, build_cache.Stat], *, strict: bool, drafts: bool, future: bool,
           at: datetime.datetime, search_later: bool,
           log_warnings: bool, save_later: bool, start: float,
           started_ns: int, stages: dict[str, float], timed: Callable[..., T]) -> BuildReport:  # type: ignore[type-var]
    """The build proper, once the no-op check said something changed."""
    # Imported here: the no-op path needs none of them (Markdown, Jinja2 and Babel take a
    # tenth of a second to import).
    from sitegen import images
    from sitegen.links import link_site
    from sitegen.load import load_site
    from sitegen.markdown import cached_bodies
    from sitegen.postprocess import SIBLINGS, process_outputs
    from sitegen.render import Renderer, article_path, url
    from sitegen.search import BUNDLE_DIR, intact_shards, search_outputs
    from sitegen.theme import load_theme, make_environment
    from sitegen.write import Staging

    data = timed("cache", lambda: store.data)
    # Content files whose stat is what it was when the last build read them, and were not
    # racy then, are not read again (see sitegen.cache).
    content = str(config.content_dir) + "/"
    racy = store.state.racy
    unchanged = {path: entry[1:] for path, entry in data.files.items()
                 if inputs.get(key := "content:" + path[len(content):]) == entry[0] and key not in racy
                 and path.startswith(content)}
    read: dict[str, tuple[str, str, int]] = {}
    # The content files the cache's scan found: the loader need not walk the folder again.
    files = [key[len("content:"):] for key in inputs if key.startswith("content:")]
    loaded = timed("load", lambda: load_site(config, drafts=drafts, parsed=data.articles,
                                             unchanged=unchanged, read=read, files=files))
    site = schedule.published_site(loaded, at, future=future)
    store.state.next_change = schedule.next_change(loaded, at, future=future)
    data.files = {path: data.files[path] for path in unchanged}
    for path, entry in read.items():
        stat = inputs.get("content:" + path[len(content):])
        if stat is not None:
            data.files[path] = (stat, *entry)
    theme = timed("theme", lambda: load_theme(config))
    env = _environment(theme, config, inputs, make_environment)
    # The masthead's search box (base.html) shows when the search page exists.
    env.globals["search"] = url(config, "search/") if config.search else None
    # Images hook (sitegen.images): the pictures of static/images/, measured (not encoded).
    pictures = timed("images", lambda: images.pictures(theme.static))
    bodies = timed("markdown", lambda: cached_bodies(site, lambda slug: url(config, article_path(slug)), store,
                                                     pictures))
    # The digest of each article's path and front matter, which the loader recorded (None
    # for a content folder outside the project): what the link stage's and the listing
    # pages' keys are made of, cheaper than pickling the articles' fields.
    root = str(config.root) + "/"
    fronts: list[str] | None = [f[1] if (f := data.files.get(root + a.path)) else "" for a in site.articles]
    if not all(fronts):
        fronts = None
    links = timed("link", lambda: _cached_links(site, bodies, store, link_site, fronts))
    # A page's fingerprint is trusted only while its files are what the last build wrote.
    previous = store.state.outputs
    valid = {p for p, st in previous.items() if on_disk.get(p) == st[:2]}
    # ... and, for a page with precompressed siblings (config `compress`), theirs too.
    if any(p.endswith(SIBLINGS) for p in previous):
        fingerprints = {p: fp for p, fp in data.fingerprints.items()
                        if p in valid and all(p + ext in valid for ext in SIBLINGS if p + ext in previous)}
    else:
        fingerprints = {p: fp for p, fp in data.fingerprints.items() if p in valid}
    renderer = timed("render", lambda: Renderer(site, links, bodies, theme, env, previous=fingerprints,
                                                html_of=store.html_of, deps=data.deps, fronts=fronts,
                                                links_key=data.links[0] if data.links else None,
                                                pictures=pictures))
    warnings = [w for a in site.articles for w in a.warnings] + list(links.warnings)
    warnings += images.image_warnings(site.articles, bodies, pictures, config.default_image)
    for note in links.notes:  # similar headlines taken for an article's: shown with -v
        log.debug("%s", note)
    _report_warnings(warnings, strict, config, log_warnings)
    # Pages are rendered, minified / precompressed (config `minify`, `compress`) and staged
    # a batch at a time, so memory never holds the whole site; nothing in the output folder
    # changes until `commit`.
    staging = timed("write", lambda: Staging(config.output_dir, previous, on_disk, build_cache.digest,
                                             marker=MARKER_TEXT))
    committed = False
    try:
        pages = renderer.render_all()
        while batch := timed("render", lambda: list(islice(pages, BATCH))):
            staged = timed("postprocess", lambda: process_outputs(batch, config))
            timed("write", lambda: staging.add(staged))
        # Images hook: the WebP sizes of every picture, encoded once and kept in the cache.
        variant_store = images.VariantStore(config.cache_dir / "images")
        sources = {o.path.removeprefix("static/"): o.data for o in theme.static}
        variants = images.variant_outputs(pictures.found, sources.__getitem__, variant_store.encode)
        while batch := timed("images", lambda: list(islice(variants, BATCH))):
            staged = timed("postprocess", lambda: process_outputs(batch, config))
            timed("write", lambda: staging.add(staged))
        # Search (config `search`): the Pagefind shards under pagefind/ and the /search/ page.
        # A shard the output folder holds, intact, is kept as it is while the site wants the
        # same one; in the dev server, it also stands in for one that Pagefind would have to
        # remake.
        published = intact_shards(store.state.search_key, valid.__contains__, previous)
        deferred: list[BundleJob] | None = [] if search_later and published else None
        search = timed("search", lambda: search_outputs(
            site, bodies, renderer.page, store.html_of, defer=store.detached_html, deferred=deferred,
            published=published))
        while batch := timed("search", lambda: list(islice(search.outputs, BATCH))):
            staged = timed("postprocess", lambda: process_outputs(batch, config))
            timed("write", lambda: staging.add(staged))
        kept = [p + ext for p in renderer.kept for ext in ("", *SIBLINGS) if p + ext in previous]
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
        # Every folder of the output is new: the next check lists them all.
        store.outputs_replaced()
    finally:
        # The dev server deletes the old output folder once the browsers are told to reload
        # (in `save`): it is as many deletions as the site has files and folders.
        if not (committed and save_later):
            staging.discard()
    data.fingerprints = renderer.fingerprints
    data.deps = renderer.deps
    store.state.outputs = state
    store.state.pages = sum(1 for p in state if p.endswith(".html"))
    store.state.warnings = warnings
    store.state.search_stale = job is not None
    store.state.search_key = search.shards or None

    def save() -> None:
        collecting = gc.isenabled()
        gc.disable()
        try:
            store.save(started_ns=started_ns, config=config, inputs=inputs)
        finally:
            if save_later:
                staging.discard()
            if collecting:
                gc.enable()

    if not save_later:
        t = time.perf_counter()
        save()
        stages["cache"] += time.perf_counter() - t
    return BuildReport(pages=store.state.pages, written=result.written, unchanged=result.unchanged,
                       removed=result.removed, warnings=warnings, seconds=time.perf_counter() - start,
                       stage_seconds=stages, rendered=len(renderer.fingerprints) - len(renderer.kept),
                       search_job=job, only_search=bool(staging.changed) and all(
                           p.startswith(BUNDLE_DIR) for p in staging.changed),
                       save=save if save_later else None)


_ENVIRONMENT: dict[str, "jinja2.Environment"] = {}
"""The last build's Jinja2 environment, by a digest of what made it (see `_environment`)."""


def _environment(theme: "Theme", config: Config, inputs: Mapping[str, build_cache.Stat],
                 make: Callable[["Theme", Config], "jinja2.Environment"]) -> "jinja2.Environment":
    """The Jinja2 environment for this build: the previous build's in this process (the dev
    server) when the config, the template folders and every template's stat are the same,
    so its compiled templates are reused; else a new one. (A stylesheet edit keeps it.)"""
    folders = ("templates:", *(f"themes:{t.name}/templates/" for t in theme.chain))
    files = sorted((k, v) for k, v in inputs.items() if k.startswith(folders))
    key = build_cache.digest(repr(config), repr(theme.template_dirs), repr(files))
    # A file modified within the clock's tick could change again with the same stat.
    racy = time.time_ns() - build_cache.RACY_NS
    env = _ENVIRONMENT.get(key) if all(st[0] < racy for _k, st in files) else None
    if env is None:
        env = make(theme, config)
        from sitegen.theme import bytecode_cache

        # Jinja2's own cache of compiled templates: a `sitegen build` process loads the
        # templates it renders instead of compiling them (49 ms for the digest theme's).
        env.bytecode_cache = bytecode_cache(env, config.cache_dir / "templates")
        _ENVIRONMENT.clear()
        _ENVIRONMENT[key] = env
    return env


def _cached_links(site: Site, bodies: Mapping[str, Body], store: build_cache.BuildCache,
                  link_site: Callable[[Site, Mapping[str, Body]], Links], fronts: list[str] | None) -> Links:
    """The link stage, reused when none of its inputs changed: every article's front matter
    (which holds its slug, title, date, tags and references; `fronts`, its digests) and
    file, and its body's links (with the lines of the unresolved ones), in site order; the
    config is in the cache's key."""
    if fronts is not None:
        inputs = repr([(f, bodies[a.slug].links, bodies[a.slug].unresolved,
                        bodies[a.slug].unresolved_lines, a.body_line)
                       for f, a in zip(fronts, site.articles)])
    else:  # a content folder outside the project: no recorded digest to go by
        import pickle

        inputs = repr(pickle.dumps([(a.slug, a.path, a.title, a.date, a.tags, a.read_also, a.related,
                                     bodies[a.slug].links, bodies[a.slug].unresolved,
                                     bodies[a.slug].unresolved_lines, a.body_line)
                                    for a in site.articles], protocol=5))
    key = build_cache.digest(inputs)
    if store.data.links is not None and store.data.links[0] == key:
        return store.data.links[1]
    links = link_site(site, bodies)  # type: ignore[arg-type]
    store.data.links = (key, links)
    return links


def _os_error(config: Config, stage: str, e: OSError) -> str:
    """One line for an OSError of a build stage: the file (relative to the project), the
    stage, the system's reason."""
    name = e.filename if e.filename is not None else config.output_dir
    try:
        name = Path(name).resolve().relative_to(config.root.resolve()).as_posix()
    except (ValueError, OSError, TypeError):
        pass
    return f"{name}: {stage}: {e.strerror or e}; {config.output_dir.name}/ left as it was"


def _report_warnings(warnings: list[str], strict: bool, config: Config, log_warnings: bool) -> None:
    """Log each warning (when `log_warnings`); with `strict`, any warning fails the build."""
    if log_warnings:
        for w in warnings:
            log.warning("%s", w)
    if strict and warnings:
        raise BuildError([SitegenError(f"--strict: {len(warnings):,} warning(s); "
                                       f"{config.output_dir.name}/ left unchanged")])


def summary(report: BuildReport) -> str:
    """The one line the CLI prints after a build."""
    refs = len(report.warnings)
    return (f"built {report.pages:,} pages in {report.seconds:.1f} s, "
            f"{refs:,} unresolved reference{'' if refs == 1 else 's'} "
            f"({report.written:,} written, {report.unchanged:,} unchanged, {report.removed:,} removed)")


def verify_incremental(config: Config, *, strict: bool = False, drafts: bool = False,
                       future: bool = False) -> tuple[BuildReport, list[str]]:
    """Build incrementally (through the cache), then build the same inputs from scratch into
    a temporary folder with an empty cache, and compare every file byte for byte. Returns the
    incremental build's report and one line per difference (empty: identical)."""
    import shutil
    import tempfile
    from pathlib import Path

    report = build(config, strict=strict, drafts=drafts, future=future)
    scratch = Path(tempfile.mkdtemp(prefix="sitegen-verify-"))
    try:
        fresh = config.replace(output_dir=scratch / "public", cache_dir=scratch / "cache")
        build(fresh, strict=strict, drafts=drafts, future=future)
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
