"""Reads of customers other features and the customer screens use: the scope, the tier view's list, search and
counts, a customer's page (contacts, tier history, notes, timeline), who may own customers, regions, duplicate
names and the export."""
import re
import unicodedata
from collections import namedtuple

from peewee import JOIN, SQL, NodeList, fn

from ..core.access import SEES_ALL, scope_shape, team_ids, visible, visible_kept
from ..core.db import (in_few, in_query, is_sqlite, kept_models, kept_row, kept_rows, like, like_pattern, param, utcnow,
                       without_index)
from ..models import (CollateralItem, Contact, Customer, CustomerCount, CustomerNote, PoolMove, Region, RegionCount,
                      ShareLink, TierChange, User, Visit)
from . import cadence

OWNER_ROLES = ("rep", "manager")
# The users a read joins under another name, made once: each field of an alias made per call is a new class.
OWNER, BY, AUTHOR, MOVED_BY, MOVED_TO, MOVED_FROM, SHARER, REP = (
    User.alias(name) for name in ("owner", "by", "author", "moved_by", "moved_to", "moved_from", "sharer", "rep"))
PRIMARY_CONTACT = Contact.alias("primary_contact")
_EN_SUFFIXES = {"co", "company", "ltd", "limited", "inc", "incorporated", "llc", "corp", "corporation", "plc",
                "gmbh", "pte", "pty"}
_ZH_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "股份公司", "公司", "集团")


def normalise_name(name):
    """The form of a company name used to spot duplicates: width, case, spaces, punctuation and
    legal suffixes (有限公司, Co., Ltd., Inc., LLC ...) do not count."""
    text = unicodedata.normalize("NFKC", name or "").casefold()
    text = re.sub(r"[\W_]+", " ", text)  # punctuation of any script becomes a space
    words = text.split()
    while len(words) > 1 and words[-1] in _EN_SUFFIXES:
        words.pop()
    key = "".join(words)
    stripped = True
    while stripped and key not in _ZH_SUFFIXES:  # a name that is only a suffix stays as it is
        stripped = False
        for suffix in _ZH_SUFFIXES:
            if key.endswith(suffix):
                key, stripped = key[: -len(suffix)], True
                break
    return key[:200]


def scope(user):
    """The customers a user may see: their own (rep), their subtree's (manager), all (others)."""
    return visible(Customer.select(), user, Customer.owner)


def duplicates(name, exclude=None, limit=3):
    """Customers whose normalised name matches, in any scope (a duplicate hides in another rep's list too)."""
    query = (Customer.select(Customer.id, Customer.name, Customer.owner, User.name.alias("owner_name"))
             .join(User, JOIN.LEFT_OUTER, on=(Customer.owner == User.id))
             .where(Customer.name_key == normalise_name(name)))
    if exclude is not None:
        query = query.where(Customer.id != exclude.id)
    return list(query.order_by(Customer.id).limit(limit).objects())


def _owners_within_reach(user, leavers=False):
    """Reps and managers in the user's reach: themselves (rep), their team and subtree (manager), everyone."""
    query = User.select(User.id, User.name, User.role, User.active).where(User.role.in_(OWNER_ROLES))
    if not leavers:
        query = query.where(User.active == True)  # noqa: E712
    if user.role == "rep":
        return query.where(User.id == user.id)
    if user.role == "manager":
        return query.where(in_query(User.id, team_ids(user.id)))
    return query


def assignable_owners(user):
    """Who `user` may make a customer's owner: a rep only themselves, a manager their subtree,
    support/ops/admin any active rep or manager."""
    return _owners_within_reach(user)


def owner_filter_choices(user):
    """Owners to filter the list by: as assignable_owners, but leavers too (to find and reassign their customers)."""
    return _owners_within_reach(user, leavers=True)


# A person field lists the people in reach in a plain select up to this many; beyond, it is a type-to-search
# picker (`people_matching`) that offers as many matches at a time.
PEOPLE_LISTED = 20


