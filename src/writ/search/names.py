"""Name and identifier folding, and the score that ranks candidates the same on every backend.

A name is transliterated to ASCII (ICU, through normality: Cyrillic, Greek, accents ...), lower-
cased, split into tokens and sorted, so word order does not matter. The retrieval key adds a
metaphone code per token, so spellings that sound alike share trigrams ("Mohammed", "Muhammad").
"""

from __future__ import annotations

import re
from functools import lru_cache

import jellyfish
from normality import ascii_text

_NOT_WORD = re.compile(r"[^a-z0-9]+")
_ID_NOISE = re.compile(r"[^A-Za-z0-9]")
_A_NUMBER = re.compile(r"A?(\d{8,9})")


@lru_cache(maxsize=65536)
def tokens(name: str) -> tuple[str, ...]:
    """ASCII, lower-case word tokens of a name, sorted."""
    folded = (ascii_text(name) or "").lower().replace("'", "")
    return tuple(sorted(t for t in _NOT_WORD.split(folded) if t))


@lru_cache(maxsize=65536)
def _phonetic(token: str) -> str:
    code = jellyfish.metaphone(token).lower() if token.isalpha() else ""
    return code if len(code) >= 2 else ""


@lru_cache(maxsize=65536)
def retrieval_key(name: str) -> str:
    """What the trigram indexes hold: the sorted tokens, then a metaphone code for each."""
    words = tokens(name)
    codes = sorted({c for c in (_phonetic(t) for t in words) if c} - set(words))
    return " ".join((*words, *codes))


def trigrams(words: tuple[str, ...]) -> frozenset[str]:
    """Trigrams of each word padded as pg_trgm pads them (two spaces before, one after)."""
    found: set[str] = set()
    for word in words:
        padded = f"  {word} "
        found.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return frozenset(found)


@lru_cache(maxsize=65536)
def _profile(name: str) -> tuple[tuple[str, ...], frozenset[str], tuple[str, ...]]:
    words = tokens(name)
    return words, trigrams(words), tuple(_phonetic(w) for w in words)


class Scorer:
    """Scores names against one query: 0..1, 0.4 trigram overlap and 0.6 the best order-free
    token match (Jaro-Winkler, or 0.95 for a metaphone match: transliteration variants), less
    for names with many more words than the query."""

    def __init__(self, query: str) -> None:
        self.words, self.grams, self.codes = _profile(query)

    def __call__(self, name: str) -> float:
        words, grams, codes = _profile(name)
        if not self.words or not words:
            return 0.0
        overlap = len(self.grams & grams) / len(self.grams | grams)
        total = 0.0
        for a, code in zip(self.words, self.codes, strict=True):
            best = 0.0
            for b, other in zip(words, codes, strict=True):
                similar = jellyfish.jaro_winkler_similarity(a, b)
                if code and code == other:
                    similar = max(similar, 0.95)
                best = max(best, similar)
            total += best
        coverage = min(1.0, len(self.words) / len(words)) ** 0.25
        return round((0.4 * overlap + 0.6 * total / len(self.words)) * coverage, 4)


def score(query: str, name: str) -> float:
    """How well ``name`` matches ``query`` (see :class:`Scorer`)."""
    return Scorer(query)(name)


def a_number(text: str) -> str | None:
    """An A-number as writ stores it (9 digits), or None if ``text`` is not one."""
    found = _A_NUMBER.fullmatch(_ID_NOISE.sub("", text).upper())
    return found.group(1).zfill(9) if found else None


def document_number(text: str) -> str | None:
    """A passport or other document number as stored: upper-case letters and digits only."""
    cleaned = _ID_NOISE.sub("", text).upper()
    return cleaned if cleaned and any(c.isdigit() for c in cleaned) else None
