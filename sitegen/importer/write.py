"""Drafts → content/*.md: slugs, cross-references, front matter, and writes that never clobber
an editor's change.

What the importer last wrote is recorded in `content/.import-manifest.json` (file name →
sha256 of its bytes). A content file whose bytes are neither what would be written now nor
what was last written has been edited by a person: it is skipped (with a warning) unless
`--force`.

A seed whose headline changed gives its article a new slug: the new file lists the old slug
(and any the article had) in `aliases`, so its old URL redirects, and the old file is removed
when the importer wrote it and nobody changed it since; an edited one is kept and named.

Besides text seeds, a run reads saved web pages (`*.html`, `*.htm`: `htmlpage`) and news
feeds (`*.xml`, `*.rss`, `*.atom` files and http(s) URLs: `feed`). A saved page is one seed
whose text goes through the same labelling, its metadata then correcting the draft; each
feed entry is a unit of its own, known by its id (front matter `feed: {url, id, sha256}`),
so a feed imported again adds its new entries and finds the others' files.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


from sitegen.config import Config
from sitegen.errors import SitegenError, SourceError
from sitegen.frontmatter import dump, parse
from sitegen.fsutil import atomic_write
from sitegen.load import article_slug
from sitegen.importer import feed as feeds, htmlpage
from sitegen.importer.articles import Draft, parse_seed, split_teaser
from sitegen.importer.labels import explain, label_page, with_headings
from sitegen.importer.seedfile import read_seed_text
from sitegen.match import TitleIndex, title_key

log = logging.getLogger(__name__)

MANIFEST = ".import-manifest.json"


@dataclass(frozen=True)
class ImportReport:
    """What one `sitegen import` did."""

    seeds: int = 0
    """Seed files read (with or without errors)."""
    articles: int = 0
    """Articles found in the seeds that imported."""
    errors: list[str] = field(default_factory=list)
    """One line per problem that stopped a seed from importing (exit code 1)."""
    warnings: list[str] = field(default_factory=list)
    """One line per problem that did not (exit code 1 only with --strict)."""
    written: list[Path] = field(default_factory=list)
    """Content files written (or that would be, with --dry-run)."""
    unchanged: list[Path] = field(default_factory=list)
    """Content files that already held exactly what the import gives (not touched)."""
    skipped: list[Path] = field(default_factory=list)
    """Content files an editor changed, left alone (no --force)."""
    removed: list[Path] = field(default_factory=list)
    """Older files of renamed articles, as the importer wrote them, removed (or that would be,
    with --dry-run): the new file redirects their URL."""


@dataclass(frozen=True)
class _Existing:
    """A content file already in content/, as far as the importer cares."""

    path: Path
    title: str
    slug: str
    seed: tuple[str, int] | None
    """(seed file, part) it was imported from, if any."""
    aliases: tuple[str, ...] = ()
    """Its front matter's `aliases` (old slugs, as the importer writes them, or paths)."""


@dataclass(frozen=True)
class _Planned:
    draft: Draft
    seed_file: str
    """What the article is imported from: a seed file, or `feed entry <id>`."""
    sha256: str
    slug: str
    extra: dict[str, Any] = field(default_factory=dict)
    """Front matter beyond the draft's: source_url, and `feed` for a feed entry."""
    aliases: tuple[str, ...] = ()
    """Old slugs the article had (its headline changed), which redirect to it."""


@dataclass(frozen=True)
class _Unit:
    """What one seed file or one feed entry gives: its articles, read but not yet planned."""

    name: str
    """The seed file (as shown), or `feed entry <id>`: what its articles record as origin."""
    shown: str
    """How messages name it: the seed file, or `<feed>: entry <n>`."""
    drafts: list[Draft]
    sha256: str
    extra: dict[str, Any]


SEED_SUFFIXES = (".txt", *htmlpage.SUFFIXES)
"""What `sitegen import` reads from seeds/ when given no file."""


