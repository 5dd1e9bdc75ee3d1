"""A page template's layout split into the parts that are the same on every page it renders
in one build and the rest, so the constant parts are rendered once per build.

A page is rendered from the site-wide globals (`site`, `nav`, `url`, `asset`, `partial`, the
environment's globals) and its own variables (`title`, `canonical`, `article`, …). A part of
the layout is constant when it can read none of the page's variables: no name the page
supplies, and no name the templates set at their top level (which a page's own values could
reach); a name defined nowhere is the same undefined value on every page. What holds, for
each template and set of page variable names (`compile_layout`):

- the layout (the template's parent when it has one `{% extends "name" %}` at its top level,
  else the template itself) is cut at its top level: each run of constant text, expressions
  and statements, and each block whose effective body (the page template's override, or the
  layout's own) is constant, becomes one lookup of a string rendered once per build;
- everything else is the template as written, rendered per page, with Jinja2's own semantics
  (blocks, `super()`, includes, scoping): the page template itself is loaded unchanged into
  an overlay of the environment in which its `{% extends %}` finds the cut layout;
- a part that includes or imports templates is constant only when those templates read no
  page variable either (followed to any depth); a computed template name, `super()`,
  `lipsum()`, the `random` filter or a nested block keep a part per page; a template that
  uses `self` or extends through two levels is rendered as written.

Whatever cannot be proved constant, or fails to parse, compile or render here, is rendered
per page as before (and reports its error there, with its file and line). The output bytes
are the same either way.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

import jinja2
from jinja2 import meta, nodes
from markupsafe import Markup

from sitegen.hashing import digest

log = logging.getLogger(__name__)

PARTS = "_sitegen_layout_parts"
"""The page variable holding the constant parts' strings, in order."""
PART_BLOCK = "_sitegen_layout_part_"
"""Prefix of the blocks that render each constant part once (followed by its index)."""

PER_PAGE_NAMES = frozenset({"self", "super", "lipsum", "loop", "caller", "varargs", "kwargs",
                            PARTS})
"""Names a constant part may not read: bound per page or per call (`self`, `super`, `loop`,
macro arguments), or different on each call (`lipsum`)."""
PER_CALL_FILTERS = frozenset({"random"})
"""Filters whose output differs from one call to the next."""

SCOPES = (nodes.Block, nodes.For, nodes.Macro, nodes.CallBlock, nodes.FilterBlock, nodes.With,
          nodes.Scope, nodes.OverlayScope, nodes.ScopedEvalContextModifier)
"""Nodes whose assignments do not reach the template's top level."""
STORES = (nodes.Assign, nodes.AssignBlock, nodes.Import, nodes.FromImport, nodes.Macro)
"""Nodes that set a name in the scope they stand in."""


LayoutKey = tuple[str, frozenset[str]]
"""A page template's name and its pages' variable names."""


@dataclass(frozen=True)
class Layout:
    """One page template compiled for pages with one set of variable names: `page` renders
    such a page from its variables and the constant parts' strings (`PARTS`); `constant`
    renders part i, as its block `PART_BLOCK`i, from the site-wide variables."""

    page: jinja2.Template
    """The page template, extending its layout cut at its top level (or, when it extends
    none, itself cut)."""
    constant: jinja2.Template
    """A template of one block per constant part."""
    count: int
    """How many constant parts."""

    def parts(self, variables: Mapping[str, Any]) -> tuple[Markup, ...]:
        """The constant parts rendered with the site-wide `variables`."""
        context = self.constant.new_context(dict(variables))
        return tuple(Markup("".join(self.constant.blocks[f"{PART_BLOCK}{i}"](context)))
                     for i in range(self.count))

    def render(self, variables: Mapping[str, Any], parts: tuple[Markup, ...]) -> str:
        """One page: `variables` (globals and the page's own) and the `parts` of this build."""
        return self.page.render({**variables, PARTS: parts})


@dataclass
class LayoutMemo:
    """What this module made with one Jinja2 environment: true while that environment is
    the one in use (a build gets a new one when any template changed)."""

    layouts: dict[LayoutKey, Layout | None] = field(default_factory=dict)
    """Page template and its pages' variable names → its Layout (None: rendered as written)."""
    trees: dict[str, tuple[nodes.Template, str | None]] = field(default_factory=dict)
    """Template name → its syntax tree (never modified) and file name."""
    compiled: dict[str, jinja2.Template] = field(default_factory=dict)
    """Digest of a cut layout or parts template's name and syntax tree → it, compiled: page
    templates that override the same blocks share them."""


