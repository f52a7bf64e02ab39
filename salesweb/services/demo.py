"""Demo data: teams, a manager per team under a sales director, reps, support, ops and admin,
and a customer base with contacts, regions and a believable A/B/C spread."""
import datetime
import random

from ..db import db, utcnow
from ..models import Contact, Customer, Deal, LossReason, Stage, StageChange, User
from . import cadence, customers, people, settings, tiers

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


def is_empty():
    return not User.select().exists() and not Customer.select().exists()


CITIES = {
    "华东 East China": ("上海", "苏州", "杭州", "南京", "宁波", "无锡", "合肥"),
    "华南 South China": ("广州", "深圳", "东莞", "佛山", "厦门", "福州"),
    "Key Accounts": ("北京", "天津", "成都", "武汉", "重庆", "西安"),
}
REGIONS = {"上海": "上海", "苏州": "江苏", "南京": "江苏", "无锡": "江苏", "杭州": "浙江", "宁波": "浙江",
           "合肥": "安徽", "广州": "广东", "深圳": "广东", "东莞": "广东", "佛山": "广东", "厦门": "福建",
           "福州": "福建", "北京": "北京", "天津": "天津", "成都": "四川", "武汉": "湖北", "重庆": "重庆", "西安": "陕西"}
CORES = ("明远", "华信", "恒通", "鼎盛", "瑞丰", "博达", "天成", "永泰", "嘉禾", "正泰", "宏远", "中联", "东方",
         "金桥", "新元", "海纳", "长青", "立信", "汇丰", "启航", "卓越", "诚达", "精工", "万向")
TRADES = (("贸易", "批发贸易"), ("科技", "信息技术"), ("机械", "机械制造"), ("电子", "电子元器件"),
          ("医疗器械", "医疗器械"), ("物流", "物流运输"), ("食品", "食品饮料"), ("化工", "化工"),
          ("建材", "建筑材料"), ("汽车零部件", "汽车零部件"), ("包装", "包装印刷"))
ENGLISH_INDUSTRIES = ("Wholesale", "Industrial supply", "Food", "Logistics", "Instruments", "Packaging")
ENGLISH = ("Pacific Rim Trading Co., Ltd.", "Harbor Industrial Supply Ltd.", "Greenfield Foods Inc.",
           "Northstar Logistics LLC", "Bluewater Instruments Co., Ltd.", "Summit Packaging Ltd.")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = ("伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "军", "强", "丽", "涛", "明", "超", "霞", "平")
TITLES = ("采购经理", "总经理", "技术总监", "财务主管", "采购专员", "生产经理", "副总经理")


def _customers(rng, reps_by_team, values, now):
    """About twenty customers per rep, a few unowned in the pool; visits spread over the last months."""
    created = 0
    for team, reps in reps_by_team.items():
        for rep in reps:
            for i in range(20):
                city = rng.choice(CITIES[team])
                trade, industry = rng.choice(TRADES)
                if i == 0 and rep.name.isascii():
                    english = rng.randrange(len(ENGLISH))
                    name, industry = ENGLISH[english], ENGLISH_INDUSTRIES[english]
                else:
                    name = f"{city}{rng.choice(CORES)}{trade}{rng.choice(('有限公司', '股份有限公司'))}"
                if customers.duplicates(name):
                    continue
                tier = rng.choices("ABC", weights=(1, 3, 6))[0]
                customer = customers.create(
                    {"name": name, "industry": industry, "region": REGIONS[city], "address": f"{city}市",
                     "phone": f"0{rng.randint(10, 999)}-{rng.randint(5000000, 89999999)}",
                     "source": rng.choice(("visit", "website", "trade_show", "referral", "other")),
                     "status": rng.choices(("customer", "prospect", "lead", "dormant"), (5, 3, 2, 1))[0]},
                    rep, rep, values, tier=tier, tier_reason="import",
                    now=now - datetime.timedelta(days=rng.randint(200, 700)))
                if rng.random() < 0.9:  # most visited on cadence, some falling behind
                    days = rng.randint(1, int(cadence.interval(tier, values) * 1.3))
                    cadence.record_visit(customer, now - datetime.timedelta(days=days, hours=rng.randint(0, 8)),
                                         values)
                _contacts(rng, customer)
                created += 1
    for i in range(8):
        city = rng.choice(CITIES["华东 East China"] + CITIES["华南 South China"])
        trade, industry = rng.choice(TRADES)
        name = f"{city}{rng.choice(CORES)}{trade}有限公司"
        if not customers.duplicates(name):
            pool_customer = customers.create({"name": name, "industry": industry, "region": REGIONS[city],
                                              "source": "website", "status": "lead"},
                                             None, User.get(User.role == "ops"), values, now=now)
            _contacts(rng, pool_customer)
            created += 1
    return created


def _contacts(rng, customer):
    for n in range(rng.randint(1, 3)):
        Contact.create(customer=customer, name=rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.randint(1, 2))),
                       title=rng.choice(TITLES), phone=f"1{rng.choice('3589')}{rng.randint(100000000, 999999999)}",
                       wechat=f"wx_{rng.randint(10000, 99999)}", is_primary=n == 0)


DEAL_WORDS = ("年度采购", "设备更新", "二期项目", "框架协议", "备件采购", "试点项目", "扩产项目", "年度维保")
# Days a deal typically spends in each open stage before moving on.
STAGE_DAYS = (12, 18, 10, 15)


