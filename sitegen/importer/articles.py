"""Blocks → article drafts: one per article a page holds.

The page's own article comes first. A read-also marker followed by a headline with its own
byline (or coming after the page's source/keywords lines, when the first article has ended)
starts a second article: everything after it belongs to that one, including its own similar
list. A read-also marker followed only by headlines is a list of references.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace

from sitegen.arabic import canonical_letters, fold
from sitegen.errors import SourceError
from sitegen.importer.blocks import (
    MARKER_KINDS,
    TEASER_SEPARATOR,
    Block,
    classify,
    ends_sentence,
    split_lines,
)
from sitegen.match import TitleIndex, title_key

log = logging.getLogger(__name__)

TITLE_MAX = 120
HEADLINE_MAX = 150
SUMMARY_MAX = 200
# The shapes a headline line can have (a sentence ending in "." is a paragraph, not a title).
_TITLE_KINDS = ("caption", "plain", "heading", "teaser")
_BODY_KINDS = ("paragraph", "plain", "heading", "list_item")
# A first sentence ends at . ! ؟ ? followed by a space or the end (not the "." of "2.1").
_SENTENCE = re.compile(r"^.*?[.!؟?…](?=\s|$)")
# Function words: a keyword phrase made only of these is not a tag ("إذا كان").
STOP_WORDS = frozenset(fold(w) for w in (
    "إذا كان كانت يكون في من على إلى عن أن إن أو و ثم هذا هذه ذلك تلك التي الذي الذين "
    "قد لقد مع كل بعد قبل حتى لا لم لن ما هل بين عند منذ أي غير هو هي هم نحن"
).split())
_KEYWORD_SEPARATORS = re.compile(r"\s*[،,؛;|/]\s*")
_MAX_PHRASE_WORDS = 5


@dataclass(frozen=True)
class Draft:
    """One article found in a seed, before slugs and cross-references are resolved."""

    part: int
    """1 for the page's own article, 2… for articles embedded in read-also blocks."""
    line: int
    """Line of the seed where the article starts (its title, or first paragraph)."""
    title: str
    """The headline, or one inferred from the first paragraph."""
    title_inferred: bool
    """True when the page had no headline line for this article."""
    date: str | None
    """ISO date from a date line, if the article has one."""
    source: str | None
    """The outlet, from a المصدر line or a byline."""
    tags: tuple[str, ...]
    """Keyword phrases, canonical letters, deduplicated after folding."""
    body: str
    """The Markdown body."""
    summary: str
    """The first sentence of the first paragraph, ≤ 200 characters."""
    read_also: tuple[str, ...]
    """Titles of articles this one points to through read-also (embedded articles first)."""
    related: tuple[str, ...]
    """Titles from similar-articles lists, in page order."""
    teasers: tuple[str, ...]
    """Raw teaser lines found in the body (split into titles once all titles are known)."""


@dataclass
class _Builder:
    part: int
    line: int
    title: str | None = None
    date: str | None = None
    source: str | None = None
    keywords: list[str] = field(default_factory=list)
    body: list[Block] = field(default_factory=list)
    read_also: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    teasers: list[str] = field(default_factory=list)
    ended: bool = False
    """True once the article's closing lines (source, keywords, similar) were seen."""


def parse_seed(text: str, path: str) -> tuple[list[Draft], list[str]]:
    """Split one seed's text into article drafts; returns (drafts, warnings).

    Raises SourceError (with the line) for a page without article text and for a read-also
    marker with nothing after it.
    """
    blocks = classify(split_lines(text))
    warnings: list[str] = []
    if not blocks:
        raise SourceError(path, "empty file: only blank lines", stage="import")
    builders: list[_Builder] = []
    cur = _Builder(part=1, line=blocks[0].line)
    builders.append(cur)
    i = 0
    if is_headline(blocks[0]):
        cur.title = blocks[0].text
        i = 1
    n = len(blocks)
    while i < n:
        b = blocks[i]
        if b.kind == "read_also":
            i, child = _read_also(blocks, i, cur, path, warnings)
            if child is not None:
                child.part = len(builders) + 1
                builders.append(child)
                cur = child
            continue
        if b.kind == "similar":
            cur.ended = True
            items = [b.text] if b.text else []
            i += 1
            while i < n and blocks[i].kind not in MARKER_KINDS and blocks[i].kind != "paragraph":
                items.append(blocks[i].text)
                i += 1
            if not items:
                warnings.append(str(SourceError(path, "similar-articles list is empty", line=b.line, stage="import")))
            cur.related.extend(items)
            continue
        if b.kind in ("source", "keywords"):
            cur.ended = True
            value = b.text
            # "كلمات دلالية:" alone: the phrases are on the next line (never a sentence of text).
            if not value and i + 1 < n and blocks[i + 1].kind not in MARKER_KINDS \
                    and not ends_sentence(blocks[i + 1].text):
                i += 1
                value = blocks[i].text
            if not value:
                warnings.append(str(SourceError(path, f"{b.kind} line is empty", line=b.line, stage="import")))
            elif b.kind == "source":
                cur.source = cur.source or value
            else:
                cur.keywords.append(value)
            i += 1
            continue
        if b.kind == "byline":
            cur.source = cur.source or b.text
        elif b.kind == "date":
            cur.date = cur.date or b.text
        elif b.kind == "teaser":
            cur.teasers.append(b.text)
        elif b.kind in _BODY_KINDS:
            cur.body.append(b)
        i += 1
    drafts = []
    for bld in builders:
        if not any(blk.kind != "heading" for blk in bld.body):
            if bld.part == 1:
                raise SourceError(path, "no article text: the page holds only a headline, captions, "
                                  "markers or boilerplate", line=bld.line, stage="import")
            raise SourceError(path, "read-also article has no text", line=bld.line, stage="import")
        drafts.append(_finish(bld))
    # Each embedded article was found inside the one before it: the parent points to it
    # (by its final, possibly inferred, title) before any headline-only references.
    out = []
    for k, d in enumerate(drafts):
        embedded = [drafts[k + 1].title] if k + 1 < len(drafts) else []
        out.append(replace(d, read_also=tuple(dict.fromkeys(embedded + list(d.read_also)))))
    return out, warnings


