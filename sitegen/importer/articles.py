"""Labelled lines → article drafts: one per article a page holds.

The page's own article comes first (part 1); further articles the labeller found (a story
after the first one's end, a listing's next stories) follow, and the first points to them.
Each draft takes its headline (or a title inferred from the lead), its body lines rendered as
Markdown, and its front matter facts: source (a المصدر line first, then datelines and credits in
page order), author (a byline), date (ISO, with the time when the page gave one), tags, and the
titles of other stories (read-also references, related lists, glued teasers).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace

from sitegen.arabic import canonical_letters, fold
from sitegen.errors import SourceError
from sitegen.importer.blocks import TEASER_SEPARATOR, split_lines
from sitegen.importer.labels import BODY_LABELS, LabelledLine, PageLabels, Rule, label_page, with_headings
from sitegen.match import TitleIndex, title_key

log = logging.getLogger(__name__)

TITLE_MAX = 120
SUMMARY_MAX = 200
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
    """The outlet or agency: a المصدر line, a dateline, a credit glued to the lead, a source line."""
    author: str | None
    """The writer, from a byline (كتب، بقلم، من …) or a name line under the headline."""
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


def parse_seed(text: str, path: str, rules: tuple[Rule, ...] = (),
               headings: frozenset[int] = frozenset()) -> tuple[list[Draft], list[str]]:
    """Split one seed's text into article drafts; returns (drafts, warnings). `headings`:
    lines the source's markup marks as headings (a saved page's `<h2>`), see with_headings.

    Raises SourceError for an empty page and for a page with no article core (one line:
    "no article found (…)").
    """
    if not split_lines(text):
        raise SourceError(path, "empty file: only blank lines", stage="import")
    page = with_headings(label_page(text, rules), headings)
    if page.refused:
        raise SourceError(path, page.refused, stage="import")
    drafts = drafts_from_labels(page, path)
    source = next((r.source for r in rules if r.source and r.applies(text)), None)
    if source:
        drafts[0] = replace(drafts[0], source=source)
    return drafts, []


def drafts_from_labels(page: PageLabels, path: str) -> list[Draft]:
    """The articles a labelled page holds, the page's own first."""
    parts = sorted({lab.part for lab in page.lines})
    drafts: list[Draft] = []
    for part in parts:
        lines = [lab for lab in page.lines if lab.part == part]
        body = [lab for lab in lines if lab.label in BODY_LABELS]
        if not any(lab.label in ("paragraph", "deck") for lab in body):
            continue
        drafts.append(_draft(part, lines, body))
    if not drafts:
        raise SourceError(path, "no article found (no paragraph of text)", stage="import")
    # Renumber parts densely; the page's own article points to the ones after it.
    drafts = [replace(d, part=k + 1) for k, d in enumerate(drafts)]
    if len(drafts) > 1:
        first = drafts[0]
        others = [d.title for d in drafts[1:]]
        drafts[0] = replace(first, read_also=tuple(dict.fromkeys(others + list(first.read_also))))
    return drafts


def _draft(part: int, lines: list[LabelledLine], body: list[LabelledLine]) -> Draft:
    headline = next((lab for lab in lines if lab.label == "headline" and lab.value), None)
    # The lead is the first paragraph; a body of decks alone leads with its first deck.
    lead = next((lab for lab in body if lab.label == "paragraph"), None) \
        or next(lab for lab in body if lab.label == "deck")
    first = lead.value or lead.text
    title, inferred = (headline.value, False) if headline else (infer_title(first), True)
    extras = [dict(lab.extra) for lab in lines]
    source = _choose_source(lines)
    author = next((lab.value for lab in lines if lab.label == "byline" and lab.value), None) \
        or next((e["author"] for e in extras if e.get("author")), None)
    date = next((lab.value for lab in lines if lab.label == "date" and lab.value), None) \
        or next((e["date"] for e in extras if e.get("date")), None)
    keywords = [lab.value for lab in lines if lab.label == "tags" and lab.value]
    # A line of several glued «kicker.. headline» units is split once all titles are known.
    related = [lab.value for lab in lines if lab.label == "related" and lab.value
               and len(TEASER_SEPARATOR.findall(lab.value)) < 2]
    teasers = [lab.value for lab in lines if lab.label == "related" and lab.value
               and len(TEASER_SEPARATOR.findall(lab.value)) >= 2]
    read_also = [lab.value for lab in lines if lab.label == "read_also" and lab.value]
    body_text = "\n".join(lab.value or lab.text for lab in body)
    tags: list[str] = []
    for line in keywords:
        tags.extend(extract_tags(line, body_text))
    return Draft(
        part=part,
        line=(headline or body[0]).no,
        title=title,
        title_inferred=inferred,
        date=date,
        source=source,
        author=author if author and author != source else None,
        tags=tuple(_dedupe(tags)),
        body=render_body(body),
        summary=summary(first),
        read_also=tuple(read_also),
        related=tuple(related),
        teasers=tuple(teasers),
    )


def _choose_source(lines: list[LabelledLine]) -> str | None:
    """The article's source: a المصدر line first, then datelines and credits in page order."""
    marked = next((lab.value for lab in lines if lab.label == "source" and lab.reason.startswith("marker")
                   and lab.value), None)
    if marked:
        return marked
    for lab in lines:
        extra = dict(lab.extra)
        if lab.label in ("source", "dateline") and lab.value:
            return lab.value
        if extra.get("source"):
            return extra["source"]
    return None


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
# An "&" that could open a character reference: a browser reads "&#1" or "&copy" as a
# character even without the ";". A lone "&" ("A & B") stays as written.
_REFERENCE = re.compile(r"&(?=#|[A-Za-z])")
# A heading needs no space after its "#"s ("#عاجل" is one) and "---" is a rule, so # + - = open
# a block whatever follows them; a number opens a list only before a space.
_BLOCK_START = re.compile(r"^(?:([#+=-])|(\d+)([.)])(?=\s|$))")


def escape(text: str) -> str:
    """Seed text made safe as Markdown: it reads the same and can never become markup.
    `<script>` stays text (&lt;script&gt;), and so does `&#1` or `&copy` (a character to a
    browser even without its `;`); * _ ` [ ] \\ are backslash-escaped; a line that would
    start a Markdown block (# - + = 1.; > is already &gt;) has that character escaped."""
    text = _REFERENCE.sub("&amp;", text).replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_INLINE.sub(r"\\\1", text)
    m = _BLOCK_START.match(text)
    if m:
        if m.group(1) == "=":  # not backslash-escapable in Python-Markdown; an entity reads the same
            text = "&#61;" + text[1:]
        elif m.group(1):
            text = "\\" + text
        else:
            text = f"{m.group(2)}\\{text[len(m.group(2)):]}"
    return text


def render_body(lines: list[LabelledLine]) -> str:
    """Body lines → Markdown: paragraphs, `## ` subheadings, `- ` lists, blank-line separated."""
    out: list[str] = []
    items: list[str] = []
    for lab in lines:
        text = lab.value or lab.text
        if lab.label == "list_item":
            items.append(f"- {escape(text)}")
            continue
        if items:
            out.append("\n".join(items))
            items = []
        if lab.label == "subheading":
            out.append(f"## {escape(text)}")
        else:
            out.append(escape(text))
    if items:
        out.append("\n".join(items))
    return "\n\n".join(out)
