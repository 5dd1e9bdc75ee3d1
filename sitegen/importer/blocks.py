"""Seed text → cleaned lines, the unit every later stage labels.

A scraped page is a flat run of lines. This module only tidies each one (the scraper's
no-break spaces, spaces before punctuation, runs of spaces) and keeps its line number; what a
line *is* — headline, paragraph, caption, widget — is decided in `labels.py`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

log = logging.getLogger(__name__)

SENTENCE_END = (".", "!", "…")
_CLOSERS = "\"'»”’)]}> "
# Space the scraper left before punctuation: "رامبل ، التي", "دولار ." (not " .5", "10 :30").
_SPACE_BEFORE_PUNCT = re.compile(r"[ \t]+(?=[،؛؟.!?,;:](?!\w))")
_SPACES = re.compile(r" {2,}")
# "kicker.. headline": two or more full stops, or an ellipsis, between two phrases.
TEASER_SEPARATOR = re.compile(r"\s*(?:\.{2,}|…)\s*")


@dataclass(frozen=True)
class Line:
    """One non-blank line of a seed, cleaned."""

    no: int
    """1-based line number in the seed file."""
    text: str
    """The line with no-break spaces made plain, spaces before punctuation removed, trimmed."""


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
