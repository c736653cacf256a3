"""Naming traditions and their name pools, drawn from Faker's per-locale name lists.

A ``Culture`` says where its people are born, which script their names are written in, how names
are built (family name first, two surnames, patronymic) and which Faker locales hold its names.
Pools keep Faker's own frequencies where it has them (en_US, es_CO, zh_CN, ko_KR, ...) and
otherwise give a Zipf skew over the list, steeper where few family names cover most people
(Nguyen, Kim, Wang). The very commonest names are in every part's pool; the rest are split
between the development and the held-out part by a hash of the name, so the held-out part meets
names the development part never had.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np


@dataclass(frozen=True)
class Culture:
    key: str
    locales: tuple[str, ...]
    countries: tuple[str, ...]  # ISO 3166-1 alpha-2, where people of it are born
    script: str = "latin"  # a key of romanize.SYSTEMS
    family_first: bool = False  # Chinese, Vietnamese, Korean, Hungarian order
    double_surname: bool = False  # Spanish and Portuguese: two family names
    patronymic: bool = False  # Russian, Ukrainian, Bulgarian middle names
    surname_skew: float = 0.8  # Zipf exponent where Faker gives no frequencies
    given_skew: float = 0.8
    middle_rate: float = 0.25  # share with a second given name
    english_nicknames: bool = False


CULTURES: dict[str, Culture] = {
    c.key: c
    for c in (
        Culture("mexican", ("es_CO", "es_MX"), ("MX",), double_surname=True),
        Culture(
            "central_american",
            ("es_CO",),
            ("GT", "HN", "SV", "NI"),
            double_surname=True,
        ),
        Culture("colombian_venezuelan", ("es_CO", "es_ES"), ("CO", "VE"), double_surname=True),
        Culture("brazilian", ("pt_BR", "pt_PT"), ("BR",), double_surname=True, middle_rate=0.4),
        Culture("us", ("en_US",), ("US",), english_nicknames=True, middle_rate=0.6),
        Culture("british_caribbean", ("en_GB",), ("JM", "TT", "GY"), english_nicknames=True),
        Culture("haitian", ("fr_FR",), ("HT",), middle_rate=0.4),
        Culture("chinese", ("zh_CN",), ("CN",), script="han", family_first=True, middle_rate=0.0),
        Culture(
            "taiwanese", ("zh_TW",), ("TW",), script="han-tw", family_first=True, middle_rate=0.0
        ),
        Culture(
            "vietnamese",
            ("vi_VN",),
            ("VN",),
            family_first=True,
            surname_skew=1.7,
            given_skew=0.7,
            middle_rate=0.8,
        ),
        Culture(
            "korean",
            ("ko_KR",),
            ("KR",),
            script="hangul",
            family_first=True,
            middle_rate=0.0,
        ),
        Culture("indian", ("hi_IN",), ("IN",), script="devanagari", middle_rate=0.2),
        Culture("nepali", ("ne_NP",), ("NP",), script="devanagari", middle_rate=0.2),
        Culture("bangladeshi", ("bn_BD",), ("BD",), script="bengali", middle_rate=0.2),
        Culture("russian", ("ru_RU",), ("RU",), script="cyrillic-ru", patronymic=True),
        Culture("ukrainian", ("uk_UA",), ("UA",), script="cyrillic-uk", patronymic=False),
        Culture("bulgarian", ("bg_BG",), ("BG",), script="cyrillic-bg"),
        Culture("greek", ("el_GR",), ("GR", "CY"), script="greek"),
        Culture("georgian", ("ka_GE",), ("GE",), script="georgian", middle_rate=0.0),
        Culture("armenian", ("hy_AM",), ("AM",), script="armenian", middle_rate=0.0),
        Culture("maghrebi", ("fr_DZ",), ("DZ", "MA", "TN"), middle_rate=0.3),
        Culture("uzbek", ("uz_UZ",), ("UZ",), middle_rate=0.1),
        Culture("turkish", ("tr_TR",), ("TR",), middle_rate=0.2),
        Culture("nigerian", ("yo_NG", "ig_NG", "ha_NG", "en_NG"), ("NG",), middle_rate=0.5),
        Culture("ghanaian", ("tw_GH",), ("GH",), middle_rate=0.4),
        Culture("kenyan", ("en_KE",), ("KE",), middle_rate=0.5),
        Culture("indonesian", ("id_ID",), ("ID",), middle_rate=0.3),
        Culture("romanian", ("ro_RO",), ("RO", "MD"), middle_rate=0.3),
        Culture("italian", ("it_IT",), ("IT",), middle_rate=0.2),
    )
}


@dataclass(frozen=True)
class Pool:
    """Names and their probabilities (summing to one)."""

    names: tuple[str, ...]
    weights: np.ndarray

    def draw(self, rng: np.random.Generator, size: int | None = None) -> str:
        return str(self.names[rng.choice(len(self.names), p=self.weights)])


def _provider(locale: str) -> type:
    return importlib.import_module(f"faker.providers.person.{locale}").Provider


def _weighted(lists: Sequence[object]) -> dict[str, float]:
    """Faker's names with their frequencies; plain lists get rank-less weight 1 (skewed later)."""
    out: dict[str, float] = {}
    for names in lists:
        if isinstance(names, dict):
            total = sum(names.values()) or 1.0
            for name, w in names.items():
                out[name] = out.get(name, 0.0) + float(w) / total
        else:
            for name in names:  # type: ignore[attr-defined]
                out.setdefault(str(name), 0.0)
    return out


