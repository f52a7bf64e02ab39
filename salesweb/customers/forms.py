"""The customer screens' forms, the customer picker's side of any form that names a customer (chosen,
asked_for, offer: other features' forms use them), and a list's owner filter (owner_filter)."""
from flask import abort, request
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, EmailField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from ..web.forms import Form, as_id, options
from ..core.i18n import _, _l, lazy_pgettext
from ..models import SOURCE_LABELS, STATUS_LABELS, STATUSES, TIERS, Customer
from . import importer as imports, queries

THING_NAME = lazy_pgettext("name of a thing", "Name")  # a customer's (名称), not a person's (姓名)
EXPORT_HEADERS = {"name": THING_NAME, "tier": _l("Tier"), "owner": _l("Owner"), "region": _l("Region"),
                  "industry": _l("Industry"), "status": _l("Status"), "source": _l("Source"), "phone": _l("Phone"),
                  "website": _l("Website"), "address": _l("Address"), "primary_contact": _l("Primary contact"),
                  "contact_phone": _l("Contact phone"), "last_visit": _l("Last visit"),
                  "next_visit_due": _l("Next visit due")}
SORT_LABELS = {"due": _l("Next visit due"), "name": THING_NAME, "last_visit": _l("Last visit"),
               "newest": _l("Newest")}

PHONE = Regexp(r"^[0-9０-９+\-() .,/#*转extEXT]{3,40}$", message=_l("Use digits, spaces and + - ( ) only."))
WEBSITE = Regexp(r"^(https?://)?[\w\-]+(\.[\w\-]+)+([/?#]\S*)?$", message=_l("Enter an address such as example.com."))
BY_REGION = "region"  # the owner choice "the region's rep" on a new customer


class CustomerForm(Form):
    name = StringField(THING_NAME, validators=[DataRequired(), Length(max=200)])
    industry = StringField(_l("Industry"), validators=[Optional(), Length(max=100)])
    region = StringField(_l("Region"), validators=[Optional(), Length(max=64)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    phone = StringField(_l("Phone"), validators=[Optional(), PHONE], render_kw={"inputmode": "tel"})
    website = StringField(_l("Website"), validators=[Optional(), Length(max=200), WEBSITE],
                          render_kw={"inputmode": "url"})
    source = SelectField(_l("Source"), choices=options(SOURCE_LABELS.items()), default="visit")
    status = SelectField(_l("Status"), choices=options(STATUS_LABELS.items()), default="prospect")
    owner = SelectField(_l("Owner"), coerce=lambda v: v if v == BY_REGION else as_id(v))
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])
    save_anyway = BooleanField(_l("Save anyway: it is a different company"))


class ContactForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    title = StringField(_l("Job title"), validators=[Optional(), Length(max=100)])
    phone = StringField(_l("Phone"), validators=[Optional(), PHONE], render_kw={"inputmode": "tel"})
    email = EmailField(_l("Email"), validators=[Optional(), Length(max=254), Email(_l("Enter a valid email address."))])
    wechat = StringField(_l("WeChat"), validators=[Optional(), Length(max=64)])
    is_primary = BooleanField(_l("Primary contact"))


class NoteForm(Form):
    body = TextAreaField(_l("Note"), validators=[DataRequired(), Length(max=5000)])


class TierLockForm(Form):
    tier = SelectField(_l("Tier"), choices=options((t, t) for t in TIERS))
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=300)])


class ReassignForm(Form):
    owner = SelectField(_l("New owner"), coerce=as_id)
    next = StringField()


class FilterForm(Form):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    owner = SelectField(_l("Owner"), default="", validate_choice=False)
    region = SelectField(_l("Region"), default="", validate_choice=False)
    status = SelectField(_l("Status"), choices=options([("", _l("Any status"))] + list(STATUS_LABELS.items())),
                         default="", validate_choice=False)
    sort = SelectField(_l("Sort"), choices=options(SORT_LABELS.items()), default="due", validate_choice=False)
    overdue = BooleanField(_l("Overdue only"))

    def criteria(self, tier):
        """What the service filters by; anything invalid is simply not applied."""
        return {
            "tier": tier,
            "q": (self.q.data or "").strip()[:100],
            "owner": as_id(self.owner.data or ""),
            "region": (self.region.data or "")[:64],
            "status": self.status.data if self.status.data in STATUSES else None,
            "sort": self.sort.data if self.sort.data in SORT_LABELS else "due",
            "overdue": bool(self.overdue.data),
        }


# the CSV import: upload, map columns, commit
DUPLICATE_CHOICES = (("skip", _l("Skip it")), ("update", _l("Update it")))


class UploadForm(Form):
    file = FileField(_l("File"), validators=[FileRequired(_l("Choose a CSV file."))])
    on_duplicate = SelectField(_l("When a customer already exists"), choices=options(DUPLICATE_CHOICES),
                               default="skip")