def _reach(role, leavers, text, limit):
    """`_owners_within_reach` as a kept statement: the user a `param`, and `text` (a LIKE pattern on the name)
    and `limit` params when given."""
    query = User.select(User.id, User.name, User.active).where(User.role.in_(OWNER_ROLES))
    if not leavers:
        query = query.where(User.active == True)  # noqa: E712
    if role == "rep":
        query = query.where(User.id == param("user"))
    elif role == "manager":  # the subtree a list worked out first: PostgreSQL without statistics took it for ten
        # people and, for each person, read the whole subtree (300 on the xl data) again
        query = query.where(in_few(User.id, team_ids(param("user"))))
    if text:
        query = query.where(like(User.name, param("text")))
    query = query.order_by(User.name, User.id)
    return query.limit(param("limit")) if limit else query


def people_in_reach(user, leavers=False, text=None, limit=None):
    """(id, name, active) of the reps and managers `user` may make owners (with `leavers`, those they may filter
    by: owner_filter_choices), by name; with `text`, those whose name holds it; at most `limit`."""
    # kept, and read as plain rows: building a model per person took a director's list 1 ms for 300 people
    return kept_rows(("people in reach", scope_shape(user.role), leavers, bool(text), bool(limit)),
                     lambda: _reach(user.role, leavers, text, limit), user=user.id,
                     text=like_pattern(text) if text else None, limit=limit)


def people_listed(user, leavers=False):
    """The people in reach for a plain select (`people_in_reach`), or None when there are more than
    PEOPLE_LISTED: then the field is a picker."""
    people = people_in_reach(user, leavers, limit=PEOPLE_LISTED + 1)
    return people if len(people) <= PEOPLE_LISTED else None


def person_in_reach(user, person_id, leavers=False):
    """(id, name, active) of one person in reach, or None: the choice a picker shows (never a name outside
    the user's reach)."""
    if person_id is None:
        return None
    found = kept_rows(("person in reach", scope_shape(user.role), leavers), lambda: _reach(
        user.role, leavers, None, None).where(User.id == param("person")), user=user.id, person=person_id)
    return found[0] if found else None


def default_owner(region, by):
    """Who a new customer goes to when `by` leaves it to the region: the region's rep if `by` may assign them,
    else a manager themself, else the pool (None)."""
    return owner_for_region(region, by) or (by if by.role == "manager" else None)


def region_key(name):
    """A region's name as regions are told apart: spaces and case do not count."""
    return " ".join((name or "").split()).casefold()


def region_owners(by):
    """{region key: rep} for the regions whose rep `by` may give customers to, in one query."""
    return {r.name_key: r.rep for r in Region.select(Region, User).join(User, on=(Region.rep == User.id))
            .where(User.id.in_(assignable_owners(by).select(User.id)))}


def owner_for_region(name, by):
    """The rep new customers in region `name` go to, if `by` may give them one; else None."""
    key = region_key(name)
    return region_owners(by).get(key) if key else None


SORTS = {
    "due": lambda: (Customer.next_visit_due.asc(), Customer.id.asc()),
    "name": lambda: (Customer.name_key.asc(), Customer.id.asc()),
    "last_visit": lambda: (Customer.last_visit_at.desc(nulls="LAST"), Customer.id.desc()),
    "newest": lambda: (Customer.created_at.desc(), Customer.id.desc()),
}


def _text_mode(text):
    """How a text filter is looked up: in the search table ("match": SQLite's FTS5 trigram table for three
    characters or more, PostgreSQL's customer_search whatever the length, its trigram index serving three or
    more), else by LIKE over the customers and their contacts ("like", SQLite)."""
    return "match" if len(text) >= 3 or not is_sqlite() else "like"


def _text_value(text):
    """The value a text filter compares with: the FTS5 phrase (SQLite's "match") or the LIKE pattern."""
    # a quoted FTS5 phrase: the text as it is, operators and all
    if is_sqlite() and _text_mode(text) == "match":
        return '"' + text.replace('"', '""') + '"'
    return like_pattern(text)


def _matching(mode, value):
    if mode == "like":
        by_contact = Contact.select(Contact.customer).where(like(Contact.name, value) | like(Contact.phone, value))
        return like(Customer.name, value) | like(Customer.phone, value) | Customer.id.in_(by_contact)
    if is_sqlite():
        found = NodeList((SQL("SELECT rowid FROM customer_search WHERE customer_search MATCH"), value))
    else:
        found = NodeList((SQL("SELECT customer_id FROM customer_search WHERE"), like(SQL("body"), value)))
    return Customer.id.in_(NodeList((SQL("("), found, SQL(")")), glue=""))


