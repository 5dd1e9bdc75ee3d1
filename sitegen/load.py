"""content/*.md → Site: a function of the files alone (paths in; the Site, each article
carrying its warnings, out). Every file given is read; every error is collected and
reported at once, a bad file never stopping the others. The build cache
(incremental.memo.cached_load) decides which files to give it and keeps the others'
articles; this module knows nothing of it."""

from __future__ import annotations

import datetime
import difflib
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from sitegen import frontmatter
from sitegen.arabic import slug
from sitegen.hashing import digest
from sitegen.config import Config
from sitegen.errors import BuildError, LinkError, SitegenError, SourceError
from sitegen.model import Article, RelatedRef, Site

log = logging.getLogger(__name__)

STAGE = "load"
_KNOWN = {"title", "title_inferred", "slug", "date", "source", "author", "tags", "read_also", "related",
          "summary", "seed", "lang", "dir", "draft", "updated", "expires", "aliases",
          "source_url", "feed", "image", "image_alt", "image_caption"}


def article_slug(title: str, style: str = "unicode") -> str:
    """The slug of an article titled `title` that names none itself: the one slug rule
    (`arabic.slug`), or "article" for a title with no letters or digits. The importer
    names files by it, so a hand-written article gets the URL an imported one would."""
    return slug(title, style) or "article"


def sort_key(article: Article) -> tuple[int, int, str]:
    """Newest first; undated after every dated article; then by slug, so order is stable."""
    if article.date is None:
        return (1, 0, article.slug)
    return (0, -article.date.toordinal(), article.slug)


def content_files(config: Config, files: Iterable[str] | None = None) -> list[str]:
    """The content files of config.content_dir (every `*.md` under it), as absolute path
    strings in the order the site lists them (by path segments). `files`, when given, lists
    the files under the content folder ('/'-separated paths relative to it, in any order):
    the folder is not walked again."""
    content = config.content_dir
    if not content.is_dir():
        log.warning("%s: no content folder; building an empty site", _rel(content, config.root))
    if files is None:
        found = content.rglob("*.md") if content.is_dir() else ()
        return [str(path) for path in sorted(found)]
    # Sorted by path segments, as sorting the Paths that rglob gives does.
    prefix = str(content) + "/"
    return [prefix + rel for rel in sorted((f for f in files if f.endswith(".md")),
                                           key=lambda rel: rel.split("/"))]


@dataclass(frozen=True)
class LoadedFile:
    """One content file, read and parsed: an Article or the SourceError that stopped it."""

    name: str
    """The file as listed (`content_files`)."""
    article: Article | None
    """The article, body and all; None when the file could not be read or parsed."""
    error: SourceError | None
    """Why there is no article (the file and line in it); None when there is one."""
    front_digest: str = ""
    """Digest of the file's path (relative to the project), the slug style and its front
    matter text: files with the same one give the same Article but for the body. Empty when
    the front matter could not be split off."""


def load_site(config: Config, *, drafts: bool = False, files: Iterable[str] | None = None) -> Site:
    """Read every `*.md` under config.content_dir into a Site (`files`: see `content_files`).

    Drafts are left out unless `drafts`. Raises BuildError carrying every SourceError (and a
    LinkError for each pair of articles wanting one URL) so all are reported at once; a bad
    file never stops the others from being read.
    """
    loaded = read_files(content_files(config, files), config.root, config.slug_style)
    return assemble_site(config, loaded, drafts=drafts)


def assemble_site(config: Config, loaded: Iterable[LoadedFile | Article], *, drafts: bool = False) -> Site:
    """The Site of content files already read (`read_files`), in the order listed, or of
    their articles: drafts left out unless `drafts`. Raises BuildError carrying every
    file's SourceError, then a LinkError for each pair of articles wanting one URL."""
    errors: list[SitegenError] = []
    articles: list[Article] = []
    for item in loaded:
        if isinstance(item, LoadedFile):
            if item.article is None:
                assert item.error is not None
                errors.append(item.error)
                continue
            item = item.article
        if item.draft and not drafts:
            log.debug("%s: draft, skipped", item.path)
            continue
        articles.append(item)
    seen: dict[str, Article] = {}
    for article in articles:
        other = seen.setdefault(article.slug, article)
        if other is not article:
            errors.append(LinkError(f"{other.path} and {article.path}: both want the URL "
                                    f"/articles/{article.slug}/ (set a different slug in one)"))
    if errors:
        raise BuildError(errors)
    articles.sort(key=sort_key)
    return Site(config=config, articles=tuple(articles), by_slug={a.slug: a for a in articles})


