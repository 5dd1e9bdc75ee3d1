"""`sitegen new "عنوان"`: a new content file with front matter ready to edit."""

from __future__ import annotations

import datetime
import logging
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from sitegen.arabic import slug as make_slug
from sitegen.config import Config
from sitegen.errors import SitegenError
from sitegen.frontmatter import dump
from sitegen.fsutil import atomic_write

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NewArticle:
    """What `new_article` wrote."""

    path: Path
    """The content file created."""
    slug: str
    """Its slug (file name without `.md`, and the article's URL segment)."""


def new_article(
    config: Config,
    title: str,
    *,
    slug: str | None = None,
    date: datetime.date | None = None,
    draft: bool = False,
) -> NewArticle:
    """Create `content/<slug>.md` for `title`, dated `date` (default: today).

    The slug comes from the title (config `slug_style`) unless given. Raises SitegenError when
    the title is empty, no slug can be made, or the file already exists (it is never
    overwritten).
    """
    title = " ".join(unicodedata.normalize("NFC", title).split())
    if not title:
        raise SitegenError("new: the title is empty")
    if slug is not None:
        # A slug given by hand is still made URL- and file-safe, with Arabic always kept:
        # the editor chose it, so transliterating it would surprise them.
        wanted = slug
        slug = make_slug(slug, "unicode")
        if not slug:
            raise SitegenError(f"new: --slug {wanted!r} has no letters or digits to make a slug from")
    else:
        slug = make_slug(title, config.slug_style)
        if not slug:
            raise SitegenError(f"new: cannot make a slug from the title {title!r}; give one with --slug")
    path = config.content_dir / f"{slug}.md"
    if path.exists():
        raise SitegenError(f"{_shown(path, config)}: new: already exists; "
                           "choose another title or --slug (an existing file is never overwritten)")
    meta: dict[str, object] = {
        "title": title,
        "slug": slug,
        "date": date or datetime.date.today(),
        "tags": [],
        "summary": "",
    }
    if draft:
        meta["draft"] = True
    atomic_write(path, dump(meta, "").encode("utf-8"))
    log.info("created %s", _shown(path, config))
    return NewArticle(path=path, slug=slug)


def _shown(path: Path, config: Config) -> str:
    """`path` relative to the project root when it is inside it, for messages."""
    try:
        return str(path.relative_to(config.root))
    except ValueError:
        return str(path)