def compile_layout(env: jinja2.Environment, name: str, page_names: Iterable[str],
                   memo: LayoutMemo | None = None) -> Layout | None:
    """Template `name` compiled for pages whose own variables are `page_names`, its constant
    parts cut out (see the module's docstring); None when no part is constant or the
    template cannot be analysed (it is then rendered as written)."""
    try:
        return _Analysis(env, frozenset(page_names), memo or LayoutMemo()).layout(name)
    except Exception as e:  # noqa: BLE001 - rendering as written reports any real error
        log.debug("%s: layout: rendered as written (%s: %s)", name, type(e).__name__, e)
        return None


@dataclass
class _Analysis:
    """What one page template's layout reads, for pages with variables `page_names`."""

    env: jinja2.Environment
    page_names: frozenset[str]
    memo: LayoutMemo
    per_page: set[str] = field(default_factory=set)
    """Names a constant part may not read: the page's own, and those the templates set at
    their top level."""
    reads_page: dict[str, bool] = field(default_factory=dict)
    """Template name → whether it reads a per-page name (itself or through its includes)."""

    def parse(self, name: str) -> tuple[nodes.Template, str | None]:
        """Template `name`'s syntax tree (not to be modified: it is kept) and file name."""
        if name not in self.memo.trees:
            source, filename, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
            self.memo.trees[name] = self.env.parse(source, name, filename), filename
        return self.memo.trees[name]

    def layout(self, name: str) -> Layout | None:
        page, page_file = self.parse(name)
        extends = list(page.find_all(nodes.Extends))
        top = [n for n in page.body if isinstance(n, nodes.Extends)]
        overrides: dict[str, nodes.Block] = {}
        if not extends:
            root, root_name, root_file = page, name, page_file
        elif (len(extends) == 1 and len(top) == 1 and isinstance(top[0].template, nodes.Const)
              and isinstance(top[0].template.value, str)):
            root_name = top[0].template.value
            root, root_file = self.parse(root_name)
            if any(True for _ in root.find_all(nodes.Extends)):
                return None  # two levels of layout: rendered as written
            overrides = {b.name: b for b in page.find_all(nodes.Block)}
        else:
            return None
        trees = [page, root] if root is not page else [page]
        # `self.block()` calls blocks by name, and the cut layout defines fewer of them.
        if any(n.name == "self" for t in trees for n in t.find_all(nodes.Name)):
            return None
        self.per_page = set(self.page_names) | PER_PAGE_NAMES
        for t in trees:
            self.per_page |= _top_level_stores(t.body)

        # Each top-level item of the layout: what the cut layout keeps of it when it is not
        # constant (a block as the layout has it, so `super()` finds it), what a part renders
        # of it when it is (a block's effective body), and which. An Output's children one by one.
        items: list[tuple[nodes.Node, nodes.Node, bool]] = []
        for node in root.body:
            if isinstance(node, nodes.Output):
                items += [(child, child, self.constant([nodes.Output([child])])) for child in node.nodes]
            elif isinstance(node, nodes.Block):
                block = overrides.get(node.name, node)
                items.append((node, block, not any(True for _ in block.find_all(nodes.Block))
                              and self.constant([block])))
            else:
                items.append((node, node, not _stores_at_top(node)
                              and not any(True for _ in node.find_all((nodes.Block, nodes.Extends)))
                              and self.constant([node])))

        # Runs of constant items holding more than template text become parts.
        kept: list[nodes.Node] = []
        parts: list[list[nodes.Node]] = []
        run: list[nodes.Node] = []
        for as_is, rendered, constant in [*items, (None, None, False)]:
            if constant:
                run.append(rendered)
                continue
            if any(not isinstance(n, nodes.TemplateData) for n in run):
                kept.append(nodes.Getitem(nodes.Name(PARTS, "load"), nodes.Const(len(parts)), "load",
                                          lineno=run[0].lineno))
                parts.append(run)
            else:
                kept += run
            run = []
            if as_is is not None:
                kept.append(as_is)
        if not parts:
            return None

        same = {id(self.env): self.env}
        cut = nodes.Template(_as_statements(copy.deepcopy(kept, same)))
        constant = self.compiled(nodes.Template([
            nodes.Block(f"{PART_BLOCK}{i}", _as_statements(copy.deepcopy(run, same)), False, False)
            for i, run in enumerate(parts)]), root_name, root_file)
        if root is page:
            return Layout(self.compiled(cut, name, page_file), constant, len(parts))
        # The page template as written, loaded afresh into an environment where its
        # `{% extends %}` finds the cut layout.
        loader = _CutLayoutLoader(self.env, name, root_name, self.compiled(cut, root_name, root_file))
        page_env = self.env.overlay(loader=loader, cache_size=400)
        return Layout(page_env.get_template(name), constant, len(parts))

    def compiled(self, tree: nodes.Template, name: str, filename: str | None) -> jinja2.Template:
        """`tree` compiled as template `name` (its errors name that file and its lines), once
        per environment, and kept in the environment's bytecode cache like any template."""
        tree.set_environment(self.env)
        # The tree's repr holds every node but not their lines: with the source, it is all
        # the compiled code depends on.
        nodes_text = repr(tree)
        key = f"{name}\0layout\0{digest(nodes_text)}"
        if key in self.memo.compiled:
            return self.memo.compiled[key]
        cache, code, bucket = self.env.bytecode_cache, None, None
        if cache is not None:
            source = self.env.loader.get_source(self.env, name)[0]  # type: ignore[union-attr]
            bucket = cache.get_bucket(self.env, key, filename, f"{source}\0{nodes_text}")
            code = bucket.code
        if code is None:
            code = self.env.compile(tree, name, filename)
            if cache is not None and bucket is not None:
                bucket.code = code
                cache.set_bucket(bucket)
        template = self.memo.compiled[key] = self.env.template_class.from_code(
            self.env, code, self.env.make_globals(None))
        return template

    def constant(self, body: list[nodes.Node]) -> bool:
        """Whether `body` renders the same on every page: it reads no per-page name, calls
        nothing that differs per call, and includes or imports only templates that do not
        either."""
        tree = nodes.Template(body).set_environment(self.env)
        if all(isinstance(n, nodes.Output) for n in body):
            # Expressions bind no name: every name they hold is read from the context.
            reads = {n.name for n in tree.find_all(nodes.Name) if n.ctx == "load"}
        else:
            reads = meta.find_undeclared_variables(tree)
        if reads & self.per_page:
            return False
        if any(n.name in PER_PAGE_NAMES for n in tree.find_all(nodes.Name)):
            return False
        if any(f.name in PER_CALL_FILTERS for f in tree.find_all(nodes.Filter)):
            return False
        for node in tree.find_all((nodes.Include, nodes.Import, nodes.FromImport)):
            names = node.template.value if isinstance(node.template, nodes.Const) else None
            names = [names] if isinstance(names, str) else names
            if not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names):
                return False
            if any(self.template_reads_page(n) for n in names):
                return False
        return True

    def template_reads_page(self, name: str) -> bool:
        """Whether included or imported template `name` may read a per-page name."""
        if name not in self.reads_page:
            self.reads_page[name] = True  # an include cycle stays per page
            tree, _ = self.parse(name)
            self.reads_page[name] = (any(True for _ in tree.find_all(nodes.Extends))
                                     or not self.constant(tree.body))
        return self.reads_page[name]