def read_file(name: str, rel: str, slug_style: str = "unicode") -> LoadedFile:
    """The content file `name` (`rel`: its path relative to the project, for messages) read
    and parsed. Never raises SourceError: the error is in the result."""
    text = read_text(name, rel)
    return text if isinstance(text, LoadedFile) else parse_text(name, rel, text, slug_style)


def read_text(name: str, rel: str) -> str | LoadedFile:
    """The text of the content file `name`, or the LoadedFile of the error that stops
    reading it (`rel`: its path relative to the project, for messages)."""
    try:
        with open(name, encoding="utf-8") as f:
            return f.read()
    except UnicodeDecodeError as e:
        return LoadedFile(name, None, SourceError(rel, "not UTF-8 text", offset=e.start, stage=STAGE))
    except OSError as e:  # unreadable (permissions), a folder named x.md, gone since listed
        return LoadedFile(name, None, SourceError(rel, f"cannot read: {e.strerror or e}", stage=STAGE))


def parse_text(name: str, rel: str, text: str, slug_style: str = "unicode") -> LoadedFile:
    """The content file `name`, whose text is `text`, parsed (`rel`: its path relative to
    the project). Never raises SourceError: the error is in the result."""
    try:
        block, body, body_line = frontmatter.split(text, rel)
    except SourceError as e:
        return LoadedFile(name, None, e)
    front = front_digest(rel, slug_style, block)
    try:
        article = _article(block, body, body_line, text, rel, slug_style, digest(body))
    except SourceError as e:
        return LoadedFile(name, None, e, front)
    return LoadedFile(name, article, None, front)


def front_digest(rel: str, slug_style: str, block: str) -> str:
    """The digest of a content file's path relative to the project, the slug style and its
    front matter text (as `frontmatter.split` gives it): what its Article, but for the
    body, is a function of."""
    return digest(rel, slug_style, block)


def read_files(names: Iterable[str], root: Path, slug_style: str = "unicode") -> list[LoadedFile]:
    """`read_file` of each of `names` (absolute paths under `root`, the project), in order.
    Each file's result depends only on its path, its bytes and `slug_style`."""
    # Read here, not in forked workers: sending an article back from a worker costs about
    # what reading it here does: on two cores a pool saved no wall time, for more CPU and
    # memory. (A build keeps no body: the Markdown stage's workers read each body again
    # where they convert it, see incremental.memo.cached_bodies.)
    prefix = str(root) + "/"
    return [read_file(name, name[len(prefix):] if name.startswith(prefix) else _rel(Path(name), root), slug_style)
            for name in names]


def article_body(article: Article, config: Config) -> str:
    """The article's Markdown body, read from its file when the build cache left it unread."""
    if article.body or not article.body_digest:
        return article.body
    path = Path(article.path)
    text = (path if path.is_absolute() else config.root / path).read_text(encoding="utf-8")
    return frontmatter.split(text, article.path)[1]


def checked_body(article: Article, config: Config) -> str:
    """The article's Markdown body: its own, or when the build cache or `without_bodies` left
    it out, read from its file, which must still hold the body load read (same digest).
    Raises SourceError naming the file when it cannot be read or split, or when its body
    changed since: a text other than the one whose digest keys it is never returned."""
    if article.body or not article.body_digest:
        return article.body
    path = Path(article.path)
    text = read_text(str(path if path.is_absolute() else config.root / path), article.path)
    if isinstance(text, LoadedFile):
        assert text.error is not None
        raise text.error
    body = frontmatter.split(text, article.path)[1]
    if digest(body) != article.body_digest:
        raise SourceError(article.path, "changed while the site was being built: build again",
                          line=article.body_line, stage="markdown")
    return body


