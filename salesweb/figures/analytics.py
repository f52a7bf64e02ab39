"""Figures by the table: what the ops analytics tabs show and what every table exports. Each table is computed by
the metrics service for a context (who looks, the period, the filters); the page and its CSV read the same
figures, so a number on screen and its cell in a file cannot disagree."""
import datetime
from collections import namedtuple
from dataclasses import dataclass, field
from functools import cached_property

from ..core.access import SEES_ALL
from ..web.forms import as_id
from ..web.pages import Page
from ..core.i18n import _l
from ..models import SOURCE_LABELS, SOURCES, TIERS
from ..expenses import queries as expenses
from ..customers import queries as customers
from . import metrics
from ..service import queries as service
from ..pipeline import queries as pipeline

TABS = {
    "performance": ("closed", "collection", "attainment", "funnel", "flow"),
    "activity": ("visits", "overdue", "new_customers", "costs"),
    "trends": ("trends", "forecast"),
    "outcomes": ("losses", "sources", "nps"),
}
TAB_LABELS = {"performance": _l("Performance"), "activity": _l("Activity"), "trends": _l("Trends and forecast"),
              "outcomes": _l("Won and lost")}
# A table of people shows this many at a time: a page of three hundred rows is neither read nor quick to write.
PEOPLE_PER_PAGE = 25


@dataclass
class Filters:
    period: metrics.Period
    team_id: int | None = None
    region: str = ""
    tier: str = ""
    source: str = ""

    def args(self):
        """The query string that asks for these filters again (empty ones left out)."""
        found = {"period": self.period.key, "team": self.team_id, "region": self.region, "tier": self.tier,
                 "source": self.source}
        return {key: value for key, value in found.items() if value}


def read_filters(args, user, today, teams, rolling=False):
    """The filters asked for, each one kept only when valid and within `user`'s reach (else not applied). With
    `rolling`, the period is the last 90 days unless a month, quarter or year is asked for."""
    team_id = as_id(args.get("team", ""))
    if team_id is not None and team_id not in {t.id for t in teams()}:
        team_id = None
    return Filters(metrics.Period.chosen(args.get("period"), args.get("kind"), today, rolling), team_id,
                   str(args.get("region", ""))[:64], args.get("tier") if args.get("tier") in TIERS else "",
                   args.get("source") if args.get("source") in SOURCES else "")


@dataclass
class Context:
    """Who looks, at what: the lists a table needs are read once, when first needed."""
    user: object
    filters: Filters
    today: datetime.date
    now: datetime.datetime
    settings: object
    locale: str = "en"
    figures: dict = field(default_factory=dict)
    page: int | None = None  # the page of a table of people shown; None: every row (a CSV)

    @cached_property
    def scope(self):
        f = self.filters
        return metrics.scope_for(self.user, f.team_id, None, f.region, f.tier, f.source)

    @cached_property
    def stages(self):
        return pipeline.stages()

    @cached_property
    def teams(self):
        return metrics.teams_within(self.user)

    @property
    def target_period(self):
        """Targets are set by month, quarter or year: over the last 90 days, attainment is this month's."""
        period = self.filters.period
        return metrics.Period.of("month", self.today) if period.kind == "days" else period

    @property
    def by_team(self):
        """Attainment is shown per team to those who see every team, until they pick one."""
        return self.user.role in SEES_ALL and not self.filters.team_id

    @cached_property
    def reps(self):
        return metrics.reps_within(self.user, self.filters.team_id)

    def table(self, name):
        if name not in self.figures:
            self.figures[name] = COMPUTE[name](self)
        return self.figures[name]


def _visits(c):
    """Per rep, done and verified visits in the period and the rate per week of it gone by, against the norm.
    `count()`: how many reps; `rows(offset, limit)`: the rows of some of them, by name (a page reads its own), or
    of all of them."""
    period = c.filters.period
    weeks = max(period.days * period.elapsed(c.today), 1) / 7
    last = min(period.end - datetime.timedelta(days=1), max(c.today, period.start))
    return {"weeks": weeks, "norm": c.settings["weekly_visit_norm_min"], "first": period.start, "last": last,
            "count": lambda: metrics.reps_in_view(c.user, c.filters.team_id),
            "rows": lambda offset=0, limit=None: metrics.visits_per_rep(
                c.user, c.filters.team_id, c.scope, period, c.settings, offset, limit)}


# A row of the cost of sales: read by attribute, a template's `row.spent` finds it at once (on a dict, Jinja tries
# the attribute and fails before the key, seven times a team's row: 31 teams on the xl data).
CostRow = namedtuple("CostRow", "team spent new won per_new per_won")


def _cost_row(team, spent, new, won):
    return CostRow(team, spent, new, won, expenses.per(spent, new), expenses.per(spent, won))


def _costs(c):
    """Per team in view (or the team chosen): spent on approved and paid claims in the period, new customers and
    won deals, and what each cost; with the total (team None)."""
    ids = [c.filters.team_id] if c.filters.team_id else [t.id for t in c.teams]
    rows = [_cost_row(name, spent, new, won)
            for _id, name, spent, new, won in expenses.costs(c.filters.period.start, c.filters.period.end, ids)]
    total = _cost_row(None, *(sum(getattr(r, k) for r in rows) for k in ("spent", "new", "won")))
    return {"rows": rows, "total": total}