class _CutLayoutLoader(jinja2.BaseLoader):
    """Loads page template `page` afresh (so that the environment it is loaded into is the
    one its `{% extends %}` asks), `layout` as the cut layout `layout_name`, and every other
    template as `env` loads it."""

    def __init__(self, env: jinja2.Environment, page: str, layout_name: str,
                 layout: jinja2.Template) -> None:
        self.env, self.page, self.layout_name, self.layout = env, page, layout_name, layout

    def load(self, environment: jinja2.Environment, name: str,
             globals: MutableMapping[str, Any] | None = None) -> jinja2.Template:
        if name == self.layout_name:
            return self.layout
        if name == self.page:
            return self.env.loader.load(environment, name, globals)  # type: ignore[union-attr]
        return self.env.get_template(name, globals=globals)


def _top_level_stores(body: list[nodes.Node]) -> set[str]:
    """The names `body` sets in its own scope (not inside blocks, loops, macros, …), which
    later parts of the template read from the page's context."""
    names: set[str] = set()
    for node in body:
        for store in _unscoped(node):
            if isinstance(store, nodes.Macro):
                names.add(store.name)
            elif isinstance(store, nodes.Import):
                names.add(store.target)
            elif isinstance(store, nodes.FromImport):
                names |= {n if isinstance(n, str) else n[1] for n in store.names}
            else:  # an assignment: its target's names
                names |= {n.name for n in store.find_all(nodes.Name) if n.ctx == "store"}
    return names


