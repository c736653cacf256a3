"""followthemoney interchange: `writ import ftm` then `writ export ftm`, checked by the
followthemoney library itself."""

import json

import pytest
from followthemoney import model

from helpers import actor
from writ import cli
from writ.cases import service as cases
from writ.service import AccessDenied


def _entities():
    person = model.make_entity("Person")
    person.id = "ftm-ana"
    person.add("name", "Ana María Reyes")
    person.add("birthDate", "1990-04-02")
    person.add("nationality", "mx")
    person.add("idNumber", "012345678")
    relative = model.make_entity("Person")
    relative.id = "ftm-bo"
    relative.add("name", "Bo Reyes")
    family = model.make_entity("Family")
    family.id = "ftm-fam"
    family.add("person", "ftm-ana")
    family.add("relative", "ftm-bo")
    family.add("relationship", "brother")
    passport = model.make_entity("Passport")
    passport.id = "ftm-pp"
    passport.add("holder", "ftm-ana")
    passport.add("number", "G1234567")
    return [person, relative, family, passport]


def test_ftm_round_trip_through_the_cli(writ_home, tmp_path, monkeypatch, capsys):
    # The terminal's width, as the commands read it at each print (setting the console's width
    # here would stay behind for every later test).
    monkeypatch.setenv("COLUMNS", "200")
    originals = {e.id: e for e in _entities()}
    source = tmp_path / "partner.ftm.json"
    source.write_text("".join(json.dumps(e.to_dict()) + "\n" for e in originals.values()))

    assert cli.run(["import", "ftm", str(source), "--source", "partner-x"]) == 0
    assert "4 entities" in capsys.readouterr().out
    exported = tmp_path / "out.ftm.json"
    assert cli.run(["export", "ftm", "--out", str(exported)]) == 0

    lines = exported.read_text().splitlines()
    assert len(lines) == 4
    for line in lines:
        proxy = model.get_proxy(json.loads(line), cleaned=False)  # validates schema and values
        original = originals[proxy.id]
        assert proxy.schema == original.schema
        assert proxy.to_dict()["properties"] == original.to_dict()["properties"]
    # Importing the same file again adds nothing; the imported names are searchable.
    assert cli.run(["import", "ftm", str(source), "--source", "partner-x"]) == 0
    assert "0 new statements" in capsys.readouterr().out
    assert cli.run(["search", "names", "Maria Reyes Ana"]) == 0
    assert "ftm-ana" in capsys.readouterr().out


def test_ftm_import_refuses_bad_entities_and_non_custodians(services):
    custodian = actor("custodian", purpose="records-management")
    with pytest.raises(ValueError, match="entity 2"):
        cases.import_ftm(
            services,
            custodian,
            [_entities()[0].to_dict(), {"id": "x", "schema": "Dragon", "properties": {}}],
            source="bad",
        )
    with pytest.raises(AccessDenied):
        cases.import_ftm(services, actor("officer"), [_entities()[1].to_dict()], source="x")
