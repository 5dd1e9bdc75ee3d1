"""Shortcuts through Python-Markdown that skip work which cannot change its output, tied to
the inline patterns and block processors Python-Markdown 3.11 and our extensions register.

`install(md)` adds two of them to a configured `markdown.Markdown`:
- a treeprocessor marking element text that no inline pattern can match as `AtomicString`,
  so the inline pass (~20 regular expressions per text) skips it;
- a block processor handing a block that no other block processor can claim straight to
  the paragraph processor.

Each is installed only when every registered pattern or processor is one this module knows
(by name and class); otherwise that shortcut is left out, with a debug message, and
Python-Markdown does all of its own work: the output is the same either way.
tests/test_markdown_fastpaths.py checks the tables below against the patterns themselves and
the output with and without the shortcuts.
"""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable

import markdown
from markdown.blockprocessors import BlockProcessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

log = logging.getLogger(__name__)


def install(md: markdown.Markdown) -> None:
    """Register the shortcuts that `md`'s patterns and processors allow (see the module)."""
    may_match = _inline_prefilter(md)
    if may_match is not None:
        # Just before the inline pass (20), after footnotes (50) adds its definitions.
        md.treeprocessors.register(_PlainText(md, may_match), "sitegen_plain_text", 25)
    else:
        log.debug("markdown: an inline pattern of unknown needs is registered; no plain-text shortcut")
    blocks = md.parser.blockprocessors
    if {(p.name, type(blocks[p.name]).__name__) for p in blocks._priority} == _BLOCK_PROCESSORS:
        # First of all (empty is 100).
        blocks.register(_PlainParagraph(md), "sitegen_plain_paragraph", 110)
    else:
        log.debug("markdown: the block processors are not the known ones; no plain-paragraph shortcut")


# What each inline pattern registered by Python-Markdown 3.11 and our extensions needs in a text
# before it can match: (pattern name, its class) → the shapes of its matches, each a set of
# strings such a match contains. Derived from the patterns' regular expressions;
# tests/test_markdown_fastpaths.py checks them against the patterns themselves.
_INLINE_NEEDS: dict[tuple[str, str], tuple[tuple[str, ...], ...]] = {
    ("backtick", "BacktickInlineProcessor"): (("`",),),  # `code` (or backslashes before one)
    ("escape", "EscapeInlineProcessor"): (("\\",),),
    ("footnote", "FootnoteInlineProcessor"): (("[",),),  # [^1]
    ("reference", "ReferenceInlineProcessor"): (("[",),),
    ("link", "LinkInlineProcessor"): (("[",),),
    ("image_link", "ImageInlineProcessor"): (("[",),),  # ![
    ("image_reference", "ImageReferenceInlineProcessor"): (("[",),),
    ("short_reference", "ShortReferenceInlineProcessor"): (("[",),),
    ("short_image_ref", "ShortImageReferenceInlineProcessor"): (("[",),),
    ("autolink", "AutolinkInlineProcessor"): (("<",),),
    ("automail", "AutomailInlineProcessor"): (("<",),),
    ("linebreak", "SubstituteTagInlineProcessor"): (("  \n",),),
    ("html", "HtmlInlineProcessor"): (("<",),),
    ("entity", "HtmlInlineProcessor"): (("&", ";"),),  # &name; &#1; — not "Trump Media & Co"
    ("em_strong", "DelimiterProcessor"): (("*",), ("_",)),
}
# Let through as well, though no pattern needs them: the placeholder marks (STX, ETX),
# attr_list's braces, and the closing "]" and ">". Not "!": an image needs a "[" too.
_ALWAYS_INLINE = ("\x02", "\x03", "{", "}", "]", ">")


