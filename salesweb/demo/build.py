"""Demo data: teams, a manager per team under a sales director, reps, support, ops and admin, and two
years of a sales department's life: customers with contacts and a believable A/B/C spread, deals on
every stage, visits, and a collateral library.

Three sizes: `small` (about 14 people, 150 customers) to try the app, `large` (SPEC §4: 60 people, 20,000
customers, 200,000 visits) to measure it, and `xl` (300 people in 30 teams, 100,000 customers, 300,000 contacts,
40,000 deals, a million visits over three years) to see how it grows. All are written with bulk inserts in one
transaction."""
import dataclasses
import datetime
import itertools
import random

from ..core.db import db, utcnow
from ..infra import rollups
from ..models import Customer, Deal, LossReason, Stage, StageChange, User
from ..customers import cadence, queries as customer_queries, rules as customers, tiers
from . import (library as demo_library, ops as demo_ops, quotes as demo_quotes, service as demo_service,
               visits as demo_visits)
from ..admin import rules as people
from ..core import settings

PASSWORD = "salesweb-demo"

# (email, name, role, team, reports to) — the director leads the team managers.
SMALL = (
    ("director@example.com", "周杰 Zhou Jie", "manager", "销售管理 Sales leadership", None),
    ("wang.fang@example.com", "王芳", "manager", "华东 East China", "director@example.com"),
    ("li.wei@example.com", "李伟", "manager", "华南 South China", "director@example.com"),
    ("emma.clarke@example.com", "Emma Clarke", "manager", "Key Accounts", "director@example.com"),
    ("zhang.min@example.com", "张敏", "rep", "华东 East China", None),
    ("liu.yang@example.com", "刘洋", "rep", "华东 East China", None),
    ("tom.baker@example.com", "Tom Baker", "rep", "华东 East China", None),
    ("chen.jing@example.com", "陈静", "rep", "华南 South China", None),
    ("huang.lei@example.com", "黄磊", "rep", "华南 South China", None),
    ("sofia.martin@example.com", "Sofia Martin", "rep", "Key Accounts", None),
    ("zhao.li@example.com", "赵丽", "rep", "Key Accounts", None),
    ("support@example.com", "孙悦 Sun Yue", "support", None, None),
    ("ops@example.com", "Daniel Brooks", "ops", None, None),
    ("admin@example.com", "管理员 Admin", "admin", None, None),
)
# The large install adds two teams, a second support person, and reps up to ten per sales team.
LARGE_EXTRA = (
    ("gao.qiang@example.com", "高强", "manager", "华北 North China", "director@example.com"),
    ("grace.lin@example.com", "Grace Lin", "manager", "西南 Southwest", "director@example.com"),
    ("support2@example.com", "马丽 Ma Li", "support", None, None),
)
SALES_TEAMS = ("华东 East China", "华南 South China", "Key Accounts", "华北 North China", "西南 Southwest")


def sales_teams(count):
    """The named sales teams, then regions numbered on to `count` (each led by a manager of its own)."""
    return SALES_TEAMS + tuple(f"区域 {n} Region {n}" for n in range(len(SALES_TEAMS) + 1, count + 1))


def region_managers(count):
    """(email, name, role, team, reports to) of the managers of the numbered regions."""
    return tuple((f"manager{n}@example.com", f"经理 {n} Manager {n}", "manager", team, "director@example.com")
                 for n, team in enumerate(sales_teams(count)[len(SALES_TEAMS):], len(SALES_TEAMS) + 1))


@dataclasses.dataclass(frozen=True)
class Scale:
    people: tuple
    reps_per_team: int  # reps are generated up to this many per sales team
    customers_per_rep: int
    pool: int  # customers nobody owns
    contacts: tuple  # (fewest, most) per customer
    tier_weights: tuple  # intended A, B, C: the won deals of the last 12 months make it so
    recent_wins: dict  # tier -> (fewest, most) deals won in the last 12 months
    older_win: float  # chance that a customer bought 13-24 months ago much as in the last 12
    lost: float
    open: float
    visits_per_week: tuple
    library: int  # collateral items
    teams: int = len(SALES_TEAMS)  # sales teams (beyond the named ones: numbered regions)
    weeks: int = 104  # weeks of visit history


