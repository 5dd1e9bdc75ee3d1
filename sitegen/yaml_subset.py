"""Front matter as the importer and `sitegen new` write it, read without PyYAML's constructor
(which is Python, and was most of loading 10,000 articles).

That front matter is a small subset of YAML: `key: scalar`, lists of scalars or of one-level
`key: scalar` mappings, one-level mappings. `read` reads exactly that subset, line by line,
and gives up (None) on anything else, which the caller then hands to PyYAML: comments, blank
lines, anchors, tags, flow collections other than [] and {}, block scalars, continuation
lines, escapes, tabs, any character YAML treats specially. Plain scalars are typed by
PyYAML's own implicit resolvers and constructors (dates, numbers, booleans, null), so a value
is the same object yaml.load would make. tests/test_load_link_fastpaths.py checks it against
yaml.load on random blocks.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import yaml

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


def read(block: str) -> dict[str, Any] | None:
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
    resolvers = yaml.SafeLoader.yaml_implicit_resolvers
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