COMPUTE = {
    "closed": lambda c: metrics.closed(c.scope, c.filters.period),
    "attainment": lambda c: (metrics.attainment_by_team(c.target_period, c.today, c.scope) if c.by_team
                             else metrics.attainment_table(c.user, c.target_period, c.today, c.scope, c.filters.team_id,
                                                           c.page, PEOPLE_PER_PAGE)),
    "funnel": lambda c: metrics.funnel(c.scope, c.today, c.now, c.stages),
    "flow": lambda c: metrics.stage_flow(c.scope, c.filters.period, c.settings, c.stages),
    "collection": lambda c: metrics.collection(c.scope, c.filters.period, c.today),
    "visits": _visits,
    "overdue": lambda c: metrics.overdue_by_tier(c.scope, c.today),
    "new_customers": lambda c: metrics.new_customers(c.scope, c.filters.period, c.settings),
    "trends": lambda c: metrics.trends(c.scope, c.today, c.settings),
    "forecast": lambda c: metrics.forecast(c.scope, c.today),
    "losses": lambda c: metrics.loss_reasons(c.scope, c.filters.period),
    "sources": lambda c: metrics.by_source(c.scope, c.filters.period),
    "costs": _costs,
    "nps": lambda c: {"all": service.nps_figures(c.scope, c.filters.period, c.settings),
                      "teams": service.nps_by_team(c.scope, c.filters.period, c.settings)},
}


def context_for(user, args, today, now, settings, locale, rolling=False, page=None):
    """The context a request asks for: its filters read from `args` (`rolling`: see read_filters); `page`: the page
    of its table of people shown (None: every row)."""
    found = Context(user, None, today, now, settings, locale, page=page)
    found.filters = read_filters(args, user, today, lambda: found.teams, rolling)
    return found


def tab(context, name):
    """{table name: figures} for one tab."""
    return {table: context.table(table) for table in TABS[name]}


def page_of(rows, number):
    """Page `number` of a table of people's rows (a web.pages.Page); its totals stay those of every row."""
    return Page(lambda offset, limit: rows[offset:offset + limit], number, PEOPLE_PER_PAGE, total=len(rows))


def page_of_table(table, number):
    """Page `number` of a table of attainment (metrics.Table): its rows as read, when read a page at a time (its
    count beyond them), else sliced."""
    if len(table.rows) == table.count:
        return page_of(table.rows, number)
    return Page(lambda _offset, _limit: table.rows, number, PEOPLE_PER_PAGE, total=table.count)


def people_page(name, figures, number):
    """The page of a tab's table of people (attainment per rep or team, visits per rep), or None for a tab without
    one."""
    if name == "performance":
        return page_of_table(figures["attainment"], number)
    if name == "activity":
        visits = figures["visits"]
        return Page(visits["rows"], number, PEOPLE_PER_PAGE, total=visits["count"]())
    return None


def visits_page(user, scope, period, settings, number):
    """Page `number` of the table of the visits of the active reps `user` looks at in the period: [(rep, done,
    verified)] of the page's reps, read with their sums (`metrics.visits_per_rep`), over how many reps there are."""
    return Page(lambda offset, limit: metrics.visits_per_rep(user, None, scope, period, settings, offset, limit),
                number, PEOPLE_PER_PAGE, total=metrics.reps_in_view(user))


def regions(user):
    return customers.regions(user)


# -- CSV: the same figures as rows. Money is written in major units with two decimals, rates as fractions. --------

def _money(minor):
    return f"{(minor or 0) / 100:.2f}"


def _rate(value):
    return "" if value is None else f"{value:.4f}"


def _csv_closed(c, figures):
    return ([_l("Won amount"), _l("Won deals"), _l("Lost deals"), _l("Win rate"), _l("Average deal"),
             _l("Average cycle (days)")],
            [[_money(figures["won_amount"]), figures["won_count"], figures["lost_count"], _rate(figures["win_rate"]),
              _money(figures["average_size"]) if figures["average_size"] is not None else "",
              "" if figures["cycle_days"] is None else f"{figures['cycle_days']:.1f}"]])


def _csv_attainment(c, figures):
    rows, total = figures.rows, figures.total
    by_team = c.by_team
    lines = [[_name(r), _money(r["won"]), r["won_count"], _money(r["target"]), _rate(r["attainment"]),
              _money(r["expected"]), _rate(r["pace"]), _money(r["counted"]) if r["target"] else "", _summed(r)]
             for r in rows]
    if rows:
        label = _l("Total") if total["covers"] != "some" else (
            _l("Total of teams with a target") if by_team else _l("Total of reps with a target"))
        lines.append([label, _money(total["won"]), total["won_count"], _money(total["target"]),
                      _rate(total["attainment"]), _money(total["expected"]), _rate(total["pace"]),
                      _money(total["counted"]) if total["target"] else "", ""])
        for amount, name in ((total["untargeted"], _l("Teams without a target") if by_team else
                              _l("Reps without a target")), (total["others"], _l("Managers' own deals"))):
            if amount:
                lines.append([name, _money(amount), "", "", "", "", "", "", _l("not in the total")])
    return ([_l("Team") if by_team else _l("Rep"), _l("Won"), _l("Won deals"), _l("Target"), _l("Attainment"),
             _l("Expected by today"), _l("Pace"), _l("Counted toward the target"), _l("Target from")], lines)


