"""Photos of record: content-addressed, with source and legal basis; every read audited and
decided by policy; shown on the case file and the field worklist to those who may see it."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from helpers import actor, audit_rows
from test_web_accounts import add_account
from writ.api.app import create_app
from writ.cli import app
from writ.demo.photos import placeholder_photo
from writ.lifecycle import service as lc
from writ.service import AccessDenied, NotFound, Services

OFFICER = actor("officer", user="off-1", purpose="case-processing")
OFFICER_2 = actor("officer", user="off-2", purpose="case-processing")
SUPERVISOR = actor("supervisor", user="sup-1", purpose="case-processing")
OTHER_UNIT = actor("officer", user="off-la", unit="ERO-LA", purpose="case-processing")
LEGAL = actor("legal", user="legal-1", unit="OPLA-NYC", purpose="legal-review")
OVERSIGHT = actor("oversight", user="ovs-1", unit="OIG", purpose="oversight")
OVERSIGHT_AT_WORK = actor("oversight", user="ovs-1", unit="OIG", purpose="investigation")
BASIS = "8 CFR 236.5 (photographs of persons in proceedings)"


@pytest.fixture
def files(tmp_path) -> lc.PhotoFiles:
    return lc.photo_files(tmp_path / "photos")


def new_case(svc: Services, name: str = "Ana María López") -> str:
    return lc.open_case(
        svc,
        OFFICER,
        subject_name=name,
        birth_date=date(1990, 5, 17),
        country_of_birth="Mexico",
        a_number_value="A-200-300-400",
    ).id


def set_booking_photo(
    svc: Services, case_id: str, files: lc.PhotoFiles, label: str = "A"
) -> lc.PhotoOfRecord:
    return lc.set_photo(
        svc,
        OFFICER,
        case_id,
        placeholder_photo(label),
        source="booking photo, ERO New York processing",
        legal_basis=BASIS,
        taken_at=datetime.now(UTC) - timedelta(days=2),
        files=files,
    )


def test_a_photo_is_held_by_its_hash_and_every_read_is_audited(services, files):
    case_id = new_case(services)
    photo = set_booking_photo(services, case_id, files)
    content = placeholder_photo("A")
    assert photo.sha256 == hashlib.sha256(content).hexdigest()
    assert photo.media_type == "image/png" and photo.alt == "Photo of record of Ana María López"
    set_entry = audit_rows(services)[-1]
    assert set_entry["action"] == "photo-of-record.set" and set_entry["outcome"] == "ok"
    assert set_entry["policy"] == "photo-of-record-set"

    for reader in (OFFICER_2, SUPERVISOR, LEGAL, OVERSIGHT):
        found, got = lc.photo_of_record(services, reader, case_id, files)
        assert got == content and found.id == photo.id
        entry = audit_rows(services)[-1]
        assert (entry["action"], entry["actor"], entry["object_id"], entry["outcome"]) == (
            "photo-of-record.read",
            reader.user,
            photo.id,
            "ok",
        )


@pytest.mark.parametrize("reader", [OTHER_UNIT, OVERSIGHT_AT_WORK], ids=["other-unit", "purpose"])
def test_a_reader_the_policy_refuses_gets_nothing_and_the_refusal_is_audited(
    services, files, reader
):
    case_id = new_case(services)
    photo = set_booking_photo(services, case_id, files)
    with pytest.raises(AccessDenied):
        lc.photo_of_record(services, reader, case_id, files)
    entry = audit_rows(services)[-1]
    assert (entry["action"], entry["actor"], entry["object_id"], entry["outcome"]) == (
        "photo-of-record.read",
        reader.user,
        photo.id,
        "denied",
    )
    if reader is OTHER_UNIT:
        # Another unit's officer may read the case, but its file does not show the photo.
        assert lc.get_case(services, reader, case_id).photo is None


def test_only_the_unit_or_a_custodian_sets_a_photo(services, files):
    case_id = new_case(services)
    with pytest.raises(AccessDenied):
        lc.set_photo(
            services,
            OTHER_UNIT,
            case_id,
            placeholder_photo("x"),
            source="booking photo",
            legal_basis=BASIS,
            files=files,
        )
    assert audit_rows(services)[-1]["outcome"] == "denied"
    with pytest.raises(NotFound):
        lc.photo_of_record(services, OFFICER, case_id, files)


@pytest.mark.parametrize(
    ("content", "source", "basis", "complaint"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "booking", BASIS, "not a JPEG, PNG or WebP"),
        (b"", "booking", BASIS, "empty"),
        (b"\x89PNG\r\n\x1a\n" + b"0" * (lc.PHOTO_MAX_BYTES), "booking", BASIS, "more than"),
        (None, " ", BASIS, "source is required"),
        (None, "booking", "", "legal_basis is required"),
    ],
)
def test_bad_input_names_the_case_and_field(services, files, content, source, basis, complaint):
    case_id = new_case(services)
    before = len(audit_rows(services))
    with pytest.raises(ValueError, match=complaint) as raised:
        lc.set_photo(
            services,
            OFFICER,
            case_id,
            placeholder_photo("x") if content is None else content,
            source=source,
            legal_basis=basis,
            files=files,
        )
    assert case_id in str(raised.value)
    assert len(audit_rows(services)) == before


def test_a_new_photo_supersedes_the_old_and_the_case_file_shows_the_current_one(services, files):
    case_id = new_case(services)
    first = set_booking_photo(services, case_id, files, "first")
    second = set_booking_photo(services, case_id, files, "second")
    assert json.loads(str(audit_rows(services)[-1]["details"]))["supersedes"] == first.id
    found, content = lc.photo_of_record(services, OFFICER, case_id, files)
    assert found.id == second.id and content == placeholder_photo("second")
    shown = lc.get_case(services, OFFICER, case_id).photo
    assert shown is not None and shown.id == second.id
    # The first photo's content is still held under its hash.
    assert files.get(first.sha256) == placeholder_photo("first")


def test_content_that_no_longer_matches_its_hash_is_not_served(services, files):
    case_id = new_case(services)
    photo = set_booking_photo(services, case_id, files)
    path = files.path(photo.sha256)
    os.chmod(path, 0o644)
    path.write_bytes(placeholder_photo("tampered"))
    with pytest.raises(lc.PhotoIntegrityError, match=photo.sha256):
        lc.photo_of_record(services, OFFICER, case_id, files)
    entry = audit_rows(services)[-1]
    assert entry["action"] == "photo-of-record.read" and entry["outcome"] == "alert"


def test_the_field_worklist_carries_the_photo_for_those_who_may_see_it(services, files):
    warranted = new_case(services, "Jorge Ramírez")
    lc.add_document(
        services,
        OFFICER,
        warranted,
        {
            "kind": "i862",
            "issued_at": datetime.now(UTC) - timedelta(days=3),
            "issuer": "ERO New York",
            "signer": "P. Officer",
            "signer_role": "deportation_officer",
        },
    )
    lc.add_document(
        services,
        OFFICER,
        warranted,
        {
            "kind": "i200",
            "issued_at": datetime.now(UTC) - timedelta(days=2),
            "issuer": "ERO New York",
            "signer": "S. Diaz",
            "signer_role": "supervisory_deportation_officer",
        },
    )
    photo = set_booking_photo(services, warranted, files)
    plan = lc.create_operation_plan(
        services,
        OFFICER,
        title="Synthetic operation",
        planned_for=datetime.now(UTC) + timedelta(days=1),
        case_ids=[warranted],
    )
    lc.approve_operation_plan(services, SUPERVISOR, plan.id)
    [item] = lc.field_worklist(services, OFFICER_2, plan.id)
    assert item.photo is not None and item.photo.id == photo.id
    assert item.photo.alt == "Photo of record of Jorge Ramírez"
    [seen_by_legal] = lc.field_worklist(services, LEGAL, plan.id)
    assert seen_by_legal.photo is not None


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_api_sets_and_serves_the_photo_behind_a_session(services, tmp_path):
    app = create_app(services, demo=True, photo_root=tmp_path / "photos")
    case_id = new_case(services)
    content = placeholder_photo("api")
    with TestClient(app) as client:
        url = f"/api/v1/immigration-cases/{case_id}/photo"
        assert client.get(url).status_code == 401
        assert client.put(url, files={"file": ("p.png", content, "image/png")}).status_code == 401
        ana = add_account(services, "ana", {"officer"})
        token = client.post(
            "/api/v1/sessions",
            json={
                "username": "ana",
                "password": ana.password,
                "code": ana.code(),
                "purpose": "case-processing",
            },
        ).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        assert client.get(url, headers=headers).status_code == 404
        refused = client.put(
            url,
            headers=headers,
            files={"file": ("p.svg", b"<svg/>", "image/svg+xml")},
            data={"source": "booking", "legal_basis": BASIS},
        )
        assert refused.status_code == 422 and "not a JPEG" in refused.json()["detail"]
        put = client.put(
            url,
            headers=headers,
            files={"file": ("p.png", content, "image/png")},
            data={"source": "booking photo", "legal_basis": BASIS},
        )
        assert put.status_code == 200, put.text
        assert put.json()["sha256"] == hashlib.sha256(content).hexdigest()
        assert put.json()["alt"] == "Photo of record of Ana María López"
        got = client.get(url, headers=headers)
        assert got.status_code == 200 and got.content == content
        assert got.headers["content-type"] == "image/png"
        assert got.headers["cache-control"] == "no-store"
    reads = [r for r in audit_rows(services) if r["action"] == "photo-of-record.read"]
    assert [r["actor"] for r in reads if r["outcome"] == "ok"] == ["ana"]


def test_the_cli_sets_and_writes_out_the_photo(services, writ_home, tmp_path):
    case_id = new_case(services)
    image = tmp_path / "booking.png"
    image.write_bytes(placeholder_photo("cli"))
    runner = CliRunner()
    set_ = runner.invoke(
        app,
        [
            *("lifecycle", "photo", "set", case_id, str(image), "--source", "booking photo"),
            *("--legal-basis", BASIS, "--taken-at", "2025-01-02T10:00:00"),
        ],
        terminal_width=400,
    )
    assert set_.exit_code == 0, set_.output
    assert hashlib.sha256(image.read_bytes()).hexdigest() in set_.output
    out = tmp_path / "out.png"
    got = runner.invoke(
        app, ["lifecycle", "photo", "get", case_id, "--out", str(out)], terminal_width=400
    )
    assert got.exit_code == 0, got.output
    assert out.read_bytes() == image.read_bytes()
    assert "Photo of record of Ana María López" in got.output
    refused = runner.invoke(
        app,
        [
            *("lifecycle", "photo", "set", case_id, str(tmp_path / "missing.png")),
            *("--source", "booking", "--legal-basis", BASIS),
        ],
    )
    assert refused.exit_code == 1 and "missing.png" in refused.output
