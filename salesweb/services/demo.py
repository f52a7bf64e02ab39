"""Demo data: teams, a manager per team under a sales director, reps, support, ops and admin,
and a customer base with contacts, regions and a believable A/B/C spread."""
import datetime
import io
import random

from ..db import db, utcnow
from ..models import CollateralItem, Contact, Customer, Deal, Download, LossReason, ShareLink, Stage, StageChange, User
from . import cadence, collateral, customers, demo_files, demo_visits, people, settings, tiers

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


# (title, kind, language, product tags, file type, versions)
LIBRARY = (
    ("X200 Product brochure", "brochure", "en", "X200", "pdf", 2),
    ("X200 产品手册", "brochure", "zh", "X200", "pdf", 2),
    ("X300 Product brochure", "brochure", "en", "X300", "pdf", 1),
    ("X300 产品手册", "brochure", "zh", "X300", "pdf", 1),
    ("P100 泵系列手册 Pump series", "brochure", "multi", "P100, Pumps", "pdf", 3),
    ("V20 阀门选型指南", "brochure", "zh", "V20, Valves", "pdf", 1),
    ("Company overview", "presentation", "en", "", "pdf", 3),
    ("公司介绍", "presentation", "zh", "", "pdf", 2),
    ("Smart Monitor launch deck", "presentation", "en", "Smart Monitor", "pdf", 1),
    ("X200 Spec sheet", "spec_sheet", "en", "X200", "pdf", 2),
    ("X300 Spec sheet", "spec_sheet", "en", "X300", "pdf", 1),
    ("P100 技术参数表", "spec_sheet", "zh", "P100, Pumps", "pdf", 1),
    ("V20 Valve data sheet", "spec_sheet", "en", "V20, Valves", "pdf", 1),
    ("Smart Monitor 规格书", "spec_sheet", "multi", "Smart Monitor", "pdf", 1),
    ("Case study: Harbor Industrial cuts downtime 30%", "case_study", "en", "X200, Smart Monitor", "pdf", 1),
    ("案例：苏州精工 产线升级", "case_study", "zh", "X300", "pdf", 1),
    ("Case study: Greenfield Foods pump retrofit", "case_study", "en", "P100, Pumps", "pdf", 1),
    ("2026 价格表 Price list", "price_list", "multi", "X200, X300, P100, V20", "pdf", 3),
    ("Distributor price list", "price_list", "en", "X200, X300", "pdf", 2),
    ("Spare parts prices", "price_list", "en", "P100, V20", "pdf", 1),
    ("销售合同模板", "contract_template", "zh", "", "pdf", 2),
    ("Sales contract template", "contract_template", "en", "", "pdf", 2),
    ("Service agreement template", "contract_template", "en", "Smart Monitor", "pdf", 1),
    ("X200 product photo", "other", "multi", "X200", "png", 1),
    ("X300 product photo", "other", "multi", "X300", "png", 1),
    ("P100 installation photo", "other", "multi", "P100, Pumps", "png", 2),
    ("Trade show booth 2026", "other", "multi", "", "png", 1),
    ("Sales results chart 2026", "presentation", "en", "", "png", 1),
    ("Old 2024 price list", "price_list", "en", "X200", "pdf", 1),
)
COLOURS = ((31, 95, 191), (15, 123, 63), (154, 103, 0), (180, 35, 24), (90, 60, 160))


def _demo_file(rng, title, file_type, version):
    if file_type == "png":
        data = demo_files.png(240, 160, rng.choice(COLOURS), [rng.uniform(0.2, 1.0) for _ in range(6)])
        return data, f"{title.split()[0].lower()}-v{version}.png"
    latin = title.encode("ascii", "ignore").decode().strip() or "salesweb"
    lines = [f"Version {version}", "", "Prepared by sales support for the field team.",
             *(f"- Point {n}: {rng.choice(('reliable', 'efficient', 'quiet', 'compact', 'certified'))} "
               f"and {rng.choice(('easy to service', 'energy saving', 'in stock', 'made to order'))}." for n in range(1, 6))]
    name = "-".join(latin.lower().replace(":", "").replace("%", "").split()[:4]) or "document"
    return demo_files.pdf(latin, lines), f"{name}-v{version}.pdf"


def _collateral(rng, now, upload_dir):
    """A library of small real files with versions; downloads by the reps, and links shared with customers."""
    support = User.get(User.role == "support")
    reps = list(User.select().where(User.role == "rep"))
    max_bytes = 50 * 1024 * 1024
    for title, kind, language, tags, file_type, versions in LIBRARY:
        first = now - datetime.timedelta(days=rng.randint(120, 600))
        data, filename = _demo_file(rng, title, file_type, 1)
        item = collateral.create({"title": title, "kind": kind, "language": language, "tags": tags,
                                  "description": f"{title}: for customer meetings and follow-up e-mails."},
                                 (io.BytesIO(data), filename), support, upload_dir, max_bytes, now=first)
        for number in range(2, versions + 1):
            data, filename = _demo_file(rng, title, file_type, number)
            collateral.add_version(item, (io.BytesIO(data), filename), rng.choice(("Updated prices", "New photos",
                                   "Corrected specifications", "2026 edition")), support, upload_dir, max_bytes,
                                   now=first + datetime.timedelta(days=60 * (number - 1)))
        if title.startswith("Old"):
            collateral.set_archived(item, True, support)
    items = list(collateral.search({}))
    downloads = []
    for item in items:
        popularity = rng.choice((0, 2, 5, 12, 30))
        for _ in range(popularity):
            downloads.append({"item": item.id, "version": item.current.id, "user": rng.choice(reps).id,
                              "at": now - datetime.timedelta(days=rng.randint(0, 90), hours=rng.randint(0, 9))})
    if downloads:
        Download.insert_many(downloads).execute()
        for item in items:
            count = sum(1 for d in downloads if d["item"] == item.id)
            CollateralItem.update(download_count=count).where(CollateralItem.id == item.id).execute()
    days = settings.current()["share_link_days"]
    links = []
    for rep in reps:
        for customer in Customer.select().where(Customer.owner == rep).limit(rng.randint(1, 3)):
            shared_at = now - datetime.timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 9))
            link = collateral.share(collateral.get_item(rng.choice(items).id), customer, rep, days, now=shared_at)
            if collateral.link_state(link, now) == "active" and rng.random() < 0.6:
                collateral.record_download(link.item, link.version, link=link, now=shared_at)
            links.append(link)
    collateral.revoke(links[0], reps[0], now=now)  # one withdrawn, to show how that looks


def load(upload_dir, scale="small"):
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
        demo_visits.load(rng, utcnow(), values)
        _collateral(rng, utcnow(), upload_dir)
    return [(u.email, u.name, u.role) for u in created.values()]


def logins():
    """The demo accounts still present, for printing."""
    emails = [row[0] for row in SMALL]
    rows = User.select(User.email, User.name, User.role).where(User.email.in_(emails) & (User.active == True))  # noqa: E712
    order = {e: i for i, e in enumerate(emails)}
    return sorted(((u.email, u.name, u.role) for u in rows), key=lambda r: order[r[0]])
