"""An install from the first schema, with data, upgraded by every later migration: the data comes through
intact and the app serves it. The database is tests/fixtures/schema_0003.sql (people, customers, pipeline as the
first three migrations made them); SQLite, whatever engine the rest of the suite runs on."""
import sqlite3
from pathlib import Path

from playhouse.schema_diff import diff_models

from salesweb.app import create_app
from salesweb.core.db import db
from salesweb.models import ALL_MODELS, Contact, Customer, CustomerCount, CustomerNote, Deal, StageChange, User
from salesweb.models.rollups import OWN
from salesweb.infra import rollups, schema
from tests.conftest import login

FIXTURE = Path(__file__).parent / "fixtures" / "schema_0003.sql"


def test_an_install_from_the_first_schema_upgrades_with_its_data_intact(tmp_path):
    path = tmp_path / "early.db"
    with sqlite3.connect(path) as con:
        con.executescript(FIXTURE.read_text(encoding="utf-8"))
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{path}", "INSTANCE_PATH": tmp_path / "instance",
                      "UPLOAD_DIR": str(tmp_path / "uploads"), "SECRET_KEY": "test-secret"})
    with app.app_context():
        later = sorted(p.stem for p in schema.MIGRATIONS.glob("[0-9][0-9][0-9][0-9]_*.py"))[3:]
        assert schema.migrate() == later  # every migration after the third, in order
        assert not diff_models(db.obj, ALL_MODELS)  # the upgraded schema is the one a new install gets
        assert [c.name for c in Customer.select().order_by(Customer.id)] == ["上海泵业有限公司", "Acme Valves",
                                                                             "Pool Works"]
        first = Customer.get_by_id(1)
        assert (first.owner_id, first.tier, first.notes, first.region) == (2, "A", "Key account", "East")
        assert Customer.get_by_id(3).owner_id is None  # the pool stays the pool
        assert rollups.differences() == []  # the rollups are built from the rows the install held (0021 made
        # the lead with a won deal a customer)
        assert sorted((r.owner, r.tier, r.status, r.region, r.customers) for r in CustomerCount.select().where(CustomerCount.grp == OWN)) == [
            (0, "C", "lead", "", 1), (2, "A", "customer", "East", 1), (2, "C", "customer", "East", 1)]
        assert [(c.name, c.phone) for c in Contact.select().order_by(Contact.id)] == [
            ("李伟", "+86 21 5555 0101"), ("Ann Smith", "")]
        assert CustomerNote.get().body == "Prefers morning visits"
        deals = {d.title: d for d in Deal.select()}
        assert deals["Boiler room 锅炉房"].amount == 3_000_000_000  # past 2^31: the amount column widened (0004)
        assert (deals["Chiller"].won_on.isoformat(), deals["Chiller"].version) == ("2025-04-01", 3)
        assert StageChange.select().count() == 3
        assert User.get(User.email == "rep@example.com").name == "Zhang Min 张敏"
        assert schema.migrate() == []
    db.close()
    client = app.test_client()
    assert login(client, "rep@example.com").status_code == 302  # the password hash came through
    page = client.get("/customers/1", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "上海泵业有限公司" in page and "李伟" in page and "Boiler room 锅炉房" in page
    assert client.get("/rep/").status_code == 200 and client.get("/pipeline").status_code == 200
    assert client.get("/deals/1").status_code == 200
