"""Dates of birth as the matcher compares them: full or partial, parts kept apart.

followthemoney dates may be partial (``1985``, ``1985-03``). A record that knows only the year
agrees with one that knows the full date when the year is the same; the comparison says so
rather than calling it a mismatch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


@dataclass(frozen=True)
class BirthDate:
    """A date of birth as year, month and day; the month and day may be unknown."""

    year: str | None
    month: str | None
    day: str | None

    @property
    def full(self) -> str | None:
        """``YYYY-MM-DD`` when the whole date is known, else None."""
        if self.year and self.month and self.day:
            return f"{self.year}-{self.month}-{self.day}"
        return None


NO_DATE = BirthDate(None, None, None)


def parse_birth_date(text: str | None) -> BirthDate:
    """Read an ISO date (``1985-03-02``, ``1985-03``, ``1985``) or a compact ``19850302``.

    Month ``00`` or day ``00`` (a placeholder some systems write) count as unknown.
    """
    if not text:
        return NO_DATE
    text = text.strip()
    match = _COMPACT.match(text) or _ISO.match(text)
    if match is None:
        return NO_DATE
    year, month, day = match.group(1), match.group(2), match.group(3)
    if month is not None and not 1 <= int(month) <= 12:
        month, day = None, None
    if day is not None and not 1 <= int(day) <= 31:
        day = None
    return BirthDate(year, month, day if month else None)
