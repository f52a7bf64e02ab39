"""Visits: logging one (with its effects on the customer, its deals and the next visit), planning, on-site check-in
verification, and comments. What the pages and other features read of visits is in `queries`.

A logged visit moves the customer's cadence through `cadence.record_visit` (which also freshens the
customer's open deals), a "next visit date" becomes a planned visit with a task for the rep, and a visit linked
to a deal gives the deal its next step (`pipeline.follow_visit`).

A visit may carry the id its form or phone made for it (`client_uuid`) and when it was captured on the phone
(`captured_at`): the same id sent again by the same rep answers with the visit already made and changes nothing
(a unique index decides, so the first delivery reads nothing more), and a check-in's fix is as old as it was at
capture, not at upload.
"""
import datetime
import math
import uuid

from peewee import IntegrityError

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
CLOCK_SKEW = datetime.timedelta(minutes=5)  # a phone's clock may run this far ahead of the server's
FIX_SKEW = datetime.timedelta(minutes=2)  # a fix's time, from the phone, may run this far ahead of the other
KEPT_ON_PHONE = datetime.timedelta(days=366)  # a visit older than this is refused anyway (`_checked`)


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

    fix: {lat, lon, accuracy, at}; place: (lat, lon) or None; now: when the visit was captured (on the phone, or
    sent); during: the visit's (start, end), if known. Verified only when every test passes: close enough,
    accurate enough, fresh (taken moments before the visit was captured, and during the visit or soon after), and
    not a fix already used for an earlier visit."""
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


def _checked_fix(values, now, captured):
    """The check-in fields, or None when the rep did not check in."""
    lat, lon, accuracy, at = (values.get(k) for k in ("lat", "lon", "accuracy", "fix_at"))
    if lat is None and lon is None:
        return None
    if lat is None or lon is None or not (-90 <= lat <= 90) or not (-180 <= lon <= 180) \
            or not all(math.isfinite(v) for v in (lat, lon)):
        raise Invalid({"checkin": _l("The position could not be read. Check in again.")})
    if accuracy is None or not math.isfinite(accuracy) or not 0 < accuracy <= 100_000:
        raise Invalid({"checkin": _l("The position came without a usable accuracy. Check in again.")})
    if at is None or at > now + FIX_SKEW:
        raise Invalid({"checkin": _l("The position's time is not valid. Check in again.")})
    if at > captured + FIX_SKEW:  # both times are the phone's: a visit cannot be saved before its position
        raise Invalid({"checkin": _l("The position was taken after the visit was saved. Check in again.")})
    return {"lat": lat, "lon": lon, "accuracy": accuracy, "at": at}


def client_uuid(text):
    """The id a form or phone made for a visit, in one spelling (lower case, with hyphens), or None when none was
    sent; Invalid when it is not a UUID."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise Invalid({"client_uuid": _l("The visit's id is not valid. Open the form again.")}) from None


def captured_at(text, now):
    """When a visit was captured on the phone (ISO 8601 with its offset) in UTC, or `now` when not told. Invalid
    when it cannot be read, has no offset, or lies ahead of `now` by more than a phone's clock may: the phone's
    clock is wrong, and its times (the fix's too) cannot be trusted."""
    if isinstance(text, datetime.datetime):
        at = text
    else:
        text = (text or "").strip()
        if not text:
            return now
        try:
            at = datetime.datetime.fromisoformat(text)
            at = at.astimezone(datetime.UTC).replace(tzinfo=None) if at.tzinfo is not None else None
        except (ValueError, OverflowError):  # not a time, or one at the calendar's very ends
            at = None
        if at is None or at < now - KEPT_ON_PHONE:
            raise Invalid({"captured_at": _l("The time the visit was saved on the phone is not valid.")})
    if at > now + CLOCK_SKEW:
        raise Invalid({"captured_at": _l("The visit was saved on the phone after it arrived: the phone's clock is "
                                         "wrong. Set it and send the visit again.")})
    return at


def _reused(fix):
    """The same fix (position, accuracy and time) already stood behind a visit, anyone's: a phone never
    reports one twice, so it was copied."""
    return Visit.select().where((Visit.fix_at == fix["at"]) & (Visit.lat == fix["lat"]) & (Visit.lon == fix["lon"])
                                & (Visit.accuracy_m == fix["accuracy"])).exists()


def _checked(values, customer, rep, now, captured, settings):
    errors = {}
    occurred = values.get("occurred_at")
    if occurred is None:
        errors["occurred_at"] = _l("When was the visit?")
    elif occurred > captured + CLOCK_SKEW:
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
    return _checked_fix(values, now, captured)


def _fields(values):
    return {k: (values.get(k) or "").strip()
            for k in ("purpose", "notes", "outcome", "next_step", "market_note", "market_tags")}


def log(values, customer, rep, by, settings, now=None, planned=None, photo=None, upload_dir=None, max_bytes=None):
    """Record a visit that happened (`log_once`); returns the visit, the one made before when it was sent before."""
    return log_once(values, customer, rep, by, settings, now=now, planned=planned, photo=photo,
                    upload_dir=upload_dir, max_bytes=max_bytes)[0]


class _PlanTaken(Exception):
    """The planned visit was fulfilled by another request since it was read: this one's writes are undone."""


