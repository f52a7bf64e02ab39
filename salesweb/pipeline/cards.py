"""Board cards and columns, each written from what it shows (salesweb/web/rows.py), and the owner filter's
options."""
from markupsafe import Markup, escape

from ..core.i18n import _, locale_name
from ..web.rows import RowTemplate

CARD = RowTemplate("pipeline/_card.html", "id version title amount customer_name customer_tier owner_name "
                   "owner_initials days_in_stage next_step_due stale", look=("can_move", "oob"))


def board_cards(cards, can_move, oob=False):
    """The cards (queries.Card) as the board shows them, in order."""
    return CARD.write((CARD.Row(c.id, c.version, c.title, c.amount, c.customer_name, c.customer_tier, c.owner_name,
                                c.owner_initials, c.days_in_stage, c.next_step_due, c.stale) for c in cards),
                      can_move=bool(can_move), oob=bool(oob))


COLUMN = RowTemplate("pipeline/_column.html", "stage_id name kind count amount weighted more filter_values cards",
                     look=("can_move", "per_column", "oob"), macros={"parts": "pipeline/_column_parts.html"})


def board_columns(columns, can_move, per_column, filter_values, oob=False):
    """The columns (queries.Column) with their first cards, as the board shows them."""
    locale, filters = locale_name(), tuple(sorted(filter_values.items()))
    return COLUMN.write((COLUMN.Row(c.stage.id, c.stage.name(locale), c.stage.kind, c.count, c.amount, c.weighted,
                                    c.more, filters, board_cards(c.cards, can_move)) for c in columns),
                        can_move=bool(can_move), per_column=per_column, oob=bool(oob))


def owner_options(people, chosen):
    """The owner filter's <option>s as WTForms' select writes them: everyone in scope, the user's own, then each
    person ((id, name), by name); `chosen` (the filter's value as sent) is selected. Written in one pass: a
    director's list holds everyone, and through the form's choices each option took 2 µs."""
    pairs = [("", _("Everyone I can see")), ("mine", _("Mine"))] + [(str(i), name) for i, name in people]
    return Markup("".join(f'<option selected value="{escape(value)}">{escape(label or value)}</option>' if value == chosen
                          else f'<option value="{escape(value)}">{escape(label or value)}</option>' for value, label in pairs))
