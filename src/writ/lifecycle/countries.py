"""Countries as ISO 3166-1 alpha-2 codes, so a bar and a destination compare exactly."""

from __future__ import annotations

from functools import lru_cache

import pycountry


@lru_cache(maxsize=512)
def country_code(value: str) -> str:
    """The alpha-2 code of a code or English name: ``"sv"``, ``"SLV"``, ``"El Salvador"`` -> SV."""
    text = str(value).strip()
    if not text:
        raise ValueError("is empty, not a country")
    found = pycountry.countries.get(alpha_2=text.upper()) if len(text) == 2 else None
    if found is None and len(text) == 3:
        found = pycountry.countries.get(alpha_3=text.upper())
    if found is None:
        try:
            found = pycountry.countries.lookup(text)
        except LookupError:
            found = None
    if found is None:
        raise ValueError(f"{value!r} is not a country (ISO 3166-1 code or English name)")
    return str(found.alpha_2)


def country_name(code: str) -> str:
    found = pycountry.countries.get(alpha_2=code)
    return str(found.name) if found is not None else code
