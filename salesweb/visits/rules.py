"""Visits: logging one (with its effects on the customer, its deals and the next visit), planning, on-site check-in
verification, and comments. What the pages and other features read of visits is in `queries`.

A logged visit moves the customer's cadence through `cadence.record_visit` (which also freshens the
customer's open deals), a "next visit date" becomes a planned visit with a task for the rep, and a visit linked
to a deal gives the deal its next step (`pipeline.follow_visit`).
"""
import datetime
import math

from ..core.db import db, kept_statement, param, utcnow
from ..core.i18n import _l
from ..models import OUTCOMES, VISIT_KINDS, Task, Visit, VisitComment, VisitContact
from ..core import audit, notifications
from ..customers import cadence
from ..pipeline import rules as pipeline
from ..infra import rollups, storage
from ..core.errors import Invalid

MAX_DURATION = 600
EARTH_RADIUS_M = 6_371_000
LOGGERS = ("rep", "manager")
COMMENTERS = ("manager",)
CHECKIN_AFTER = datetime.timedelta(hours=2)  # a rep may check in on the way out, or while writing it up


def may_log(user):
    return user.role in LOGGERS


def distance_m(lat1, lon1, lat2, lon2):
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def verify(fix, place, now, values, reused, during=None):
    """(verified, distance in metres or None, problem) for a check-in fix against the customer's place.

    fix: {lat, lon, accuracy, at}; place: (lat, lon) or None; during: the visit's (start, end), if known.
    Verified only when every test passes: close enough, accurate enough, fresh (taken moments before it
    was sent, and during the visit or soon after), and not a fix already used for an earlier visit."""
    distance = round(distance_m(fix["lat"], fix["lon"], *place)) if place else None
    if reused:
        return False, distance, "reused"
    slack = datetime.timedelta(minutes=values["checkin_max_age_minutes"])
    if now - fix["at"] > slack or (during and not during[0] - slack <= fix["at"] <= during[1] + CHECKIN_AFTER):
        return False, distance, "stale"
    if fix["accuracy"] > values["checkin_accuracy_m"]:
        return False, distance, "inaccurate"
    if place is None:
        return False, None, "no_place"
    if distance > values["checkin_radius_m"]:
        return False, distance, "far"
    return True, distance, ""


def _checked_fix(values, now):
    """The check-in fields, or None when the rep did not check in."""
    lat, lon, accuracy, at = (values.get(k) for k in ("lat", "lon", "accuracy", "fix_at"))
    if lat is None and lon is None:
        return None
    if lat is None or lon is None or not (-90 <= lat <= 90) or not (-180 <= lon <= 180) \
            or not all(math.isfinite(v) for v in (lat, lon)):
        raise Invalid({"checkin": _l("The position could not be read. Check in again.")})
    if accuracy is None or not math.isfinite(accuracy) or not 0 < accuracy <= 100_000:
        raise Invalid({"checkin": _l("The position came without a usable accuracy. Check in again.")})
    if at is None or at > now + datetime.timedelta(minutes=2):
        raise Invalid({"checkin": _l("The position's time is not valid. Check in again.")})
    return {"lat": lat, "lon": lon, "accuracy": accuracy, "at": at}


def _reused(fix):
    """The same fix (position, accuracy and time) already stood behind a visit, anyone's: a phone never
    reports one twice, so it was copied."""
    return Visit.select().where((Visit.fix_at == fix["at"]) & (Visit.lat == fix["lat"]) & (Visit.lon == fix["lon"])
                                & (Visit.accuracy_m == fix["accuracy"])).exists()


def _checked(values, customer, rep, now, settings):
    errors = {}
    occurred = values.get("occurred_at")
    if occurred is None:
        errors["occurred_at"] = _l("When was the visit?")
    elif occurred > now + datetime.timedelta(minutes=5):
        errors["occurred_at"] = _l("A visit that has happened cannot be in the future. Plan it instead.")
    elif occurred < now - datetime.timedelta(days=366):
        errors["occurred_at"] = _l("That is more than a year ago.")
    duration = values.get("duration_minutes")
    if not isinstance(duration, int) or not 1 <= duration <= MAX_DURATION:
        errors["duration_minutes"] = _l("Enter minutes from 1 to %(n)d.", n=MAX_DURATION)
    if values.get("kind") not in VISIT_KINDS:
        errors["kind"] = _l("Choose how you met.")
    if values.get("outcome") not in OUTCOMES + ("",):
        errors["outcome"] = _l("Choose an outcome.")
    for field, limit in (("purpose", 200), ("next_step", 200), ("market_tags", 300), ("notes", 10000),
                         ("market_note", 5000)):
        if len(values.get(field) or "") > limit:
            errors[field] = _l("At most %(n)d characters.", n=limit)
    next_on = values.get("next_visit_on")
    if next_on is not None and occurred is not None:
        visited_on = cadence.local_date(occurred, settings)
        if next_on <= visited_on:
            errors["next_visit_on"] = _l("The next visit comes after this one.")
        elif next_on > visited_on + datetime.timedelta(days=366):
            errors["next_visit_on"] = _l("Plan at most a year ahead.")
    deal = values.get("deal")
    if deal is not None and deal.customer_id != customer.id:
        errors["deal"] = _l("Choose one of this customer's deals.")
    contacts = values.get("contacts") or []
    if any(c.customer_id != customer.id for c in contacts):
        errors["contacts"] = _l("Choose people of this customer.")
    if errors:
        raise Invalid(errors)
    return _checked_fix(values, now)


