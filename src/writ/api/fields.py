"""Patterns for the text a route accepts, written into the OpenAPI.

PostgreSQL cannot store a NUL character, and an identifier or a name never holds a control
character: such input is refused as a 422 naming the field, before any service runs.
"""

from __future__ import annotations

LINE = r"^[^\x00-\x1f\x7f]*$"
"""One line: an identifier, a name, a party (no control characters)."""

TEXT = r"^[^\x00]*$"
"""Free text: a description, a note, a reason (new lines and tabs allowed, no NUL)."""

REASON = r"^[^\x00]*\S[^\x00]*$"
"""Free text that is not blank."""