def _deals(rng, now, values):
    """Deals for every owned customer over 24 months: won deals sized to the customer's tier, lost ones
    with reasons, open ones spread over the stages, each with stage changes of believable durations."""
    stages = list(Stage.select().order_by(Stage.position))
    open_stages = [s for s in stages if s.kind == "open"]
    won = next(s for s in stages if s.kind == "won")
    lost = next(s for s in stages if s.kind == "lost")
    reasons = list(LossReason.select())
    a_min, b_min = values["tier_a_threshold"], values["tier_b_threshold"]
    positions = {s.id: 0.0 for s in stages}
    changes = []
    owned = list(Customer.select().where(Customer.owner.is_null(False)))
    for customer in owned:
        target = {"A": a_min * 1.4, "B": b_min * 3, "C": b_min * 0.4}[customer.tier]
        plans = []
        for _ in range(rng.randint(1, 3)):  # won within the last 12 months, summing to about the tier's size
            plans.append(("won", rng.randint(20, 350), int(target / 2 * rng.uniform(0.6, 1.0))))
        if rng.random() < 0.5:
            plans.append(("won", rng.randint(380, 700), rng.randint(20_000_00, 400_000_00)))
        if rng.random() < 0.4:
            plans.append(("lost", rng.randint(10, 700), rng.randint(10_000_00, 300_000_00)))
        if rng.random() < 0.55:
            plans.append(("open", rng.randint(0, 60), rng.randint(10_000_00, 800_000_00)))
        for outcome, days_ago, amount in plans:
            amount = max(1, amount // 1000_00) * 1000_00  # quotes are in round thousands
            end = now - datetime.timedelta(days=days_ago, hours=rng.randint(0, 9))
            # most open deals were worked on recently; some have gone quiet
            quiet = rng.randint(0, 3) if outcome == "open" and rng.random() < 0.88 else rng.randint(0, 20)
            if outcome == "open":
                reached = rng.randrange(len(open_stages))
                path = open_stages[:reached + 1]
            else:
                path = open_stages[:rng.randint(2 if outcome == "won" else 1, len(open_stages))] + [
                    won if outcome == "won" else lost]
            durations = [rng.randint(max(2, d // 2), d * 2) for d in STAGE_DAYS][:len(path) - 1]
            start = end - datetime.timedelta(days=sum(durations))
            if outcome == "open":
                quiet = min(quiet, days_ago)
            stage = path[-1]
            positions[stage.id] += 1024.0
            deal = Deal.create(
                title=f"{rng.choice(DEAL_WORDS)} {start.year}", customer=customer, owner=customer.owner_id,
                amount=amount, stage=stage, position=positions[stage.id], probability=stage.probability,
                expected_close=(end + datetime.timedelta(days=rng.randint(10, 90))).date() if outcome == "open"
                else end.date(),
                next_step=rng.choice(("电话回访", "发送报价", "安排演示", "技术交流")) if outcome == "open"
                and rng.random() < 0.95 else "",
                next_step_due=(now + datetime.timedelta(days=rng.randint(-2, 14))).date()
                if outcome == "open" and rng.random() < 0.95 else None,
                won_on=end.date() if outcome == "won" else None, lost_on=end.date() if outcome == "lost" else None,
                lost_reason=rng.choice(reasons).id if outcome == "lost" else None,
                stage_entered_at=end,
                last_activity_at=(now if outcome == "open" else end) - datetime.timedelta(days=quiet),
                created_by=customer.owner_id, created_at=start, updated_at=end, updated_by=customer.owner_id)
            at, previous = start, None
            for index, step in enumerate(path):
                changes.append({"deal": deal.id, "from_stage": previous.id if previous else None, "to_stage": step.id,
                                "by": customer.owner_id, "at": at})
                previous = step
                if index < len(durations):
                    at += datetime.timedelta(days=durations[index])
    for batch in range(0, len(changes), 500):
        StageChange.insert_many(changes[batch:batch + 500]).execute()
    tiers.recompute([c.id for c in owned], values, now.date())  # tiers now follow the won deals


def load(scale="small"):
    """Load the demo data into an empty database; returns [(email, name, role)] of the people."""
    if scale != "small":
        raise ValueError(f"unknown demo scale {scale!r}")
    created = {}
    rng = random.Random(2026)
    with db.atomic():
        for email, name, role, team, boss in SMALL:
            created[email] = people.create_user(
                email, name, role, PASSWORD, team_name=team,
                reports_to=created.get(boss), locale="zh" if not name.isascii() and role == "rep" else None)
        reps_by_team = {}
        for email, name, role, team, boss in SMALL:
            if role == "rep":
                reps_by_team.setdefault(team, []).append(created[email])
        values = settings.current()
        _customers(rng, reps_by_team, values, utcnow())
        _deals(rng, utcnow(), values)
    return [(u.email, u.name, u.role) for u in created.values()]


def logins():
    """The demo accounts still present, for printing."""
    emails = [row[0] for row in SMALL]
    rows = User.select(User.email, User.name, User.role).where(User.email.in_(emails) & (User.active == True))  # noqa: E712
    order = {e: i for i, e in enumerate(emails)}
    return sorted(((u.email, u.name, u.role) for u in rows), key=lambda r: order[r[0]])
