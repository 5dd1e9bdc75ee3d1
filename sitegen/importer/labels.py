"""A scraped page's lines → one label per line, with the reason: where the article is.

The page is read the way an editor reads it. First each line is judged by its own features
(length, sentence punctuation, share of Arabic function words, date or credit shape, widget
wording, repetition elsewhere on the page): prose, a short line, page furniture, a marker. Then
the article's *core* is found: the run of prose paragraphs that a headline sharing its words
introduces (a page may open with a notice, a poll or another story's paragraph). Last, every
line is labelled from its features *and its place* relative to the core and its neighbours
(jusText's context revision): the headline is the line before the core that reads like one and
shares content words with the lead; lines between it and the lead are decks, captions,
bylines, datelines or dates; short lines inside the core are subheadings, list items or
paragraphs (never dropped unless positively furniture); after the article's end come read-also
blocks, related headlines, tags, chrome and other articles.

The result is plain data: `LabelledLine` records that articles.py turns into drafts and that
`sitegen import --explain` prints.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from typing import Protocol

from sitegen.arabic import fold, is_mostly_arabic, match_marker
from sitegen.importer import credits
from sitegen.importer import lexicon as lx
from sitegen.importer.blocks import Line, ends_sentence, split_lines
from sitegen.importer.dates import find_date, is_date_line

log = logging.getLogger(__name__)

BODY_LABELS = frozenset({"paragraph", "subheading", "list_item", "deck"})
"""Labels whose lines go into an article's body."""

# A prose line: this many words with a sentence end, or PROSE_LONG without one.
PROSE_WORDS = 8
PROSE_LONG = 16
HEADLINE_MAX_WORDS = 30
HEADLINE_MAX_CHARS = 220
# Lines before the core searched for its headline.
HEADLINE_WINDOW = 14
# A run of this many non-prose lines ends a run of prose (jusText's "bad" gap).
CORE_GAP = 3

_BULLET = re.compile(r"^(?:[•·▪●◦‣∙○■□➢►✓✔*\-–—]|\d{1,2}[.)-])\s*(?=\S)")
_QUOTE_MARK = re.compile(r"^(?:>\s*)+")
_CUT = re.compile(r"(?:\.{2,}|…)\s*[\"'»”]?$|[،,]$")
_URL = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
_SHORTCODE = re.compile(r"^\[/?[a-z_][a-z0-9_ =\"']*\]$", re.IGNORECASE)
_HASHTAGS = re.compile(r"^(?:#\S+\s*)+$")
_WORD = re.compile(r"[A-Za-z0-9\u0621-\u064a\u0660-\u0669\u0671-\u06d3]+")
_STEM_PREFIX = re.compile(r"^(?:وال|بال|كال|فال|لل|ال|و|ب|ل|ف)(?=\w{3,})")
_LATIN = re.compile(r"[A-Za-z]")
_ARABIC = re.compile(r"[\u0620-\u064a]")
# "The post <headline> appeared first on <site>." (a blog feed's footer)
_FEED_FOOTER = re.compile(r"^The post (?P<title>.+?) appeared first on (?P<site>.+?)\.?$", re.IGNORECASE)
_FEED_FIELD = re.compile(r"^(?P<name>" + "|".join(sorted(lx.FEED_FIELDS, key=len, reverse=True))
                         + r")(?:\s+\d+)?(?:\s*[:：]\s*|\s+)(?P<value>.*)$", re.IGNORECASE)
_FLIPPED_FIELD = re.compile(r"(?P<value>[^:]{1,80}?)\s*:\s*(?P<name>Source|Author)\b", re.IGNORECASE)
_ACADEMIC = re.compile(r"^(?:أ\.\s?د\.|د\.|أ\.|م\.|الدكتور|الدكتورة|الأستاذ|الاستاذ|المهندس|الشيخ)\s*")
_TEASER = re.compile(r"\S\s*(?:\.{2,}|…)\s*\S")
_CLOSE_MARKS = "\"'»”) "
_QUOTES = re.compile("[\"'“”«»‘’„]")


@dataclass(frozen=True)
class LabelledLine:
    """One non-blank line of a seed with the label the importer gave it."""

    no: int
    """1-based line number in the seed."""
    text: str
    """The cleaned line."""
    label: str
    """headline, kicker, deck, dateline, byline, source, date, caption, credit, paragraph,
    subheading, list_item, read_also, related_list (the marker heading a similar-articles
    list), related, tags, chrome, duplicate, other_story."""
    reason: str
    """Why, in a few words (shown by --explain)."""
    value: str = ""
    """What the line gives: the title, the source or author name, the ISO date, the related
    title, or the body text (a paragraph with a glued dateline or widget removed)."""
    part: int = 1
    """Which article of the page the line belongs to (1 = the page's own)."""
    extra: tuple[tuple[str, str], ...] = ()
    """Further facts found on the line, e.g. (("source", "رويترز"),) from a glued dateline."""


class _Put(Protocol):
    """Records the label of line i (label_page's `put`)."""

    def __call__(self, i: int, label: str, reason: str, value: str = "", part: int = 1,
                 **extra: str) -> None: ...


@dataclass(frozen=True)
class PageLabels:
    """Every line of a page, labelled; or why the page holds no article."""

    lines: tuple[LabelledLine, ...]
    refused: str | None = None
    """Set when the page has no article core (then nothing is imported)."""


@dataclass(frozen=True)
class Rule:
    """A per-outlet correction from config.toml's [[import.rules]]."""

    match_source: str = ""
    """Applies when the page names this source (folded substring of any line)."""
    match_text: str = ""
    """Applies when this regular expression is found in the page."""
    noise: tuple[str, ...] = ()
    """Lines that are page furniture on this outlet's pages (compared folded)."""
    title: str = ""
    """A regular expression: the first line matching it is the headline."""
    source: str = ""
    """The source to give the outlet's articles."""

    def applies(self, text: str) -> bool:
        """Does this rule apply to the page `text`?"""
        if self.match_source and fold(self.match_source) not in fold(text):
            return False
        if self.match_text and not re.search(self.match_text, text):
            return False
        return bool(self.match_source or self.match_text)


# --- Features of one line ------------------------------------------------------------------
@dataclass
class _Line:
    no: int
    text: str
    words: int
    key: str
    prose: bool = False
    cut: bool = False
    shape: str = ""
    """chrome, date, credit, marker, feed, list_item, url, hashtags, short, prose."""
    why: str = ""
    value: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def content_words(text: str) -> set[str]:
    """The stems of `text`'s content words: folded, without ال/و/ب/ل prefixes, no function
    words, at least three letters."""
    out = set()
    for w in _WORD.findall(fold(text)):
        if w in lx.FUNCTION_WORDS or w.isdigit():
            continue
        # The word and its stem both count: a prefix letter may be part of the word (فلسطين).
        if len(w) >= 3:
            out.add(w)
        stem = _STEM_PREFIX.sub("", w)
        if len(stem) >= 3 and stem not in lx.FUNCTION_WORDS:
            out.add(stem)
    return out


def function_word_share(text: str) -> float:
    """Share of a line's words that are Arabic function words (prose ≈ 0.15–0.35)."""
    words = _WORD.findall(fold(text))
    if not words:
        return 0.0
    return sum(1 for w in words if w in lx.FUNCTION_WORDS) / len(words)


def _is_prose(text: str, words: int) -> bool:
    """Does the line read as running text (sentence ends, length, function words; not Latin UI)?"""
    if words < PROSE_WORDS and not (words >= 6 and text.rstrip().endswith(("،", ","))):
        return False
    latin = len(_LATIN.findall(text))
    arabic = len(_ARABIC.findall(text))
    if arabic < latin:
        return False
    if ends_sentence(text) or text.rstrip("\"'»”) ").endswith((":", "؛", "؟", "?", "!")):
        return True
    if text.rstrip().endswith(("،", ",")):
        return True  # a paragraph the page cut at a clause boundary
    return words >= PROSE_LONG or (words >= 10 and function_word_share(text) >= 0.12)