SCALES = {
    "small": Scale(SMALL, 0, 20, 8, (1, 3), (1, 3, 6), {"A": (1, 3), "B": (1, 3), "C": (1, 3)},
                   0.7, 0.4, 0.55, (10, 15), len(demo_library.LIBRARY)),
    "large": Scale(SMALL + LARGE_EXTRA, 10, 392, 400, (2, 4), (3, 10, 87), {"A": (1, 1), "B": (1, 1), "C": (0, 0)},
                   0.7, 0.035, 0.15, (34, 40), 500),
    "xl": Scale(SMALL + LARGE_EXTRA + region_managers(30), 9, 370, 2000, (2, 4), (3, 10, 87),
                {"A": (1, 1), "B": (1, 1), "C": (0, 0)}, 0.7, 0.035, 0.15, (22, 26), 500, teams=30, weeks=156),
}


def is_empty():
    return not User.select().exists() and not Customer.select().exists()


CITIES = {
    "华东 East China": ("上海", "苏州", "杭州", "南京", "宁波", "无锡", "合肥"),
    "华南 South China": ("广州", "深圳", "东莞", "佛山", "厦门", "福州"),
    "Key Accounts": ("北京", "天津", "成都", "武汉", "重庆", "西安"),
    "华北 North China": ("北京", "天津", "石家庄", "济南", "青岛", "太原"),
    "西南 Southwest": ("成都", "重庆", "昆明", "贵阳", "南宁"),
}
REGIONS = {"上海": "上海", "苏州": "江苏", "南京": "江苏", "无锡": "江苏", "杭州": "浙江", "宁波": "浙江",
           "合肥": "安徽", "广州": "广东", "深圳": "广东", "东莞": "广东", "佛山": "广东", "厦门": "福建",
           "福州": "福建", "北京": "北京", "天津": "天津", "成都": "四川", "武汉": "湖北", "重庆": "重庆", "西安": "陕西",
           "石家庄": "河北", "济南": "山东", "青岛": "山东", "太原": "山西", "昆明": "云南", "贵阳": "贵州", "南宁": "广西"}
CORES = ("明远", "华信", "恒通", "鼎盛", "瑞丰", "博达", "天成", "永泰", "嘉禾", "正泰", "宏远", "中联", "东方",
         "金桥", "新元", "海纳", "长青", "立信", "汇丰", "启航", "卓越", "诚达", "精工", "万向")
TRADES = (("贸易", "批发贸易"), ("科技", "信息技术"), ("机械", "机械制造"), ("电子", "电子元器件"),
          ("医疗器械", "医疗器械"), ("物流", "物流运输"), ("食品", "食品饮料"), ("化工", "化工"),
          ("建材", "建筑材料"), ("汽车零部件", "汽车零部件"), ("包装", "包装印刷"))
ENGLISH_INDUSTRIES = ("Wholesale", "Industrial supply", "Food", "Logistics", "Instruments", "Packaging")
ENGLISH = ("Pacific Rim Trading Co., Ltd.", "Harbor Industrial Supply Ltd.", "Greenfield Foods Inc.",
           "Northstar Logistics LLC", "Bluewater Instruments Co., Ltd.", "Summit Packaging Ltd.")
ENGLISH_WORDS = ("Pacific", "Harbor", "Greenfield", "Northstar", "Bluewater", "Summit", "Evergreen", "Silverline",
                 "Redwood", "Lakeside", "Crown", "Orient", "Atlas", "Keystone", "Meridian", "Golden Gate")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
SURNAME_PINYIN = ("wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun", "ma",
                  "zhu", "hu", "guo", "he", "lin", "luo", "gao")
