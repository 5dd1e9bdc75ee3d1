"""`sitegen import FEED.xml` and `--feeds`: RSS 2.0 and Atom entries as articles, keyed by id.

The feeds below are written for these tests (our own words, the shapes real Arabic news
feeds have). URLs are served from 127.0.0.1 by a server that stops with the test.
"""

from __future__ import annotations

import html as html_lib
import http.server
import re
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Callable

import markdown
import pytest
from hypothesis import given, settings, strategies as st

from sitegen.cli import main
from sitegen.frontmatter import parse
from sitegen.importer.htmlmd import html_to_markdown

MakeSite = Callable[[dict[str, str]], Path]

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
<title>نشرة الساحل</title>
<link>https://sahil.example/</link>
<description>أخبار المدن الساحلية</description>
<item>
  <title>الصيادون يعودون إلى المرفأ بعد العاصفة</title>
  <link>https://sahil.example/news/1001</link>
  <guid isPermaLink="false">sahil-1001</guid>
  <pubDate>Sat, 14 Mar 2026 22:30:00 +0300</pubDate>
  <dc:creator>نادر الحلو</dc:creator>
  <category>صيد</category>
  <category>طقس</category>
  <category>طقس</category>
  <description>عاد الصيادون إلى المرفأ صباح اليوم.</description>
  <content:encoded><![CDATA[
    <p>عاد الصيادون إلى المرفأ صباح اليوم بعد ثلاثة أيام من العاصفة التي أغلقت الميناء، وقال
    <a href="https://sahil.example/port">رئيس الجمعية</a> إن الخسائر <strong>أقل</strong> من المتوقع.</p>
    <script>document.write("إعلان مزعج")</script>
    <p>وفي المساء <a href="javascript:alert('x')">اضغط هنا</a> لمتابعة <a href="/bulletin">النشرة</a>.</p>
    <h3>ما الذي تغيّر؟</h3>
    <ul><li>إصلاح الرصيف الشرقي</li><li>منارة جديدة</li></ul>
    <style>p { color: red }</style>
  ]]></content:encoded>
</item>
<item>
  <title>مهرجان السمك يفتتح دورته العاشرة</title>
  <link>https://sahil.example/news/1002</link>
  <guid isPermaLink="false">sahil-1002</guid>
  <pubDate>Sun, 15 Mar 2026 09:00:00 +0300</pubDate>
  <category>مهرجانات</category>
  <description><![CDATA[<p>افتتح المهرجان أبوابه للزوار بعشرات الأكشاك وعروض <b>الطبخ &amp; الحلويات</b>.</p>]]></description>
</item>
</channel>
</rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ar">
<title>وكالة الجبل للأنباء</title>
<id>urn:uuid:jabal-feed</id>
<updated>2026-03-16T08:00:00Z</updated>
<entry>
  <title type="html">قطار الجبل يستأنف &lt;b&gt;رحلاته&lt;/b&gt;</title>
  <id>urn:uuid:jabal-77</id>
  <link rel="alternate" href="https://jabal.example/train"/>
  <published>2026-03-16T07:15:00+02:00</published>
  <updated>2026-03-16T09:00:00+02:00</updated>
  <author><name>ليلى منصور</name></author>
  <category term="نقل"/>
  <category term="نقل عام"/>
  <category term="ريف" label="ریف"/>
  <source><title>صحيفة الهضبة</title><id>urn:uuid:hadaba</id></source>
  <summary>عاد القطار إلى العمل.</summary>
  <content type="html">&lt;p&gt;استأنف قطار الجبل رحلاته اليومية بعد صيانة استمرت شهرين، وسط ترحيب سكان القرى المعلقة على السفوح.&lt;/p&gt;</content>
