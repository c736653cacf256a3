"""Names as the matcher compares them: folded to ASCII, spelling variants and nicknames known.

A name written in Arabic, Cyrillic or with accents is transliterated and folded to lower-case ASCII
by rigour (ICU underneath, with rigour's own spellings for Cyrillic, Greek, Armenian, Georgian and
Hangul: ``Шевченко`` → ``shevchenko``, ``Muñoz`` → ``munoz``). Spellings of one name that differ
only by romanisation (``Mohamed``/``Muhammad``) are mapped to one form from
``data/name_variants.yml``; nicknames and short forms (``Bob``/``Robert``) come from the
``nicknames`` package's curated list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import jellyfish
import yaml
from nicknames import NickNamer
from rigour.text.translit import ascii_text

# Particles that some records keep and others drop: "de la Cruz", "Garcia y Lopez", "Al-Masri".
PARTICLES = frozenset(
    {"de", "del", "la", "las", "los", "y", "e", "da", "do", "dos", "das", "di", "van", "der",
     "von", "al", "el", "bin", "ben", "ibn", "binti", "bint"}
)  # fmt: skip
_NOT_LETTER = re.compile(r"[^a-z ]+")
_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """Lower-case ASCII letters and single spaces: transliterated, accents and punctuation gone."""
    if not text:
        return ""
    ascii_form = ascii_text(text) or ""
    ascii_form = ascii_form.lower().replace("-", " ").replace("'", "").replace("`", "")
    return _SPACES.sub(" ", _NOT_LETTER.sub(" ", ascii_form)).strip()


def tokens(text: str | None) -> list[str]:
    """The folded words of a name, without particles (unless the name is nothing but particles)."""
    words = fold(text).split()
    kept = [word for word in words if word not in PARTICLES]
    return kept or words


@cache
def _variant_tables() -> dict[str, dict[str, str]]:
    text = resources.files("writ.resolve").joinpath("data/name_variants.yml").read_text("utf-8")
    data = yaml.safe_load(text)
    tables: dict[str, dict[str, str]] = {}
    for part, groups in data.items():
        table: dict[str, str] = {}
        for group in groups:
            for spelling in group:
                if spelling in table:
                    raise ValueError(
                        f"name_variants.yml: {part} spelling {spelling!r} is in two groups "
                        f"({table[spelling]!r} and {group[0]!r}); a spelling may be in only one"
                    )
                table[spelling] = group[0]
        tables[part] = table
    return tables


def standard_word(word: str, part: str) -> str:
    """The one spelling a romanisation variant is compared as (``mohamed`` → ``muhammad``)."""
    return _variant_tables()[part].get(word, word)


@cache
def _nicknamer() -> NickNamer:
    return NickNamer()


@cache
def nickname_keys(word: str) -> tuple[str, ...]:
    """The word and the full names it is a nickname or short form of (``bob`` → robert, ...)."""
    if not word:
        return ()
    keys = {word} | {fold(name) for name in _nicknamer().canonicals_of(word)}
    return tuple(sorted(keys))


def phonetic(word: str) -> str:
    """A sound-alike key (metaphone) for spellings that no table knows."""
    return jellyfish.metaphone(word) if word else ""


@dataclass(frozen=True)
class NameFeatures:
    """One person's given and family names, prepared for comparison."""

    given: str | None  # all given names, standard spellings, "maria guadalupe"
    given_first: str | None  # the first given name alone
    given_keys: tuple[str, ...]  # first given name and what it is a nickname of
    given_phonetic: str | None
    family: str | None  # all family names, standard spellings, "garcia lopez"
    family_first: str | None  # a double surname cut to its first part
    family_last: str | None  # ... or to its last part
    family_phonetic: str | None
    given_compact: str | None = None  # every given word run together: "mary ann" -> "maryann"
    family_compact: str | None = None  # "de la cruz", "Delacruz" -> "delacruz"
    name_sorted: str | None = None  # every word of both names, sorted: order does not matter


def compact(text: str | None) -> str | None:
    """The folded name with its words run together, particles kept: hyphen and space variants
    ("Garcia-Lopez", "GarciaLopez", "De la Cruz", "Delacruz") become one form."""
    return "".join(fold(text).split()) or None


def name_features(given: str | None, family: str | None) -> NameFeatures:
    """Prepare a person's given and family names (either may be empty)."""
    given_words = [standard_word(word, "given") for word in tokens(given)]
    family_words = [standard_word(word, "family") for word in tokens(family)]
    first = given_words[0] if given_words else None
    return NameFeatures(
        given=" ".join(given_words) or None,
        given_first=first,
        given_keys=nickname_keys(first) if first else (),
        given_phonetic=phonetic("".join(given_words[:1])) or None,
        family=" ".join(family_words) or None,
        family_first=family_words[0] if family_words else None,
        family_last=family_words[-1] if family_words else None,
        family_phonetic=phonetic(family_words[0]) if family_words else None,
        given_compact=compact(given),
        family_compact=compact(family),
        name_sorted=" ".join(sorted(given_words + family_words)) or None,
    )


def split_full_name(full: str) -> tuple[str, str]:
    """Split a one-field name into (given, family).

    "LAST, First" has the family name before the comma. "DIAZ RODRIGUEZ Raúl" follows the
    convention of immigration and court papers: the family name is the part in capitals, wherever
    it stands. Otherwise the last word is the family name ("First Middle Last").
    """
    if "," in full:
        family, _, given = full.partition(",")
        return given.strip(), family.strip()
    words = full.split()
    if len(words) < 2:
        return "", full.strip()
    capitals = [w for w in words if _is_capitals(w)]
    if capitals and len(capitals) < len(words):
        return " ".join(w for w in words if not _is_capitals(w)), " ".join(capitals)
    return " ".join(words[:-1]), words[-1]


def _is_capitals(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)
