"""The team home's single figures for a director two levels above the reps, hand-counted: money due and received
over a week, a month, a quarter and the last 90 days (whole months and the days around them), customers overdue
by tier; the same for ops narrowed to a team; and the targets sheet read for the teams of its page alone."""
import datetime

from salesweb.figures import metrics
from salesweb.infra import rollups
from salesweb.models import Customer, Target, User
from salesweb.quotes import contracts
from tests.conftest import count_queries, login

DEC_1 = datetime.date(2026, 12, 1)
EN = {"Accept-Language": "en"}


def _contract(make, owner, plan, payments=()):
    signed = datetime.date(2026, 4, 1)
    deal = make.won_deal(owner, signed)
    value = str(sum(int(amount) for _day, amount in plan))
    found = contracts.save(deal, f"C-{deal.id}", signed, value, owner, signed)
    contracts.save_plan(found, [{"due_on": day, "amount": amount} for day, amount in plan], owner, signed)
    for day, amount in payments:
        contracts.record_payment(found, day, amount, "", owner, DEC_1)


def _people(make):
    """Dora directs Mia (East) and Max (West); Ann reports to Mia, Bo to Max; Cy, in North, to no one of hers."""
    dora = make.user("manager", name="Dora", team="Board")
    mia = make.user("manager", name="Mia", team="East", reports_to=dora)
    max_ = make.user("manager", name="Max", team="West", reports_to=dora)
    ann = make.user("rep", name="Ann", team="East", reports_to=mia)
    bo = make.user("rep", name="Bo", team="West", reports_to=max_)
    cy = make.user("rep", name="Cy", team="North")
    return dora, mia, max_, ann, bo, cy


def test_a_director_s_money_over_any_period_counts_their_whole_subtree(app, make):
    """Ann: 100 due Sep 30, 200 due Oct 1, 300 due Nov 15 (250 paid Nov 16), 400 due Dec 3. Mia herself: 50 due
    Dec 1. Bo: 70 due Oct 31. Cy, outside: 1,000 due Nov 15."""
    with app.app_context():
        dora, mia, max_, ann, bo, cy = _people(make)
        _contract(make, ann, [(datetime.date(2026, 9, 30), "100"), (datetime.date(2026, 10, 1), "200"),
                              (datetime.date(2026, 11, 15), "300"), (datetime.date(2026, 12, 3), "400")],
                  [(datetime.date(2026, 11, 16), "250")])
        _contract(make, mia, [(DEC_1, "50")])
        _contract(make, bo, [(datetime.date(2026, 10, 31), "70")])
        _contract(make, cy, [(datetime.date(2026, 11, 15), "1000")])

        def money(user, period, today=DEC_1, **narrow):
            found = metrics.collection(metrics.scope_for(user, **narrow), period, today)
            return found["due"], found["received"], found["overdue"]
        quarter = metrics.Period.of("quarter", DEC_1)  # Oct 1 - Dec 31: whole months only
        # the 250 paid settles the earliest first: Ann owes 50 of Oct 1's and Nov 15's 300
        assert money(dora, quarter) == (200_00 + 300_00 + 400_00 + 50_00 + 70_00, 250_00, 50_00 + 300_00 + 70_00)
        assert money(mia, quarter) == (200_00 + 300_00 + 400_00 + 50_00, 250_00, 50_00 + 300_00)
        assert money(max_, quarter) == (70_00, 0, 70_00)
        assert money(dora, metrics.Period.of("month", DEC_1)) == (450_00, 0, 420_00)
        week = metrics.Period.of("week", datetime.date(2026, 11, 30))  # Nov 30 - Dec 6: days only
        assert money(dora, week, datetime.date(2026, 12, 4)) == (450_00, 0, 420_00 + 400_00 + 50_00)
        days = metrics.Period.last_days(datetime.date(2026, 12, 2))  # Sep 4 - Dec 2: days, two months, days
        assert money(dora, days, datetime.date(2026, 12, 2)) == (100_00 + 200_00 + 300_00 + 50_00 + 70_00, 250_00,
                                                                 420_00 + 50_00)
        ops = make.user("ops")
        assert money(ops, quarter, team_id=ann.team_id) == (950_00, 250_00, 350_00)  # Ann and Mia
        assert money(ops, quarter, rep_id=bo.id) == (70_00, 0, 70_00)
        assert money(ops, quarter)[0] == 900_00 + 50_00 + 70_00 + 1_000_00
        assert money(ann, quarter) == (900_00, 250_00, 350_00) and money(cy, quarter) == (1_000_00, 0, 1_000_00)


