"""Split and parse `---` YAML front matter, and write it back, with line numbers in errors.

The importer writes with `dump`; the loader reads with `parse`. Both sides use PyYAML's safe
subset only: a content file can never construct Python objects.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sitegen import yaml_subset
from sitegen.errors import SourceError

# The C loader is several times faster on 10,000 files; the pure-Python one gives the same data.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

FENCE = "---"


@dataclass(frozen=True)
class FrontMatter:
    """A content file split in two."""

    meta: dict[str, Any]
    """The YAML mapping between the `---` fences."""
    body: str
    """The Markdown after the closing fence."""
    body_line: int
    """1-based line number of the body's first line in the file, for error messages."""


# A closing fence: a line that is `---` and trailing whitespace (what `line.rstrip() == FENCE`
# says), found by one regex search instead of splitting the whole file into lines.
_FENCE_LINE = re.compile(r"^---[^\S\n]*$", re.MULTILINE)


def split(text: str, path: str | Path) -> tuple[str, str, int]:
    """`text` split into (front matter YAML, body, 1-based line of the body in the file).

    Raises SourceError naming `path` when the opening or closing fence is missing.
    """
    text = text.removeprefix("\ufeff")
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    first_end = text.find("\n")
    if (text if first_end < 0 else text[:first_end]).strip() != FENCE:
        raise SourceError(path, "no front matter: the file must start with a '---' line",
                          line=1, stage="front matter")
    fence = _FENCE_LINE.search(text, first_end + 1) if first_end >= 0 else None
    if fence is None:
        raise SourceError(path, "front matter is not closed by a '---' line",
                          line=1, stage="front matter")
    block = text[first_end + 1:fence.start() - 1] if fence.start() > first_end + 1 else ""
    fence_line = text.count("\n", 0, fence.start())  # 0-based
    if fence.end() == len(text):
        body, skipped = "", -1
    else:
        rest = text[fence.end() + 1:]
        body = rest.lstrip("\n")
        skipped = len(rest) - len(body)
    return block, body, fence_line + 2 + skipped


def parse(text: str, path: str | Path) -> FrontMatter:
    """Split `text` (a content file's contents) into front matter and body.

    Raises SourceError naming `path` and the line for: no opening fence, no closing fence,
    YAML that does not parse, front matter that is not a mapping.
    """
    block, body, body_line = split(text, path)
    return FrontMatter(meta=parse_block(block, path), body=body, body_line=body_line)


def parse_block(block: str, path: str | Path) -> dict[str, Any]:
    """The front matter YAML `block` (as `split` gives it) → its mapping.

    Raises SourceError naming `path` and the line for YAML that does not parse, is not a
    mapping, or holds an impossible date (2026-13-01).
    """
    try:
        meta = yaml_subset.read(block)
        if meta is not None:
            return meta  # holds no alias, escape or control character (see sitegen.yaml_subset)
        _refuse_aliases(block, path)
        meta = yaml.load(block, Loader=_Loader)  # noqa: S506 - a safe loader
    except ValueError as e:
        # PyYAML builds dates itself and raises a bare ValueError for 2026-13-01: locate it.
        raise SourceError(path, f"not a valid date ({e})", line=_bad_date_line(block),
                          stage="front matter") from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 2 if mark else 1  # +1 for the fence, +1 for 1-based lines
        problem = e.problem or e.context or "invalid YAML"
        raise SourceError(path, f"invalid YAML: {problem}", line=line, stage="front matter") from None
    except yaml.reader.ReaderError as e:  # a character YAML does not allow at all
        raise SourceError(path, f"invalid YAML: character U+{e.character:04X} is not allowed ({e.reason})"
                          if isinstance(e.character, int) else f"invalid YAML: {e.reason}",
                          line=block.count("\n", 0, e.position) + 2, stage="front matter") from None
    except yaml.YAMLError as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise SourceError(path, f"invalid YAML: {first}", line=1, stage="front matter") from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise SourceError(path, f"front matter must be a mapping of keys, not {type(meta).__name__}",
                          line=2, stage="front matter")
    _refuse_forbidden_characters(meta, block, path)
    return meta


def _refuse_aliases(block: str, path: str | Path) -> None:
    """Raise SourceError at the first alias (`*name`) in `block`. An alias repeats a node by
    reference: nine nested lists of ten aliases each make a billion strings once
    constructed (8 s, 1.4 GB, and an error line of 226 MB). Front matter has no use for them;
    the parser's events are few and cheap, construction is what explodes."""
    if "*" not in block:
        return
    try:
        for event in yaml.parse(block, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent):
                line = event.start_mark.line + 2 if event.start_mark else 1
                raise SourceError(path, "invalid YAML: aliases (*name) are not allowed in front matter",
                                  line=line, stage="front matter")
    except yaml.YAMLError:
        return  # yaml.load reports it, with its line


# Characters XML 1.0 does not allow, even escaped: a title holding one (written "\0" or "\e" in
# a double-quoted YAML string) would make feed.xml and the sitemaps unreadable to any parser.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _refuse_forbidden_characters(meta: Any, block: str, path: str | Path, key: str = "") -> None:
    """Raise SourceError, at the line of its top-level key, for a string in `meta` holding a
    character XML 1.0 forbids (control characters other than tab and line breaks)."""
    if isinstance(meta, str):
        found = NOT_XML.search(meta)
        if found:
            line = next((n for n, text in enumerate(block.split("\n"), start=2)
                         if text.startswith(f"{key}:")), 1)
            raise SourceError(path, f"{key}: holds the control character U+{ord(found[0]):04X}, which "
                              "no page, feed or sitemap can carry: remove it", line=line,
                              stage="front matter")
    elif isinstance(meta, dict):
        for k, v in meta.items():
            _refuse_forbidden_characters(k, block, path, key or str(k))
            _refuse_forbidden_characters(v, block, path, key or str(k))
    elif isinstance(meta, list):
        for v in meta:
            _refuse_forbidden_characters(v, block, path, key)


_DATE_LIKE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")


def _bad_date_line(block: str) -> int:
    """The file line of the first YYYY-MM-DD in front matter `block` that is no real date."""
    for n, line in enumerate(block.split("\n"), start=2):  # line 1 is the opening fence
        for m in _DATE_LIKE.finditer(line):
            try:
                datetime.date(*map(int, m.groups()))
            except ValueError:
                return n
    return 1


def dump(meta: dict[str, Any], body: str) -> str:
    """A content file: `meta` as YAML (keys in the given order, Arabic unescaped), then body."""
    block = yaml.dump(meta, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                      default_flow_style=False, width=1_000_000)
    return f"{FENCE}\n{block}{FENCE}\n\n{body.strip()}\n"
