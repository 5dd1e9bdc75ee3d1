"""Cross-references: read-also slugs (exact) and headlines (also similar) → articles,
backlinks, and related-by-tags ranking. Near-linear: titles go through TitleIndex's inverted
word index and tags through an inverted tag index, so no pair of articles is ever compared
blindly."""

from __future__ import annotations

import bisect
import heapq
import logging
import math
import unicodedata
from collections import defaultdict
from collections.abc import Set

from sitegen.arabic import fold
from sitegen.match import TitleIndex
from sitegen.model import ArticleLinks, Body, Links, Site

log = logging.getLogger(__name__)

WINDOW = 256
"""How many articles around an article's own date each of its tags contributes as
candidates: news is related to news of its time, and this keeps ranking linear."""


def tag_key(tag: str) -> str:
    """The key under which spellings of one tag are merged (إيلون ماسك = إیلون ماسک)."""
    return fold(tag)


def link_site(site: Site, bodies: dict[str, Body] | None = None) -> Links:
    """Resolve every article's references. `bodies` adds the links found in Markdown bodies
    (to backlinks, and their unresolved targets to the warnings, with their line).

    A `read_also` entry without a space is a slug and names the article with exactly that
    slug (after NFC), or none: a warning. One with spaces, and a `related` title, is a
    headline: the article whose title has the same matching key, else the one with the
    most similar title (`TitleIndex`), which is also put in `Links.notes`."""
    bodies = bodies or {}
    by_slug = site.by_slug
    titles: TitleIndex[str] = TitleIndex()
    for a in site.articles:
        titles.add(a.title, a.slug)
    warnings: list[str] = []
    notes: list[str] = []

    def headline(path: str, field: str, ref: str) -> str | None:
        """The article a headline names: its own title's key, else the most similar title;
        a similar one is noted, so that `-v` shows every guess made."""
        slug = titles.exact(ref)
        if slug is None and (slug := titles.lookup(ref)) is not None:
            notes.append(f"{path}: {field}: «{ref}» taken for the headline "
                         f"«{by_slug[slug].title}» ({slug}), the most similar")
        return slug

    def resolve(path: str, ref: str) -> str | None:
        # A slug (no space in it) names an article only when it is that article's slug,
        # exactly: a typo must be a warning, never a guess at a similar title. A
        # headline (words) may be spelled differently from the article's title.
        if not any(c.isspace() for c in ref):
            ref = unicodedata.normalize("NFC", ref)
            return ref if ref in by_slug else None
        return headline(path, "read_also", ref)

    explicit: dict[str, tuple[tuple[str, ...], tuple[tuple[str, str | None], ...]]] = {}
    pointers: dict[str, list[str]] = {}
    for a in site.articles:
        read_also: list[str] = []
        for ref in a.read_also:
            slug = resolve(a.path, ref)
            if slug is None:
                warnings.append(f"{a.path}: read_also: «{ref}» names no article")
            elif slug != a.slug and slug not in read_also:
                read_also.append(slug)
        related: list[tuple[str, str | None]] = []
        for ref in a.related:
            slug = ref.slug if ref.slug in by_slug else headline(a.path, "related", ref.title)
            if slug is None and ref.slug:
                # The importer named a slug that no longer exists: say so, show plain text.
                warnings.append(f"{a.path}: related: «{ref.title}» ({ref.slug}) names no article")
            related.append((ref.title, None if slug == a.slug else slug))
        body = bodies.get(a.slug)
        if body is not None:
            lines = body.unresolved_lines or (0,) * len(body.unresolved)
            warnings.extend(f"{a.path}{f':{a.body_line + n - 1}' if n else ''}: link: «{u}» names no article"
                            for u, n in zip(body.unresolved, lines))
        explicit[a.slug] = (tuple(read_also), tuple(related))
        targets = read_also + [s for _, s in related if s] + list(body.links if body else ())
        pointers[a.slug] = [s for s in dict.fromkeys(targets) if s != a.slug]

    # In site order: sources are visited in it, each at most once per target.
    backlinks: dict[str, list[str]] = defaultdict(list)
    for source in site.articles:
        for target in pointers[source.slug]:
            backlinks[target].append(source.slug)

    by_tags = related_by_tags(site, {slug: set(p) for slug, p in pointers.items()})
    result = {
        a.slug: ArticleLinks(
            read_also=explicit[a.slug][0],
            related=explicit[a.slug][1],
            by_tags=by_tags.get(a.slug, ()),
            backlinks=tuple(backlinks.get(a.slug, ())),
        )
        for a in site.articles
    }
    for w in warnings:
        log.debug("%s", w)
    return Links(articles=result, warnings=tuple(warnings), notes=tuple(notes))


