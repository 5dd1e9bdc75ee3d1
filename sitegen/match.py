"""Title matching: which article does a headline from a related list or a teaser name?

Exact on the folded key first; then a similarity search over an inverted word index, so that
matching one title against 100,000 never compares it with all of them: only titles sharing a
rare word are scored.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from sitegen.arabic import fold

T = TypeVar("T")

# Punctuation that headline variants add or drop ("هل بايدن حي؟.." vs "هل بايدن حي").
_PUNCT = re.compile(r"[^\w\s]|_", re.UNICODE)
_SPACE = re.compile(r"\s+")


def title_key(title: str) -> str:
    """The key two spellings of one headline share: folded, punctuation removed."""
    return _SPACE.sub(" ", _PUNCT.sub(" ", fold(title))).strip()


def _words(key: str) -> set[str]:
    return set(key.split())


@dataclass
class TitleIndex(Generic[T]):
    """Maps headlines to values (usually article slugs).

    `threshold` is the least Dice similarity of the two titles' word sets for a fuzzy match.
    """

    threshold: float = 0.8
    _exact: dict[str, T] = field(default_factory=dict)
    _keys: list[tuple[str, frozenset[str], T]] = field(default_factory=list)
    _postings: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))

    def add(self, title: str, value: T) -> None:
        """Index `title` → `value`. The first value added for a key wins (stable order)."""
        key = title_key(title)
        if not key or key in self._exact:
            return
        self._exact[key] = value
        words = frozenset(_words(key))
        n = len(self._keys)
        self._keys.append((key, words, value))
        for w in words:
            self._postings[w].append(n)

    def __len__(self) -> int:
        return len(self._keys)

    def exact(self, title: str) -> T | None:
        """The value of the indexed title whose key equals `title`'s (no similarity search)."""
        return self._exact.get(title_key(title))

    def lookup(self, title: str) -> T | None:
        """The value of the indexed title that `title` names, or None."""
        key = title_key(title)
        if not key:
            return None
        hit = self._exact.get(key)
        if hit is not None:
            return hit
        words = _words(key)  # not empty: a non-empty key has a word
        # Score only titles that share a word, rarest words first; a word on more than
        # `cap` titles is too common to find candidates by ("في", "ترامب" in a Trump digest).
        cap = max(64, int(len(self._keys) ** 0.5))
        counts: Counter[int] = Counter()
        for w in sorted(words, key=lambda w: len(self._postings.get(w, ()))):
            posting = self._postings.get(w)
            if posting and len(posting) <= cap:
                counts.update(posting)
        best: tuple[float, int] | None = None
        for n, _shared in counts.most_common(32):
            _key, cand, _value = self._keys[n]
            score = 2 * len(words & cand) / (len(words) + len(cand))
            if score >= self.threshold and (best is None or score > best[0]):
                best = (score, n)
        return self._keys[best[1]][2] if best else None
