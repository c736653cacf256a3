"""Value types shared by the routers, with the allowed values written into the OpenAPI."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from writ.model.actor import PURPOSES, ROLES


def _one_of(name: str, allowed: frozenset[str]) -> AfterValidator:
    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"{name} {value!r} is not one of {sorted(allowed)}")
        return value

    return AfterValidator(check)


Purpose = Annotated[
    str,
    Field(json_schema_extra={"enum": sorted(PURPOSES)}, description="The purpose of use."),
    _one_of("purpose", PURPOSES),
]
Role = Annotated[str, Field(json_schema_extra={"enum": sorted(ROLES)}), _one_of("role", ROLES)]