def parse_article(text: str, path: str, slug_style: str = "unicode") -> Article:
    """One content file's text → Article. Raises SourceError with the file and line."""
    block, body, body_line = frontmatter.split(text, path)
    return _article(block, body, body_line, text, path, slug_style)


def _article(block: str, body: str, body_line: int, text: str, path: str, slug_style: str,
             body_digest: str = "") -> Article:
    """The Article of a content file already split by `frontmatter.split` (`text` is the
    whole file, read again only to give an error its line)."""

    def lines() -> list[str]:
        return text.replace("\r\n", "\n").split("\n")

    meta = frontmatter.parse_block(block, path)

    def fail(key: str, message: str) -> SourceError:
        return SourceError(path, f"{key}: {message}", line=_key_line(lines(), key), stage=STAGE)

    warnings = tuple(_unknown_key(path, lines(), key) for key in meta if key not in _KNOWN)
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        raise SourceError(path, "title: every article needs a non-empty title",
                          line=_key_line(lines(), "title") if "title" in meta else 1, stage=STAGE)
    title = _clean(title)
    slug = meta.get("slug")
    if slug is None:
        slug = article_slug(title, slug_style)
    elif not isinstance(slug, (str, int)) or not str(slug).strip():
        raise fail("slug", "must be a non-empty string")
    slug = unicodedata.normalize("NFC", str(slug).strip())
    if "/" in slug or slug in {".", ".."} or not slug:
        raise fail("slug", f"{slug!r} cannot be a URL segment")
    # The importer writes the time when the page gave one: "2024-05-18T19:48".
    date, publish_at = _moment(meta.get("date"), fail, "date")
    _, expires = _moment(meta.get("expires"), fail, "expires")
    updated, _ = _moment(meta.get("updated"), fail, "updated")
    updated_iso = ""
    if updated is not None:
        raw = meta["updated"]
        updated_iso = (raw.strip() if isinstance(raw, str) else raw.isoformat())
    aliases = meta.get("aliases") or []
    if isinstance(aliases, str):
        aliases = [aliases]
    if not isinstance(aliases, list) or not all(isinstance(t, (str, int)) for t in aliases):
        raise fail("aliases", "must be a list of old slugs or paths")
    aliases = [unicodedata.normalize("NFC", str(t).strip()) for t in aliases if str(t).strip()]
    for alias in aliases:
        if any(seg in {".", ".."} for seg in alias.split("/")) or "\\" in alias or alias in {"/", ""}:
            raise fail("aliases", f"{alias!r} is not a slug or a path inside the site")
    tags = meta.get("tags") or []
    if isinstance(tags, str):
        tags = [t for t in re.split(r"[,،]", tags)]
    if not isinstance(tags, list) or not all(isinstance(t, (str, int)) for t in tags):
        raise fail("tags", "must be a list of words")
    read_also = meta.get("read_also") or []
    if isinstance(read_also, str):
        read_also = [read_also]
    if not isinstance(read_also, list) or not all(isinstance(t, (str, int)) for t in read_also):
        raise fail("read_also", "must be a list of slugs")
    related = meta.get("related") or []
    if not isinstance(related, list):
        raise fail("related", "must be a list of {title, slug}")
    refs: list[RelatedRef] = []
    for item in related:
        if isinstance(item, str):
            refs.append(RelatedRef(_clean(item), None))
        elif isinstance(item, dict) and isinstance(item.get("title"), str):
            s = item.get("slug")
            refs.append(RelatedRef(_clean(item["title"]), str(s) if s else None))
        else:
            raise fail("related", f"{item!r}: each entry needs a title")
    direction = meta.get("dir")
    if direction is not None and direction not in ("rtl", "ltr", "auto"):
        raise fail("dir", f"must be rtl, ltr or auto, not {direction!r}")
    lang = meta.get("lang")
    if lang is not None and not isinstance(lang, str):
        raise fail("lang", "must be a language code such as ar or en")
    seed = meta.get("seed")
    if isinstance(seed, dict):  # the importer writes {file, sha256, part}
        seed = seed.get("file")
    for key in ("source", "author", "summary"):
        if meta.get(key) is not None and not isinstance(meta[key], (str, int, float)):
            raise fail(key, "must be text")
    # The lead image (sitegen.images): a path inside the static folder.
    for key in ("image", "image_alt", "image_caption"):
        if meta.get(key) is not None and not isinstance(meta[key], str):
            raise fail(key, "must be text" if key != "image" else "must be a path such as images/a.jpg")
    image = (meta.get("image") or "").strip()
    source_url = meta.get("source_url")
    if source_url is not None and (not isinstance(source_url, str)
                                   or not source_url.strip().startswith(("http://", "https://"))):
        raise fail("source_url", f"{source_url!r} is not an http(s) URL")
    return Article(
        path=path,
        slug=slug,
        title=title,
        body=body,
        body_line=body_line,
        date=date,
        source=_clean(str(meta.get("source") or "")),
        author=_clean(str(meta.get("author") or "")),
        tags=tuple(dict.fromkeys(c for t in tags if (c := _clean(str(t))))),
        read_also=tuple(dict.fromkeys(str(s).strip() for s in read_also if str(s).strip())),
        related=tuple(refs),
        summary=_clean(str(meta.get("summary") or "")),
        lang=lang,
        dir=direction,
        draft=bool(meta.get("draft", False)),
        title_inferred=bool(meta.get("title_inferred", False)),
        seed=str(seed or ""),
        body_digest=body_digest,
        warnings=warnings,
        publish_at=publish_at,
        expires=expires,
        updated=updated,
        updated_iso=updated_iso,
        aliases=tuple(dict.fromkeys(aliases)),
        source_url=source_url.strip() if source_url else "",
        image=image,
        image_alt=_clean(meta.get("image_alt") or ""),
        image_caption=_clean(meta.get("image_caption") or ""),
        image_line=_key_line(lines(), "image") if image else 0,
    )


