"""Where each thing of the site lives and how its address is written: output paths, URLs
(percent-encoded, under base_url), and text escaped for XML, HTML attributes and JSON in
HTML. Plain functions of plain values, imported by every stage that writes an address."""

from __future__ import annotations

import functools
import json
from typing import Any
from urllib.parse import quote

from sitegen.config import Config
from sitegen.frontmatter import NOT_XML


def article_path(slug: str) -> str:
    """The article's folder inside the output, e.g. `articles/خطة-ترامب/`."""
    return f"articles/{slug}/"


def url(config: Config, path: str) -> str:
    """Site-absolute href of an output `path` (under base_url's sub-path), percent-encoded."""
    return config.base_path + quoted(path)


def abs_url(config: Config, path: str) -> str:
    """Absolute URL (base_url + path), percent-encoded: canonical links, feeds, sitemap."""
    return config.base_url + quoted(path)


@functools.lru_cache(maxsize=65536)
def quoted(path: str) -> str:
    """`path` percent-encoded for an href (`/` and `#` kept as they are)."""
    # Memoised: every card links its tags, so a few hundred paths are quoted again and again.
    return quote(path, safe="/#")


def output_file(path: str) -> str:
    """The file of output `path`: itself for a file, its index.html for a folder."""
    return path if path.endswith((".html", ".xml")) else path + "index.html"


def page_path(path: str, number: int) -> str:
    """The output folder of page `number` of the list at folder `path`."""
    return path if number == 1 else f"{path}page/{number}/"


def alias_file(alias: str) -> str:
    """The output file of an article's alias: `articles/<alias>/index.html` for an old slug
    (no `/`); for a path inside the site (`/news/old-title/`, `old.html`), that path, or its
    index.html for a folder."""
    if "/" not in alias:
        return output_file(article_path(alias))
    path = alias.strip("/") if not alias.endswith((".html", ".htm")) else alias.lstrip("/")
    return path if path.endswith((".html", ".htm")) else path + "/index.html"


def xml_escape(text: str) -> str:
    """`text` as XML character data: what xml.sax.saxutils.escape gives, without importing
    that module (it imports urllib.request, http.client and email). Characters XML 1.0
    forbids are dropped: front matter refuses them (frontmatter.py), but config.toml's title
    or description may still hold one, and no feed or sitemap may be unreadable."""
    return NOT_XML.sub("", text).replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def quoteattr(text: str) -> str:
    """`text` as a quoted XML attribute value: what xml.sax.saxutils.quoteattr gives."""
    text = xml_escape(text).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' not in text:
        return f'"{text}"'
    if "'" not in text:
        return f"'{text}'"
    return '"' + text.replace('"', "&quot;") + '"'


def json_in_html(value: Any) -> str:
    """`value` as JSON for a <script> element: `<`, `>` and `&` written as \\u003c, \\u003e,
    \\u0026 (the same string to a JSON parser). Escaping only `</` is not enough: text
    holding `<!--<script>` switches the HTML parser into a state where `</script>` no longer
    ends the element, and the rest of the page is swallowed by it."""
    # Three replace() calls, not str.translate, which goes character by character through
    # the mapping.
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