def _read_also(blocks: list[Block], i: int, cur: _Builder, path: str,
               warnings: list[str]) -> tuple[int, _Builder | None]:
    """Handle the read-also marker at blocks[i]: return (next index, embedded article or None).
    References (titles) are added to `cur.read_also`."""
    marker = blocks[i]
    n = len(blocks)
    if marker.text:  # "اقرأ أيضاً: headline" on one line is a reference
        cur.read_also.append(marker.text)
        return i + 1, None
    j = i + 1
    if j >= n or blocks[j].kind in MARKER_KINDS:
        raise SourceError(path, "read-also block is empty", line=marker.line, stage="import")
    first = blocks[j]
    nxt = blocks[j + 1].kind if j + 1 < n else None
    has_text = any(b.kind == "paragraph" for b in _until_read_also(blocks, j + 1))
    starts_article = is_headline(first) and (nxt in ("byline", "date") or cur.ended)
    if has_text and (starts_article or first.kind == "paragraph" and cur.ended):
        child = _Builder(part=0, line=first.line)
        if is_headline(first):
            child.title = first.text
            j += 1
        return j, child
    # A list of headlines: references until the next paragraph or marker.
    while j < n and blocks[j].kind not in MARKER_KINDS and blocks[j].kind != "paragraph":
        cur.read_also.append(blocks[j].text)
        j += 1
    if j == i + 1:
        # Text follows but no headline: the marker is a stray; the text stays the article's.
        warnings.append(str(SourceError(path, "read-also marker names no headline; ignored",
                                        line=marker.line, stage="import")))
    return j, None


def is_headline(block: Block) -> bool:
    """Can `block`, at the top of an article, be its headline? Any short line that does not
    end like a sentence: headlines have no full stop, but may end with ؟ or hold "..";
    a long one (≥ 15 words) still counts up to 150 characters."""
    if block.kind in _TITLE_KINDS:
        return True
    return block.kind == "paragraph" and not ends_sentence(block.text) and len(block.text) <= HEADLINE_MAX


def _until_read_also(blocks: list[Block], start: int) -> list[Block]:
    out = []
    for b in blocks[start:]:
        if b.kind == "read_also":
            break
        out.append(b)
    return out


def _finish(b: _Builder) -> Draft:
    paragraphs = [blk.text for blk in b.body if blk.kind in ("paragraph", "plain")]
    first = paragraphs[0] if paragraphs else b.body[0].text
    title, inferred = (b.title, False) if b.title else (infer_title(first), True)
    body_text = "\n".join(blk.text for blk in b.body)
    tags: list[str] = []
    for line in b.keywords:
        tags.extend(extract_tags(line, body_text))
    return Draft(
        part=b.part,
        line=b.line,
        title=title,
        title_inferred=inferred,
        date=b.date,
        source=b.source,
        tags=tuple(_dedupe(tags)),
        body=render_body(b.body),
        summary=summary(first),
        read_also=tuple(b.read_also),
        related=tuple(b.related),
        teasers=tuple(b.teasers),
    )