</entry>
</feed>
"""


def _item(guid: str, title: str | None, date: str | None, text: str | None) -> str:
    parts = [f"<guid>{guid}</guid>", f"<link>https://sahil.example/news/{guid}</link>"]
    if title is not None:
        parts.append(f"<title>{title}</title>")
    if date is not None:
        parts.append(f"<pubDate>{date}</pubDate>")
    if text is not None:
        parts.append(f"<description>{text}</description>")
    return "<item>" + "".join(parts) + "</item>"


def rss(*items: str, title: str = "نشرة الساحل") -> str:
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{title}</title><link>https://sahil.example/</link>{''.join(items)}</channel></rss>\n")


def run(root: Path, *args: str) -> int:
    return main(["import", "-C", str(root / "config.toml"), *args])


def by_title(root: Path) -> dict[str, tuple[dict, str]]:
    out = {}
    for p in sorted((root / "content").glob("*.md")):
        fm = parse(p.read_text(encoding="utf-8"), p)
        out[fm.meta["title"]] = (fm.meta, fm.body)
    return out


# --- what an entry becomes ------------------------------------------------------------------
def test_rss_entries_become_articles_with_their_metadata(make_site: MakeSite) -> None:
    root = make_site({"feeds/sahil.xml": RSS})
    assert run(root, "-q", str(root / "feeds/sahil.xml")) == 0
    found = by_title(root)
    assert sorted(found) == ["الصيادون يعودون إلى المرفأ بعد العاصفة", "مهرجان السمك يفتتح دورته العاشرة"]
    meta, body = found["الصيادون يعودون إلى المرفأ بعد العاصفة"]
    # The day as the feed wrote it (22:30 at +03:00), not the UTC day.
    assert meta["date"] == "2026-03-14"
    assert meta["author"] == "نادر الحلو"
    assert meta["source"] == "نشرة الساحل"
    assert meta["source_url"] == "https://sahil.example/news/1001"
    assert meta["tags"] == ["صيد", "طقس"]
    assert meta["feed"]["id"] == "sahil-1001" and meta["feed"]["url"] == "feeds/sahil.xml"
    assert "seed" not in meta
    # Full content wins over the description; links kept, scripts, styles and javascript: gone.
    assert "[رئيس الجمعية](https://sahil.example/port)" in body and "**أقل**" in body
    assert "إعلان مزعج" not in body and "color" not in body and "javascript" not in body
    # A relative link resolves against the entry's page, not our site.
    assert "اضغط هنا لمتابعة [النشرة](https://sahil.example/bulletin)." in body
    assert "### ما الذي تغيّر؟" in body and "- إصلاح الرصيف الشرقي\n- منارة جديدة" in body
    assert meta["summary"] == "عاد الصيادون إلى المرفأ صباح اليوم."
    meta2, body2 = found["مهرجان السمك يفتتح دورته العاشرة"]
    assert body2 == "افتتح المهرجان أبوابه للزوار بعشرات الأكشاك وعروض **الطبخ &amp; الحلويات**.\n"
    # The summary is text: no Markdown marks, no character references.
    assert meta2["summary"] == "افتتح المهرجان أبوابه للزوار بعشرات الأكشاك وعروض الطبخ & الحلويات."
    assert meta2["date"] == "2026-03-15" and "author" not in meta2


def test_explain_lists_a_feeds_entries_and_writes_nothing(make_site: MakeSite,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({"feeds/sahil.xml": RSS})
    assert run(root, "--explain", str(root / "feeds/sahil.xml")) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("== feeds/sahil.xml (a feed: each entry is one article")
    assert out[1] == ("-> entry 1: 'الصيادون يعودون إلى المرفأ بعد العاصفة' "
                      "(source: نشرة الساحل, author: نادر الحلو, date: 2026-03-14)")
    assert out[2].startswith("-> entry 2: 'مهرجان السمك يفتتح دورته العاشرة'")
    assert not (root / "content").exists()
    # --feeds stands for config.toml's feeds here too.
    (root / "config.toml").write_text('base_url = "https://example.org/"\nfeeds = ["feeds/sahil.xml"]\n',
                                      encoding="utf-8")
    assert run(root, "--explain", "--feeds") == 0
    assert capsys.readouterr().out.splitlines()[1].startswith("-> entry 1: 'الصيادون يعودون إلى المرفأ")
    assert not (root / "content").exists()


def test_atom_entry_takes_its_own_source_and_folds_its_categories(make_site: MakeSite) -> None:
    root = make_site({"jabal.atom": ATOM})
    assert run(root, "-q", str(root / "jabal.atom")) == 0
    [(title, (meta, body))] = by_title(root).items()
    assert title == "قطار الجبل يستأنف رحلاته"  # an HTML title loses its markup
    assert meta["source"] == "صحيفة الهضبة"  # the entry's <source>, not the feed's title
    assert meta["author"] == "ليلى منصور"
    assert meta["date"] == "2026-03-16"
    assert meta["source_url"] == "https://jabal.example/train"
    # Persian yeh in a label becomes Arabic yeh; the two spellings of نقل stay two tags.
    assert meta["tags"] == ["نقل", "نقل عام", "ريف"]
    assert body.startswith("استأنف قطار الجبل رحلاته اليومية")


def test_html_converter_keeps_text_and_never_makes_markup() -> None:
    md = html_to_markdown('<p>1. ليس قائمة &lt;script&gt; و * نجمة [قوس]</p><p onclick="x()">'
                          '<a href="data:text/html,x">رابط</a> <a href=" https://a.example/ب ">ب</a> '
                          '<a href="/local">محلي</a></p>'
                          "<iframe><p>مخفي</p></iframe><ul><li>أ<ul><li>ب</li></ul></li></ul>")
    html = markdown.markdown(md)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<ol>" not in html and "* نجمة [قوس]" in html
    assert "data:" not in html and 'href="https://a.example/ب"' in html
    assert "محلي" in html and "/local" not in html  # relative, and no page to resolve it against
    assert "مخفي" not in html
    assert html.count("<ul>") == 2  # the nested list stays nested


# --- importing again --------------------------------------------------------------------------
def test_reimport_adds_new_entries_and_keeps_edited_ones(make_site: MakeSite) -> None:
    first = _item("a1", "الحافلات الكهربائية تصل إلى المدينة", "Mon, 02 Mar 2026 10:00:00 +0000",
                  "وصلت أول دفعة من الحافلات الكهربائية إلى المدينة.")
    second = _item("a2", "افتتاح جسر المشاة فوق النهر", "Tue, 03 Mar 2026 10:00:00 +0000",
                   "افتتحت البلدية جسراً جديداً للمشاة فوق النهر.")
    root = make_site({"f.xml": rss(first, second)})
    assert run(root, "-q", "f.xml") == 0
    files = {p.name: p.read_bytes() for p in (root / "content").glob("*.md")}
    assert len(files) == 2
    bus = root / "content" / "الحافلات-الكهربائية-تصل-إلى-المدينة.md"
    edited = bus.read_text(encoding="utf-8").replace("أول دفعة", "الدفعة الأولى")
    bus.write_text(edited, encoding="utf-8")
    # The outlet renames the bridge story and adds one; the bus story is unchanged upstream.
    renamed = second.replace("افتتاح جسر المشاة فوق النهر", "جسر المشاة الجديد يفتح للعموم")
    third = _item("a3", "سوق الكتب المستعملة يعود كل جمعة", "Wed, 04 Mar 2026 10:00:00 +0000",
                  "يعود سوق الكتب المستعملة إلى الساحة كل يوم جمعة.")
    (root / "f.xml").write_text(rss(third, first, renamed), encoding="utf-8")
    assert run(root, "-q", "f.xml") == 0
    now = {p.name: p for p in (root / "content").glob("*.md")}
    assert len(now) == 3  # one new file; the renamed entry keeps its file (keyed by id)
    assert bus.read_text(encoding="utf-8") == edited
    bridge = root / "content" / "افتتاح-جسر-المشاة-فوق-النهر.md"
    assert parse(bridge.read_text(encoding="utf-8"), bridge).meta["title"] == "جسر المشاة الجديد يفتح للعموم"
    # Once more with nothing new: nothing is written.
    before = {n: p.read_bytes() for n, p in now.items()}
    mtimes = {n: p.stat().st_mtime_ns for n, p in now.items()}
    assert run(root, "-q", "f.xml") == 0
    assert {n: p.read_bytes() for n, p in now.items()} == before
    assert {n: p.stat().st_mtime_ns for n, p in now.items()} == mtimes


# --- bad input ------------------------------------------------------------------------------
def test_bad_feeds_and_entries_are_one_line_each_and_the_rest_imports(
        make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    good = _item("g1", "حملة لتنظيف الشاطئ يوم السبت", "Sat, 07 Mar 2026 08:00:00 +0000",
                 "دعت الجمعية المتطوعين إلى تنظيف الشاطئ صباح السبت.")
    untitled = _item("g2", None, "Sat, 07 Mar 2026 09:00:00 +0000",
                     "قررت المدرسة الثانوية تمديد ساعات المكتبة حتى المساء، استجابة لطلب الطلاب.")
    undated = _item("g3", "ورشة لتعليم السباحة للأطفال", None, "تبدأ الورشة الأسبوع المقبل في المسبح البلدي.")
    empty = _item("g4", "عنوان بلا نص", "Sat, 07 Mar 2026 10:00:00 +0000", None)
    # A truncated feed is refused whole, though an HTML entity comes before the cut.
    truncated = rss(_item("t1", "خبر&nbsp;لن يستورد", "Sat, 07 Mar 2026 08:00:00 +0000", "نص."))[:-40]
    root = make_site({"good.xml": rss(good, untitled, undated, empty), "broken.xml": truncated,
                      "page.rss": "<html><body><p>ليست نشرة</p></body></html>"})
    with open(root / "huge.xml", "wb") as f:  # 50 MB, sparse: refused before it is read
        f.write(b"<rss>")
        f.truncate(50 * 1024 * 1024)
    assert run(root, "good.xml", "broken.xml", "page.rss", "huge.xml") == 1
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert re.search(r"^error: broken\.xml:\d+: import: not a well-formed feed", err, re.M), err
    assert "error: page.rss: import: not an RSS or Atom feed" in err
    assert "error: huge.xml: import: file is 50.0 MiB, over max_seed_mb = 20 (raise it in config.toml " \
           "to import this feed)" in lines
    assert "error: good.xml: entry 4: import: entry has no text (no content, no summary); skipped" in lines
    assert any(line.startswith("warning: good.xml: entry 2: import: entry has no title; inferred") for line in lines)
    assert "warning: good.xml: entry 3: import: entry 'ورشة لتعليم السباحة للأطفال' has no date " \
           "(or none readable); imported undated" in lines
    assert "Traceback" not in err
    found = by_title(root)
    assert len(found) == 3 and "خبر لن يستورد" not in found
    inferred = [m for m, _ in found.values() if m.get("title_inferred")]
    assert len(inferred) == 1 and inferred[0]["title"].startswith("قررت المدرسة الثانوية")
    assert "date" not in found["ورشة لتعليم السباحة للأطفال"][0]


def test_html_entities_a_link_to_javascript_and_a_taken_title(
        make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    nbsp = _item("e1", "أمطار&nbsp;غزيرة على&hellip; المرتفعات", "Mon, 09 Mar 2026 06:00:00 +0000",
                 "هطلت أمطار غزيرة على المرتفعات طوال الليل.").replace(
        "<link>https://sahil.example/news/e1</link>", "<link>javascript:alert(1)</link>")
    same = _item("e2", "أمطار غزيرة على… المرتفعات", "Mon, 09 Mar 2026 07:00:00 +0000",
                 "نسخة أخرى من الخبر نفسه بمعرف آخر.")
    other = _item("e3", "الطرق الجبلية مفتوحة", "Mon, 09 Mar 2026 08:00:00 +0000", "فتحت الطرق بعد الظهر.")
    root = make_site({"f.xml": rss(nbsp, same, other)})
    assert run(root, "f.xml") == 1
    err = capsys.readouterr().err
    [error] = [line for line in err.splitlines() if line.startswith("error:")]
    assert error.startswith("error: f.xml: entry 2: import: title 'أمطار غزيرة على… المرتفعات' is "
                            "already imported from feed entry e1")
    found = by_title(root)
    assert sorted(found) == ["أمطار غزيرة على… المرتفعات", "الطرق الجبلية مفتوحة"]
    meta = found["أمطار غزيرة على… المرتفعات"][0]
    assert "source_url" not in meta and meta["feed"]["id"] == "e1"


def test_a_feed_of_ten_thousand_entries_imports(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    items = [_item(f"n{i}", f"خبر رقم {i} عن مدينة الساحل", "Sun, 01 Mar 2026 10:00:00 +0000",
                   f"هذا نص الخبر رقم {i} في النشرة الكبيرة.") for i in range(10_000)]
    root = make_site({"big.xml": rss(*items)})
    # A dry run parses, plans and renders every entry as a real one does, without writing
    # 10,000 files (on a disk with fsync that alone is most of the time).
    start = time.perf_counter()
    assert run(root, "--dry-run", "big.xml") == 0
    took = time.perf_counter() - start
    assert "would import 1 seed: 10000 articles, 10000 to be written" in capsys.readouterr().err
    assert not (root / "content").exists()
    print(f"10,000 entries planned in {took:.1f} s")  # shown with -s; a figure, not a limit


# --- feeds from config.toml and from URLs -----------------------------------------------------
class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, bytes]] = {}
    release = threading.Event()

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if self.path == "/stall":
            self.release.wait(30)  # until the test ends (or the client gives up)
            return
        if self.path == "/cut":  # promises more than it sends, then hangs up
            self.send_response(200)
            self.send_header("Content-Length", "5000")
            self.end_headers()
            self.wfile.write(RSS.encode("utf-8")[:300])
            self.close_connection = True
            return
        status, body = self.routes.get(self.path, (404, b"not here"))
        self.send_response(status)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that gives up early (a feed refused by its Content-Length) breaks the
        # server's write: expected here, and not the importer's output to read.
        pass


@pytest.fixture
def feed_server() -> Iterator[tuple[str, dict[str, tuple[int, bytes]]]]:
    """An http server on 127.0.0.1, a free port, serving `routes`; stopped after the test."""
    routes: dict[str, tuple[int, bytes]] = {}
    handler = type("Handler", (_Handler,), {"routes": routes, "release": threading.Event()})
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", routes
    finally:
        handler.release.set()
        server.shutdown()
        server.server_close()
        thread.join()


def test_feeds_from_config_paths_and_urls_with_one_line_per_failure(
        make_site: MakeSite, feed_server: tuple[str, dict[str, tuple[int, bytes]]],
        capsys: pytest.CaptureFixture[str]) -> None:
    base, routes = feed_server
    routes["/sahil.xml"] = (200, RSS.encode("utf-8"))
    routes["/huge.xml"] = (200, b"<rss>" + b" " * (1024 * 1024 + 10) + b"</rss>")
    config = (f'base_url = "https://example.org/"\nmax_seed_mb = 1\nfeed_timeout = 1\n'
              f'feeds = ["local/jabal.atom", "{base}/sahil.xml", "{base}/gone.xml", "{base}/huge.xml", '
              f'"{base}/stall", "{base}/cut"]\n')
    root = make_site({"config.toml": config, "local/jabal.atom": ATOM})
    assert run(root, "--feeds") == 1
    err = capsys.readouterr().err
    assert f"error: {base}/gone.xml: import: cannot fetch: HTTP 404 Not Found" in err
    assert f"error: {base}/huge.xml: import: feed is 1.0 MiB, over max_seed_mb = 1; not imported" in err
    assert f"error: {base}/stall: import: cannot fetch: timed out" in err
    assert f"error: {base}/cut: import: cannot fetch: the connection closed after 300 of 5,000 bytes" in err
    assert len([line for line in err.splitlines() if line.startswith("error:")]) == 4
    assert "Traceback" not in err
    found = by_title(root)
    assert set(found) == {"قطار الجبل يستأنف رحلاته", "الصيادون يعودون إلى المرفأ بعد العاصفة",
                          "مهرجان السمك يفتتح دورته العاشرة"}
    assert found["مهرجان السمك يفتتح دورته العاشرة"][0]["feed"]["url"] == f"{base}/sahil.xml"


def test_feeds_flag_without_feeds_in_config_is_an_error(make_site: MakeSite,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({})
    assert run(root, "--feeds") == 1
    assert "config.toml: --feeds given but no `feeds` listed" in capsys.readouterr().err


def test_feeds_config_must_be_a_list_of_strings(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({"config.toml": 'feeds = "one.xml"\n'})
    assert run(root, "--feeds") == 1
    assert "config.toml: feeds must be a list of strings" in capsys.readouterr().err


# --- the site's own feed, imported into a fresh site ------------------------------------------
ROUND_TRIP = {
    "content/a.md": "---\ntitle: الحديقة تعود إلى الحياة\ndate: 2026-03-01\nsource: جريدة الواحة\n"
                    "tags: [حدائق, بلدية]\nsummary: عادت الحديقة إلى الحياة.\n---\n\n"
                    "عادت الحديقة إلى الحياة بعد موسم **طويل** من الجفاف، كما قال "
                    "[المهندس](https://example.net/garden).\n\n## ماذا بعد؟\n\n- زراعة أشجار جديدة\n"
                    "- تركيب مقاعد خشبية\n\nوفي الختام فقرة فيها `رمز` وكلمة *مائلة* و«اقتباس».\n",
    "content/b.md": "---\ntitle: قراءة في دفتر قديم\ndate: 2026-02-11\n---\n\n"
                    "> كان جدي يكتب كل مساء سطراً واحداً.\n\nهذه فقرة ثانية عن الدفتر القديم.\n",
    "content/c.md": "---\ntitle: مقال بلا تاريخ\n---\n\nنص قصير بلا تاريخ.\n",
}


def _bodies(root: Path) -> dict[str, tuple[str, str]]:
    """Title → (date shown, the rendered story body) of every article page."""
    out = {}
    for page in (root / "public/articles").glob("*/index.html"):
        html = page.read_text(encoding="utf-8")
        title = re.search(r'<h1 class="story-title"[^>]*>(.*?)</h1>', html, re.S).group(1)
        date = re.search(r'<time datetime="([^"]+)"', html)
        body = re.search(r'<div class="story-body">(.*?)</div>\s*(?:<ul class="tags"|</article>)', html, re.S).group(1)
        out[re.sub(r"<[^>]+>", "", title)] = (date.group(1) if date else "", body.strip())
    return out


def test_the_sites_own_feed_round_trips_into_a_fresh_site(tmp_path: Path, make_site: MakeSite) -> None:
    config = 'base_url = "https://example.org/"\nfeed_full_content = true\n'
    origin = make_site({**ROUND_TRIP, "config.toml": config})
    assert main(["build", "-q", "-C", str(origin / "config.toml")]) == 0
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "config.toml").write_text(config, encoding="utf-8")
    shutil.copytree(origin / "themes", fresh / "themes")
    assert main(["import", "-q", "-C", str(fresh / "config.toml"), str(origin / "public/feed.xml")]) == 0
    assert main(["build", "-q", "-C", str(fresh / "config.toml")]) == 0
    want, got = _bodies(origin), _bodies(fresh)
    assert sorted(want) == sorted(got) == sorted(["الحديقة تعود إلى الحياة", "قراءة في دفتر قديم", "مقال بلا تاريخ"])
    for title in want:
        assert got[title][1] == want[title][1], title
    assert got["الحديقة تعود إلى الحياة"][0] == want["الحديقة تعود إلى الحياة"][0] != ""
    assert got["مقال بلا تاريخ"][0] == ""
    # Each imported page links to its original.
    page = next((fresh / "public/articles").glob("*/index.html")).read_text(encoding="utf-8")
    assert re.search(r'<a class="original" href="https://example\.org/articles/[^"]+" rel="external">'
                     r"المصدر الأصلي</a>", page)
    assert '"isBasedOn": "https://example.org/articles/' in page


def test_without_full_content_entries_carry_the_summary_only(make_site: MakeSite) -> None:
    root = make_site(ROUND_TRIP)
    assert main(["build", "-q", "-C", str(root / "config.toml")]) == 0
    feed = (root / "public/feed.xml").read_text(encoding="utf-8")
    assert "<content" not in feed and "<summary>عادت الحديقة إلى الحياة.</summary>" in feed


def test_full_content_feed_follows_a_body_edit_in_an_incremental_build(make_site: MakeSite) -> None:
    root = make_site({**ROUND_TRIP, "config.toml": 'base_url = "https://example.org/"\nfeed_full_content = true\n'})
    assert main(["build", "-q", "-C", str(root / "config.toml")]) == 0
    path = root / "content/b.md"
    path.write_text(path.read_text(encoding="utf-8").replace("فقرة ثانية", "فقرة معدلة"), encoding="utf-8")
    assert main(["build", "-q", "-C", str(root / "config.toml")]) == 0
    feed = (root / "public/feed.xml").read_text(encoding="utf-8")
    assert "فقرة معدلة" in feed and "فقرة ثانية" not in feed


# --- the converter's escaping, on any text ------------------------------------------------------
_TEXT = st.lists(st.sampled_from(list("ابت ثج حخ 12 ab*_`[]()<>#&;!-+.=\\|~:") + ["&amp;", "&lt;", "1. "]),
                 min_size=1, max_size=30).map("".join)


@settings(max_examples=300, deadline=None)
@given(_TEXT, _TEXT)
def test_any_paragraph_text_reads_the_same_after_conversion(first: str, second: str) -> None:
    # Two lines of one paragraph (a <br> between): the second may look like a heading's
    # underline or a list, and must not become one.
    md = html_to_markdown(f"<p>{html_lib.escape(first)}<br>{html_lib.escape(second)}</p>")
    rendered = markdown.markdown(md)
    # What a reader sees is the text itself: no markup was made of it.
    shown = html_lib.unescape(re.sub(r"<br />\n?|</?p>", " ", rendered))
    assert " ".join(shown.split()) == " ".join(f"{first} {second}".split())


_PIECES = st.sampled_from([
    "<p>", "</p>", "<ul>", "</ul>", "<li>", "</li>", "<b>", "</b>", "<em>", "</em>", "<br>",
    "<h2>", "</h2>", "<blockquote>", "</blockquote>", "<div>", "</div>", "</a>",
    '<a href="javascript:alert(1)">', '<a href=" JavaScript:alert(1)">', '<a href="data:text/html,x">',
    '<a href="https://ok.example/صفحة">', '<img src="x" onerror="alert(1)">', "<script>",
    "</script>", "<style>", "</style>", '<p onclick="alert(1)">', "<iframe>", "</iframe>",
    "نص عربي", " ", "x<y", "&lt;script&gt;", "[", "]", "*", "#", "-", "1.", "\n",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_no_fragment_of_html_makes_a_script_or_a_dangerous_link(fragment: str) -> None:
    rendered = markdown.markdown(html_to_markdown(fragment))
    lowered = rendered.lower()
    assert "<script" not in lowered and "<style" not in lowered and "<iframe" not in lowered
    assert "javascript:" not in lowered and "data:" not in lowered
    assert "onclick" not in lowered and "onerror" not in lowered and "<img" not in lowered
    assert set(re.findall(r'href="([^"]*)"', rendered)) <= {"https://ok.example/صفحة"}
