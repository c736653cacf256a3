"""The invented population behind the demo sources: the truth every source record is drawn from.

People live in households (head, spouse, adult children), so a visa file can name a relative and a
legacy case an associate who is also somebody on file. Two traps are built in on purpose:
twins (same surname, birth date and address, different given names) and namesakes (same full
name, different birth dates), so that a matcher which links on name and birth date alone fails.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from writ.demo.names import CULTURES, Culture, surname_for

STREETS = (
    "Maple",
    "Oak",
    "Cedar",
    "Pine",
    "Elm",
    "Walnut",
    "Willow",
    "Lincoln",
    "Jefferson",
    "Washington",
    "Lake",
    "Hill",
    "River",
    "Sunset",
    "Park",
    "Mill",
    "Church",
    "Spring",
    "Highland",
    "Meadow",
)
STREET_TYPES = ("St", "Ave", "Rd", "Dr", "Ln", "Blvd", "Ct")
TOWNS = ("Riverton", "Fairview", "Oakdale", "Marlow", "Greenfield", "Brookside", "Ashford")
STATE = "ZZ"  # a state that does not exist: the addresses are invented

# Share of each culture in the population, in the order of CULTURES.
CULTURE_WEIGHTS = (28, 12, 7, 6, 9, 3, 5, 3, 4, 6, 5, 12)


@dataclass(frozen=True)
class DemoPerson:
    """One invented person, as the truth: every source record about them is a noisy copy."""

    person_id: str
    culture: str
    sex: str
    given: str
    middle: str
    surnames: tuple[str, ...]
    birth_date: date
    country_of_birth: str
    nationality: str
    a_number: str
    passport: str
    address: str
    household: str
    household_role: str
    twin_of: str = ""
    namesake_of: str = ""

    @property
    def family_name(self) -> str:
        return " ".join(self.surnames)

    @property
    def given_names(self) -> str:
        return f"{self.given} {self.middle}".strip()


@dataclass
class _Draft:
    """A person while the population is being built, before ids are assigned.

    ``surnames`` are in their base form; a woman's feminine form is made when the person is done.
    """

    culture: Culture
    sex: str
    given: str
    middle: str
    surnames: tuple[str, ...]
    birth_date: date
    country: str
    address: str
    household: int
    role: str
    twin: int = -1
    namesake: int = -1


def build_population(rng: random.Random, people: int) -> list[DemoPerson]:
    """``people`` invented persons, with twins and namesakes among them."""
    pairs = max(2, people // 40)
    drafts: list[_Draft] = []
    for _ in range(pairs):
        _add_twins(rng, drafts)
    for _ in range(pairs):
        _add_namesakes(rng, drafts)
    while len(drafts) < people:
        _add_household(rng, drafts, room=people - len(drafts))
    order = list(range(len(drafts)))
    rng.shuffle(order)
    ids = {index: f"P{rank + 1:04d}" for rank, index in enumerate(order)}
    population = [_finish(rng, drafts[index], index, ids) for index in order]
    return population


def _finish(rng: random.Random, draft: _Draft, index: int, ids: dict[int, str]) -> DemoPerson:
    us_born = draft.country == "US"
    a_number = "" if us_born or rng.random() < 0.12 else _a_number(rng)
    passport = _passport(rng, draft.country) if rng.random() < 0.65 else ""
    nationality = draft.country
    if not us_born and rng.random() < 0.08:
        nationality = rng.choice(draft.culture.countries)
    return DemoPerson(
        person_id=ids[index],
        culture=draft.culture.key,
        sex=draft.sex,
        given=draft.given,
        middle=draft.middle,
        surnames=tuple(surname_for(draft.culture, name, draft.sex) for name in draft.surnames),
        birth_date=draft.birth_date,
        country_of_birth=draft.country,
        nationality=nationality,
        a_number=a_number,
        passport=passport,
        address=draft.address,
        household=f"H{draft.household:04d}",
        household_role=draft.role,
        twin_of=ids[draft.twin] if draft.twin >= 0 else "",
        namesake_of=ids[draft.namesake] if draft.namesake >= 0 else "",
    )


def _add_household(rng: random.Random, drafts: list[_Draft], room: int) -> None:
    culture = rng.choices(CULTURES, weights=CULTURE_WEIGHTS)[0]
    household = _next_household(drafts)
    address = invent_address(rng)
    country = rng.choice(culture.countries)
    head = _person(rng, culture, rng.choice("MF"), _birth_date(rng, 1950, 1990))
    head.household, head.role, head.address, head.country = household, "head", address, country
    drafts.append(head)
    members = 1
    spouse = None
    if members < room and rng.random() < 0.45:
        spouse = _spouse(rng, culture, head)
        drafts.append(spouse)
        members += 1
    for _ in range(rng.choice((0, 0, 1, 2))):
        if members >= room:
            break
        born = _birth_date(rng, head.birth_date.year + 20, min(head.birth_date.year + 38, 2005))
        drafts.append(_child(rng, culture, head, spouse, born))
        members += 1


def _spouse(rng: random.Random, culture: Culture, head: _Draft) -> _Draft:
    sex = "F" if head.sex == "M" else "M"
    born = head.birth_date + timedelta(days=rng.randint(-8 * 365, 8 * 365))
    spouse = _person(rng, culture, sex, born)
    keeps_own = culture.wife_keeps_surname or culture.double_surname
    if not keeps_own:
        spouse.surnames = head.surnames
    spouse.household, spouse.role, spouse.address = head.household, "spouse", head.address
    spouse.country = head.country if rng.random() < 0.8 else rng.choice(culture.countries)
    return spouse


def _child(
    rng: random.Random, culture: Culture, head: _Draft, spouse: _Draft | None, born: date
) -> _Draft:
    child = _person(rng, culture, rng.choice("MF"), born)
    father, mother = (head, spouse) if head.sex == "M" else (spouse, head)
    if culture.double_surname and father is not None and mother is not None:
        child.surnames = (father.surnames[0], mother.surnames[0])
    else:
        child.surnames = (father or head).surnames
    child.household, child.role, child.address = head.household, "child", head.address
    child.country = head.country if rng.random() < 0.7 else "US"
    return child


def _add_twins(rng: random.Random, drafts: list[_Draft]) -> None:
    culture = rng.choices(CULTURES, weights=CULTURE_WEIGHTS)[0]
    household = _next_household(drafts)
    address = invent_address(rng)
    country = rng.choice(culture.countries)
    born = _birth_date(rng, 1970, 2004)
    first = _person(rng, culture, rng.choice("MF"), born)
    # Where a sister's surname differs from her brother's (Ivanova, Ivanov), twins share a sex.
    sex = first.sex if culture.gendered_surnames else rng.choice("MF")
    second = _person(rng, culture, sex, born)
    while second.given == first.given:
        second.given = _given(rng, culture, second.sex)
    second.surnames = first.surnames
    start = len(drafts)
    for twin, other in ((first, start + 1), (second, start)):
        twin.household, twin.role, twin.address, twin.country = household, "child", address, country
        twin.twin = other
        drafts.append(twin)


def _add_namesakes(rng: random.Random, drafts: list[_Draft]) -> None:
    culture = rng.choices(CULTURES, weights=CULTURE_WEIGHTS)[0]
    sex = rng.choice("MF")
    first = _person(rng, culture, sex, _birth_date(rng, 1955, 2000))
    if rng.random() < 0.5:
        born = first.birth_date + timedelta(days=rng.randint(20, 300))
    else:
        born = _birth_date(rng, 1955, 2000)
    while born == first.birth_date:
        born += timedelta(days=rng.randint(1, 3000))
    second = _person(rng, culture, sex, born)
    second.given, second.middle, second.surnames = first.given, first.middle, first.surnames
    start = len(drafts)
    for namesake, other in ((first, start + 1), (second, start)):
        namesake.household = _next_household(drafts)
        namesake.role, namesake.address = "head", invent_address(rng)
        namesake.country = rng.choice(culture.countries)
        namesake.namesake = other
        drafts.append(namesake)


def _next_household(drafts: list[_Draft]) -> int:
    return max((draft.household for draft in drafts), default=0) + 1


def _person(rng: random.Random, culture: Culture, sex: str, born: date) -> _Draft:
    given = _given(rng, culture, sex)
    middle = ""
    if rng.random() < culture.middle_name_rate:
        middle = _given(rng, culture, sex)
        while middle == given:
            middle = _given(rng, culture, sex)
    surnames: tuple[str, ...] = (rng.choice(culture.surnames),)
    if culture.double_surname:
        second = rng.choice(culture.surnames)
        while second == surnames[0]:
            second = rng.choice(culture.surnames)
        surnames = (surnames[0], second)
    return _Draft(culture, sex, given, middle, surnames, born, "", "", 0, "")


def _given(rng: random.Random, culture: Culture, sex: str) -> str:
    if sex == "M" and culture.frequent_male and rng.random() < 0.15:
        return culture.frequent_male
    return rng.choice(culture.male if sex == "M" else culture.female)


def _birth_date(rng: random.Random, first_year: int, last_year: int) -> date:
    start = date(first_year, 1, 1)
    span = (date(max(first_year, last_year), 12, 31) - start).days
    return start + timedelta(days=rng.randint(0, span))


def invent_address(rng: random.Random) -> str:
    """A street address in an invented town of a state that does not exist."""
    number = rng.randint(10, 9899)
    street = f"{rng.choice(STREETS)} {rng.choice(STREET_TYPES)}"
    unit = f" Apt {rng.randint(1, 40)}" if rng.random() < 0.3 else ""
    return f"{number} {street}{unit}, {rng.choice(TOWNS)}, {STATE} 0{rng.randint(1000, 9999)}"


def _a_number(rng: random.Random) -> str:
    """A 9-digit alien registration number; about a fifth are old 8-digit ones (leading 0)."""
    if rng.random() < 0.2:
        return f"0{rng.randint(10_000_000, 99_999_999)}"
    return str(rng.randint(200_000_000, 249_999_999))


def _passport(rng: random.Random, country: str) -> str:
    if country == "US":
        return str(rng.randint(500_000_000, 599_999_999))
    letter = rng.choice("ABCEGKNPRT")
    return f"{letter}{rng.randint(1_000_000, 99_999_999):08d}"


class Population:
    """The invented people, with their households, for sources that name a second person."""

    def __init__(self, people: list[DemoPerson]) -> None:
        self.people = people
        self.by_id = {person.person_id: person for person in people}
        households: defaultdict[str, list[DemoPerson]] = defaultdict(list)
        for person in people:
            households[person.household].append(person)
        self._households = dict(households)

    def relatives(self, person: DemoPerson) -> list[DemoPerson]:
        return [other for other in self._households[person.household] if other != person]

    def someone_else(self, rng: random.Random, person: DemoPerson) -> DemoPerson:
        other = rng.choice(self.people)
        while other.household == person.household:
            other = rng.choice(self.people)
        return other


def kinship(relative: DemoPerson, person: DemoPerson) -> str:
    """What ``relative`` is to ``person``, in words: ``wife``, ``son``, ``twin sister``."""
    male = relative.sex == "M"
    if relative.household_role == "child" and person.household_role == "child":
        word = "brother" if male else "sister"
        return f"twin {word}" if relative.twin_of == person.person_id else word
    if relative.household_role == "child":
        return "son" if male else "daughter"
    if person.household_role == "child":
        return "father" if male else "mother"
    return "husband" if male else "wife"


KINSHIP_CLASSES = {
    "brother": "sibling",
    "sister": "sibling",
    "twin brother": "sibling",
    "twin sister": "sibling",
    "son": "child",
    "daughter": "child",
    "father": "parent",
    "mother": "parent",
    "husband": "spouse",
    "wife": "spouse",
}
