"""The pipeline: every change to a deal goes through here, in one transaction, checked against its version.

Positions within a column are fractions between the neighbours, so a move rewrites one row;
when two neighbours get too close the column is renumbered once.
"""
import datetime
import operator
from functools import reduce
from dataclasses import dataclass, field

from peewee import JOIN, Select, fn

from ..core.access import team_tree, visible, visible_to
from ..core.db import db, is_sqlite, kept_statement, param, utcnow
from ..core.i18n import _l
from ..models import Customer, Deal, LossReason, Stage, StageChange, User, Visit
from ..models.people import initials
from ..core import audit, notifications, settings
from ..customers import queries as customers, rules as customer_rules, tiers
from ..core.errors import Invalid, Stale

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


def scope(user):
    return visible(Deal.select(), user, Deal.owner)


def may_move(user):
    """Reps move their own deals, managers their subtree's, ops anyone's; support and admin look."""
    return user.role in MOVERS


def stages():
    return list(Stage.select().order_by(Stage.position, Stage.id))


def is_stale(deal, stage, today, now):
    """Stale is honest: no real activity for the stage's rotting days, or no next step, or an overdue one."""
    if stage.kind != "open":
        return False
    if stage.rotting_days is not None and now - deal.last_activity_at > datetime.timedelta(days=stage.rotting_days):
        return True
    return deal.next_step_due is None or not deal.next_step or deal.next_step_due < today


def stale_condition(today, quiet_before):
    """is_stale in SQL for deals on open stages; `quiet_before`: {stage id: the time before which a deal's last
    activity means it has rotted there}."""
    condition = (Deal.next_step == "") | Deal.next_step_due.is_null() | (Deal.next_step_due < today)
    for stage_id, cutoff in quiet_before.items():
        condition = condition | ((Deal.stage == stage_id) & (Deal.last_activity_at < cutoff))
    return condition


def rot_cutoffs(now, all_stages=None):
    """{open stage id with rotting days: the time before which a deal there has rotted}."""
    return {s.id: now - datetime.timedelta(days=s.rotting_days) for s in all_stages or stages()
            if s.kind == "open" and s.rotting_days is not None}


def stale_of(owner, today, now, limit=10):
    """The owner's open deals gone stale (is_stale in SQL), longest quiet first, with their customer."""
    open_stages = Stage.select(Stage.id).where(Stage.kind == "open")
    return list(Deal.select(Deal.id, Deal.title, Deal.amount, Deal.last_activity_at,
                            Customer.id, Customer.name, Customer.tier)
                .join(Customer, on=(Deal.customer == Customer.id))
                .where((Deal.owner == owner.id) & Deal.stage.in_(open_stages)
                       & stale_condition(today, rot_cutoffs(now)))
                .order_by(Deal.last_activity_at, Deal.id).limit(limit))


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
    return (Deal.select(fn.MAX(Deal.position)).where(Deal.stage == stage_id).scalar() or 0.0) + GAP


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
    with db.atomic():
        deal = Deal.create(
            title=values["title"].strip(), customer=customer, owner=owner, amount=values["amount"], stage=stage,
            position=_end_of(stage.id), probability=stage.probability if probability is None else probability,
            probability_overridden=probability is not None and probability != stage.probability,
            expected_close=values.get("expected_close"), next_step=(values.get("next_step") or "").strip(),
            next_step_due=values.get("next_step_due"), notes=(values.get("notes") or "").strip(),
            stage_entered_at=now, last_activity_at=now, created_by=by, created_at=now, updated_at=now,
            updated_by=by)
        StageChange.create(deal=deal, from_stage=None, to_stage=stage, by=by, at=now)
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


