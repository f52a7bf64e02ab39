"""The rollups the figures read are kept by the writes: after any sequence of writes through the rules, what is
kept (and when each deal goes stale) equals what a rebuild from the rows makes (on SQLite and, with DATABASE_URL, PostgreSQL)."""
import datetime

import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from salesweb.admin import rules as people
from salesweb.allocation import rules as allocation
from salesweb.core import access, settings
from salesweb.core.db import utcnow
from salesweb.core.errors import Invalid, Stale
from salesweb.customers import importer, pool, rules as customers, tiers
from salesweb.infra import rollups, stale
from salesweb.models import (SOURCES, STATUSES, TIERS, Contract, Customer, Deal, LossReason, Payment, PoolMove, Product,
                             Quote, Stage, StageChange, Team, User, Visit)
from salesweb.models.rollups import OWN, CustomerCount, StageStay, VisitDay, VisitMonth
from salesweb.pipeline import rules as pipeline, stages
from salesweb.quotes import contracts, queries as quote_queries, rules as quotes
from salesweb.visits import rules as visits

REGIONS = ("", "East", "West")
QUOTE_ACTIONS = ("submit", "send", "approve", "return", "accept", "reject", "edit", "discount")
statuses, tier_codes, regions = st.sampled_from(STATUSES), st.sampled_from(TIERS), st.sampled_from(REGIONS)
# a customer's owner: one of the four reps, or (4) nobody, the pool
owner_choice = st.integers(0, 4)

steps = st.lists(st.one_of(
    st.tuples(st.just("log"), st.integers(0, 3), st.integers(0, 5), st.integers(0, 47), st.booleans()),
    st.tuples(st.just("move"), st.integers(0, 50), st.integers(0, 9), st.integers(1, 3000)),
    st.tuples(st.just("new deal"), st.integers(0, 3), st.integers(0, 5)),
    st.tuples(st.just("owner"), st.integers(0, 50), st.integers(0, 3)),
    st.tuples(st.just("reassign"), st.integers(0, 5), st.integers(0, 3)),
    st.tuples(st.just("undo"),),
    st.tuples(st.just("merge"), st.integers(0, 50), st.integers(0, 9)),
    st.tuples(st.just("plan"), st.integers(0, 50), st.integers(1, 4), st.integers(-40, 40)),
    st.tuples(st.just("pay"), st.integers(0, 50), st.integers(1, 600), st.integers(0, 60)),
    st.tuples(st.just("unpay"), st.integers(0, 50)),
    st.tuples(st.just("new customer"), owner_choice, tier_codes, statuses, regions),
    st.tuples(st.just("edit"), st.integers(0, 50), owner_choice, statuses, regions),
    st.tuples(st.just("lock"), st.integers(0, 50), tier_codes),
    st.tuples(st.just("unlock"), st.integers(0, 50)),
    st.tuples(st.just("claim"), st.integers(0, 50), st.integers(0, 3)),
    st.tuples(st.just("release"), st.integers(0, 50)),
    st.tuples(st.just("recycle"), st.integers(0, 50)),
    st.tuples(st.just("revert"),),
    st.tuples(st.just("import"), st.integers(0, 50), owner_choice, tier_codes, statuses, regions),
    st.tuples(st.just("tier rule"), st.integers(1, 300)),
    # a new cadence for a tier: every due day of its customers moves
    st.tuples(st.just("cadence"), tier_codes, st.integers(1, 400)),
    st.tuples(st.just("won over"), st.integers(0, 50), statuses),
    st.tuples(st.just("amount"), st.integers(0, 50), st.integers(0, 9_000_00), st.one_of(st.none(), st.integers(0, 100))),
    st.tuples(st.just("win"), st.integers(0, 50), st.integers(0, 9_000_00)),
    st.tuples(st.just("stage probability"), st.integers(0, 9), st.integers(0, 100)),
    st.tuples(st.just("close day"), st.integers(0, 50), st.one_of(st.none(), st.integers(-90, 200))),
    st.tuples(st.just("lose"), st.integers(0, 50), st.integers(1, 3000)),
    st.tuples(st.just("reopen"), st.integers(0, 50), st.integers(0, 9)),
    st.tuples(st.just("source"), st.integers(0, 50), st.sampled_from(SOURCES)),
    st.tuples(st.just("lose why"), st.integers(0, 50), st.integers(0, 9)),
    # someone (one of the reps, or their manager) reports to another: the manager, the director above them, a
    # second manager under the director, or nobody
    st.tuples(st.just("reports to"), st.integers(0, 3), st.integers(0, 3)),
    # a quote on a deal, by one of the reps, valid for some days, its discount within a rep's authority or not; a
    # step in a quote's life; days passing (the quotes' today: a live quote past its validity has expired)
    st.tuples(st.just("quote"), st.integers(0, 50), st.integers(0, 3), st.integers(0, 40), st.booleans()),
    st.tuples(st.just("quote step"), st.integers(0, 50), st.sampled_from(QUOTE_ACTIONS), st.integers(0, 40)),
    st.tuples(st.just("days pass"), st.integers(1, 30)),
), min_size=3, max_size=30)


