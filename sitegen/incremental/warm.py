"""What a process keeps from one build to the next, as one object its owner passes to every
build: the dev server owns one for its life; `sitegen build` makes a fresh one (a build
given none starts as a new process would). Nothing here is module state, and every value is
checked against the files it came from before a build uses it, so a stale one never is."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    import jinja2

    from sitegen.markdown import MarkdownRenderer
    from sitegen.render import TemplateMemo


class WarmEnvironment(NamedTuple):
    """A Jinja2 environment kept for the next build, with what was computed with it."""

    key: str
    """Digest of what made it: the config, the template folders, every template's stat."""
    env: "jinja2.Environment"
    """The environment, its compiled templates in it."""
    templates: "TemplateMemo"
    """Template keys and sources computed with it (valid while it is)."""


@dataclass
class WarmState:
    """What the last build in this process left for the next one."""

    caches: dict[Path, Any] = field(default_factory=dict)
    """Build cache folder → what the last build saved there, with the signature of its files
    (see incremental.store.BuildCache.open): taken instead of unpickling the same values while the files
    are still what was saved."""
    environment: WarmEnvironment | None = None
    """The last build's Jinja2 environment (see incremental.memo.environment)."""
    output_trees: dict[Path, tuple[int, int]] = field(default_factory=dict)
    """Output folder (resolved) → the (st_dev, st_ino) of the tree the last build in this
    process left there: a folder replaced by anyone else since has another."""
    markdown_renderer: "MarkdownRenderer | None" = None
    """The Markdown converter of this process, made on first use (see `markdown`)."""

    def markdown(self) -> "MarkdownRenderer":
        """This process's Markdown converter (one configured Python-Markdown instance, reset
        per document)."""
        if self.markdown_renderer is None:
            from sitegen.markdown import MarkdownRenderer

            self.markdown_renderer = MarkdownRenderer()
        return self.markdown_renderer
