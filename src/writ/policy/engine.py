"""Cedar policies, parsed and validated once at start-up, asked on every service call."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import cedarpy

from writ.model.actor import Actor
from writ.model.resource import Resource

POLICY_DIR = Path(__file__).parent
DEFAULT_DENY = "default-deny"
ACTIONS = frozenset(
    {
        "read",
        "search",
        "create",
        "update",
        "export",
        "import",
        "review",
        "decide",
        "approve",
        "override",
        "execute",
        "administer",
        "verify",
    }
)


class PolicyError(Exception):
    """A policy or schema file is wrong; the message names the file, the line and the problem."""


@dataclass(frozen=True)
class Decision:
    """The answer, and the policies that decided it (for a default deny: ``default-deny``)."""

    allowed: bool
    policies: tuple[str, ...]
    grant: str = ""

    @property
    def policy(self) -> str:
        return ",".join(self.policies)

    def explain(self) -> str:
        verdict = "allowed" if self.allowed else "denied"
        text = f"{verdict} by {self.policy}"
        return f"{text}. {self.grant}" if self.grant else text


_STATEMENT_END = re.compile(r'"(?:[^"\\]|\\.)*"|//[^\n]*|;')


def _split_policies(text: str) -> list[tuple[int, str]]:
    """Each policy of a file with the line it starts on (comments and strings respected)."""
    chunks: list[tuple[int, str]] = []
    start = 0
    for match in _STATEMENT_END.finditer(text):
        if match.group() != ";":
            continue
        chunk = text[start : match.end()]
        body = re.sub(r"//[^\n]*", "", chunk)
        if body.strip():
            leading = len(chunk) - len(chunk.lstrip())
            line = text.count("\n", 0, start + leading) + 1
            # Skip comment-only lines so the line is the policy's own first line.
            for offset, raw in enumerate(chunk.lstrip().splitlines()):
                if raw.strip() and not raw.strip().startswith("//"):
                    line += offset
                    break
            chunks.append((line, chunk))
        start = match.end()
    if re.sub(r"//[^\n]*", "", text[start:]).strip():
        line = text.count("\n", 0, start) + 1
        chunks.append((line, text[start:]))
    return chunks


class Policy:
    """The policy set. Build it once with :func:`load_policy`; ``decide`` is the hot path."""

    def __init__(self, directory: Path = POLICY_DIR) -> None:
        schema_path = directory / "schema.cedarschema"
        try:
            self._schema = cedarpy.Schema.from_str(schema_path.read_text())
        except (OSError, ValueError) as exc:
            raise PolicyError(f"{schema_path}: {exc}") from exc
        texts: list[str] = []
        for path in sorted((directory / "policies").glob("*.cedar")):
            text = path.read_text()
            self._check_file(path, text)
            texts.append(text)
        combined = "\n".join(texts)
        self._policies = cedarpy.PolicySet.from_str(combined)
        parsed = json.loads(cedarpy.policies_to_json_str(combined))["staticPolicies"]
        self._annotations: dict[str, dict[str, str]] = {
            pid: body.get("annotations", {}) for pid, body in parsed.items()
        }

    def _check_file(self, path: Path, text: str) -> None:
        chunks = _split_policies(text)
        ids: list[str] = []
        for line, chunk in chunks:
            try:
                cedarpy.PolicySet.from_str(chunk)
            except ValueError as exc:
                raise PolicyError(f"{path}:{line}: {exc}") from exc
            found = re.search(r'@id\("([^"]+)"\)', chunk)
            if not found:
                raise PolicyError(f"{path}:{line}: every policy needs an @id(...) annotation")
            ids.append(found.group(1))
        result = cedarpy.validate_policies(text, self._schema)
        if not result.validation_passed:
            error = result.errors[0]
            index = int(error.policy_id.removeprefix("policy") or 0) if error.policy_id else 0
            line = chunks[index][0] if index < len(chunks) else 1
            message = error.error
            raise PolicyError(f"{path}:{line}: policy {ids[index]!r}: {message}")

    def decide(self, actor: Actor, action: str, resource: Resource) -> Decision:
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}; known: {sorted(ACTIONS)}")
        request = {
            "principal": {"type": "Writ::User", "id": actor.user},
            "action": {"type": "Writ::Action", "id": action},
            "resource": {"type": "Writ::Object", "id": f"{resource.kind}:{resource.id}"},
            "context": {"purpose": actor.purpose or "", "acr": actor.acr or ""},
        }
        entities: list[dict[str, Any]] = [
            {
                "uid": {"type": "Writ::User", "id": actor.user},
                "attrs": {
                    "roles": sorted(actor.roles),
                    "unit": actor.unit,
                    "compartments": sorted(actor.compartments),
                    "system": actor.system,
                },
                "parents": [],
            },
            {
                "uid": {"type": "Writ::Object", "id": f"{resource.kind}:{resource.id}"},
                "attrs": {
                    "kind": resource.kind,
                    "unit": resource.unit,
                    "compartments": sorted(resource.compartments),
                    "sealed": resource.sealed,
                    "owner": resource.owner,
                },
                "parents": [],
            },
        ]
        result = cedarpy.is_authorized(request, self._policies, entities)
        if result.diagnostics.errors:
            raise PolicyError(f"policy evaluation failed: {result.diagnostics.errors}")
        reasons = result.diagnostics.reasons
        ids = tuple(self._annotations.get(r, {}).get("id", r) for r in reasons)
        if result.allowed:
            return Decision(True, ids)
        if not ids:
            return Decision(False, (DEFAULT_DENY,), _default_grant(resource))
        grant = " ".join(self._annotations.get(r, {}).get("grant", "") for r in reasons).strip()
        return Decision(False, ids, grant)


def _default_grant(resource: Resource) -> str:
    return (
        f"No policy gives your role this access to {resource.kind} records; ask an administrator."
    )


@cache
def load_policy(directory: Path = POLICY_DIR) -> Policy:
    """The policy set, parsed and validated once per process."""
    return Policy(directory)