def _save(deal, fields, expected_version, by, now):
    """Write fields (ids for foreign keys) if the deal is still at expected_version; bump it. Raises Stale
    otherwise."""
    fields = {**fields, "version": expected_version + 1, "updated_at": now, "updated_by": by.id if by else None}
    if not Deal.update(**fields).where((Deal.id == deal.id) & (Deal.version == expected_version)).execute():
        raise _changed(Deal.get_by_id(deal.id))
    for key, value in fields.items():
        setattr(deal, key, value)


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
        _save(current, fields, version, by, now)
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
    A step comes with its day: without one the deal would stay stale (`is_stale`) however it was set."""
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
        _save(current, fields, version, by, now)
        if stage.id != old_stage.id:
            StageChange.insert(deal=current.id, from_stage=old_stage.id, to_stage=stage.id, by=by.id, at=now).execute()
            audit.record("stage_move", actor=by, obj=current,
                         summary=f"{current.title}: {old_stage.name_en} → {stage.name_en}")
            if "won" in (stage.kind, old_stage.kind):  # won revenue changed: the customer's tier may too
                tiers.recompute([current.customer_id], _values(), today)
            if stage.kind == "won":  # a lead or prospect that buys is a customer (reopening does not undo it)
                customer_rules.won_over(current.customer_id, by, current.title, now)
        current.stage = stage
    return Moved(current, {old_stage.id, stage.id})


def set_next_step(deal, version, by, next_step, next_step_due, today, now=None):
    """Give a deal its next step (offered after a move that came without one); refused when someone changed the
    deal since `version`."""
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
        _save(current, step, version, by, now)
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
    step = visit.next_step or str(NEXT_VISIT)
    due = visit.next_visit_on or Deal.next_step_due
    (Deal.update(next_step=step[:200], next_step_due=due, version=Deal.version + 1, updated_at=now,
                 updated_by=by.id).where(Deal.id == deal_id).execute())
    return True


def open_deal_choices(customer_id):
    """[(id, title)] of the customer's open deals, by title (a visit or a help request links one)."""
    return list(Deal.select(Deal.id, Deal.title).join(Stage)
                .where((Deal.customer == customer_id) & (Stage.kind == "open")).order_by(Deal.title).tuples())


def first_open_stage():
    return Stage.select().where(Stage.kind == "open").order_by(Stage.position).first()


def win(deal, version, by, won_on=None, amount=None, today=None):
    return move(deal, Stage.get(Stage.kind == "won"), version, by, won_on=won_on, amount=amount, today=today)


def lose(deal, version, by, reason, note="", today=None):
    return move(deal, Stage.get(Stage.kind == "lost"), version, by, lost_reason=reason, lost_note=note, today=today)


def reopen(deal, version, by, stage=None, today=None):
    return move(deal, stage or first_open_stage(), version, by, today=today)


def last_change(deal):
    """Who last changed the deal, and when (for a conflict notice)."""
    who = User.get_or_none(User.id == deal.updated_by_id) if deal.updated_by_id else None
    return who, deal.updated_at


HISTORY_ENTRIES = 30  # the latest stage changes a deal page shows; a deal dragged to and fro has hundreds


def history(deal, limit=HISTORY_ENTRIES):
    """([(change, until), ...] oldest first, more): the latest `limit` stage changes with who made them and
    when the deal left that stage (None: it is still there); `more` when older ones exist."""
    by = User.alias()
    latest = list(StageChange.select(StageChange, by).join(by, JOIN.LEFT_OUTER, on=(StageChange.by == by.id))
                  .where(StageChange.deal == deal.id).order_by(StageChange.at.desc(), StageChange.id.desc())
                  .limit(limit + 1))
    more = len(latest) > limit
    latest = latest[:limit]
    untils = [None] + [change.at for change in latest[:-1]]
    return list(zip(latest, untils))[::-1], more


def of_customer(user, customer_id, limit):
    """The customer's deals the user may see with their stage, open ones first, then the latest changed."""
    query = visible(Deal.select(Deal, Stage).join(Stage), user, Deal.owner)
    return list(query.where(Deal.customer == customer_id).order_by(Stage.kind != "open", Deal.updated_at.desc())
                .limit(limit))


@dataclass
class Column:
    stage: Stage
    count: int
    amount: int
    weighted: int
    cards: list
    more: bool


def board(user, criteria, today, limit=50, only=None, all_stages=None, keep=None):
    """The board's columns: header totals over the whole column, and the first `limit` cards of each,
    in two queries however many deals there are. `only`: stage ids to build (after a move). `keep(name, key,
    compute)`, when given, may keep the totals (an aggregate over every deal in view) until the data changes."""
    all_stages = all_stages if all_stages is not None else stages()
    wanted = [s for s in all_stages if only is None or s.id in only]
    board_filter = _board_filter(user, criteria, today, all_stages)
    stage_ids = tuple(s.id for s in wanted)
    totals = (keep or (lambda _name, _key, compute: compute()))(
        "board-totals", (board_filter, stage_ids), lambda: _totals(board_filter, stage_ids))
    cards = {}
    # each column's first cards walk the (stage, position) index and stop: no ranking of every deal
    for deal in _annotated(_first_cards(board_filter, stage_ids, limit), all_stages, today):
        cards.setdefault(deal.stage_id, []).append(deal)
    return [Column(s, *totals.get(s.id, (0, 0, 0)), cards.get(s.id, []), totals.get(s.id, (0,))[0] > limit)
            for s in wanted]