def _clause_around_date(text: str) -> bool:
    """Does a line holding a date say more than the date: three words or more around it, a
    function word among them ("ومع إطلاقه في 21 فبراير 2022،")?"""
    found = find_date(text)
    if found is None:
        return False
    rest = f"{text[: found.start]} {text[found.end:]}"
    words = _WORD.findall(fold(rest))
    return len(words) >= 3 and any(w in lx.FUNCTION_WORDS for w in words)


def _sentence_goes_on(text: str, nxt: str) -> bool:
    """Is `text`, a short unpunctuated line, the first part of a sentence broken over lines
    that `nxt` ends? Yes when it stops on a word a clause cannot end with (a relative
    pronoun, a preposition, a conjunction), or when it holds function words (prose, not a
    caption or a name) and `nxt` opens with a preposition or conjunction."""
    if re.search(r"[.!؟?:：؛;»\")”]\s*$", text):
        return False
    words = _WORD.findall(fold(text))
    following = _WORD.findall(fold(nxt))
    if not words or not following:
        return False
    if words[-1] in lx.OPEN_ENDED or len(words) >= 2 and words[-2] in lx.OPEN_ENDED and words[-2].startswith("ال"):
        return True
    return following[0] in lx.CONTINUING and any(w in lx.FUNCTION_WORDS for w in words)


def _credit_line(text: str) -> bool:
    """A photo credit ("© …", "تصوير: …") or a caption ending with its credit."""
    raw = fold(text)
    if "©" in raw:
        return True
    if lx.stripped_key(raw) in _PHOTO_NOTES:
        return True  # "صورة أرشيفية", "(أرشيفية)", "ح.م" alone: the note under a picture
    if any(raw.startswith(o) for o in lx.PHOTO_CREDIT_OPENINGS if o != "photo"):
        return len(raw.split()) <= 8
    return _ends_with_photo_credit(raw)


# A note that alone on its line can only be a picture's: an agency alone is a source line.
_PHOTO_NOTES = frozenset(k for e in lx.PHOTO_CREDIT_ENDINGS if (k := lx.stripped_key(e)) != fold("صورة")
                         and not credits.agency_name(k, in_brackets=True))
_CREDIT_IN_PARENS = re.compile(fold(r"[(（]\s*(?:تصوير|صورة|عدسة|الصورة|photo|credit|©)[^()]{0,60}[)）]\s*$"))


def _ends_with_photo_credit(raw: str) -> bool:
    """Does the (folded) line end with a photo credit set apart from its caption?"""
    if _CREDIT_IN_PARENS.search(raw) and len(raw.split()) >= 4:
        return True  # "… (تصوير: فلان)"
    tail = raw.rstrip(" .")
    for e in lx.PHOTO_CREDIT_ENDINGS:
        if tail.endswith(e) and len(tail) > len(e) + 2:
            before = tail[: -len(e)].rstrip()
            # "… - صورة أرشيفية", "… (أ ف ب)", "… ح.م": the credit set apart from the caption
            # (a general convention of Arabic photo captions).
            if len(before.split()) < 3:
                continue  # "City - (agency)" is a dateline, not a caption
            if before.rstrip(_CLOSE_MARKS).endswith((".", "!", "؟", "?")):
                return False  # a paragraph closed by its credit, not a caption
            if len(before.split()) >= 10 and function_word_share(before) >= 0.25:
                return False  # running text (a caption is a noun phrase with few function words)
            if e.startswith("(") and len(before.split()) >= 4 or before.endswith(("-", "–", "—", "|", "/", "،")) or e in ("ح.م", "ح م"):
                return True
            if e in (fold("صورة أرشيفية"), fold("أرشيفية")):
                return True
    return False


_CLOCK = re.compile(r"^(?:الساعة\s*)?[0-2]?\d:[0-5]\d(?:\s*(?:ص|م|صباحا|مساء|am|pm|gmt|utc))?$", re.IGNORECASE)
_MD_HEADING = re.compile(r"^#{1,6}\s+(?=\S)")
_MD_STRONG = re.compile(r"^(\*\*|__)(?P<inner>\S(?:.*\S)?)\1$")
# A row of one-letter buttons and signs: "A+ A-", "ت + ت -", "أ أ أ" (font size).
_BUTTON_TOKEN = re.compile(r"^(?:[+\-−=]|\w[+\-−]?|[+\-−]\w)$")
# A question or an answer of an interview: "س: …", "ج/ …", "سؤال - …", "Q: …".
_QA = re.compile(r"^(?:س|ج|سؤال|جواب|السؤال|الجواب|q|a)\s*[:：/\-–]\s*\S", re.IGNORECASE)


def _markup_free(text: str) -> str:
    """A line without the Markdown a scraper kept around it ("## …", "**…**"). A bold line of
    running text (a lead printed in bold) keeps its marks: they are how it is shown."""
    text = _MD_HEADING.sub("", text)
    m = _MD_STRONG.match(text)
    if m and not ends_sentence(m.group("inner")) and len(m.group("inner").split()) <= HEADLINE_MAX_WORDS:
        return m.group("inner")
    return text


def _features(line: Line) -> _Line:
    """A line judged by itself alone: its shape, whether it is prose, and what it names."""
    text = _markup_free(_QUOTE_MARK.sub("", line.text).strip())
    words = len(text.split())
    f = _Line(line.no, text, words, _QUOTES.sub("", lx.stripped_key(text)))
    if not f.key:
        f.shape, f.why = "chrome", "punctuation only"
        return f
    f.cut = bool(_CUT.search(text))
    tokens = text.split()
    if len(tokens) >= 2 and all(_BUTTON_TOKEN.match(t) for t in tokens) or \
            len(tokens) >= 3 and sum(1 for t in tokens if _BUTTON_TOKEN.match(t)) * 3 >= len(tokens) * 2 \
            and any(t in "+-−" for t in tokens):
        f.shape, f.why = "chrome", "a row of one-letter buttons (font size)"
    elif _QA.match(text) and words >= 2 and not _BULLET.match(text):
        f.shape, f.prose, f.why = "prose", True, "a question or an answer of an interview"
    elif _SHORTCODE.match(text):
        f.shape, f.why = "chrome", "shortcode"
    elif _URL.match(text):
        f.shape, f.why = "chrome", "bare web address"
    elif _HASHTAGS.match(text):
        f.shape, f.why = "hashtags", "hashtag line"
    elif lx.SHARE_GLUE.search(text.replace(" ", "")) and words > 40:
        f.shape, f.why = "glued", "share widget glued into the text"
    elif (footer := _FEED_FOOTER.match(text)):
        f.shape, f.why = "feed_footer", "feed footer naming the post and its site"
        f.value = footer.group("title").strip()
        f.extra["source"] = footer.group("site").strip()
    elif (marker := match_marker(text)) and words <= 40:
        f.shape, f.why, f.value = "marker", f"marker ({marker[0]})", marker[1]
        f.extra["kind"] = marker[0]
    elif words <= 12 and (phrase := lx.read_also_phrase(text)):
        f.shape, f.why = "marker", f"read-also wording «{phrase}»"
        f.extra["kind"] = "read_also"
        f.value = ""
    elif (feed := _FEED_FIELD.match(text)) and _LATIN.match(text) and feed.group("value") is not None:
        f.shape, f.why = "feed", f"feed field «{feed.group('name')}»"
        f.extra["field"] = feed.group("name").lower()
        f.value = feed.group("value").strip()
    elif words <= 12 and re.search(r":\s*(?:source|author)\b", text, re.IGNORECASE) and _FLIPPED_FIELD.search(text):
        f.shape, f.why = "meta", "meta line with Source/Author labels"
        for m in _FLIPPED_FIELD.finditer(text):
            value = m.group("value").strip()
            found = find_date(value)
            if found:
                value = (value[: found.start] + value[found.end:]).strip()
            f.extra[m.group("name").lower()] = value
    elif words <= 14 and lx.is_chrome_line(text):
        f.shape, f.why = "chrome", "widget or site label"
    elif words <= 16 and is_date_line(text):
        f.shape, f.why = "date", "date or time line"
        found = find_date(text)
        f.value = found.iso if found else ""
    elif words <= 12 and not ends_sentence(text) and (found := find_date(text)) is not None \
            and len((rest := (text[: found.start] + " " + text[found.end:]).strip()).split()) <= 6 \
            and re.search(r"[()（）\-–—|,،]", rest):
        f.shape, f.why, f.value = "date", "date line with a name beside it", found.iso
        inner = re.fullmatch(r"[^()]*[(（]\s*([^()]{2,30}?)\s*[)）][^()]*", rest)
        if inner and len(inner.group(1).split()) <= 4:
            f.extra["source"] = inner.group(1)
        elif (author := byline(rest.strip(" -–—|,،/"))):
            f.extra["author"] = author  # "كتب: فلان - 3 مارس 2024"
    elif words <= 24 and _credit_line(text):
        f.shape, f.why = "credit", "photo credit or caption with credit"
    elif len(_TEASER.findall(text)) >= 2 and not ends_sentence(text) and not _BULLET.match(text):
        f.shape, f.why = "teaser", "«kicker.. headline» units glued together (other stories)"
    elif _BULLET.match(text) and not _is_prose(text, words):
        f.shape, f.why = "list_item", "bullet"
        f.value = text[_BULLET.match(text).end():].strip()
    elif _is_prose(text, words):
        f.shape, f.prose, f.why = "prose", True, "sentence-like paragraph"
    else:
        f.shape, f.why = "short", "short line"
    return f