def import_seeds(config: Config, seeds: list[Path | str] | None, *, force: bool, dry_run: bool) -> ImportReport:
    """Import `seeds` (default: every seeds/*.txt, *.html, *.htm) into content/*.md; a
    folder among them stands for those files in it, a feed file or a feed URL (str) gives
    one article per entry. Logs one line per problem and a summary line; never raises for
    bad seeds (they are reported and skipped)."""
    root = config.root
    errors: list[str] = []
    found: list[Path | str] = []
    if seeds is None:
        try:
            found.extend(_seed_files(config.seeds_dir))
        except FileNotFoundError:
            pass
        except OSError as e:
            line = f"{_display(config.seeds_dir, root)}: import: cannot list the seeds folder: {e.strerror or e}"
            log.error("%s", line)
            return ImportReport(errors=[line])
    # A listed name that is a folder ("x.txt/") is refused when read, not imported from.
    paths = _in_order(found + _expand_folders(seeds or [], root, errors), root)
    warnings: list[str] = []
    existing = _existing_content(config.content_dir)
    planned: list[_Planned] = []
    # Titles already taken: folded key → where it comes from (seed file of this run, or file).
    owners: dict[str, str] = {}
    # Titles of the files each seed made before: its own, re-imported, are no clash.
    from_seed: dict[str, set[str]] = {}
    for e in existing:
        owners.setdefault(title_key(e.title), e.seed[0] if e.seed else _display(e.path, root))
        if e.seed:
            from_seed.setdefault(e.seed[0], set()).add(title_key(e.title))
    claimed: dict[str, str] = {}
    for path in paths:
        shown = _display(path, root) if isinstance(path, Path) else path
        try:
            units = _read(path, shown, config, errors, warnings)
        except SitegenError as e:
            errors.append(str(e))
            continue
        for unit in units:
            clash = _title_clash(unit.drafts, unit.name, owners, claimed, from_seed.get(unit.name, set()),
                                 unit.shown)
            if clash:
                errors.append(clash)
                continue
            for d in unit.drafts:
                claimed[title_key(d.title)] = unit.name
                planned.append(_Planned(d, unit.name, unit.sha256, "", unit.extra))
    planned = _assign_slugs(planned, existing, config.slug_style)
    manifest_path = config.content_dir / MANIFEST
    manifest = _read_manifest(manifest_path)
    new_manifest = dict(manifest)
    planned, moved = _renamed(planned, existing, manifest, force)

    index: TitleIndex[str] = TitleIndex()
    for p in planned:
        index.add(p.draft.title, p.slug)
    # A renamed article's old headline names it still (its old slug is only an alias now).
    renamed_to = {m.old.path: m.slug for m in moved if m.redirect}
    for e in existing:
        index.add(e.title, renamed_to.get(e.path, e.slug))
    written: list[Path] = []
    unchanged: list[Path] = []
    skipped: list[Path] = []
    for p in planned:
        meta = _front_matter(p, index, warnings)
        data = dump(meta, p.draft.body).encode("utf-8")
        target = config.content_dir / f"{p.slug}.md"
        shown = _display(target, root)
        current = target.read_bytes() if target.exists() else None
        if current == data:
            unchanged.append(target)
            new_manifest[target.name] = _sha(data)
            continue
        if current is not None and manifest.get(target.name) != _sha(current) and not force:
            skipped.append(target)
            warnings.append(f"{shown}: import: changed since it was imported; kept as it is "
                            "(use --force to overwrite)")
            continue
        # Deleting an imported article is an editor's change too: bringing it back on the
        # next import would undo it silently.
        if current is None and target.name in manifest and not force:
            skipped.append(target)
            warnings.append(f"{shown}: import: deleted since it was imported; not re-created "
                            "(use --force to re-create it)")
            continue
        if dry_run:
            log.info("would write %s", shown)
        else:
            try:
                atomic_write(target, data)
            except OSError as e:
                errors.append(f"{shown}: import: cannot write: {e.strerror or e}")
                continue
            log.debug("wrote %s", shown)
        written.append(target)
        new_manifest[target.name] = _sha(data)
    removed: list[Path] = []
    for m in moved:
        shown, new = _display(m.old.path, root), f"content/{m.slug}.md"
        where = f"{shown}: import: {m.seed[0]} (part {m.seed[1]}) now gives {new}"
        if not m.redirect:
            warnings.append(f"{where}; this older file was changed since it was imported, so it is kept "
                            f"and its URL not redirected (move your changes to {new}, delete this "
                            f"file and add {m.old.slug!r} to its aliases)")
        elif config.content_dir / f"{m.slug}.md" not in written + unchanged:
            # The new file was not written (an editor's, kept): the old one still holds the article.
            warnings.append(f"{where}, which was not written; this older file is kept")
        elif dry_run:
            log.info("would remove %s: the article is now %s, which redirects its old URL", shown, new)
            removed.append(m.old.path)
        else:
            try:
                m.old.path.unlink()
            except FileNotFoundError:
                pass
            except OSError as e:
                errors.append(f"{shown}: import: cannot remove the renamed article's older file: "
                              f"{e.strerror or e}")
                continue
            log.info("removed %s: the article is now %s, which redirects its old URL", shown, new)
            removed.append(m.old.path)
            new_manifest.pop(m.old.path.name, None)
    if not dry_run and planned:
        try:
            atomic_write(manifest_path, _manifest_bytes(new_manifest))
        except OSError as e:
            errors.append(f"{_display(manifest_path, root)}: import: cannot write: {e.strerror or e}")

    for line in errors:
        log.error("%s", line)
    for line in warnings:
        log.warning("%s", line)
    verb = "would import" if dry_run else "imported"
    log.info("%s %d seed%s: %d article%s, %d %swritten, %d unchanged, %d skipped (edited)%s",
             verb, len(paths), "" if len(paths) == 1 else "s", len(planned),
             "" if len(planned) == 1 else "s", len(written), "to be " if dry_run else "",
             len(unchanged), len(skipped),
             f", {len(removed)} renamed ({'to be ' if dry_run else ''}redirected)" if removed else "")
    return ImportReport(seeds=len(paths), articles=len(planned), errors=errors, warnings=warnings,
                        written=written, unchanged=unchanged, skipped=skipped, removed=removed)


