"""The pipeline's reads: the stages, the board's columns and cards, a deal's history and last change, the deals
other features list (a customer's, the open ones a visit links, a rep's stale ones), and what stale means
(`is_stale`, and `stale_condition` in SQL, both from when each deal goes stale: `infra.stale`). The writes are in `rules`."""
import datetime
import operator
from dataclasses import dataclass
from functools import reduce

from peewee import JOIN, Select, fn

from ..core.access import scope_shape, team_tree, visible, visible_kept, visible_to
from ..core.db import in_few, kept_models, kept_row, kept_rows, kept_statement, param, utcnow, without_index
from ..models import Customer, Deal, Stage, StageChange, StageDeals, User
from ..models.people import initials


# made once: an alias made per call is a new class for each of its fields, every call
OWNER = User.alias("owner")
BY = User.alias("by")


def scope(user):
    """The deals a user may see: their own (rep), their subtree's (manager), all (others)."""
    return visible(Deal.select(), user, Deal.owner)


def stages():
    # every pipeline page reads them: writing the select took peewee 0.2 ms, so its SQL is kept
    sql, params = kept_statement("stages", lambda: Stage.select().order_by(Stage.position, Stage.id))
    return list(Stage.raw(sql, *params))


def is_stale(deal, now):
    """Stale is honest: no real activity for the stage's rotting days, or no next step, or one overdue on the
    install's calendar; never on a closed stage. Read from when the deal goes stale, kept by the writes."""
    return deal.stale_at is not None and deal.stale_at < now


def stale_condition(now):
    """is_stale in SQL: only open deals have a moment to go stale."""
    return Deal.stale_at < now


def stale_of(owner, now, limit=10):
    """The owner's open deals gone stale (is_stale in SQL), longest quiet first: id, title, amount,
    last_activity_at, customer_id, customer_name, customer_tier."""
    # kept: Today reads it on every view, and writing its SQL took 0.4 ms
    return kept_rows("stale of", _stale_of, owner=owner.id, now=Deal.stale_at.db_value(now), limit=limit)


def _stale_of():
    return (Deal.select(Deal.id, Deal.title, Deal.amount, Deal.last_activity_at, Customer.id.alias("customer_id"),
                        Customer.name.alias("customer_name"), Customer.tier.alias("customer_tier"))
            .join(Customer, on=(Deal.customer == Customer.id))
            .where((Deal.owner == param("owner")) & stale_condition(param("now")))
            .order_by(Deal.last_activity_at, Deal.id).limit(param("limit")))


def open_deal_choices(customer_id):
    """[(id, title)] of the customer's open deals, by title (a visit or a help request links one)."""
    return list(Deal.select(Deal.id, Deal.title).join(Stage)
                .where((Deal.customer == customer_id) & (Stage.kind == "open")).order_by(Deal.title).tuples())


def last_change(deal):
    """Who last changed the deal, and when (for a conflict notice)."""
    who = User.get_or_none(User.id == deal.updated_by_id) if deal.updated_by_id else None
    return who, deal.updated_at


HISTORY_ENTRIES = 30  # the latest stage changes a deal page shows; a deal dragged to and fro has hundreds


def history(deal, limit=HISTORY_ENTRIES):
    """([(change, until), ...] oldest first, more): the latest `limit` stage changes (to_stage_id, at, by_id,
    by_name) and when the deal left that stage (None: it is still there); `more` when older ones exist."""
    def build():
        return (StageChange.select(StageChange.to_stage.alias("to_stage_id"), StageChange.at,
                                   StageChange.by.alias("by_id"), BY.name.alias("by_name"))
                .join(BY, JOIN.LEFT_OUTER, on=(StageChange.by == BY.id))
                .where(StageChange.deal == param("deal_id"))
                .order_by(StageChange.at.desc(), StageChange.id.desc()).limit(param("limit")))

    # every deal page reads it: writing it and building a change with its user took peewee 0.5 ms
    latest = kept_rows("deal-history", build, deal_id=deal.id, limit=limit + 1)
    more = len(latest) > limit
    latest = latest[:limit]
    untils = [None] + [change.at for change in latest[:-1]]
    return list(zip(latest, untils))[::-1], more


def deal_people(deal):
    """(customer, owner) a deal page names: the customer's id, name and tier, the owner's name."""
    # every deal page reads both: kept, they cost no SQL writing and no model building (0.3 ms)
    customer = kept_row("deal-customer", lambda: Customer.select(Customer.id, Customer.name, Customer.tier)
                        .where(Customer.id == param("id")), id=deal.customer_id)
    owner = kept_row("deal-owner", lambda: User.select(User.id, User.name).where(User.id == param("id")),
                     id=deal.owner_id)
    return customer, owner


