"""The one Arabic normaliser, and the Arabic facts the other stages share.

`fold` builds matching keys: every comparison of titles, tags, markers, search text and
related content goes through it, so that أ/إ/ا, ى/ي, ی/ي, ک/ك, tatweel and diacritics compare
equal everywhere. Keys are never shown to a reader: displayed text keeps its spelling, except
tags, which `canonical_letters` writes in Arabic (not Persian) letters.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata

# Letters folded to one form for matching. Alef variants carry hamza or madda that scrapers
# and writers add or drop at will; Persian yeh/keheh/heh come from Persian keyboards.
_LETTER_FOLD = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ى": "ي", "ی": "ي", "ې": "ي", "ۍ": "ي",
    "ک": "ك", "ڪ": "ك",
    "ة": "ه", "ۃ": "ه", "ھ": "ه", "ہ": "ه",
}
# Persian letters that have an Arabic twin; used for display-safe canonical spelling.
_CANONICAL = {"ی": "ي", "ک": "ك", "ھ": "ه", "ۀ": "ة"}

_DIGITS = {ord(c): str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")}
_DIGITS.update({ord(c): str(i) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")})

# Harakat, tanween, shadda, sukun, superscript alef, Quranic annotation marks.
_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed\u0640]")
# Zero-width characters and bidi controls: invisible, never part of a word.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\u061c\ufeff\u00ad]")
_SPACE = re.compile(r"\s+")

_FOLD_TABLE = str.maketrans({**_LETTER_FOLD, **{chr(k): v for k, v in _DIGITS.items()}})
_CANONICAL_TABLE = str.maketrans(_CANONICAL)


SLUG_MAX = 80
"""Longest slug, in characters: Arabic takes 2 bytes a letter, file names stop at 255 bytes."""


def slug(text: str, style: str = "unicode") -> str:
    """The URL segment of `text` (an article's title, a tag, a source): Arabic letters kept
    for style 'unicode', romanised to ASCII for 'translit' (`translit.romanise`); diacritics
    and tatweel dropped first (slugify would take a combining mark for a word break); at
    most SLUG_MAX characters, cut at a word; '' when `text` has no letters or digits. The
    one slug rule: an article written by hand gets the slug an imported one with the same
    title would."""
    from slugify import slugify  # only the stages that make URLs need it

    if style == "translit":
        from sitegen.translit import romanise  # reads the vowel marks, so before they go

        text = romanise(text)
    text = _DIACRITICS.sub("", unicodedata.normalize("NFC", text))
    return slugify(text, allow_unicode=style == "unicode", max_length=SLUG_MAX, word_boundary=True)


# Memoised: tags, sources and titles are folded again and again by every stage.
@functools.lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Return the matching key of `text`: letters folded, marks and invisibles removed,
    digits ASCII, Latin lower-cased, whitespace collapsed to single spaces and stripped."""
    # NFKC turns Arabic presentation forms (ﻻ, ﺍ …) and full-width forms into plain letters.
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = _DIACRITICS.sub("", text)
    text = text.translate(_FOLD_TABLE).lower()
    return _SPACE.sub(" ", text).strip()


@functools.lru_cache(maxsize=65536)
def canonical_letters(text: str) -> str:
    """Spell `text` with Arabic letters where a Persian twin was used (ی → ي, ک → ك), and
    Arabic digits instead of Persian ones. Hamza, diacritics and everything else are kept."""
    return text.translate(_CANONICAL_TABLE)


def ascii_digits(text: str) -> str:
    """Arabic-Indic and Persian digits → ASCII digits; nothing else changes."""
    return text.translate(_DIGITS)


_TO_ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def arabic_indic_digits(text: str) -> str:
    """ASCII digits → Arabic-Indic digits (٠١٢…), for `numerals = "arab"`."""
    return text.translate(_TO_ARABIC_INDIC)


# --- Markers --------------------------------------------------------------------------
# Folded spellings of the lines that introduce a non-body block in a scraped page. Each
# pattern is matched against `fold(line)`, so اقرأ / إقرأ / اقرا and أيضاً / ايضا are one.
MARKERS: dict[str, re.Pattern[str]] = {
    # "قرأ" alone is also the verb "read": without ايضا/المزيد it must be followed by a colon.
    "read_also": re.compile(
        r"^(?:(?:ا?قرا|طالع) (?:ايضا|المزيد|كذلك)|(?:ا?قرا|طالع)(?=\s*[:：]))\s*[:：]?\s*(?P<rest>.*)$"
    ),
    "similar": re.compile(
        r"^(?:مقالات (?:مشابهه|ذات صله)|اخبار (?:متعلقه|ذات صله|مشابهه)|مواضيع (?:ذات صله|مشابهه)"
        r"|(?:اقرا|قد يعجبك) ايضا من)\s*[:：]?\s*(?P<rest>.*)$"
    ),
    "source": re.compile(r"^المصدر\s*[:：]\s*(?P<rest>.+)$"),
    # Alone on its line the label needs no colon: its keywords follow, one per line.
    "keywords": re.compile(r"^(?:كلمات دلاليه|الكلمات الدلاليه|الكلمات المفتاحيه|كلمات مفتاحيه|الوسوم|وسوم"
                           r"|كلمات البحث)(?:\s*[:：]\s*|\s*$)(?P<rest>.*)$"),
}


def match_marker(line: str) -> tuple[str, str] | None:
    """If `line` is a marker line, return (kind, the text after the marker, in its original
    spelling); otherwise None. Kinds: read_also, similar, source, keywords."""
    key = fold(line)
    for kind, pattern in MARKERS.items():
        m = pattern.match(key)
        if m:
            return kind, _original_tail(line, len(m.group("rest")))
    return None


def _original_tail(line: str, folded_len: int) -> str:
    """The part of `line` after its marker, in the original spelling. Folding can change
    lengths, so the tail is found by walking back over the original until its fold is as long
    as the folded tail."""
    if folded_len == 0:
        return ""
    stripped = line.strip()
    for start in range(len(stripped) - 1, -1, -1):
        if len(fold(stripped[start:])) >= folded_len:
            return stripped[start:].strip()
    return stripped


# --- Dates -----------------------------------------------------------------------------
# Month names, folded. Egyptian/Gulf names follow the Latin months; Levantine and Iraqi use
# the Syriac names; Maghrebi French-derived names are included for scraped North African pages.
MONTHS: dict[str, int] = {}
for _n, _names in enumerate(
    [
        ("يناير", "كانون الثاني", "جانفي"),
        ("فبراير", "شباط", "فيفري"),
        ("مارس", "اذار"),
        ("ابريل", "نيسان", "افريل"),
        ("مايو", "ايار", "ماي"),
        ("يونيو", "حزيران", "يونيه", "جوان"),
        ("يوليو", "تموز", "يوليه", "جويليه"),
        ("اغسطس", "اب", "اوت"),
        ("سبتمبر", "ايلول"),
        ("اكتوبر", "تشرين الاول"),
        ("نوفمبر", "تشرين الثاني"),
        ("ديسمبر", "كانون الاول"),
    ],
    start=1,
):
    for _name in _names:
        MONTHS[fold(_name)] = _n

_MONTH_ALTERNATION = "|".join(sorted(map(re.escape, MONTHS), key=len, reverse=True))
# "21 نوفمبر 2026", "٢١ تشرين الثاني ٢٠٢٦", with an optional (Arabic) comma before the year.
_DATE_WORDS = re.compile(rf"\b(\d{{1,2}}) (?:من )?({_MONTH_ALTERNATION})[,،]? (\d{{4}})\b")
_DATE_NUMERIC = re.compile(r"\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b|\b(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})\b")


def parse_date(text: str) -> str | None:
    """Find a full date (day, month, year) in `text` and return it as ISO `YYYY-MM-DD`.

    Accepts Arabic-Indic or Latin digits, Egyptian or Levantine month names, and numeric
    `2026-11-21` / `21/11/2026` forms. Returns None when no valid full date is present.
    """
    key = fold(text)
    m = _DATE_WORDS.search(key)
    if m:
        day, month, year = int(m.group(1)), MONTHS[m.group(2)], int(m.group(3))
    else:
        m = _DATE_NUMERIC.search(key)
        if not m:
            return None
        if m.group(1):
            year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
        else:
            day, month, year = int(m.group(4)), int(m.group(5)), int(m.group(6))
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return None


# --- Text shape ------------------------------------------------------------------------
ARABIC_LETTER = re.compile("[\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff]")
# A run of Latin script inside Arabic text, e.g. "Truth Social", "TMTG", "Big Tech",
# "Trump Media & Technology Group": starts and ends with a Latin letter or digit.
LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[ &.'’\-]+[A-Za-z0-9][A-Za-z0-9]*)*")


def is_mostly_arabic(text: str) -> bool:
    """True when Arabic letters outnumber Latin ones in `text`."""
    arabic = len(ARABIC_LETTER.findall(text))
    latin = sum(1 for c in text if c.isascii() and c.isalpha())
    return arabic >= latin