@pytest.fixture
def world(app, make):
    """Four reps under a manager (three reps and the manager) under a director beside a second manager, ops, six
    customers with a place (so a check-in can be verified), a deal each."""
    with app.app_context():
        values = settings.current()
        director = make.user("manager")
        manager = make.user("manager", team="North", reports_to=director)
        second = make.user("manager", team="South", reports_to=director)
        reps = [make.user("rep", team="North", reports_to=manager) for _ in range(3)] + [manager]
        ops = make.user("ops")
        customers = [make.customer(reps[i % 4]) for i in range(6)]
        for i, customer in enumerate(customers):
            Customer.update(lat=31.23 + i / 100, lon=121.47).where(Customer.id == customer.id).execute()
            customer.lat, customer.lon = 31.23 + i / 100, 121.47
            make.deal(reps[i % 4], customer)
        product = Product.create(sku="PX-100", name="Pump PX-100", unit="pcs", unit_price=1000_00)
        yield {"values": values, "reps": reps, "ops": ops, "customers": customers, "batches": [], "product": product,
               "today": [utcnow().date()],
               "bosses": [manager, director, second, None],
               # the clock only goes forward from the deals' making, as time does
               "clock": [utcnow().replace(microsecond=0) + datetime.timedelta(minutes=1)]}


def _tick(world, minutes):
    world["clock"][0] += datetime.timedelta(minutes=minutes)
    return world["clock"][0]


def _deal(index):
    deals = list(Deal.select().order_by(Deal.id))
    return deals[index % len(deals)]


def _stage(index, kinds=("open", "won", "lost")):
    found = list(Stage.select().where(Stage.kind.in_(kinds)).order_by(Stage.position))
    return found[index % len(found)]


def _contract(index):
    found = list(Contract.select().order_by(Contract.id))
    return found[index % len(found)] if found else None


def _customer(index):
    found = list(Customer.select().order_by(Customer.id))
    return found[index % len(found)]


def _owner(world, index):
    return world["reps"][index] if index < 4 else None


def _import(world, index, owner, tier, status, region):
    """Two rows through the importer: one updating an existing customer (its tier too), one new."""
    existing, ops = _customer(index), world["ops"]
    email = owner.email if owner else ""
    content = "name,owner_email,tier,status,region\n" + "".join(
        f"{name},{email},{tier},{status},{region}\n" for name in (existing.name, f"Imported {_tick(world, 1)}"))
    table = importer.read(content.encode())
    plan = importer.plan(table, importer.guess_mapping(table.header), ops, "update")
    importer.commit(plan, ops, world["values"])