# --- Credits: datelines, bylines, sources (credits.py reads them) -------------------------------
def credit_only(text: str) -> credits.Credit | None:
    """credits.py's reading of a line that is only a credit (a byline, a dateline, a source
    line: nothing left of it), naming a source or an author; else None."""
    t = text.strip()
    if not t or len(t.split()) > 9:
        return None
    for reader in (credits.byline, credits.source_line, credits.leading_credit):
        found = reader(t)
        if found is not None and not found.rest and found.kind != "photo_credit" and (
                found.source or found.author or found.kind == "dateline" and found.place):
            return found
    return None


def dateline(text: str) -> tuple[str, str] | None:
    """(source, how) of a short line that only says who the story comes from ("عمان-( أ ف ب )",
    "صوت المدينة- بيروت", "{البصرة:صوت المدينة}", "سانا", "المصدر: …"), or None. A
    dateline naming a place and its writers ("بكين- فلان وفلان:") credits the writers: a
    page that names no outlet credits the story to them."""
    found = credit_only(text)
    if found is None or found.kind == "byline":
        return None
    if found.source:
        return found.source, f"{found.kind.replace('_', ' ')}{'' if found.certain else ' (by its shape)'}"
    if found.kind == "dateline" and found.place and found.author:
        return found.author, "a place and its writers"
    if found.kind == "dateline" and found.place:
        return "", "a place, and how the story was gathered"
    return None


def byline(text: str) -> str | None:
    """The author a byline names ("كتب: فلان", "بقلم فلان", "من فلان"), or None."""
    found = credits.byline(text.strip())
    return found.author if found is not None and found.kind == "byline" and found.author else None


def _name_line(text: str) -> bool:
    """A short line that is only a name (a person or an outlet)."""
    t = _ACADEMIC.sub("", text.strip())
    words = t.split()
    return 1 <= len(words) <= 4 and not any(c in t for c in ".،,:؛!؟?()«»\"") and not re.search(r"\d", t) \
        or (1 <= len(words) <= 5 and _ACADEMIC.match(text.strip()) is not None)


def _outlet_line(text: str) -> bool:
    """A short line that is only an outlet's name ("صوت المدينة نيوز")."""
    return _name_line(text) and credits.is_outlet_name(text)


def _credit_label(text: str) -> tuple[str, str] | None:
    """("source", name) or ("byline", author) for a line credits.py reads with certainty as
    only a credit."""
    found = credit_only(text)
    if found is None or not found.certain:
        return None
    return ("source", found.source) if found.source else ("byline", found.author or "")


def leading_credit(text: str) -> tuple[str, str, str] | None:
    """(source, the lead without it, how) for a dateline or source glued to the lead, as
    credits.leading_credit reads it. A reading by shape alone (a name credits.py cannot vouch
    for, before a dash) is taken here, where the line is known to be the lead, when six or
    more words of lead follow it. A bare city before the lead stays in it (it names no one)."""
    found = credits.leading_credit(text)
    if found is None or not found.source or len(found.rest.split()) < 5:
        return None
    if not found.certain and len(found.rest.split()) < 6:
        return None  # an unknown short name before a dash: only before a real lead
    return found.source, found.rest, f"{found.kind.replace('_', ' ')} glued to the lead"


def _strip_leading_date(text: str) -> tuple[str, str] | None:
    """A date printed in front of the lead: (iso, the lead without it)."""
    found = find_date(text[:80])
    if not found or found.start > 12:
        return None
    head = text[: found.start]
    if head.strip() and not is_date_line(head + " 1 يناير 2000"):
        return None
    rest = text[found.end:].lstrip(" -–—|,،/")
    rest = re.sub(r"^\d{1,2}:\d{2}(?::\d{2})?\s*", "", rest).lstrip(" -–—|,،")
    if len(rest.split()) < 6:
        return None
    return found.iso, rest


# --- Headline -------------------------------------------------------------------------------
def _headline_like(f: _Line) -> bool:
    """Could the line be a headline: 2–30 words, mostly Arabic, no closing full stop?"""
    if f.shape not in ("short", "prose", "feed", "teaser") or f.cut and f.shape != "feed":
        return False
    text = f.value if f.shape == "feed" else f.text
    words = len(text.split())
    if words < 2 or words > HEADLINE_MAX_WORDS or len(text) > HEADLINE_MAX_CHARS:
        return False
    if f.shape == "prose" and ends_sentence(text) and not text.rstrip().endswith(("!", "؟", "?")):
        return False
    return is_mostly_arabic(text) or f.shape == "feed"


def _section_prefix(text: str, lead: set[str]) -> str:
    """`text` without a section word glued to its front ("خبر افتتاح …" → "افتتاح …") when that
    word is not in the lead."""
    words = text.split()
    # A label the page sets apart ("عاجل | …", "تقرير: …") is part of the headline as printed;
    # only a section word run into it with a space alone is the page's furniture.
    if len(words) > 3 and fold(words[0]) in lx.SECTION_WORDS and not (content_words(words[0]) & lead) \
            and not re.search(r"[:.،]", words[0]) and _WORD.match(words[1]):
        return " ".join(words[1:])
    return text


