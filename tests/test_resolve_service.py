"""Resolution through the service layer, on SQLite and PostgreSQL: run, look-up, review queue,
judgements, merge, split and undo with stable subject ids, export, policy and audit."""

from __future__ import annotations

import pytest

from helpers import actor, audit_rows, put_statements
from test_resolve_support import hand_set_model
from writ.model.actor import system_actor
from writ.resolve import repository
from writ.resolve import service as resolve
from writ.search.service import reindex
from writ.service import AccessDenied, Services
from writ.service.subjects import set_marking

CUSTODIAN = system_actor("resolve")
SUPERVISOR = actor("supervisor", user="sup-1")
OFFICER = actor("officer", user="off-1")

# Two real people with several records each, a namesake, and a lone record.
PEOPLE = {
    # Maria Garcia Lopez, A-number 012345678: three records, one with the surname cut to one
    # and the day and month of birth swapped.
    "e-maria-1": {"firstName": "María", "lastName": "García López", "birthDate": "1985-03-12",
                  "idNumber": "012345678", "gender": "female"},
    "e-maria-2": {"firstName": "MARIA", "lastName": "GARCIA", "birthDate": "1985-12-03",
                  "idNumber": "012345678"},
    "e-maria-3": {"firstName": "Maria", "lastName": "Garcia Lopez", "birthDate": "1985-03-12",
                  "gender": "female"},
    # Her namesake: same name and birth date, but another A-number.
    "e-namesake": {"firstName": "Maria", "lastName": "Garcia Lopez", "birthDate": "1985-03-12",
                   "idNumber": "087654321", "gender": "female"},
    # Mohammed Yusuf: two records, spelt differently.
    "e-mo-1": {"firstName": "Mohamed", "lastName": "Youssef", "birthDate": "1979-07-01",
               "passportNumber": "P1234567"},
    "e-mo-2": {"firstName": "Muhammad", "lastName": "Yusuf", "birthDate": "1979-07-01",
               "passportNumber": "P1234567"},
    "e-lone": {"firstName": "Olena", "lastName": "Shevchenko", "birthDate": "1990-01-01"},
}  # fmt: skip


def put_people(svc: Services, people: dict[str, dict[str, str]]) -> None:
    for entity_id, props in people.items():
        put_statements(svc, entity_id, "Person", props, source="src", record_id=entity_id)


@pytest.fixture
def svc(services: Services) -> Services:
    put_people(services, PEOPLE)
    with services.store.transaction() as session:
        repository.save_model(session, hand_set_model(), "test", "2024-01-01T00:00:00+00:00")
    return services


def subjects(svc: Services) -> dict[str, str]:
    return {row.entity_id: row.subject_id for row in resolve.export_clusters(svc, CUSTODIAN)}


def together(assignment: dict[str, str], *entity_ids: str) -> bool:
    return len({assignment[e] for e in entity_ids}) == 1


def test_run_resolves_each_person_and_keeps_the_namesake_apart(svc: Services) -> None:
    result = resolve.run(svc, CUSTODIAN)
    assert result.records == len(PEOPLE)
    assignment = subjects(svc)
    assert together(assignment, "e-maria-1", "e-maria-2", "e-maria-3")
    assert together(assignment, "e-mo-1", "e-mo-2")
    assert assignment["e-namesake"] != assignment["e-maria-1"]  # two A-numbers: two people
    assert result.subjects == 4
    assert result.in_review >= 1  # the namesake pairs wait for a person


def test_a_second_run_keeps_every_subject_id(svc: Services) -> None:
    resolve.run(svc, CUSTODIAN)
    before = subjects(svc)
    again = resolve.run(svc, CUSTODIAN)
    assert subjects(svc) == before
    assert again.records_moved == 0


def test_every_match_names_the_model_that_made_it(svc: Services) -> None:
    resolve.run(svc, CUSTODIAN)
    version = hand_set_model().version
    items = resolve.review_list(svc, SUPERVISOR)
    assert items and all(item.model_version == version for item in items)


def test_new_records_are_matched_without_rerunning_everything(svc: Services) -> None:
    resolve.run(svc, CUSTODIAN)
    before = subjects(svc)
    put_people(
        svc,
        {"e-maria-4": {"firstName": "Maria", "lastName": "Garcia", "birthDate": "1985-03-12",
                       "idNumber": "A-012-345-678"},
         "e-new": {"firstName": "Tran", "lastName": "Van Minh", "birthDate": "2001-02-02"}},
    )  # fmt: skip
    result = resolve.match_new(svc, CUSTODIAN)
    assert result.records == 2
    after = subjects(svc)
    assert after["e-maria-4"] == before["e-maria-1"]  # joined the known subject, same id
    assert after["e-new"] not in before.values()
    assert {e: after[e] for e in before} == before  # nobody else moved


