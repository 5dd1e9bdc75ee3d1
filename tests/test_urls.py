"""Output paths, URLs and escaping (sitegen.urls)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sitegen import urls


@given(st.text())
def test_xml_escaping_is_what_the_standard_library_gives(text: str) -> None:
    """sitegen's own xml_escape and quoteattr (the standard library's module costs 17 ms of
    start-up to import) give its bytes, less the characters XML 1.0 forbids (dropped, so
    that every feed and sitemap is well-formed)."""
    from xml.sax import saxutils

    from sitegen.frontmatter import NOT_XML

    allowed = NOT_XML.sub("", text)
    assert urls.xml_escape(text) == saxutils.escape(allowed)
    assert urls.quoteattr(text) == saxutils.quoteattr(allowed)


def test_an_alias_names_the_file_of_its_page() -> None:
    assert urls.alias_file("old-slug") == "articles/old-slug/index.html"
    assert urls.alias_file("/news/old-title/") == "news/old-title/index.html"
    assert urls.alias_file("/old.html") == "old.html"