def of_customer(user, customer_id, limit):
    """The customer's deals the user may see, open ones first, then the latest changed: id, title, stage_en and
    stage_zh (the stage's names), amount, won_on."""
    # kept, in rows of what the customer's page shows: writing it and building each deal and its stage as models
    # took the page 0.3 ms
    return kept_rows(("customer-deals", scope_shape(user.role)), lambda: (
        visible_kept(Deal.select(Deal.id, Deal.title, Stage.name_en.alias("stage_en"), Stage.name_zh.alias("stage_zh"),
                                 Deal.amount, Deal.won_on).join(Stage), user.role, Deal.owner)
        .where(Deal.customer == param("customer")).order_by(Stage.kind != "open", Deal.updated_at.desc())
        .limit(param("limit"))), customer=customer_id, limit=limit, user=user.id)


@dataclass
class Column:
    stage: Stage
    count: int
    amount: int
    weighted: int
    cards: list
    more: bool


def board(user, criteria, today, limit=50, only=None, all_stages=None):
    """The board's columns: header totals over the whole column, and the first `limit` cards of each,
    in two queries however many deals there are. `only`: stage ids to build (after a move)."""
    all_stages = all_stages if all_stages is not None else stages()
    wanted = [s for s in all_stages if only is None or s.id in only]
    board_filter = _board_filter(user, criteria, today, all_stages)
    stage_ids = tuple(s.id for s in wanted)
    totals = _totals(board_filter, stage_ids, every_stage=only is None)
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
    placeholders, shape, values = _kept_filter(_board_filter(user, criteria, today, all_stages))

    def build():
        ids = (_filtered(placeholders, in_order=True).select(Deal.id).where(Deal.stage == param("stage_id"))
               .order_by(Deal.position, Deal.id).offset(param("offset")).limit(param("limit")))
        return _card_query(Deal.select().where(Deal.id.in_(ids)))

    # writing this statement took peewee 2 ms of Show more's 3 ms: its SQL is kept
    rows = kept_rows(("board-column-cards", *shape), build, stage_id=stage_id, offset=offset, limit=limit, **values)
    return _annotated(rows, all_stages, today)


def card(deal_id, all_stages, today):
    """One deal as the board shows it (with customer and owner)."""
    # the card a move answers with: its SQL is kept (peewee wrote it in 0.3 ms)
    rows = kept_rows("board-card", lambda: _card_query(Deal.select().where(Deal.id == param("deal_id"))),
                     deal_id=deal_id)
    return _annotated(rows, all_stages, today)[0]


def deal_to_move(deal_id, user):
    """The deal if the user may see it, with the names its card shows (a move answers with the card: `card_of`)."""
    # kept: a card move reads it first, and writing its SQL took 0.4 ms, a fifth of the move
    found = kept_models(Deal, ("deal to move", scope_shape(user.role)), lambda: visible_kept(
        Deal.select(Deal, Customer.name.alias("customer_name"), Customer.tier.alias("customer_tier"),
                    OWNER.name.alias("owner_name"))
        .join(Customer, on=(Deal.customer == Customer.id)).switch(Deal).join(OWNER, on=(Deal.owner == OWNER.id))
        .where(Deal.id == param("deal_id")), user.role, Deal.owner), deal_id=deal_id, user=user.id)
    deal = found[0] if found else None
    if deal is not None:
        deal.customer = Customer(id=deal.customer_id, name=deal.customer_name, tier=deal.customer_tier)
        deal.owner = User(id=deal.owner_id, name=deal.owner_name)
    return deal


def card_of(deal, all_stages, today):
    """A deal read by `deal_to_move` (and moved since) as the board shows it, without reading it again."""
    return _annotated([(deal.id, deal.title, deal.version, deal.amount, deal.stage_id, deal.position,
                        deal.stage_entered_at, deal.last_activity_at, deal.next_step, deal.next_step_due,
                        deal.stale_at, deal.customer_id, deal.owner_id, deal.customer.name, deal.customer.tier,
                        deal.owner.name)],
                      all_stages, today)[0]


@dataclass(frozen=True)
class BoardFilter:
    """The deals a board shows: whose scope, narrowed by its filters. Hashable: it keys the kept column totals.
    `stale_before`: the moment before which a deal has gone stale, when only stale deals are shown."""
    role: str
    user_id: int
    owner_id: int | None = None
    tier: str | None = None
    close_from: datetime.date | None = None
    close_to: datetime.date | None = None
    stale_before: datetime.datetime | None = None


