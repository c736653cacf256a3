"""Ed25519 key files and signed tree heads."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import stat
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from writ.audit.keys import (
    KeyFileError,
    TreeHead,
    generate_key,
    key_fingerprint,
    load_public_key,
    load_signing_key,
    public_key_pem,
    sign_tree_head,
    utc_timestamp,
    verify_tree_head,
)
from writ.audit.merkle import leaf_hash

ROOT = leaf_hash(b"the ledger's root, for these tests")
WHEN = "2024-05-01T09:30:00.123456Z"


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def head(key: Ed25519PrivateKey) -> TreeHead:
    return sign_tree_head(key, 42, ROOT, WHEN)


# -- key files ----------------------------------------------------------------------------------


def test_generated_key_is_private_to_its_owner_and_loads_back(tmp_path: Path) -> None:
    path = tmp_path / "ledger.pem"
    key = generate_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    loaded = load_signing_key(path)
    assert public_key_pem(loaded) == public_key_pem(key)


def test_generated_key_is_0600_whatever_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0o277)
    try:
        generate_key(tmp_path / "ledger.pem")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "ledger.pem").stat().st_mode) == 0o600


def test_generate_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "ledger.pem"
    first = generate_key(path)
    before = path.read_bytes()
    with pytest.raises(
        KeyFileError, match=f"^{re.escape(str(path))}: key file already exists; refusing"
    ):
        generate_key(str(path))
    assert path.read_bytes() == before
    assert public_key_pem(load_signing_key(path)) == public_key_pem(first)


def test_generate_names_a_directory_that_is_not_there(tmp_path: Path) -> None:
    path = tmp_path / "missing" / "ledger.pem"
    with pytest.raises(KeyFileError, match=f"^{re.escape(str(path))}: cannot create key file"):
        generate_key(path)


def write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def test_bad_key_files_are_named_with_their_problem(tmp_path: Path, key: Ed25519PrivateKey) -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    cases = {
        "missing.pem": (None, "cannot read key file"),
        "garbage.pem": (b"not a key at all\n", "not a PEM private key"),
        "empty.pem": (b"", "not a PEM private key"),
        "public.pem": (public_key_pem(key), "not a PEM private key"),
        "ec.pem": (
            ec_key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
            "key is EC, not Ed25519",
        ),
        "encrypted.pem": (
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.BestAvailableEncryption(b"secret"),
            ),
            "private key is encrypted",
        ),
    }
    for name, (content, problem) in cases.items():
        path = tmp_path / name
        if content is not None:
            write(path, content)
        with pytest.raises(KeyFileError, match=f"^{re.escape(str(path))}: {problem}"):
            load_signing_key(path)


def test_public_key_file_round_trip(tmp_path: Path, key: Ed25519PrivateKey) -> None:
    path = write(tmp_path / "ledger.pub", public_key_pem(key))
    assert key_fingerprint(load_public_key(path)) == key_fingerprint(key)
    private = write(tmp_path / "ledger.pem", b"-----BEGIN PRIVATE KEY-----\nAAAA\n")
    with pytest.raises(KeyFileError, match=f"^{re.escape(str(private))}: not a PEM public key"):
        load_public_key(private)


def test_fingerprint_is_sha256_of_the_raw_public_key(key: Ed25519PrivateKey) -> None:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert key_fingerprint(key) == hashlib.sha256(raw).hexdigest()
    assert key_fingerprint(key.public_key()) == key_fingerprint(key)


# -- tree heads ---------------------------------------------------------------------------------


def test_signed_head_verifies(key: Ed25519PrivateKey, head: TreeHead) -> None:
    assert (head.tree_size, head.root_hash, head.timestamp) == (42, ROOT, WHEN)
    assert head.key_fingerprint == key_fingerprint(key)
    assert verify_tree_head(key.public_key(), head)


def test_payload_is_the_documented_encoding(head: TreeHead) -> None:
    assert head.signed_payload() == (
        b"writ-tree-head-v1\n42\n" + ROOT.hex().encode() + b"\n2024-05-01T09:30:00.123456Z\n"
    )


def test_tampering_with_any_field_fails(key: Ed25519PrivateKey, head: TreeHead) -> None:
    other_key = Ed25519PrivateKey.generate()
    tampered = [
        dataclasses.replace(head, tree_size=43),
        dataclasses.replace(head, tree_size=0),
        dataclasses.replace(head, root_hash=leaf_hash(b"another root")),
        dataclasses.replace(head, timestamp="2024-05-01T09:30:00.123457Z"),
        dataclasses.replace(head, signature=head.signature[:-1] + bytes([head.signature[-1] ^ 1])),
        dataclasses.replace(head, key_fingerprint=key_fingerprint(other_key)),
    ]
    for changed in tampered:
        assert not verify_tree_head(key.public_key(), changed), changed


def test_another_key_does_not_verify(head: TreeHead) -> None:
    other_key = Ed25519PrivateKey.generate()
    assert not verify_tree_head(other_key.public_key(), head)
    # Not even when the head claims the other key: the signature is still the first key's.
    claimed = dataclasses.replace(head, key_fingerprint=key_fingerprint(other_key))
    assert not verify_tree_head(other_key.public_key(), claimed)


def test_json_round_trip_carries_the_fingerprint(key: Ed25519PrivateKey, head: TreeHead) -> None:
    text = head.to_json()
    assert json.loads(text) == {
        "format": "writ-tree-head-v1",
        "tree_size": 42,
        "root_hash": ROOT.hex(),
        "timestamp": WHEN,
        "signature": head.signature.hex(),
        "key_fingerprint": key_fingerprint(key),
    }
    assert TreeHead.from_json(text) == head
    assert verify_tree_head(key.public_key(), TreeHead.from_json(text))


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"format": "writ-tree-head-v0"}, "format 'writ-tree-head-v0' is not"),
        ({"tree_size": "42"}, "tree_size '42' is not an integer"),
        ({"tree_size": -1}, r"tree_size -1 is outside 0\.\.2\*\*64-1"),
        ({"root_hash": "abc"}, "root_hash must be lowercase hex"),
        ({"root_hash": "ab"}, "root_hash must be 32 bytes"),
        ({"timestamp": "2024-05-01T09:30:00Z"}, "timestamp '2024-05-01T09:30:00Z' is not UTC"),
        ({"timestamp": "2024-02-30T09:30:00.000000Z"}, "timestamp .* is not a real date and time"),
        ({"signature": "00" * 63}, "signature must be 64 bytes"),
        ({"key_fingerprint": "AB" * 32}, "key_fingerprint must be 64 lowercase hex digits"),
        ({"extra": 1}, "expected an object with exactly"),
    ],
)
def test_json_errors_name_the_field(
    head: TreeHead, change: dict[str, object], problem: str
) -> None:
    data = json.loads(head.to_json()) | change
    with pytest.raises(ValueError, match="tree head: " + problem):
        TreeHead.from_json(json.dumps(data))


def test_json_that_is_not_json() -> None:
    with pytest.raises(ValueError, match="tree head: not valid JSON"):
        TreeHead.from_json("{")


def test_sign_checks_what_it_signs(key: Ed25519PrivateKey) -> None:
    with pytest.raises(ValueError, match="root_hash must be 32 bytes"):
        sign_tree_head(key, 1, b"short", WHEN)
    with pytest.raises(ValueError, match="tree_size -1 is outside"):
        sign_tree_head(key, -1, ROOT, WHEN)
    with pytest.raises(ValueError, match="tree_size True is not an integer"):
        sign_tree_head(key, True, ROOT, WHEN)
    with pytest.raises(ValueError, match="is not UTC ISO-8601 with microseconds"):
        sign_tree_head(key, 1, ROOT, "2024-05-01 09:30:00")


def test_timestamps_are_utc_with_microseconds(key: Ed25519PrivateKey) -> None:
    plus_two = timezone(timedelta(hours=2))
    moment = datetime(2024, 5, 1, 11, 30, 0, 5, tzinfo=plus_two)
    assert utc_timestamp(moment) == "2024-05-01T09:30:00.000005Z"
    assert sign_tree_head(key, 1, ROOT, moment).timestamp == "2024-05-01T09:30:00.000005Z"
    before = datetime.now(UTC).replace(microsecond=0)
    now = datetime.strptime(sign_tree_head(key, 1, ROOT).timestamp, "%Y-%m-%dT%H:%M:%S.%fZ")
    assert now.replace(tzinfo=UTC) >= before
    with pytest.raises(ValueError, match="has no time zone"):
        utc_timestamp(datetime(2024, 5, 1, 9, 30))