def matching(text):
    """A condition on Customer: its name or phone, or one of its contacts' names or phones, holds `text` (any case).
    Looked up in one text per customer (migrations 0009 and 0033), from a trigram index for three characters or
    more."""
    return _matching(_text_mode(text), _text_value(text))


def filter_values(criteria, today):
    """{name: value} of the customer list's filters that apply (`narrowed`): text (the FTS5 phrase or LIKE
    pattern), owner, region, status, today (overdue)."""
    values = {}
    text = (criteria.get("q") or "").strip()
    if text:
        values["text"] = _text_value(text)
    for name in ("owner", "region", "status"):
        if criteria.get(name):
            values[name] = criteria[name]
    if criteria.get("overdue"):
        values["today"] = today
    return values


def filters_shape(criteria):
    """What `narrowed` makes of a query's SQL: how the text is looked up, and which other filters apply."""
    text = (criteria.get("q") or "").strip()
    return (_text_mode(text) if text else None, bool(criteria.get("owner")), bool(criteria.get("region")),
            bool(criteria.get("status")), bool(criteria.get("overdue")))


def narrowed(query, criteria, today, kept=False):
    """`query` narrowed by the customer list's filters that apply: text, owner, region, status, overdue (allocation's
    selection filters the same way). `kept`: for a kept statement, each filter's value is a `param` named as in
    `filter_values` (and its key names `filters_shape`)."""
    values = filter_values(criteria, today)
    value = param if kept else values.__getitem__
    if "text" in values:
        query = query.where(_matching(_text_mode(criteria["q"].strip()), value("text")))
    if "owner" in values:
        query = query.where(Customer.owner == value("owner"))
    if "region" in values:
        query = query.where(Customer.region == value("region"))
    if "status" in values:
        query = query.where(Customer.status == value("status"))
    if "today" in values:
        query = query.where(Customer.next_visit_due < value("today"))
    return query


def _filtered(user, criteria, today, query=None):
    """The user's customers narrowed by everything but the tier (tabs count across tiers)."""
    return narrowed(scope(user) if query is None else query, criteria, today)


def _own_index(user, criteria):
    # A manager's team owns a good share of all customers: walking the sort's index and skipping others'
    # finds a page at once, where the owner index would fetch the whole team's customers and sort them.
    return not (user.role == "manager" and not criteria.get("owner"))


def _listed(user, criteria, today, rows=False, kept=False):
    """The tier view's query: scope, filters, tier, sort, with the owner's name (`rows`: only what the list
    shows, see `search_page`; `kept`: for a kept statement, see `narrowed`, the scope's user and the tier
    `param`s, its key `_list_shape`)."""
    tier = criteria.get("tier") if criteria.get("tier") in ("A", "B", "C") else None
    sort = criteria.get("sort") if criteria.get("sort") in SORTS else "due"
    own = Customer.owner if _own_index(user, criteria) else without_index(Customer.owner)
    if kept:
        query = narrowed(visible_kept(Customer.select(), user.role, own), criteria, today, kept=True)
    else:
        query = narrowed(visible(Customer.select(), user, own), criteria, today)
    if rows:
        query = query.select(Customer.id, Customer.tier, Customer.name, OWNER.name.alias("owner_name"),
                             Customer.region, Customer.last_visit_at, Customer.next_visit_due)
    else:
        query = query.select_extend(OWNER.name.alias("owner_name"))
    query = query.join(OWNER, JOIN.LEFT_OUTER, on=(Customer.owner == OWNER.id))
    if tier:
        query = query.where(Customer.tier == (param("tier") if kept else tier))
    return query.order_by(*SORTS[sort]())


def _list_shape(user, criteria):
    """What the tier view's SQL depends on besides its values: scope, index, filters, tier, sort."""
    return (scope_shape(user.role), _own_index(user, criteria), filters_shape(criteria),
            criteria.get("tier") in ("A", "B", "C"), criteria.get("sort") if criteria.get("sort") in SORTS else "due")


def search(user, criteria, today):
    """Customers for the tier view: scope, filters, tier, sort; the caller pages it (or exports it)."""
    return _listed(user, criteria, today).objects()


