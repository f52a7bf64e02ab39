"""The pipeline's writes and checks: every change to a deal goes through here, in one transaction, checked against
its version. What the board and other features read of deals is in `queries`.

Positions within a column are fractions between the neighbours, so a move rewrites one row;
when two neighbours get too close the column is renumbered once.
"""
import datetime
from dataclasses import dataclass, field

from peewee import Value, fn

from ..core.db import db, is_sqlite, kept_row, kept_statement, param, utcnow
from ..core.i18n import _l
from ..models import Customer, Deal, LossReason, Stage, StageChange, User, Visit
from ..core import audit, notifications, settings
from ..customers import queries as customers, rules as customer_rules, tiers
from ..core.errors import Invalid, Stale
from ..infra import rollups, stale

GAP = 1024.0
MIN_GAP = 1e-6
MAX_AMOUNT = 10**13  # 100 billion in minor units: beyond that it is a typo
MOVERS = ("rep", "manager", "ops")


def _changed(deal):
    """The version conflict for a deal that changed since the user saw it; carries the deal as it is now."""
    return Stale(f"deal {deal.id} is at version {deal.version}", deal)


@dataclass
class Moved:
    deal: Deal
    stages: set = field(default_factory=set)  # stage ids whose columns changed



def may_move(user):
    """Reps move their own deals, managers their subtree's, ops anyone's; support and admin look."""
    return user.role in MOVERS


def _check_values(values, by):
    errors = {}
    title = (values.get("title") or "").strip()
    if not title:
        errors["title"] = _l("This field is required.")
    elif len(title) > 200:
        errors["title"] = _l("At most %(n)d characters.", n=200)
    amount = values.get("amount")
    if not isinstance(amount, int) or amount < 0 or amount > MAX_AMOUNT:
        errors["amount"] = _l("Enter an amount between 0 and 100,000,000,000.")
    probability = values.get("probability")
    if probability is not None and not (isinstance(probability, int) and 0 <= probability <= 100):
        errors["probability"] = _l("Enter a percentage from 0 to 100.")
    for key, limit in (("next_step", 200), ("notes", 5000)):
        if len(values.get(key) or "") > limit:
            errors[key] = _l("At most %(n)d characters.", n=limit)
    return errors


def _end_of(stage_id):
    last = kept_row("column end", lambda: Deal.select(fn.MAX(Deal.position).alias("last")).where(
        Deal.stage == param("stage_id")), stage_id=stage_id).last
    return (last or 0.0) + GAP


def create(values, customer, owner, stage, by, now=None):
    """A new deal at the bottom of an open stage's column."""
    if not may_move(by):
        raise Invalid({None: _l("Your role cannot add deals.")})
    errors = _check_values(values, by)
    if customer is None or not customers.scope(by).where(Customer.id == customer.id).exists():
        errors["customer"] = _l("Choose one of your customers.")
    if owner is None or not customers.assignable_owners(by).where(User.id == owner.id).exists():
        errors["owner"] = _l("You cannot give deals to this person.")
    if stage is None or stage.kind != "open":
        errors["stage"] = _l("A new deal starts in an open stage.")
    if errors:
        raise Invalid(errors)
    now = now or utcnow()
    probability = values.get("probability")
    step, due = (values.get("next_step") or "").strip(), stale.due_moment(values.get("next_step_due"), stale.zone_of())
    with db.atomic():
        deal = Deal.create(
            title=values["title"].strip(), customer=customer, owner=owner, amount=values["amount"], stage=stage,
            position=_end_of(stage.id), probability=stage.probability if probability is None else probability,
            probability_overridden=probability is not None and probability != stage.probability,
            expected_close=values.get("expected_close"), next_step=step, next_step_due=values.get("next_step_due"),
            step_due_at=due, stale_at=stale.stale_moment(stage, step, due, now), notes=(values.get("notes") or "").strip(),
            stage_entered_at=now, last_activity_at=now, created_by=by, created_at=now, updated_at=now,
            updated_by=by)
        StageChange.create(deal=deal, from_stage=None, to_stage=stage, by=by, at=now)
        rollups.deal_changed(None, rollups.counted(deal, stage.kind))
        audit.record("create", actor=by, obj=deal, summary=f"{deal.title} ({customer.name})")
        _tell_new_owner(deal, by)
    return deal


def _tell_new_owner(deal, by):
    if deal.owner_id != by.id:
        notifications.notify([deal.owner_id], "deal_assigned", f"/deals/{deal.id}", by=by.name, deal=deal.title)


