"""Stored text shown to a person: the characters that would act instead of being read.

A title, a note or a file name is whatever someone typed or a source held. Control characters
in it can retitle a terminal or clear its screen; the bidirectional embeddings, overrides and
isolates (U+202A-U+202E, U+2066-U+2069) reorder what follows them, so ``invoice\\u202etxt.exe``
reads as ``invoiceexe.txt``. ``shown`` writes each of them as its escape (``\\x1b``,
``\\u202e``); a tab and a new line stay. The terminal (``writ.cli_console``) and every page
(``writ.web.templating``) show stored text through it.
"""

from __future__ import annotations

import re

# C0 controls but tab, new line and carriage return, DEL, C1 controls, and the bidirectional
# embeddings, overrides and isolates.
HIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# The terminal shows a carriage return too: it moves back over what was already written.
HIDDEN_IN_TERMINAL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown(value: str, hidden: re.Pattern[str] = HIDDEN) -> str:
    """``value`` with every character ``hidden`` matches written as its escape."""
    return hidden.sub(_escape, value)