# --- The labeller ---------------------------------------------------------------------------
def label_page(text: str, rules: tuple[Rule, ...] = ()) -> PageLabels:
    """Label every non-blank line of a page (see the module docstring)."""
    lines = [_features(line) for line in split_lines(text)]
    active = [r for r in rules if r.applies(text)]
    rule_noise = {fold(n) for r in active for n in r.noise}
    for f in lines:
        if fold(f.text) in rule_noise:
            f.shape, f.prose, f.why = "chrome", False, "noise line of an [[import.rules]] rule"
    labels: dict[int, LabelledLine] = {}

    def put(i: int, label: str, reason: str, value: str = "", part: int = 1, **extra: str) -> None:
        f = lines[i]
        if label not in BODY_LABELS:
            for k in ("source", "author"):
                if f.extra.get(k) and k not in extra:
                    extra[k] = f.extra[k]
        labels[i] = LabelledLine(f.no, f.text, label, reason, value, part, tuple(sorted(extra.items())))

    if any(f.shape == "glued" for f in lines):
        return PageLabels(tuple(LabelledLine(f.no, f.text, "chrome", f.why) for f in lines),
                          "no article found (the page's text is glued into one line with its widgets)")

    # Poll questions: a question followed by bullet options is a widget, not a headline.
    for i, f in enumerate(lines):
        if f.text.rstrip().endswith(("؟", "?")) and i + 2 < len(lines) and not _BULLET.match(f.text) \
                and lines[i + 1].shape == "list_item" and lines[i + 2].shape == "list_item":
            f.shape, f.prose, f.why = "chrome", False, "poll question (bullet options follow)"
    # A line ending with a colon that introduces three or more short lines: they are its list.
    for i, f in enumerate(lines):
        if f.shape in ("short", "prose") and f.text.rstrip().endswith((":", "：")) and f.words >= 3:
            run = 0
            for g in lines[i + 1:]:
                if g.shape in ("short", "list_item") or g.shape == "prose" and not ends_sentence(g.text):
                    run += 1
                else:
                    break
            if run >= 3:
                f.prose, f.extra["list_intro"] = True, "1"
                for g in lines[i + 1: i + 1 + run]:
                    g.extra["listed"] = "1"

    # A sentence broken over lines: a short line (or one holding a date inside a clause) that
    # ends with a clause comma or stops mid-clause, right before prose, is that sentence's
    # start (often the lead's first clause), not a caption, a date line or a headline.
    for i, f in enumerate(lines[:-1]):
        if (f.shape == "short" or f.shape == "date" and _clause_around_date(f.text)) and f.words >= 3 \
                and lines[i + 1].prose and not _BULLET.match(f.text) \
                and (f.text.rstrip().endswith(("،", ",")) or _sentence_goes_on(f.text, lines[i + 1].text)):
            f.prose, f.shape, f.why = True, "prose", "the start of a sentence the next line goes on with"
            f.value = ""

    # A live blog: two or more clock times alone on their lines, each right over a paragraph,
    # head the updates (kept as subheadings, not dropped as date lines).
    clocks = [f for i, f in enumerate(lines[:-1]) if _CLOCK.match(f.text) and lines[i + 1].prose]
    if len(clocks) >= 2:
        for f in clocks:
            f.extra["clock"] = "1"

    # How often the page prints each line (keys are fixed by _features; the passes below
    # change shapes, never keys, so these counts hold for the whole page).
    counts: dict[str, int] = {}
    for f in lines:
        counts[f.key] = counts.get(f.key, 0) + 1
    # An unpunctuated line alone between non-prose lines is a headline, not a paragraph; so is
    # a line ending with ؟ or ! that the page prints twice.
    for f in lines:
        if f.prose and counts[f.key] > 1 and f.words <= HEADLINE_MAX_WORDS and not ends_sentence(f.text.rstrip("!")):
            f.prose, f.shape, f.why = False, "short", "headline-like line printed twice"
    for i, f in enumerate(lines):
        if f.prose and not f.cut and f.words <= HEADLINE_MAX_WORDS and not ends_sentence(f.text) \
                and not f.text.rstrip().endswith((":", "：")) and not f.extra.get("list_intro"):
            prev_prose = i > 0 and lines[i - 1].prose
            next_prose = i + 1 < len(lines) and lines[i + 1].prose
            next_date = i + 1 < len(lines) and lines[i + 1].shape == "date"
            if not prev_prose and not next_prose or next_date and f.words <= 20:
                f.prose, f.shape, f.why = False, "short", "unpunctuated line between non-prose lines"

    if not any(f.prose for f in lines):
        # A short page: its few sentences are its text.
        for f in lines:
            if f.shape == "short" and f.words >= 3 and ends_sentence(f.text):
                f.prose, f.shape, f.why = True, "prose", "a sentence (the page has no longer text)"
    core = _find_core(lines, counts)
    if core is None:
        for i, f in enumerate(lines):
            put(i, "chrome" if f.shape != "prose" else "other_story", f.why)
        return PageLabels(tuple(labels[i] for i in range(len(lines))),
                          "no article found (mostly navigation and widgets)")
    start, end = core
    lead_words: set[str] = set()
    for f in lines[start:end]:
        if f.prose:
            lead_words |= content_words(f.text)

    # The headline.
    title_rule = next((r.title for r in active if r.title), "")
    head = _choose_headline(lines, start, end, lead_words, counts, title_rule)
    headline_text = ""
    if head is not None:
        hi, htext, why = head
        headline_text = htext
        put(hi, "headline", why, htext)
    headline_key = _QUOTES.sub("", lx.stripped_key(headline_text)) if headline_text else None
    headline_words = content_words(headline_text)

    # Lines before the headline (or the core): page furniture, one label each.
    if head is not None and head[0] < start:
        first_body = head[0] + 1
    else:
        # No headline: the few lines just above the lead may still be its dateline or byline.
        first_body = start
        while first_body > 0 and start - first_body < 4 and not lines[first_body - 1].prose \
                and lines[first_body - 1].shape in ("short", "date", "credit", "meta"):
            first_body -= 1
    if head is None or head[0] < start:
        for i in range(0, first_body - 1 if head is not None else first_body):
            if i not in labels:
                _label_furniture(lines, i, put, headline_key)
        # Between the headline and the core: deck, byline, dateline, source, date, caption.
        for i in range(first_body, start):
            if i not in labels:
                _label_front(lines, i, put, headline_key, headline_words, lead_words, counts)

    # The core.
    seen_body: set[str] = set()
    words_so_far = set(headline_words)
    in_block = False
    for i in range(start, end):
        if i in labels:
            continue
        f = lines[i]
        if f.shape == "marker":
            put(i, "read_also", f.why + " (a block inside the text)", f.value)
            in_block = True
            continue
        if in_block and not f.prose:
            if f.shape in ("short", "list_item", "teaser"):
                put(i, "read_also", "a title in the read-also block", f.value or f.text)
            else:
                put(i, "chrome", f.why)
            continue
        in_block = False
        if headline_key and f.key == headline_key:
            put(i, "duplicate", "the headline printed again")
            continue
        if f.key in seen_body:
            put(i, "duplicate", "repeats an earlier body line")
            continue
        if f.prose or f.extra.get("listed"):
            if f.extra.get("listed"):
                put(i, "list_item", "in the list its colon line introduces", _BULLET.sub("", f.text))
            else:
                value, extra = _lead_text(f.text, first=not seen_body)
                put(i, "paragraph", f.why + (f"; {extra['how']}" if "how" in extra else ""), value,
                    **{k: v for k, v in extra.items() if k != "how"})
            seen_body.add(f.key)
            words_so_far |= content_words(f.text)
            continue
        label = _label_inside(lines, i, start, end, headline_words, words_so_far, counts)
        put(i, *label)
        if label[0] in BODY_LABELS:
            seen_body.add(f.key)
            words_so_far |= content_words(f.text)

    # A credit closing the text ("… (أ ف ب)", "… - موقع21", an agency's end mark) leaves it.
    last = max((i for i in range(start, end) if i in labels and labels[i].label == "paragraph"), default=None)
    if last is not None:
        lab = labels[last]
        found = credits.trailing_credit(lab.value or lab.text)
        if found is not None and found.certain and found.kind in ("trailing_credit", "end_marker") \
                and len(found.rest.split()) >= 4:
            extra = dict(lab.extra)
            if found.source and "source" not in extra:
                extra["source"] = found.source
            labels[last] = replace(lab, value=found.rest, extra=tuple(sorted(extra.items())),
                                   reason=lab.reason + "; credit at its end removed")

    # After the core: markers, related headlines, sources, chrome, further articles.
    _label_tail(lines, end, put, labels, lead_words, headline_key, seen_body)
    if not headline_text:
        # A headline printed after the body (an AMP page) or in a feed footer.
        for i in range(end, min(end + 3, len(lines))):
            f = lines[i]
            if f.shape == "feed_footer" and f.value:
                labels[i] = replace(labels[i], label="headline", reason="headline named by the feed footer",
                                    value=f.value, extra=(("source", f.extra["source"]),))
                break
            if labels[i].label in ("related", "other_story", "chrome") and _headline_like(f) \
                    and len(content_words(f.text) & lead_words) >= 2 and labels[i].part == 1 \
                    and f.words >= 4 and counts[f.key] == 1:
                labels[i] = replace(labels[i], label="headline",
                                    reason="headline printed after the body (shares words with the lead)",
                                    value=f.text)
                break
    out = tuple(labels[i] for i in range(len(lines)))
    if not any(lab.label == "paragraph" for lab in out):
        return PageLabels(out, "no article found (mostly navigation and widgets)")
    return PageLabels(out)


