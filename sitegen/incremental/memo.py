"""The memos around the build's stages: each takes a stage's inputs and the build cache
(`store`), and gives what the stage would, computing only what the cache does not hold for
inputs that are the same. The stages themselves (load, markdown, link, theme) know nothing
of them."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from sitegen import frontmatter, load
from sitegen.config import Config
from sitegen.errors import BuildError, SitegenError, SourceError
from sitegen.fsutil import Stat
from sitegen.hashing import digest
from sitegen.incremental.store import RACY_NS, BuildCache
from sitegen.incremental.warm import WarmEnvironment, WarmState
from sitegen.model import Article, Body, Links, Site

if TYPE_CHECKING:
    import jinja2

    from sitegen import images
    from sitegen.incremental.pages import PagePlan
    from sitegen.markdown import MarkdownRenderer
    from sitegen.render import SiteGroups, TemplateMemo
    from sitegen.theme import Theme


def cached_load(config: Config, drafts: bool, store: BuildCache, inputs: Mapping[str, Stat]) -> Site:
    """The load stage (load.load_site) through the cache: a content file whose stat is what
    it was when the last build read it, and was not racy then, is not read again (its
    article comes from the cache); the others are read by the stage (`load.read_file`), a
    front matter whose text was parsed before not parsed again. Every article comes without
    its body, which the Markdown stage reads where it converts it (`load.checked_body`):
    only its digest and line. Records in the cache what this build read."""
    data = store.data
    content = str(config.content_dir) + "/"
    racy = store.state.racy
    # The content files the cache's scan found: the stage need not walk the folder again.
    names = load.content_files(config, [key[len("content:"):] for key in inputs if key.startswith("content:")])
    kept: dict[str, Article] = {}
    for name in names:
        entry = data.files.get(name)
        if (entry is not None and inputs.get(key := "content:" + name[len(content):]) == entry[0]
                and key not in racy and (cached := data.articles.get(entry[1])) is not None):
            # The cached article usually is this file's already (same body line and digest).
            if cached.body_line != entry[3] or cached.body_digest != entry[2]:
                cached = dataclasses.replace(cached, body_line=entry[3], body_digest=entry[2])
            kept[name] = cached
    todo = [n for n in names if n not in kept]
    # Each body let go of as soon as its digest is taken: a cold build would otherwise hold
    # every article's text at the end of this stage.
    if data.articles:
        read = [_without_body(_read(name, config, data.articles)) for name in todo]
    else:  # a cold build: no front matter to look up
        root = str(config.root) + "/"
        read = [_without_body(load.read_file(name, name[len(root):] if name.startswith(root) else name,
                                             config.slug_style)) for name in todo]
    files = {name: data.files[name] for name in kept}
    # Front matter digest → its article, body left out, for every file of this build. An
    # entry the cache holds already stays the very object (so saving finds it unchanged).
    articles = {files[name][1]: data.articles[files[name][1]] for name in kept}
    for loaded in read:
        stat = inputs.get("content:" + loaded.name[len(content):])
        if loaded.article is None or stat is None:
            continue
        a = loaded.article
        files[loaded.name] = (stat, loaded.front_digest, a.body_digest, a.body_line)
        if loaded.front_digest not in articles:
            articles[loaded.front_digest] = data.articles.get(loaded.front_digest) or a
    data.files, data.articles = files, articles
    fresh = iter(read)
    return load.assemble_site(config, (kept.get(name) or next(fresh) for name in names), drafts=drafts)


def _without_body(loaded: load.LoadedFile) -> load.LoadedFile:
    """`loaded` with its article's body left out (`Article.body` empty; its digest and line kept)."""
    if loaded.article is None or not loaded.article.body:
        return loaded
    return dataclasses.replace(loaded, article=dataclasses.replace(loaded.article, body=""))


def _read(name: str, config: Config, articles: Mapping[str, Article]) -> load.LoadedFile:
    """load.read_file of `name`, the Article taken from `articles` (front matter digest →
    article without its body) when its front matter is there: only the body is new."""
    root = str(config.root) + "/"
    rel = name[len(root):] if name.startswith(root) else name
    text = load.read_text(name, rel)
    if isinstance(text, load.LoadedFile):
        return text
    try:
        block, body, body_line = frontmatter.split(text, rel)
    except SourceError as e:
        return load.LoadedFile(name, None, e)
    key = load.front_digest(rel, config.slug_style, block)
    cached = articles.get(key)
    if cached is None:
        return load.parse_text(name, rel, text, config.slug_style)
    return load.LoadedFile(name, dataclasses.replace(cached, body=body, body_line=body_line,
                                                     body_digest=digest(body)), None, key)


def front_digests(site: Site, store: BuildCache) -> list[str] | None:
    """The digest of each article's path and front matter, in site order, as the loader
    recorded it (see `cached_load`); None when one is not known (a content folder outside
    the project). What the link stage's and the listing pages' keys are made of."""
    files = store.data.files
    root = str(site.config.root) + "/"
    fronts = [f[1] if (f := files.get(root + a.path)) else "" for a in site.articles]
    return fronts if all(fronts) else None