def _fields(values):
    return {k: (values.get(k) or "").strip()
            for k in ("purpose", "notes", "outcome", "next_step", "market_note", "market_tags")}


def log(values, customer, rep, by, settings, now=None, planned=None, photo=None, upload_dir=None, max_bytes=None):
    """Record a visit that happened. values: occurred_at (UTC), duration_minutes, kind, purpose, notes, outcome,
    next_step, next_visit_on, deal (Deal or None), contacts ([Contact]), market_note, market_tags and,
    from a check-in, lat, lon, accuracy, fix_at. `planned`: the planned visit this one fulfils.
    photo: (stream, filename) or None. Returns the visit; raises Invalid with nothing stored."""
    now = now or utcnow()
    if customer is None:
        raise Invalid({"customer": _l("Choose the customer you visited.")})
    if not may_log(rep):
        raise Invalid({None: _l("Only reps and managers log visits.")})
    if planned is not None and (planned.customer_id != customer.id or planned.status != "planned"):
        raise Invalid({None: _l("This planned visit was already logged or is for another customer.")})
    fix = _checked(values, customer, rep, now, settings)

    def write(stored=None, _name=None):
        visit = planned or Visit(customer=customer.id, rep=rep.id, created_by=by, created_at=now)
        visit.status, visit.occurred_at, visit.updated_at = "done", values["occurred_at"], now
        visit.duration_minutes, visit.kind = values["duration_minutes"], values["kind"]
        visit.next_visit_on, visit.deal = values.get("next_visit_on"), values.get("deal")
        for key, value in _fields(values).items():
            setattr(visit, key, value)
        visit.photo = stored
        first_place = None
        if fix:
            place = (customer.lat, customer.lon) if customer.lat is not None else None
            during = (visit.occurred_at, visit.occurred_at + datetime.timedelta(minutes=visit.duration_minutes))
            visit.verified, visit.distance_m, visit.check_problem = verify(fix, place, now, settings,
                                                                           _reused(fix), during)
            visit.lat, visit.lon, visit.accuracy_m, visit.fix_at = fix["lat"], fix["lon"], fix["accuracy"], fix["at"]
            if place is None and visit.check_problem == "no_place":  # a good first fix tells where the customer is
                first_place = (fix["lat"], fix["lon"])  # written with the visit's other effects on the customer
        if planned is None:
            _insert(visit)
        else:
            visit.save()
        rollups.visit_logged(rep.id, visit.occurred_at, visit.verified, settings)
        if values.get("contacts"):
            VisitContact.insert_many([{"visit": visit.id, "contact": c.id} for c in values["contacts"]]).execute()
        cadence.record_visit(customer, visit.occurred_at, settings, place=first_place)
        if visit.deal_id:
            pipeline.follow_visit(visit.deal_id, visit, by, now)
        _settle_plans(visit, customer, rep, cadence.local_date(visit.occurred_at, settings), now,
                      fulfils=planned is not None)
        if visit.next_visit_on:
            _plan(customer, rep, visit.next_visit_on, by, now, visit)
        audit.record("create", by, visit, f"Visit to {customer.name}")
        return visit

    if photo is not None:
        return storage.save(*photo, upload_dir, max_bytes, allowed=storage.IMAGES, then=write,
                            zone=settings["timezone"])
    with db.atomic():
        return write()


# every column of a visit but its id, as a logged visit inserts them
INSERTED = (Visit.customer, Visit.rep, Visit.status, Visit.planned_for, Visit.occurred_at, Visit.duration_minutes,
            Visit.kind, Visit.purpose, Visit.notes, Visit.outcome, Visit.next_step, Visit.next_visit_on, Visit.deal,
            Visit.market_note, Visit.market_tags, Visit.lat, Visit.lon, Visit.accuracy_m, Visit.fix_at,
            Visit.distance_m, Visit.verified, Visit.check_problem, Visit.photo, Visit.created_by, Visit.created_at,
            Visit.updated_at)


