"""The allocation console compares reps with reps: managers (who mostly hold no customers) are not in the mean
load, and only a rep is called light or below the visit norm."""
import datetime

from salesweb.core.db import utcnow
from salesweb.models import Visit
from salesweb.allocation import queries as allocation
from salesweb.core import settings
from tests.conftest import login

TODAY = datetime.date(2026, 12, 7)


def _load(owner_id, name, customers, visits=40, role="rep", active=True):
    return allocation.Load(owner_id, name, active=active, tiers={"A": 0, "B": 0, "C": customers}, visits=visits,
                           role=role)


def test_the_mean_is_the_reps_and_managers_are_not_light_or_below_the_norm(app):
    with app.app_context():
        values = settings.current()
    loads = [_load(1, "R1", 20), _load(2, "R2", 20), _load(3, "R3", 20), _load(4, "R4", 8),
             _load(5, "Boss", 0, visits=0, role="manager"), _load(6, "Director", 0, visits=0, role="manager"),
             _load(7, "Keeper", 30, role="manager")]
    # the reps' mean: (20 + 20 + 20 + 8) / 4 = 17; heavy above 21.25, light below 12.75
    assert allocation.flags(loads, values) == {1: [], 2: [], 3: [], 4: ["light"], 5: [], 6: [], 7: ["heavy"]}
    # with the managers in the mean it was (20 * 3 + 8 + 30) / 7 = 14: every rep with 20 heavy


def test_a_slow_rep_is_below_the_norm_and_a_manager_is_not(app):
    with app.app_context():
        values = settings.current()
    slow_rep, slow_boss = _load(1, "R", 5, visits=4), _load(2, "B", 5, visits=4, role="manager")
    assert allocation.flags([slow_rep, slow_boss], values) == {1: ["below_norm"], 2: []}


def test_the_console_does_not_call_every_rep_heavy_nor_the_manager_light(app, make):
    boss = make.user("manager", name="Wang Fang", team="East")
    reps = [make.user("rep", name=f"Rep {n}", team="East", reports_to=boss) for n in range(3)]
    ops = make.user("ops")
    now = utcnow()
    for rep in reps:
        for _ in range(4):
            customer = make.customer(rep)
            for week in range(4):
                for day in range(3):  # 12 visits a week: within the norm
                    Visit.create(customer=customer, rep=rep, status="done",
                                 occurred_at=now - datetime.timedelta(days=7 * week + day, hours=1))
    for user in (ops, boss):
        client = app.test_client()
        login(client, user.email)
        page = client.get(f"/{user.role}/allocation", headers={"Accept-Language": "en"}).get_data(as_text=True)
        table = page.split('id="load-title"')[1].split("</table>")[0]
        for label in ("Heavy load", "Light load", "Below visit norm"):
            assert label not in table, (user.role, label)
