"""Request path → file in the output folder, and the Content-Type to send it with.

Pure functions: no sockets, no threads, so every path-safety case is a plain unit test.
"""

from __future__ import annotations

import mimetypes
import posixpath
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

# Our own table first: mimetypes reads /etc/mime.types, which differs between machines
# (.xml is text/xml on one and application/xml on another); the dev server should not.
_TYPES: dict[str, str] = {
    ".html": "text/html",
    ".htm": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".xsl": "application/xslt+xml",
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".pdf": "application/pdf",
    ".map": "application/json",
}

# Types that are text although not text/*: they get `; charset=utf-8` too.
_TEXTUAL = {
    "application/json",
    "application/manifest+json",
    "application/xml",
    "application/rss+xml",
    "application/atom+xml",
    "application/xslt+xml",
    "image/svg+xml",
}


def content_type(path: Path | str) -> str:
    """The Content-Type header for a file: with `charset=utf-8` for every textual type."""
    suffix = Path(path).suffix.lower()
    kind = _TYPES.get(suffix) or mimetypes.guess_type(f"x{suffix}")[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in _TEXTUAL:
        return f"{kind}; charset=utf-8"
    return kind


@dataclass(frozen=True)
class Resolved:
    """Where a request path leads inside the output folder."""

    status: int
    """200 a file to send, 301 redirect to `location`, 403 refused, 404 not found."""
    file: Path | None = None
    """The file to send (status 200)."""
    location: str = ""
    """The URL path to redirect to (status 301)."""


def url_path(target: str, base_path: str = "/") -> str | None:
    """The decoded path of a request target relative to the site's base path.

    Returns None when the target is outside `base_path` or cannot be a file path (NUL bytes,
    backslashes, bytes that are not UTF-8). The result never starts with '/'.
    """
    raw = urlsplit(target).path or "/"
    try:
        decoded = unquote(raw, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        return None
    if "\x00" in decoded or "\\" in decoded:
        return None
    if not decoded.startswith(base_path):
        # '/digest' for base '/digest/' still means the site root.
        if decoded + "/" == base_path:
            return ""
        return None
    return decoded[len(base_path):]


def resolve(root: Path, target: str, base_path: str = "/") -> Resolved:
    """Map a request target (as sent, percent-encoded) to a file under `root`.

    Anything that would land outside `root` after decoding, normalising and following
    symlinks is refused (403); directories give their index.html (a 301 adds the trailing
    slash first, so relative links in the page work); there are no directory listings.
    """
    rel = url_path(target, base_path)
    if rel is None:
        if base_path != "/" and urlsplit(target).path in ("", "/"):
            return Resolved(301, location=base_path)  # the server root → the site's sub-path
        return Resolved(403)
    # Refuse '..' outright rather than normalising it away: a request that tries to climb
    # is never a link the site itself generated.
    parts = [p for p in rel.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        return Resolved(403)
    try:
        base = root.resolve(strict=True)
    except OSError:
        return Resolved(404)
    candidate = base.joinpath(*parts)
    try:
        real = candidate.resolve(strict=True)
    except (OSError, RuntimeError):  # missing, or a symlink loop
        return Resolved(404)
    if not real.is_relative_to(base):
        return Resolved(403)
    if real.is_dir():
        if rel and not rel.endswith("/"):
            path = urlsplit(target).path
            query = urlsplit(target).query
            return Resolved(301, location=path + "/" + (f"?{query}" if query else ""))
        index = real / "index.html"
        try:
            real_index = index.resolve(strict=True)
        except (OSError, RuntimeError):
            return Resolved(404)
        if not real_index.is_relative_to(base) or not real_index.is_file():
            return Resolved(404 if real_index.is_relative_to(base) else 403)
        return Resolved(200, file=real_index)
    if not real.is_file():
        return Resolved(404)
    return Resolved(200, file=real)


def normalise_base_path(base_path: str) -> str:
    """'/digest' or 'digest/' → '/digest/'; '' → '/'."""
    base = posixpath.normpath("/" + base_path.strip("/"))
    return base if base.endswith("/") else base + "/"
