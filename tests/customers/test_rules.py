"""Customer rules without HTTP: names, tiers, cadence, the pool."""
import datetime

import pytest

from salesweb.models import Customer, PoolMove, TierChange
from salesweb.customers import cadence, queries, rules as customers, pool, tiers
from salesweb.core import settings
from salesweb.core.errors import Invalid

T0 = datetime.datetime(2026, 6, 1, 9, 0)


@pytest.mark.parametrize("a, b", [
    ("华为技术有限公司", "华为技术"),
    ("上海明远贸易股份有限公司", "上海明远贸易"),
    ("ＡＢＣ　Trading Co., Ltd.", "abc trading"),
    ("Acme, Inc.", "ACME"),
    ("Acme LLC", "acme"),
    ("  Blue-Sky   Tech  ", "blue sky tech"),
    ("北京（中关村）科技有限责任公司", "北京中关村科技"),
])
def test_names_that_differ_only_in_form_match(a, b):
    assert queries.normalise_name(a) == queries.normalise_name(b)


def test_a_suffix_alone_is_not_stripped_to_nothing():
    assert queries.normalise_name("有限公司") == "有限公司"
    assert queries.normalise_name("Co") == "co"
    assert queries.normalise_name("Acme Group") != queries.normalise_name("Acme")


def test_duplicates_are_found_across_owners(app, make):
    make.customer(make.user("rep"), name="上海明远贸易有限公司")
    found = queries.duplicates("上海明远贸易")
    assert [c.name for c in found] == ["上海明远贸易有限公司"]
    assert queries.duplicates("上海明远") == []
    assert queries.duplicates("上海明远贸易", exclude=found[0]) == []


def spec_values():
    return {d.key: d.default for d in settings.DEFINITIONS}


@pytest.mark.parametrize("revenue, tier", [
    (1_000_000_00, "A"), (1_000_000_00 - 1, "B"), (100_000_00, "B"), (100_000_00 - 1, "C"), (0, "C"),
])
def test_tier_thresholds_are_inclusive(revenue, tier):
    assert tiers.tier_for(revenue, spec_values()) == tier


def test_trailing_window_is_twelve_months_ending_today():
    since, until = tiers.window(datetime.date(2026, 6, 1))
    assert since == datetime.date(2025, 6, 2) and until == datetime.date(2026, 6, 2)
    assert tiers.window(datetime.date(2028, 2, 29))[0] == datetime.date(2027, 3, 1)


def _revenue_from(rows):
    """A revenue source over real rows: (customer_id, won_on, amount)."""
    def source(ids, since, until):
        totals = {}
        for customer_id, won_on, amount in rows:
            if customer_id in ids and since <= won_on < until:
                totals[customer_id] = totals.get(customer_id, 0) + amount
        return totals
    return source


def test_recompute_moves_tiers_and_keeps_history(app, make):
    rep = make.user("rep")
    big, middle, small = (make.customer(rep, name=n) for n in ("Big", "Middle", "Small"))
    today = datetime.date(2026, 6, 1)
    rows = [(big.id, datetime.date(2026, 1, 5), 600_000_00), (big.id, datetime.date(2025, 7, 1), 400_000_00),
            (middle.id, datetime.date(2026, 5, 1), 150_000_00),
            (small.id, datetime.date(2025, 5, 31), 5_000_000_00)]  # outside the window
    changes = tiers.recompute([big.id, middle.id, small.id], spec_values(), today, source=_revenue_from(rows))
    assert {(c.name, old, new) for c, old, new in changes} == {("Big", "C", "A"), ("Middle", "C", "B")}
    assert Customer.get_by_id(small.id).tier == "C"
    history = TierChange.select().where(TierChange.customer == big.id).order_by(TierChange.id)
    assert [(h.old_tier, h.new_tier, h.reason, h.by_id) for h in history] == [(None, "C", "created", rep.id),
                                                                              ("C", "A", "rule", None)]
    assert Customer.get_by_id(big.id).next_visit_due == cadence.local_date(big.created_at, spec_values()) + \
        datetime.timedelta(days=30)


def test_a_locked_tier_is_not_recomputed(app, make):
    manager = make.user("manager")
    customer = make.customer(manager, name="Locked")
    tiers.lock(customer, "A", "Strategic account", manager, spec_values())
    assert tiers.recompute([customer.id], spec_values(), datetime.date(2026, 6, 1)) == []
    assert Customer.get_by_id(customer.id).tier == "A"
    unlocked = tiers.unlock(Customer.get_by_id(customer.id), manager, spec_values(), datetime.date(2026, 6, 1))
    assert unlocked.tier == "C" and not unlocked.tier_locked
    reasons = [h.reason for h in TierChange.select().where(TierChange.customer == customer.id).order_by(TierChange.id)]
    assert reasons == ["created", "lock", "unlock", "rule"]


