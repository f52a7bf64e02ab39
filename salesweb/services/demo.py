"""Demo data: teams, a manager per team under a sales director, reps, support, ops and admin,
and a customer base with contacts, regions and a believable A/B/C spread."""
import datetime
import random

from ..db import db, utcnow
from ..models import Contact, Customer, User
from . import cadence, customers, people, settings

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
        _customers(rng, reps_by_team, settings.current(), utcnow())
    return [(u.email, u.name, u.role) for u in created.values()]


def logins():
    """The demo accounts still present, for printing."""
    emails = [row[0] for row in SMALL]
    rows = User.select(User.email, User.name, User.role).where(User.email.in_(emails) & (User.active == True))  # noqa: E712
    order = {e: i for i, e in enumerate(emails)}
    return sorted(((u.email, u.name, u.role) for u in rows), key=lambda r: order[r[0]])
