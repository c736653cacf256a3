"""Search: fuzzy names across scripts and spellings, identifiers, notes, and the access filter
inside the query. Each test runs on SQLite (FTS5 trigram) and PostgreSQL (pg_trgm) with the
same expected results."""

import pytest

from helpers import actor, put_statements
from writ.cases import service as cases
from writ.model.actor import system_actor
from writ.search import service as search
from writ.service.subjects import person_resource, set_marking

OFFICER = actor("officer", user="ana", unit="ERO-NYC")
CUSTODIAN = actor("custodian", user="cu", unit="ERO-NYC", purpose="records-management")
INDEXER = system_actor("search")
PEOPLE = {
    "p-hashimi-cyr": {"name": "Мухаммед Аль-Хашими", "birthDate": "1980-02-03"},
    "p-hashimi-lat": {"firstName": "Muhammad", "lastName": "Al-Hashimi"},
    "p-hassan": {"name": "Mohamed Hassan"},
    "p-nunez": {"name": "José Núñez"},
    "p-nash": {"name": "Joseph Nash"},
    "p-papa": {"name": "Γιώργος Παπαδόπουλος"},
    "p-reyes": {"name": "Ana Reyes", "idNumber": "012345678"},
    "p-reyes-g": {"name": "Anna Reyes Garcia"},
    "p-sealed": {"name": "Ana Reyez"},
    "p-secret": {"name": "Anna Reyes", "passportNumber": "Z9988776"},
}


def _load(services):
    for entity_id, values in PEOPLE.items():
        put_statements(services, entity_id, "Person", values, record_id=entity_id)
    put_statements(
        services, "pass-1", "Passport", {"number": "X1234567", "holder": "p-nunez"}, record_id="pp"
    )
    set_marking(services, CUSTODIAN, "p-sealed", sealed=True)
    set_marking(services, CUSTODIAN, "p-secret", sealed=False, compartments=frozenset({"GJ"}))
    search.reindex(services, INDEXER)


def _ids(hits):
    return [h.entity_id for h in hits]


RANKED = [
    # misspelt, transliterated from Cyrillic, words in another order
    ("Muhamed Hashimi", ["p-hashimi-lat", "p-hashimi-cyr", "p-hassan"]),
    ("Hashimi Mohammed", ["p-hashimi-lat", "p-hashimi-cyr", "p-hassan"]),
    ("Mohamed Hasan", ["p-hassan"]),
    # accents dropped, order swapped
    ("Nunez Jose", ["p-nunez"]),
    # Greek, misspelt
    ("Giorgos Papadopulos", ["p-papa"]),
    ("Anna Reyes", ["p-reyes", "p-reyes-g"]),
]


def test_names_rank_misspellings_and_transliterations(services):
    _load(services)
    for query, expected in RANKED:
        hits = search.search_subjects(services, OFFICER, query)
        assert _ids(hits) == expected, query
        assert all(h.matched == "name" and h.why for h in hits)
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_identifiers_are_normalised(services):
    _load(services)
    (hit,) = search.search_subjects(services, OFFICER, "A-012-345-678")
    assert (hit.entity_id, hit.matched, hit.name) == ("p-reyes", "a-number", "Ana Reyes")
    assert _ids(search.search_subjects(services, OFFICER, "a12345678")) == ["p-reyes"]
    (holder,) = search.search_subjects(services, OFFICER, "x123 4567")
    assert (holder.entity_id, holder.matched) == ("p-nunez", "passport")
    # A compartmented person's passport is not found by someone outside the compartment.
    assert search.search_subjects(services, OFFICER, "Z998-8776") == []
    inside = actor("officer", user="gj", compartments=["GJ"])
    assert _ids(search.search_subjects(services, inside, "Z998-8776")) == ["p-secret"]


def test_the_access_filter_is_inside_the_query(services):
    _load(services)
    # The sealed "Ana Reyez" and compartmented "Anna Reyes" would rank first; with limit=1 the
    # officer still gets a visible person, so hidden rows never took a place in the result.
    (top,) = search.search_subjects(services, OFFICER, "Ana Reyez", limit=1)
    assert top.entity_id == "p-reyes"
    officer_ids = set(_ids(search.search_subjects(services, OFFICER, "Ana Reyes", limit=50)))
    custodian_ids = set(_ids(search.search_subjects(services, CUSTODIAN, "Ana Reyes", limit=50)))
    assert "p-sealed" in custodian_ids and "p-sealed" not in officer_ids
    assert "p-secret" not in officer_ids
    # The SQL filter agrees with the policy engine, person by person.
    with services.store.transaction() as session:
        for entity_id in ("p-reyes", "p-sealed", "p-secret"):
            decision = services.policy.decide(OFFICER, "read", person_resource(session, entity_id))
            assert decision.allowed == (entity_id in officer_ids), entity_id


def test_notes_full_text_respects_case_and_subject_access(services):
    _load(services)
    mine = cases.open_case(services, OFFICER, type="investigation", title="Ring")
    theirs = cases.open_case(
        services, actor("officer", user="bo", unit="HSI-MIA"), type="investigation", title="X"
    )
    cases.add_case_note(services, OFFICER, mine.id, "Meeting at the Café Reyes on Tuesday.")
    cases.add_case_note(
        services, actor("officer", user="bo", unit="HSI-MIA"), theirs.id, "Cafe meeting planned."
    )
    cases.add_subject_note(services, OFFICER, "p-reyes", "Seen leaving the cafe with a parcel.")
    cases.add_subject_note(services, CUSTODIAN, "p-sealed", "Cafe owner; sealed file.")
    hits = search.search_notes(services, OFFICER, "cafe")
    assert [h.body for h in hits] == [
        "Seen leaving the cafe with a parcel.",
        "Meeting at the Café Reyes on Tuesday.",
    ]
    assert [h.body for h in search.search_notes(services, OFFICER, "CAFÉ tuesday")] == [
        "Meeting at the Café Reyes on Tuesday."
    ]
    assert len(search.search_notes(services, CUSTODIAN, "cafe")) == 2  # subject notes only
    with pytest.raises(ValueError, match="no words"):
        search.search_notes(services, OFFICER, "  !! ")