def _clean(name: str) -> str:
    return " ".join(name.replace("\u200c", "").split())


@cache
def raw_names(culture_key: str, kind: str) -> dict[str, float]:
    """``kind``: male, female, family_male, family_female, patronymic_male, patronymic_female."""
    culture = CULTURES[culture_key]
    lists: list[object] = []
    for locale in culture.locales:
        p = _provider(locale)
        attrs = {
            "male": ("first_names_male", "first_names"),
            "female": ("first_names_female", "first_names"),
            "family_male": ("last_names_male", "last_names"),
            "family_female": ("last_names_female", "last_names"),
            "patronymic_male": ("middle_names_male",),
            "patronymic_female": ("middle_names_female",),
        }[kind]
        for attr in attrs:
            names = getattr(p, attr, None)
            if names:
                lists.append(names)
                break
    weighted = _weighted(lists)
    shortest = 2 if culture.script == "latin" else 1  # 王 and 김 are whole family names
    return {_clean(n): w for n, w in weighted.items() if len(_clean(n)) >= shortest}


def _hash_half(name: str) -> int:
    return hashlib.sha1(name.encode()).digest()[0] % 2


def pool(culture_key: str, kind: str, half: int, shared_top: int) -> Pool:
    """The pool of one part: the ``shared_top`` commonest names, and the names of its half."""
    culture = CULTURES[culture_key]
    raw = raw_names(culture_key, kind)
    if not raw:
        raise ValueError(f"culture {culture_key}: Faker has no {kind} names")
    # Faker's frequencies where it has them; else the list's own order where it is not
    # alphabetical (vi_VN lists Nguyễn, Trần, Lê, ... commonest first); else a fixed hash order
    # (an alphabetical list would make every 'A' name the commonest). Zipf where no frequencies.
    listed = list(raw)
    alphabetical = listed == sorted(listed)

    def rank(name: str) -> tuple[float, int | str]:
        order: int | str = (
            hashlib.sha1(name.encode()).hexdigest() if alphabetical else listed.index(name)
        )
        return (-raw[name], order)

    ordered = sorted(raw, key=rank)
    skew = culture.given_skew if kind in ("male", "female") else culture.surname_skew
    has_freq = any(raw.values())
    weights = np.array(
        [raw[n] if has_freq else 1.0 / (rank + 1) ** skew for rank, n in enumerate(ordered)]
    )
    if has_freq:
        weights = np.maximum(weights, weights[weights > 0].min())
    keep = [
        i for i, n in enumerate(ordered) if i < shared_top or _hash_half(n) == half or len(raw) < 40
    ]
    names = tuple(ordered[i] for i in keep)
    w = weights[keep]
    return Pool(names, w / w.sum())
