"""What ingest takes is searchable at once: the name index moves with the statements."""

import shutil
from pathlib import Path

from sqlalchemy import select

from helpers import actor
from writ.ingest.service import ingest
from writ.search.service import reindex, search_subjects
from writ.service import Services
from writ.store.tables.search import search_keys, search_names

FIXTURES = Path(__file__).parent / "ingest_fixtures"
HEADER = "docket,name,dob,nationality,a_number,relative,relation\n"
COURT = [
    'D1,"GARCIA LOPEZ, MARIA JOSE",05/17/1984,Mexico,A-012-345-678,Jose Garcia,brother',
    'D2,"NGUYEN, VAN",1979,VNM,98765432,,',
    'D3,"OKAFOR, CHIDI",13/04/1990,NG,,Ada Okafor,mother',
]
CUSTODIAN = actor("custodian", user="records-1", unit="HQ", purpose="records-management")


def test_an_ingested_person_is_found_by_a_misspelt_name_and_by_a_number(services):
    ingest(services, CUSTODIAN, FIXTURES / "bookings.yml")
    officer = actor("officer")
    by_name = search_subjects(services, officer, "maria garcia lopes")
    assert by_name and "GARCIA" in by_name[0].name.upper()
    by_number = search_subjects(services, officer, "A012345678")
    assert [hit.entity_id for hit in by_number][:1] == [by_name[0].entity_id]


def index_rows(services: Services) -> list[tuple[str, str, str]]:
    """(entity id, name, key) of every row of the name index, sorted, duplicates kept."""
    with services.store.transaction() as session:
        rows = session.execute(
            select(search_names.c.entity_id, search_names.c.name, search_keys.c.norm).join(
                search_keys, search_keys.c.id == search_names.c.key_id
            )
        )
        return sorted((r[0], r[1], r[2]) for r in rows)


def test_the_index_after_each_ingest_is_exactly_a_rebuild_of_it(services, tmp_path):
    shutil.copy(FIXTURES / "court.yml", tmp_path / "court.yml")
    csv = tmp_path / "court.csv"
    csv.write_text(HEADER + "".join(row + "\n" for row in COURT))
    ingest(services, CUSTODIAN, tmp_path / "court.yml")
    first = index_rows(services)
    assert any(name == "Ada Okafor" for _, name, _ in first)
    assert reindex(services, CUSTODIAN) == len(first)
    assert index_rows(services) == first

    # D1 renamed, D3's relative gone (that entity has no current statement left), D2 the same,
    # and D4 twice in one batch: the second row is the one that stands.
    changed = [
        COURT[0].replace("MARIA JOSE", "MARIA JOSEFA"),
        COURT[1],
        'D3,"OKAFOR, CHIDI",13/04/1990,NG,,,',
        'D4,"LEE, JI-WOO",1990,KOR,,Min Lee,mother',
        'D4,"LEE, JI WOO",1990,KOR,,,',
    ]
    csv.write_text(HEADER + "".join(row + "\n" for row in changed))
    summary = ingest(services, CUSTODIAN, tmp_path / "court.yml")
    assert (summary.new, summary.changed, summary.unchanged) == (1, 3, 1)
    second = index_rows(services)
    names = {name for _, name, _ in second}
    assert "MARIA JOSEFA GARCIA LOPEZ" in names and "MARIA JOSE GARCIA LOPEZ" not in names
    assert "Ada Okafor" not in names and "Min Lee" not in names
    assert reindex(services, CUSTODIAN) == len(second)
    assert index_rows(services) == second