def _board_filter(user, criteria, today, all_stages=None):
    """The board's filters as a `BoardFilter`. `stale`: only the deals `is_stale` finds stale, as of this minute
    (a minute keeps the totals' key for a minute)."""
    owner = criteria.get("owner")
    tier = criteria.get("tier") if criteria.get("tier") in ("A", "B", "C") else None
    stale = criteria.get("stale")
    return BoardFilter(role=user.role, user_id=user.id,
                       owner_id=user.id if owner == "mine" else owner if isinstance(owner, int) else None,
                       tier=tier, close_from=criteria.get("close_from"), close_to=criteria.get("close_to"),
                       stale_before=utcnow().replace(second=0, microsecond=0) if stale else None)


def _filtered(board_filter, team=None, in_order=False):
    """The deals the board shows: the user's scope narrowed by its filters (`team`: a manager's team_tree the
    statement declares). `in_order`: for a column's cards in order, a team's scope is tested on each card as the
    (stage, position) index is walked, which stops at the cards shown; through the owner's index the planner
    (given ANALYZE's statistics) gathered and sorted every deal of the team in the column instead, for a
    director's Won column every deal won in the years (22,000 on xl: 1.1 ms against 0.35)."""
    f = board_filter
    owner = without_index(Deal.owner) if in_order and f.role == "manager" else Deal.owner
    query = visible_to(Deal.select(), f.role, f.user_id, owner, team)
    if f.stale_before is not None:
        query = query.where(stale_condition(f.stale_before))
    if f.owner_id is not None:
        query = query.where(Deal.owner == f.owner_id)
    if f.tier is not None:
        query = query.join(Customer, on=(Deal.customer == Customer.id)).where(Customer.tier == f.tier)
    if f.close_from is not None:
        query = query.where(Deal.expected_close >= f.close_from)
    if f.close_to is not None:
        query = query.where(Deal.expected_close <= f.close_to)
    return query


def _totals(board_filter, stage_ids, every_stage=False):
    """{stage id: (count, amount, probability-weighted amount)}: from the deals in each stage per owner (a rollup
    kept by the writes) when only the scope and the owner filter narrow the board, as a board first opens; over
    the deals themselves under any other filter. `every_stage`: `stage_ids` are all there are."""
    if (board_filter.tier, board_filter.close_from, board_filter.close_to, board_filter.stale_before) == (None,) * 4:
        return _rolled_up_totals(board_filter, None if every_stage else stage_ids)
    placeholders, shape, values = _kept_filter(board_filter)

    def build():
        weighted = fn.SUM(Deal.amount * Deal.probability) / 100  # 64-bit columns: no overflow
        return (_filtered(placeholders).select(Deal.stage, fn.COUNT(Deal.id).alias("count"),
                                               fn.SUM(Deal.amount).alias("amount"), weighted.alias("weighted"))
                .where(Deal.stage.in_(list(stage_ids))).group_by(Deal.stage))

    # every board and move reads these; writing the statement took peewee 0.4 ms: its SQL is kept (the stage ids,
    # a handful of sets: the whole board's, a move's two columns, are in its key)
    rows = kept_rows(("board-totals", *shape, stage_ids), build, **values)
    return {sid: (count, int(amount or 0), int(w or 0)) for sid, count, amount, w in rows}


def _rolled_up_totals(board_filter, stage_ids):
    """`_totals` from the deals in each stage per owner: a row per person in scope and stage, however many deals
    Won and Lost have gathered over the years. `stage_ids` None: every stage's, each person's rows read in one
    range of the rollup's key rather than a lookup per stage (a director's 300 people: 0.66 ms against 0.47)."""
    f = board_filter

    def build():
        weighted = fn.SUM(StageDeals.weighted) / 100  # as over the deals: the sum of amount × probability, then / 100
        query = visible_to(StageDeals.select(StageDeals.stage, fn.SUM(StageDeals.deals).alias("count"),
                                             fn.SUM(StageDeals.amount).alias("amount"), weighted.alias("weighted")),
                           f.role, param("user_id"), StageDeals.owner, totals=f.owner_id is None)
        if f.owner_id is not None:
            query = query.where(StageDeals.owner == param("owner_id"))
        if stage_ids is not None:
            query = query.where(StageDeals.stage.in_(list(stage_ids)))
        return query.group_by(StageDeals.stage)

    # kept, as the totals over the deals are: the scope, whether one owner is chosen and the stages shape it
    rows = kept_rows(("board-rolled-up-totals", scope_shape(f.role), f.owner_id is not None, stage_ids), build,
                     user_id=f.user_id, **({"owner_id": f.owner_id} if f.owner_id is not None else {}))
    return {sid: (int(count or 0), int(amount or 0), int(w or 0)) for sid, count, amount, w in rows}


