"""Raw seed text → typed blocks, one per non-blank line.

A scraped page is a flat run of lines: the headline, paragraphs, subheadings, image captions,
teaser widgets, markers (source, keywords, read-also, similar articles) and their lists. This
module decodes the bytes, cleans each line and names what it is from its own shape (and, for
headings, the shape of the line after it). Which article a block belongs to, and what a line
after a marker means, is decided in `articles.py`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from sitegen.arabic import ARABIC_LETTER, fold, is_mostly_arabic, match_marker, parse_date
from sitegen.errors import SourceError

log = logging.getLogger(__name__)

MARKER_KINDS = ("read_also", "similar", "source", "keywords")
"""Block kinds that introduce a non-body part of the page (their text is what follows the marker)."""

# Lines longer than this are never markers: checking them would only cost time on huge lines.
_MAX_MARKER_LINE = 500
# A caption is a short unpunctuated line: "دونالد ترامب", `"دونالد ترامب" و "إيلون ماسك"`.
CAPTION_MAX_WORDS = 8
# A subheading is a short line ending with ؟ ? or : that introduces a paragraph.
HEADING_MAX_WORDS = 15
# An unpunctuated line this long is text the scraper lost the full stop of, not page furniture.
PARAGRAPH_MIN_WORDS = 15

SENTENCE_END = (".", "!", "…")
HEADING_END = ("؟", "?", ":", "：")
_CLOSERS = "\"'»”’)]}> "
_BULLET = re.compile(r"^[•·▪●◦‣∙○■□➢►*\-–—]\s*(?=\S)")
# Space the scraper left before punctuation: "رامبل ، التي", "دولار ." (not " .5", "10 :30").
_SPACE_BEFORE_PUNCT = re.compile(r"[ \t]+(?=[،؛؟.!?,;:](?!\w))")
_SPACES = re.compile(r" {2,}")
# "kicker.. headline": two or more full stops, or an ellipsis, between two phrases.
TEASER_SEPARATOR = re.compile(r"\s*(?:\.{2,}|…)\s*")
# "الاقتصاد نيوز - متابعة", "رويترز – وكالات": outlet, dash, how the story was gathered.
_BYLINE = re.compile(r"^(?P<name>[^-–—]{2,60}?)\s*[-–—]\s*(?:متابعه|وكالات|خاص|متابعات)$")
# Folded page furniture: share buttons, follow-us lines, copyright, ad slots, breadcrumbs.
# (Written as on the page and folded like the lines it is matched against: على → علي.)
_BOILERPLATE = re.compile(fold(
    r"^(?:شارك(?: الخبر| المقال| هذا الخبر)?(?: على .*)?|تابعنا على .*|تابعونا على .*"
    r"|جميع الحقوق محفوظه.*|حقوق النشر.*|©.*|اعلان|اعلانات|الرئيسيه(?: .*)?|طباعه|ارسل لصديق"
    r"|اشترك في .*|حمل تطبيق .*|share(?: on .*)?|tweet|print|advertisement|copyright.*)$"
))
# C0 controls other than tab, newline, vertical tab, form feed, carriage return: binary data.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Line:
    """One non-blank line of a seed, cleaned."""

    no: int
    """1-based line number in the seed file."""
    text: str
    """The line with no-break spaces made plain, spaces before punctuation removed, trimmed."""


@dataclass(frozen=True)
class Block:
    """One classified line."""

    kind: str
    """title-candidate shapes: paragraph, plain (long unpunctuated line), heading, caption,
    teaser, list_item, byline, date, noise; or a marker kind from MARKER_KINDS."""
    text: str
    """The cleaned line; for markers the text after the marker; for list items the text
    after the bullet; for bylines the outlet's name."""
    line: int
    """1-based line number in the seed."""


def decode(data: bytes, path: str) -> tuple[str, list[str]]:
    """Seed bytes → text, and warnings. A UTF-8 BOM and CRLF/CR line ends are accepted
    silently; bytes that are not UTF-8 are read as Windows-1256 (the Arabic code page) with a
    warning when that gives Arabic text. Raises SourceError for empty, binary or undecodable
    input, naming the byte offset."""
    if not data.strip():
        raise SourceError(path, "empty file: no text to import", stage="import")
    nul = data.find(b"\0")
    if nul >= 0:
        raise SourceError(path, "binary file (NUL byte), not a text page", offset=nul, stage="import")
    warnings: list[str] = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        text = data.decode("cp1256", errors="replace")
        # cp1256 maps every byte, so it "decodes" anything: accept it only when the result
        # reads as Arabic, the case it exists for.
        if not ARABIC_LETTER.search(text) or not is_mostly_arabic(text):
            raise SourceError(path, f"not valid UTF-8 (byte 0x{data[e.start]:02x}) and not "
                              "Arabic Windows-1256 text either", offset=e.start, stage="import") from None
        warnings.append(str(SourceError(path, f"not valid UTF-8 (byte 0x{data[e.start]:02x}); "
                                        "read as Windows-1256 (cp1256)", offset=e.start, stage="import")))
    controls = _CONTROL.search(text)
    if controls:
        raise SourceError(path, f"binary file (control character U+{ord(controls.group()):04X}), "
                          "not a text page", line=text.count("\n", 0, controls.start()) + 1, stage="import")
    return text.replace("\r\n", "\n").replace("\r", "\n"), warnings



