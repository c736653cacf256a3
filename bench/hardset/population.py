"""The invented people behind the hard benchmark: households, twins, juniors, namesakes.

Households share an address and (mostly) a family name. Twins share a family name, a birth date
and an address and have given names that are not variants of each other. A junior has his
father's given name at his father's address, born a generation later. Namesakes are unrelated
people with the same full name and the same birth date, each with their own documents and
address. Nothing here describes a real person.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from faker import Faker

from hardset.cultures import CULTURES, Culture, Pool, pool
from hardset.noise import are_variants

TODAY = dt.date(2026, 6, 1)


@dataclass(frozen=True)
class Address:
    street: str
    city: str
    state: str
    zip: str

    def line(self) -> str:
        return f"{self.street}, {self.city}, {self.state} {self.zip}"


@dataclass
class Person:
    pid: str
    culture: str
    sex: str  # "M" or "F"
    given: list[str]  # in the person's own script
    family: list[str]  # one, or two (Spanish, Portuguese)
    patronymic: str
    born: dt.date
    birth_country: str  # ISO alpha-2
    nationality: str
    a_number: str
    passport: str
    address: Address
    household: str
    system: int  # the romanisation the person's own passport uses
    traps: set[str] = field(default_factory=set)
    twin_group: str = ""
    namesake_group: str = ""
    junior_group: str = ""


# Metro areas the sources cover, with a rough share of people.
CITIES = (
    ("Houston", "TX", "770", 14),
    ("Los Angeles", "CA", "900", 14),
    ("New York", "NY", "100", 12),
    ("Miami", "FL", "331", 10),
    ("Chicago", "IL", "606", 8),
    ("Phoenix", "AZ", "850", 7),
    ("Dallas", "TX", "752", 7),
    ("Atlanta", "GA", "303", 6),
    ("Newark", "NJ", "071", 5),
    ("Seattle", "WA", "981", 5),
    ("Denver", "CO", "802", 4),
    ("Charlotte", "NC", "282", 4),
    ("San Antonio", "TX", "782", 4),
)


class Builder:
    def __init__(self, mix: dict[str, float], half: int, rng: np.random.Generator) -> None:
        self.rng = rng
        self.keys = sorted(mix)
        weights = np.array([mix[k] for k in self.keys], dtype=float)
        self.mix = weights / weights.sum()
        self.half = half
        self.faker = Faker("en_US")
        self.faker.seed_instance(int(rng.integers(1 << 31)))
        self.pools: dict[tuple[str, str], Pool] = {}
        self.people: list[Person] = []
        self.households = 0
        self.used_numbers: set[str] = set()

    def _pool(self, culture: str, kind: str) -> Pool:
        key = (culture, kind)
        if key not in self.pools:
            shared = 25 if kind in ("male", "female") else 12
            self.pools[key] = pool(culture, kind, self.half, shared)
        return self.pools[key]

    def _draw(self, culture: Culture, kind: str) -> str:
        return self._pool(culture.key, kind).draw(self.rng)

    def _given(self, culture: Culture, sex: str, avoid: list[str] | None = None) -> list[str]:
        kind = "male" if sex == "M" else "female"
        for _ in range(50):
            first = self._draw(culture, kind)
            if not avoid or not any(are_variants(first, a) for a in avoid):
                break
        names = [first]
        if self.rng.random() < culture.middle_rate:
            second = self._draw(culture, kind)
            if second != first:
                names.append(second)
        return names

    def _family(self, culture: Culture, sex: str) -> list[str]:
        kind = "family_male" if sex == "M" else "family_female"
        names = [self._draw(culture, kind)]
        if culture.double_surname:
            names.append(self._draw(culture, kind))
        return names

    def _patronymic(self, culture: Culture, sex: str) -> str:
        if not culture.patronymic:
            return ""
        return self._draw(culture, "patronymic_male" if sex == "M" else "patronymic_female")

    def _address(self) -> Address:
        weights = np.array([c[3] for c in CITIES], dtype=float)
        city, state, zip3, _ = CITIES[self.rng.choice(len(CITIES), p=weights / weights.sum())]
        street = self.faker.street_address().upper()
        return Address(street, city, state, f"{zip3}{self.rng.integers(100):02d}")

    def _number(self, kind: str, country: str) -> str:
        while True:
            if kind == "a":
                value = f"{self.rng.integers(10_000_000, 250_000_000):09d}"
            else:
                letters = "".join(
                    chr(65 + int(x)) for x in self.rng.integers(26, size=self.rng.integers(1, 3))
                )
                value = f"{letters}{self.rng.integers(1_000_000, 9_999_999)}"
            if value not in self.used_numbers:
                self.used_numbers.add(value)
                return value

    def _birth(self, low: int, high: int) -> dt.date:
        start = dt.date(low, 1, 1).toordinal()
        end = dt.date(high, 12, 31).toordinal()
        return dt.date.fromordinal(int(self.rng.integers(start, end)))

    def person(
        self,
        culture: Culture,
        sex: str,
        family: list[str],
        born: dt.date,
        address: Address,
        household: str,
        us_born: bool = False,
        given: list[str] | None = None,
    ) -> Person:
        country = "US" if us_born else str(self.rng.choice(culture.countries))
        nationality = country
        if not us_born and len(culture.countries) > 1 and self.rng.random() < 0.06:
            nationality = str(self.rng.choice([c for c in culture.countries if c != country]))
        adult = (TODAY - born).days > 18 * 365
        a_number = "" if us_born or self.rng.random() > (0.7 if adult else 0.4) else "a"
        passport = "" if us_born or self.rng.random() > 0.6 else "p"
        person = Person(
            pid="",
            culture=culture.key,
            sex=sex,
            given=given or self._given(culture, sex),
            family=family,
            patronymic=self._patronymic(culture, sex),
            born=born,
            birth_country=country,
            nationality=nationality,
            a_number=self._number("a", country) if a_number else "",
            passport=self._number("p", nationality) if passport else "",
            address=address,
            household=household,
            system=0 if self.rng.random() < 0.75 else int(self.rng.integers(1, 4)),
        )
        person.pid = f"{len(self.people):06d}"
        self.people.append(person)
        return person

    def household(self) -> list[Person]:
        culture = CULTURES[self.keys[self.rng.choice(len(self.keys), p=self.mix)]]
        self.households += 1
        hid = f"H{self.households:05d}"
        address = self._address()
        size = int(self.rng.choice([1, 2, 3, 4, 5, 6], p=[0.42, 0.2, 0.14, 0.12, 0.08, 0.04]))
        head_sex = "M" if self.rng.random() < 0.6 else "F"
        head_family = self._family(culture, head_sex)
        head = self.person(culture, head_sex, head_family, self._birth(1952, 2002), address, hid)
        members = [head]
        if size == 1:
            return members
        spouse_sex = "F" if head_sex == "M" else "M"
        keeps_own = culture.double_surname or culture.family_first or self.rng.random() < 0.3
        spouse_family = self._family(culture, spouse_sex) if keeps_own else list(head_family)
        spouse_born = dt.date.fromordinal(
            head.born.toordinal() + int(self.rng.integers(-8 * 365, 8 * 365))
        )
        spouse = self.person(culture, spouse_sex, spouse_family, spouse_born, address, hid)
        members.append(spouse)
        father, mother = (head, spouse) if head_sex == "M" else (spouse, head)
        children: list[Person] = []
        twins_here = size >= 4 and self.rng.random() < 0.08
        while len(members) < size:
            sex = "M" if self.rng.random() < 0.5 else "F"
            if culture.double_surname:
                family = [father.family[0], mother.family[0]]
            else:
                family = list(father.family)
            mother_year = mother.born.year
            born = self._birth(min(mother_year + 19, 2009), min(mother_year + 40, 2010))
            # parents do not give two children one name, nor (but for a junior) their own
            taken = [c.given[0] for c in children] + [father.given[0], mother.given[0]]
            given = self._given(culture, sex, avoid=taken)
            junior = (
                sex == "M"
                and not any(c.sex == "M" for c in children)
                and (culture.english_nicknames or culture.double_surname)
                and self.rng.random() < 0.2
            )
            if junior:
                given = list(father.given)
            if twins_here and len(children) == 1:
                born = children[0].born
                given = self._given(culture, sex, avoid=taken)
            us_born = self.rng.random() < 0.35
            child = self.person(culture, sex, family, born, address, hid, us_born, given)
            if twins_here and len(children) == 1:
                group = f"T{child.pid}"
                for twin in (children[0], child):
                    twin.traps.add("twin")
                    twin.twin_group = group
            if junior:
                for p in (father, child):
                    p.traps.add("junior")
                    p.junior_group = f"J{father.pid}"
            children.append(child)
            members.append(child)
        for m in members:
            m.traps.add("household")
        return members

    def namesake_of(self, original: Person) -> Person:
        """Another person with the same full name and birth date, elsewhere, own documents."""
        culture = CULTURES[original.culture]
        self.households += 1
        hid = f"H{self.households:05d}"
        twin = self.person(
            culture,
            original.sex,
            list(original.family),
            original.born,
            self._address(),
            hid,
            given=list(original.given),
        )
        twin.patronymic = original.patronymic if self.rng.random() < 0.5 else twin.patronymic
        group = original.namesake_group or f"N{original.pid}"
        for p in (original, twin):
            p.traps.add("namesake")
            p.namesake_group = group
        return twin


def name_commonness(people: list[Person]) -> None:
    """Mark the people whose family name is among the part's commonest (``common_name``)."""
    counts = Counter(p.family[0] for p in people)
    threshold = max(8, int(len(people) * 0.006))
    for p in people:
        if counts[p.family[0]] >= threshold:
            p.traps.add("common_name")