def _locked(deal_id):
    """The deal as stored now with its stage, locked for this transaction (SQLite's BEGIN IMMEDIATE locks
    the whole database)."""
    if is_sqlite():
        deal = Deal.select(Deal, Stage).join(Stage).where(Deal.id == deal_id).first()
    else:
        # PostgreSQL: lock the deal alone; a join would re-check the old stage row after a concurrent move
        # and find nothing.
        deal = Deal.select().where(Deal.id == deal_id).for_update().first()
        if deal is not None:
            deal.stage = Stage.get_or_none(Stage.id == deal.stage_id)
    if deal is None:
        raise Deal.DoesNotExist(deal_id)
    return deal


def _with_stale(fields, deal, stage, values=None):
    """`fields` and, after them, when the deal goes stale on `stage` (its stage after the write): `infra.stale`.
    `values`: the settings, when the caller has them."""
    if "next_step_due" in fields:
        fields["step_due_at"] = stale.due_moment(fields["next_step_due"], stale.zone_of(values))
    fields["stale_at"] = stale.stale_moment(stage, fields.get("next_step", deal.next_step),
                                            fields.get("step_due_at", deal.step_due_at),
                                            fields.get("last_activity_at", deal.last_activity_at))
    return fields


def _save(deal, fields, expected_version, by, now, kinds=(None, None)):
    """Write fields (ids for foreign keys) if the deal is still at expected_version; bump it. Raises Stale
    otherwise. `kinds`: the kinds of the deal's stage before and after (what the rollups count of a deal
    depends on whether it is open, won or lost)."""
    fields = {**fields, "version": expected_version + 1, "updated_at": now, "updated_by": by.id if by else None}
    names = tuple(sorted(fields))
    # kept (one statement per set of fields): a card move writes it, and writing its SQL took 0.3 ms
    sql, params = kept_statement(("deal update", names), lambda: Deal.update(
        {getattr(Deal, name): param(name) for name in names}).where(
        (Deal.id == param("deal_id")) & (Deal.version == param("expected_version"))),
        deal_id=deal.id, expected_version=expected_version,
        **{name: getattr(Deal, name).db_value(value) for name, value in fields.items()})
    if not db.execute_sql(sql, params).rowcount:
        raise _changed(Deal.get_by_id(deal.id))
    before = rollups.counted(deal, kinds[0])
    for key, value in fields.items():
        setattr(deal, key, value)
    after = rollups.counted(deal, kinds[1], like=before)
    if after != before:
        rollups.deal_changed(before, after)


def edit(deal, values, customer, owner, version, by, now=None, today=None):
    """Change a deal's details (not its stage); refused when someone changed it since `version`."""
    if not may_move(by):
        raise Invalid({None: _l("Your role cannot change deals.")})
    errors = _check_values(values, by)
    if customer is None or (customer.id != deal.customer_id
                            and not customers.scope(by).where(Customer.id == customer.id).exists()):
        errors["customer"] = _l("Choose one of your customers.")
    if owner is None or (owner.id != deal.owner_id
                         and not customers.assignable_owners(by).where(User.id == owner.id).exists()):
        errors["owner"] = _l("You cannot give deals to this person.")
    if errors:
        raise Invalid(errors)
    now = now or utcnow()
    with db.atomic():
        current = _locked(deal.id)
        if current.version != version:
            raise _changed(current)
        probability = values.get("probability")
        stage = current.stage
        overridden = probability is not None and probability != stage.probability
        fields = dict(title=values["title"].strip(), amount=values["amount"], customer=customer.id,
                      owner=owner.id, expected_close=values.get("expected_close"),
                      next_step=(values.get("next_step") or "").strip(), next_step_due=values.get("next_step_due"),
                      notes=(values.get("notes") or "").strip(),
                      probability=probability if overridden else stage.probability,
                      probability_overridden=overridden)
        changed = [k for k, v in fields.items() if getattr(current, k if k not in ("customer", "owner") else k + "_id") != v]
        owned_by = current.owner_id
        _save(current, _with_stale(fields, current, stage), version, by, now, (stage.kind, stage.kind))
        if "owner" in changed:  # its stage history and money count for its new owner now
            rollups.deals_changed_owner({owned_by, owner.id})
        audit.record("edit", actor=by, obj=current, summary=f"{current.title}: {', '.join(changed) or '-'}")
        if "owner" in changed:
            _tell_new_owner(current, by)
        if current.won_on and ("amount" in changed or "customer" in changed):
            tiers.recompute(list({deal.customer_id, customer.id}), _values(), today or now.date())
    return current


def _values():
    return settings.current()


