"""Arabic display helpers for templates: dates, digits, and bidi isolation of Latin runs.

Everything here shapes text a reader sees; matching keys come from `sitegen.arabic.fold`.
The theme registers these as Jinja2 filters. All functions are pure and deterministic.
"""

from __future__ import annotations

import bisect
import datetime
import functools
import html
import itertools
import logging
import re
from dataclasses import dataclass
from typing import Callable

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as _babel_format_date
from hijridate import Gregorian
from markupsafe import Markup, escape

from sitegen.arabic import ARABIC_LETTER, LATIN_RUN
from sitegen.errors import ConfigError

log = logging.getLogger(__name__)

NUMERALS = ("latn", "arab")
"""The digit systems `numerals` may name: 'latn' 0-9, 'arab' Arabic-Indic ٠-٩."""


# --- Digits ----------------------------------------------------------------------------
# Persian digits (۲۰۲۶) too come out Arabic-Indic: one table, as
# arabic_indic_digits(ascii_digits(text)) would do in two passes.
_NUMERAL_TABLES = {
    "latn": str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2),
    "arab": str.maketrans("0123456789۰۱۲۳۴۵۶۷۸۹", "٠١٢٣٤٥٦٧٨٩" * 2),
}
"""The `str.translate` table of each value of `numerals`."""


def localize_digits(text: str, numerals: str) -> str:
    """Write every digit of plain `text` (ASCII, Arabic-Indic or Persian) in `numerals`:
    'latn' → 0-9, 'arab' → ٠-٩. Not for HTML (attribute values would change too); use
    `localize_digits_html` there."""
    return text.translate(_numeral_table(numerals))


def _numeral_table(numerals: str) -> dict[int, str]:
    """The translation table of `numerals`; ValueError if it names no digit system."""
    try:
        return _NUMERAL_TABLES[numerals]
    except KeyError:
        raise ValueError(f"numerals must be one of {', '.join(NUMERALS)}, not {numerals!r}") from None


# --- Dates -----------------------------------------------------------------------------
@functools.lru_cache(maxsize=None)
def _locale(name: str) -> Locale:
    """The Babel locale for `name` ('ar_EG' or 'ar-EG'); a ConfigError if Babel lacks it."""
    try:
        return Locale.parse(name.replace("-", "_"))
    except (UnknownLocaleError, ValueError) as e:
        raise ConfigError(f"config.toml: locale {name!r} is not a locale Babel knows ({e})") from None


def check_locale(name: str) -> None:
    """Raise ConfigError unless Babel knows the locale `name`."""
    _locale(name)


# Memoised: a page of cards formats the same few hundred dates over and over, and Babel
# takes tens of microseconds each time.
@functools.lru_cache(maxsize=16384)
def format_date(d: datetime.date, locale: str, numerals: str) -> str:
    """`d` in the long day-month-year form of `locale`, digits in `numerals`.

    ar_EG → "21 نوفمبر 2026", ar_IQ / ar_SY → "21 تشرين الثاني 2026", and with
    numerals 'arab' → "٢١ نوفمبر ٢٠٢٦". Babel 2.18 gives Latin digits and no bidi marks in the
    Arabic long form; the digits are normalised anyway so a locale whose CLDR default is
    Arabic-Indic still obeys `numerals`.
    """
    text = _babel_format_date(d, format="long", locale=_locale(locale))
    return localize_digits(text, numerals)


HIJRI_SUFFIX = "هـ"
"""The era mark written after a Hijri year."""


@functools.lru_cache(maxsize=16384)
def hijri_date(d: datetime.date, numerals: str) -> str:
    """The Umm al-Qura Hijri date of `d` in Arabic, e.g. "11 جمادى الآخرة 1448 هـ" for
    2026-11-21, digits in `numerals`. Returns "" for a date outside the Umm al-Qura
    calendar's range (1343–1500 AH, about 1924–2077), so a template can simply omit it."""
    try:
        h = Gregorian(d.year, d.month, d.day).to_hijri()
    except OverflowError:
        log.debug("no Hijri date for %s: outside the Umm al-Qura range", d.isoformat())
        return ""
    return localize_digits(f"{h.day} {h.month_name('ar')} {h.year} {HIJRI_SUFFIX}", numerals)