def _unscoped(node: nodes.Node) -> Iterable[nodes.Node]:
    """`node` and its descendants that set a name in `node`'s scope."""
    if isinstance(node, STORES):
        yield node
    if isinstance(node, SCOPES):
        return
    for child in node.iter_child_nodes():
        yield from _unscoped(child)


def _stores_at_top(node: nodes.Node) -> bool:
    """Whether `node` sets a name in the scope it stands in (so it must run on every page)."""
    return any(True for _ in _unscoped(node))


def _as_statements(items: list[nodes.Node]) -> list[nodes.Node]:
    """Top-level items as template statements: consecutive expressions and template text
    back in one Output node each."""
    out: list[nodes.Node] = []
    made: nodes.Output | None = None
    for item in items:
        if isinstance(item, nodes.Stmt):
            out.append(item)
            made = None
        elif made is not None:
            made.nodes.append(item)
        else:
            made = nodes.Output([item]).set_lineno(item.lineno)
            out.append(made)
    return out


LAYOUT_AFTER = 32
"""Pages of one template (and set of variable names) rendered as written before its layout
is compiled: analysing and compiling a layout costs more than the cut saves on a handful of
pages, so a build that re-renders a few (one article edited) never pays for it, and one that
renders more of a kind than this usually renders hundreds."""


class Layouts:
    """Renders one build's pages, each template through its Layout (compiled once per
    environment, in `memo`: from its `after`-th page on, or at once when compiled by an
    earlier build), its constant parts rendered once per build from `site_wide` (the globals
    every page is rendered with)."""

    def __init__(self, env: jinja2.Environment, site_wide: Mapping[str, Any],
                 memo: LayoutMemo, after: int | None = None) -> None:
        self.env, self.site_wide, self.memo = env, site_wide, memo
        self.after = LAYOUT_AFTER if after is None else after
        self._seen: dict[LayoutKey, int] = {}
        self._prepared: dict[LayoutKey, tuple[Layout, tuple[Markup, ...]] | None] = {}

    def render(self, name: str, page: Mapping[str, Any]) -> str:
        """Template `name` rendered with the site-wide variables and the `page`'s own."""
        variables = {**self.site_wide, **page}
        ready = self._ready((name, frozenset(page)))
        if ready is None:
            return self.env.get_template(name).render(variables)
        layout, parts = ready
        return layout.render(variables, parts)

    def _ready(self, key: LayoutKey) -> tuple[Layout, tuple[Markup, ...]] | None:
        """The layout of `key` and its parts, from its `after`-th page on (None before, and
        when it has none)."""
        if key in self._prepared:
            return self._prepared[key]
        seen = self._seen[key] = self._seen.get(key, 0) + 1
        if seen <= self.after and key not in self.memo.layouts:
            return None
        ready = self._prepared[key] = self._prepare(key)
        return ready

    def _prepare(self, key: LayoutKey) -> tuple[Layout, tuple[Markup, ...]] | None:
        """The layout of `key` and its parts for this build, or None to render as written."""
        if key not in self.memo.layouts:
            self.memo.layouts[key] = compile_layout(self.env, *key, memo=self.memo)
        layout = self.memo.layouts[key]
        if layout is None:
            return None
        try:
            return layout, layout.parts(self.site_wide)
        except Exception as e:  # noqa: BLE001 - rendering as written reports it, with file and line
            log.debug("%s: layout: rendered as written (%s: %s)", key[0], type(e).__name__, e)
            return None