def _moment(value: object, fail: Callable[[str, str], SourceError],
            key: str) -> tuple[datetime.date, datetime.datetime] | tuple[None, None]:
    """A front matter date or date-time (YAML's, or ISO 8601 text): the day as written, and
    the moment as an aware UTC datetime (a date is its midnight, a time without a zone is
    UTC). (None, None) when absent."""
    if value is None:
        return None, None
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value.strip())
        except ValueError:
            raise fail(key, f"{value!r} is not a date (write YYYY-MM-DD)") from None
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            return value.date(), value.replace(tzinfo=datetime.timezone.utc)
        return value.date(), value.astimezone(datetime.timezone.utc)
    if isinstance(value, datetime.date):
        return value, datetime.datetime(value.year, value.month, value.day, tzinfo=datetime.timezone.utc)
    raise fail(key, f"{value!r} is not a date (write YYYY-MM-DD)")


def _unknown_key(path: str, lines: list[str], key: object) -> str:
    """The warning for a front matter key sitegen does not read (a typo such as `tag:`, or
    a key of another generator): it is ignored, so the editor must hear of it."""
    name = str(key)
    close = difflib.get_close_matches(name, sorted(_KNOWN), n=1)
    hint = f"did you mean '{close[0]}'?" if close else "known keys: " + ", ".join(sorted(_KNOWN))
    return f"{path}:{_key_line(lines, name)}: front matter: unknown key '{name}' ignored ({hint})"


def _clean(text: str) -> str:
    return " ".join(text.split())


def _key_line(lines: list[str], key: str) -> int:
    """The 1-based line of `key:` in the front matter, for error messages."""
    pattern = re.compile(rf"^{re.escape(key)}\s*:")
    for n, line in enumerate(lines[1:], start=2):
        if line.rstrip() == frontmatter.FENCE:
            break
        if pattern.match(line):
            return n
    return 1


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