def log_once(values, customer, rep, by, settings, now=None, planned=None, photo=None, upload_dir=None,
             max_bytes=None):
    """Record a visit that happened. values: occurred_at (UTC), duration_minutes, kind, purpose, notes, outcome,
    next_step, next_visit_on, deal (Deal or None), contacts ([Contact]), market_note, market_tags, client_uuid
    and captured_at (text, ISO 8601 with its offset; absent: now) and, from a check-in, lat, lon, accuracy,
    fix_at. `planned`: the planned visit this one fulfils. photo: (stream, filename) or None.

    Returns (visit, created): the visit made, or the one this rep made before under the same client_uuid, which is
    left exactly as it was (created False). Raises Invalid with nothing stored."""
    now = now or utcnow()
    sent_as = client_uuid(values.get("client_uuid"))
    try:
        return _log(values, customer, rep, by, settings, now, planned, photo, upload_dir, max_bytes, sent_as), True
    except (Invalid, IntegrityError, _PlanTaken) as refused:
        # sent before (a retry, a double tap, two at once): the first delivery made it; everything this one wrote
        # was undone with its transaction. Read only now, so the first delivery's path reads nothing more.
        earlier = sent_before(rep, sent_as)
        if earlier is not None:
            if not same_visit(earlier, customer.id if customer else None, values.get("occurred_at")):
                raise Invalid({"client_uuid": ANOTHER_UNDER_ID}) from None
            return earlier, False
        if isinstance(refused, _PlanTaken):
            raise Invalid({None: _l("This planned visit was already logged or is for another customer.")}) from None
        raise


# A visit sent under an id this rep already used for another visit: a phone's fault, never to be taken for a repeat
# (the visit would be lost) nor to overwrite the first. The phone's outbox keeps it, to send again under a new id.
ANOTHER_UNDER_ID = _l("Another visit was already sent under this visit's id. Send this one again: it gets an id of "
                      "its own.")


def same_visit(earlier, customer_id, occurred_at):
    """Whether a delivery under an id already used is that visit again (its customer and time), not another."""
    return earlier.customer_id == customer_id and earlier.occurred_at == occurred_at


def sent_before(rep, sent_as):
    """The visit this rep sent under this client id, or None."""
    if sent_as is None or rep is None:
        return None
    return Visit.get_or_none((Visit.rep == rep.id) & (Visit.client_uuid == sent_as))


def _log(values, customer, rep, by, settings, now, planned, photo, upload_dir, max_bytes, sent_as):
    if customer is None:
        raise Invalid({"customer": _l("Choose the customer you visited.")})
    if not may_log(rep):
        raise Invalid({None: _l("Only reps and managers log visits.")})
    if planned is not None and (planned.customer_id != customer.id or planned.status != "planned"):
        raise Invalid({None: _l("This planned visit was already logged or is for another customer.")})
    captured = captured_at(values.get("captured_at"), now)
    fix = _checked(values, customer, rep, now, captured, settings)

    def write(stored=None, _name=None):
        visit = planned or Visit(customer=customer.id, rep=rep.id, created_by=by)
        visit.status, visit.occurred_at, visit.updated_at = "done", values["occurred_at"], now
        visit.created_at = now  # received: a fulfilled plan's too (its making is in the audit log)
        visit.client_uuid, visit.captured_at = sent_as, captured
        visit.duration_minutes, visit.kind = values["duration_minutes"], values["kind"]
        visit.next_visit_on, visit.deal = values.get("next_visit_on"), values.get("deal")
        for key, value in _fields(values).items():
            setattr(visit, key, value)
        visit.photo = stored
        first_place = None
        if fix:
            place = (customer.lat, customer.lon) if customer.lat is not None else None
            during = (visit.occurred_at, visit.occurred_at + datetime.timedelta(minutes=visit.duration_minutes))
            visit.verified, visit.distance_m, visit.check_problem = verify(fix, place, captured, settings,
                                                                           _reused(fix), during)
            visit.lat, visit.lon, visit.accuracy_m, visit.fix_at = fix["lat"], fix["lon"], fix["accuracy"], fix["at"]
            if place is None and visit.check_problem == "no_place":  # a good first fix tells where the customer is
                first_place = (fix["lat"], fix["lon"])  # written with the visit's other effects on the customer
        if planned is None:
            _insert(visit)  # a second delivery of its client id stops here: IntegrityError
        else:
            _fulfil(visit)
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
            Visit.distance_m, Visit.verified, Visit.check_problem, Visit.photo, Visit.client_uuid, Visit.captured_at,
            Visit.created_by, Visit.created_at, Visit.updated_at)


def _insert(visit):
    """Store a new visit, each value as its field writes it, and give it its id. A kept statement: writing the
    insert of every column was a fifth of a logged visit's SQL writing."""
    values = {field.name: field.db_value(getattr(visit, field.column_name)) for field in INSERTED}
    sql, params = kept_statement(("insert visit",), lambda: (
        Visit.insert({field: param(field.name) for field in INSERTED}).returning(Visit.id)), **values)
    visit.id = db.execute_sql(sql, params).fetchone()[0]


def _fulfil(visit):
    """Write the planned visit as done, only while it is still planned: of two deliveries at once, one fulfils it
    and the other's writes are undone (PostgreSQL's second update waits for the first and then finds it done)."""
    fulfilled = (Visit.update({field: getattr(visit, field.column_name) for field in INSERTED})
                 .where((Visit.id == visit.id) & (Visit.status == "planned")).execute())
    if not fulfilled:
        raise _PlanTaken()


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