# --- Bidi isolation ----------------------------------------------------------------------
_ARABIC_WORD = re.compile(rf"(?:{ARABIC_LETTER.pattern})+")


def is_arabic_prose(text: str) -> bool:
    """True when `text` reads as Arabic with Latin names embedded: it has Arabic words, and no
    fewer of them than Latin runs.

    Each Latin run counts once, not per letter, because a run is one embedded name: "أطلق
    ترامب منصة Truth Social التابعة لـ Trump Media & Technology Group" has more Latin letters
    than Arabic ones (so `arabic.is_mostly_arabic` says no), yet it is an Arabic sentence whose
    punctuation goes wrong unless the names are isolated. An English sentence is one long run
    per clause, so it still counts as Latin.
    """
    # Counting stops at the number needed: the Latin runs are few, the Arabic words many.
    need = max(1, len(LATIN_RUN.findall(text)))
    for n, _ in enumerate(_ARABIC_WORD.finditer(text), 1):
        if n >= need:
            return True
    return False


# Memoised: the `bdi` filter sees each headline on every page that lists it.
@functools.lru_cache(maxsize=65536)
def isolate_latin(text: str) -> Markup:
    """`text` HTML-escaped, with each Latin run ("Truth Social", "TMTG") wrapped in
    <bdi>…</bdi> when the text is mostly Arabic, so neighbouring punctuation stays where the
    writer put it (see `is_arabic_prose`). Other text is only escaped: it needs no isolation."""
    if not is_arabic_prose(text):
        return Markup(escape(text))
    out: list[str] = []
    pos = 0
    for m in LATIN_RUN.finditer(text):
        out.append(escape(text[pos : m.start()]))
        out.append(f"<bdi>{escape(m.group())}</bdi>")
        pos = m.end()
    out.append(escape(text[pos:]))
    return Markup("".join(out))


# Elements whose text is never touched: code and preformatted text are shown verbatim, <bdi>
# is already isolated, and the raw-text elements are not prose.
_SKIP = frozenset({"code", "pre", "bdi", "kbd", "samp", "var", "script", "style", "textarea",
                   "title", "svg", "math", "template"})
# Elements whose content is raw text: a '<' inside them does not start a tag.
_RAW_TEXT = frozenset({"script", "style", "textarea", "title"})
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "source", "track", "wbr"})
# A markup token: comment, CDATA, doctype/processing instruction, or a tag whose quoted
# attribute values may contain '>'.
_TOKEN = re.compile(
    r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<[!?][^>]*>"
    r"|</?([A-Za-z][A-Za-z0-9-]*)(?:\"[^\"]*\"|'[^']*'|[^'\">])*>",
    re.DOTALL,
)
_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);?")


_LANG_ATTR = re.compile(r"(?<![\w:-])lang\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))", re.IGNORECASE)


@dataclass
class _LangScope:
    """An open element that carries a `lang` attribute, while walking a document."""

    name: str
    """Its tag name."""
    wanted: bool
    """Whether its language is one the walk applies to."""
    nested: int = 0
    """Same-name elements without `lang` open inside it, so the right end tag closes it."""


def _replace_spans(source: str, spans: list[tuple[int, int]], fn: Callable[[str], str]) -> str:
    """`source` with each of the (start, end) `spans`, in order, replaced by `fn` of it."""
    out: list[str] = []
    last = 0
    for start, end in spans:
        out.append(source[last:start])
        out.append(fn(source[start:end]))
        last = end
    out.append(source[last:])
    return "".join(out)


