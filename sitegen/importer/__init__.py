"""`sitegen import`: raw scraped article pages (seeds/*.txt), saved web pages (*.html) and
news feeds → front-mattered Markdown.

seedfile.py a seed file → text (safe reading, mojibake repaired or refused)
htmlpage.py a saved page → the article's text, one block a line, and the page's metadata
            (trafilatura); the text is labelled as a seed's, the metadata then corrects it
blocks.py   text → cleaned lines
labels.py   lines → one label and reason per line: the article's core, then every line's role
            (lexicon.py, dates.py, credits.py: the general knowledge it matches against)
articles.py labelled lines → article drafts (a page may hold further articles)
feed.py     an RSS or Atom feed (file or URL) → one draft per entry, known by its id
htmlmd.py   an HTML fragment (a feed entry's content) → safe Markdown
write.py    drafts → content/*.md with slugs, cross-references and no-clobber writes
"""

from sitegen.importer.write import ImportReport, explain_seeds, import_seeds

__all__ = ["ImportReport", "explain_seeds", "import_seeds"]