class CommitForm(Form):
    plan_key = HiddenField()


def mapping_form(header, mapping, on_duplicate):
    """One select per target field; the choices are the file's columns."""
    columns = [("", _l("Not imported"))] + [
        (str(i), title[:60] or _("Column %(n)d", n=i + 1)) for i, title in enumerate(header)]

    class MappingForm(Form):
        on_duplicate = SelectField(_l("When a customer already exists"), choices=options(DUPLICATE_CHOICES))

    for target in imports.TARGETS:
        setattr(MappingForm, target, SelectField(imports.LABELS[target], choices=options(columns)))
    data = {t: "" if mapping.get(t) is None else str(mapping[t]) for t in imports.TARGETS}
    return MappingForm(data={**data, "on_duplicate": on_duplicate})


# The customer picker in a form that names a customer: its `customer` field holds the id, `customer_name` the
# name typed beside it.
def chosen(form, keep_id=None):
    """The customer picked (hidden id) or typed (a name matching exactly one of the user's customers).
    `keep_id` (the customer of a record already found in the user's scope, never an id from the request) stays
    valid even if it has left the user's scope, and is the choice a form shows before anything is posted."""
    picked = form.customer.data
    if picked is None and request.method == "POST":
        typed = (request.form.get("customer_name") or "").strip()
        matches = list(queries.scope(current_user).where(Customer.name == typed).limit(2)) if typed else []
        picked = matches[0].id if len(matches) == 1 else None
    if picked is None and request.method == "GET":
        picked = keep_id
    if picked is None:
        return None
    if keep_id is not None and picked == keep_id:
        return Customer.get_or_none(Customer.id == picked)
    return queries.visible_customer(picked, current_user)


def asked_for(form):
    """The customer a link names (`?customer=<id>`), made the form's choice: one in the user's scope, else 404, so
    that no name outside it is ever filled in. None when the link names no customer."""
    customer_id = as_id(request.args.get("customer"))
    if customer_id is None:
        return None
    customer = queries.visible_customer(customer_id, current_user) or abort(404)
    form.customer.data = customer.id
    return customer


def owner_filter(field, owner_id):
    """A list's owner filter `field` as templates/_person_picker.html shows it: (the people in reach, None) when
    they are few, its choices set (leavers last, marked); else (None, the chosen owner shown in the picker)."""
    people = queries.people_listed(current_user, leavers=True)
    if people is None:
        return None, queries.person_in_reach(current_user, owner_id, leavers=True)
    leavers_last = sorted(people, key=lambda person: not person.active)
    field.choices = options([("", _("Anyone"))] + [
        (str(i), name if active else _("%(name)s (deactivated)", name=name)) for i, name, active in leavers_last])
    return people, None


def person_field(field, leading=(), keep=None, keep_name=None, empty=None):
    """A form's person field (who owns something) as templates/_person_picker.html shows it: (the people in reach,
    None) when they are few, its choices `leading` (value, label) pairs, the people, and the id `keep` (the current
    holder, named by `keep_name()` only when needed), kept even out of reach; else (None, the chosen {id, name})
    and a picker, its choices only `leading`, `keep` and the person its value names when in reach, so that
    validation refuses anyone else ("Not a valid choice") and nothing changes. `empty`: in a picker, what an
    empty value means (one of `leading`'s values; without it, `keep`). Call it with the field's value set."""
    people = queries.people_listed(current_user)
    if people is not None:
        pairs = [(i, name) for i, name, _active in people]
        if keep and keep not in {i for i, _name in pairs}:
            pairs.append((keep, keep_name()))
        field.choices = options(list(leading) + pairs)
        return people, None
    if field.data in ("", None):  # nothing chosen in the picker: `empty`, else whoever holds it stays
        field.data = field.coerce(empty) if empty is not None else keep
    found = queries.person_in_reach(current_user, field.data) if isinstance(field.data, int) else None
    pairs = list(leading)
    chosen = (found.id, found.name) if found else None
    if keep and (not found or found.id != keep):
        pairs.append((keep, keep_name()))
        chosen = chosen or (pairs[-1] if field.data == keep else None)
    field.choices = options(pairs + ([chosen] if found else []))
    if chosen is None:  # one of `leading` (the picker's text stays empty), or nobody
        special = next((value for value, _label in leading if field.coerce(value) == field.data), None)
        return None, {"id": special, "name": ""} if special is not None else None
    return None, {"id": chosen[0], "name": chosen[1]}


def offer(form, customer):
    """Show `customer` as the picker's current choice."""
    form.customer.data = customer.id if customer else None
    form.customer.choices = options([(customer.id, customer.name)] if customer else [])
