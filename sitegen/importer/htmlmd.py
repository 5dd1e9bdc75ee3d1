"""An HTML fragment (a feed entry's content or summary) → Markdown that reads the same.

Kept: paragraphs, headings (as `##`…), lists, block quotes, line breaks, bold, italics, code,
and links whose target is http(s) or mailto (a relative one is resolved against the page the
fragment comes from, or dropped when that is not known). Dropped with everything inside them:
scripts, styles, iframes, objects, forms, SVG, templates. Dropped but their text kept:
links to `javascript:`, `data:` or `vbscript:` targets, and every other element. Images are
dropped: a digest keeps no copies of an outlet's images.
Text is escaped so that it can never become markup: `<script>` in the text stays text.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin

# Elements whose content is never text for a reader.
_DROP = frozenset({"script", "style", "noscript", "iframe", "object", "embed", "template", "svg",
                   "math", "form", "button", "select", "textarea", "head", "title", "canvas",
                   "audio", "video", "picture", "map"})
_VOID = frozenset({"br", "img", "hr", "input", "meta", "link", "source", "wbr", "area", "col",
                   "embed", "param", "track", "base"})
_BLOCKS = frozenset({"p", "div", "section", "article", "header", "footer", "main", "aside",
                     "figure", "figcaption", "table", "tr", "dl", "dt", "dd", "address", "details",
                     "summary", "center", "nav", "caption", "tbody", "thead", "tfoot"})
_HEADINGS = {"h1": 2, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_SAFE_SCHEMES = ("http://", "https://", "mailto:")
_UNSAFE_SCHEME = re.compile(r"^\s*[a-z][a-z0-9+.-]*:", re.IGNORECASE)
_MD_INLINE = re.compile(r"([\\`*_\[\]])")
# A line starting so may start a Markdown block: `#عاجل` is a heading, `--` or `==` under a
# line makes it one, `- ` a list, `> ` a quote, `1. ` a numbered list.
_BLOCK_START = re.compile(r"^(?:([#>+=-])|(\d+)[.)](?=\s|$))")
_SPACE = re.compile(r"[ \t\r\n\f\u00a0]+")


def html_to_markdown(html: str, base: str | None = None) -> str:
    """Markdown for the HTML fragment `html` (see the module docstring); '' when it holds
    no text. `base`: the http(s) URL of the page it comes from, for its relative links (in
    an imported article they would point into our own site)."""
    parser = _Converter(base=base)
    parser.feed(html)
    parser.close()
    return parser.result()


def html_to_text(html: str) -> str:
    """The text of an HTML fragment, whitespace made single spaces (for titles and names
    that a feed may send as HTML)."""
    parser = _Converter(plain=True)
    parser.feed(html)
    parser.close()
    parser._flush()
    return " ".join(" ".join(b for b, _ in parser.blocks).split())


def safe_link(href: str) -> str | None:
    """`href` when a reader may follow it (http, https, mailto, or a relative URL), else None."""
    href = href.strip()
    if not href or href.startswith(_SAFE_SCHEMES):
        return href or None
    # A relative URL has no scheme; "javascript:", "data:", "vbscript:" and the like have one.
    return None if _UNSAFE_SCHEME.match(href) else href


def escape(text: str) -> str:
    """Text made safe as Markdown inline content: it reads the same and never becomes markup."""
    # Every "&": a browser reads "&#1" or "&copy" as a character even without the ";".
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_INLINE.sub(r"\\\1", text)


def _escape_start(line: str) -> str:
    """A line that would start a Markdown block (# > - + = 1.) gets that character escaped."""
    m = _BLOCK_START.match(line)
    if not m:
        return line
    if m.group(1) == "=":  # not backslash-escapable in Python-Markdown; an entity reads the same
        return "&#61;" + line[1:]
    if m.group(1):
        return "\\" + line
    return f"{m.group(2)}\\{line[len(m.group(2)):]}"


class _Converter(HTMLParser):
    """Collects blocks as (Markdown line(s), kind) while walking the fragment."""

    def __init__(self, plain: bool = False, base: str | None = None) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.plain = plain
        """Text only: no Markdown marks, no escaping (for titles and names)."""
        self.blocks: list[tuple[str, str]] = []
        self.inline: list[str] = []
        self.dropping = 0
        """How deep inside a dropped element (`drop_tag`) the parser is; 0: not dropping."""
        self.drop_tag = ""
        self.links: list[str | None] = []
        self.lists: list[str] = []
        self.quote = 0
        self.pre = 0
        self.heading = 0

    # --- blocks -------------------------------------------------------------------------
    def _flush(self, kind: str = "p") -> None:
        raw = "".join(self.inline)
        self.inline = []
        if self.pre:
            text = raw.strip("\n")
            if text.strip():
                self.blocks.append(("\n".join(["```", text, "```"]), "pre"))
            return
        # Line breaks (<br>) are kept as Markdown hard breaks; other whitespace is one space.
        parts = [_SPACE.sub(" ", p).strip() for p in raw.split("\n")]
        parts = [p for p in parts if p]
        if not parts:
            return
        if self.heading:
            line = "#" * self.heading + " " + " ".join(parts)
        elif self.lists:
            marker = "1." if self.lists[-1] == "ol" else "-"
            indent = "    " * (len(self.lists) - 1)
            line = f"{indent}{marker} " + "  \n".join(parts)
            kind = "li"
        else:
            line = "  \n".join(_escape_start(p) for p in parts)
        if self.quote:
            line = "\n".join("> " * self.quote + x for x in line.split("\n"))
        self.blocks.append((line, kind))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.dropping:
            if tag == self.drop_tag and tag not in _VOID:
                self.dropping += 1
            return
        if tag in _DROP:
            if tag not in _VOID:
                self.dropping, self.drop_tag = 1, tag
            return
        if self.plain:
            if tag in _BLOCKS or tag in _HEADINGS or tag in ("li", "br", "td", "th"):
                self.inline.append(" ")
            return
        if tag in _HEADINGS:
            self._flush()
            self.heading = _HEADINGS[tag]
        elif tag in ("ul", "ol"):
            self._flush()
            self.lists.append(tag)
        elif tag == "li":
            self._flush()
        elif tag == "blockquote":
            self._flush()
            self.quote += 1
        elif tag == "pre":
            self._flush()
            self.pre += 1
        elif tag in _BLOCKS:
            self._flush()
        elif tag == "br":
            self.inline.append("\n")
        elif tag in ("td", "th"):
            self.inline.append(" ")
        elif tag in ("strong", "b"):
            self.inline.append("**")
        elif tag in ("em", "i"):
            self.inline.append("*")
        elif tag == "code" and not self.pre:
            self.inline.append("`")
        elif tag == "a":
            href = safe_link(dict(attrs).get("href") or "")
            if href is not None and not href.startswith(_SAFE_SCHEMES):
                href = safe_link(urljoin(self.base, href)) if self.base else None
            self.links.append(href)
            if href is not None:
                self.inline.append("[")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.dropping:
            if tag == self.drop_tag:
                self.dropping -= 1
            return
        if self.plain:
            return
        if tag in _HEADINGS:
            self._flush("h")
            self.heading = 0
        elif tag in ("ul", "ol"):
            self._flush()
            if self.lists:
                self.lists.pop()
        elif tag == "li":
            self._flush()
        elif tag == "blockquote":
            self._flush()
            self.quote = max(0, self.quote - 1)
        elif tag == "pre":
            self._flush()
            self.pre = max(0, self.pre - 1)
        elif tag in _BLOCKS:
            self._flush()
        elif tag in ("strong", "b"):
            self._close_inline("**")
        elif tag in ("em", "i"):
            self._close_inline("*")
        elif tag == "code" and not self.pre:
            self._close_inline("`")
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href is not None:
                self._close_link(href)

    def _close_inline(self, mark: str) -> None:
        """Close an emphasis: an empty one is removed, and spaces move outside the marks
        (`** x **` is not emphasis in Markdown)."""
        try:
            start = len(self.inline) - 1 - self.inline[::-1].index(mark)
        except ValueError:
            return
        inner = "".join(self.inline[start + 1:])
        del self.inline[start:]
        if not inner.strip():
            self.inline.append(inner)
            return
        lead = inner[: len(inner) - len(inner.lstrip())]
        trail = inner[len(inner.rstrip()):]
        self.inline.append(f"{lead}{mark}{inner.strip()}{mark}{trail}")

    def _close_link(self, href: str) -> None:
        try:
            start = len(self.inline) - 1 - self.inline[::-1].index("[")
        except ValueError:
            return
        inner = "".join(self.inline[start + 1:]).strip()
        del self.inline[start:]
        if inner:
            target = href.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
            self.inline.append(f"[{inner}]({target})")

    def handle_data(self, data: str) -> None:
        if self.dropping:
            return
        self.inline.append(data if self.pre or self.plain else escape(data))

    def result(self) -> str:
        self._flush()
        out: list[str] = []
        prev = ""
        for text, kind in self.blocks:
            # The items of one list are one block: no blank line between them.
            if out and kind == "li" and prev == "li":
                out[-1] += "\n" + text
            else:
                out.append(text)
            prev = kind
        return "\n\n".join(out)
