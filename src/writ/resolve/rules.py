"""Rules the probabilistic score cannot overrule.

Two records that carry *different* A-numbers are two people unless a human says otherwise: an
A-number is issued to one person for life, so however alike the rest looks (twins, namesakes,
a father and son of the same name), the pair is never merged automatically. It can reach the
review queue; a reviewer's "same" judgement is the only way to put the two records together.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Identifier columns of which a person has exactly one: two different values mean two people.
ONE_PER_PERSON = ("a_number",)


def identifier_conflicts(left: Mapping[str, Any], right: Mapping[str, Any]) -> list[str]:
    """The one-per-person identifiers on which two records disagree (both known, not equal)."""
    return [
        column
        for column in ONE_PER_PERSON
        if left.get(column) and right.get(column) and left[column] != right[column]
    ]
