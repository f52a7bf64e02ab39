"""Demo visits: 24 months at the scale's visits a week per rep (10–15 small), many checked in on site, today's plan, tasks and a
manager's comments. Customers already overdue (from the customer step) get no visit after their last one."""
import datetime
import itertools

import pytz
from peewee import fn

from ..models import Customer, Task, User, Visit, VisitComment
from ..customers import cadence

# Where the demo's cities are (latitude, longitude); customers sit within a few kilometres.
PLACES = {"上海": (31.23, 121.47), "苏州": (31.30, 120.58), "杭州": (30.27, 120.15), "南京": (32.06, 118.80),
          "宁波": (29.87, 121.54), "无锡": (31.49, 120.31), "合肥": (31.82, 117.23), "广州": (23.13, 113.26),
          "深圳": (22.54, 114.06), "东莞": (23.02, 113.75), "佛山": (23.02, 113.12), "厦门": (24.48, 118.09),
          "福州": (26.07, 119.30), "北京": (39.90, 116.41), "天津": (39.13, 117.20), "成都": (30.57, 104.07),
          "武汉": (30.59, 114.31), "重庆": (29.56, 106.55), "西安": (34.34, 108.94),
          "石家庄": (38.04, 114.51), "济南": (36.65, 117.12), "青岛": (36.07, 120.38), "太原": (37.87, 112.55),
          "昆明": (25.04, 102.71), "贵阳": (26.65, 106.63), "南宁": (22.82, 108.37)}
PURPOSES = ("季度回访", "新品介绍", "报价沟通", "技术交流", "合同跟进", "售后回访", "Quarterly review", "Product demo")
NOTES = ("客户对交期比较关注，需要确认库存。", "采购经理换人，需要重新建立关系。", "对新产品很感兴趣，下周发资料。",
         "竞争对手报价低 5%，需要申请折扣。", "Went through the proposal; they want a site visit from our engineer.")
COMMENTS = ("下次带上技术同事一起去。", "Good call: ask for the budget owner's name next time.", "报价前先和我确认折扣。")
WEIGHT = {"A": 5, "B": 2, "C": 1}
METRES_PER_DEGREE = 111_000


def _checkin(rng, place, at):
    """A check-in near the customer (most), or one with a reason it does not count."""
    roll = rng.random()
    if roll < 0.8:
        metres, accuracy, problem = rng.randint(10, 350), rng.randint(5, 60), ""
    elif roll < 0.9:
        metres, accuracy, problem = rng.randint(900, 5000), rng.randint(5, 60), "far"
    else:
        metres, accuracy, problem = rng.randint(10, 300), rng.randint(150, 900), "inaccurate"
    return {"lat": place[0] + metres / METRES_PER_DEGREE, "lon": place[1], "accuracy_m": accuracy,
            "fix_at": at - datetime.timedelta(seconds=rng.randint(5, 120)), "distance_m": metres,
            "verified": not problem, "check_problem": problem}


def load(rng, now, values, per_week=(10, 15), weeks=104):
    zone = pytz.timezone(values["timezone"])
    today = cadence.local_date(now, values)
    monday = today - datetime.timedelta(days=today.weekday())

    def utc(day, hour, minute):
        local = zone.localize(datetime.datetime.combine(day, datetime.time(hour, minute)))
        return local.astimezone(pytz.utc).replace(tzinfo=None)

    for rep in User.select().where(User.role == "rep"):
        mine = list(Customer.select().where(Customer.owner == rep.id))
        if not mine:
            continue
        rows = []
        overdue = {c.id: c.last_visit_at or c.created_at for c in mine if c.next_visit_due < today}
        weights = list(itertools.accumulate(WEIGHT[c.tier] for c in mine))
        for week in range(weeks, -1, -1):
            start = monday - datetime.timedelta(weeks=week)
            for _ in range(rng.randint(*per_week) if week else rng.randint(2, 4) * (today.weekday() + 1) // 2):
                day = start + datetime.timedelta(days=rng.randint(0, 4 if week else today.weekday()))
                at = utc(day, rng.randint(9, 17), rng.choice((0, 15, 30, 45)))
                for customer in rng.choices(mine, cum_weights=weights, k=6):  # the first one that could be visited then
                    if customer.created_at <= at <= min(now, overdue.get(customer.id, now)):
                        rows.append(_row(rng, customer, rep, at))
                        break
        for customer in mine:  # each customer's last visit as the customer step set it
            if customer.last_visit_at:
                rows.append(_row(rng, customer, rep, customer.last_visit_at))
        for start in range(0, len(rows), 500):
            Visit.insert_many(rows[start:start + 500]).execute()
    latest = (Visit.select(fn.MAX(Visit.occurred_at)).where((Visit.customer == Customer.id) & (Visit.status == "done")))
    Customer.update(last_visit_at=latest).where(Customer.owner.is_null(False)).execute()
    cadence.refresh_all(values)
    _plans(rng, now, today)
    _comments(rng, now)


def _row(rng, customer, rep, at):
    kind = rng.choices(("on_site", "phone", "video", "event"), (7, 2, 1, 0.3))[0]
    row = {"customer": customer.id, "rep": rep.id, "status": "done", "occurred_at": at,
           "duration_minutes": rng.choice((30, 45, 45, 60, 90)), "kind": kind, "purpose": rng.choice(PURPOSES),
           "notes": rng.choice(NOTES) if rng.random() < 0.7 else "",
           "outcome": rng.choices(("positive", "neutral", "negative", ""), (5, 3, 1, 1))[0],
           "created_by": rep.id, "created_at": at, "updated_at": at}
    if kind == "on_site" and rng.random() < 0.75:
        row.update(_checkin(rng, (customer.lat, customer.lon), at))
    return row


def _plans(rng, now, today):
    """A few planned visits today and this week for each rep, each with its task, and some tasks by hand."""
    for rep in User.select().where(User.role == "rep"):
        mine = list(Customer.select().where(Customer.owner == rep.id).order_by(Customer.next_visit_due).limit(8))
        for n, customer in enumerate(mine[:rng.randint(3, 6)]):
            day = today + datetime.timedelta(days=0 if n < 2 else rng.randint(1, 6))
            visit = Visit.create(customer=customer.id, rep=rep.id, status="planned", planned_for=day,
                                 purpose=rng.choice(PURPOSES), created_by=rep.id, created_at=now, updated_at=now)
            Task.create(title=customer.name, assignee=rep.id, due_on=day, customer=customer.id, visit=visit.id,
                        source="next_visit", created_by=rep.id, created_at=now)
        if mine:
            Task.create(title=rng.choice(("发送报价单", "Call back about the sample order", "确认交货日期")), assignee=rep.id,
                        due_on=today - datetime.timedelta(days=rng.randint(0, 2)), customer=mine[-1].id,
                        created_by=rep.id, created_at=now)


def _comments(rng, now):
    """Managers coach on a few of last week's visits; the latest ones are still unread."""
    for rep in User.select().where((User.role == "rep") & User.reports_to.is_null(False)):
        recent = list(Visit.select().where((Visit.rep == rep.id) & (Visit.status == "done")
                                           & (Visit.occurred_at > now - datetime.timedelta(days=10)))
                      .order_by(Visit.occurred_at.desc()).limit(2))
        for n, visit in enumerate(recent):
            VisitComment.create(visit=visit.id, author=rep.reports_to_id, body=rng.choice(COMMENTS),
                                created_at=visit.occurred_at + datetime.timedelta(hours=3),
                                read_at=None if n == 0 else now)