def _inline_prefilter(md: markdown.Markdown) -> Callable[[str], bool] | None:
    """A test true of every text some registered inline pattern could match (and of some
    others), or None when a pattern is registered whose needs `_INLINE_NEEDS` does not know."""
    needs: set[tuple[str, ...]] = {(c,) for c in _ALWAYS_INLINE}
    for name in md.inlinePatterns._priority:
        key = (name.name, type(md.inlinePatterns[name.name]).__name__)
        if key not in _INLINE_NEEDS:
            return None
        needs.update(_INLINE_NEEDS[key])
    # One character class and a few substring tests are much faster than one alternation.
    singles = sorted(n[0] for n in needs if len(n) == 1 and len(n[0]) == 1)
    chars = re.compile("[" + "".join(map(re.escape, singles)) + "]")
    others = sorted(n for n in needs if len(n) > 1 or len(n[0]) > 1)

    def may_match(text: str) -> bool:
        if chars.search(text):
            return True
        for need in others:
            if all(s in text for s in need):
                return True
        return False

    return may_match


class _PlainText(Treeprocessor):
    """Marks element text that no inline pattern can match as `AtomicString`, so the inline
    pass (~20 regular expressions per text) skips it: most paragraphs of Arabic prose."""

    def __init__(self, md: markdown.Markdown, may_match: Callable[[str], bool]) -> None:
        super().__init__(md)
        self.may_match = may_match

    def run(self, root: etree.Element) -> None:
        may_match = self.may_match
        for el in root.iter():
            text = el.text
            if text and not isinstance(text, AtomicString) and not may_match(text):
                el.text = AtomicString(text)


# The block processors registered by Python-Markdown 3.11 and our extensions, and what each
# needs in a block before it claims it instead of the paragraph processor (its `test`, or for
# footnote and reference, its `run`, which puts back a block it does not match):
_BLOCK_PROCESSORS = {
    ("empty", "EmptyBlockProcessor"),  # "" or a leading blank line
    ("indent", "ListIndentProcessor"),  # four leading spaces
    ("code", "CodeBlockProcessor"),  # four leading spaces
    ("table", "TableProcessor"),  # a pipe in the first two lines
    ("hashheader", "HashHeaderProcessor"),  # "#" at the start of a line
    ("setextheader", "SetextHeaderProcessor"),  # a second line of "=" or "-"
    ("hr", "HRProcessor"),  # a line of "-", "_" or "*" after up to three spaces
    ("olist", "SaneOListProcessor"),  # digits (any script's) and "." after up to three spaces
    ("ulist", "SaneUListProcessor"),  # "*", "+" or "-" after up to three spaces
    ("quote", "BlockQuoteProcessor"),  # ">" after up to three spaces on any line
    ("footnote", "FootnoteBlockProcessor"),  # "[^" after up to three spaces on any line
    ("reference", "ReferenceProcessor"),  # "[" after up to three spaces on any line
    ("paragraph", "ParagraphProcessor"),
}
# A block none of them can claim has none of these: a pipe, a "[", a stashed-HTML placeholder,
# or a marker character at the start of a line (after any spaces); and is not empty and does
# not start with whitespace. (Three tests: one alternation of them scans much slower.)
_CLAIMING_CHAR = re.compile(r"[|\[\x02\x03]")
_MARKED_LINE = re.compile(r"[ \t]*[-*+_=#>\d]")
_MARKED_LATER_LINE = re.compile(r"\n[ \t]*[-*+_=#>\d]")


def _plain_block(block: str) -> bool:
    """True when no block processor but the paragraph one can claim `block`."""
    return (block != "" and not block[0].isspace() and _MARKED_LINE.match(block) is None
            and _MARKED_LATER_LINE.search(block) is None and _CLAIMING_CHAR.search(block) is None)


class _PlainParagraph(BlockProcessor):
    """Hands a block that no other block processor can claim (most paragraphs of prose)
    straight to the paragraph processor, instead of testing it against each of them."""

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md.parser)
        self.paragraph = md.parser.blockprocessors["paragraph"]

    def test(self, parent: etree.Element, block: str) -> bool:
        return _plain_block(block)

    def run(self, parent: etree.Element, blocks: list[str]) -> bool | None:
        return self.paragraph.run(parent, blocks)
