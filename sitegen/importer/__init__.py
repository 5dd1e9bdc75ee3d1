"""`sitegen import`: raw scraped article pages (seeds/*.txt) → front-mattered Markdown.

blocks.py   bytes → cleaned lines → typed blocks (title, paragraph, heading, caption, …)
articles.py blocks → article drafts (a read-also block can be a whole second article)
write.py    drafts → content/*.md with slugs, cross-references and no-clobber writes
"""

from sitegen.importer.write import ImportReport, import_seeds

__all__ = ["ImportReport", "import_seeds"]
