"""The manager's home: the subtree's figures only, each number leading to the list behind it."""
import datetime

from salesweb.models import Customer, Deal, Target
from salesweb.figures.metrics import Period
from salesweb.pipeline import rules as pipeline
from salesweb.core.clock import local_today
from tests.conftest import count_queries

EN = {"Accept-Language": "en"}



def test_the_home_shows_the_subtree_only(app, make, signed_in):
    client, boss = signed_in("manager", name="Mia", team="East")
    ann = make.user("rep", name="Ann Lee", team="East", reports_to=boss)
    cy = make.user("rep", name="Cy Other", team="West")
    with app.app_context():
        today = local_today()
        make.won_deal(ann, today, amount=1_234_00)
        make.won_deal(cy, today, amount=9_876_00)
        Target.create(user=ann.id, period="month", starts_on=Period.of("month", today).start, amount=2_468_00)
    page = client.get("/manager/", headers=EN).get_data(as_text=True)
    assert "Ann Lee" in page and "Cy Other" not in page
    assert "1,234" in page and "9,876" not in page and "2,468" in page and "50%" in page
    assert "Best seller: Ann Lee, 1,234 won" in page
    for block in ("Attainment", "Closed in the period", "Visits overdue", "Funnel now", "Conversion and time in stage",
                  "Visits this week"):
        assert block in page
    assert 'role="img"' in page and "<title>Open pipeline by stage</title>" in page


def test_numbers_link_to_the_lists_behind_them(app, make, signed_in):
    client, boss = signed_in("manager", team="East")
    ann = make.user("rep", team="East", reports_to=boss)
    with app.app_context():
        late = make.customer(ann, tier="A")
        Customer.update(next_visit_due=datetime.date(2020, 1, 1)).where(Customer.id == late.id).execute()
    page = client.get("/manager/", headers=EN).get_data(as_text=True)
    assert "/customers?tier=A&amp;overdue=y" in page
    assert f"/pipeline?owner={ann.id}" in page and f"/visits?rep={ann.id}" in page
    assert "/manager/reports?week=" in page and "1 weekly report not submitted" in page
    listed = client.get("/customers?tier=A&overdue=y", headers=EN).get_data(as_text=True)
    assert late.name in listed


def test_periods_switch_and_bad_ones_fall_back(app, signed_in):
    client, boss = signed_in("manager", team="East")
    assert "2025" in client.get("/manager/?kind=year&period=2025", headers=EN).get_data(as_text=True)
    assert "Q2 2026" in client.get("/manager/?period=2026-Q2", headers=EN).get_data(as_text=True)
    assert client.get("/manager/?period=2026-13", headers=EN).status_code == 200
    assert client.get("/manager/?kind=decade", headers=EN).status_code == 200


def test_the_home_takes_the_same_queries_for_a_larger_team(app, make, signed_in):
    client, boss = signed_in("manager", team="East")
    with count_queries() as few:
        client.get("/manager/")
    for _ in range(5):
        rep = make.user("rep", team="East", reports_to=boss)
        make.deal(rep)
    with count_queries() as many:
        client.get("/manager/")
    assert len(few) == len(many) == 11


def test_the_home_shows_a_win_at_once_in_the_readers_language(app, make, signed_in):
    client, boss = signed_in("manager", team="East")
    rep = make.user("rep", team="East", reports_to=boss, name="Li Lei")
    deal = make.deal(rep, amount=100_000_00)
    page = client.get("/manager/", headers=EN).get_data(as_text=True)
    assert "Li Lei" in page and "123,456" not in page
    pipeline.win(Deal.get_by_id(deal.id), Deal.get_by_id(deal.id).version, boss, amount=123_456_00,
                 today=datetime.date.today())
    assert "123,456" in client.get("/manager/", headers=EN).get_data(as_text=True)
    chinese = client.get("/manager/", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert "123,456" in chinese and "Attainment" not in chinese


def test_the_home_names_the_first_eight_who_have_not_sent_their_report_and_counts_the_rest(app, make, signed_in):
    client, boss = signed_in("manager", team="East")
    for i in range(10):
        make.user("rep", team="East", reports_to=boss, name=f"Late Rep {i:02d}")
    page = client.get("/manager/", headers=EN).get_data(as_text=True)
    line = page.split("weekly reports not submitted")[1].split("</p>")[0]
    assert "10 weekly reports not submitted" in page
    assert "Late Rep 00, Late Rep 01" in line and "Late Rep 07 and 2 more" in line and "Late Rep 08" not in line