def clean(text: str) -> str:
    """One line made tidy: no-break spaces and tabs become plain spaces (the scraper's
    mangled word spaces), spaces before punctuation go, runs of spaces become one."""
    text = text.replace("\u00a0", " ").replace("\u202f", " ").replace("\t", " ")
    text = _SPACE_BEFORE_PUNCT.sub("", text)
    return _SPACES.sub(" ", text).strip()


def split_lines(text: str) -> list[Line]:
    """The non-blank lines of `text`, cleaned, with their line numbers. Lines holding only
    spaces or no-break spaces are blank."""
    out = []
    for no, raw in enumerate(text.split("\n"), start=1):
        line = clean(raw.removeprefix("\ufeff"))
        if line:
            out.append(Line(no, line))
    return out


def ends_sentence(text: str) -> bool:
    """True when `text` ends like a sentence (full stop, !, …), quotes and brackets aside."""
    return text.rstrip(_CLOSERS).endswith(SENTENCE_END)


def ends_question(text: str) -> bool:
    """True when `text` ends with ؟ ? or : (quotes and brackets aside)."""
    return text.rstrip(_CLOSERS).endswith(HEADING_END)


def is_teaser(text: str) -> bool:
    """A "kicker.. headline" teaser: phrases joined by '..' with no sentence end."""
    return bool(TEASER_SEPARATOR.search(text)) and not ends_sentence(text) and len(text.split()) >= 3


def _shape(text: str) -> str:
    """The kind of a line judged by itself (headings are settled by `classify`)."""
    words = len(text.split())
    if ends_sentence(text):
        return "paragraph"
    if is_teaser(text):
        return "teaser"
    if ends_question(text):
        return "heading" if words <= HEADING_MAX_WORDS else "paragraph"
    if words >= PARAGRAPH_MIN_WORDS:
        return "paragraph"
    if words <= CAPTION_MAX_WORDS and len(text) <= 80:
        return "caption"
    return "plain"


def classify_line(line: Line) -> Block:
    """Name one line's kind from its own shape and spelling."""
    text = line.text
    if len(text) <= _MAX_MARKER_LINE:
        marker = match_marker(text)
        if marker:
            return Block(marker[0], marker[1], line.no)
    bullet = _BULLET.match(text)
    if bullet:
        return Block("list_item", text[bullet.end():].strip(), line.no)
    key = fold(text)
    if len(text) <= 80:
        byline = _BYLINE.match(key)
        if byline:
            name = re.split(r"\s*[-–—]\s*", text)[0].strip()
            return Block("byline", name, line.no)
        if _BOILERPLATE.match(key):
            return Block("noise", text, line.no)
        if len(text.split()) <= CAPTION_MAX_WORDS and not ends_sentence(text) and (iso := parse_date(text)):
            return Block("date", iso, line.no)
    return Block(_shape(text), text, line.no)


def classify(lines: list[Line]) -> list[Block]:
    """Classify every line. A heading-shaped line (short, ending with ؟ ? :) is a heading only
    when a paragraph follows it; otherwise it is kept as a paragraph, never dropped."""
    blocks = [classify_line(line) for line in lines]
    for i, b in enumerate(blocks):
        if b.kind == "heading":
            nxt = blocks[i + 1].kind if i + 1 < len(blocks) else None
            if nxt not in ("paragraph", "plain", "list_item"):
                blocks[i] = Block("paragraph", b.text, b.line)
    return blocks


def read_seed(path: Path, display: str, max_mb: int) -> tuple[str, bytes, list[str]]:
    """Read a seed file: (text, raw bytes, warnings). Refuses files over `max_mb` MiB with a
    size message before reading them."""
    try:
        size = path.stat().st_size
    except OSError as e:
        raise SourceError(display, f"cannot read: {e.strerror or e}", stage="import") from None
    if size > max_mb * 1024 * 1024:
        raise SourceError(display, f"file is {size / 1024 / 1024:.1f} MiB, over max_seed_mb = {max_mb} "
                          "(raise it in config.toml to import this seed)", stage="import")
    data = path.read_bytes()
    text, warnings = decode(data, display)
    return text, data, warnings
