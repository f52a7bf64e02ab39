"""Money as people read it: a whole amount without decimals, an amount with cents with every digit of the minor
unit (CNY: 2), on pages, in messages and in CSV exports."""
import csv
import io

from salesweb.web.format import money
from salesweb.core.clock import local_today
from tests.conftest import login, post

EN = {"Accept-Language": "en"}


def test_an_amount_with_cents_shows_both_digits_of_the_minor_unit():
    assert money(36850, "en") == "368.50"
    assert money(123405, "en") == "1,234.05"
    assert money(5, "en") == "0.05" and money(10, "en") == "0.10" and money(99, "en") == "0.99"
    assert money(-36850, "en") == "-368.50"
    assert money(1_000_000_10, "zh") == "1,000,000.10"
    assert money(123450, "de") == "1.234,50"  # the locale's own separators


def test_a_whole_amount_shows_no_decimals():
    assert money(1_234_00, "en") == "1,234" and money(0, "en") == "0" and money(None, "en") == "0"
    assert money(-500_00, "zh") == "-500"


def test_pages_show_an_amount_with_cents_in_full(app, make, signed_in):
    client, rep = signed_in("rep")
    with app.app_context():
        deal = make.deal(rep, title="Spare pumps", amount=36850)
    board = client.get("/pipeline", headers=EN).get_data(as_text=True)
    assert "368.50" in board and "368.5<" not in board
    page = client.get(f"/deals/{deal.id}", headers=EN).get_data(as_text=True)
    assert "368.50 CNY" in page


def test_the_target_sheet_writes_cents_in_full(app, make):
    mia = make.user("manager", name="Mia", team="East")
    ann = make.user("rep", name="Ann", team="East", reports_to=mia)
    client = app.test_client()
    login(client, mia.email)
    url = "/manager/targets?period=2026-11"
    east = mia.team_id
    response = post(client, url, {"growth": "10", "action": "save", f"team-{east}": "500",
                                  f"user-{ann.id}": "368.5"}, token_from=url, headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The reps&#39; targets add up to 368.50, not the team&#39;s 500." in page


def test_csv_exports_write_amounts_with_both_decimals(app, make, signed_in):
    client, _ops = signed_in("ops")
    rep = make.user("rep", team="East")
    with app.app_context():
        make.won_deal(rep, local_today(), amount=36850)
    response = client.get("/ops/export/closed.csv", headers=EN)
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[1][0] == "368.50"