def test_match_one_returns_ranked_candidates_with_explanations(svc: Services) -> None:
    resolve.run(svc, CUSTODIAN)
    candidates = resolve.match_one(
        svc,
        OFFICER,
        {"firstName": ["Mohammed"], "lastName": ["Yousef"], "birthDate": ["1979-01-07"]},
    )
    assert candidates, "the known person must be found"
    best = candidates[0]
    assert best.subject_id == subjects(svc)["e-mo-1"]
    assert any(line.startswith("date of birth: day and month swapped") for line in best.explanation)
    assert [c.weight for c in candidates] == sorted((c.weight for c in candidates), reverse=True)
    assert resolve.match_one(svc, OFFICER, {"firstName": ["Zed"], "lastName": ["Nobody"]}) == []


def test_match_one_gives_the_batch_linker_s_weight_for_the_same_pair(svc: Services) -> None:
    """The look-up scores in Python, the batch in Splink: a record looked up by its own values
    gets, against each other record, the weight the batch run stored for that pair."""
    resolve.run(svc, CUSTODIAN)
    with svc.store.transaction() as session:
        stored = {p.key: p for p in repository.matches_among(session, set(PEOPLE))}
    compared = 0
    for entity_id, props in PEOPLE.items():
        for candidate in resolve.match_one(svc, OFFICER, {k: [v] for k, v in props.items()}):
            other = candidate.record.entity_id
            key = (min(entity_id, other), max(entity_id, other))
            if other != entity_id and key in stored:
                pair = stored[key]
                assert candidate.weight == round(pair.weight, 2), key
                assert candidate.outcome == pair.outcome(hand_set_model().thresholds), key
                compared += 1
    assert compared >= 4


def test_match_one_finds_a_misspelt_name_through_the_name_index(svc: Services) -> None:
    """No look-up key is shared (another birth year, the given name misspelt so it sounds
    different): only the name index brings the record in."""
    resolve.run(svc, CUSTODIAN)
    probe = {"firstName": ["Olenka"], "lastName": ["Chevchenko"], "birthDate": ["1991"]}
    assert resolve.match_one(svc, OFFICER, probe) == []
    reindex(svc, CUSTODIAN)
    found = resolve.match_one(svc, OFFICER, probe)
    assert [c.record.entity_id for c in found] == ["e-lone"]
    assert any(line.startswith("given name: spelt nearly") for line in found[0].explanation)


def test_a_name_alone_does_not_bring_in_people_of_another_age(svc: Services) -> None:
    """Keys with a name and nothing sharper take only records less than five years off the
    probe's birth year (or with none); a probe without a birth year takes them all."""
    resolve.run(svc, CUSTODIAN)
    reindex(svc, CUSTODIAN)
    name = {"firstName": ["Olena"], "lastName": ["Shevchenko"]}
    assert [c.record.entity_id for c in resolve.match_one(svc, OFFICER, name)] == ["e-lone"]
    near = resolve.match_one(svc, OFFICER, {**name, "birthDate": ["1994"]})
    assert [c.record.entity_id for c in near] == ["e-lone"]
    assert resolve.match_one(svc, OFFICER, {**name, "birthDate": ["1960"]}) == []


def test_match_one_leaves_out_records_the_user_may_not_read(svc: Services) -> None:
    resolve.run(svc, CUSTODIAN)
    probe = {"firstName": ["Maria"], "lastName": ["Garcia Lopez"], "birthDate": ["1985-03-12"]}
    before = resolve.match_one(svc, OFFICER, probe)
    namesake = subjects(svc)["e-namesake"]
    assert namesake in {c.subject_id for c in before}
    set_marking(svc, CUSTODIAN, "e-namesake", sealed=True)
    after = resolve.match_one(svc, OFFICER, probe)
    assert namesake not in {c.subject_id for c in after}
    assert [c.subject_id for c in after] == [
        c.subject_id for c in before if c.subject_id != namesake
    ]


def test_review_show_gives_both_records_and_the_explanation(svc: Services) -> None:
    resolve.run(svc, CUSTODIAN)
    item = resolve.review_list(svc, OFFICER)[0]
    shown = resolve.review_show(svc, OFFICER, item.match_id)
    assert shown.left.values and shown.right.values
    assert "firstName" in shown.left.values
    assert shown.explanation and shown.summary.startswith("match weight")


def namesake_match(svc: Services) -> int:
    for item in resolve.review_list(svc, SUPERVISOR):
        if "e-namesake" in (item.left.entity_id, item.right.entity_id):
            return item.match_id
    raise AssertionError("the namesake pair is not in the review queue")