def _summed(row):
    """Where a row's target comes from, when it is not the period's own."""
    if not row["summed"]:
        return ""
    what, n, of = row["summed"]
    return _l("sum of %(n)d of %(of)d months", n=n, of=of) if what == "months" else \
        _l("sum of %(n)d of %(of)d members", n=n, of=of)


def _name(row):
    if "rep" in row:
        return row["rep"].name
    return row["team"].name if row["team"] else _l("No team")


def _csv_collection(c, figures):
    return ([_l("Due in the period"), _l("Received in the period"), _l("Collection rate"), _l("Overdue now")],
            [[_money(figures["due"]), _money(figures["received"]), _rate(figures["rate"]), _money(figures["overdue"])]])


def _csv_funnel(c, figures):
    return ([_l("Stage"), _l("Deals"), _l("Amount"), _l("Weighted"), _l("Stale")],
            [[r["stage"].name(c.locale), r["count"], _money(r["amount"]), _money(r["weighted"]), r["stale"]]
             for r in figures])


def _csv_flow(c, figures):
    return ([_l("Stage"), _l("Left the stage"), _l("Moved forward"), _l("Conversion"), _l("Average days")],
            [[r["stage"].name(c.locale), r["ended"], r["advanced"], _rate(r["conversion"]),
              "" if r["average_days"] is None else f"{r['average_days']:.1f}"] for r in figures])


def _csv_visits(c, figures):
    return ([_l("Rep"), _l("Visits"), _l("Verified on site"), _l("Visits per week"), _l("Weekly norm")],
            [[rep.name, done, verified, f"{done / figures['weeks']:.1f}", figures["norm"]]
             for rep, done, verified in figures["rows"]()])


def _csv_overdue(c, figures):
    return [_l("Tier"), _l("Customers overdue")], [[tier, figures[tier]] for tier in TIERS]


def _csv_new_customers(c, figures):
    return [_l("Period"), _l("New customers")], [[c.filters.period.dated_key, figures]]


def _csv_trends(c, figures):
    return ([_l("Month"), _l("Won amount"), _l("Won deals"), _l("New deals"), _l("Visits")],
            [[r["month"], _money(r["won_amount"]), r["won_count"], r["new_deals"], r["visits"]] for r in figures])


def _csv_forecast(c, figures):
    return ([_l("Expected close"), _l("Deals"), _l("Amount"), _l("Weighted")],
            [[month or _l("No date"), count, _money(amount), _money(weighted)] if month != "overdue" else
             [_l("Overdue"), count, _money(amount), _money(weighted)] for month, count, amount, weighted in figures])


def _csv_losses(c, figures):
    return ([_l("Loss reason"), _l("Deals"), _l("Amount")],
            [[reason.name(c.locale) if reason else _l("No reason given"), count, _money(amount)]
             for reason, count, amount in figures])


def _csv_sources(c, figures):
    return ([_l("Source"), _l("Won deals"), _l("Lost deals"), _l("Won amount"), _l("Win rate")],
            [[SOURCE_LABELS.get(source, source), won, lost, _money(amount), _rate(rate)]
             for source, won, lost, amount, rate in figures])


def _csv_costs(c, figures):
    return ([_l("Team"), _l("Spent"), _l("New customers"), _l("Won deals"), _l("Cost per new customer"),
             _l("Cost per won deal")],
            [[r.team or _l("All"), _money(r.spent), r.new, r.won, "" if r.per_new is None else _money(r.per_new),
              "" if r.per_won is None else _money(r.per_won)]
             for r in figures["rows"] + [figures["total"]]])


def _csv_nps(c, figures):
    rows = [(_l("All"), figures["all"])] + [(team or _l("No team"), row) for team, row in figures["teams"]]
    return ([_l("Team"), _l("NPS"), _l("Promoters"), _l("Passives"), _l("Detractors"), _l("Answers")],
            [[name, "" if row["nps"] is None else row["nps"], row["promoters"], row["passives"], row["detractors"],
              row["total"]] for name, row in rows])


CSV = {"closed": _csv_closed, "collection": _csv_collection, "attainment": _csv_attainment, "funnel": _csv_funnel, "flow": _csv_flow,
       "visits": _csv_visits, "overdue": _csv_overdue, "new_customers": _csv_new_customers, "trends": _csv_trends,
       "forecast": _csv_forecast, "losses": _csv_losses, "sources": _csv_sources, "nps": _csv_nps,
       "costs": _csv_costs}


def csv_table(context, name):
    """(header, rows) of one table, with text in the UI's language."""
    header, rows = CSV[name](context, context.table(name))
    return [str(h) for h in header], ([str(v) if hasattr(v, "__html__") else v for v in row] for row in rows)
