"""Minify and precompress the built output: smaller files, the same page for the reader."""

from __future__ import annotations

import gzip
import html.parser
import re
import shutil
import time
from pathlib import Path

import brotli
import pytest

import sitegen.hashing
import sitegen.incremental.store
from sitegen.config import Config
from sitegen.model import Output
from sitegen.postprocess import SIBLINGS, minify_bytes, process_outputs
from sitegen.write import OutputState, Staging, WriteResult

PAGE = """<!DOCTYPE html>
<html lang="ar" dir="rtl">
<head>
  <meta charset="utf-8">
  <title>موجز الأخبار</title>
  <link rel="stylesheet" href="/style.css">
  <style>
    .lead   { font-size : 1.5rem ; }
  </style>
</head>
<body>
  <!-- masthead -->
  <header class="masthead">
    <h1>موجز   الأخبار</h1>
    <nav>
      <a href="/">الرئيسية</a>
      <a href="/tags/">الوسوم</a> |
      <a href="/archive/">الأرشيف</a>
    </nav>
  </header>
  <main>
    <article>
      <h2 class="lead" dir="auto">ترامب يطلق منصة <bdi>Truth Social</bdi> ، بعد حظره</h2>
      <p>
        أعلن الرئيس الأمريكي السابق   دونالد ترامب عن منصة
        <b>تروث</b> <i>سوشيال</i>، التي تنافس <a href="/articles/رامبل/">رامبل</a>.
      </p>
      <pre>  سطر أول
      سطر   ثانٍ بمسافات  محفوظة
</pre>
      <ul>
        <li>واحد</li>
        <li>اثنان <span>وثلاثة</span></li>
      </ul>
      <p>قيمة الصفقة <code>10   مليار</code> دولار.</p>
    </article>
  </main>
  <script>
    // left as written
    var   x = 1;
  </script>
</body>
</html>
"""

CSS = """/* digest theme */
:root {
  --ink : #222222;
  --paper: #ffffff;
}
body {
  margin-inline-start : 0px ;
  color: var(--ink);
  background: var(--paper);
  font-family: "Noto Naskh Arabic", "Segoe UI", serif;
  line-height: 1.8;
}
pre { white-space: pre; }
@media (prefers-color-scheme: dark) {
  body { color : #eeeeee ; }
}
"""

FEED = ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
        + "".join(f"  <entry><title>خبر رقم {i}: ترامب و تروث سوشيال</title></entry>\n" for i in range(20))
        + "</feed>\n")


def site_files() -> list[Output]:
    """A small built site: Arabic HTML under an Arabic folder name, CSS, a feed, an image."""
    files: dict[str, str | bytes] = {
        "index.html": PAGE,
        "articles/عنوان-المقال/index.html": PAGE.replace("موجز الأخبار</title>", "عنوان المقال</title>"),
        "style.css": CSS,
        "feed.xml": FEED,
        "robots.txt": "User-agent: *\n",
        "logo.png": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
    }
    return [Output(rel, content.encode("utf-8") if isinstance(content, str) else content)
            for rel, content in files.items()]


def edited(path: str, data: bytes) -> list[Output]:
    """`site_files()` with the file at `path` holding `data`."""
    return [Output(o.path, data) if o.path == path else o for o in site_files()]


def by_path(outputs: list[Output]) -> dict[str, bytes]:
    return {o.path: o.data for o in outputs}


def config(tmp_path: Path, **keys: object) -> Config:
    return Config(root=tmp_path, **keys)  # type: ignore[arg-type]


def snapshot(out: Path) -> dict[str, tuple[bytes, int]]:
    return {p.relative_to(out).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(out.rglob("*")) if p.is_file()}


def write(cfg: Config, outputs: list[Output], previous: OutputState | None = None
          ) -> tuple[WriteResult, OutputState, list[str]]:
    """Write `outputs` into cfg.output_dir as sitegen.build does, `previous` being the state
    the last write returned; also returns the paths written or removed."""
    staging = Staging(cfg.output_dir, previous or {}, sitegen.incremental.store.scan(cfg.output_dir),
                      sitegen.hashing.digest)
    try:
        staging.add(outputs)
        result, state = staging.commit(())
        return result, state, staging.changed
    finally:
        staging.discard()


# --- what a reader sees ----------------------------------------------------------------------
BLOCK = {"html", "head", "body", "header", "nav", "main", "article", "section", "footer", "h1",
         "h2", "h3", "h4", "h5", "h6", "p", "div", "ul", "ol", "li", "pre", "table", "tr",
         "td", "th", "br", "blockquote", "figure", "figcaption", "title"}
HIDDEN = {"script", "style", "head"}