GIVEN = ("伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "军", "强", "丽", "涛", "明", "超", "霞", "平")
GIVEN_PINYIN = ("wei", "fang", "na", "min", "jing", "lei", "yang", "yong", "yan", "jie", "jun", "qiang", "li", "tao",
                "ming", "chao", "xia", "ping")
ENGLISH_REPS = ("James Wilson", "Olivia Chen", "Lucas Meyer", "Hannah Scott", "Daniel Park", "Chloe Martin",
                "Ethan Wright", "Mia Lopez")
TITLES = ("采购经理", "总经理", "技术总监", "财务主管", "采购专员", "生产经理", "副总经理")


def cities_of(team):
    """Where a team's customers are: a named team's cities; a numbered region's, those of a named team in turn."""
    if team in CITIES:
        return CITIES[team]
    return CITIES[SALES_TEAMS[int(team.split()[1]) % len(SALES_TEAMS)]]


def people_rows(rng, scale):
    """(email, name, role, team, reports to) of the listed accounts, then generated reps up to
    `reps_per_team` in each sales team."""
    rows = list(scale.people)
    taken = {row[0] for row in rows}
    english = iter(ENGLISH_REPS)
    for team in sales_teams(scale.teams):
        have = sum(1 for row in rows if row[2] == "rep" and row[3] == team)
        for _ in range(max(0, scale.reps_per_team - have)):
            name = next(english, None) if rng.random() < 0.15 else None  # the English names run out in xl
            if name:
                email = name.lower().replace(" ", ".")
            else:
                s, g = rng.randrange(len(SURNAMES)), rng.randrange(len(GIVEN))
                name, email = SURNAMES[s] + GIVEN[g], f"{SURNAME_PINYIN[s]}.{GIVEN_PINYIN[g]}"
            number = 1
            while f"{email}{number if number > 1 else ''}@example.com" in taken:
                number += 1
            email = f"{email}{number if number > 1 else ''}@example.com"
            taken.add(email)
            rows.append((email, name, "rep", team, None))
    return rows


def _people(rng, scale):
    created = {}
    for email, name, role, team, boss in people_rows(rng, scale):
        created[email] = people.create_user(
            email, name, role, PASSWORD, team_name=team, reports_to=created.get(boss),
            locale="zh" if not name.isascii() and role == "rep" else None)
    return created


def _company_name(rng, city, english, taken):
    """A company name whose duplicate-check key is not yet taken; longer names once short ones run out (and
    longer still once those of a busy city do, as in the xl data)."""
    for attempt in itertools.count():
        longer = attempt > 10 or len(taken) > 2000
        longest = attempt > 40
        if english:
            industry = rng.choice(ENGLISH_INDUSTRIES)
            words = rng.sample(ENGLISH_WORDS, 3 if longest else 2 if longer else 1)
            name = f"{' '.join(words)} {industry} {rng.choice(('Co., Ltd.', 'Ltd.', 'Inc.'))}"
        else:
            core = "".join(rng.choice(CORES) for _ in range(3 if longest else 2 if longer else 1))
            trade, industry = rng.choice(TRADES)
            name = f"{city}{core}{trade}{rng.choice(('有限公司', '股份有限公司'))}"
        key = customer_queries.normalise_name(name)
        if key not in taken:
            taken.add(key)
            return name, industry


def _contacts(rng, count):
    return [{"name": rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.randint(1, 2))),
             "title": rng.choice(TITLES), "phone": f"1{rng.choice('3589')}{rng.randint(100000000, 999999999)}",
             "wechat": f"wx_{rng.randint(10000, 99999)}"} for _ in range(count)]