def column_heads(user, criteria, today, wanted, all_stages=None):
    """Only the header totals of these stages' columns (what a move changes), in one query."""
    totals = _totals(_board_filter(user, criteria, today, all_stages), tuple(s.id for s in wanted))
    return [Column(s, *totals.get(s.id, (0, 0, 0)), [], False) for s in wanted]


def column_cards(user, criteria, today, stage_id, offset, limit=50, all_stages=None):
    """More of one column's cards (Show more), in order."""
    all_stages = all_stages if all_stages is not None else stages()
    ids = (_filtered(_board_filter(user, criteria, today, all_stages)).select(Deal.id)
           .where(Deal.stage == stage_id).order_by(Deal.position, Deal.id).offset(offset).limit(limit))
    return _annotated(_card_query(Deal.select().where(Deal.id.in_(ids))), all_stages, today)


def card(deal_id, all_stages, today):
    """One deal as the board shows it (with customer and owner)."""
    return _annotated(_card_query(Deal.select().where(Deal.id == deal_id)), all_stages, today)[0]


def deal_to_move(deal_id, user):
    """The deal if the user may see it, with the names its card shows (a move answers with the card: `card_of`)."""
    owner = User.alias()
    query = (Deal.select(Deal, Customer.id, Customer.name, Customer.tier, owner.id, owner.name)
             .join(Customer, on=(Deal.customer == Customer.id), attr="customer")
             .switch(Deal).join(owner, on=(Deal.owner == owner.id), attr="owner").where(Deal.id == deal_id))
    return visible(query, user, Deal.owner).first()


def card_of(deal, all_stages, today):
    """A deal read by `deal_to_move` (and moved since) as the board shows it, without reading it again."""
    return _annotated([(deal.id, deal.title, deal.version, deal.amount, deal.stage_id, deal.position,
                        deal.stage_entered_at, deal.last_activity_at, deal.next_step, deal.next_step_due,
                        deal.customer_id, deal.owner_id, deal.customer.name, deal.customer.tier, deal.owner.name)],
                      all_stages, today)[0]


@dataclass(frozen=True)
class BoardFilter:
    """The deals a board shows: whose scope, narrowed by its filters. Hashable: it keys the kept column totals.
    `quiet_before`: ((open stage id, the time before which a deal there has rotted), ...) when only stale deals
    are shown, as of `today`."""
    role: str
    user_id: int
    owner_id: int | None = None
    tier: str | None = None
    close_from: datetime.date | None = None
    close_to: datetime.date | None = None
    today: datetime.date | None = None
    quiet_before: tuple | None = None


def _board_filter(user, criteria, today, all_stages=None):
    """The board's filters as a `BoardFilter`. `stale`: only the deals `is_stale` finds stale, as of today and
    this minute (a minute keeps the totals' key for a minute)."""
    owner = criteria.get("owner")
    tier = criteria.get("tier") if criteria.get("tier") in ("A", "B", "C") else None
    stale = criteria.get("stale")
    rotting = rot_cutoffs(utcnow().replace(second=0, microsecond=0), all_stages) if stale else None
    return BoardFilter(role=user.role, user_id=user.id,
                       owner_id=user.id if owner == "mine" else owner if isinstance(owner, int) else None,
                       tier=tier, close_from=criteria.get("close_from"), close_to=criteria.get("close_to"),
                       today=today if stale else None,
                       quiet_before=tuple(rotting.items()) if rotting is not None else None)


def _filtered(board_filter, team=None):
    """The deals the board shows: the user's scope narrowed by its filters (`team`: a manager's team_tree the
    statement declares)."""
    f = board_filter
    query = visible_to(Deal.select(), f.role, f.user_id, Deal.owner, team)
    if f.quiet_before is not None:
        open_stages = Stage.select(Stage.id).where(Stage.kind == "open")
        query = query.where(Deal.stage.in_(open_stages) & stale_condition(f.today, dict(f.quiet_before)))
    if f.owner_id is not None:
        query = query.where(Deal.owner == f.owner_id)
    if f.tier is not None:
        query = query.join(Customer, on=(Deal.customer == Customer.id)).where(Customer.tier == f.tier)
    if f.close_from is not None:
        query = query.where(Deal.expected_close >= f.close_from)
    if f.close_to is not None:
        query = query.where(Deal.expected_close <= f.close_to)
    return query


