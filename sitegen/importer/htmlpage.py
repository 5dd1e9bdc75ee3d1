"""A saved web page (seeds/*.html, *.htm) → the article's plain text and the page's metadata.

trafilatura finds the main content (the article, without navigation, share bars, cookie
banners, scripts and related-story widgets) and reads the metadata a page carries in
`<meta>`, `<time>`, JSON-LD and `<link rel=canonical>`. The text is given as a text seed
would be: one block per line, blank-line separated (headings on their own line, list items as
`- ` lines), so that it goes through the same labelling as a `.txt` page; a caption or a
teaser glued into the body is handled there. The metadata is more reliable than what the
labelling infers from lines, so where the two disagree on the title, the date or the author
the metadata wins, and each such decision is returned as an `Override` (for `--explain` and
`-v`). A line the page marks up as a heading is a subheading of the text (`headings`).

Nothing here writes files: `read_saved_page` gives plain values, `apply_metadata` turns a
draft made from its text into the draft to write, `page_front_matter` gives the extra keys.
"""

from __future__ import annotations

import datetime
import logging
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sitegen.arabic import fold
from sitegen.errors import SourceError
from sitegen.importer.articles import Draft
from sitegen.importer.seedfile import read_seed_bytes

log = logging.getLogger(__name__)

SUFFIXES = (".html", ".htm")
"""File name endings read as saved web pages."""

# trafilatura's element names (its XML-TEI-like tree) for the blocks we keep as lines.
_LINE_TAGS = {"p": "paragraph", "head": "heading", "quote": "quote", "code": "paragraph",
              "item": "list_item", "row": "table_row"}
# Dates later than this are refused by htmldate as "in the future"; a fixed bound (not
# today, its default) keeps an import of the same page the same on every day.
_MAX_DATE = "2100-12-31"
_SPACES = re.compile(r"\s+")
# A byline's lead word, which metadata extractors keep with the name: "بقلم: سامر العلي".
_BYLINE_WORD = re.compile(r"^(?:بقلم|كتب|كتبت|كتبه|كتبته|إعداد|اعداد|تحرير|بواسطة|by)\s*[:：\-–—]?\s+",
                          re.IGNORECASE)
# An article has at least one paragraph that reads like prose: this many words, with a
# sentence or clause mark. trafilatura falls back to a page's whole text when it finds no
# article, and a row of menu labels or a poll is not one.
_PROSE_MIN_WORDS = 12
_PROSE_MARK = re.compile(r"[.،,؛;!…]")


@dataclass(frozen=True)
class PageMeta:
    """What the page says about itself (None: not found)."""

    title: str | None
    """The headline: og:title, the `<h1>`, or `<title>` without the site's name."""
    date: str | None
    """Publication date, ISO `YYYY-MM-DD` (article:published_time, `<time>`, JSON-LD, URL)."""
    author: str | None
    """The byline's name(s)."""
    site_name: str | None
    """The outlet (og:site_name, or the name in `<title>`)."""
    url: str | None
    """The page's canonical URL (`<link rel=canonical>`, og:url)."""
    image: str | None
    """The lead image's URL (og:image)."""


@dataclass(frozen=True)
class SavedPage:
    """A saved page read: its article as text seed lines, and its metadata."""

    text: str
    """The article's blocks, one per line, separated by blank lines."""
    roles: tuple[tuple[int, str], ...]
    """(1-based line of `text`, what the HTML says it is: heading, list_item, quote,
    paragraph, table_row): a strong hint for the line labelling, which may use it."""
    meta: PageMeta


@dataclass(frozen=True)
class Override:
    """One decision the page's metadata made over the text labelling (for `--explain`)."""

    field: str
    """'title', 'date', 'author', 'source' or 'body'."""
    from_text: str | None
    """What the text labelling gave (None: nothing)."""
    chosen: str | None
    """What the article gets."""
    reason: str
    """Why, in a phrase an editor understands."""


def read_saved_page(path: Path, shown: str, max_bytes: int) -> tuple[SavedPage, bytes]:
    """Read a saved page: (the page, its bytes). Raises SourceError (one line naming the
    file) for a page over `max_bytes` (refused before it is read), a file that is not
    regular or cannot be read (as for a text seed: seedfile), and a page in which no article
    is found."""
    data = read_seed_bytes(path, shown, max_bytes, "page")
    return parse_saved_page(data, shown), data


def parse_saved_page(data: bytes, shown: str) -> SavedPage:
    """A saved page's bytes (any charset its `<meta>` or bytes declare) → SavedPage.
    Raises SourceError when the bytes hold no article (only navigation, widgets, scripts)."""
    if not data.strip():
        raise SourceError(shown, "empty file: no page to import", stage="import")
    if b"\0" in data[:4096]:
        raise SourceError(shown, "binary file (NUL byte), not a web page", offset=data.find(b"\0"),
                          stage="import")
    # trafilatura (with lxml, dateparser …) takes a third of a second to import: only a run
    # that has a saved page pays for it.
    from trafilatura import bare_extraction

    # trafilatura logs its own debugging chatter under its name; a user sees our lines only.
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    logging.getLogger("htmldate").setLevel(logging.ERROR)
    try:
        doc = bare_extraction(
            data, with_metadata=True, include_comments=False, include_tables=True,
            include_images=False, include_links=False, include_formatting=False,
            date_extraction_params={"original_date": True, "extensive_search": True,
                                    "max_date": _MAX_DATE})
    except Exception as e:  # noqa: BLE001 - a parser's failure on one page is that page's error
        raise SourceError(shown, f"cannot parse the page: {type(e).__name__}: {e}", stage="import") from None
    body = getattr(doc, "body", None) if doc is not None else None
    lines, roles = _lines(body) if body is not None else ([], [])
    if not any(role in ("paragraph", "quote") and _sentence_like(line) for line, role in zip(lines, roles)):
        raise SourceError(shown, "no article found (only navigation, widgets or scripts)", stage="import")
    meta = PageMeta(
        title=_clean(doc.title), date=_iso_date(doc.date), author=_author(doc.author),
        site_name=_clean(doc.sitename), url=_clean(doc.url), image=_clean(doc.image))
    text = "\n\n".join(lines) + "\n"
    # Block k (from 0) is on line 2k + 1 of the text: blank lines come between.
    return SavedPage(text, tuple((2 * k + 1, r) for k, r in enumerate(roles)), meta)