def _lead_text(text: str, first: bool) -> tuple[str, dict[str, str]]:
    """A paragraph's text without what the page glued to its front (a dateline, a date) or
    to its end (an agency's "انتهى" end mark)."""
    ended = credits.trailing_credit(text)
    if ended is not None and ended.kind == "end_marker" and len(ended.rest.split()) >= 6:
        text = ended.rest
    extra: dict[str, str] = {}
    if not first:
        braced = credits.leading_credit(text) if text.lstrip().startswith("{") else None
        if braced is not None and braced.rest:
            return braced.rest, {"how": "source in braces removed"}
        return text, extra
    dated = _strip_leading_date(text)
    if dated:
        extra["date"], text = dated
        extra["how"] = "date glued to the lead removed"
    credit = leading_credit(text)
    if credit:
        extra["source"], text, how = credit
        extra["how"] = (extra.get("how", "") + "; " if extra.get("how") else "") + how + " removed"
        dated = _strip_leading_date(text)
        if dated and "date" not in extra:
            extra["date"], text = dated
    return text, extra


KEYWORD_LINE_WORDS = 4
"""The most words a keyword printed alone on its line has (a longer line is a list of them)."""


def _hashtag_words(text: str) -> str:
    """"#البيئة #التشجير_الحضري" → "البيئة، التشجير الحضري" (a keywords line)."""
    return "، ".join(t.lstrip("#").replace("_", " ").strip() for t in text.split() if t.lstrip("#"))


def _keyword_line(f: _Line) -> bool:
    """Can line `f`, after a keywords marker, hold keywords (not text, a marker or a widget)?"""
    return not f.prose and f.shape not in ("marker", "chrome", "feed_footer") and not ends_sentence(f.text) \
        and f.words <= 30


HEADLINE_UNSTOPPED_WORDS = 16
"""The most words a headline printed without a stop has when it is told from a lead."""


def _find_core(lines: list[_Line], counts: dict[str, int]) -> tuple[int, int] | None:  # noqa: C901
    """(start, end) of the article's core: the best run of prose lines."""
    n = len(lines)
    runs: list[tuple[int, int, bool]] = []
    i = 0
    while i < n:
        if not lines[i].prose:
            i += 1
            continue
        start = i
        last = i
        gap = 0
        j = i + 1
        while j < n:
            g = lines[j]
            if g.prose or g.extra.get("listed"):
                if g.prose and j > last + 1 and _starts_new_story(lines, last + 1, j) \
                        and not any(lines[k].key == g.key for k in range(start, j)):
                    break
                last, gap = j, 0
            elif g.shape == "marker" and g.extra.get("kind") == "read_also" and _read_also_inside(lines, j):
                gap = 0
            elif g.shape == "chrome" and _ends_article(g) and _text_goes_on(lines, j) \
                    and any(lines[k].prose and not lines[k].cut for k in range(start, last + 1)):
                pass  # a share or widget line set between two paragraphs (not after a cut teaser)
            elif g.shape == "marker" or g.shape == "chrome" and _ends_article(g) or g.shape == "feed_footer":
                break
            else:
                # Names, dates, credits and ad labels sit inside articles; headline-like lines
                # and widgets are what separates one block of text from another.
                if g.shape in ("chrome", "teaser") or g.shape == "short" and g.words >= 4 \
                        and counts[g.key] == 1 and not g.text.rstrip().endswith(("؟", "?", ":")):
                    gap += 1
                if gap >= CORE_GAP:
                    break
            j += 1
        all_cut = all(lines[k].cut for k in range(start, last + 1) if lines[k].prose)
        runs.append((start, last + 1, all_cut))
        i = last + 1
    if not runs:
        return None
    # Runs after the first article's closing marker (its source, keywords, similar list, or a
    # read-also that ends it) are further articles, not the page's own.
    first = runs[0]
    prose_lines = sum(1 for k in range(first[0], first[1]) if lines[k].prose)
    if prose_lines >= 1:
        closing = next((k for k in range(first[1], len(lines)) if lines[k].shape == "marker"
                        and (lines[k].extra.get("kind") in ("source", "keywords") or prose_lines >= 2
                             and (lines[k].extra.get("kind") != "read_also" or not _read_also_inside(lines, k)))),
                       None)
        if closing is not None:
            runs = [r for r in runs if r[0] < closing]
    uncut = [r for r in runs if not r[2]]
    candidates = uncut or runs

    def bonus(run: tuple[int, int, bool]) -> float:
        s, e, _ = run
        lead = content_words(" ".join(lines[k].text for k in range(s, min(e, s + 3)) if lines[k].prose))
        best = 0.0
        for k in range(max(0, s - HEADLINE_WINDOW), s):
            f = lines[k]
            if _headline_like(f) and not f.prose:
                shared = len(content_words(f.value if f.shape == "feed" else f.text) & lead)
                if shared >= 2:
                    best = max(best, 600.0 + 100 * min(shared, 5) + (300 if counts[f.key] > 1 else 0))
        return best

    def size(run: tuple[int, int, bool]) -> int:
        return sum(len(lines[k].text) for k in range(run[0], run[1]) if lines[k].prose)

    seen_keys: set[str] = set()
    headed = []
    for r in runs:
        keys = {lines[k].key for k in range(r[0], r[1]) if lines[k].prose}
        if bonus(r) > 0 and not keys & seen_keys:
            headed.append(r)
        seen_keys |= keys
    if len(headed) > 1:
        # A listing of stories, each under its headline: the first one is the page's article.
        biggest = max(size(r) for r in headed)
        candidates = [next(r for r in headed if size(r) >= 0.4 * biggest)]

    def score(run: tuple[int, int, bool]) -> float:
        return size(run) + bonus(run)

    best = max(candidates, key=score)  # max keeps the first of equals: the earliest run
    start = best[0]
    keys = {lines[k].key for k in range(best[0], best[1]) if lines[k].prose}
    for s, e, _ in runs:
        if s < start and lines[s].key in keys:
            start = s  # the lead printed above as a standfirst: the core starts there
            break
    if bonus((start, best[1], best[2])) == 0 and _unstopped_headline(lines, start, best[1]):
        start += 1
    return start, best[1]


def _unstopped_headline(lines: list[_Line], i: int, end: int) -> bool:
    """Is line i, the first of a core with no headline above it, the headline? A long
    headline (10+ words, some function words) reads as prose; it is told from a lead by
    ending without a stop or clause comma while the next line, longer, ends a sentence and
    shares at least two content words with it."""
    f = lines[i]
    text = f.text.rstrip("\"'»” ")
    if not _headline_like(f) or f.words > HEADLINE_UNSTOPPED_WORDS or ends_sentence(text) \
            or text.endswith(("،", ",", ":", "：", "؛", ";", "!", "؟", "?", "…")):
        return False
    if "،" in text or "," in text:
        return False  # a clause comma: running text broken over lines, not a headline
    if i + 1 >= end or not lines[i + 1].prose:
        return False
    lead = lines[i + 1]
    return (ends_sentence(lead.text.rstrip("\"'»” ")) and lead.words > f.words
            and len(content_words(f.text) & content_words(lead.text)) >= 2)


def _read_also_inside(lines: list[_Line], j: int) -> bool:
    """Is the read-also block at line j set inside the text (the article goes on after its
    titles and links), rather than ending it? Yes when full, uncut prose follows within a few
    lines and no headline with its own date, byline or source opens another story there."""
    k = j + 1
    while k < len(lines) and k <= j + 5 and not lines[k].prose:
        g = lines[k]
        if g.shape == "marker" or g.shape == "chrome" and _ends_article(g) or g.shape == "date":
            return False
        k += 1
    if k >= len(lines) or not lines[k].prose or lines[k].cut or lines[k].words < 6 \
            or not ends_sentence(lines[k].text):
        return False
    return k == j + 1 or _story_at(lines, k - 1) is None or lines[k - 1].why == "bare web address"