def search_page(user, criteria, today, offset, limit):
    """One page of `search` as (id, tier, name, owner_name, region, last_visit_at, next_visit_due)."""
    # kept (keyed by what its SQL depends on): writing it took each view of the list 0.3 to 0.8 ms
    return kept_rows(("customer-list",) + _list_shape(user, criteria),
                     lambda: _listed(user, criteria, today, rows=True, kept=True)
                     .limit(param("limit")).offset(param("offset")),
                     **filter_values(criteria, today), tier=criteria.get("tier"), user=user.id, limit=limit,
                     offset=offset)


def visible_customer(customer_id, user):
    """The customer with its owner if the user may see it, else None."""
    query = (Customer.select(Customer, OWNER).join(OWNER, JOIN.LEFT_OUTER, on=(Customer.owner == OWNER.id))
             .where(Customer.id == customer_id))
    return visible(query, user, Customer.owner).first()


def _page_customer():
    return (Customer.select(Customer.id, Customer.name, Customer.tier, Customer.owner.alias("owner_id"),
                            OWNER.name.alias("owner_name"), Customer.status, Customer.industry, Customer.region,
                            Customer.address, Customer.phone, Customer.website, Customer.source, Customer.last_visit_at,
                            Customer.next_visit_due, Customer.lat, Customer.lon, Customer.notes, Customer.tier_locked,
                            Customer.tier_lock_reason)
            .join(OWNER, JOIN.LEFT_OUTER, on=(Customer.owner == OWNER.id)).where(Customer.id == param("id")))


def customer_page(customer_id, user):
    """What the customer's page shows of the customer (its fields, owner_id and owner_name) if the user may see
    it, else None."""
    # kept: writing this select and building the customer and its owner as models took 0.4 ms of the page
    return kept_row(("customer-page", scope_shape(user.role)),
                    lambda: visible_kept(_page_customer(), user.role, Customer.owner), id=customer_id, user=user.id)


def contact_label(name, title):
    """A contact as a form offers them to tick: the name, and the title when there is one."""
    return f"{name} · {title}" if title else name


def contacts_of(customer_id, among=None):
    """The customer's contacts, the primary one first; `among`: only those of these ids."""
    query = Contact.select().where(Contact.customer == customer_id)
    if among is not None:
        query = query.where(Contact.id.in_(list(among)))
    return list(query.order_by(Contact.is_primary.desc(), Contact.name))


def page_contacts(customer_id):
    """`contacts_of` as the customer's page shows them: id, name, is_primary, title, phone, email, wechat."""
    # kept: writing this select and building each contact as a model cost the customer's page 0.2 ms
    return kept_rows("customer-page-contacts", lambda: (
        Contact.select(Contact.id, Contact.name, Contact.is_primary, Contact.title, Contact.phone, Contact.email,
                       Contact.wechat)
        .where(Contact.customer == param("customer")).order_by(Contact.is_primary.desc(), Contact.name)),
        customer=customer_id)


def tier_history(customer_id):
    """The customer's tier changes, newest first: at, old_tier, new_tier, reason, note, by_id and by_name (who
    made it; None: by rule)."""
    # read into rows of what the page shows, its SQL kept: writing it and building the changes and their
    # authors as models took 0.5 ms of the customer's page
    return kept_rows("customer-tier-history", lambda: (
        TierChange.select(TierChange.at, TierChange.old_tier, TierChange.new_tier, TierChange.reason, TierChange.note,
                          TierChange.by.alias("by_id"), BY.name.alias("by_name"))
        .join(BY, JOIN.LEFT_OUTER, on=(TierChange.by == BY.id))
        .where(TierChange.customer == param("customer")).order_by(TierChange.at.desc(), TierChange.id.desc())),
        customer=customer_id)


def latest_notes(customer_id, limit):
    """The customer's latest notes with their authors (id and name), newest first."""
    # kept: a deal's page shows them, and writing this select's SQL took 0.2 ms
    notes = kept_models(CustomerNote, "latest notes", lambda: (
        CustomerNote.select(CustomerNote, AUTHOR.name.alias("author_name"))
        .join(AUTHOR, JOIN.LEFT_OUTER, on=(CustomerNote.author == AUTHOR.id))
        .where(CustomerNote.customer == param("customer")).order_by(CustomerNote.created_at.desc())
        .limit(param("limit"))), customer=customer_id, limit=limit)
    for note in notes:
        if note.author_id is not None:
            note.author = User(id=note.author_id, name=note.author_name)
    return notes