class _VisibleText(html.parser.HTMLParser):
    """The text a page shows, by CSS `white-space: normal` rules: whitespace runs are one
    space, whitespace at block edges is nothing, and <pre> content is kept exactly."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.pre: list[str] = []
        self.hidden = 0
        self.in_pre = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self._tag(tag, +1)

    def handle_endtag(self, tag: str) -> None:
        self._tag(tag, -1)

    def _tag(self, tag: str, step: int) -> None:
        if tag in HIDDEN:
            self.hidden += step
        if tag == "pre":
            self.in_pre += step
            if step > 0:
                self.pre.append("")
        if tag in BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        if self.in_pre:
            self.pre[-1] += data
            self.parts.append(data)
        else:
            self.parts.append(re.sub(r"\s+", " ", data))

    def lines(self) -> list[str]:
        text = "".join(self.parts)
        return [" ".join(line.split()) for line in text.split("\n") if line.strip()]


def visible(html_text: str) -> tuple[list[str], list[str]]:
    parser = _VisibleText()
    parser.feed(html_text)
    parser.close()
    return parser.lines(), parser.pre


def test_visible_text_helper_can_tell_a_change() -> None:
    """The comparison below would catch a minifier that glued two words or touched <pre>."""
    assert visible("<p><b>تروث</b> <i>سوشيال</i></p>") != visible("<p><b>تروث</b><i>سوشيال</i></p>")
    assert visible("<pre>a  b</pre>") != visible("<pre>a b</pre>")
    assert visible("<ul>\n <li>a</li>\n <li>b</li>\n</ul>") == visible("<ul><li>a</li><li>b</li></ul>")


def test_minify_keeps_what_the_page_shows(tmp_path: Path) -> None:
    files = by_path(site_files())
    small = by_path(process_outputs(site_files(), config(tmp_path, minify=True)))
    before = files["index.html"].decode("utf-8")
    after = small["index.html"].decode("utf-8")
    assert len(after) < len(before)
    assert "<!--" not in after and "  " not in after.split("<pre>")[0]
    assert visible(after) == visible(before)
    assert "<pre>  سطر أول\n      سطر   ثانٍ بمسافات  محفوظة\n</pre>" in after
    assert '<html dir=rtl lang=ar>' in after or '<html lang=ar dir=rtl>' in after
    assert "var   x = 1;" in after  # scripts are never rewritten
    # Two pages and the stylesheet; feed, robots, image untouched; minifying adds no file.
    assert sorted(p for p in files if small[p] != files[p]) == sorted(
        ["index.html", "articles/عنوان-المقال/index.html", "style.css"])
    assert sorted(small) == sorted(files)
    assert small["feed.xml"] == FEED.encode("utf-8")
    assert sum(map(len, small.values())) < sum(map(len, files.values()))


@pytest.mark.parametrize("fragment", [
    '<div class="tags">\n  <a href="/tags/ترامب/">ترامب</a>\n  <a href="/tags/تروث/">تروث سوشيال</a>\n</div>',
    "<nav><a href=/>الرئيسية</a> <a href=/tags/>الوسوم</a></nav>",
    "<header>\n<span>السبت</span>\n<time datetime=2026-11-21>21 نوفمبر</time>\n</header>",
    "<footer><p>أ</p>\n<small>ب</small>\n<a href=/feed.xml>ج</a></footer>",
])
def test_minify_never_glues_words_in_layout_elements(fragment: str) -> None:
    """minify-html alone drops the space between two links in a div or nav (a word
    "الرئيسيةالوسوم" on screen); the space must survive."""
    page = f"<!DOCTYPE html><html lang=ar dir=rtl><head><title>ت</title></head><body>{fragment}</body></html>"
    small = minify_bytes("index.html", page.encode()).decode()
    assert visible(small) == visible(page)
    assert "\ue000" not in small


def test_minify_css_keeps_every_rule(tmp_path: Path) -> None:
    small = minify_bytes("style.css", CSS.encode()).decode()
    assert len(small) < len(CSS) * 0.8
    assert "/*" not in small and "\n" not in small
    for needed in ("margin-inline-start:0", "line-height:1.8", "prefers-color-scheme:dark",
                   "Noto Naskh Arabic", "var(--ink)"):
        assert needed in small


def test_minify_is_idempotent_and_skips_unchanged_files(tmp_path: Path) -> None:
    cfg = config(tmp_path, minify=True, compress=True)
    first = process_outputs(site_files(), cfg)
    _result, state, _changed = write(cfg, first)
    written = snapshot(cfg.output_dir)
    # Minified pages minify to themselves, and give the same siblings.
    pages = [o for o in first if not o.path.endswith(SIBLINGS)]
    assert process_outputs(pages, cfg) == first
    result, _state, changed = write(cfg, process_outputs(site_files(), cfg), state)
    assert (result.written, changed) == (0, [])
    assert snapshot(cfg.output_dir) == written  # same bytes and same modification times


def test_compress_writes_gz_and_br_next_to_text_files(tmp_path: Path) -> None:
    files = by_path(process_outputs(site_files(), config(tmp_path, compress=True)))
    for rel in ("index.html", "articles/عنوان-المقال/index.html", "style.css", "feed.xml"):
        original = files[rel]
        gz = files[f"{rel}.gz"]
        br = files[f"{rel}.br"]
        assert gzip.decompress(gz) == original
        assert brotli.decompress(br) == original
        assert len(gz) < len(original) and len(br) < len(original)
        assert gz[4:8] == b"\0\0\0\0"  # gzip header mtime 0: no build time in the bytes
    assert "logo.png.gz" not in files  # not a text format
    assert "robots.txt.gz" not in files  # too small to gain anything
    assert [sum(p.endswith(ext) for p in files) for ext in (".gz", ".br")] == [4, 4]
    # Compressing alone never changes the files themselves.
    assert files["index.html"] == PAGE.encode("utf-8")


def test_compressed_files_hold_the_minified_bytes(tmp_path: Path) -> None:
    files = by_path(process_outputs(site_files(), config(tmp_path, minify=True, compress=True)))
    assert gzip.decompress(files["index.html.gz"]) == files["index.html"]
    assert files["index.html"] != PAGE.encode("utf-8")


def test_process_outputs_is_deterministic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a = process_outputs(site_files(), config(tmp_path / "a", minify=True, compress=True))
    # A different time must not reach the output (gzip puts the clock in its header by default).
    monkeypatch.setattr(time, "time", lambda: 1.0)
    b = process_outputs(site_files(), config(tmp_path / "b", minify=True, compress=True))
    assert a == b
    assert "index.html.br" in by_path(a)


def test_off_by_default_touches_nothing(tmp_path: Path) -> None:
    files = site_files()
    out = process_outputs(files, config(tmp_path))
    assert out == files and all(a is b for a, b in zip(out, files))


def test_stale_sibling_removed_when_compression_gains_nothing(tmp_path: Path) -> None:
    cfg = config(tmp_path, compress=True)
    long = edited("robots.txt", b"User-agent: *\n" + b"Disallow: /old/\n" * 20)
    first = process_outputs(long, cfg)
    assert "robots.txt.gz" in by_path(first)
    _result, state, _changed = write(cfg, first)
    result, _state, changed = write(cfg, process_outputs(site_files(), cfg), state)
    assert not (cfg.output_dir / "robots.txt.gz").exists()
    assert not (cfg.output_dir / "robots.txt.br").exists()
    assert sorted(changed) == ["robots.txt", "robots.txt.br", "robots.txt.gz"]
    assert result.removed == 2


def test_rewritten_source_gets_a_fresh_gz(tmp_path: Path) -> None:
    cfg = config(tmp_path, compress=True)
    _result, state, _changed = write(cfg, process_outputs(site_files(), cfg))
    feed = FEED.replace("خبر رقم 3", "خبر معدّل").encode("utf-8")
    _result, _state, changed = write(cfg, process_outputs(edited("feed.xml", feed), cfg), state)
    assert sorted(changed) == ["feed.xml", "feed.xml.br", "feed.xml.gz"]
    assert "خبر معدّل".encode() in gzip.decompress((cfg.output_dir / "feed.xml.gz").read_bytes())


def test_unchanged_files_are_not_compressed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Brotli at quality 11 is slow; a file whose bytes and siblings are as last written is
    skipped, while a changed file or a sibling deleted by hand is redone."""
    import sitegen.postprocess as pp

    cfg = config(tmp_path, compress=True)
    _result, state, _changed = write(cfg, process_outputs(site_files(), cfg))
    done: list[int] = []
    real = pp.compress_brotli
    monkeypatch.setattr(pp, "compress_brotli", lambda data: done.append(len(data)) or real(data))
    process_outputs(site_files(), cfg)
    assert done == []
    (cfg.output_dir / "style.css.br").unlink()
    feed = (FEED + "<!-- 2 -->\n").encode("utf-8")
    _result, _state, changed = write(cfg, process_outputs(edited("feed.xml", feed), cfg), state)
    assert len(done) == 2
    assert sorted(p for p in changed if p.endswith(".br")) == ["feed.xml.br", "style.css.br"]
    assert brotli.decompress((cfg.output_dir / "style.css.br").read_bytes()) == CSS.encode()
    assert brotli.decompress((cfg.output_dir / "feed.xml.br").read_bytes()).endswith(b"<!-- 2 -->\n")