def _lines(body: Any) -> tuple[list[str], list[str]]:
    """The blocks of trafilatura's content tree as (lines, roles), in document order; a
    list item or a table row is one line (items prefixed `- ` as a text seed writes them)."""
    lines: list[str] = []
    roles: list[str] = []
    for el in body.iter():
        role = _LINE_TAGS.get(el.tag)
        if role is None:
            continue
        # A paragraph inside a list item or quote is that block's text, not a line of its own.
        if el.getparent() is not None and el.getparent().tag in ("item", "quote", "cell") and role == "paragraph":
            continue
        if role == "table_row":
            text = " | ".join(t for c in el if (t := _clean(_text_of(c))))
        else:
            text = _clean(_text_of(el)) or ""
        if not text:
            continue
        lines.append(f"- {text}" if role == "list_item" else text)
        roles.append(role)
    return lines, roles


def _text_of(el: Any) -> str:
    """The text of an element and its descendants; a line break (`<lb/>`, the page's `<br>`)
    is a space, so the words on either side of it stay two words. A nested list is left out:
    its items are lines of their own."""
    parts = [el.text or ""]
    for child in el:
        if child.tag != "list":
            parts.append(" " if child.tag == "lb" else _text_of(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _sentence_like(line: str) -> bool:
    return len(line.split()) >= _PROSE_MIN_WORDS and bool(_PROSE_MARK.search(line))


def _clean(value: str | None) -> str | None:
    """`value` with its whitespace runs made one space; None for nothing."""
    if value is None:
        return None
    text = _SPACES.sub(" ", str(value)).strip()
    return text or None


def _author(value: str | None) -> str | None:
    """The byline's name(s), without a lead word such as بقلم or كتب."""
    text = _clean(value)
    return _clean(_BYLINE_WORD.sub("", text)) if text else None


def _iso_date(value: str | None) -> str | None:
    """trafilatura's date as `YYYY-MM-DD`, or None when it is not one."""
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value.strip()[:10]).isoformat()
    except ValueError:
        return None


def headings(page: SavedPage) -> frozenset[int]:
    """The lines of `page.text` that the page marks up as headings (`<h2>` …): the labelling
    makes such a line in the article's text a subheading."""
    return frozenset(no for no, role in page.roles if role == "heading")


def describe(o: Override) -> str:
    """One decision, as `-v` and `--explain` print it."""
    return f"{o.field} {o.from_text!r} → {o.chosen!r}: {o.reason}"


def apply_metadata(draft: Draft, meta: PageMeta) -> tuple[Draft, list[Override]]:
    """The draft made from a saved page's text, corrected by the page's metadata: the
    metadata's title, date and author win where the labelling found another or none; the
    site's name is the source when the text named none; a first body line repeating the
    headline goes. Returns the draft and one Override per change made (none when they agree)."""
    overrides: list[Override] = []
    changes: dict[str, Any] = {}
    if meta.title and fold(meta.title) != fold(draft.title):
        why = ("the labelling inferred the title from the first paragraph" if draft.title_inferred
               else "the labelling's headline line differs")
        overrides.append(Override("title", draft.title, meta.title,
                                  f"the page's own headline (og:title / <h1>) wins: {why}"))
        changes.update(title=meta.title, title_inferred=False)
    # The labelling gives the time too when the text prints one ("2026-05-09T18:30"): on the
    # same day the two agree, and the text's is the more precise.
    if meta.date and meta.date != (draft.date or "")[:10]:
        why = "no date line was found" if draft.date is None else "the date line says otherwise"
        overrides.append(Override("date", draft.date, meta.date,
                                  f"the page's publication date (<time> / article:published_time) wins: {why}"))
        changes["date"] = meta.date
    if meta.author and fold(meta.author) != fold(draft.author or ""):
        why = "no byline was found" if draft.author is None else "the byline line says otherwise"
        overrides.append(Override("author", draft.author, meta.author,
                                  f"the page's author (meta author / JSON-LD) wins: {why}"))
        changes["author"] = meta.author
    if meta.site_name and not draft.source:
        overrides.append(Override("source", None, meta.site_name,
                                  "the text names no source: the page's site name (og:site_name)"))
        changes["source"] = meta.site_name
    title = changes.get("title", draft.title)
    first, _, rest = draft.body.partition("\n\n")
    if rest and fold(first.lstrip("#").replace("\\", "")) == fold(title):
        overrides.append(Override("body", first, None, "the body's first line repeats the headline"))
        changes["body"] = rest
    return (replace(draft, **changes) if changes else draft), overrides


def page_front_matter(meta: PageMeta) -> dict[str, Any]:
    """The front matter keys a saved page adds to its article beyond its draft's: source_url
    (the canonical URL), when it has one. (The image stays in PageMeta: the site's `image`
    key names a picture the build resizes, and this one is the outlet's, remote.)"""
    out: dict[str, Any] = {}
    if meta.url and meta.url.startswith(("http://", "https://")):
        out["source_url"] = meta.url
    return out