def _text_goes_on(lines: list[_Line], j: int) -> bool:
    """After the closing-looking widget at line j, does the article's text simply go on (a
    full, uncut paragraph is the next line that is not a widget)?"""
    for g in lines[j + 1: j + 5]:
        if g.shape in ("chrome", "hashtags", "date", "credit") or g.shape == "short" and (
                g.words <= 6 or g.text.rstrip().endswith(("؟", "?", ":"))):
            continue  # names, captions, dates, credits, a subheading
        return g.prose and not g.cut and ends_sentence(g.text) and g.words >= 8
    return False


def _ends_article(f: _Line) -> bool:
    """Chrome that closes an article (share, comments, subscribe), not a mid-text ad label."""
    if f.why == "bare web address":
        return False
    return f.key not in lx.MID_TEXT_WIDGETS


def _starts_new_story(lines: list[_Line], a: int, b: int) -> bool:
    """Do lines a..b-1 (between two prose runs) open another story: a headline-like line
    followed by its date, byline or source line?"""
    for k in range(a, b):
        f = lines[k]
        if _headline_like(f) and not f.prose and f.words >= 3:
            after = [lines[m] for m in range(k + 1, b)]
            if any(g.shape == "date" for g in after):
                return True
            # A headline with a date above it (the story's date line) opens another story too.
            if any(lines[m].shape == "date" for m in range(a, b) if m != k):
                return True
            nxt = lines[b] if b < len(lines) else None
            if nxt is not None and nxt.text.lstrip().startswith("{"):
                return True
    return False


def _choose_headline(lines: list[_Line], start: int, end: int, lead: set[str], counts: dict[str, int],
                     title_rule: str) -> tuple[int, str, str] | None:
    """(index, title, reason) of the headline, searched before the core."""
    if title_rule:
        for i, f in enumerate(lines):
            if re.search(title_rule, f.text):
                return i, f.text, "matches the title pattern of an [[import.rules]] rule"
    best: tuple[float, int, str, str] | None = None
    lo = max(0, start - HEADLINE_WINDOW)
    cands = []
    for i in range(lo, start):
        f = lines[i]
        if f.shape == "feed" and f.extra.get("field") in ("title", "headline") and f.value:
            return i, f.value, "the feed record's Title field"
        if not _headline_like(f) or f.shape == "feed" or _BULLET.match(f.text):
            continue
        if f.prose and ends_sentence(f.text) and not f.text.rstrip().endswith(("!", "؟", "?")):
            continue
        if f.shape == "prose" and f.words > 22:
            continue
        if f.text.rstrip().endswith((":", "：")) and f.words <= 8:
            continue
        if f.words <= 9 and (dateline(f.text) or byline(f.text)):
            continue
        cands.append(i)
    def opening(text: str) -> tuple[str, ...]:
        return tuple(lx.stripped_key(text).split()[:2])

    texts = {i: _site_suffix(_section_prefix(_breadcrumb_tail(lines[i].text), lead)) for i in cands}
    for i in cands:
        f = lines[i]
        text = texts[i]
        if not text:
            continue
        words = content_words(text)
        shared = len(words & lead)
        tkey = _QUOTES.sub("", lx.stripped_key(text))
        exact = counts[f.key] > 1 or any(k != i and tkey == g.key for k, g in enumerate(lines))
        credited = any(k != i and g.shape == "credit" and tkey in g.key and len(g.key) - len(tkey) <= 30
                       for k, g in enumerate(lines))
        repeated = exact or credited
        if shared == 0 and not repeated:
            continue
        if len(text.split()) < 3:
            continue
        # A caption names a subset of what a longer headline-like line above it says, or opens
        # with the same words as that line.
        if any(k < i and texts[k] and (words and words < content_words(texts[k])
                                       or opening(texts[k]) == opening(text) and len(opening(text)) == 2
                                       and lx.stripped_key(texts[k]) != tkey)
               for k in cands):
            continue
        nxt = next((g for g in lines[i + 1:start] if g.key), None)
        score = min(shared, 5) - (2 if shared == 0 else 0) + (3 if exact else 1.5 if credited else 0) \
            + (0.5 if len(text.split()) >= 5 else 0) - 0.05 * (start - i)
        if credited and not exact and i + 1 < len(lines) and lines[i + 1].shape == "credit":
            score -= 3  # a caption printed again with its credit right below it
        if nxt is not None and (nxt.shape == "date" or dateline(nxt.text) or byline(nxt.text)):
            score += 1
        why = f"reads like a headline, shares {shared} content word{'s' if shared != 1 else ''} with the text" \
            + (", printed twice" if repeated else "")
        log.debug("headline candidate line %d: score %.2f (%s)", f.no, score, why)
        if best is None or score > best[0]:
            best = (score, i, text, why)
    if best is None:
        # No line shares a word with the text: the nearest headline-like line just above it.
        near = [i for i in cands if start - i <= 4 and len(texts[i].split()) >= 4
                and not lines[i].text.rstrip().endswith((":", "："))]
        if near:
            i = near[-1]
            return i, texts[i], "nearest headline-like line above the text (shares no words with it)"
    if best is None:
        # A two-word headline ("مهرجان للكتاب") just above the lead, when nothing longer is.
        opening_words = content_words(" ".join(g.text for g in lines[start:start + 2] if g.prose))
        short = [i for i in cands if _short_headline(texts[i], opening_words, start - i)
                 and counts[lines[i].key] == 1]
        if short:
            i = short[-1]
            return i, texts[i], "two-word headline just above the text, both words in its lead"
    if best is None:
        return None
    return best[1], best[2], best[3]


def _short_headline(text: str, lead: set[str], distance: int) -> bool:
    """Is a two-word line just above the text its headline ("مهرجان للكتاب")? Only when
    each of its words is a content word the lead's first lines repeat, and neither is a
    section or widget label (a section label names a field, a headline the story's subject).
    The caller asks only when no longer line qualifies, and never for a line printed twice
    (a name printed twice is a photo caption)."""
    words = text.split()
    if len(words) != 2 or distance > 2 or lx.is_chrome_line(text):
        return False
    if any(lx.stripped_key(w) in lx.SECTION_WORDS for w in words):
        return False
    return all(content_words(w) & lead for w in words)


def _site_suffix(text: str) -> str:
    """`text` without a site name the page's <title> adds ("العنوان | صحيفة المساء")."""
    m = re.match(r"^(?P<head>.{10,}?)\s+[|｜–—-]\s+(?P<site>[^|｜–—-]{2,40})$", text)
    if m and credits.is_outlet_name(m.group("site")) and len(m.group("head").split()) >= 3:
        return m.group("head").strip()
    return text


def _breadcrumb_tail(text: str) -> str:
    """The last step of a breadcrumb ("الرئيسية / قسم / العنوان" → "العنوان")."""
    home = {fold("الرئيسية"), "home", "accueil", fold("الرئيسيه")}
    for sep in (" / ", " > ", " » ", " < ", " | ", " « "):
        if sep in text:
            parts = [p.strip() for p in text.split(sep) if p.strip()]
            ends = (lx.stripped_key(parts[0]), lx.stripped_key(parts[-1])) if parts else ("", "")
            if len(parts) >= 3 and ends[0] in home:
                return parts[-1]
            if len(parts) >= 3 and ends[1] in home:
                return parts[0]
            if len(parts) == 2 and (ends[0] in home or ends[1] in home):
                return ""  # "Home > Section": no headline in it
    return text