CARD_FIELDS = (Deal.id, Deal.title, Deal.version, Deal.amount, Deal.stage, Deal.position, Deal.stage_entered_at,
               Deal.last_activity_at, Deal.next_step, Deal.next_step_due, Deal.stale_at, Deal.customer, Deal.owner)


class Card:
    """A deal as a board card shows it: its own columns, its customer's name and tier, its owner's name, days in
    its stage and whether it is stale. Plain values, not models: a board holds a hundred, and building a deal with
    its customer and owner took peewee 16 µs a card."""
    __slots__ = ("id", "title", "version", "amount", "stage_id", "position", "stage_entered_at", "last_activity_at",
                 "next_step", "next_step_due", "stale_at", "customer_id", "owner_id", "customer_name", "customer_tier",
                 "owner_name", "owner_initials", "days_in_stage", "stale")

    def __init__(self, row):
        (self.id, self.title, self.version, self.amount, self.stage_id, self.position, self.stage_entered_at,
         self.last_activity_at, self.next_step, self.next_step_due, self.stale_at, self.customer_id, self.owner_id,
         self.customer_name, self.customer_tier, self.owner_name) = row
        self.owner_initials = initials(self.owner_name)


def _card_query(query):
    """Deals with what a card shows (rows for `Card`), their customer's and owner's alongside, in column order."""
    return (query.select(*CARD_FIELDS, Customer.name.alias("customer_name"), Customer.tier.alias("customer_tier"),
                         OWNER.name.alias("owner_name"))
            .switch(Deal).join(Customer, on=(Deal.customer == Customer.id))
            .switch(Deal).join(OWNER, on=(Deal.owner == OWNER.id))
            .order_by(Deal.stage, Deal.position, Deal.id))


def _kept_filter(board_filter):
    """(the filter with a `param` for each value, its shape for a kept statement's key, {param: value}): the role's
    scope and which filters are present shape the SQL; the values do not."""
    f = board_filter
    optional = ("owner_id", "tier", "close_from", "close_to", "stale_before")
    placeholders = BoardFilter(f.role, param("user_id"),
                               *(param(name) if getattr(f, name) is not None else None for name in optional))
    shape = (scope_shape(f.role), *(getattr(f, name) is not None for name in optional))
    values = {name: getattr(f, name) for name in ("user_id", *optional) if name == "user_id" or getattr(f, name)
              is not None}
    if f.stale_before is not None:
        values["stale_before"] = Deal.stale_at.db_value(f.stale_before)
    return placeholders, shape, values


def _first_cards(board_filter, stage_ids, limit):
    """The first `limit` cards of each of these stages' columns, in one query, as `_card_query` gives them."""
    placeholders, shape, values = _kept_filter(board_filter)
    # writing this statement took peewee 1.5 ms a board, more than all else the board reads: its SQL is kept
    return kept_rows(("board-first-cards", *shape, stage_ids),
                     lambda: _first_cards_query(placeholders, stage_ids, param("limit")), limit=limit, **values)


def _first_cards_query(board_filter, stage_ids, limit):
    team = team_tree(board_filter.user_id) if board_filter.role == "manager" else None  # one tree for every column
    base = _filtered(board_filter, team=team, in_order=True)
    firsts = [base.select(Deal.id).where(Deal.stage == sid).order_by(Deal.position, Deal.id).limit(limit)
              for sid in stage_ids]
    # one IN over the columns' first ids, each read from its own derived table: PostgreSQL plans an OR of IN
    # subqueries as a scan of every deal and a hash of every customer (7 ms, against 1.5), and SQLite tests each
    # IN again on every row it finds, building the team's list twice per column (a director of 300: 0.54 against
    # 0.32 ms). On PostgreSQL the ids are a list worked out first (`in_few`): as an IN it hashed them and read
    # every deal to test each one, where the few dozen ids are found by the primary key
    firsts = [first.alias(f"first_{n}") for n, first in enumerate(firsts)]
    ids = reduce(operator.add, (Select(from_list=[first], columns=[first.c.id]) for first in firsts))
    query = _card_query(Deal.select().where(in_few(Deal.id, ids)))
    return query.with_cte(team) if team is not None else query


def _annotated(rows, all_stages, today, now=None):
    """Cards from `_card_query`'s rows, with their days in stage and whether they are stale."""
    now = now or utcnow()
    cards = [Card(row) for row in rows]
    for card in cards:
        card.days_in_stage = (now - card.stage_entered_at).days
        card.stale = is_stale(card, now)
    return cards