def _dedupe(items: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        key = fold(item)
        if key and key not in seen:
            seen.add(key)
            out.append(item)
    return out


def first_sentence(text: str) -> str:
    """The first sentence of `text` (up to . ! ؟ ? …), or all of it."""
    m = _SENTENCE.match(text)
    return m.group().strip() if m else text.strip()


def _cut_words(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ،,؛;:-–—") + "…"


def infer_title(paragraph: str) -> str:
    """A headline for an article without one: the paragraph's first sentence, cut at the last
    clause boundary (an Arabic comma) that keeps it ≤ 120 characters, without its final
    punctuation; never the whole paragraph."""
    sentence = first_sentence(paragraph)
    bare = sentence.rstrip(".!؟?… ")
    if len(bare) <= TITLE_MAX and sentence != paragraph.strip():
        return bare
    # The latest comma that still leaves a prefix of at least five words and ≤ 120 characters.
    best = None
    for m in re.finditer(r"[،,؛;:]", bare):
        prefix = bare[: m.start()].strip()
        if len(prefix) > TITLE_MAX:
            break
        if len(prefix.split()) >= 5:
            best = prefix
    if best:
        return best
    words = bare.split()
    if len(bare) <= TITLE_MAX and len(words) > 3:
        # One short sentence is the whole paragraph: keep its first two thirds.
        return " ".join(words[: max(3, len(words) * 2 // 3)]) + "…"
    return _cut_words(bare, TITLE_MAX)


def summary(paragraph: str) -> str:
    """The first sentence of `paragraph`, at most 200 characters."""
    return _cut_words(first_sentence(paragraph), SUMMARY_MAX)


def extract_tags(line: str, body: str) -> list[str]:
    """Keyword phrases from a keywords line, canonical letters, in line order.

    A line with commas lists its phrases explicitly. Otherwise it is space-separated
    multi-word phrases: at each word, the longest run of words (up to five) that occurs in the
    body (compared folded) is one phrase; a word found in no longer phrase stands alone.
    Phrases made only of function words ("إذا كان") are dropped.
    """
    if _KEYWORD_SEPARATORS.search(line):
        phrases = [p.strip() for p in _KEYWORD_SEPARATORS.split(line) if p.strip()]
    else:
        haystack = f" {title_key(body)} "
        words = line.split()
        phrases = []
        i = 0
        while i < len(words):
            take = 1
            for size in range(min(_MAX_PHRASE_WORDS, len(words) - i), 1, -1):
                if f" {title_key(' '.join(words[i:i + size]))} " in haystack:
                    take = size
                    break
            phrases.append(" ".join(words[i:i + take]))
            i += take
    out = []
    for phrase in phrases:
        key = title_key(phrase)
        if key and not all(w in STOP_WORDS for w in key.split()):
            out.append(canonical_letters(phrase))
    return _dedupe(out)


def split_teaser(text: str, known: TitleIndex[str] | None = None) -> list[str]:
    """Split a teaser line of glued "kicker.. headline" units into one title per unit.

    The words between two '..' are one unit's headline followed by the next unit's kicker.
    The split point is where the first part (with its kicker) is exactly a known title, if
    one is (a similarity match would accept a word too few or too many); otherwise the next kicker gets as many words as the first kicker has (a teaser
    widget's kickers are of a size).
    """
    seps = list(TEASER_SEPARATOR.finditer(text))
    segments = TEASER_SEPARATOR.split(text)
    if len(segments) < 2 or not all(s.strip() for s in segments):
        return [text]
    kickers = [segments[0].strip()]
    heads: list[str] = []
    marks = [m.group().strip() for m in seps]
    for k, middle in enumerate(segments[1:-1]):
        words = middle.split()
        if len(words) < 2:
            return [text]
        cut = None
        if known is not None:
            for c in range(1, len(words)):
                if known.exact(f"{kickers[-1]}{marks[k]} {' '.join(words[:c])}") is not None:
                    cut = c
                    break
        if cut is None:
            cut = min(max(1, len(words) - len(kickers[0].split())), len(words) - 1)
        heads.append(" ".join(words[:cut]))
        kickers.append(" ".join(words[cut:]))
    heads.append(segments[-1].strip())
    # Unit k is kicker k, the k-th separator as the page spelt it, then headline k.
    return [f"{kick}{mark} {head}" for kick, mark, head in zip(kickers, marks, heads)]


# --- Markdown ------------------------------------------------------------------------------
_MD_INLINE = re.compile(r"([\\`*_\[\]])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
_BLOCK_START = re.compile(r"^(?:([#>+=-])|(\d+)([.)]))(?=\s|$)")


def escape(text: str) -> str:
    """Seed text made safe as Markdown: it reads the same and can never become markup.
    `<script>` stays text (&lt;script&gt;); * _ ` [ ] \\ are backslash-escaped; a line that
    would start a Markdown block (# > - + 1.) has that character escaped."""
    text = _ENTITY.sub("&amp;", text)
    text = text.replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_INLINE.sub(r"\\\1", text)
    m = _BLOCK_START.match(text)
    if m:
        if m.group(1):
            text = "\\" + text
        else:
            text = f"{m.group(2)}\\{text[len(m.group(2)):]}"
    return text


def render_body(blocks: list[Block]) -> str:
    """Body blocks → Markdown: paragraphs, `## ` headings, `- ` lists, blank-line separated."""
    out: list[str] = []
    items: list[str] = []
    for b in blocks:
        if b.kind == "list_item":
            items.append(f"- {escape(b.text)}")
            continue
        if items:
            out.append("\n".join(items))
            items = []
        if b.kind == "heading":
            out.append(f"## {escape(b.text)}")
        else:
            out.append(escape(b.text))
    if items:
        out.append("\n".join(items))
    return "\n\n".join(out)