def _label_furniture(lines: list[_Line], i: int, put: _Put, headline_key: str | None) -> None:
    """A line above the headline (or the text): page furniture, one label each."""
    f = lines[i]
    if f.shape == "date":
        put(i, "date", f.why, f.value)
    elif f.shape == "credit":
        put(i, "credit", f.why)
    elif f.words <= 7 and (author := byline(f.text)) and not fold(f.text).startswith("من "):
        put(i, "byline", "byline above the headline", author)
    elif f.shape == "hashtags":
        put(i, "tags", f.why)
    elif f.shape == "prose":
        put(i, "other_story", "prose before the article's headline (another story or a notice)")
    elif f.shape in ("short",) and _headline_like(f) and f.words >= 4:
        put(i, "kicker" if i + 1 < len(lines) and lines[i + 1].key == headline_key else "chrome",
            "short line above the headline sharing no words with the lead")
    else:
        put(i, "chrome", f.why if f.shape != "short" else "page furniture above the article")


def _label_front(lines: list[_Line], i: int, put: _Put, headline_key: str | None, headline_words: set[str],
                 lead: set[str], counts: dict[str, int]) -> None:
    """A line between the headline and the lead."""
    f = lines[i]
    if headline_key and (f.key == headline_key):
        put(i, "duplicate", "the headline printed again")
        return
    if headline_key and headline_key in f.key and len(f.key) - len(headline_key) <= 40:
        put(i, "caption", "the headline again with a photo credit")
        return
    if f.extra.get("clock"):
        put(i, "subheading", "a clock time heading an update (a live blog)", f.text)
        return
    if f.shape == "date":
        put(i, "date", f.why, f.value)
        return
    if f.shape == "credit":
        put(i, "credit", f.why)
        return
    if f.shape == "meta":
        put(i, "source", f.why, f.extra.get("source", ""), author=f.extra.get("author", ""))
        return
    if f.shape == "feed":
        put(i, "chrome" if f.extra.get("field") not in ("teaser", "summary", "description") else "deck",
            f.why, f.value)
        return
    if f.shape == "marker" and f.extra.get("kind") == "source" and f.value:
        put(i, "source", f.why, f.value)
        return
    if f.shape in ("chrome", "hashtags", "marker", "list_item", "feed_footer"):
        put(i, "chrome" if f.shape != "hashtags" else "tags", f.why)
        return
    # A caption printed twice, the second time with its credit.
    nxt = lines[i + 1] if i + 1 < len(lines) else None
    if nxt is not None and f.key and nxt.key.startswith(f.key) and nxt.shape == "credit":
        put(i, "caption", "a caption printed again below with its credit")
        return
    if f.prose:
        put(i, "deck", "prose between the headline and the lead")
        return
    author = byline(f.text)
    if author and f.words <= 7:
        put(i, "byline", "byline", author)
        return
    dl = dateline(f.text)
    if dl:
        put(i, "dateline", dl[1], dl[0])
        return
    prev = lines[i - 1] if i > 0 else None
    if prev is not None and prev.shape == "credit" and prev.text.rstrip().endswith((":", "：")):
        put(i, "credit", "the name a credit line introduces")
        return
    helped = _credit_label(f.text) if f.words <= 8 else None
    if helped:
        put(i, helped[0], f"a {helped[0]} line (credits.py)", helped[1])
        return
    if _name_line(f.text):
        words = content_words(f.text)
        if credits.is_outlet_name(f.text):
            put(i, "source", "an outlet's name alone on its line", f.text.strip())
        elif words and len(words & (headline_words | lead)) / len(words) >= 0.6:
            put(i, "caption", "a name the headline or lead also names (a photo caption)")
        else:
            put(i, "byline", "a person's name alone on its line", _ACADEMIC.sub("", f.text.strip()) or f.text)
        return
    if f.words <= 8 and counts.get(f.key, 0) > 1:
        put(i, "caption", "a short line printed more than once")
        return
    if f.words <= 6 and not f.text.rstrip().endswith(("؟", "?", ":", ".")):
        put(i, "caption", "a short line between the headline and the lead")
        return
    put(i, "deck", "text between the headline and the lead")


def _label_inside(lines: list[_Line], i: int, start: int, end: int, headline_words: set[str],
                  seen_words: set[str], counts: dict[str, int]) -> tuple[str, str, str]:
    """(label, reason, value) of a non-prose line inside the core."""
    f = lines[i]
    if f.extra.get("clock"):
        return "subheading", "a clock time heading an update (a live blog)", f.text
    if f.shape == "date":
        return "date", f.why, f.value
    if f.shape == "credit":
        return "credit", f.why, ""
    if f.shape in ("chrome", "hashtags", "feed", "meta", "feed_footer"):
        return ("tags" if f.shape == "hashtags" else "chrome"), f.why, ""
    if f.shape == "list_item":
        return "list_item", f.why, f.value
    nxt = lines[i + 1] if i + 1 < end else None
    if nxt is not None and f.key and nxt.key.startswith(f.key) and nxt.shape == "credit":
        return "caption", "a caption printed again below with its credit", ""
    text = f.text
    if re.search(r"\S(?:\.{2}|…)\s*\S", text) and not ends_sentence(text) and f.words >= 4:
        return "related", "teaser of other stories («kicker.. headline») inside the text", text
    words = content_words(text)
    if f.words <= 6 and not text.rstrip().endswith(("؟", "?", ":", ".")) and words and \
            (counts.get(f.key, 0) > 1 or words <= seen_words and (re.search(r"[\"“«]", text) or _name_line(text))):
        return "caption", "a short name line (repeated, or names already in the text)", ""
    if counts.get(f.key, 0) > 1 and f.words <= 6:
        return "caption", "a short line printed more than once", ""
    if f.words <= 15 and nxt is not None and (nxt.prose) and not re.match(r"^و\S", text) \
            and not ends_sentence(text):
        return "subheading", "short line introducing the paragraph after it", text
    return "paragraph", "short line inside the article's text (kept)", text


