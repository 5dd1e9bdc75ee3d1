"""`sitegen import`: raw scraped article pages (seeds/*.txt) → front-mattered Markdown.

seedfile.py a seed file → text (safe reading, mojibake repaired or refused)
blocks.py   text → cleaned lines
labels.py   lines → one label and reason per line: the article's core, then every line's role
            (lexicon.py, dates.py, credits.py: the general knowledge it matches against)
articles.py labelled lines → article drafts (a page may hold further articles)
write.py    drafts → content/*.md with slugs, cross-references and no-clobber writes
"""

from sitegen.importer.write import ImportReport, explain_seeds, import_seeds

__all__ = ["ImportReport", "explain_seeds", "import_seeds"]
