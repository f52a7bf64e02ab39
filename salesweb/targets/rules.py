"""Setting targets: last year's actual as the starting point, a team's target split across its reps, the sheet saved
at once. Amounts are integer minor units throughout; forms.posted reads the amounts typed. The sheet as it stands
(last year's actual and the targets set) is read by metrics.target_sheet."""
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ..core.db import db, utcnow
from ..core.i18n import _l
from ..models import Target
from ..core import audit
from ..core.errors import Invalid
from ..core.money import LARGEST, amount_text, parse_amount, split  # noqa: F401 (parse_amount: the sheet's cells are amounts)

GROWTH_RANGE = (Decimal(-100), Decimal(1000))


@dataclass
class Line:
    """One rep's or one team's row on the sheet: `field` is its input's name; `parts`: for a quarter or year, what
    the targets set for its months (and quarters) add up to, as (amount, months covered, months in the period)."""
    field: str
    name: str
    last_year: int
    target: int | None
    parts: tuple | None = None


@dataclass
class Group:
    """A team (or None: reps without one) with its own line and its reps' lines."""
    team: object
    line: Line | None
    reps: list = field(default_factory=list)


def lines(groups):
    """Every line of the sheet, teams and reps, by field name."""
    found = {}
    for group in groups:
        for line in ([group.line] if group.line else []) + group.reps:
            found[line.field] = line
    return found


def parse_growth(text):
    """The growth % as a Decimal; Invalid for anything but a number from -100 to 1000."""
    try:
        growth = Decimal(str(text or "0").strip().replace("%", "").replace(",", "."))
    except InvalidOperation:
        growth = None
    if growth is None or not growth.is_finite() or not GROWTH_RANGE[0] <= growth <= GROWTH_RANGE[1]:
        raise Invalid({"growth": _l("Enter a growth from -100 to 1000 %.")})
    return growth


def suggestion(last_year, growth):
    """Last year's actual × (1 + growth %), to the minor unit, halves rounded up."""
    return int((Decimal(last_year) * (100 + growth) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def check(groups, values):
    """{field: message} for a sheet whose rep targets do not add up to their team's target. A team target with
    no rep targets, or reps with no team target, is fine; both set, they must agree."""
    errors = {}
    for group in groups:
        if group.line is None or values.get(group.line.field) is None:
            continue
        given = [values[r.field] for r in group.reps if values.get(r.field) is not None]
        if given and sum(given) != values[group.line.field]:
            errors[group.line.field] = _l("The reps' targets add up to %(sum)s, not the team's %(team)s.",
                                          sum=amount_text(sum(given)), team=amount_text(values[group.line.field]))
    return errors


def save(user, period, groups, values):
    """Write the sheet: each changed line is created, updated or (blank) removed, and audited, in one transaction.
    `values` are {field: minor units or None} for the sheet's lines; others are refused. Returns the count changed."""
    known = lines(groups)
    unknown = set(values) - set(known)
    if unknown:
        raise Invalid({None: _l("That rep or team is not yours to set a target for.")})
    errors = check(groups, values)
    if errors:
        raise Invalid(errors)
    changed = 0
    with db.atomic():
        for name, amount in values.items():
            line = known[name]
            if amount == line.target:
                continue
            kind, _, ident = name.partition("-")
            owner = {"user": int(ident)} if kind == "user" else {"team": int(ident)}
            where = ((Target.user == owner["user"]) if kind == "user" else (Target.team == owner["team"])) \
                & (Target.period == period.kind) & (Target.starts_on == period.start)
            before = amount_text(line.target) if line.target is not None else "—"
            after = amount_text(amount) if amount is not None else "—"
            summary = f"target {period.key} {line.name}: {before} → {after}"
            existing = Target.get_or_none(where)
            if amount is None:
                if existing is None:  # already gone
                    continue
                existing.delete_instance()
                audit.record("delete", user, existing, summary)
            elif existing:
                existing.amount, existing.set_by, existing.updated_at = amount, user.id, utcnow()
                existing.save()
                audit.record("edit", user, existing, summary)
            else:
                audit.record("create", user, Target.create(period=period.kind, starts_on=period.start, amount=amount,
                                                           set_by=user.id, **owner), summary)
            changed += 1
    return changed


def fill(action, groups, values, growth):
    """What a helper button writes into the sheet, {field: minor units}: "suggest" fills every empty line that has
    a last-year figure, "use:<field>" one line, "even:<team field>" and "share:<team field>" split a team's
    target across its reps. Invalid when the figures it needs are missing."""
    known = lines(groups)
    how, _, name = action.partition(":")
    if how in ("suggest", "use"):
        if growth is None:
            raise Invalid({"growth": _l("Enter a growth from -100 to 1000 %.")})
        wanted = [name] if how == "use" and name in known else [
            f for f, line in known.items() if how == "suggest" and values.get(f) is None and line.last_year]
        return {f: suggestion(known[f].last_year, growth) for f in wanted}
    group = next((g for g in groups if g.line is not None and g.line.field == name), None)
    if how not in ("even", "share") or group is None or not group.reps:
        return {}
    if values.get(name) is None:
        raise Invalid({name: _l("Enter the team's target first, then split it.")})
    weights = [1] * len(group.reps) if how == "even" else [r.last_year for r in group.reps]
    return dict(zip((r.field for r in group.reps), split(values[name], weights)))


def handle(user, period, groups, sheet):
    """A posted sheet (a forms.PostedSheet). Save: (None, count saved). A helper button, or refused input: (the
    sheet to show again as {texts, errors, growth text, growth}, None); nothing is written then."""
    texts, values, errors = dict(sheet.texts), dict(sheet.values), dict(sheet.errors)
    growth_text = sheet.growth_text
    try:
        growth = parse_growth(growth_text)
    except Invalid as refused:
        errors.update(refused.errors)
        growth = None
    action = sheet.action
    try:
        if action == "save" and not errors:
            return None, save(user, period, groups, values)
        if action != "save":
            for name, amount in fill(action, groups, values, growth).items():
                texts[name], values[name] = amount_text(amount), amount
                errors.pop(name, None)
    except Invalid as refused:
        errors.update(refused.errors)
    return _state(groups, texts, errors, growth_text, growth, values), None


def shown(groups, growth_text="10"):
    """The sheet as stored, ready to edit."""
    known = lines(groups)
    values = {name: line.target for name, line in known.items()}
    try:
        growth = parse_growth(growth_text)
    except Invalid:
        growth_text, growth = "10", Decimal(10)
    return _state(groups, {name: amount_text(v) if v is not None else "" for name, v in values.items()}, {},
                  growth_text, growth, values)


def _state(groups, texts, errors, growth_text, growth, values):
    """What the sheet's template shows: the typed texts and their errors, and per line the suggestion."""
    suggested = {} if growth is None else {
        name: suggestion(line.last_year, growth) for name, line in lines(groups).items() if line.last_year}
    return {"texts": texts, "errors": errors, "growth_text": growth_text, "suggested": suggested,
            "growth_label": None if growth is None else format(growth.normalize(), "f"),
            "sums": sums(groups, values)}


def sums(groups, values):
    """{team field: (sum of its reps' targets given, how many given)}."""
    return {g.line.field: (sum(values.get(r.field) or 0 for r in g.reps),
                           sum(1 for r in g.reps if values.get(r.field) is not None))
            for g in groups if g.line is not None}
