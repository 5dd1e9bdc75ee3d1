"""The one place the build stages are chained: load → markdown → link → render →
postprocess (minify, precompress) → write, each timed. Everything is rendered in memory
before the output folder is touched, and the write swaps a staging folder in, so a failed
build leaves the previous output as it was."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sitegen.config import Config
from sitegen.errors import BuildError, SitegenError
from sitegen.links import link_site
from sitegen.load import load_site
from sitegen.markdown import render_bodies
from sitegen.postprocess import process_outputs
from sitegen.render import article_path, render_site, url
from sitegen.theme import load_theme, make_environment
from sitegen.write import write_outputs

log = logging.getLogger(__name__)

T = TypeVar("T")


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


def build(config: Config, *, strict: bool = False, drafts: bool = False) -> BuildReport:
    """Build the site of `config` into config.output_dir.

    Raises BuildError on any error, and with `strict` on any warning; the output folder is
    then exactly as it was before.
    """
    start = time.perf_counter()
    stages: dict[str, float] = {}

    def timed(name: str, fn: Callable[[], T]) -> T:
        t = time.perf_counter()
        try:
            return fn()
        except BuildError:
            raise
        except SitegenError as e:
            raise BuildError([e]) from None
        finally:
            stages[name] = time.perf_counter() - t

    site = timed("load", lambda: load_site(config, drafts=drafts))
    theme = timed("theme", lambda: load_theme(config))
    env = make_environment(theme, config)
    bodies = timed("markdown", lambda: render_bodies(site, lambda slug: url(config, article_path(slug))))
    links = timed("link", lambda: link_site(site, bodies))
    outputs = timed("render", lambda: list(render_site(site, links, bodies, theme, env)))
    warnings = list(links.warnings)
    for w in warnings:
        log.warning("%s", w)
    if strict and warnings:
        raise BuildError([SitegenError(f"--strict: {len(warnings):,} warning(s); "
                                       f"{config.output_dir.name}/ left unchanged")])
    # Minify / precompress (config `minify`, `compress`) before the write, so the atomic
    # swap and the pruning of stale files cover the .gz/.br siblings too.
    outputs = timed("postprocess", lambda: process_outputs(outputs, config))
    result = timed("write", lambda: write_outputs(outputs, config.output_dir))
    pages = sum(1 for o in outputs if o.path.endswith(".html"))
    seconds = time.perf_counter() - start
    return BuildReport(pages=pages, written=result.written, unchanged=result.unchanged,
                       removed=result.removed, warnings=warnings, seconds=seconds,
                       stage_seconds=stages)


def summary(report: BuildReport) -> str:
    """The one line the CLI prints after a build."""
    refs = len(report.warnings)
    return (f"built {report.pages:,} pages in {report.seconds:.1f} s, "
            f"{refs:,} unresolved reference{'' if refs == 1 else 's'} "
            f"({report.written:,} written, {report.unchanged:,} unchanged, {report.removed:,} removed)")
