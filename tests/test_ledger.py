"""The ledger verifies, and any single altered, deleted, reordered or truncated row is caught."""

import json

import pytest
from sqlalchemy import delete, update

from helpers import actor
from writ.audit import keys, merkle
from writ.model.resource import Resource
from writ.service import audit as audit_service
from writ.store.tables.core import audit_entries, tree_heads

ADMIN = actor("admin", purpose="administration")


def _fill(svc, n=6):
    for i in range(n):
        with svc.operation(ADMIN, "create", Resource("user", f"u{i}")) as op:
            op.details["i"] = i


def _tamper(svc, statement):
    with svc.store.transaction() as session:
        session.execute(statement)


def test_an_intact_ledger_verifies(services):
    _fill(services)
    result = audit_service.verify(services, ADMIN)
    assert result.ok, result.problem
    assert result.entries == 6 and result.heads >= 1


@pytest.mark.parametrize(
    "column,value",
    [
        ("actor", "mallory"),
        ("outcome", "denied"),
        ("details", '{"i": 99}'),
        ("ts", "2020-01-01T00:00:00.000000Z"),
        ("purpose", "oversight"),
    ],
)
def test_altering_any_field_of_one_row_is_caught_and_named(services, column, value):
    _fill(services)
    _tamper(services, update(audit_entries).where(audit_entries.c.seq == 3).values({column: value}))
    result = audit_service.verify(services, ADMIN)
    assert not result.ok
    assert result.first_bad_entry == 3
    assert "entry 3" in result.problem


def test_rewriting_content_and_its_leaf_hash_is_caught_by_the_signed_heads(services):
    _fill(services)
    forged = {
        "seq": 4,
        "ts": "2020-01-01T00:00:00.000000Z",
        "actor": "mallory",
        "roles": "admin",
        "unit": "x",
        "action": "user.create",
        "object_type": "user",
        "object_id": "u3",
        "purpose": "administration",
        "origin": "local",
        "outcome": "ok",
        "policy": "admin-manages-users",
        "details": "{}",
    }
    from writ.audit.ledger import canonical

    leaf = merkle.leaf_hash(canonical(forged))
    _tamper(
        services,
        update(audit_entries)
        .where(audit_entries.c.seq == 4)
        .values(**{k: v for k, v in forged.items() if k != "seq"}, leaf_hash=leaf),
    )
    result = audit_service.verify(services, ADMIN)
    assert not result.ok
    assert result.first_bad_entry == 4


def test_deleting_a_row_is_caught(services):
    _fill(services)
    _tamper(services, delete(audit_entries).where(audit_entries.c.seq == 2))
    result = audit_service.verify(services, ADMIN)
    assert not result.ok and result.first_bad_entry == 2


def test_reordering_two_rows_is_caught(services):
    _fill(services)
    _tamper(services, update(audit_entries).where(audit_entries.c.seq == 2).values(seq=100))
    _tamper(services, update(audit_entries).where(audit_entries.c.seq == 3).values(seq=2))
    _tamper(services, update(audit_entries).where(audit_entries.c.seq == 100).values(seq=3))
    result = audit_service.verify(services, ADMIN)
    assert not result.ok and result.first_bad_entry == 2


def test_truncating_the_log_is_caught(services):
    _fill(services)
    _tamper(services, delete(audit_entries).where(audit_entries.c.seq >= 5))
    result = audit_service.verify(services, ADMIN)
    assert not result.ok and result.first_bad_entry == 5


def test_a_forged_tree_head_signature_is_caught(services):
    _fill(services)
    _tamper(
        services,
        update(tree_heads).where(tree_heads.c.tree_size == 3).values(signature=b"\x00" * 64),
    )
    result = audit_service.verify(services, ADMIN)
    assert not result.ok and "bad signature" in result.problem


def test_inclusion_proof_verifies_against_the_signed_head(services):
    _fill(services, 9)
    proof = audit_service.prove(services, ADMIN, 5)
    assert proof.verifies()
    assert proof.entry["object_id"] == "u4"
    data = proof.to_json()
    assert merkle.verify_inclusion(
        data["leaf_index"],
        data["tree_head"]["tree_size"],
        bytes.fromhex(data["leaf_hash"]),
        [bytes.fromhex(p) for p in data["proof"]],
        bytes.fromhex(data["tree_head"]["root_hash"]),
    )


def test_consistency_from_a_checkpoint(services):
    _fill(services, 4)
    old = audit_service.checkpoint(services, ADMIN)
    saved = keys.TreeHead.from_json(old.to_json())
    _fill(services, 5)
    result = audit_service.consistency(services, ADMIN, saved)
    assert result.ok, result.problem
    assert result.new.tree_size > saved.tree_size


def test_consistency_fails_when_history_was_rewritten(services):
    _fill(services, 4)
    saved = audit_service.checkpoint(services, ADMIN)
    # Rewrite an old entry and what derives from it, as an insider with database access would:
    # its leaf hash, and every signed tree head (re-signing would need the key, so they go).
    _tamper(services, delete(tree_heads))
    _tamper(
        services,
        update(audit_entries)
        .where(audit_entries.c.seq == 2)
        .values(leaf_hash=merkle.leaf_hash(b"forged")),
    )
    result = audit_service.consistency(services, ADMIN, saved)
    assert not result.ok
    assert "changed" in result.problem


def test_proof_json_is_self_contained(services):
    _fill(services, 3)
    data = json.loads(json.dumps(audit_service.prove(services, ADMIN, 1).to_json()))
    assert set(data) == {"seq", "leaf_index", "leaf_hash", "entry", "tree_head", "proof"}