def _totals(board_filter, stage_ids):
    """{stage id: (count, amount, probability-weighted amount)}."""
    weighted = fn.SUM(Deal.amount * Deal.probability) / 100  # 64-bit columns: no overflow
    rows = (_filtered(board_filter).select(Deal.stage, fn.COUNT(Deal.id), fn.SUM(Deal.amount), weighted)
            .where(Deal.stage.in_(list(stage_ids))).group_by(Deal.stage).tuples())
    return {sid: (count, int(amount or 0), int(w or 0)) for sid, count, amount, w in rows}


CARD_FIELDS = (Deal.id, Deal.title, Deal.version, Deal.amount, Deal.stage, Deal.position, Deal.stage_entered_at,
               Deal.last_activity_at, Deal.next_step, Deal.next_step_due, Deal.customer, Deal.owner)


class Card:
    """A deal as a board card shows it: its own columns, its customer's name and tier, its owner's name, days in
    its stage and whether it is stale. Plain values, not models: a board holds a hundred, and building a deal with
    its customer and owner took peewee 16 µs a card."""
    __slots__ = ("id", "title", "version", "amount", "stage_id", "position", "stage_entered_at", "last_activity_at",
                 "next_step", "next_step_due", "customer_id", "owner_id", "customer_name", "customer_tier",
                 "owner_name", "owner_initials", "days_in_stage", "stale")

    def __init__(self, row):
        (self.id, self.title, self.version, self.amount, self.stage_id, self.position, self.stage_entered_at,
         self.last_activity_at, self.next_step, self.next_step_due, self.customer_id, self.owner_id,
         self.customer_name, self.customer_tier, self.owner_name) = row
        self.owner_initials = initials(self.owner_name)


def _card_query(query):
    """Deals with what a card shows (as tuples for `Card`), their customer's and owner's alongside, in column
    order."""
    owner = User.alias()
    return (query.select(*CARD_FIELDS, Customer.name, Customer.tier, owner.name)
            .switch(Deal).join(Customer, on=(Deal.customer == Customer.id))
            .switch(Deal).join(owner, on=(Deal.owner == owner.id))
            .order_by(Deal.stage, Deal.position, Deal.id).tuples())


def _first_cards(board_filter, stage_ids, limit):
    """The first `limit` cards of each of these stages' columns, in one query, as `_card_query` gives them."""
    f = board_filter
    optional = ("owner_id", "tier", "close_from", "close_to", "today")
    stale = None if f.quiet_before is None else tuple(sid for sid, _cutoff in f.quiet_before)
    quiet = None if stale is None else tuple((sid, param(f"quiet_{sid}")) for sid in stale)
    placeholders = BoardFilter(f.role, param("user_id"),
                               *(param(name) if getattr(f, name) is not None else None for name in optional),
                               quiet_before=quiet)
    key = ("board-first-cards", f.role, stage_ids, stale, *(getattr(f, name) is not None for name in optional))
    values = {name: getattr(f, name) for name in ("user_id", *optional)}
    values.update({f"quiet_{sid}": cutoff for sid, cutoff in f.quiet_before or ()}, limit=limit)
    # writing this statement took peewee 1.5 ms a board, more than all else the board reads: its SQL is kept
    sql, params = kept_statement(key, lambda: _first_cards_query(placeholders, stage_ids, param("limit")), **values)
    return list(Deal.raw(sql, *params).tuples())


def _first_cards_query(board_filter, stage_ids, limit):
    team = team_tree(board_filter.user_id) if board_filter.role == "manager" else None  # one tree for every column
    base = _filtered(board_filter, team=team)
    firsts = [base.select(Deal.id).where(Deal.stage == sid).order_by(Deal.position, Deal.id).limit(limit)
              for sid in stage_ids]
    if is_sqlite():
        query = Deal.select().where(reduce(operator.or_, (Deal.id.in_(ids) for ids in firsts)))
    else:
        # PostgreSQL plans that OR of IN subqueries as a scan of every deal and a hash of every customer (7 ms);
        # one IN over the columns' first ids, each read from its own derived table, as a lookup of each id (1.5 ms).
        firsts = [first.alias(f"first_{n}") for n, first in enumerate(firsts)]
        ids = reduce(operator.add, (Select(from_list=[first], columns=[first.c.id]) for first in firsts))
        query = Deal.select().where(Deal.id.in_(ids))
    query = _card_query(query)
    return query.with_cte(team) if team is not None else query


def _annotated(rows, all_stages, today, now=None):
    """Cards from `_card_query`'s rows, with their days in stage and whether they are stale."""
    now = now or utcnow()
    by_id = {s.id: s for s in all_stages}
    cards = [Card(row) for row in rows]
    for card in cards:
        card.days_in_stage = (now - card.stage_entered_at).days
        card.stale = is_stale(card, by_id[card.stage_id], today, now)
    return cards
