"""The rollups the figures read are kept by the writes: after any sequence of writes through the rules, what is
kept equals what a rebuild from the rows makes (on SQLite and, with DATABASE_URL, PostgreSQL)."""
import datetime

import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from salesweb.allocation import rules as allocation
from salesweb.core import settings
from salesweb.core.db import utcnow
from salesweb.core.errors import Invalid, Stale
from salesweb.infra import rollups
from salesweb.models import Contract, Customer, Deal, Payment, LossReason, Stage, StageChange, Visit
from salesweb.models.rollups import StageStay, VisitDay, VisitMonth
from salesweb.pipeline import rules as pipeline, stages
from salesweb.quotes import contracts
from salesweb.visits import rules as visits


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
    st.tuples(st.just("amount"), st.integers(0, 50), st.integers(0, 9_000_00), st.one_of(st.none(), st.integers(0, 100))),
    st.tuples(st.just("win"), st.integers(0, 50), st.integers(0, 9_000_00)),
    st.tuples(st.just("stage probability"), st.integers(0, 9), st.integers(0, 100)),
), min_size=3, max_size=30)


@pytest.fixture
def world(app, make):
    """Four reps under a manager, ops, six customers with a place (so a check-in can be verified), a deal each."""
    with app.app_context():
        values = settings.current()
        manager = make.user("manager", team="North")
        reps = [make.user("rep", team="North", reports_to=manager) for _ in range(3)] + [manager]
        ops = make.user("ops")
        customers = [make.customer(reps[i % 4]) for i in range(6)]
        for i, customer in enumerate(customers):
            Customer.update(lat=31.23 + i / 100, lon=121.47).where(Customer.id == customer.id).execute()
            customer.lat, customer.lon = 31.23 + i / 100, 121.47
            make.deal(reps[i % 4], customer)
        yield {"values": values, "reps": reps, "ops": ops, "customers": customers, "batches": [],
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


def run(world, step):
    """One write through the rules; a refusal (Invalid, Stale) changes nothing, which is checked too."""
    kind, *args = step
    reps, ops, values = world["reps"], world["ops"], world["values"]
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
    elif kind == "stage probability":  # the deals that follow their stage's probability take the new one
        stage = _stage(args[0])
        stages.edit(stage, {"name_en": stage.name_en, "name_zh": stage.name_zh, "probability": args[1],
                            "kind": stage.kind, "rotting_days": stage.rotting_days}, ops)
    elif kind == "merge":  # a new stage, a deal moved into it, then the stage merged into another open one
        extra = stages.create({"name_en": f"Extra {world['clock'][0]:%H%M%S}", "name_zh": f"额外 {world['clock'][0]:%H%M%S}", "probability": 40,
                               "kind": "open", "rotting_days": None}, ops)
        deal = _deal(args[0])
        pipeline.move(deal, extra, deal.version, ops, now=_tick(world, 5))
        stages.merge(extra, _stage(args[1], ("open",)), ops, now=_tick(world, 5))


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
        by_day = {(r.day, r.done, r.verified) for r in VisitDay.select().where(VisitDay.rep == rep.id)}
        verified = Visit.select().where(Visit.verified == True).count()  # noqa: E712
        assert verified == 1, "the check-in at the customer's place verifies the second visit"
        assert by_day == {(datetime.date(2026, 11, 2), 2, 1), (datetime.date(2026, 11, 3), 1, 0)}
        assert [(r.month, r.done, r.verified) for r in VisitMonth.select().where(VisitMonth.rep == rep.id)] == \
            [("2026-11", 3, 1)]
        stays = list(StageStay.select().where(StageStay.owner == rep.id))
        assert [(s.day, s.stage, s.next_stage, s.stays, s.seconds) for s in stays] == \
            [(datetime.date(2026, 11, 2), _stage(0, ("open",)).id, _stage(1, ("open",)).id, 1, 7200)]
        assert StageChange.select().count() == 2


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
