"""What ingest takes is searchable at once: the name index moves with the statements."""

from pathlib import Path

from helpers import actor
from writ.ingest.service import ingest
from writ.search.service import search_subjects

FIXTURES = Path(__file__).parent / "ingest_fixtures"
CUSTODIAN = actor("custodian", user="records-1", unit="HQ", purpose="records-management")


def test_an_ingested_person_is_found_by_a_misspelt_name_and_by_a_number(services):
    ingest(services, CUSTODIAN, FIXTURES / "bookings.yml")
    officer = actor("officer")
    by_name = search_subjects(services, officer, "maria garcia lopes")
    assert by_name and "GARCIA" in by_name[0].name.upper()
    by_number = search_subjects(services, officer, "A012345678")
    assert [hit.entity_id for hit in by_number][:1] == [by_name[0].entity_id]
