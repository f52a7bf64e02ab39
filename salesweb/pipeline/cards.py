"""Board cards: each written once for what it shows (salesweb/rows.py)."""
from ..rows import RowTemplate

CARD = RowTemplate("pipeline/_card.html", "id version title amount customer_name customer_tier owner_name "
                   "owner_initials days_in_stage next_step_due stale", look=("can_move", "oob"))


def board_cards(cards, can_move, oob=False):
    """The cards (services.pipeline.Card) as the board shows them, in order."""
    return CARD.write((CARD.Row(c.id, c.version, c.title, c.amount, c.customer_name, c.customer_tier, c.owner_name,
                                c.owner_initials, c.days_in_stage, c.next_step_due, c.stale) for c in cards),
                      can_move=bool(can_move), oob=bool(oob))