def _read(path: Path | str, shown: str, config: Config, errors: list[str],
          warnings: list[str]) -> list[_Unit]:
    """The units one input gives: a text seed or saved page is one, a feed one per entry.
    Raises SourceError when the input as a whole cannot be imported; a bad feed entry is one
    line in `errors` and the others are still given."""
    if isinstance(path, str) or path.suffix.lower() in feeds.SUFFIXES:  # a URL or a feed file
        feed, shown = _read_feed(path, config)
        errors.extend(feed.errors)
        warnings.extend(feed.warnings)
        return [_Unit(feed_origin(e.id), f"{shown}: entry {e.number}", [feeds.entry_draft(e)], e.digest,
                      feeds.entry_front_matter(e, shown)) for e in feed.entries]
    if path.suffix.lower() in htmlpage.SUFFIXES:
        page, data = htmlpage.read_saved_page(path, shown, _max_bytes(config))
        drafts, parse_warnings, overrides = _page_drafts(page, shown, config)
        warnings.extend(parse_warnings)
        for o in overrides:
            log.debug("%s: import: %s", shown, htmlpage.describe(o))
        return [_Unit(shown, shown, drafts, _sha(data), htmlpage.page_front_matter(page.meta))]
    text, data, seed_warnings = read_seed_text(path, shown, _max_bytes(config))
    drafts, parse_warnings = parse_seed(text, shown, config.import_rules)
    warnings.extend(seed_warnings + parse_warnings)
    return [_Unit(shown, shown, drafts, _sha(data), {})]


def _page_drafts(page: htmlpage.SavedPage, shown: str,
                 config: Config) -> tuple[list[Draft], list[str], list[htmlpage.Override]]:
    """A saved page's articles (as parse_seed gives them, with its warnings), the page's
    metadata applied to its own article, the first (not to embedded ones), and what the
    metadata decided over the labelling."""
    drafts, warnings = parse_seed(page.text, shown, config.import_rules, htmlpage.headings(page))
    drafts[0], overrides = htmlpage.apply_metadata(drafts[0], page.meta)
    return drafts, warnings, overrides