# --- on the build's outputs, before they are written --------------------------------------------
def site_outputs() -> list[Output]:
    return [Output(path="index.html", data=PAGE.encode()),
            Output(path="articles/عنوان-المقال/index.html", data=PAGE.replace("<h1>", "<h1>مقال: ").encode()),
            Output(path="static/style.css", data=CSS.encode()),
            Output(path="feed.xml", data=FEED.encode()),
            Output(path="robots.txt", data=b"User-agent: *\n")]


def test_process_outputs_adds_siblings_the_build_writes_atomically(tmp_path: Path, monkeypatch) -> None:
    import sitegen.postprocess as pp

    cfg = config(tmp_path, minify=True, compress=True)
    outputs = process_outputs(site_outputs(), cfg)
    by_path = {o.path: o.data for o in outputs}
    assert sorted(by_path) == sorted(["index.html", "index.html.gz", "index.html.br",
                                      "articles/عنوان-المقال/index.html",
                                      "articles/عنوان-المقال/index.html.gz",
                                      "articles/عنوان-المقال/index.html.br",
                                      "static/style.css", "static/style.css.gz", "static/style.css.br",
                                      "feed.xml", "feed.xml.gz", "feed.xml.br", "robots.txt"])
    assert visible(by_path["index.html"].decode()) == visible(PAGE)
    assert len(by_path["index.html"]) < len(PAGE.encode())
    assert brotli.decompress(by_path["index.html.br"]) == by_path["index.html"]
    assert gzip.decompress(by_path["static/style.css.gz"]) == by_path["static/style.css"]
    _result, state, _changed = write(cfg, outputs)
    first = snapshot(cfg.output_dir)

    # The next build reuses the siblings on disk instead of running Brotli again.
    done: list[int] = []
    real = pp.compress_brotli
    monkeypatch.setattr(pp, "compress_brotli", lambda data: done.append(len(data)) or real(data))
    again = process_outputs(site_outputs(), cfg)
    assert again == outputs and done == []
    result, _state, _changed = write(cfg, again, state)
    assert result.written == 0 and snapshot(cfg.output_dir) == first

    # One changed page: only its siblings are compressed again.
    changed = [o if o.path != "feed.xml" else Output(path=o.path, data=o.data + b"<!-- 2 -->\n")
               for o in site_outputs()]
    third = {o.path: o.data for o in process_outputs(changed, cfg)}
    assert len(done) == 1
    assert brotli.decompress(third["feed.xml.br"]).endswith(b"<!-- 2 -->\n")