def _label_tail(lines: list[_Line], end: int, put: _Put, labels: dict[int, LabelledLine], lead: set[str],
                headline_key: str | None, seen_body: set[str]) -> None:
    """Lines after the core: markers, related lists, sources, chrome, further articles."""
    n = len(lines)
    part = 1
    i = end
    in_list = False
    while i < n:
        f = lines[i]
        if i in labels:
            i += 1
            continue
        if headline_key and f.key == headline_key:
            put(i, "duplicate", "the headline printed again", part=part)
            i += 1
            continue
        if f.key in seen_body and part == 1:
            put(i, "duplicate", "repeats an earlier body line", part=part)
            i += 1
            continue
        # Another article: a headline, its date/byline/source, then prose.
        story = _story_at(lines, i)
        if story is not None:
            part += 1
            i = _label_story(lines, i, story, part, put, labels)
            in_list = False
            continue
        if f.shape == "marker":
            kind = f.extra.get("kind", "read_also")
            if kind == "source":
                value = f.value or (lines[i + 1].text if i + 1 < n and lines[i + 1].words <= 6 else "")
                put(i, "source", f.why, value, part=part)
                if not f.value and value:
                    put(i + 1, "source", "the source named on the line after its marker", value, part=part)
                    i += 1
            elif kind == "keywords":
                # Without keywords on its own line, the marker heads them: one line of them, or
                # one keyword a line (short lines, up to the next marker, widget or text).
                value, at = f.value, i
                if not value and i + 1 < n and _keyword_line(lines[i + 1]) \
                        and lines[i + 1].words > KEYWORD_LINE_WORDS:
                    i += 1
                    value = lines[i].text
                    put(i, "tags", "the keywords after their marker", "", part=part)
                elif not value:
                    alone = []
                    while i + 1 < n and _keyword_line(lines[i + 1]) and lines[i + 1].words <= KEYWORD_LINE_WORDS:
                        i += 1
                        alone.append(lines[i].text.strip())
                        put(i, "tags", "a keyword alone on its line after the marker", "", part=part)
                    value = "، ".join(alone)
                put(at, "tags", f.why, value, part=part)
            else:
                put(i, "read_also" if kind == "read_also" else "related_list", f.why, f.value, part=part)
                in_list = True
            i += 1
            continue
        if f.shape == "feed_footer":
            put(i, "source", f.why, f.extra.get("source", ""), part=part)
            i += 1
            continue
        if f.shape == "date":
            put(i, "date", f.why, f.value, part=part)
        elif f.shape == "credit":
            put(i, "credit", f.why, part=part)
        elif f.shape in ("chrome", "hashtags", "meta", "feed"):
            if f.shape == "meta":
                put(i, "source", f.why, f.extra.get("source", ""), part=part)
            else:
                put(i, "tags" if f.shape == "hashtags" else "chrome", f.why,
                    _hashtag_words(f.text) if f.shape == "hashtags" else "", part=part)
            if f.shape == "chrome":
                # Share buttons close the text; headline-like lines after them are other stories.
                in_list = in_list or lx.is_share_line(f.text)
                author = byline(f.text)
                if author:
                    labels[i] = replace(labels[i], label="byline", value=author)
        elif (author := byline(f.text)) and f.words <= 7 and not in_list:
            put(i, "byline", "byline after the text", author, part=part)
        elif (dl := dateline(f.text)) and not in_list and f.words <= 6:
            put(i, "source", dl[1], dl[0], part=part)
        elif _outlet_line(f.text) and not in_list:
            put(i, "source", "an outlet's name alone after the text", f.text.strip(), part=part)
        elif not in_list and f.words <= 8 and (helped := _credit_label(f.text)):
            put(i, helped[0], f"a {helped[0]} line after the text (credits.py)", helped[1], part=part)
        elif (i == end or i - 1 in labels and labels[i - 1].reason.startswith("short line right after the text")) \
                and part == 1 and f.shape == "short" and f.words >= 2 \
                and (re.match(r"^و\S", f.text) or not _name_line(f.text) and (
                     f.text.rstrip().endswith(("،", ",", "؛", ".", "!", "؟", "?"))
                     or all(g.shape in ("chrome", "hashtags") for g in lines[i + 1:]))):
            put(i, "paragraph", "short line right after the text, not furniture (kept)", f.text)
        elif f.shape in ("short", "list_item", "teaser") or (f.shape == "prose" and not ends_sentence(f.text)
                                                     and f.words <= HEADLINE_MAX_WORDS and in_list):
            title = f.value if f.shape == "list_item" else _BULLET.sub("", f.text)
            run = _headline_run(lines, i)
            if in_list or run >= 2:
                put(i, "related", "a headline of another story after the article", title, part=part)
                in_list = True
            else:
                put(i, "chrome", "short line after the article's end", part=part)
        elif i > 0 and lines[i - 1].shape == "marker" and lines[i - 1].extra.get("kind") in ("keywords", "source") \
                and not f.cut and all(g.shape in ("chrome", "hashtags") for g in lines[i + 1:]):
            put(i, "paragraph", "prose right after a source or keywords marker, nothing after it (kept)",
                f.text, part=part)
        else:
            put(i, "other_story", "prose after the article's end", part=part)
            in_list = False
        i += 1


def _headline_run(lines: list[_Line], i: int) -> int:
    """How many headline-like lines follow one another from line i."""
    run = 0
    for g in lines[i:]:
        if g.shape in ("short", "list_item", "teaser") and g.words >= 3 or g.shape == "prose" and not ends_sentence(g.text) \
                and g.words <= HEADLINE_MAX_WORDS:
            run += 1
        else:
            break
    return run


def _story_at(lines: list[_Line], i: int) -> int | None:
    """If a new article starts at line i (a headline, then its date/byline/source lines, then
    prose), the index of its first prose line."""
    f = lines[i]
    if not _headline_like(f) or f.prose or f.words < 3 or byline(f.text):
        return None
    j = i + 1
    introduced = False
    while j < len(lines) and j <= i + 4:
        g = lines[j]
        if g.prose:
            if introduced or g.text.lstrip().startswith("{") or leading_credit(g.text):
                return j
            return None
        if g.shape in ("date", "credit") or byline(g.text) or dateline(g.text) or _outlet_line(g.text):
            introduced = True
        elif g.shape != "chrome":
            return None
        j += 1
    return None


def _label_story(lines: list[_Line], i: int, first: int, part: int, put: _Put, labels: dict[int, LabelledLine]) -> int:
    """Label another article starting at line i (its prose from `first`); return where it ends."""
    put(i, "headline", "headline of another article after the first one's end", lines[i].text, part=part)
    for j in range(i + 1, first):
        g = lines[j]
        if g.shape == "date":
            put(j, "date", g.why, g.value, part=part)
        elif (author := byline(g.text)):
            put(j, "byline", "byline", author, part=part)
        elif (dl := dateline(g.text)):
            put(j, "source", dl[1], dl[0], part=part)
        elif _outlet_line(g.text):
            put(j, "source", "an outlet's name alone on its line", g.text.strip(), part=part)
        else:
            put(j, "chrome" if g.shape != "credit" else "credit", g.why, part=part)
    j = first
    n = len(lines)
    seen: set[str] = set()
    while j < n:
        g = lines[j]
        if j > first and _story_at(lines, j) is not None:
            break
        if g.shape == "marker" or g.shape == "chrome" and _ends_article(g) or g.shape == "feed_footer":
            break
        if g.prose:
            if g.key in seen:
                put(j, "duplicate", "repeats an earlier body line", part=part)
            else:
                value, extra = _lead_text(g.text, first=j == first)
                put(j, "paragraph", g.why, value, part=part, **{k: v for k, v in extra.items() if k != "how"})
                seen.add(g.key)
        elif g.shape in ("date", "credit", "chrome", "hashtags"):
            put(j, {"date": "date", "credit": "credit", "hashtags": "tags"}.get(g.shape, "chrome"), g.why,
                g.value if g.shape == "date" else "", part=part)
        elif g.shape == "list_item":
            put(j, "list_item", g.why, g.value, part=part)
        elif _outlet_line(g.text) and (j + 1 >= n or not lines[j + 1].prose):
            put(j, "source", "an outlet's name alone after the text", g.text.strip(), part=part)
        else:
            nxt = lines[j + 1] if j + 1 < n else None
            if nxt is not None and nxt.prose and g.words <= 15 and not re.match(r"^و\S", g.text):
                put(j, "subheading", "short line introducing the paragraph after it", g.text, part=part)
            elif _headline_run(lines, j) >= 2:
                break
            else:
                put(j, "paragraph", "short line inside the article's text (kept)", g.text, part=part)
        j += 1
    return j


def explain(labels: PageLabels) -> str:
    """One line per seed line: number, label, part, reason and text (for --explain)."""
    out = []
    for lab in labels.lines:
        part = f" (article {lab.part})" if lab.part != 1 else ""
        value = f" → {lab.value}" if lab.value and lab.value != lab.text else ""
        extra = "".join(f" [{k}: {v}]" for k, v in lab.extra if v)
        out.append(f"{lab.no:>4}  {lab.label:<11}{part} {lab.reason}{extra}{value}\n      | {lab.text}")
    if labels.refused:
        out.append(f"refused: {labels.refused}")
    return "\n".join(out)


def with_headings(labels: PageLabels, headings: frozenset[int]) -> PageLabels:
    """`labels` with the article lines whose numbers are in `headings` (lines the source's
    markup marks as headings, a saved page's `<h2>`: stronger evidence than a line's shape)
    made subheadings: a paragraph or list item, and a line taken for a title of a read-also
    block that a paragraph of the text follows (the box ended before it). Other labels stand:
    a marked-up heading before the text or after its end is still a headline, a read-also
    marker or furniture."""
    if not headings:
        return labels
    lines = list(labels.lines)
    for k, lab in enumerate(lines):
        if lab.no not in headings:
            continue
        after = lines[k + 1] if k + 1 < len(lines) else None
        text_follows = after is not None and after.part == lab.part and after.label == "paragraph"
        if lab.label in ("paragraph", "list_item") or (
                lab.label == "read_also" and text_follows and match_marker(lab.text) is None):
            lines[k] = replace(lab, label="subheading", reason="a heading in the page's HTML")
    return replace(labels, lines=tuple(lines))
