"""Split and parse `---` YAML front matter, and write it back, with line numbers in errors.

The importer writes with `dump`; the loader reads with `parse`. Both sides use PyYAML's safe
subset only: a content file can never construct Python objects.
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

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
        meta = _simple_mapping(block)
        if meta is not None:
            return meta  # holds no alias, escape or control character (see _ODD)
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


# --- The fast path ------------------------------------------------------------------------
# PyYAML's constructor is Python, and was most of loading 10,000 articles. Front matter as
# the importer and `sitegen new` write it is a small subset of YAML: `key: scalar`, lists of
# scalars or of one-level `key: scalar` mappings, one-level mappings. `_simple_mapping` reads
# exactly that subset, line by line, and gives up (None: PyYAML reads the block) on anything
# else: comments, blank lines, anchors, tags, flow collections other than [] and {}, block
# scalars, continuation lines, escapes, tabs, any character YAML treats specially. Plain
# scalars are typed by PyYAML's own implicit resolvers and constructors (dates, numbers,
# booleans, null), so a value is the same object yaml.load would make.
# tests/test_load_link_fastpaths.py checks it against yaml.load on random blocks.

# Characters outside YAML's printable set, YAML's line breaks other than \n (NEL, LS, PS),
# tabs and the byte order mark: never read by the fast path.
_ODD = "\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff"
# A plain scalar on one line (trailing spaces already stripped) starts with none of these
# (indicators, spaces), and holds no odd character, no ': ' or ' #', no ':' last.
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@` \u00a0")
_NOT_PLAIN = re.compile(rf"[{_ODD}]|:(?: |$)| #")
_SINGLE = re.compile(rf"'(?:[^'{_ODD}]|'')*'")
_DOUBLE = re.compile(rf'"[^"\\{_ODD}]*"')
# `key:` or `key: value`; keys are short identifiers (libyaml limits simple keys' length).
_PAIR = re.compile(r"([A-Za-z_][A-Za-z0-9_]{0,63}):(?: +(.+))?")
_STR_TAG = "tag:yaml.org,2002:str"
_CONSTRUCT = {tag: yaml.constructor.SafeConstructor.yaml_constructors[tag]
              for tag in ("tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
                          "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp")}
_constructor = yaml.constructor.SafeConstructor()


class _NotSimple(Exception):
    """The block is outside the fast path's subset: PyYAML reads it."""


def _simple_mapping(block: str) -> dict[str, Any] | None:
    """`block` as yaml.load reads it, when it is in the simple subset; else None."""
    if not block:
        return None
    lines = [line.rstrip(" ") for line in block.split("\n")]
    meta: dict[str, Any] = {}
    try:
        at = 0
        while at < len(lines):
            m = _PAIR.fullmatch(lines[at])
            if m is None:
                return None
            at += 1
            if m[2] is not None:
                meta[_key(m[1])] = _value(m[2])
            else:
                meta[_key(m[1])], at = _nested(lines, at)
    except _NotSimple:
        return None
    return meta


def _nested(lines: list[str], at: int) -> tuple[Any, int]:
    """The value of a `key:` line, from the lines after it (at `at`); and the next line."""
    if at == len(lines) or lines[at][:1] not in ("-", " "):
        return None, at  # `key:` and nothing under it: null
    line = lines[at]
    indent = len(line) - len(line.lstrip(" "))
    if line.startswith("- ", indent):
        items: list[Any] = []
        dash = " " * indent + "- "
        inner = " " * (indent + 2)
        while at < len(lines) and lines[at].startswith(dash):
            item = lines[at][len(dash):]
            at += 1
            m = _PAIR.fullmatch(item)
            if m is None:
                items.append(_value(item))
                continue
            # `- key: value` and `  key: value` lines under it: a mapping.
            mapping = {_key(m[1]): _value(_given(m[2]))}
            while at < len(lines) and lines[at].startswith(inner) and lines[at][len(inner):len(inner) + 1] not in (" ", "-"):
                m = _PAIR.fullmatch(lines[at][len(inner):])
                if m is None:
                    raise _NotSimple
                mapping[_key(m[1])] = _value(_given(m[2]))
                at += 1
            items.append(mapping)
        return items, at
    if indent == 0:
        raise _NotSimple
    mapping = {}
    prefix = " " * indent
    while at < len(lines) and lines[at].startswith(prefix) and lines[at][indent:indent + 1] not in (" ", ""):
        m = _PAIR.fullmatch(lines[at][indent:])
        if m is None:
            raise _NotSimple
        mapping[_key(m[1])] = _value(_given(m[2]))
        at += 1
    return mapping, at


def _given(value: str | None) -> str:
    """A value that must be on its key's line (nesting deeper is left to PyYAML)."""
    if value is None:
        raise _NotSimple
    return value


def _key(text: str) -> str:
    key = _key_of(text)
    if key is None:  # `null:`, `true:`, `on:` …
        raise _NotSimple
    return key


@functools.lru_cache(maxsize=1024)  # a site has a dozen keys, on every article
def _key_of(text: str) -> str | None:
    key = _plain(text)
    return key if isinstance(key, str) else None


def _value(text: str) -> Any:
    """One scalar (plain, or quoted without escapes), `[]` or `{}`."""
    if text == "[]":
        return []
    if text == "{}":
        return {}
    first = text[0]
    if first == "'":
        if _SINGLE.fullmatch(text) is None:
            raise _NotSimple
        return text[1:-1].replace("''", "'")
    if first == '"':
        if _DOUBLE.fullmatch(text) is None:
            raise _NotSimple
        return text[1:-1]
    if first in _INDICATORS or first.isspace() or _NOT_PLAIN.search(text) is not None:
        raise _NotSimple
    return _plain(text)


def _plain(text: str) -> Any:
    """A plain scalar typed as PyYAML's resolver and safe constructor type it."""
    resolvers = _Loader.yaml_implicit_resolvers
    if text[0] not in resolvers and None not in resolvers:
        return text  # most text: no resolver looks at it
    candidates = resolvers.get(text[0], []) + resolvers.get(None, [])
    tag = next((tag for tag, regexp in candidates if regexp.match(text)), _STR_TAG)
    if tag == _STR_TAG:
        return text
    construct = _CONSTRUCT.get(tag)
    if construct is None:
        raise _NotSimple
    try:
        return construct(_constructor, yaml.ScalarNode(tag, text))
    except Exception:  # noqa: BLE001 - PyYAML reads it again and reports it as it does
        raise _NotSimple from None


def dump(meta: dict[str, Any], body: str) -> str:
    """A content file: `meta` as YAML (keys in the given order, Arabic unescaped), then body."""
    block = yaml.dump(meta, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                      default_flow_style=False, width=1_000_000)
    return f"{FENCE}\n{block}{FENCE}\n\n{body.strip()}\n"