def cached_bodies(site: Site, url_for: Callable[[str], str], cache: BuildCache,
                  here: Callable[[], "MarkdownRenderer"],
                  pictures: images.Pictures | None = None) -> dict[str, Body]:
    """Slug → body, like markdown.render_bodies, through the build cache: a body whose text was
    converted before, and whose every link lookup still gets the same answer, is taken from
    the cache; the others are converted and stored. Bodies come back without their HTML
    (`Body.html` empty, `Body.key` set): `store.body_html` reads it when a page needs it.
    `here()` gives the converter for bodies converted in this process (not in workers);
    images of `pictures` get their WebP sizes (sitegen.images). A body the articles do not
    carry (`without_bodies`) is read from its file where it is converted, and must be the
    text load read: else BuildError, with a SourceError for each such file, once the others
    are converted and stored."""
    from sitegen import images
    from sitegen.markdown import convert_all, link_targets

    if pictures is None:
        pictures = images.NO_PICTURES
    targets = link_targets(site)
    # Images hook: a body is converted again when an image it shows changed size, came or went.
    answers = {**targets, **pictures.lookup()} if pictures.found or pictures.broken else targets
    known = cache.data.bodies
    out: dict[str, Body] = {}
    todo: list[tuple[Article, str]] = []
    for a in site.articles:
        key = a.body_digest or digest(a.body)
        cache.used.add(key)
        hit = known.get(key)
        if hit is not None and (not hit[0] or all(answers.get(n) == s for n, s in hit[0].items())):
            out[a.slug] = hit[1]
            cache.locations[hit[1].key] = (hit[2], hit[3])
        else:
            todo.append((a, key))
    if todo:
        # Each text read where it is converted (a worker of the pool, when there is one):
        # this process holds none of them (see `without_bodies`).
        errors: list[SitegenError] = []
        for (a, key), done in zip(todo, convert_all([a for a, _ in todo], _body_text(site.config),
                                                    targets, url_for, site.config.base_path, here,
                                                    pictures.found)):
            if isinstance(done, SourceError):
                errors.append(done)
                continue
            body, lookups = done
            offset, length = cache.store_html(body.html)
            # The HTML's key: the text, and the answer to every link lookup it made.
            stub = Body(html="", toc=body.toc, links=body.links, unresolved=body.unresolved,
                        unresolved_lines=body.unresolved_lines, image_notes=body.image_notes,
                        key=digest(key, repr(sorted(lookups.items()))))
            known[key] = (lookups, stub, offset, length)
            cache.locations[stub.key] = (offset, length)
            out[a.slug] = stub
        if errors:
            raise BuildError(errors)
    return out


def _body_text(config: Config) -> Callable[[Article], str]:
    """An article's Markdown body, read from its file if it is not in memory (`load.checked_body`)."""
    return lambda article: load.checked_body(article, config)


def without_bodies(site: Site, store: BuildCache) -> Site:
    """`site` with every article's Markdown body left out (`Article.body` empty, so
    `load.checked_body` or `load.article_body` reads it from its file if asked): the
    Markdown stage (`cached_bodies`) reads the texts it converts where it converts them,
    and the pages need their HTML, which the cache keeps apart, not their text.
    Each article is the cache's own copy of it without its body when that is the same
    (front matter digest, body line and digest): memory holds one of each."""
    files, cached = store.data.files, store.data.articles
    root = str(site.config.root) + "/"
    articles = []
    for a in site.articles:
        if a.body:
            entry = files.get(root + a.path)
            kept = cached.get(entry[1]) if entry is not None else None
            if kept is None or (kept.body_line, kept.body_digest) != (a.body_line, a.body_digest):
                kept = dataclasses.replace(a, body="")
            a = kept
        articles.append(a)
    return Site(site.config, tuple(articles), {a.slug: a for a in articles})


def environment(theme: "Theme", config: Config, inputs: Mapping[str, Stat],
                warm: WarmState) -> tuple["jinja2.Environment", "TemplateMemo"]:
    """The Jinja2 environment for this build, with the template keys computed with it: the
    previous build's in this process (`warm`: the dev server's) when the config, the template
    folders and every template's stat are the same, so its compiled templates are reused;
    else a new one. (A stylesheet edit keeps it.)"""
    from sitegen.render import TemplateMemo
    from sitegen.theme import bytecode_cache, make_environment

    folders = ("templates:", *(f"themes:{t.name}/templates/" for t in theme.chain))
    files = sorted((k, v) for k, v in inputs.items() if k.startswith(folders))
    key = digest(repr(config), repr(theme.template_dirs), repr(files))
    # A file modified within the clock's tick could change again with the same stat.
    racy = time.time_ns() - RACY_NS
    kept = warm.environment
    if kept is not None and kept.key == key and all(st[0] < racy for _k, st in files):
        return kept.env, kept.templates
    env = make_environment(theme, config)
    # Jinja2's own cache of compiled templates: a `sitegen build` process loads the
    # templates it renders instead of compiling them.
    env.bytecode_cache = bytecode_cache(env, config.cache_dir / "templates")
    warm.environment = WarmEnvironment(key, env, TemplateMemo())
    return env, warm.environment.templates


def cached_groups(site: Site, plan: "PagePlan") -> "SiteGroups":
    """The groups stage (render.site_groups), reused when the articles' front matter and
    what every page reads are the last build's (`plan.same`, see PagePlan.begin)."""
    from sitegen.render import SiteGroups, site_groups

    same = plan.same
    return SiteGroups(*same.groups) if same is not None else site_groups(site)


def cached_links(site: Site, bodies: Mapping[str, Body], store: BuildCache, fronts: list[str] | None) -> Links:
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
    from sitegen.links import link_site

    key = digest(inputs)
    if store.data.links is not None and store.data.links[0] == key:
        return store.data.links[1]
    links = link_site(site, bodies)  # type: ignore[arg-type]
    store.data.links = (key, links)
    return links