def _text_spans(source: str, skip: frozenset[str]) -> list[tuple[int, int]]:
    """(start, end) of each non-empty text node of HTML `source`, in order, that is not inside
    an element named in `skip`."""
    out: list[tuple[int, int]] = []
    pos = 0
    depth = 0  # how many `skip` elements are open around the current position
    while True:
        m = _TOKEN.search(source, pos)
        text_end = m.start() if m else len(source)
        if text_end > pos and not depth:
            out.append((pos, text_end))
        if not m:
            break
        token, name = m.group(), (m.group(1) or "").lower()
        pos = m.end()
        if not name:
            continue
        if token.startswith("</"):
            if name in skip and depth:
                depth -= 1
        elif name in _RAW_TEXT:
            # Copy the raw text and its end tag verbatim: it may contain '<' that is not a tag.
            close = _raw_text_end(name).search(source, pos)
            pos = close.end() if close else len(source)
        elif name in skip and name not in _VOID and not token.endswith("/>"):
            depth += 1
    return out


_LATIN_LETTER = re.compile("[A-Za-z]")
_LATIN_OR_ENTITY = re.compile("[A-Za-z&]")


def _bdi(m: re.Match[str]) -> str:
    return f"<bdi>{m.group()}</bdi>"


def _wrap_runs_in_text_node(raw: str) -> str:
    """Wrap the Latin runs of one HTML text node in <bdi>, keeping its bytes (entities such as
    `&amp;` in "Trump Media &amp; Technology Group" stay as written)."""
    if "&" not in raw:
        # No entity: the raw text is the decoded text, so runs map to themselves. Most text
        # nodes of an Arabic page take this path (or the one below), which is most of the
        # markdown stage's time otherwise.
        if not _LATIN_LETTER.search(raw):
            return raw
        return LATIN_RUN.sub(_bdi, raw)
    # Decode entities while remembering where each decoded piece came from, so runs found in
    # the decoded text map back to exact raw slices: a character of literal text to itself,
    # a character of an entity's expansion to the whole entity.
    pieces: list[tuple[str, int, int, bool]] = []  # (decoded text, raw start, raw end, is an entity)
    pos = 0
    for m in _ENTITY.finditer(raw):
        pieces.append((raw[pos : m.start()], pos, m.start(), False))
        pieces.append((html.unescape(m.group()), m.start(), m.end(), True))
        pos = m.end()
    pieces.append((raw[pos:], pos, len(raw), False))
    pieces = [p for p in pieces if p[0]]  # an empty piece holds no character
    starts = list(itertools.accumulate((len(p[0]) for p in pieces), initial=0))

    def raw_span(i: int) -> tuple[int, int]:
        """The raw slice decoded character `i` came from."""
        k = bisect.bisect_right(starts, i) - 1
        _, start, end, entity = pieces[k]
        if entity:
            return start, end
        at = start + i - starts[k]
        return at, at + 1

    out: list[str] = []
    last = 0
    for m in LATIN_RUN.finditer("".join(p[0] for p in pieces)):
        start, end = raw_span(m.start())[0], raw_span(m.end() - 1)[1]
        if start < last:  # two runs inside one entity's expansion: cannot split the entity
            continue
        out.append(raw[last:start])
        out.append(f"<bdi>{raw[start:end]}</bdi>")
        last = end
    out.append(raw[last:])
    return "".join(out)


def isolate_latin_html(source: str) -> str:
    """Rendered HTML (e.g. Markdown output) with each Latin run in its text nodes wrapped in
    <bdi>…</bdi>, when its prose is Arabic (`is_arabic_prose`). Never inside tags or attributes, nor inside
    <code>, <pre>, <bdi> (so applying it twice changes nothing) or raw-text elements."""
    spans = _text_spans(source, _SKIP)  # one walk of the document for both passes
    # Only text with a Latin letter, or a reference that may decode to one (&#65;), can
    # change: most text nodes of an Arabic page have neither, some pages none at all.
    maybe_latin = _LATIN_OR_ENTITY.search
    latin = [(start, end) for start, end in spans if maybe_latin(source, start, end)]
    if not latin or not is_arabic_prose("".join(html.unescape(source[start:end]) for start, end in spans)):
        return source
    return _replace_spans(source, latin, _wrap_runs_in_text_node)