def _position(stage_id, deal_id, before_id, after_id):
    """A position for the deal between the card above (before) and the card below (after) in a column."""
    ids = [i for i in (before_id, after_id) if i]
    neighbours = {d.id: d.position for d in Deal.select(Deal.id, Deal.position)
                  .where(Deal.id.in_(ids) & (Deal.stage == stage_id) & (Deal.id != deal_id))} if ids else {}
    above, below = neighbours.get(before_id), neighbours.get(after_id)
    if above is not None and below is not None and below > above:
        return (above + below) / 2 if below - above > MIN_GAP else None
    if above is not None:
        following = (Deal.select(fn.MIN(Deal.position))
                     .where((Deal.stage == stage_id) & (Deal.position > above) & (Deal.id != deal_id)).scalar())
        if following is None:
            return above + GAP
        return (above + following) / 2 if following - above > MIN_GAP else None
    if below is not None:
        preceding = (Deal.select(fn.MAX(Deal.position))
                     .where((Deal.stage == stage_id) & (Deal.position < below) & (Deal.id != deal_id)).scalar())
        if preceding is None:
            return below - GAP
        return (preceding + below) / 2 if below - preceding > MIN_GAP else None
    return _end_of(stage_id)


def rebalance(stage_id):
    """Spread a column's positions out again (rare: only when two neighbours have no room between them)."""
    rows = list(Deal.select(Deal.id).where(Deal.stage == stage_id).order_by(Deal.position, Deal.id).tuples())
    for index, (deal_id,) in enumerate(rows, start=1):  # read first: updating while iterating would loop
        Deal.update(position=index * GAP).where(Deal.id == deal_id).execute()


def _next_step(next_step, next_step_due, today, errors):
    """The next step a move or an offer sets, as fields (none when neither is given); problems go to `errors`.
    A step comes with its day: without one the deal would stay stale (`queries.is_stale`) however it was set."""
    step = (next_step or "").strip()
    if not step and next_step_due is None:
        return {}
    if not step:
        errors["next_step"] = _l("Say what the next step is.")
    elif len(step) > 200:
        errors["next_step"] = _l("At most %(n)d characters.", n=200)
    if next_step_due is None:
        errors["next_step_due"] = _l("Say when the next step is due.")
    elif not today <= next_step_due <= today + datetime.timedelta(days=366):
        errors["next_step_due"] = _l("Choose a day from today to a year ahead.")
    return {"next_step": step, "next_step_due": next_step_due}


def move(deal, stage, version, by, before_id=None, after_id=None, lost_reason=None, lost_note="",
         won_on=None, amount=None, today=None, now=None, all_stages=None, next_step=None, next_step_due=None):
    """Put a deal in a stage, between two cards; checks permission, version and the stage's needs.

    `deal` as the caller read it: when it is at `version` the move works from it, and its UPDATE holds it
    to that version (every change to a deal's stage or details moves it on), so a change made since is a
    Stale, not a lost write, without reading the deal again. An older copy is read afresh first.
    `next_step` (and its due day), when given, is written by the same UPDATE."""
    if not may_move(by):
        raise Invalid({None: _l("Your role cannot move deals.")})
    if stage is None:
        raise Invalid({"stage": _l("Unknown stage.")})
    now = now or utcnow()
    today = today or now.date()
    step_errors = {}
    step = _next_step(next_step, next_step_due, today, step_errors)
    if step_errors:
        raise Invalid(step_errors)
    with db.atomic():
        current = deal if deal.version == version else _locked(deal.id)
        if current.version != version:
            raise _changed(current)
        old_stage = (next((s for s in all_stages or () if s.id == current.stage_id), None)
                     or Stage.get_or_none(Stage.id == current.stage_id))
        if old_stage is None:  # merged into another since the deal was read; the merge moved the deal on
            raise _changed(_locked(deal.id))
        fields, errors = {}, {}
        if stage.id != old_stage.id:
            if stage.kind == "lost":
                reason = LossReason.get_or_none((LossReason.id == getattr(lost_reason, "id", lost_reason))
                                                & (LossReason.active == True))  # noqa: E712
                if reason is None:
                    errors["lost_reason"] = _l("Say why the deal was lost.")
                if len(lost_note or "") > 500:
                    errors["lost_note"] = _l("At most %(n)d characters.", n=500)
                fields.update(lost_reason=reason.id if reason else None, lost_note=(lost_note or "").strip(),
                              lost_on=today, won_on=None)
            elif stage.kind == "won":
                if amount is not None and not (isinstance(amount, int) and 0 <= amount <= MAX_AMOUNT):
                    errors["amount"] = _l("Enter an amount between 0 and 100,000,000,000.")
                if won_on is not None and not (datetime.date(2000, 1, 1) <= won_on <= today):
                    errors["won_on"] = _l("A deal is won today or on an earlier day.")
                fields.update(won_on=won_on or today, lost_on=None, lost_reason=None, lost_note="")
                if amount is not None:
                    fields["amount"] = amount
            else:
                fields.update(won_on=None, lost_on=None, lost_reason=None, lost_note="")
            if errors:
                raise Invalid(errors)
            fields.update(stage=stage.id, stage_entered_at=now, last_activity_at=now)
            if stage.kind != "open":  # a closed deal is certain either way
                fields.update(probability=stage.probability, probability_overridden=False)
            elif not current.probability_overridden:
                fields["probability"] = stage.probability
        position = _position(stage.id, current.id, before_id, after_id)
        if position is None:
            rebalance(stage.id)
            position = _position(stage.id, current.id, before_id, after_id)
        fields["position"] = position
        fields.update(step)
        entered = current.stage_entered_at
        # the install's calendar, read once for the due day's end and the stay's day
        values = stale.settings_values() if step or stage.id != old_stage.id else None
        _save(current, _with_stale(fields, current, stage, values), version, by, now, (old_stage.kind, stage.kind))
        if stage.id != old_stage.id:
            rollups.stay_ended(current.owner_id, old_stage.id, stage.id, entered, now, values)
            db.execute_sql(*kept_statement("stage change", lambda: StageChange.insert(
                {getattr(StageChange, name): param(name) for name in ("deal", "from_stage", "to_stage", "by", "at")}),
                deal=current.id, from_stage=old_stage.id, to_stage=stage.id, by=by.id, at=StageChange.at.db_value(now)))
            audit.record("stage_move", actor=by, obj=current,
                         summary=f"{current.title}: {old_stage.name_en} → {stage.name_en}")
            if "won" in (stage.kind, old_stage.kind):  # won revenue changed: the customer's tier may too
                tiers.recompute([current.customer_id], _values(), today)
            if stage.kind == "won":  # a lead or prospect that buys is a customer (reopening does not undo it)
                customer_rules.won_over(current.customer_id, by, current.title, now)
        current.stage = stage
    return Moved(current, {old_stage.id, stage.id})