def test_only_managers_and_ops_lock_and_a_reason_is_required(app, make):
    rep = make.user("rep")
    customer = make.customer(rep)
    with pytest.raises(Invalid):
        tiers.lock(customer, "A", "because", rep, spec_values())
    with pytest.raises(Invalid) as refused:
        tiers.lock(customer, "A", "  ", make.user("ops"), spec_values())
    assert "reason" in refused.value.errors
    assert not Customer.get_by_id(customer.id).tier_locked


def test_cadence_counts_from_last_visit_or_creation(app, make):
    values = spec_values()
    rep = make.user("rep")
    customer = make.customer(rep)
    created = cadence.local_date(customer.created_at, values)
    assert customer.next_visit_due == created + datetime.timedelta(days=180)
    cadence.record_visit(customer, datetime.datetime.combine(created, datetime.time(4)) + datetime.timedelta(days=5),
                         values)  # 04:00 UTC is noon in Shanghai
    stored = Customer.get_by_id(customer.id)
    assert stored.next_visit_due == created + datetime.timedelta(days=185)
    # an older visit logged late does not move the last visit back
    cadence.record_visit(stored, datetime.datetime.combine(created, datetime.time(3)), values)
    assert Customer.get_by_id(customer.id).next_visit_due == created + datetime.timedelta(days=185)


def test_overdue_is_strictly_after_the_due_day():
    due = datetime.date(2026, 6, 1)
    assert cadence.days_overdue(due, due) == 0
    assert cadence.days_overdue(due, due - datetime.timedelta(days=5)) == 0
    assert cadence.days_overdue(due, due + datetime.timedelta(days=3)) == 3


def test_changing_the_cadence_moves_every_due_date(app, make):
    admin = make.user("admin")
    rep = make.user("rep")
    a = make.customer(rep, tier="A")
    c = make.customer(rep)
    tiers.update_settings({"cadence_a_days": 14}, by=admin)
    values = spec_values()
    assert Customer.get_by_id(a.id).next_visit_due == cadence.local_date(a.created_at, values) + \
        datetime.timedelta(days=14)
    assert Customer.get_by_id(c.id).next_visit_due == cadence.local_date(c.created_at, values) + \
        datetime.timedelta(days=180)


@pytest.mark.parametrize("utc_hour, local_day", [(23, 2), (15, 1), (16, 2)])
def test_due_dates_follow_the_install_calendar_not_utc(app, make, utc_hour, local_day):
    values = spec_values()  # Asia/Shanghai, UTC+8
    customer = make.customer(make.user("rep"))
    cadence.record_visit(customer, datetime.datetime(2026, 6, 1, utc_hour, 30), values)
    expected = datetime.date(2026, 6, local_day) + datetime.timedelta(days=180)
    assert Customer.get_by_id(customer.id).next_visit_due == expected
    tiers.update_settings({"cadence_c_days": 90}, by=make.user("admin"))  # the bulk SQL path agrees
    assert Customer.get_by_id(customer.id).next_visit_due == expected - datetime.timedelta(days=90)


def test_claim_up_to_the_limit_and_first_claim_wins(app, make):
    values = {**spec_values(), "pool_claim_limit": 2}
    rep, other = make.user("rep"), make.user("rep")
    free = [make.customer(None, by=make.user("ops"), name=f"Free {i}") for i in range(3)]
    pool.claim(free[0], rep, values)
    pool.claim(free[1], rep, values)
    with pytest.raises(Invalid) as refused:
        pool.claim(free[2], rep, values)
    assert "release one first" in str(refused.value)
    with pytest.raises(Invalid):
        pool.claim(free[0], other, values)  # already taken
    assert Customer.get_by_id(free[0].id).owner_id == rep.id
    pool.release(Customer.get_by_id(free[0].id), rep)
    pool.claim(free[2], rep, values)
    assert pool.held_from_pool(rep) == 2


def test_the_pool_s_size_is_hand_counted_through_every_move(app, make):
    """The pool's size, summed from the pool's rollup rows (a row per tier, status and region it holds): nothing at
    first; customers of several tiers, statuses and regions put in it and taken out of it by a claim, a release, a
    recycle and its undo, and by an edit that gives one an owner; owned customers never count."""
    values = {**spec_values(), "pool_recycle_days": 60, "pool_claim_limit": 5}
    ops, rep = make.user("ops"), make.user("rep")
    assert pool.size() == 0
    make.customer(rep, name="Owned")
    free = [make.customer(None, by=ops, name="Free A", tier="A", status="lead", region="Wuhan"),
            make.customer(None, by=ops, name="Free B", tier="B", status="prospect", region=""),
            make.customer(None, by=ops, name="Free C", tier="C", status="customer", region="Wuhan")]
    assert pool.size() == 3
    pool.claim(free[0], rep, values)
    pool.claim(free[1], rep, values)
    assert pool.size() == 1
    pool.release(Customer.get_by_id(free[0].id), rep)
    assert pool.size() == 2
    idle = Customer.get_by_id(free[1].id)
    Customer.update(last_activity_at=T0 - datetime.timedelta(days=61)).where(Customer.id == idle.id).execute()
    assert pool.recycle(values, now=T0) == 1
    assert pool.size() == 3
    pool.revert(PoolMove.get((PoolMove.kind == "recycle") & (PoolMove.customer == idle.id)), ops, now=T0)
    assert pool.size() == 2
    given = Customer.get_by_id(free[2].id)
    customers.update(given, {"name": given.name, "source": given.source, "status": given.status}, rep, ops)
    assert pool.size() == 1
    assert [row.name for row in pool.listed(0, 25)] == ["Free A"]