# Digits inside code or machine-readable elements stay as written.
_DIGIT_SKIP = frozenset({"code", "pre", "kbd", "samp", "var", "script", "style", "textarea",
                         "svg", "math", "template"})


# Numeric references (&#160;, and &#34; / &#39; from escaping) are rewritten as characters or
# named entities, so that a pass over text nodes (Arabic-Indic digits below) cannot turn
# "&#160;" into "&#١٦٠;".
_NUMERIC_REF = re.compile(r"&#(?:(\d+)|[xX]([0-9a-fA-F]+));")
_NAMED = {0x26: "&amp;", 0x3C: "&lt;", 0x3E: "&gt;", 0x22: "&quot;", 0x27: "&apos;"}


def _unref(m: re.Match[str]) -> str:
    code = int(m.group(1)) if m.group(1) else int(m.group(2), 16)
    if code in _NAMED:
        return _NAMED[code]
    if not 0 < code < 0x110000 or 0xD800 <= code < 0xE000 or code < 0x20 and code not in (9, 10, 13):
        return m.group()
    return chr(code)


def plain_references(html: str) -> str:
    """`html` with numeric character references written as characters (or, for the five
    markup characters, named entities): same document, no digits inside references."""
    return _NUMERIC_REF.sub(_unref, html)


def localize_digits_html(source: str, numerals: str) -> str:
    """Rendered HTML with the digits of its text nodes in `numerals`; attribute values (URLs,
    `<time datetime>`), code and scripts keep their digits, and so does text in another
    language (inside an element whose `lang` is not Arabic, e.g. an English article's body).

    Numeric references are written as characters first (`plain_references`), so none
    breaks. A text node is converted when it is inside no _DIGIT_SKIP element and its
    nearest element with a `lang` attribute, if any, names Arabic ('ar', 'ar-EG', or '')."""
    table = _numeral_table(numerals)
    if "&#" in source:
        source = plain_references(source)
    out: list[str] = []
    last = 0  # end of the part of `source` already in `out`
    pos, end = 0, len(source)
    depth = 0  # how many _DIGIT_SKIP elements are open around the current position
    lang_stack: list[_LangScope] = []  # open elements carrying a lang attribute, innermost last
    while pos < end:
        # The regex engine passes over the text and the tags that change nothing (most of
        # a page) on its own, up to a run of digits or a token that may change something.
        plain = _plain_run(lang_stack[-1].name if lang_stack else "").match(source, pos)
        assert plain is not None  # every part of it is optional
        m = plain if plain.lastgroup else _NEXT_TOKEN_OR_DIGITS.match(source, plain.end())
        if m is None:  # only text without digits was left
            break
        pos = m.end()
        kind = m.lastgroup
        if kind == "digits":
            if not depth and (not lang_stack or lang_stack[-1].wanted):
                out.append(source[last : m.start(kind)])
                out.append(m.group(kind).translate(table))
                last = pos
            continue
        if kind is None:  # a comment, CDATA, doctype or processing instruction, or a lone '<'
            continue
        token = source[m.start("slash") - 1 : pos]
        name = m.group("name").lower()
        closing = bool(m.group("slash"))
        self_closing = token.endswith("/>")
        if name not in _VOID and not self_closing:
            top = lang_stack[-1] if lang_stack else None
            lang = _LANG_ATTR.search(token) if not closing and "lang" in token.lower() else None
            if lang is not None:
                code = next(g for g in lang.groups() if g is not None).strip().lower()
                lang_stack.append(_LangScope(name, not code or code.replace("_", "-").split("-")[0] == "ar"))
            elif top is not None and top.name == name:
                if not closing:
                    top.nested += 1
                elif top.nested:
                    top.nested -= 1
                else:
                    lang_stack.pop()
        if closing:
            if depth and name in _DIGIT_SKIP:
                depth -= 1
        elif name in _RAW_TEXT:
            # Its raw text and end tag stay as written (it may contain '<' that is not a
            # tag), but for a <title>'s digits: its text is shown, in the tab and bookmarks.
            close = _raw_text_end(name).search(source, pos)
            stop = close.start() if close else end
            if name not in _DIGIT_SKIP and not depth and (not lang_stack or lang_stack[-1].wanted):
                out.append(source[last:pos])
                out.append(source[pos:stop].translate(table))
                last = stop
            pos = close.end() if close else end
        elif name in _DIGIT_SKIP and not self_closing:
            depth += 1
    out.append(source[last:])
    return "".join(out)


