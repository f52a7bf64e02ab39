"""Exports of the customer list: the user's scope and filters, safe cells, both formats."""
import csv
import io

from openpyxl import load_workbook

from salesweb.models import AuditEvent, Contact


def _csv(response):
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_export_respects_scope_filters_and_neutralises_formulas(app, make, signed_in):
    client, rep = signed_in("rep", name="Rep")
    other = make.user("rep")
    acme = make.customer(rep, name="=HYPERLINK(\"http://evil\")", tier="A", region="华东")
    Contact.create(customer=acme, name="+8613800000000", phone="@cmd", is_primary=True)
    make.customer(rep, name="Plain Co", tier="B")
    make.customer(other, name="Not Mine")
    response = client.get("/customers/export.csv?tier=A", headers={"Accept-Language": "en"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _csv(response)
    assert rows[0][:3] == ["Name", "Tier", "Owner"]
    assert len(rows) == 2
    name, tier, owner, region = rows[1][:4]
    assert name == "'=HYPERLINK(\"http://evil\")" and tier == "A" and owner == "Rep" and region == "华东"
    assert rows[1][10:12] == ["'+8613800000000", "'@cmd"]
    everything = _csv(client.get("/customers/export.csv"))
    assert {r[0] for r in everything[1:]} == {"'=HYPERLINK(\"http://evil\")", "Plain Co"}
    assert AuditEvent.select().where(AuditEvent.action == "export").count() == 2


def test_xlsx_export_opens_and_matches_the_list(app, make, signed_in):
    client, rep = signed_in("rep")
    make.customer(rep, name="上海明远贸易有限公司", region="华东")
    make.customer(rep, name="-1+1")
    response = client.get("/customers/export.xlsx?q=明远")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert len(values) == 2 and values[1][0] == "上海明远贸易有限公司"
    formula = load_workbook(io.BytesIO(client.get("/customers/export.xlsx?q=-1").get_data())).active
    assert formula.cell(2, 1).value == "-1+1" and formula.cell(2, 1).data_type == "s"  # text, as typed
    raw = client.get("/customers/export.xlsx?q=-1").get_data()
    import zipfile
    sheet_xml = zipfile.ZipFile(io.BytesIO(raw)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml  # no formula anywhere in the sheet


def test_export_of_another_reps_list_is_empty_not_leaked(app, make, signed_in):
    client, rep = signed_in("rep")
    other = make.user("rep")
    make.customer(other, name="Secret Co")
    rows = _csv(client.get(f"/customers/export.csv?owner={other.id}"))
    assert rows[1:] == []