def test_customers_overdue_by_tier_for_a_director_ops_and_a_team(app, make):
    """Due yesterday is overdue, due today is not; the pool and people outside the subtree are not counted."""
    with app.app_context():
        dora, mia, max_, ann, bo, cy = _people(make)
        today = datetime.date(2026, 12, 7)
        yesterday = today - datetime.timedelta(days=1)
        for owner, tier, due in ((ann, "A", yesterday), (ann, "A", today), (ann, "B", datetime.date(2025, 1, 1)),
                                 (mia, "C", yesterday), (bo, "A", yesterday), (cy, "A", yesterday), (None, "B", yesterday)):
            customer = make.customer(owner, tier=tier)
            Customer.update(next_visit_due=due).where(Customer.id == customer.id).execute()
        rollups.rebuild()  # due days written as rows, past the rules that keep the customers by due day

        def tiers(user, **narrow):
            return metrics.overdue_by_tier(metrics.scope_for(user, **narrow), today)
        assert tiers(dora) == {"A": 2, "B": 1, "C": 1}
        assert tiers(mia) == {"A": 1, "B": 1, "C": 1} and tiers(max_) == {"A": 1, "B": 0, "C": 0}
        assert tiers(ann) == {"A": 1, "B": 1, "C": 0}
        ops = make.user("ops")
        assert tiers(ops) == {"A": 3, "B": 2, "C": 1}  # the pool's too
        assert tiers(ops, team_id=ann.team_id) == {"A": 1, "B": 1, "C": 1}  # Ann and Mia
        assert tiers(ops, tier="A") == {"A": 3, "B": 0, "C": 0}  # narrowed by the customer: read from the rows


def test_customers_overdue_by_tier_at_a_month_s_edge(app, make):
    """Today the 1st: due on the last day of last month is overdue (last month's row), due today is not (this
    month's days before today: none); a director two levels up and ops with the pool count them."""
    with app.app_context():
        dora, mia, max_, ann, bo, cy = _people(make)
        today = datetime.date(2026, 12, 1)
        for owner, tier, due in ((ann, "A", datetime.date(2026, 11, 30)), (ann, "B", today), (mia, "C", today),
                                 (None, "B", datetime.date(2026, 11, 30)), (ann, "C", datetime.date(2026, 12, 2))):
            customer = make.customer(owner, tier=tier)
            Customer.update(next_visit_due=due).where(Customer.id == customer.id).execute()
        rollups.rebuild()

        def tiers(user, **narrow):
            return metrics.overdue_by_tier(metrics.scope_for(user, **narrow), today)
        assert tiers(dora) == {"A": 1, "B": 0, "C": 0}
        assert tiers(ann) == {"A": 1, "B": 0, "C": 0}
        assert tiers(make.user("ops")) == {"A": 1, "B": 1, "C": 0}
        # the next day: today's due day has passed
        assert metrics.overdue_by_tier(metrics.scope_for(dora), datetime.date(2026, 12, 2)) == {"A": 1, "B": 1, "C": 1}


def test_the_sheet_reads_the_teams_of_its_page_in_the_same_queries_and_lists_a_targeted_team_without_reps(app, make):
    """Four teams of eight reps under a director: two pages. A team whose reps all left is listed when it has a
    target of its own for the period, not for a month of it."""
    director = make.user("manager", name="Dora", team="Board")
    for team in ("North", "South", "West", "Zulu"):
        boss = make.user("manager", name=f"Boss {team}", team=team, reports_to=director)
        for i in range(8):
            make.user("rep", name=f"{team} rep {i}", team=team, reports_to=boss)
    empty = make.user("manager", name="Boss Empty", team="Empty", reports_to=director)
    lapsed = make.user("manager", name="Boss Lapsed", team="Lapsed", reports_to=director)
    with app.app_context():
        User.update(active=False).where(User.id.in_([empty.id, lapsed.id])).execute()
        Target.create(team=empty.team_id, period="quarter", starts_on=datetime.date(2026, 10, 1), amount=9_00)
        Target.create(team=lapsed.team_id, period="month", starts_on=datetime.date(2026, 10, 1), amount=9_00)
    client = app.test_client()
    login(client, director.email)
    counts = []
    for page in (1, 2):
        with count_queries() as queries:
            html = client.get(f"/manager/targets?period=2026-Q4&page={page}", headers=EN).get_data(as_text=True)
        counts.append(len(queries))
        if page == 1:
            assert "Empty" in html and "North rep 0" in html and "South rep 7" in html and "West rep" not in html
        else:
            assert "West rep 0" in html and "Zulu rep 7" in html and "North rep" not in html
        assert "Lapsed" not in html
    assert counts == [5, 5]