def set_next_step(deal, version, by, next_step, next_step_due, today, now=None, all_stages=None):
    """Give a deal its next step (offered after a move that came without one); refused when someone changed the
    deal since `version`. `all_stages`: the stages as the caller read them (the deal's is found there)."""
    if not may_move(by):
        raise Invalid({None: _l("Your role cannot change deals.")})
    errors = {}
    step = _next_step(next_step, next_step_due, today, errors)
    if not step and not errors:
        errors["next_step"] = _l("Say what the next step is.")
    if errors:
        raise Invalid(errors)
    now = now or utcnow()
    with db.atomic():
        current = deal if deal.version == version else _locked(deal.id)
        if current.version != version:
            raise _changed(current)
        stage = (next((s for s in all_stages or () if s.id == current.stage_id), None)
                 or Stage.get_by_id(current.stage_id))
        _save(current, _with_stale(step, current, stage), version, by, now)
        audit.record("edit", actor=by, obj=current, summary=f"{current.title}: next_step")
    return current


NEXT_VISIT = _l("Next visit")  # a linked visit's next step when it gives only the next visit's date


def follow_visit(deal_id, visit, by, now):
    """A visit linked to a deal gives the deal its next step when it names one (a next step, a next visit date, or
    both), unless a later visit to the deal has been logged: the deal's next step is its latest visit's. A date
    alone is the next visit."""
    if not (visit.next_step or visit.next_visit_on):
        return False
    later = (Visit.select(Visit.id).where((Visit.deal == deal_id) & (Visit.status == "done") & (Visit.id != visit.id)
                                          & (Visit.occurred_at > visit.occurred_at)).exists())
    if later:
        return False
    step = (visit.next_step or str(NEXT_VISIT))[:200]
    due = visit.next_visit_on or Deal.next_step_due
    # when the deal goes stale after it, in the same statement (its stage and last activity are the row's)
    due_at = (Deal.step_due_at.to_value(stale.due_moment(visit.next_visit_on, stale.zone_of()))
              if visit.next_visit_on else Deal.step_due_at)
    (Deal.update(next_step=step, next_step_due=due, step_due_at=due_at,
                 stale_at=stale.stale_sql(Deal.stage, Value(step), due_at, Deal.last_activity_at),
                 version=Deal.version + 1, updated_at=now, updated_by=by.id).where(Deal.id == deal_id).execute())
    return True


def first_open_stage():
    return Stage.select().where(Stage.kind == "open").order_by(Stage.position).first()


def win(deal, version, by, won_on=None, amount=None, today=None):
    return move(deal, Stage.get(Stage.kind == "won"), version, by, won_on=won_on, amount=amount, today=today)


def lose(deal, version, by, reason, note="", today=None):
    return move(deal, Stage.get(Stage.kind == "lost"), version, by, lost_reason=reason, lost_note=note, today=today)


def reopen(deal, version, by, stage=None, today=None):
    return move(deal, stage or first_open_stage(), version, by, today=today)