def _customers(rng, scale, reps_by_team, ops, values, now):
    """Customers per rep, a few unowned in the pool; most visited on cadence, some falling behind."""
    items, taken, english_used = [], set(), 0
    for team, reps in reps_by_team.items():
        for rep in reps:
            for i in range(scale.customers_per_rep):
                city = rng.choice(cities_of(team))
                if rep.name.isascii() and i % 5 == 0:
                    if english_used < len(ENGLISH):
                        name, industry = ENGLISH[english_used], ENGLISH_INDUSTRIES[english_used]
                        taken.add(customer_queries.normalise_name(name))
                        english_used += 1
                    else:
                        name, industry = _company_name(rng, city, True, taken)
                else:
                    name, industry = _company_name(rng, city, False, taken)
                tier = rng.choices("ABC", weights=scale.tier_weights)[0]
                # most of a rep's book predates the two years of history; the rest was won over them
                created = now - datetime.timedelta(days=rng.randint(740, 1500) if rng.random() < 0.8
                                                   else rng.randint(30, 730))
                last_visit = None
                if rng.random() < 0.9:
                    days = rng.randint(1, int(cadence.interval(tier, values) * 1.3))
                    last_visit = now - datetime.timedelta(days=days, hours=rng.randint(0, 8))
                else:  # not visited yet: a recent lead
                    created = now - datetime.timedelta(days=rng.randint(5, 150))
                items.append({"values": {
                    "name": name, "industry": industry, "region": REGIONS[city], "address": f"{city}市",
                    "phone": f"0{rng.randint(10, 999)}-{rng.randint(5000000, 89999999)}",
                    "source": rng.choice(("visit", "website", "trade_show", "referral", "other")),
                    "status": rng.choices(("customer", "prospect", "lead", "dormant"), (5, 3, 2, 1))[0]},
                    "owner": rep, "tier": tier, "created_at": created, "last_visit_at": last_visit,
                    "lat": demo_visits.PLACES[city][0] + rng.uniform(-0.03, 0.03),
                    "lon": demo_visits.PLACES[city][1] + rng.uniform(-0.03, 0.03),
                    "contacts": _contacts(rng, rng.randint(*scale.contacts))})
    cities = CITIES["华东 East China"] + CITIES["华南 South China"]
    for _ in range(scale.pool):
        city = rng.choice(cities)
        name, industry = _company_name(rng, city, False, taken)
        items.append({"values": {"name": name, "industry": industry, "region": REGIONS[city], "source": "website",
                                 "status": "lead"},
                      "owner": None, "tier": "C", "created_at": now - datetime.timedelta(days=rng.randint(0, 60)),
                      "contacts": _contacts(rng, 1)})
    customers.create_many(items, ops, values, tier_reason="import", now=now)


DEAL_WORDS = ("年度采购", "设备更新", "二期项目", "框架协议", "备件采购", "试点项目", "扩产项目", "年度维保")
# Days a deal typically spends in each open stage before moving on.
STAGE_DAYS = (12, 18, 10, 15)


def _plans(rng, scale, tier, target):
    """(outcome, days ago, amount) of one customer's deals: wins of the last 12 months sum to about its
    intended tier's revenue, then older wins, losses and open deals by the scale's chances."""
    plans = []
    wins = rng.randint(*scale.recent_wins[tier])
    for _ in range(wins):
        plans.append(("won", rng.randint(1, 362), int(target / wins * rng.uniform(0.6, 1.0))))
    if rng.random() < scale.older_win:  # the year before bought much the same, a little less
        for _ in range(wins):
            plans.append(("won", rng.randint(367, 725), int(target / wins * rng.uniform(0.5, 0.9))))
    if rng.random() < scale.lost:
        plans.append(("lost", rng.randint(10, 700), rng.randint(10_000_00, 300_000_00)))
    if rng.random() < scale.open:
        plans.append(("open", rng.randint(0, 60), rng.randint(10_000_00, 800_000_00)))
    return plans


