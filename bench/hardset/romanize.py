"""Romanisations of names written in other scripts, each by a real transliteration library.

The same name in Cyrillic, Han, Hangul, Devanagari, Greek, ... comes out differently depending on
which system a clerk, a passport office or a court's software used. Every ``Romaniser`` here is
one such system as a library implements it (ICU's transforms, pypinyin, korean-romanizer,
hangul-romanize, indic-transliteration, cyrtranslit, anyascii); none is a table of our own.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import icu
from anyascii import anyascii


@cache
def _icu(transform: str) -> icu.Transliterator:
    return icu.Transliterator.createInstance(transform)


def ascii_fold(text: str) -> str:
    """Latin letters without accents (ICU's Latin-ASCII), as most agency systems store them."""
    return str(_icu("Any-Latin; Latin-ASCII").transliterate(text))


def _by_icu(transform: str) -> Callable[[str], str]:
    def run(text: str) -> str:
        return str(_icu(f"{transform}; Latin-ASCII").transliterate(text))

    return run


def _pinyin(style: str) -> Callable[[str], str]:
    def run(text: str) -> str:
        from pypinyin import Style, lazy_pinyin

        return "".join(lazy_pinyin(text, style=getattr(Style, style)))

    return run


def _korean_rr(text: str) -> str:
    from korean_romanizer.romanizer import Romanizer

    return str(Romanizer(text).romanize())


def _korean_academic(text: str) -> str:
    from hangul_romanize import Transliter
    from hangul_romanize.rule import academic

    return str(Transliter(academic).translit(text))


def _indic(scheme: str) -> Callable[[str], str]:
    def run(text: str) -> str:
        from indic_transliteration import sanscript

        out = sanscript.transliterate(text, sanscript.DEVANAGARI, getattr(sanscript, scheme))
        return ascii_fold(_schwa_deleted(text, out)).lower()

    return run


def _icu_devanagari(text: str) -> str:
    return _schwa_deleted(text, _by_icu("Devanagari-Latin")(text))


def _schwa_deleted(original: str, roman: str) -> str:
    """Hindi and Nepali do not pronounce a word's final inherent vowel: राहुल is Rahul, not Rahula.

    Scholarly schemes write it; people do not. Dropped when the word ends in a bare consonant.
    """
    last = original.strip()[-1:]
    bare = last and unicodedata.category(last) == "Lo" and "\u0915" <= last <= "\u0939"
    return roman[:-1] if bare and roman.endswith("a") else roman


def _cyrtranslit(lang: str) -> Callable[[str], str]:
    def run(text: str) -> str:
        import cyrtranslit

        return ascii_fold(cyrtranslit.to_latin(text, lang)).lower()

    return run


def _anyascii(text: str) -> str:
    return str(anyascii(text))


@dataclass(frozen=True)
class Romaniser:
    key: str
    run: Callable[[str], str]

    def __call__(self, text: str) -> str:
        out = self.run(text)
        out = "".join(c for c in out if c.isalnum() or c in " -'")
        return " ".join(out.split()).title()


def _r(key: str, run: Callable[[str], str]) -> Romaniser:
    return Romaniser(key, run)


# Per script: the systems in use, the first being the one passports of that country use most.
SYSTEMS: dict[str, tuple[Romaniser, ...]] = {
    "latin": (),
    "cyrillic-ru": (
        _r("bgn", _by_icu("Russian-Latin/BGN")),
        _r("iso9", _by_icu("Cyrillic-Latin")),
        _r("cyrtranslit", _cyrtranslit("ru")),
        _r("anyascii", _anyascii),
    ),
    "cyrillic-uk": (
        _r("bgn-uk", _by_icu("Ukrainian-Latin/BGN")),
        _r("cyrtranslit-ua", _cyrtranslit("ua")),
        _r("bgn-ru", _by_icu("Russian-Latin/BGN")),
        _r("iso9", _by_icu("Cyrillic-Latin")),
    ),
    "cyrillic-bg": (
        _r("bgn-bg", _by_icu("Bulgarian-Latin/BGN")),
        _r("cyrtranslit-bg", _cyrtranslit("bg")),
        _r("iso9", _by_icu("Cyrillic-Latin")),
    ),
    "han": (
        _r("pinyin", _pinyin("NORMAL")),
        _r("wade-giles", _pinyin("WADEGILES")),
        _r("icu-han-names", _by_icu("Han-Latin/Names")),
    ),
    "han-tw": (
        _r("wade-giles", _pinyin("WADEGILES")),
        _r("pinyin", _pinyin("NORMAL")),
    ),
    "hangul": (
        _r("revised", _korean_rr),
        _r("academic", _korean_academic),
        _r("icu-hangul", _by_icu("Hangul-Latin")),
    ),
    "devanagari": (
        _r("icu-iso15919", _icu_devanagari),
        _r("itrans", _indic("ITRANS")),
        _r("optitrans", _indic("OPTITRANS")),
        _r("iast", _indic("IAST")),
    ),
    "greek": (
        _r("elot", _by_icu("Greek-Latin/UNGEGN")),
        _r("bgn-el", _by_icu("Greek-Latin/BGN")),
        _r("anyascii", _anyascii),
    ),
    "bengali": (
        _r("icu-bengali", _by_icu("Bengali-Latin")),
        _r("anyascii", _anyascii),
    ),
    "georgian": (
        _r("bgn-ka", _by_icu("Georgian-Latin/BGN")),
        _r("icu-georgian", _by_icu("Georgian-Latin")),
        _r("anyascii", _anyascii),
    ),
    "armenian": (
        _r("bgn-hy", _by_icu("Armenian-Latin/BGN")),
        _r("icu-armenian", _by_icu("Armenian-Latin")),
        _r("anyascii", _anyascii),
    ),
}


def romanise(script: str, system: int, text: str) -> str:
    """``text`` in the ``system``-th romanisation of its script (Latin text is returned as is)."""
    systems = SYSTEMS[script]
    if not systems:
        return text
    return systems[system % len(systems)](text)