_DIGIT_CHARS = "0-9\u0660-\u0669\u06F0-\u06F9"
"""The digits `localize_digits` may rewrite: ASCII, Arabic-Indic and Persian, as a regex
character class's content."""

# What comes next in HTML: text without digits (possessive: there is nothing to give back),
# then a markup token as `_TOKEN` matches it (a tag's end slash in group `slash`, its name
# in `name`), a run of `digits`, or a '<' that starts no token. A tag's parts are matched
# possessively: at each character one reading only can go on, so backtracking would find
# no other match, and a tag left open costs no backtracking.
_NEXT_TOKEN_OR_DIGITS = re.compile(
    rf"[^<{_DIGIT_CHARS}]*+(?:<!--.*?-->|<!\[CDATA\[.*?\]\]>|<[!?][^>]*>"
    rf"|<(?P<slash>/?)(?P<name>[A-Za-z][A-Za-z0-9-]*+)(?:\"[^\"]*\"|'[^']*'|[^'\">]++)*+>"
    rf"|(?P<digits>[{_DIGIT_CHARS}]+)|<)",
    re.DOTALL,
)


@functools.lru_cache(maxsize=64)
def _plain_run(scope: str) -> re.Pattern[str]:
    """A regex for the text and tags that change nothing for
    `localize_digits_html` inside an element named `scope` that carries a lang attribute
    (the innermost; '' for none), then the run of `digits` that follows, if one does. The
    tags: not named `scope` nor in _DIGIT_SKIP or _RAW_TEXT, with no 'lang' in any case (so
    no lang attribute), matched as `_TOKEN` matches them. Comments and the like are left to
    `_NEXT_TOKEN_OR_DIGITS`."""
    names = "|".join(_any_case(n) for n in sorted(_DIGIT_SKIP | _RAW_TEXT | ({scope} if scope else set())))
    no_lang = "[lL](?![aA][nN][gG])"
    return re.compile(
        rf"(?:[^<{_DIGIT_CHARS}]++|<(?!/?(?:{names})(?![A-Za-z0-9-]))/?(?![lL][aA][nN][gG])[A-Za-z]"
        rf"(?:\"(?:[^\"lL]++|{no_lang})*+\"|'(?:[^'lL]++|{no_lang})*+'|[^'\">lL]++|{no_lang})*+>)*+"
        rf"(?P<digits>[{_DIGIT_CHARS}]+)?",
        re.DOTALL,
    )


def _any_case(name: str) -> str:
    """A regex for tag name `name` (ASCII) in any case: 'ab' → '[aA][bB]' (an inline
    IGNORECASE flag costs the regex engine more on every tag)."""
    return "".join(f"[{c}{c.upper()}]" if c.isalpha() else re.escape(c) for c in name)


@functools.lru_cache(maxsize=64)
def _raw_text_end(name: str) -> re.Pattern[str]:
    """The end tag of raw-text element `name` (lower case), in any case."""
    return re.compile(rf"</(?i:{name})\s*>")