def _deals(rng, scale, now, values):
    """Deals for the owned customers over 24 months: won deals sized to the customer's tier, lost ones
    with reasons, open ones spread over the stages, each with stage changes of believable durations."""
    stages = list(Stage.select().order_by(Stage.position))
    open_stages = [s for s in stages if s.kind == "open"]
    won = next(s for s in stages if s.kind == "won")
    lost = next(s for s in stages if s.kind == "lost")
    reasons = list(LossReason.select())
    a_min, b_min = values["tier_a_threshold"], values["tier_b_threshold"]
    positions = {s.id: 0.0 for s in stages}
    rows, paths = [], []
    owned = list(Customer.select(Customer.id, Customer.owner, Customer.tier).where(Customer.owner.is_null(False)))
    for customer in owned:
        target = {"A": a_min * 1.8, "B": b_min * 3, "C": b_min * 0.4}[customer.tier]
        for outcome, days_ago, amount in _plans(rng, scale, customer.tier, target):
            amount = max(1, amount // 1000_00) * 1000_00  # quotes are in round thousands
            end = now - datetime.timedelta(days=days_ago, hours=rng.randint(0, 9))
            # most open deals were worked on recently; some have gone quiet
            quiet = rng.randint(0, 3) if outcome == "open" and rng.random() < 0.88 else rng.randint(0, 20)
            if outcome == "open":
                path = open_stages[:rng.randrange(len(open_stages)) + 1]
                quiet = min(quiet, days_ago)
            else:
                path = open_stages[:rng.randint(2 if outcome == "won" else 1, len(open_stages))] + [
                    won if outcome == "won" else lost]
            durations = [rng.randint(max(2, d // 2), d * 2) for d in STAGE_DAYS][:len(path) - 1]
            start = end - datetime.timedelta(days=sum(durations))
            stage = path[-1]
            positions[stage.id] += 1024.0
            is_open = outcome == "open"
            rows.append(dict(
                title=f"{rng.choice(DEAL_WORDS)} {start.year}", customer=customer.id, owner=customer.owner_id,
                amount=amount, stage=stage.id, position=positions[stage.id], probability=stage.probability,
                expected_close=(end + datetime.timedelta(days=rng.randint(10, 90))).date() if is_open else end.date(),
                next_step=rng.choice(("电话回访", "发送报价", "安排演示", "技术交流")) if is_open and rng.random() < 0.95 else "",
                next_step_due=(now + datetime.timedelta(days=rng.randint(-2, 14))).date()
                if is_open and rng.random() < 0.95 else None,
                won_on=end.date() if outcome == "won" else None, lost_on=end.date() if outcome == "lost" else None,
                lost_reason=rng.choice(reasons).id if outcome == "lost" else None,
                stage_entered_at=end, last_activity_at=(now if is_open else end) - datetime.timedelta(days=quiet),
                created_by=customer.owner_id, created_at=start, updated_at=end, updated_by=customer.owner_id))
            paths.append((path, durations, start, customer.owner_id))
    changes = []
    for first in range(0, len(rows), 500):
        ids = [row[0] for row in Deal.insert_many(rows[first:first + 500]).returning(Deal.id).tuples()]
        for deal_id, (path, durations, at, owner) in zip(ids, paths[first:first + 500]):
            previous = None
            for index, step in enumerate(path):
                changes.append({"deal": deal_id, "from_stage": previous.id if previous else None, "to_stage": step.id,
                                "by": owner, "at": at})
                previous = step
                if index < len(durations):
                    at += datetime.timedelta(days=durations[index])
    for first in range(0, len(changes), 500):
        StageChange.insert_many(changes[first:first + 500]).execute()
    tiers.recompute_all(values, now.date())  # tiers now follow the won deals
    # and statuses too, as a won deal sets them (customers.won_over): whoever bought is no lead or prospect, and
    # whoever bought this year is not dormant
    bought = Deal.select(Deal.customer).join(Stage).where(Stage.kind == "won")
    (Customer.update(status="customer")
     .where((Customer.status.in_(("lead", "prospect")) & Customer.id.in_(bought))
            | ((Customer.status == "dormant")
               & Customer.id.in_(bought.where(Deal.won_on > now.date() - datetime.timedelta(days=365)))))
     .execute())


def load(upload_dir, scale="small"):
    """Load the demo data into an empty database; returns [(email, name, role)] of the listed accounts."""
    if scale not in SCALES:
        raise ValueError(f"unknown demo scale {scale!r}")
    size = SCALES[scale]
    rng = random.Random(2026)
    with db.atomic():
        created = _people(rng, size)
        reps_by_team = {}
        for user in created.values():
            if user.role == "rep":
                reps_by_team.setdefault(user.team.name, []).append(user)
        values = settings.current()
        ops = next(u for u in created.values() if u.role == "ops")
        _customers(rng, size, reps_by_team, ops, values, utcnow())
        _deals(rng, size, utcnow(), values)
        demo_visits.load(rng, utcnow(), values, size.visits_per_week, size.weeks)
        demo_library.load(rng, utcnow(), upload_dir, size.library)
        demo_quotes.load(rng, utcnow(), values)
        demo_service.load(rng, utcnow(), values)
        demo_ops.load(rng, utcnow(), upload_dir, demo_library.MAX_BYTES)
        rollups.rebuild()  # the rows above went in in bulk, past the rules that keep the rollups
    return logins()


def logins():
    """The listed demo accounts still present, for printing (generated reps are not listed)."""
    emails = [row[0] for row in SMALL + LARGE_EXTRA]  # not the numbered regions' managers
    rows = User.select(User.email, User.name, User.role).where(User.email.in_(emails) & (User.active == True))  # noqa: E712
    order = {e: i for i, e in enumerate(emails)}
    return sorted(((u.email, u.name, u.role) for u in rows), key=lambda r: order[r[0]])
