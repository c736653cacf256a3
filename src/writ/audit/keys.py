"""Ed25519 keys and signed tree heads for the audit ledger.

A tree head says "the ledger had ``tree_size`` entries with Merkle root ``root_hash`` at
``timestamp``", signed with the ledger's Ed25519 key. Checkpoint files written outside the database
carry tree heads as JSON, so that anyone holding the public key can later prove that the ledger
they are shown still contains what it contained then.

The signed bytes (``TreeHead.signed_payload``) are, in ASCII, each line ending in a newline::

    writ-tree-head-v1
    <tree_size in decimal, no leading zeros>
    <root_hash as 64 lowercase hex digits>
    <timestamp as YYYY-MM-DDTHH:MM:SS.ffffffZ, UTC>

No field can contain a newline, so the encoding is unambiguous; changing it means a new first line.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

TREE_HEAD_FORMAT = "writ-tree-head-v1"
"""First line of the signed payload and the ``format`` field of the JSON form."""

_TIMESTAMP_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")
_TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
_ROOT_SIZE = 32
_SIGNATURE_SIZE = 64
_MAX_TREE_SIZE = 2**64 - 1

KeyPath = str | os.PathLike[str]


class KeyFileError(ValueError):
    """A key file is missing, unreadable, malformed or not an Ed25519 key; the message names it."""


def generate_key(path: KeyPath) -> Ed25519PrivateKey:
    """Create a new Ed25519 signing key at ``path`` as unencrypted PKCS#8 PEM, mode 0600.

    Refuses to overwrite an existing file: replacing the ledger's key would leave every tree
    head it signed verifiable only with a public key that may no longer be anywhere.
    """
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyFileError(f"{path}: key file already exists; refusing to overwrite it") from None
    except OSError as error:
        raise KeyFileError(f"{path}: cannot create key file ({error.strerror})") from None
    try:
        with os.fdopen(descriptor, "wb") as file:
            os.fchmod(file.fileno(), 0o600)  # whatever the umask did to the mode
            file.write(pem)
    except BaseException:
        Path(path).unlink(missing_ok=True)
        raise
    return key


def load_signing_key(path: KeyPath) -> Ed25519PrivateKey:
    """Read the unencrypted Ed25519 private key in PEM at ``path``."""
    data = _read_key_file(path)
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise KeyFileError(
            f"{path}: private key is encrypted; writ needs an unencrypted key file"
        ) from None
    except (ValueError, UnsupportedAlgorithm) as error:
        raise KeyFileError(f"{path}: not a PEM private key ({_first_sentence(error)})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path}: key is {_key_kind(key)}, not Ed25519")
    return key


def load_public_key(path: KeyPath) -> Ed25519PublicKey:
    """Read the Ed25519 public key in PEM (SubjectPublicKeyInfo) at ``path``."""
    data = _read_key_file(path)
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm) as error:
        raise KeyFileError(f"{path}: not a PEM public key ({_first_sentence(error)})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise KeyFileError(f"{path}: key is {_key_kind(key)}, not Ed25519")
    return key


def public_key_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """The public half of ``key`` as PEM (SubjectPublicKeyInfo), for verifiers."""
    return _public(key).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def key_fingerprint(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """SHA-256 of the 32-byte raw public key, as 64 lowercase hex digits."""
    raw = _public(key).public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def utc_timestamp(moment: datetime | None = None) -> str:
    """``moment`` (default: now) as a tree-head timestamp, e.g. ``2024-05-01T09:30:00.000000Z``."""
    if moment is None:
        moment = datetime.now(UTC)
    elif moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"timestamp {moment.isoformat()} has no time zone; give an aware datetime")
    return moment.astimezone(UTC).strftime(_TIMESTAMP_FORMAT)


@dataclass(frozen=True)
class TreeHead:
    """A signed statement of the ledger's size and Merkle root at a moment.

    ``key_fingerprint`` names the key that signed it (see ``key_fingerprint``); it is not part of
    the signed payload, and ``verify_tree_head`` checks it against the key it is given.
    """

    tree_size: int
    root_hash: bytes
    timestamp: str
    signature: bytes
    key_fingerprint: str

    def __post_init__(self) -> None:
        _check_tree_size(self.tree_size)
        _check_root_hash(self.root_hash)
        _check_timestamp(self.timestamp)
        if not isinstance(self.signature, bytes) or len(self.signature) != _SIGNATURE_SIZE:
            raise ValueError(f"tree head: signature must be {_SIGNATURE_SIZE} bytes")
        if not isinstance(self.key_fingerprint, str) or not re.fullmatch(
            r"[0-9a-f]{64}", self.key_fingerprint
        ):
            raise ValueError("tree head: key_fingerprint must be 64 lowercase hex digits")

    def signed_payload(self) -> bytes:
        """The exact bytes the signature covers (see the module documentation)."""
        return _payload(self.tree_size, self.root_hash, self.timestamp)

    def to_json(self) -> str:
        """The tree head as a JSON object, with hashes, signature and fingerprint in hex."""
        return json.dumps(
            {
                "format": TREE_HEAD_FORMAT,
                "tree_size": self.tree_size,
                "root_hash": self.root_hash.hex(),
                "timestamp": self.timestamp,
                "signature": self.signature.hex(),
                "key_fingerprint": self.key_fingerprint,
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> TreeHead:
        """Read what ``to_json`` wrote; ``ValueError`` names the field that is wrong.

        This checks the form only: call ``verify_tree_head`` to check the signature.
        """
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(f"tree head: not valid JSON ({error})") from None
        fields = {"format", "tree_size", "root_hash", "timestamp", "signature", "key_fingerprint"}
        if not isinstance(data, dict) or set(data) != fields:
            raise ValueError(f"tree head: expected an object with exactly {sorted(fields)}")
        if data["format"] != TREE_HEAD_FORMAT:
            raise ValueError(f"tree head: format {data['format']!r} is not {TREE_HEAD_FORMAT!r}")
        return cls(
            tree_size=data["tree_size"],
            root_hash=_bytes_from_hex(data, "root_hash"),
            timestamp=data["timestamp"],
            signature=_bytes_from_hex(data, "signature"),
            key_fingerprint=data["key_fingerprint"],
        )


def sign_tree_head(
    key: Ed25519PrivateKey,
    tree_size: int,
    root_hash: bytes,
    timestamp: str | datetime | None = None,
) -> TreeHead:
    """Sign the statement that the tree of ``tree_size`` leaves has ``root_hash``.

    ``timestamp`` is a tree-head timestamp string, an aware datetime, or None for now.
    """
    if not isinstance(timestamp, str):
        timestamp = utc_timestamp(timestamp)
    _check_tree_size(tree_size)
    _check_root_hash(root_hash)
    _check_timestamp(timestamp)
    return TreeHead(
        tree_size=tree_size,
        root_hash=root_hash,
        timestamp=timestamp,
        signature=key.sign(_payload(tree_size, root_hash, timestamp)),
        key_fingerprint=key_fingerprint(key),
    )


def verify_tree_head(public_key: Ed25519PublicKey, head: TreeHead) -> bool:
    """Whether ``head`` was signed by ``public_key`` and names it as its signer."""
    if head.key_fingerprint != key_fingerprint(public_key):
        return False
    try:
        public_key.verify(head.signature, head.signed_payload())
    except InvalidSignature:
        return False
    return True


def _payload(tree_size: int, root_hash: bytes, timestamp: str) -> bytes:
    text = f"{TREE_HEAD_FORMAT}\n{tree_size}\n{root_hash.hex()}\n{timestamp}\n"
    return text.encode("ascii")


def _check_tree_size(tree_size: Any) -> None:
    if not isinstance(tree_size, int) or isinstance(tree_size, bool):
        raise ValueError(f"tree head: tree_size {tree_size!r} is not an integer")
    if not 0 <= tree_size <= _MAX_TREE_SIZE:
        raise ValueError(f"tree head: tree_size {tree_size} is outside 0..2**64-1")


def _check_root_hash(root_hash: Any) -> None:
    if not isinstance(root_hash, bytes) or len(root_hash) != _ROOT_SIZE:
        raise ValueError(f"tree head: root_hash must be {_ROOT_SIZE} bytes")


def _check_timestamp(timestamp: Any) -> None:
    if not isinstance(timestamp, str) or not _TIMESTAMP_PATTERN.fullmatch(timestamp):
        raise ValueError(
            f"tree head: timestamp {timestamp!r} is not UTC ISO-8601 with microseconds, "
            "like 2024-05-01T09:30:00.000000Z"
        )
    try:
        datetime.strptime(timestamp, _TIMESTAMP_FORMAT)
    except ValueError:
        raise ValueError(
            f"tree head: timestamp {timestamp!r} is not a real date and time"
        ) from None


def _bytes_from_hex(data: dict[str, Any], field: str) -> bytes:
    value = data[field]
    if not isinstance(value, str) or not re.fullmatch(r"(?:[0-9a-f]{2})*", value):
        raise ValueError(f"tree head: {field} must be lowercase hex")
    return bytes.fromhex(value)


def _read_key_file(path: KeyPath) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise KeyFileError(f"{path}: cannot read key file ({error.strerror})") from None


def _public(key: Ed25519PrivateKey | Ed25519PublicKey) -> Ed25519PublicKey:
    return key.public_key() if isinstance(key, Ed25519PrivateKey) else key


def _key_kind(key: object) -> str:
    return type(key).__name__.removeprefix("_").removesuffix("PrivateKey").removesuffix("PublicKey")


def _first_sentence(error: Exception) -> str:
    """The gist of a cryptography error, without its links to the FAQ."""
    text = str(error).strip()
    return text.split(". ", 1)[0].splitlines()[0] if text else type(error).__name__
