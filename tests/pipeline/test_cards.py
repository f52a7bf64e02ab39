"""Board cards are kept by what they show: a change to any of it shows at once, in the reader's language."""
import re

from salesweb.models import Customer, Deal

EN, ZH = {"Accept-Language": "en"}, {"Accept-Language": "zh"}


def card_of(page, deal):
    return re.search(rf'<li class="card deal-card" id="deal-{deal.id}".*?</li>', page, re.S).group(0)


def test_a_kept_card_changes_with_what_it_shows(app, make, signed_in):
    client, rep = signed_in("rep", name="Rep One", team="East")
    deal = make.deal(rep, title="Pumps for Acme", amount=1200_00)
    first = card_of(client.get("/pipeline", headers=EN).get_data(as_text=True), deal)
    assert "Pumps for Acme" in first and "1,200" in first
    assert card_of(client.get("/pipeline", headers=EN).get_data(as_text=True), deal) == first  # kept, the same
    Deal.update(title="Valves for Acme", amount=3400_00).where(Deal.id == deal.id).execute()
    Customer.update(name="Acme Holdings").where(Customer.id == deal.customer_id).execute()
    changed = card_of(client.get("/pipeline", headers=EN).get_data(as_text=True), deal)
    assert "Valves for Acme" in changed and "3,400" in changed and "Acme Holdings" in changed
    assert "Pumps" not in changed


def test_a_kept_card_is_in_each_readers_language(app, make, signed_in):
    client, rep = signed_in("rep", name="Rep One", team="East")
    deal = make.deal(rep, title="Pumps")
    english = card_of(client.get("/pipeline", headers=EN).get_data(as_text=True), deal)
    chinese = card_of(client.get("/pipeline", headers=ZH).get_data(as_text=True), deal)
    assert "Move to" in english and "Move to" not in chinese and "移至" in chinese