def _max_bytes(config: Config) -> int:
    """The size limit of one seed, saved page or feed, in bytes (config.max_seed_mb MiB)."""
    return config.max_seed_mb * 1024 * 1024


def _read_feed(location: Path | str, config: Config) -> tuple[feeds.Feed, str]:
    """The feed at `location` (a file or a URL, within config's limits) and how messages name it."""
    limits = feeds.FetchLimits(timeout=config.feed_timeout, max_bytes=_max_bytes(config))
    data, shown = feeds.read_feed_bytes(str(location), config.root, limits)
    return feeds.parse_feed(data, shown), shown


def explain_seeds(config: Config, seeds: list[Path | str]) -> tuple[str, list[str]]:
    """`sitegen import --explain`: every line of each seed with its label and the reason, what
    a saved page's metadata decided over the labelling, and what would be written; a feed's
    entries (not labelled: a feed says what each field is). Nothing is written. Returns
    (report text, error lines)."""
    out: list[str] = []
    errors: list[str] = []
    for path in _in_order(_expand_folders(seeds, config.root, errors), config.root):
        shown = _display(path, config.root) if isinstance(path, Path) else path
        try:
            out.extend(_explain_one(path, shown, config, errors))
        except SitegenError as e:
            errors.append(str(e))
    return "\n".join(out), errors


def _explain_one(path: Path | str, shown: str, config: Config, errors: list[str]) -> list[str]:
    """The --explain lines for one seed, saved page or feed (see explain_seeds)."""
    if isinstance(path, str) or path.suffix.lower() in feeds.SUFFIXES:  # a URL or a feed file
        feed, shown = _read_feed(path, config)
        errors.extend(feed.errors)
        out = [f"== {shown} (a feed: each entry is one article, its fields as the feed gives them)"]
        out += [_article_line(f"entry {e.number}", feeds.entry_draft(e)) for e in feed.entries]
        return out
    page = None
    heads: frozenset[int] = frozenset()
    if path.suffix.lower() in htmlpage.SUFFIXES:
        page, _data = htmlpage.read_saved_page(path, shown, _max_bytes(config))
        text, heads = page.text, htmlpage.headings(page)
        out = [f"== {shown} (the article's text as trafilatura found it, one block a line)"]
    else:
        text, _data, _warnings = read_seed_text(path, shown, _max_bytes(config))
        out = [f"== {shown}"]
    labels = with_headings(label_page(text, config.import_rules), heads)
    out.append(explain(labels))
    if labels.refused:
        return out
    if page is None:
        drafts, _ = parse_seed(text, shown, config.import_rules)
    else:
        drafts, _, overrides = _page_drafts(page, shown, config)
        out += [f"metadata: {htmlpage.describe(o)}" for o in overrides]
    out += [_article_line(f"article {d.part}", d) for d in drafts]
    return out


def _article_line(what: str, d: Draft) -> str:
    facts = ", ".join(f"{k}: {v}" for k, v in (("source", d.source), ("author", d.author), ("date", d.date)) if v)
    return f"-> {what}: {d.title!r}" + (f" ({facts})" if facts else "")


def _expand_folders(seeds: list[Path | str], root: Path, errors: list[str]) -> list[Path | str]:
    """`seeds` as given, each folder among them replaced by its seeds (_seed_files); a folder
    that cannot be listed is one line in `errors`."""
    found: list[Path | str] = []
    for p in seeds:
        if isinstance(p, Path) and p.is_dir():
            try:
                found.extend(_seed_files(p))
            except OSError as e:
                errors.append(f"{_display(p, root)}: import: cannot list the folder: {e.strerror or e}")
        else:
            found.append(p)
    return found


def _in_order(seeds: list[Path | str], root: Path) -> list[Path | str]:
    """`seeds` sorted as they are shown, so runs and messages come in the same order."""
    return sorted(seeds, key=lambda p: _display(p, root) if isinstance(p, Path) else p)