def test_recycle_returns_idle_customers_and_ops_can_undo_it(app, make):
    values = {**spec_values(), "pool_recycle_days": 60}
    rep = make.user("rep")
    ops = make.user("ops")
    idle = make.customer(rep, name="Idle")
    busy = make.customer(rep, name="Busy")
    Customer.update(last_activity_at=T0 - datetime.timedelta(days=61)).where(Customer.id == idle.id).execute()
    Customer.update(last_activity_at=T0 - datetime.timedelta(days=59)).where(Customer.id == busy.id).execute()
    assert pool.recycle(values, now=T0) == 1
    assert Customer.get_by_id(idle.id).owner_id is None and Customer.get_by_id(busy.id).owner_id == rep.id
    move = PoolMove.get((PoolMove.kind == "recycle") & (PoolMove.customer == idle.id))
    assert move.from_owner_id == rep.id and move.by_id is None
    pool.revert(move, ops, now=T0)
    assert Customer.get_by_id(idle.id).owner_id == rep.id
    with pytest.raises(Invalid):
        pool.revert(PoolMove.get_by_id(move.id), ops)  # not twice
    assert pool.recycle(values, now=T0) == 0  # the undo counts as activity


def test_owner_choices_follow_the_hierarchy(app, make):
    boss = make.user("manager", team="East")
    rep = make.user("rep", team="East")
    outsider = make.user("rep", team="West")
    names = lambda u: {x.id for x in queries.assignable_owners(u)}  # noqa: E731
    assert names(rep) == {rep.id}
    assert names(boss) == {boss.id, rep.id}
    assert outsider.id in names(make.user("ops"))
    with pytest.raises(Invalid):
        customers.create({"name": "X", "source": "other", "status": "lead"}, outsider, boss, spec_values())
    with pytest.raises(Invalid):
        customers.create({"name": "X", "source": "other", "status": "lead"}, None, rep, spec_values())
    assert not Customer.select().exists()


def test_parallel_claims_cannot_exceed_the_limit(app, make):
    import threading

    from salesweb.core.db import db
    values = {**spec_values(), "pool_claim_limit": 1}
    rep = make.user("rep")
    ops = make.user("ops")
    free = [make.customer(None, by=ops, name=f"Free {i}") for i in range(6)]
    start = threading.Barrier(6)
    held = pool.held_from_pool

    def slow_count(user):
        count = held(user)
        threading.Event().wait(0.05)  # widen the gap between counting and claiming
        return count

    import salesweb.customers.pool as pool_module
    pool_module.held_from_pool = slow_count
    try:
        def grab(customer):
            start.wait()
            with db.connection_context():
                try:
                    pool.claim(customer, rep, values)
                except Invalid:
                    pass

        threads = [threading.Thread(target=grab, args=(c,)) for c in free]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        pool_module.held_from_pool = held
    assert Customer.select().where(Customer.owner == rep.id).count() == 1


@pytest.mark.parametrize("a, b", [("明远集团有限公司", "明远集团股份有限公司"), ("明远集团有限公司", "明远有限公司")])
def test_group_is_a_suffix_like_the_legal_forms(a, b):
    assert queries.normalise_name(a) == queries.normalise_name(b)


def test_recompute_tiers_command_waits_for_won_deals_then_follows_them(app, make):
    rep = make.user("rep")
    big, imported = make.customer(rep, name="Big"), make.customer(rep, name="Imported", tier="B")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["recompute-tiers"])  # no deal won yet
    assert "no won deals are recorded yet" in result.output
    assert Customer.get_by_id(imported.id).tier == "B"  # not demoted to C for want of data
    make.won_deal(rep, datetime.date.today(), customer=big, amount=2_000_000_00)
    result = runner.invoke(args=["recompute-tiers"])
    assert result.exit_code == 0 and "2 changed" in result.output
    assert Customer.get_by_id(big.id).tier == "A" and Customer.get_by_id(imported.id).tier == "C"


def test_raising_a_threshold_recomputes_tiers_when_revenue_is_known(app, make):
    rep = make.user("rep")
    customer = make.customer(rep, name="Edge")
    make.won_deal(rep, datetime.date.today(), customer=customer, amount=150_000_00)
    tiers.recompute([customer.id], spec_values(), datetime.date.today())
    assert Customer.get_by_id(customer.id).tier == "B"
    tiers.update_settings({"tier_b_threshold": 200_000_00}, by=make.user("admin"), today=datetime.date.today())
    assert Customer.get_by_id(customer.id).tier == "C"
