"""Split and parse `---` YAML front matter, and write it back, with line numbers in errors.

The importer writes with `dump`; the loader reads with `parse`. Both sides use PyYAML's safe
subset only: a content file can never construct Python objects.
"""

from __future__ import annotations

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
    try:
        meta = yaml.load(block, Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 2 if mark else 1  # +1 for the fence, +1 for 1-based lines
        problem = e.problem or e.context or "invalid YAML"
        raise SourceError(path, f"invalid YAML: {problem}", line=line, stage="front matter") from None
    except yaml.YAMLError as e:
        raise SourceError(path, f"invalid YAML: {e}", line=1, stage="front matter") from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise SourceError(path, f"front matter must be a mapping of keys, not {type(meta).__name__}",
                          line=2, stage="front matter")
    return FrontMatter(meta=meta, body=body, body_line=body_line)


def dump(meta: dict[str, Any], body: str) -> str:
    """A content file: `meta` as YAML (keys in the given order, Arabic unescaped), then body."""
    block = yaml.dump(meta, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                      default_flow_style=False, width=1_000_000)
    return f"{FENCE}\n{block}{FENCE}\n\n{body.strip()}\n"