def _seed_files(folder: Path) -> list[Path]:
    """The seeds in `folder` (not its subfolders): text seeds and saved pages, by name.
    Listed, not globbed: glob swallows an unreadable folder and finds nothing (OSError
    raised). A listed name that is no regular file is refused when it is read, one line."""
    return [folder / name for name in os.listdir(folder) if Path(name).suffix.lower() in SEED_SUFFIXES]


_FEED_ORIGIN = "feed entry "


def feed_origin(entry_id: str) -> str:
    """What an article imported from a feed entry records as its origin (keyed by id, so
    the same entry from another copy of the feed is the same article)."""
    return _FEED_ORIGIN + entry_id


def _display(path: Path, root: Path) -> str:
    """`path` as the user should see it: relative to the project root when inside it."""
    try:
        # The folder resolved, not the file: a seed that is a symlink is named as it is listed.
        return (path.parent.resolve() / path.name).relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _existing_content(content_dir: Path) -> list[_Existing]:
    """Titles, slugs and provenance of the content files already there (unreadable ones are
    left to `sitegen build` to report)."""
    out = []
    for path in sorted(content_dir.glob("*.md")):
        try:
            meta = parse(path.read_text(encoding="utf-8"), path).meta
        except (SitegenError, OSError, UnicodeDecodeError) as e:
            log.debug("%s: not indexed for import: %s", path, e)
            continue
        seed = meta.get("seed")
        entry = meta.get(feeds.ENTRY_KEY)
        origin = None
        if isinstance(seed, dict) and isinstance(seed.get("file"), str):
            origin = (seed["file"], int(seed.get("part") or 1))
        elif isinstance(entry, dict) and entry.get("id"):
            origin = (feed_origin(str(entry["id"])), 1)
        title = meta.get("title")
        aliases = meta.get("aliases")
        out.append(_Existing(path, str(title) if title else path.stem, str(meta.get("slug") or path.stem), origin,
                             tuple(map(str, aliases)) if isinstance(aliases, list) else ()))
    return out


def _title_clash(drafts: list[Draft], shown: str, owners: dict[str, str], claimed: dict[str, str],
                 ours: set[str], shown_as: str | None = None) -> str | None:
    """An error line when one of `drafts` has a title another seed (or content file) already
    gives: two seeds giving one article is bad input, not two articles. `ours`: the titles
    this seed's earlier import gave; `shown_as`: how the line names the seed, if not `shown`."""
    seen: set[str] = set()
    for d in drafts:
        key = title_key(d.title)
        other = claimed.get(key) or (owners.get(key) if key not in ours else None)
        if other and other != shown:
            return str(SourceError(shown_as or shown, f"title {d.title!r} is already imported from {other} "
                                   "(two seeds giving the same article?); not imported",
                                   line=d.line or None, stage="import"))
        if key in seen:
            return str(SourceError(shown_as or shown, f"two articles in this seed have the title {d.title!r}",
                                   line=d.line or None, stage="import"))
        seen.add(key)
    return None


def _assign_slugs(planned: list[_Planned], existing: list[_Existing], style: str) -> list[_Planned]:
    """Give each planned article a slug: its title's, or with -2, -3 … when another article
    (in content/ from elsewhere, or earlier in this run) has it. Seed order makes it stable."""
    mine = {(p.seed_file, p.draft.part) for p in planned}
    # A file's name counts as well as its slug: an editor may have renamed one but not the other.
    taken = {name for e in existing if e.seed not in mine for name in (e.slug, e.path.stem)}
    # A feed entry keeps the file it was first imported to, even when its headline changed.
    entry_slugs = {e.seed: e.slug for e in existing if e.seed and e.seed[0].startswith(_FEED_ORIGIN)}
    out = []
    for p in planned:
        slug = entry_slugs.get((p.seed_file, p.draft.part))
        if slug is None:
            base = article_slug(p.draft.title, style)
            slug, n = base, 1
            while slug in taken:
                n += 1
                slug = f"{base}-{n}"
        taken.add(slug)
        out.append(dataclasses.replace(p, slug=slug))
    return out