def _insert(visit):
    """Store a new visit, each value as its field writes it, and give it its id. A kept statement: writing the
    insert of every column was a fifth of a logged visit's SQL writing."""
    values = {field.name: field.db_value(getattr(visit, field.column_name)) for field in INSERTED}
    sql, params = kept_statement(("insert visit",), lambda: (
        Visit.insert({field: param(field.name) for field in INSERTED}).returning(Visit.id)), **values)
    visit.id = db.execute_sql(sql, params).fetchone()[0]


def _settle_plans(visit, customer, rep, day, now, fulfils=False):
    """The visit fulfils its planned visit (`fulfils`: `visit` was that plan); the rep's other plans for this
    customer that fell due by then are overtaken by it (cancelled); every task of those plans is done. Later plans
    stand. The cancelling says which plans it cancelled, so a visit that fulfils and overtakes nothing (most) writes
    no tasks."""
    # kept statement: writing it took a third of a logged visit's SQL writing; the plans are named by a subquery,
    # so the SQL is one text whatever their number
    values = {"customer": customer.id, "rep": rep.id, "day": day, "visit": visit.id, "now": now}
    cancelled = [row[0] for row in db.execute_sql(*kept_statement(("settle plans", "visits"), lambda: (
        Visit.update(status="cancelled", updated_at=param("now"))
        .where(Visit.id.in_(_due_plans().select(Visit.id)) & (Visit.id != param("visit")))
        .returning(Visit.id)), **values)).fetchall()]
    settled = ([visit.id] if fulfils else []) + sorted(cancelled)
    if settled:
        Task.update(done_at=now).where(Task.visit.in_(settled) & Task.done_at.is_null()).execute()


def _due_plans():
    """The rep's plans for the customer due by the day (`param`s customer, rep, day)."""
    return Visit.select(Visit.id).where((Visit.customer == param("customer")) & (Visit.rep == param("rep"))
                                        & (Visit.status == "planned") & (Visit.planned_for <= param("day")))


def _plan(customer, rep, day, by, now, after=None):
    visit = Visit.create(customer=customer.id, rep=rep.id, status="planned", planned_for=day,
                         duration_minutes=after.duration_minutes if after else 45, kind=after.kind if after else "on_site",
                         purpose=after.next_step if after else "", created_by=by, created_at=now, updated_at=now)
    Task.create(title=_task_title(customer), assignee=rep.id, due_on=day, customer=customer.id, visit=visit.id,
                source="next_visit", created_by=by, created_at=now)
    return visit


def _task_title(customer):
    return f"{customer.name}"[:200]


def plan(customer, rep, day, by, today, now=None):
    """Plan a visit to a customer on a day (from the customer page or the overdue list)."""
    if day is None or day < today or day > today + datetime.timedelta(days=366):
        raise Invalid({"day": _l("Choose a day from today to a year ahead.")})
    if not may_log(rep):
        raise Invalid({None: _l("Only reps and managers plan visits.")})
    with db.atomic():
        visit = _plan(customer, rep, day, by, now or utcnow())
        audit.record("create", by, visit, f"Visit to {customer.name} planned for {day.isoformat()}")
    return visit


def cancel(visit, by, now=None):
    if visit.status != "planned":
        raise Invalid({None: _l("Only a planned visit can be cancelled.")})
    with db.atomic():
        Visit.update(status="cancelled", updated_at=now or utcnow()).where(Visit.id == visit.id).execute()
        Task.update(done_at=now or utcnow()).where((Task.visit == visit.id) & Task.done_at.is_null()).execute()
        audit.record("edit", by, visit, "Planned visit cancelled")


def comment(visit, body, by, now=None):
    """A manager's coaching note on a visit in their subtree (the caller found it through scope)."""
    body = (body or "").strip()
    if by.role not in COMMENTERS:
        raise Invalid({None: _l("Only managers comment on visits.")})
    if not body:
        raise Invalid({"body": _l("This field is required.")})
    if len(body) > 2000:
        raise Invalid({"body": _l("At most %(n)d characters.", n=2000)})
    with db.atomic():
        note = VisitComment.create(visit=visit.id, author=by, body=body, created_at=now or utcnow())
        audit.record("create", by, note, f"Comment on a visit to {visit.customer.name}")
        if visit.rep_id != by.id:
            notifications.notify([visit.rep_id], "visit_comment", f"/visits/{visit.id}", by=by.name,
                                 customer=visit.customer.name)
    return note


def mark_comments_read(visit, user, now=None):
    """The rep has seen the comments on their visit."""
    if visit.rep_id == user.id:
        # a kept statement: the rep's every view of their visit's page runs it
        db.execute_sql(*kept_statement(("mark comments read",), lambda: (
            VisitComment.update(read_at=param("now"))
            .where((VisitComment.visit == param("visit")) & VisitComment.read_at.is_null())),
            now=now or utcnow(), visit=visit.id))
