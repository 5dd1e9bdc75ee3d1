"""Minify HTML and CSS, and precompress text files (.gz, .br), on the build's outputs before
they are written (`process_outputs`), so the writer's staging and pruning cover the minified
files and their siblings too.

Both are optional by config (`minify`, `compress`). The output is deterministic: gzip with
mtime 0 and no file name, Brotli at a fixed quality. A .br already in the output folder that
decompresses to the file's bytes is reused rather than redone. A sibling that no longer saves
bytes is not produced, so the writer removes the old one: a host serving X.gz in place of X
never gets an out-of-date copy.
"""

from __future__ import annotations

import gzip
import logging
import re
from pathlib import Path
from typing import Iterable

from sitegen.config import Config
from sitegen.model import Output

log = logging.getLogger(__name__)

COMPRESSIBLE = frozenset({".html", ".htm", ".css", ".js", ".mjs", ".xml", ".atom", ".rss",
                          ".json", ".webmanifest", ".txt", ".svg"})
"""Suffixes that get a .gz (and .br) sibling: text formats; images and fonts are compressed already."""

GZIP_LEVEL = 9
BROTLI_QUALITY = 11
"""Highest settings: the cost is paid once per build, the saving on every request."""


def minify_bytes(name: str, data: bytes) -> bytes:
    """`data` minified when `name` is an HTML or CSS file; otherwise, or when it is not UTF-8,
    `data` unchanged.

    Closing tags and the `<html>`/`<head>` start tags are kept: they cost few bytes and keep
    the pages readable to simple HTML parsers (the link checker, feed readers). Scripts are
    left as written: a JS minifier's bugs would change what a page does.
    """
    suffix = Path(name).suffix.lower()
    if suffix not in {".html", ".htm", ".css"}:
        return data
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        log.warning("%s: minify: not UTF-8, left as it is", name)
        return data
    import minify_html  # imported here: only sites with `minify = true` pay for loading it

    if suffix == ".css":
        # minify-html's Python API has no CSS entry point; a lone <style> element is one.
        out = minify_html.minify(f"<style>{text}</style>", minify_css=True)
        if not (out.startswith("<style>") and out.endswith("</style>")):
            log.warning("%s: minify: CSS minifier gave unexpected output, left as it is", name)
            return data
        out = out[len("<style>"):-len("</style>")]
    else:
        protect = _KEEP not in text
        if protect:
            text = _protect_inline_spaces(text)
        out = minify_html.minify(text, minify_css=True, keep_closing_tags=True,
                                 keep_html_and_head_opening_tags=True)
        if protect:
            out = out.replace(_KEEP, " ")
    return out.encode("utf-8")


_KEEP = "\ue000"
"""A private-use character standing for a space the minifier must keep (see below)."""

_INLINE = ("a|abbr|b|bdi|bdo|br|button|cite|code|data|del|dfn|em|i|img|input|ins|kbd|label|"
           "mark|meter|output|picture|progress|q|s|samp|select|small|span|strong|sub|sup|svg|"
           "time|u|var|wbr")
_VERBATIM = re.compile(r"(<(pre|textarea|script|style)\b.*?</\2\s*>)", re.IGNORECASE | re.DOTALL)
_SPACE_RUN = re.compile(
    rf"(<(?:/?)(?:{_INLINE})\b[^<>]*>)[ \t\r\n\f]+(?=</?(?:{_INLINE})\b)", re.IGNORECASE)


def _protect_inline_spaces(text: str) -> str:
    """Mark whitespace-only runs between two inline tags (`</a>\\n  <a>`) as a kept space.

    minify-html drops whitespace-only text inside "layout" elements (div, nav, header, ...),
    which glues `<a>الرئيسية</a> <a>الوسوم</a>` into one word on screen. Under
    `white-space: normal` such a run shows as exactly one space, so one kept space is the
    same page. <pre>, <textarea>, <script> and <style> are left exactly as they are.
    """
    parts = _VERBATIM.split(text)
    # split() with two groups yields: text, whole verbatim element, its tag name, text, ...
    for i in range(0, len(parts), 3):
        parts[i] = _SPACE_RUN.sub(lambda m: m.group(1) + _KEEP, parts[i])
    return "".join(part for i, part in enumerate(parts) if i % 3 != 2)


def compress_gzip(data: bytes) -> bytes:
    """`data` gzipped, deterministically: mtime 0 and no file name in the header."""
    return gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)


def compress_brotli(data: bytes) -> bytes:
    """`data` compressed with Brotli in text mode."""
    import brotli  # imported here: only sites with `compress = true` pay for loading it

    return brotli.compress(data, mode=brotli.MODE_TEXT, quality=BROTLI_QUALITY)


def _decompress_brotli(data: bytes) -> bytes:
    import brotli

    return brotli.decompress(data)


MIN_SIZE = 128
"""Files smaller than this many bytes get no siblings: headers eat any saving."""
SIBLINGS = (".gz", ".br")
"""The precompressed siblings written next to each compressible file."""


def compressed(data: bytes, ext: str, previous: Path | None = None) -> bytes | None:
    """The `ext` ('.gz' or '.br') sibling's bytes for a file holding `data`, or None when
    compressing does not make it smaller.

    For '.br', when `previous` (the sibling as it is on disk, written by an earlier run)
    already decompresses to `data`, its bytes are reused: Brotli at quality 11 runs under
    1 MB/s, and decompressing to check is a hundred times faster. gzip is fast enough to
    redo every time, which also keeps a foreign .gz (say, one with a timestamp) from
    surviving a build.
    """
    if len(data) < MIN_SIZE:
        return None
    if ext == ".gz":
        compress, decompress = compress_gzip, gzip.decompress
    elif ext == ".br":
        compress, decompress = compress_brotli, _decompress_brotli
    else:
        raise ValueError(f"unknown compressed sibling {ext!r}")
    if previous is not None and ext == ".br":
        try:
            old = previous.read_bytes()
            if len(old) < len(data) and decompress(old) == data:
                return old
        except Exception:  # noqa: BLE001 - missing, unreadable or not ours: compress afresh
            pass
    packed = compress(data)
    return packed if len(packed) < len(data) else None


def process_outputs(outputs: Iterable[Output], config: Config) -> list[Output]:
    """The build's outputs minified (config `minify`) and with .gz/.br siblings added
    (config `compress`), for the build to stage and write.

    Siblings already in `config.output_dir` from the previous build are reused when they
    still match. With both settings off, the outputs come back as they are.
    """
    items = list(outputs)
    if not (config.minify or config.compress):
        return items
    taken = {o.path for o in items}
    result: list[Output] = []
    for o in items:
        data = minify_bytes(o.path, o.data) if config.minify else o.data
        result.append(Output(path=o.path, data=data) if data is not o.data else o)
        if config.compress and Path(o.path).suffix.lower() in COMPRESSIBLE:
            for ext in SIBLINGS:
                if o.path + ext in taken:  # the site ships its own: never two files for one path
                    continue
                packed = compressed(data, ext, config.output_dir / (o.path + ext))
                if packed is not None:
                    result.append(Output(path=o.path + ext, data=packed))
    return result
