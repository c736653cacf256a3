"""Evidence: content-addressed storage, chain of custody, hash checked on every retrieval."""

import hashlib
import os

import pytest

from helpers import actor, audit_rows
from writ.cases import service as cases
from writ.service import AccessDenied

OFFICER = actor("officer", user="ana", unit="ERO-NYC")
SUPERVISOR = actor("supervisor", user="sam", unit="ERO-NYC")
OUTSIDER = actor("officer", user="bo", unit="HSI-MIA")
PHOTO = b"\x89PNG fake photo of a ledger page"


def test_chain_of_custody_and_a_changed_file_is_caught(services, tmp_path):
    files = cases.FileEvidenceStore(tmp_path / "evidence")
    case = cases.open_case(services, SUPERVISOR, type="investigation", title="Ring")
    item = cases.add_evidence(
        services,
        OFFICER,
        case.id,
        PHOTO,
        filename="ledger.png",
        description="Photo of the ledger",
        retain_until="2030-01-01",
        files=files,
    )
    assert item.sha256 == hashlib.sha256(PHOTO).hexdigest()
    assert files.path(item.sha256).read_bytes() == PHOTO
    cases.record_custody(services, OFFICER, item.id, "transferred", to_party="lab-tech")
    cases.record_custody(services, SUPERVISOR, item.id, "received")
    cases.record_custody(services, SUPERVISOR, item.id, "checked_out", to_party="prosecutor")
    with pytest.raises(ValueError, match="already checked out"):
        cases.record_custody(services, SUPERVISOR, item.id, "checked_out", to_party="x")
    cases.record_custody(services, SUPERVISOR, item.id, "checked_in")
    assert cases.verify_evidence(services, OFFICER, item.id, files) == item.sha256
    _, content = cases.retrieve_evidence(services, OFFICER, item.id, files)
    assert content == PHOTO
    with pytest.raises(AccessDenied):
        cases.retrieve_evidence(services, OUTSIDER, item.id, files)

    # Someone changes the file on disk.
    path = files.path(item.sha256)
    os.chmod(path, 0o644)
    path.write_bytes(PHOTO + b" altered")
    with pytest.raises(cases.EvidenceIntegrityError, match="does not match"):
        cases.retrieve_evidence(services, OFFICER, item.id, files)
    with pytest.raises(cases.EvidenceIntegrityError):
        cases.verify_evidence(services, OFFICER, item.id, files)

    _, chain = cases.custody_chain(services, OFFICER, item.id)
    assert [e.event for e in chain] == [
        "collected",
        "transferred",
        "received",
        "checked_out",
        "checked_in",
        "verified",
        "verification_failed",
        "verification_failed",
    ]
    assert chain[1].from_party == "ana" and chain[1].to_party == "lab-tech"
    assert chain[-1].sha256_observed == hashlib.sha256(PHOTO + b" altered").hexdigest()
    alerts = [n for n in cases.list_notifications(services, SUPERVISOR) if n.kind == "alert"]
    assert len(alerts) == 2 and "failed its hash check" in alerts[0].message
    outcomes = [r["outcome"] for r in audit_rows(services) if r["action"] == "evidence.retrieve"]
    assert outcomes == ["ok", "denied", "alert"]


def test_evidence_is_disposed_only_after_retention_with_a_reason_and_never_deleted(
    services, tmp_path
):
    files = cases.FileEvidenceStore(tmp_path / "evidence")
    case = cases.open_case(services, SUPERVISOR, type="investigation", title="Ring")
    item = cases.add_evidence(
        services,
        OFFICER,
        case.id,
        b"phone dump",
        filename="dump.bin",
        description="Extraction",
        retain_until="2030-01-01",
        files=files,
    )
    with pytest.raises(ValueError, match="needs a reason"):
        cases.dispose_evidence(services, SUPERVISOR, item.id, " ", today="2031-01-01")
    with pytest.raises(ValueError, match="retention forbids disposal"):
        cases.dispose_evidence(services, SUPERVISOR, item.id, "case closed", today="2029-12-31")
    with pytest.raises(AccessDenied):
        cases.dispose_evidence(services, OFFICER, item.id, "case closed", today="2031-01-01")
    disposed = cases.dispose_evidence(
        services, SUPERVISOR, item.id, "case closed, appeal period over", today="2031-01-01"
    )
    assert disposed.status == "disposed"
    assert disposed.disposal_reason == "case closed, appeal period over"
    with pytest.raises(ValueError, match="disposed"):
        cases.record_custody(services, OFFICER, item.id, "checked_out", to_party="x")
    # The record and the content stay.
    assert [e.id for e in cases.case_evidence(services, OFFICER, case.id)] == [item.id]
    assert files.path(item.sha256).read_bytes() == b"phone dump"
    assert cases.custody_chain(services, OFFICER, item.id)[1][-1].event == "disposed"