def test_not_same_keeps_two_clusters_apart_for_good(svc: Services) -> None:
    resolve.run(svc, CUSTODIAN)
    match_id = namesake_match(svc)
    result = resolve.decide(svc, SUPERVISOR, match_id, "not_same", "different mothers on file")
    assert result.judgements
    # A new record carries no A-number and matches both: it may join one, never both.
    put_people(
        svc,
        {"e-bridge": {"firstName": "Maria", "lastName": "Garcia Lopez",
                      "birthDate": "1985-03-12", "gender": "female"}},
    )  # fmt: skip
    resolve.match_new(svc, CUSTODIAN)
    resolve.run(svc, CUSTODIAN)
    assignment = subjects(svc)
    assert assignment["e-namesake"] != assignment["e-maria-1"]
    assert all(m.match_id != match_id for m in resolve.review_list(svc, SUPERVISOR))


def test_same_outranks_the_a_number_rule_and_judgements_are_never_deleted(
    svc: Services,
) -> None:
    resolve.run(svc, CUSTODIAN)
    match_id = namesake_match(svc)
    resolve.decide(svc, SUPERVISOR, match_id, "unsure", "need the file")
    resolve.decide(svc, SUPERVISOR, match_id, "same", "A-number re-issued, see file note")
    assert together(subjects(svc), "e-namesake", "e-maria-1")
    shown = resolve.review_show(svc, SUPERVISOR, match_id)
    assert [j.verdict for j in shown.judgements] == ["unsure", "same"]
    assert shown.judgements[0].user == "sup-1"
    assert shown.judgements[1].machine_said and shown.judgements[1].machine_said["weight"]


def test_merge_and_undo_give_back_both_ids(svc: Services) -> None:
    resolve.run(svc, CUSTODIAN)
    before = subjects(svc)
    maria, lone = before["e-maria-1"], before["e-lone"]
    merged = resolve.merge(svc, SUPERVISOR, maria, lone, "same person, per interview")
    after = subjects(svc)
    assert after["e-lone"] == maria  # the larger subject keeps its id
    resolve.undo(svc, SUPERVISOR, merged.event_id, "merged the wrong file")
    assert subjects(svc) == before
    with pytest.raises(ValueError, match="already undone"):
        resolve.undo(svc, SUPERVISOR, merged.event_id, "again")


def test_split_keeps_the_id_on_the_larger_part_and_holds_after_a_run(svc: Services) -> None:
    resolve.run(svc, CUSTODIAN)
    maria = subjects(svc)["e-maria-1"]
    result = resolve.split(svc, SUPERVISOR, maria, ["e-maria-2"], "this is her daughter")
    after = subjects(svc)
    assert after["e-maria-1"] == after["e-maria-3"] == maria
    assert after["e-maria-2"] != maria
    resolve.run(svc, CUSTODIAN)
    assert subjects(svc) == after  # the split holds against the matcher
    resolve.undo(svc, SUPERVISOR, result.event_id, "wrong record")
    assert together(subjects(svc), "e-maria-1", "e-maria-2", "e-maria-3")
    assert subjects(svc)["e-maria-1"] == maria


def test_judgements_need_a_reason_and_a_known_verdict(svc: Services) -> None:
    resolve.run(svc, CUSTODIAN)
    match_id = namesake_match(svc)
    with pytest.raises(ValueError, match="reason"):
        resolve.decide(svc, SUPERVISOR, match_id, "same", " ")
    with pytest.raises(ValueError, match="verdict"):
        resolve.decide(svc, SUPERVISOR, match_id, "maybe", "why not")


def test_an_officer_may_review_but_not_decide_and_the_refusal_is_audited(svc: Services) -> None:
    resolve.run(svc, CUSTODIAN)
    match_id = namesake_match(svc)
    resolve.review_show(svc, OFFICER, match_id)
    with pytest.raises(AccessDenied):
        resolve.decide(svc, OFFICER, match_id, "same", "looks alike")
    actions = [(r["action"], r["outcome"]) for r in audit_rows(svc)]
    assert ("resolution.run", "ok") in actions
    assert ("match.read", "ok") in actions
    assert ("match.decide", "denied") in actions


def test_an_officer_cannot_run_the_matcher(svc: Services) -> None:
    with pytest.raises(AccessDenied):
        resolve.run(svc, OFFICER)


def test_export_has_one_row_per_resolved_person(svc: Services) -> None:
    resolve.run(svc, CUSTODIAN)
    rows = list(resolve.export_clusters(svc, CUSTODIAN))
    assert {(r.source, r.record_id) for r in rows} == {("src", e) for e in PEOPLE}
    assert all(r.subject_id.startswith("S-") for r in rows)