def related_by_tags(site: Site, explicit: dict[str, set[str]]) -> dict[str, tuple[str, ...]]:
    """For each article with fewer than `related_min` explicit references, the best articles
    sharing its tags: rarer tags weigh more (idf); ties by newer date, then slug."""
    want = site.config.related_min
    articles = site.articles
    n = len(articles)
    postings: dict[str, list[int]] = defaultdict(list)
    keys: list[list[str]] = []
    for i, a in enumerate(articles):  # articles are in site order, so postings are sorted
        # A tag that folds to nothing (a lone tatweel) is no tag: it has no page either.
        ks = list(dict.fromkeys(k for t in a.tags if (k := tag_key(t))))
        keys.append(ks)
        for k in ks:
            postings[k].append(i)
    weight = {k: math.log(1 + n / len(p)) for k, p in postings.items()}
    # A posting no longer than the window is every article's window on that tag: one set.
    whole = {k: frozenset(p) for k, p in postings.items() if len(p) <= WINDOW}
    index = {a.slug: i for i, a in enumerate(articles)}
    out: dict[str, tuple[str, ...]] = {}
    slugs = [a.slug for a in articles]
    for i, a in enumerate(articles):
        taken = explicit.get(a.slug, set())
        need = want - len(taken)
        if need <= 0 or not keys[i]:
            continue
        windows: list[tuple[str, Set[int]]] = []
        for k in keys[i]:
            window = whole.get(k)
            if window is None:
                posting = postings[k]
                at = bisect.bisect_left(posting, i)
                lo = max(0, min(at - WINDOW // 2, len(posting) - WINDOW))
                window = set(posting[lo:lo + WINDOW])
            windows.append((k, window))
        excluded = {index[s] for s in taken if s in index}  # itself and what it names
        excluded.add(i)
        ranked = _best(windows, weight, need, excluded)
        if ranked:
            out[a.slug] = tuple(slugs[j] for j in ranked)
    return out


def _best(windows: list[tuple[str, Set[int]]], weight: dict[str, float], need: int,
          excluded: Set[int]) -> list[int]:
    """The `need` best candidates j not in `excluded` of the tag `windows` (tag key, set of
    site indexes), by the summed weight of the windows holding j (rounded, so equal sums
    tie), then by j.

    Same result as scoring every candidate, without touching candidates one by one in
    Python: set operations (in C) find the few candidates in two or more windows and sort
    them into groups of one score; a candidate in one window scores that tag's weight, so
    the best of those come from the heaviest windows, read in order until `need` are found.
    tests/test_load_link_fastpaths.py checks it against scoring every candidate."""
    seen: set[int] = set()
    multi: set[int] = set()  # in two windows or more
    for _, w in windows:
        multi |= seen & w
        seen |= w
    # The candidates in two windows or more, split by the windows holding them into groups
    # of one score each, summed in the tags' order (as scoring them one by one would).
    groups = [(candidates, 0.0)] if (candidates := multi - excluded) else []
    for k, w in windows:
        wk = weight[k]
        split: list[tuple[set[int], float]] = []
        for members, score in groups:
            inside = members & w
            if len(inside) == len(members):
                split.append((members, score + wk))
            elif not inside:
                split.append((members, score))
            else:
                split += [(inside, score + wk), (members - inside, score)]
        groups = split
    by_score: dict[float, list[int]] = defaultdict(list)
    for members, score in groups:
        by_score[round(score, 9)] += members
    scored: list[tuple[float, int]] = []
    for score in sorted(by_score, reverse=True):
        if len(scored) >= need:
            break
        scored.extend((-score, j) for j in sorted(by_score[score])[:need - len(scored)])
    # Candidates found in one window only: heaviest windows first; windows of equal weight
    # are merged so that their candidates are ordered by j, as equal scores are.
    by_weight: dict[float, list[Set[int]]] = defaultdict(list)
    for k, w in windows:
        by_weight[round(weight[k], 9)].append(w)
    singles: list[tuple[float, int]] = []
    for wk in sorted(by_weight, reverse=True):
        if len(singles) >= need:
            break
        ws = by_weight[wk]
        group = sorted((ws[0] if len(ws) == 1 else set().union(*ws)) - multi - excluded)
        singles.extend((-wk, j) for j in group[:need - len(singles)])
    return [j for _, j in heapq.nsmallest(need, scored + singles)]
