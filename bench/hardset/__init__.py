"""The hard linkage benchmark's synthetic agency data: three sources, noise, traps, ground truth.

``generate(out_dir, part="dev"|"heldout", people=6300, seed=...)`` writes a booking extract, court
records and visa/benefit files, one writ mapping per source, and ``truth.csv`` (one row per
record: its person, the noise applied and the traps its person is in). See ``generate.py`` and
``docs/resolve.md`` (Measured).
"""

from hardset.generate import PARTS, Generated, Part, generate

__all__ = ["PARTS", "Generated", "Part", "generate"]
