"""Demo sales operations: each region given to the rep who holds most of it (one left to the pool), team budgets for
the last four quarters, and six months of expense claims with receipts (paid, approved, waiting, a few rejected),
some of them over budget. Written in bulk."""
import datetime
import io

from peewee import fn

from ..models import Budget, Customer, Expense, Region, User, Visit
from ..expenses.queries import quarter_of
from ..customers import queries as customers
from . import files as demo_files
from ..infra import storage

# Per rep and quarter, in minor units: what a team of n reps gets is n times this.
PLAN = {"travel": 9_000_00, "events": 6_000_00, "samples": 2_500_00, "hospitality": 4_000_00, "other": 1_000_00}
WHAT = {"travel": ("高铁往返上海", "Taxi to the customer's plant", "出差住宿两晚", "Flight to Chengdu"),
        "events": ("展会展位费分摊", "Trade fair stand share", "技术研讨会场地"),
        "samples": ("样品快递费", "Sample parts for a trial run"),
        "hospitality": ("客户午餐", "Dinner with the purchasing team", "客户来访接待"),
        "other": ("打印宣传册", "Parking at the customer's site")}
RECEIPTS = 6


def load(rng, now, upload_dir, max_bytes):
    reps = list(User.select().where((User.role == "rep") & (User.active == True)))  # noqa: E712
    if not reps:
        return
    ops = User.select().where(User.role == "ops").first()
    _regions(now, ops)
    today = now.date()
    _budgets(now, today, ops, reps)
    _expenses(rng, now, today, upload_dir, max_bytes, reps)


def _regions(now, ops):
    held = (Customer.select(Customer.region, Customer.owner, fn.COUNT(Customer.id))
            .join(User, on=(Customer.owner == User.id))
            .where((Customer.region != "") & (User.role == "rep")).group_by(Customer.region, Customer.owner).tuples())
    best = {}
    for region, owner, count in held:
        if count > best.get(region, (None, 0))[1]:
            best[region] = (owner, count)
    rows = [{"name": region, "name_key": customers.region_key(region), "rep": owner if n else None,
             "updated_at": now, "updated_by": ops.id if ops else None}
            for n, (region, (owner, _count)) in enumerate(sorted(best.items()))]  # the first left to the pool
    if rows:
        Region.insert_many(rows).execute()


def _quarters(today, count):
    year, quarter = quarter_of(today)
    found = []
    for _ in range(count):
        found.append((year, quarter))
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return found


def _budgets(now, today, ops, reps):
    size = {}
    for rep in reps:
        if rep.team_id:
            size[rep.team_id] = size.get(rep.team_id, 0) + 1
    rows = [{"team": team, "year": year, "quarter": quarter, "category": category, "amount": amount * n,
             "updated_at": now, "updated_by": ops.id if ops else None}
            for team, n in size.items() for year, quarter in _quarters(today, 4) for category, amount in PLAN.items()]
    for start in range(0, len(rows), 500):
        Budget.insert_many(rows[start:start + 500]).execute()


def _receipts(rng, upload_dir, max_bytes):
    """A few receipt photos and one PDF, stored once each like any upload."""
    files = []
    for n in range(RECEIPTS):
        data = demo_files.png(120, 200, (120, 120, 110), [rng.uniform(0.1, 0.9) for _ in range(8)])
        files.append(storage.save(io.BytesIO(data), f"receipt-{n + 1}.png", upload_dir, max_bytes,
                                  allowed=("png",)))
    data = demo_files.pdf("Invoice", ["Fapiao / invoice", "", "Amount as claimed."])
    files.append(storage.save(io.BytesIO(data), "invoice.pdf", upload_dir, max_bytes, allowed=("pdf",)))
    return files


def _expenses(rng, now, today, upload_dir, max_bytes, reps):
    receipts = _receipts(rng, upload_dir, max_bytes)
    since = now - datetime.timedelta(days=180)
    visits = {}
    for visit_id, rep_id, customer_id, at in (Visit.select(Visit.id, Visit.rep, Visit.customer, Visit.occurred_at)
                                              .where((Visit.status == "done") & (Visit.occurred_at >= since))
                                              .order_by(Visit.id.desc()).limit(20 * len(reps)).tuples()):
        visits.setdefault(rep_id, []).append((visit_id, customer_id, at))
    rows = []
    for rep in reps:
        manager = rep.reports_to_id
        for _ in range(rng.randint(8, 16)):
            category = rng.choice(("travel", "travel", "travel", "hospitality", "hospitality", "events", "samples",
                                   "other"))
            own = visits.get(rep.id) or []
            visit = rng.choice(own) if own and category in ("travel", "hospitality") and rng.random() < 0.6 else None
            spent_on = visit[2].date() if visit else today - datetime.timedelta(days=rng.randint(0, 175))
            age = (today - spent_on).days
            status = ("paid" if age > 30 else rng.choice(("approved", "paid"))) if age > 10 else rng.choice(
                ("submitted", "submitted", "approved"))
            if rng.random() < 0.05:
                status = "rejected"
            amount = {"travel": rng.randint(80, 2400), "hospitality": rng.randint(150, 1800),
                      "events": rng.randint(1000, 9000), "samples": rng.randint(50, 600),
                      "other": rng.randint(20, 300)}[category] * 100
            stored, name = rng.choice(receipts)
            filed = min(datetime.datetime.combine(spent_on, datetime.time(10)) + datetime.timedelta(days=rng.randint(0, 5)),
                        now - datetime.timedelta(hours=2))  # nothing filed or decided in the future
            decided = min(filed + datetime.timedelta(days=rng.randint(0, 3)), now - datetime.timedelta(hours=1)) \
                if status != "submitted" else None
            rows.append({"claimant": rep.id, "team": rep.team_id, "spent_on": spent_on, "category": category,
                         "amount": amount, "description": rng.choice(WHAT[category]),
                         "visit": visit[0] if visit else None, "customer": visit[1] if visit else None,
                         "receipt": stored.id, "receipt_name": name, "status": status,
                         "decided_by": manager if decided else None, "decided_at": decided,
                         "decision_note": "缺少发票抬头" if status == "rejected" else "",
                         "paid_at": min(decided + datetime.timedelta(days=2), now) if status == "paid" else None,
                         "created_at": filed, "updated_at": decided or filed, "version": 1 + (decided is not None)})
    for start in range(0, len(rows), 500):
        Expense.insert_many(rows[start:start + 500]).execute()
