"""The benchmark's peer: the same generated digest as a Hugo site, so that `bench/run.py` can
time Hugo (and Hugo followed by Pagefind's own command line, what a Hugo user does for search)
on the work sitegen does.

The site is made of our own small theme, written here: a base layout with a masthead and a
footer, article pages (headline, date, source, tags, table of contents, body, read-also and
related links), paginated lists of ten (home, each tag,
each source: `page_size`'s default), the tag and source indexes, and Hugo's default RSS
feeds and sitemap. Articles are Hugo pages of the digest's own Markdown files (copied:
their YAML front matter is Hugo's too). Only the article is marked for Pagefind
(`data-pagefind-body`, its lists of links `data-pagefind-ignore`), as Pagefind's
documentation tells a Hugo user, so it indexes what sitegen's search indexes.

Not in it: sitegen's "more on the same tags" list. Hugo's `.Site.RegularPages.Related` on
tags made Hugo quadratic on this corpus (a few tags are on a fifth of the articles): 2.8
against 1.9 CPU-s at 1,000 articles, ~566 s of wall time at 10,000 on a loaded machine.
Without it the peer does less than sitegen (whose link stage ranks related articles by
tags in ~1–2 s at 10,000), so the comparison errs in Hugo's favour.

    python bench/hugo_site.py CORPUS DEST    # CORPUS: a folder bench/corpus.py wrote
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

CONFIG = """\
baseURL = "https://bench.example.org/"
languageCode = "ar"
defaultContentLanguage = "ar"
title = "موجز تجريبي"
paginate = 10
disableKinds = []
enableRobotsTXT = true

[languages.ar]
languageDirection = "rtl"

[taxonomies]
tag = "tags"
source = "source"
"""

LAYOUTS = {
    "_default/baseof.html": """\
<!DOCTYPE html>
<html lang="ar" dir="rtl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ block "title" . }}{{ .Title }} · {{ site.Title }}{{ end }}</title>
<link rel="canonical" href="{{ .Permalink }}">
{{ with .OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" href="{{ .Permalink }}">{{ end }}
</head>
<body>
<header><a href="{{ "/" | relURL }}">{{ site.Title }}</a>
<nav><a href="{{ "/tags/" | relURL }}">الوسوم</a> <a href="{{ "/source/" | relURL }}">المصادر</a></nav>
<form action="{{ "/search/" | relURL }}"><input name="q" type="search"></form></header>
<main>{{ block "main" . }}{{ end }}</main>
<footer>{{ site.Title }} · {{ now.Year }}</footer>
</body>
</html>
""",
    "_default/single.html": """\
{{ define "main" }}
<article data-pagefind-body>
<h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time>
{{ with .Params.source }} · <a href="{{ (printf "/source/%s/" (. | urlize)) | relURL }}">{{ . }}</a>{{ end }}</p>
<ul data-pagefind-ignore>{{ range .Params.tags }}<li><a href="{{ (printf "/tags/%s/" (. | urlize)) | relURL }}">{{ . }}</a></li>{{ end }}</ul>
<nav data-pagefind-ignore>{{ .TableOfContents }}</nav>
{{ .Content }}
{{ with .Params.read_also }}<aside data-pagefind-ignore><h2>اقرأ أيضا</h2><ul>
{{ range . }}{{ with site.GetPage (printf "/articles/%s" .) }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}{{ end }}
</ul></aside>{{ end }}
{{ with .Params.related }}<aside data-pagefind-ignore><h2>ذات صلة</h2><ul>
{{ range . }}<li>{{ with .slug }}{{ with site.GetPage (printf "/articles/%s" .) }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}{{ else }}{{ .title }}{{ end }}</li>{{ end }}
</ul></aside>{{ end }}
</article>
{{ end }}
""",
    "_default/list.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ $pages := .RegularPages }}{{ if .IsHome }}{{ $pages = site.RegularPages }}{{ end }}
{{ $pager := .Paginate $pages.ByDate.Reverse }}
{{ range $pager.Pages }}{{ partial "card.html" . }}{{ end }}
<nav>{{ with $pager.Prev }}<a href="{{ .URL }}">السابق</a>{{ end }}
{{ with $pager.Next }}<a href="{{ .URL }}">التالي</a>{{ end }}</nav>
{{ end }}
""",
    "_default/terms.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.ByCount }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>
{{ end }}
""",
    "partials/card.html": """\
<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time>
{{ with .Params.source }} · {{ . }}{{ end }}</p>
<p>{{ .Summary }}</p></article>
""",
}


def make_site(corpus: Path, dest: Path) -> Path:
    """Write the Hugo site of the digest in `corpus` (bench/corpus.py's folder) into `dest`,
    replacing what was there; return `dest`."""
    shutil.rmtree(dest, ignore_errors=True)
    (dest / "content").mkdir(parents=True)
    (dest / "config.toml").write_text(CONFIG, encoding="utf-8")
    for name, text in LAYOUTS.items():
        path = dest / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    # Copies, not links: the benchmark edits the digest's files in place between builds.
    shutil.copytree(corpus / "content", dest / "content" / "articles")
    return dest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("dest", type=Path)
    args = parser.parse_args()
    make_site(args.corpus, args.dest)
    print(f"wrote the Hugo site of {args.corpus} to {args.dest}")


if __name__ == "__main__":
    main()