def _counted(user, *columns):
    """A select of `columns` from the customer rollup (models/rollups.py) over the user's whole scope (a manager's
    subtree or everyone: the group rows kept for it), its user a `param` (a kept statement's key names
    `scope_shape`)."""
    return visible_kept(CustomerCount.select(*columns), user.role, CustomerCount.owner, totals=True)


def _counted_tiers(user, status):
    """Customers per tier from the rollup, over the user's scope; of one status (a `param`) when `status`."""
    query = _counted(user, CustomerCount.tier, fn.SUM(CustomerCount.customers).alias("n"))
    if status:
        query = query.where(CustomerCount.status == param("status"))
    return query.group_by(CustomerCount.tier)


def tier_counts(user, criteria, today):
    """{"A": n, "B": n, "C": n, "all": n} for the same scope and filters, in one query: summed from the customer
    rollup when no filter but the status applies, else counted from the customers."""
    status = criteria.get("status")
    if not any(criteria.get(name) for name in ("q", "owner", "region", "overdue")):
        # kept, as below: the rollup holds a few rows an owner, however many customers they have
        rows = kept_rows(("customer-tier-counts-rollup", scope_shape(user.role), bool(status)),
                         lambda: _counted_tiers(user, status), status=status, user=user.id)
    else:
        # kept (keyed by what its SQL depends on): writing it took each view of the list 0.3 ms
        rows = kept_rows(("customer-tier-counts", scope_shape(user.role), filters_shape(criteria)), lambda: (
            narrowed(visible_kept(Customer.select(Customer.tier, fn.COUNT(Customer.id).alias("n")), user.role,
                                  Customer.owner), criteria, today, kept=True).group_by(Customer.tier)),
            **filter_values(criteria, today), user=user.id)
    counts = {"A": 0, "B": 0, "C": 0}
    counts.update(dict(rows))
    counts["all"] = sum(counts.values())
    return counts


def regions(user):
    """The regions in use among the user's customers, for the filter: for those who see every customer from the
    regions' rollup (a row a region), else from the customer rollup (the rows of the owners in reach)."""
    if user.role in SEES_ALL:
        # kept, as below; rows fallen to zero go (infra.rollups.add)
        return [r for (r,) in kept_rows(("regions in use",), lambda: (
            RegionCount.select(RegionCount.region).where(RegionCount.region != "").order_by(RegionCount.region)))]
    # kept: writing it took the list 0.1 to 0.3 ms a view
    return [r for (r,) in kept_rows(("customer-regions", scope_shape(user.role)), lambda: (
        _counted(user, CustomerCount.region).where((CustomerCount.region != "") & (CustomerCount.customers > 0))
        .distinct().order_by(CustomerCount.region)), user=user.id)]


EXPORT_COLUMNS = ("name", "tier", "owner", "region", "industry", "status", "source", "phone", "website", "address",
                  "primary_contact", "contact_phone", "last_visit", "next_visit_due")


def export_rows(user, criteria, today, values):
    """The filtered list as plain rows for export, primary contact included, in one query."""
    primary = PRIMARY_CONTACT
    query = (search(user, criteria, today)
             .select_extend(primary.name.alias("contact_name"), primary.phone.alias("contact_phone"))
             .join(primary, JOIN.LEFT_OUTER, on=((primary.customer == Customer.id) & (primary.is_primary == True))))  # noqa: E712
    for c in query.iterator():
        yield (c.name, c.tier, c.owner_name or "", c.region, c.industry, c.status, c.source, c.phone, c.website,
               c.address, c.contact_name or "", c.contact_phone or "",
               cadence.local_date(c.last_visit_at, values).isoformat() if c.last_visit_at else "",
               c.next_visit_due.isoformat())


# One entry of a customer's timeline, whatever its kind (note, visit, share, feedback, nps, or a pool move's kind):
# who and when, and the fields its kind shows (None for the others).
EVENT_FIELDS = ("kind at who id text purpose verified checked_in distance_m check_problem feedback_kind state source score "
                "title expires_at downloads move to_name from_name").split()
Event = namedtuple("Event", EVENT_FIELDS, defaults=[None] * len(EVENT_FIELDS))


