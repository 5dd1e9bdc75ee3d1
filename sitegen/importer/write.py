"""Drafts → content/*.md: slugs, cross-references, front matter, and writes that never clobber
an editor's change.

What the importer last wrote is recorded in `content/.import-manifest.json` (file name →
sha256 of its bytes). A content file whose bytes are neither what would be written now nor
what was last written has been edited by a person: it is skipped (with a warning) unless
`--force`.
"""

from __future__ import annotations

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
from sitegen.importer.articles import Draft, parse_seed, split_teaser
from sitegen.importer.labels import explain, label_page
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


@dataclass(frozen=True)
class _Existing:
    """A content file already in content/, as far as the importer cares."""

    path: Path
    title: str
    slug: str
    seed: tuple[str, int] | None
    """(seed file, part) it was imported from, if any."""


@dataclass(frozen=True)
class _Planned:
    draft: Draft
    seed_file: str
    sha256: str
    slug: str


def import_seeds(config: Config, seeds: list[Path] | None, *, force: bool, dry_run: bool) -> ImportReport:
    """Import `seeds` (default: every seeds/*.txt) into content/*.md. Logs one line per
    problem and a summary line; never raises for bad seeds (they are reported and skipped)."""
    root = config.root
    errors: list[str] = []
    if seeds is None:
        try:
            # Listed, not globbed: glob swallows an unreadable folder and finds nothing.
            found = [config.seeds_dir / name for name in os.listdir(config.seeds_dir) if name.endswith(".txt")]
        except FileNotFoundError:
            found = []
        except OSError as e:
            line = f"{_display(config.seeds_dir, root)}: import: cannot list the seeds folder: {e.strerror or e}"
            log.error("%s", line)
            return ImportReport(errors=[line])
        seeds = found
    paths = sorted(seeds, key=lambda p: _display(p, root))
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
        shown = _display(path, root)
        try:
            text, data, seed_warnings = read_seed_text(path, shown, config.max_seed_mb * 1024 * 1024)
            drafts, parse_warnings = parse_seed(text, shown, config.import_rules)
        except SitegenError as e:
            errors.append(str(e))
            continue
        warnings.extend(seed_warnings + parse_warnings)
        clash = _title_clash(drafts, shown, owners, claimed, from_seed.get(shown, set()))
        if clash:
            errors.append(clash)
            continue
        digest = _sha(data)
        for d in drafts:
            claimed[title_key(d.title)] = shown
            planned.append(_Planned(d, shown, digest, ""))
    planned = _assign_slugs(planned, existing, config.slug_style)
    warnings.extend(_moved(planned, existing, root))

    index: TitleIndex[str] = TitleIndex()
    for p in planned:
        index.add(p.draft.title, p.slug)
    for e in existing:
        index.add(e.title, e.slug)

    manifest_path = config.content_dir / MANIFEST
    manifest = _read_manifest(manifest_path)
    new_manifest = dict(manifest)
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
    log.info("%s %d seed%s: %d article%s, %d %swritten, %d unchanged, %d skipped (edited)",
             verb, len(paths), "" if len(paths) == 1 else "s", len(planned),
             "" if len(planned) == 1 else "s", len(written), "to be " if dry_run else "",
             len(unchanged), len(skipped))
    return ImportReport(seeds=len(paths), articles=len(planned), errors=errors, warnings=warnings,
                        written=written, unchanged=unchanged, skipped=skipped)


def explain_seeds(config: Config, seeds: list[Path]) -> tuple[str, list[str]]:
    """`sitegen import --explain`: every line of each seed with its label and the reason, and
    what would be written; nothing is written. Returns (report text, error lines)."""
    out: list[str] = []
    errors: list[str] = []
    for path in seeds:
        shown = _display(path, config.root)
        try:
            text, _data, _warnings = read_seed_text(path, shown, config.max_seed_mb * 1024 * 1024)
        except SitegenError as e:
            errors.append(str(e))
            continue
        page = label_page(text, config.import_rules)
        out.append(f"== {shown}")
        out.append(explain(page))
        if not page.refused:
            try:
                drafts, _ = parse_seed(text, shown, config.import_rules)
            except SitegenError as e:
                errors.append(str(e))
                continue
            for d in drafts:
                facts = ", ".join(f"{k}: {v}" for k, v in (("source", d.source), ("author", d.author),
                                                            ("date", d.date)) if v)
                out.append(f"-> article {d.part}: {d.title!r}" + (f" ({facts})" if facts else ""))
    return "\n".join(out), errors


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
        origin = None
        if isinstance(seed, dict) and isinstance(seed.get("file"), str):
            origin = (seed["file"], int(seed.get("part") or 1))
        title = meta.get("title")
        out.append(_Existing(path, str(title) if title else path.stem, str(meta.get("slug") or path.stem), origin))
    return out


def _title_clash(drafts: list[Draft], shown: str, owners: dict[str, str], claimed: dict[str, str],
                 ours: set[str]) -> str | None:
    """An error line when one of `drafts` has a title another seed (or content file) already
    gives: two seeds giving one article is bad input, not two articles. `ours`: the titles
    this seed's earlier import gave."""
    seen: set[str] = set()
    for d in drafts:
        key = title_key(d.title)
        other = claimed.get(key) or (owners.get(key) if key not in ours else None)
        if other and other != shown:
            return str(SourceError(shown, f"title {d.title!r} is already imported from {other} "
                                   "(two seeds giving the same article?); not imported",
                                   line=d.line, stage="import"))
        if key in seen:
            return str(SourceError(shown, f"two articles in this seed have the title {d.title!r}",
                                   line=d.line, stage="import"))
        seen.add(key)
    return None


def _assign_slugs(planned: list[_Planned], existing: list[_Existing], style: str) -> list[_Planned]:
    """Give each planned article a slug: its title's, or with -2, -3 … when another article
    (in content/ from elsewhere, or earlier in this run) has it. Seed order makes it stable."""
    mine = {(p.seed_file, p.draft.part) for p in planned}
    # A file's name counts as well as its slug: an editor may have renamed one but not the other.
    taken = {name for e in existing if e.seed not in mine for name in (e.slug, e.path.stem)}
    out = []
    for p in planned:
        base = article_slug(p.draft.title, style)
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        out.append(_Planned(p.draft, p.seed_file, p.sha256, slug))
    return out


def _moved(planned: list[_Planned], existing: list[_Existing], root: Path) -> list[str]:
    """Warnings for content files imported from a seed part that now gives another slug (the
    seed's headline changed): the old file is left for a person to remove or redirect."""
    now = {(p.seed_file, p.draft.part): p.slug for p in planned}
    out = []
    for e in existing:
        slug = now.get(e.seed) if e.seed else None
        if slug is not None and slug != e.slug and e.path.stem != slug:
            out.append(f"{_display(e.path, root)}: import: {e.seed[0]} (part {e.seed[1]}) now gives "
                       f"content/{slug}.md; this older file is kept (remove it if it is stale)")
    return out


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
    if d.date:
        meta["date"] = d.date
    if d.source:
        meta["source"] = d.source
    if d.author:
        meta["author"] = d.author
    meta["tags"] = list(d.tags)
    meta["read_also"] = read_also
    meta["related"] = related
    meta["summary"] = d.summary
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