def run(world, step):
    """One write through the rules; a refusal (Invalid, Stale) changes nothing, which is checked too."""
    kind, *args = step
    reps, ops, values = world["reps"], world["ops"], world["values"]
    if kind == "reports to":
        person, boss = User.get_by_id(reps[args[0]].id), world["bosses"][args[1]]
        people.update_user(person, person.email, person.name, person.role, person.team, boss, person.locale, ops)
        return
    if kind == "log":
        rep, customer, hours_back, checked = reps[args[0]], world["customers"][args[1]], args[2], args[3]
        now = _tick(world, 7)
        at = now - datetime.timedelta(hours=hours_back)  # across the install's midnight (16:00 UTC) often
        fix = {"lat": float(world["customers"][args[1]].lat), "lon": 121.47, "accuracy": 20.0, "fix_at": at} \
            if checked else {}
        visits.log({"occurred_at": at, "duration_minutes": 30, "kind": "on_site", "outcome": "", "contacts": [],
                    **fix}, customer, rep, rep, values, now=now)
    elif kind == "move":
        deal, stage = _deal(args[0]), _stage(args[1])
        extra = {"lost_reason": LossReason.select().first()} if stage.kind == "lost" else {}
        pipeline.move(deal, stage, deal.version, ops, now=_tick(world, args[2]), **extra)
    elif kind == "new deal":
        customer = world["customers"][args[1]]
        pipeline.create({"title": "More", "amount": 5_000_00}, customer, reps[args[0]], _stage(0, ("open",)), ops,
                        now=_tick(world, 3))
    elif kind == "owner":
        deal = _deal(args[0])
        pipeline.edit(deal, {"title": deal.title, "amount": deal.amount}, deal.customer, reps[args[1]], deal.version,
                      ops, now=_tick(world, 2))
    elif kind == "reassign":
        batch = allocation.reassign(ops, [world["customers"][args[0]].id], reps[args[1]], move_deals=True,
                                    now=_tick(world, 1))
        world["batches"].append(batch)
    elif kind == "undo":
        if world["batches"]:
            allocation.undo(ops, world["batches"].pop(), values, now=_tick(world, 1))
    elif kind == "plan":  # a contract for the deal (won first if need be) and a plan of 1-4 instalments
        deal, parts, offset = _deal(args[0]), args[1], args[2]
        contract = Contract.get_or_none(Contract.deal == deal.id)
        if contract is None:
            if deal.won_on is None:
                pipeline.move(deal, _stage(0, ("won",)), deal.version, ops, now=_tick(world, 1))
            contract = contracts.save(Deal.get_by_id(deal.id), f"C-{deal.id}", utcnow().date(), "1200", ops,
                                      utcnow().date())
        today = utcnow().date()
        contracts.save_plan(contract, [{"due_on": today + datetime.timedelta(days=offset + 20 * i),
                                        "amount": str(1200 // parts + (1200 % parts if i == 0 else 0))}
                                       for i in range(parts)], ops, today)
    elif kind == "pay":
        contract = _contract(args[0])
        if contract is not None:
            today = utcnow().date()
            contracts.record_payment(contract, today - datetime.timedelta(days=args[2]), str(args[1]), "", ops, today)
    elif kind == "unpay":
        payments = list(Payment.select().order_by(Payment.id))
        if payments:
            contracts.delete_payment(payments[args[0] % len(payments)], ops)
    elif kind == "amount":  # a deal's amount, and its probability overridden or back to its stage's
        deal = _deal(args[0])
        pipeline.edit(deal, {"title": deal.title, "amount": args[1], "probability": args[2]}, deal.customer,
                      deal.owner, deal.version, ops, now=_tick(world, 2))
    elif kind == "win":  # won for another amount than the deal had
        deal = _deal(args[0])
        pipeline.move(deal, _stage(0, ("won",)), deal.version, ops, amount=args[1], now=_tick(world, 3))
    elif kind == "close day":  # the day a deal is expected to close (or none), open or closed
        deal = _deal(args[0])
        close = None if args[1] is None else utcnow().date() + datetime.timedelta(days=args[1])
        pipeline.edit(deal, {"title": deal.title, "amount": deal.amount, "expected_close": close}, deal.customer,
                      deal.owner, deal.version, ops, now=_tick(world, 2))
    elif kind == "lose":  # lost on the day of the clock (the rules' `lose`, at the clock's time)
        deal, now = _deal(args[0]), _tick(world, args[1])
        pipeline.move(deal, _stage(0, ("lost",)), deal.version, ops, lost_reason=LossReason.select().first(),
                      today=now.date(), now=now)
    elif kind == "lose why":  # lost for one reason or another (or a reason since retired: the row keeps it)
        deal, reasons = _deal(args[0]), list(LossReason.select().order_by(LossReason.id))
        pipeline.move(deal, _stage(0, ("lost",)), deal.version, ops, lost_reason=reasons[args[1] % len(reasons)],
                      now=_tick(world, 2))
    elif kind == "reopen":  # a deal back on an open stage: won or lost ones most often
        closed = list(Deal.select().join(Stage).where(Stage.kind != "open").order_by(Deal.id))
        deal, now = (closed[args[0] % len(closed)] if closed else _deal(args[0])), _tick(world, 1)
        pipeline.move(deal, _stage(args[1], ("open",)), deal.version, ops, today=now.date(), now=now)
    elif kind == "stage probability":  # the deals that follow their stage's probability take the new one
        stage = _stage(args[0])
        stages.edit(stage, {"name_en": stage.name_en, "name_zh": stage.name_zh, "probability": args[1],
                            "kind": stage.kind, "rotting_days": stage.rotting_days}, ops)
    elif kind in ("quote", "quote step", "days pass"):
        run_quote_step(world, kind, args)
    elif kind == "merge":  # a new stage, a deal moved into it, then the stage merged into another open one
        extra = stages.create({"name_en": f"Extra {world['clock'][0]:%H%M%S}", "name_zh": f"额外 {world['clock'][0]:%H%M%S}", "probability": 40,
                               "kind": "open", "rotting_days": None}, ops)
        deal = _deal(args[0])
        pipeline.move(deal, extra, deal.version, ops, now=_tick(world, 5))
        stages.merge(extra, _stage(args[1], ("open",)), ops, now=_tick(world, 5))
    else:
        run_customer_step(world, kind, args)


def run_quote_step(world, kind, args):
    """A quote made, moved on in its life, or days passing."""
    values, today = world["values"], world["today"][0]
    if kind == "days pass":
        world["today"][0] += datetime.timedelta(days=args[0])
        return
    lines = [{"product": str(world["product"].id), "quantity": "1"}]
    if kind == "quote":
        deal, preparer, days, beyond = _deal(args[0]), world["reps"][args[1]], args[2], args[3]
        quotes.create(deal, lines, "15" if beyond else "", today + datetime.timedelta(days=days), "", preparer, values,
                      today, now=_tick(world, 1))
        return
    found = list(Quote.select().order_by(Quote.id))
    if not found:
        return
    quote, action, days = found[args[0] % len(found)], args[1], args[2]
    preparer, now = User.get_by_id(quote.prepared_by_id), _tick(world, 1)
    if action == "submit":
        quotes.submit(quote, quote.version, preparer, today, now=now)
    elif action == "send":
        quotes.send(quote, quote.version, preparer, values, today, now=now)
    elif action in ("approve", "return"):
        quotes.decide(quote, quote.version, world["ops"], action == "approve", "Why", today, now=now)
    elif action in ("accept", "reject"):
        quotes.answer(quote, quote.version, preparer, action == "accept", today, now=now)
    elif action == "discount":  # a discount given or taken back: whose approval it needs changes
        quotes.edit(quote, quote.version, lines, "" if quote.discount_bp else "15", quote.valid_until, "", preparer,
                    values, today, now=now)
    else:
        quotes.edit(quote, quote.version, lines, "15" if quote.discount_bp else "", today + datetime.timedelta(days=days),
                    "", preparer, values, today, now=now)


def run_customer_step(world, kind, args):
    """A write that makes a customer or moves it between owners, tiers, statuses or regions."""
    reps, ops, values = world["reps"], world["ops"], world["values"]
    if kind == "new customer":
        owner, tier, status, region = _owner(world, args[0]), args[1], args[2], args[3]
        customers.create({"name": f"New {_tick(world, 1)}", "source": "other", "status": status, "region": region},
                         owner, ops, values, tier=tier, tier_reason="import", now=world["clock"][0])
    elif kind == "edit":
        customer = _customer(args[0])
        edited = {name: getattr(customer, name) for name in customers.FIELDS} | {"status": args[2], "region": args[3]}
        customers.update(customer, edited, _owner(world, args[1]), ops)
    elif kind == "source":  # a customer's source changes, its deals won or lost or not
        customer = _customer(args[0])
        customers.update(customer, {name: getattr(customer, name) for name in customers.FIELDS} | {"source": args[1]},
                         customer.owner, ops)
    elif kind == "lock":
        tiers.lock(_customer(args[0]), args[1], "By hand", ops, values)
    elif kind == "unlock":
        tiers.unlock(_customer(args[0]), ops, values, _tick(world, 1).date())
    elif kind == "claim":
        found = pool.pool().order_by(Customer.id)
        if found.exists():
            pool.claim(list(found)[args[0] % found.count()], reps[args[1]], values, now=_tick(world, 1))
    elif kind == "release":
        customer = _customer(args[0])
        pool.release(customer, ops, now=_tick(world, 1))
    elif kind == "recycle":  # one customer left idle past the recycle period, then the recycle
        now = _tick(world, 1)
        Customer.update(last_activity_at=now - datetime.timedelta(days=values["pool_recycle_days"] + 1)).where(
            Customer.id == _customer(args[0]).id).execute()
        pool.recycle(values, now=now)
    elif kind == "revert":
        move = PoolMove.select().where((PoolMove.kind == "recycle") & PoolMove.reverted_at.is_null()).order_by(
            PoolMove.id.desc()).first()
        if move is not None:
            pool.revert(move, ops, now=_tick(world, 1))
    elif kind == "import":
        _import(world, args[0], _owner(world, args[1]), *args[2:])
    elif kind == "won over":  # a deal won for a customer of any status
        deal = _deal(args[0])
        customer = Customer.get_by_id(deal.customer_id)
        customers.update(customer, {name: getattr(customer, name) for name in customers.FIELDS} | {"status": args[1]},
                         customer.owner, ops)
        pipeline.move(deal, _stage(0, ("won",)), deal.version, ops, now=_tick(world, 1))
    elif kind == "cadence":
        tiers.update_settings({f"cadence_{args[0].lower()}_days": args[1]}, ops)
        world["values"] = settings.current()
    elif kind == "tier rule":  # thresholds the deals' won revenue straddles
        ids = [c.id for c in Customer.select(Customer.id)]
        tiers.recompute(ids, {**values, "tier_a_threshold": args[0] * 1_000_00, "tier_b_threshold": args[0] * 100_00},
                        _tick(world, 1).date())


@hypothesis_settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=steps)
def test_kept_rollups_equal_a_rebuild_after_every_write(app, world, sequence):
    with app.app_context():
        for step in sequence:
            try:
                run(world, step)
            except (Invalid, Stale):
                pass
            assert rollups.differences(world["values"]) == [], step
            assert stale.differences(world["values"]) == [], step  # when each deal goes stale, too


# Every write that moves a deal's rollups, once each, in an order where each finds what it changes: a deal made,
# moved, won for another amount, its amount and close day edited while won, lost, reopened, given to another owner,
# moved with its customer and back, its stage merged away, its stage's probability changed.
EVERY_DEAL_WRITE = [("new deal", 1, 2), ("move", 6, 1, 30), ("win", 6, 7_000_00), ("amount", 6, 8_000_00, None),
                    ("close day", 6, 40), ("lose", 0, 600), ("reopen", 0, 1), ("close day", 1, -40),
                    ("owner", 1, 2), ("reassign", 3, 0), ("undo",), ("merge", 2, 0), ("stage probability", 0, 35),
                    ("win", 3, 1_000_00), ("reopen", 0, 0), ("move", 4, 2, 60)]


def test_kept_rollups_equal_a_rebuild_after_each_kind_of_deal_write(app, world):
    with app.app_context():
        for step in EVERY_DEAL_WRITE:
            run(world, step)
            assert rollups.differences(world["values"]) == [], step
            assert stale.differences(world["values"]) == [], step  # when each deal goes stale, too


# Every write that moves the closed deals' sources and reasons, the customers made per owner and the regions in
# use: a won deal's and a lost deal's customer takes a new source, a deal lost for another reason, its customer
# changed, customers made (in the pool too) in a new region, edited to another owner and region, claimed,
# released, recycled and reverted, imported, reassigned with their deals and back.
EVERY_CUSTOMER_WRITE = [("win", 0, 3_000_00), ("lose why", 1, 1), ("source", 0, "referral"), ("source", 1, "website"),
                        ("lose why", 1, 2), ("new customer", 4, "B", "lead", "East"),
                        ("new customer", 1, "A", "prospect", "West"), ("edit", 6, 2, "customer", ""),
                        ("edit", 7, 4, "lead", "West"), ("claim", 0, 3), ("release", 2), ("recycle", 3), ("revert",),
                        ("import", 4, 1, "C", "customer", "North"), ("reassign", 0, 2), ("undo",),
                        ("owner", 0, 3), ("source", 0, "trade_show"), ("log", 0, 0, 3, False), ("cadence", "C", 150),
                        ("lock", 1, "A"), ("tier rule", 2)]


def test_kept_rollups_equal_a_rebuild_after_each_kind_of_customer_write(app, world):
    with app.app_context():
        for step in EVERY_CUSTOMER_WRITE:
            run(world, step)
            assert rollups.differences(world["values"]) == [], step
            assert stale.differences(world["values"]) == [], step  # when each deal goes stale, too


def test_a_rebuild_counts_what_the_rows_hold(app, make):
    """Hand-counted: two visits on one Shanghai day (one verified), one on the next; a deal that stayed two hours
    in its first stage and moved on."""
    with app.app_context():
        values = settings.current()
        rep = make.user("rep")
        customer = make.customer(rep)
        Customer.update(lat=31.23, lon=121.47).where(Customer.id == customer.id).execute()
        customer.lat, customer.lon = 31.23, 121.47
        day = datetime.datetime(2026, 11, 2, 2, 0)  # 10:00 in Shanghai
        visits.log({"occurred_at": day, "duration_minutes": 30, "kind": "phone", "outcome": "", "contacts": []},
                   customer, rep, rep, values, now=day)
        visits.log({"occurred_at": day + datetime.timedelta(hours=1), "duration_minutes": 30, "kind": "on_site",
                    "outcome": "", "contacts": [], "lat": 31.23, "lon": 121.47, "accuracy": 15.0,
                    "fix_at": day + datetime.timedelta(hours=1)}, customer, rep, rep, values,
                   now=day + datetime.timedelta(hours=1, minutes=10))
        late = datetime.datetime(2026, 11, 2, 16, 30)  # 00:30 on the 3rd in Shanghai
        visits.log({"occurred_at": late, "duration_minutes": 30, "kind": "phone", "outcome": "", "contacts": []},
                   customer, rep, rep, values, now=late)
        deal = pipeline.create({"title": "D", "amount": 100}, customer, rep, _stage(0, ("open",)), rep, now=day)
        pipeline.move(deal, _stage(1, ("open",)), deal.version, rep, now=day + datetime.timedelta(hours=2))
        kept = rollups.kept()
        rollups.rebuild(values)
        assert rollups.kept() == kept and rollups.differences(values) == []
        by_day = {(r.day, r.done, r.verified) for r in VisitDay.select().where((VisitDay.rep == rep.id) & (VisitDay.grp == OWN))}
        verified = Visit.select().where(Visit.verified == True).count()  # noqa: E712
        assert verified == 1, "the check-in at the customer's place verifies the second visit"
        assert by_day == {(datetime.date(2026, 11, 2), 2, 1), (datetime.date(2026, 11, 3), 1, 0)}
        assert [(r.month, r.done, r.verified) for r in VisitMonth.select().where((VisitMonth.rep == rep.id) & (VisitMonth.grp == OWN))] == \
            [("2026-11", 3, 1)]
        stays = list(StageStay.select().where((StageStay.owner == rep.id) & (StageStay.grp == OWN)))
        assert [(s.day, s.stage, s.next_stage, s.stays, s.seconds) for s in stays] == \
            [(datetime.date(2026, 11, 2), _stage(0, ("open",)).id, _stage(1, ("open",)).id, 1, 7200)]
        assert StageChange.select().count() == 2


def test_customers_are_counted_per_owner_tier_status_and_region(app, make):
    """Hand-counted: four customers made, then one edited, one claimed from the pool, one released to it, one's
    tier locked by hand, and two moved by a reassignment."""
    with app.app_context():
        values = settings.current()
        ops, rep, other = make.user("ops"), make.user("rep"), make.user("rep")
        east = [make.customer(rep, tier="A", region="East", status="lead") for _ in range(2)]
        theirs = make.customer(other, tier="B", status="customer")
        pooled = make.customer(None, by=ops, tier="C", region="West", status="prospect")

        def counts():
            return sorted((r.owner, r.tier, r.status, r.region, r.customers) for r in CustomerCount.select().where(CustomerCount.grp == OWN))

        assert counts() == sorted([(rep.id, "A", "lead", "East", 2), (other.id, "B", "customer", "", 1),
                                   (0, "C", "prospect", "West", 1)])
        customers.update(east[0], {name: getattr(east[0], name) for name in customers.FIELDS} | {"status": "customer"},
                         rep, rep)
        pool.claim(pooled, other, values)
        pool.release(east[1], rep)
        tiers.lock(theirs, "A", "Key account", ops, values)
        assert counts() == sorted([(rep.id, "A", "customer", "East", 1), (0, "A", "lead", "East", 1),
                                   (other.id, "A", "customer", "", 1), (other.id, "C", "prospect", "West", 1)])
        allocation.reassign(ops, [east[0].id, east[1].id], other)
        assert counts() == sorted([(other.id, "A", "customer", "East", 1), (other.id, "A", "lead", "East", 1),
                                   (other.id, "A", "customer", "", 1), (other.id, "C", "prospect", "West", 1)])
        assert rollups.differences(values) == []


def test_rebuild_rollups_command_reports_and_repairs(app, make):
    with app.app_context():
        values = settings.current()
        rep = make.user("rep")
        customer = make.customer(rep)
        at = datetime.datetime(2026, 11, 2, 2, 0)
        visits.log({"occurred_at": at, "duration_minutes": 30, "kind": "phone", "outcome": "", "contacts": []},
                   customer, rep, rep, values, now=at)
        VisitDay.update(done=5).execute()  # as if a row had been written past the rules
    runner = app.test_cli_runner()
    checked = runner.invoke(args=["rebuild-rollups", "--check"])
    assert checked.exit_code != 0 and "rollup_visit_day" in checked.output and "kept (5, 0)" in checked.output
    rebuilt = runner.invoke(args=["rebuild-rollups"])
    assert rebuilt.exit_code == 0 and "rollup_visit_day 1 rows" in rebuilt.output
    assert runner.invoke(args=["rebuild-rollups", "--check"]).exit_code == 0


def test_a_new_time_zone_moves_the_days_of_the_rollups(app, make):
    """17:00 UTC is the next day in Shanghai and the same day in London: saving the time zone rebuilds the days."""
    from salesweb.customers import tiers
    with app.app_context():
        values = settings.current()
        rep, ops = make.user("rep"), make.user("admin")
        customer = make.customer(rep)
        at = datetime.datetime(2026, 11, 2, 17, 0)
        visits.log({"occurred_at": at, "duration_minutes": 30, "kind": "phone", "outcome": "", "contacts": []},
                   customer, rep, rep, values, now=at)
        assert [r.day for r in VisitDay.select().where(VisitDay.grp == OWN)] == [datetime.date(2026, 11, 3)]
        tiers.update_settings({**values, "timezone": "Europe/London"}, by=ops)
        assert [r.day for r in VisitDay.select().where(VisitDay.grp == OWN)] == [datetime.date(2026, 11, 2)]
        assert rollups.differences(settings.current()) == []


def test_a_write_from_a_copy_read_before_another_write_keeps_the_counts(app, make):
    """Two people edit one customer, each from the page they opened: the second saves a copy read before the first
    saved. What is taken off the counts is the customer as stored, not as that copy had it."""
    from salesweb.customers import pool, rules as customer_rules
    with app.app_context():
        rep = make.user("rep")
        customer = make.customer(rep, region="North")
        first, second = (Customer.get_by_id(customer.id) for _ in range(2))
        values = {name: getattr(first, name) for name in customer_rules.FIELDS}
        customer_rules.update(first, {**values, "region": "South"}, rep, rep)
        customer_rules.update(second, {**values, "status": "prospect"}, rep, rep)  # the copy still says North
        assert rollups.differences() == []
        pool.release(second, rep)  # a copy that still says prospect; the row says so too, with region North again
        assert rollups.differences() == []


# Every change of who reports to whom, with writes between: a rep moves to the second manager, the manager (and
# their own deals) moves to report to nobody and back under the director, a rep moves straight under the director,
# a loop refused.
EVERY_ORG_WRITE = [("reports to", 0, 2), ("new deal", 0, 1), ("reports to", 3, 3), ("win", 0, 3_000_00),
                   ("reports to", 3, 1), ("reports to", 1, 1), ("log", 1, 2, 3, True), ("reports to", 3, 0),
                   ("reports to", 0, 0), ("owner", 0, 1)]


def test_kept_group_rollups_follow_each_change_of_who_reports_to_whom(app, world, make):
    with app.app_context():
        for step in EVERY_ORG_WRITE:
            try:
                run(world, step)
            except Invalid:
                pass
            assert rollups.differences(world["values"]) == [], step
            assert stale.differences(world["values"]) == [], step  # when each deal goes stale, too
        # a team's first manager: its members who reported to nobody report to them (the new manager's subtree
        # and everyone above it count them), as a manager named to lead a team of such members does
        loner = make.user("rep", team="West")
        make.deal(loner, make.customer(loner))
        make.user("manager", team="West", reports_to=world["bosses"][1])
        assert User.get_by_id(loner.id).reports_to_id is not None
        assert rollups.differences(world["values"]) == []
        other = make.user("rep", team="East")
        make.deal(other, make.customer(other))
        people.save_team(Team.get(Team.name == "East"), "East", world["bosses"][2], world["ops"])
        assert User.get_by_id(other.id).reports_to_id == world["bosses"][2].id
        assert rollups.differences(world["values"]) == []


# Every write that moves a quote's count: quotes made (one beyond a rep's authority), given a discount that needs a
# manager and submitted, the discount taken back while it waits, submitted again (approved at once), returned, approved,
# sent, accepted, rejected, edited to another validity, on a deal given to another owner and moved with its
# customer to another rep and back; days passing in between. After each, the quote list's count of every status
# and validity, for ops, the manager of the reps' team, the director above them and a rep, with an owner too, is
# the count of the quotes it lists.
EVERY_QUOTE_WRITE = [("quote", 0, 0, 10, True), ("quote", 1, 1, 0, False), ("quote", 2, 3, 30, False),
                     ("quote step", 0, "submit", 0), ("quote step", 0, "return", 0), ("quote step", 0, "edit", 20),
                     ("quote step", 0, "submit", 0), ("quote step", 0, "approve", 0), ("quote step", 0, "send", 0),
                     ("quote step", 1, "discount", 0), ("quote step", 1, "submit", 0), ("quote step", 1, "discount", 0),
                     ("quote step", 1, "submit", 0), ("quote step", 1, "send", 0), ("days pass", 1),
                     ("quote step", 2, "submit", 0), ("quote step", 2, "send", 0), ("quote step", 2, "accept", 0),
                     ("quote", 3, 2, 5, False), ("quote step", 3, "submit", 0), ("quote step", 3, "send", 0),
                     ("quote step", 3, "reject", 0), ("owner", 0, 2), ("reassign", 1, 3), ("days pass", 12),
                     ("quote", 1, 0, 3, False), ("undo",), ("days pass", 30), ("owner", 2, 0)]


def _listed_count(user, criteria, today):
    """How many quotes the list holds for `user`, counted from the rows it would show."""
    fetch, _count = quote_queries.listing(user, criteria, today)
    return len(fetch(0, 10_000))


def _waiting_count(manager, today):
    """The quotes waiting for a manager's decision, counted from the quotes: pending, needing a manager, valid today
    or later, on a deal of their subtree, neither prepared by them nor with a discount they set."""
    team = {row[0] for row in access.team_ids(manager.id).tuples()}
    return sum(1 for q in Quote.select().where(Quote.status == "pending")
               if q.needs == "manager" and q.valid_until >= today and Deal.get_by_id(q.deal_id).owner_id in team
               and manager.id not in (q.prepared_by_id, q.discount_set_by_id))


def test_kept_quote_counts_equal_a_rebuild_and_the_lists_after_each_quote_write(app, world):
    reps = world["reps"]
    manager, director = reps[3], User.get_by_id(reps[3].reports_to_id)
    with app.app_context():
        for step in EVERY_QUOTE_WRITE:
            run(world, step)
            assert rollups.differences(world["values"]) == [], step
            assert stale.differences(world["values"]) == [], step  # when each deal goes stale, too
            today = world["today"][0]
            for user in (world["ops"], manager, director, reps[0]):
                for status in (None,) + quote_queries.LIST_STATUSES:
                    for validity in (None, "valid", "expired"):
                        for owner in (None, reps[0].id, reps[2].id):
                            criteria = {"status": status, "validity": validity, "owner": owner}
                            assert quote_queries.listing(user, criteria, today)[1] == \
                                _listed_count(user, criteria, today), (step, user.role, criteria)
            for user in (manager, director):  # the quotes waiting for them, on their home
                assert quote_queries.pending_count(user, today) == _waiting_count(user, today), (step, user.id)