def test_process_outputs_off_or_own_sibling(tmp_path: Path) -> None:
    assert process_outputs(site_outputs(), config(tmp_path)) == site_outputs()
    own = Output(path="feed.xml.gz", data=b"the site's own file")
    out = process_outputs([*site_outputs(), own], config(tmp_path, compress=True))
    assert [o for o in out if o.path == "feed.xml.gz"] == [own]  # never two files for one path


def test_process_outputs_is_the_same_whatever_was_on_disk(tmp_path: Path) -> None:
    """A clean build and a build over an old public/ give the same bytes: a .gz left by
    another tool (with a timestamp) is not kept just because it decompresses right."""
    cfg = config(tmp_path, compress=True)
    clean = process_outputs(site_outputs(), cfg)
    (cfg.output_dir).mkdir()
    (cfg.output_dir / "feed.xml.gz").write_bytes(gzip.compress(FEED.encode(), mtime=1_700_000_000))
    assert process_outputs(site_outputs(), cfg) == clean


# --- on the real site ----------------------------------------------------------------------------
def test_minified_seeds_site_shows_the_same_and_still_checks(seeds_site: Path, tmp_path: Path) -> None:
    """Every page the digest theme builds shows the same text after minify, and `sitegen
    check` (which parses the pages) still finds every link."""
    from sitegen.build import build
    from sitegen.cli import main
    from sitegen.config import load_config

    root = shutil.copytree(seeds_site, tmp_path / "site")
    out = root / "public"
    before = {p: p.read_text(encoding="utf-8") for p in sorted(out.rglob("*.html"))}
    assert len(before) > 5
    build(load_config(root / "config.toml").replace(minify=True, compress=True))
    assert sorted(out.rglob("*.html")) == list(before)
    for path, text in before.items():
        after = path.read_text(encoding="utf-8")
        assert len(after) < len(text), path
        assert visible(after) == visible(text), path
        assert gzip.decompress(path.with_name(path.name + ".gz").read_bytes()).decode() == after
    assert main(["check", "-q", "-C", str(root / "config.toml")]) == 0
