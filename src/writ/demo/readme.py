"""The README.txt written beside the demo data: what it is, that it is invented, what is in it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from writ.demo.generate import GeneratedDemo

_INTRO = """\
SYNTHETIC DEMO DATA - EVERY PERSON AND RECORD IN THIS DIRECTORY IS MADE UP
==========================================================================

This directory was written by `writ demo generate` (seed {seed}, {people} invented people).
The names are common given names and surnames drawn from a built-in list and combined at random;
birth dates, addresses, A-numbers, passport numbers, bookings, court cases, visa files and case
files are invented. The places (Marlow County, Riverton, state "ZZ") do not exist. Any resemblance
to a real person is coincidence. Every row also says so in its `synthetic` column (field).

Files
-----
bookings.csv          county jail bookings: "LAST, FIRST MIDDLE" names, dates MM/DD/YYYY, A-numbers
                      written A-123-456-789, A123456789 or 123456789
court_records.csv     court records: first and last name columns; dates DD/MM/YYYY (municipal
                      courts RVMC, FVMC) or YYYY-MM-DD (superior court MCSC); key is court + case
visa_benefits.jsonl   visa and benefit files, one JSON object a line: given and family name,
                      countries as names or ISO codes, passport, 9-digit A-number, and a relative
                      (spouse, child, parent or sibling) as a second person in the same record
legacy_cases.csv      legacy case files: "FAMILY Given" names, partial birth dates (1984, 1984-03),
                      an associate named in the same row
*.yml                 one ingest mapping per source (see docs/ingest.md): `writ ingest bookings.yml`
ground_truth.csv      who every person mentioned in every row really is (see below)

Rows per source: {rows}

ground_truth.csv
----------------
One line per person mentioned in a source row:
  source               the source name of the mapping
  record_id            the id ingest gives the row: key values joined with "|" (empty: no key)
  person_id            the invented person (P0001 ...); same person_id = same person
  entity               the mapping's entity for that person: person, relative or associate
  line                 the row's line in its file (a CSV header is line 1)
  expected_quarantine  the reason ingest must refuse the row, if it was broken on purpose
  validation_errors    columns whose bad optional value ingest keeps with a validation error
  noise                ";"-separated mistakes this row makes about this person (below)
expected_quarantine and validation_errors are about the whole row: a row naming two people
repeats them on both lines.

Noise (count of person mentions)
--------------------------------
{noise}

Traps
-----
twins: same surname, same birth date, same address, different given names - two people.
namesakes: same full name, different birth dates - two people.
{traps}

Rows broken on purpose (ingest must quarantine exactly these, nothing else)
----------------------------------------------------------------------------
{quarantine}
"""

_NOISE_MEANINGS = {
    "accents_dropped": "accents dropped (Jose for José)",
    "day_month_swapped": "birth date with day and month swapped",
    "double_surname_cut": "Hispanic double surname cut to the first (Garcia for Garcia Lopez)",
    "invalid_a_number": "A-number with digits missing (kept with a validation error)",
    "invalid_country": "country of birth that does not exist (kept with a validation error)",
    "invalid_dob": "birth date that is not a date, 30 February (kept with a validation error)",
    "missing_a_number": "A-number left out",
    "missing_address": "address left out",
    "missing_country_of_birth": "country of birth left out",
    "missing_dob": "birth date left out",
    "missing_passport": "passport number left out",
    "mistyped_a_number": "A-number with one digit wrong",
    "mistyped_passport": "passport number with one digit wrong",
    "name_order_swapped": "given and family name in each other's place",
    "old_address": "an earlier address, not the current one",
    "partial_dob": "birth date known only to the year or the month",
    "transliteration": "another romanisation (Muhammad for Mohammed, Alexander for Aleksandr)",
    "typo": "one letter of a name mistyped, dropped, doubled or swapped",
}


def readme_text(demo: GeneratedDemo) -> str:
    rows = ", ".join(f"{source} {count}" for source, count in demo.rows_per_source().items())
    noise = "\n".join(
        f"{tag:<28} {count:>5}  {_NOISE_MEANINGS.get(tag, 'row broken on purpose (below)')}"
        for tag, count in demo.noise_counts().items()
    )
    traps = "\n".join(f"{name:<32} {count:>5}" for name, count in demo.trap_counts().items())
    quarantine = "\n".join(
        f"{row.source:<15} line {row.line:<5} {row.expected_quarantine}"
        for row in demo.truth
        if row.expected_quarantine and row.entity == "person"
    )
    return _INTRO.format(
        seed=demo.seed,
        people=len(demo.people),
        rows=rows,
        noise=noise,
        traps=traps,
        quarantine=quarantine,
    )