@dataclass(frozen=True)
class _Moved:
    """A content file imported from a seed part that now gives another slug (its headline
    changed)."""

    old: _Existing
    seed: tuple[str, int]
    """The (seed file, part) both come from."""
    slug: str
    """The article's new slug."""
    redirect: bool
    """The older file is as the importer wrote it (or --force): the new file takes over its
    URL as an alias and it goes. Otherwise an editor changed it: it stays, a page of its own."""


def _renamed(planned: list[_Planned], existing: list[_Existing], manifest: dict[str, str],
             force: bool) -> tuple[list[_Planned], list[_Moved]]:
    """`planned` with the aliases each article keeps or gains, and the older files of the
    articles whose slug changed. An article keeps the aliases of its file from the last
    import (the importer wrote them: a re-import must not drop them) and gains the slug and
    aliases of an older file it replaces, never its own slug."""
    now = {(p.seed_file, p.draft.part): p.slug for p in planned}
    moved: list[_Moved] = []
    aliases: dict[str, list[str]] = {}
    for e in existing:
        slug = now.get(e.seed) if e.seed else None
        if slug is None or e.seed is None:
            continue
        if slug == e.slug or e.path.stem == slug:
            aliases.setdefault(slug, []).extend(e.aliases)
            continue
        as_written = _sha_of_file(e.path) == manifest.get(e.path.name)
        redirect = force or as_written
        moved.append(_Moved(e, e.seed, slug, redirect))
        if redirect:
            aliases.setdefault(slug, []).extend([*e.aliases, e.slug])
    out = [dataclasses.replace(p, aliases=tuple(a for a in dict.fromkeys(aliases.get(p.slug, ())) if a != p.slug))
           for p in planned]
    return out, moved


def _sha_of_file(path: Path) -> str | None:
    try:
        return _sha(path.read_bytes())
    except OSError:
        return None


def _front_matter(p: _Planned, index: TitleIndex[str], warnings: list[str]) -> dict[str, Any]:
    """The front matter of one article, keys in the documented order."""
    d = p.draft
    read_also: list[str] = []
    related: list[dict[str, Any]] = []
    seen = {title_key(d.title)}
    for title in d.read_also:
        slug = index.lookup(title)
        if slug is not None and slug != p.slug:
            seen.add(title_key(title))  # named once: not again as a related title
            if slug not in read_also:
                read_also.append(slug)
        elif slug is None:
            warnings.append(f"{p.seed_file}: import: read-also title {title!r} matches no article; "
                            "kept as a related title")
            _add_related(related, seen, title, None)
    teasers = [t for line in d.teasers for t in split_teaser(line, index)]
    for title in [*teasers, *d.related]:
        slug = index.lookup(title)
        if slug == p.slug or title_key(title) == title_key(d.title):
            continue  # never the article itself
        _add_related(related, seen, title, slug)
    meta: dict[str, Any] = {"title": d.title}
    if d.title_inferred:
        meta["title_inferred"] = True
    meta["slug"] = p.slug
    if p.aliases:
        meta["aliases"] = list(p.aliases)
    if d.date:
        meta["date"] = d.date
    if d.source:
        meta["source"] = d.source
    if d.author:
        meta["author"] = d.author
    meta.update((k, v) for k, v in p.extra.items() if k != feeds.ENTRY_KEY)
    meta["tags"] = list(d.tags)
    meta["read_also"] = read_also
    meta["related"] = related
    meta["summary"] = d.summary
    if feeds.ENTRY_KEY in p.extra:
        meta[feeds.ENTRY_KEY] = p.extra[feeds.ENTRY_KEY]
    else:
        meta["seed"] = {"file": p.seed_file, "sha256": p.sha256, "part": d.part}
    return meta


def _add_related(related: list[dict[str, Any]], seen: set[str], title: str, slug: str | None) -> None:
    key = title_key(title)
    if key and key not in seen:
        seen.add(key)
        related.append({"title": title, "slug": slug})


def _read_manifest(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as e:
        log.warning("%s: unreadable import manifest (%s); every changed file counts as edited", path, e)
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}


def _manifest_bytes(files: dict[str, str]) -> bytes:
    doc = {"comment": "written by `sitegen import`: sha256 of each content file as last imported",
           "files": dict(sorted(files.items()))}
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")

