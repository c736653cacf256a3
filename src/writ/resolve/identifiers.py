"""Identity documents as the matcher compares them: A-numbers and passport numbers.

These are strong evidence. Two records with the same A-number are very likely one person; two
records with *different* A-numbers are two people unless a human says otherwise (the conflict
rule in ``writ.resolve.rules``), since an A-number is issued once per person for life.
"""

from __future__ import annotations

import re

_NOT_ALNUM = re.compile(r"[^A-Z0-9]")
_A_NUMBER = re.compile(r"^A?(\d{8,9})$")


def a_number(text: str | None) -> str | None:
    """A 9-digit A-number (``A-012-345-678``, ``A12345678`` → ``012345678``), or None."""
    if not text:
        return None
    match = _A_NUMBER.match(_NOT_ALNUM.sub("", text.upper()))
    return match.group(1).zfill(9) if match else None


def document_number(text: str | None) -> str | None:
    """A passport or other document number: upper-case letters and digits only, or None."""
    if not text:
        return None
    cleaned = _NOT_ALNUM.sub("", text.upper())
    return cleaned or None
