import shutil
from pathlib import Path

import pytest

from helpers import actor
from writ.model.resource import Resource
from writ.policy.engine import POLICY_DIR, Policy, PolicyError, load_policy

PERSON = Resource("person", "p1", unit="ERO-NYC")


def test_officer_reads_a_person_for_a_purpose():
    decision = load_policy().decide(actor("officer"), "read", PERSON)
    assert decision.allowed
    assert decision.policies == ("people-read-by-case-staff",)


def test_reading_a_person_without_a_purpose_is_denied_and_says_why():
    decision = load_policy().decide(actor("officer", purpose=None), "read", PERSON)
    assert not decision.allowed
    assert decision.policies == ("purpose-of-use-required",)
    assert "purpose" in decision.grant


def test_default_deny_names_itself():
    decision = load_policy().decide(actor("officer"), "export", PERSON)
    assert not decision.allowed
    assert decision.policies == ("default-deny",)


@pytest.mark.parametrize("role", ["officer", "supervisor", "legal", "admin", "oversight"])
def test_sealed_records_are_for_custodians_only(role):
    sealed = Resource("person", "p1", sealed=True)
    decision = load_policy().decide(actor(role, purpose="oversight"), "read", sealed)
    assert not decision.allowed
    assert "sealed-custodian-only" in decision.policies


def test_custodian_reads_sealed_record():
    sealed = Resource("person", "p1", sealed=True)
    assert load_policy().decide(actor("custodian"), "read", sealed).allowed


def test_compartment_needs_to_know():
    secret = Resource("person", "p1", compartments=frozenset({"OP-NIGHTJAR"}))
    assert not load_policy().decide(actor("officer"), "read", secret).allowed
    cleared = actor("officer", compartments=["OP-NIGHTJAR"])
    assert load_policy().decide(cleared, "read", secret).allowed


def test_oversight_reads_audit_but_officer_does_not():
    log = Resource("audit", "ledger")
    assert load_policy().decide(actor("oversight", purpose="oversight"), "read", log).allowed
    assert not load_policy().decide(actor("officer"), "read", log).allowed


def test_unknown_action_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown action"):
        load_policy().decide(actor(), "delete-everything", PERSON)


def _policy_copy(tmp_path: Path) -> Path:
    target = tmp_path / "policy"
    shutil.copytree(POLICY_DIR, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


def test_a_syntax_error_names_the_file_and_line(tmp_path):
    directory = _policy_copy(tmp_path)
    bad = directory / "policies" / "zz-bad.cedar"
    bad.write_text(
        '// a comment\n\n@id("broken")\npermit (principal, action, resource)\nwhen { ;\n'
    )
    with pytest.raises(PolicyError, match=r"zz-bad\.cedar:3: "):
        Policy(directory)


def test_a_type_error_names_the_file_line_and_policy(tmp_path):
    directory = _policy_copy(tmp_path)
    bad = directory / "policies" / "zz-bad.cedar"
    bad.write_text(
        '@id("fine")\npermit (principal, action, resource) when { resource.kind == "x" };\n\n'
        '@id("typo")\npermit (principal, action, resource)\n'
        'when { principal.rolez.contains("x") };\n'
    )
    with pytest.raises(PolicyError, match=r"zz-bad\.cedar:4: policy 'typo': .*rolez"):
        Policy(directory)


def test_a_policy_without_an_id_is_refused(tmp_path):
    directory = _policy_copy(tmp_path)
    (directory / "policies" / "zz-bad.cedar").write_text("permit (principal, action, resource);\n")
    with pytest.raises(PolicyError, match=r"zz-bad\.cedar:1: every policy needs an @id"):
        Policy(directory)