def _timeline_notes():
    return (CustomerNote.select(CustomerNote.id, CustomerNote.created_at, AUTHOR.name, CustomerNote.body)
            .join(AUTHOR, JOIN.LEFT_OUTER, on=(CustomerNote.author == AUTHOR.id))
            .where(CustomerNote.customer == param("customer")).order_by(CustomerNote.created_at.desc())
            .limit(param("limit")))


def _timeline_moves():
    return (PoolMove.select(PoolMove.id, PoolMove.at, MOVED_BY.name.alias("by_name"), PoolMove.kind,
                            MOVED_TO.name.alias("to_name"), MOVED_FROM.name.alias("from_name"))
            .join(MOVED_BY, JOIN.LEFT_OUTER, on=(PoolMove.by == MOVED_BY.id)).switch(PoolMove)
            .join(MOVED_TO, JOIN.LEFT_OUTER, on=(PoolMove.to_owner == MOVED_TO.id)).switch(PoolMove)
            .join(MOVED_FROM, JOIN.LEFT_OUTER, on=(PoolMove.from_owner == MOVED_FROM.id))
            .where(PoolMove.customer == param("customer")).order_by(PoolMove.at.desc()).limit(param("limit")))


def _timeline_shares():
    return (ShareLink.select(ShareLink.created_at, SHARER.name, CollateralItem.id, CollateralItem.title,
                             CollateralItem.archived, ShareLink.expires_at, ShareLink.revoked_at,
                             ShareLink.download_count)
            .join(CollateralItem, on=(ShareLink.item == CollateralItem.id)).switch(ShareLink)
            .join(SHARER, JOIN.LEFT_OUTER, on=(ShareLink.created_by == SHARER.id))
            .where(ShareLink.customer == param("customer"))
            .order_by(ShareLink.created_at.desc(), ShareLink.id.desc()).limit(param("limit")))


def _timeline_visits():
    return (Visit.select(Visit.id, Visit.occurred_at, REP.name, Visit.purpose, Visit.notes, Visit.verified,
                         Visit.lat, Visit.distance_m, Visit.check_problem)
            # a LEFT JOIN (every visit has its rep) so that PostgreSQL starts from the customer's visits: joined
            # inner, it took the few hundred users first and read each one's visits by the rep index (107 ms on the
            # xl data, never analysed), where the customer's own are a few dozen
            .join(REP, JOIN.LEFT_OUTER, on=(Visit.rep == REP.id))
            .where((Visit.customer == param("customer")) & (Visit.status == "done"))
            .order_by(Visit.occurred_at.desc()).limit(param("limit")))


def timeline(customer_id, limit, now=None, more=()):
    """The customer's notes, ownership moves, shares and visits, and the entries `more` adds from elsewhere (its
    feedback and NPS answers: feedback.timeline_of), newest first: the latest `limit` Events (and whether there
    are more), each source read by a query of what it shows."""
    now = now or utcnow()
    # each source's SQL is kept: writing the four selects took the customer's page 0.5 ms
    values = dict(customer=customer_id, limit=limit + 1)
    note_rows = kept_rows("customer-timeline-notes", _timeline_notes, **values)
    move_rows = kept_rows("customer-timeline-moves", _timeline_moves, **values)
    share_rows = kept_rows("customer-timeline-shares", _timeline_shares, **values)
    visit_rows = kept_rows("customer-timeline-visits", _timeline_visits, **values)
    entries = [Event(kind="note", at=at, who=who, id=i, text=body) for i, at, who, body in note_rows]
    entries += [Event(kind=kind, at=at, who=who, id=i, move=kind, to_name=to_name,
                      from_name=from_name if kind in ("release", "recycle") else None)
                for i, at, who, kind, to_name, from_name in move_rows]
    entries += [Event(kind="share", at=at, who=who, id=item_id, title=title, expires_at=expires,
                      downloads=downloads, state="revoked" if revoked is not None or archived
                      else "expired" if expires <= now else "active")
                for at, who, item_id, title, archived, expires, revoked, downloads in share_rows]
    entries += [Event(kind="visit", at=at, who=who, id=i, purpose=purpose, text=notes, verified=verified,
                      checked_in=lat is not None, distance_m=distance, check_problem=problem)
                for i, at, who, purpose, notes, verified, lat, distance, problem in visit_rows]
    entries += more
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit], len(entries) > limit
