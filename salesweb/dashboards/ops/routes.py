from flask_login import current_user

from ...figures import exports as figures
from ...models import SOURCE_LABELS
from ...figures import analytics
from ...figures.metrics import ROLLING
from ...web.pages import is_fragment_request, page_number, render
from .blueprint import bp


@bp.get("/", defaults={"tab": "performance"})
@bp.get("/<any(activity, trends, outcomes):tab>")
def home(tab):
    """Analytics for any period, team, region, tier and source: one tab of figures; a filter change swaps the
    figures only (the lists the filters offer are read for a whole page)."""
    context = figures.context(page_number())
    choices = {} if is_fragment_request() else {
        "teams": context.teams, "regions": analytics.regions(current_user)}
    shown = analytics.tab(context, tab)
    return render("ops/home.html", block="figures", tab=tab, tabs=analytics.TAB_LABELS, context=context,
                  filters=context.filters, period=context.filters.period, figures_=shown,
                  people=analytics.people_page(tab, shown, page_number()), source_labels=SOURCE_LABELS,
                  rolling=ROLLING, **choices)


bp.add_url_rule("/export/<name>.csv", "export", figures.export)
