"""The board's column headers, counted by hand: how many deals, their amount and their probability-weighted amount
over every deal of the column in the user's scope (Won and Lost as much as the open stages). Read from the deals in
each stage per owner, a rollup the writes keep; under the close, tier and stale filters, over the deals themselves."""
import re

import pytest

from salesweb.models import LossReason, Stage
from salesweb.pipeline import rules as pipeline, stages

EN = {"Accept-Language": "en"}
COLUMNS = ("Prospecting", "Needs analysis", "Proposal", "Negotiation", "Won", "Lost")


def stage(name):
    return Stage.get(Stage.name_en == name)


def heads(client, query=""):
    """{column: (count, amount, weighted amount or None)} as the board's headers show them."""
    page = client.get(f"/pipeline{query}", headers=EN).get_data(as_text=True)
    found = {}
    for name in COLUMNS:
        block = page.split(f'id="column-{stage(name).id}-head"', 1)[1].split("</header>", 1)[0]
        weighted = re.search(r'class="column-weighted"[^>]*>≈ ([^<]+)<', block)
        found[name] = (int(re.search(r'class="column-count"[^>]*>(\d+)<', block).group(1)),
                       re.search(r'class="column-amount">([^<]+)<', block).group(1),
                       weighted.group(1) if weighted else None)
    return found


def nothing_but(**columns):
    empty = {name: (0, "0", None if name in ("Won", "Lost") else "0") for name in COLUMNS}
    return {**empty, **columns}


@pytest.fixture
def east(app, make, signed_in):
    boss_client, boss = signed_in("manager", name="Boss", team="East")
    rep_client, rep = signed_in("rep", name="Rep One", team="East")
    other_client, other = signed_in("rep", name="Rep West", team="West")
    support_client, _ = signed_in("support")
    return dict(boss=boss, boss_client=boss_client, rep=rep, rep_client=rep_client, other=other,
                other_client=other_client, support_client=support_client)


def test_headers_count_sum_and_weigh_the_deals_in_scope(app, make, east):
    boss, rep, other = east["boss"], east["rep"], east["other"]
    assert heads(east["boss_client"]) == nothing_but()  # no deals: every column at zero
    # 1.05 at 10% twice and 333.33 at 33% (set by hand): 0.105 + 0.105 + 109.99989 weighs 110.20, summed and then
    # rounded down (each rounded on its own would make 110.19)
    make.deal(rep, title="Small one", amount=105)
    make.deal(rep, title="Small two", amount=105)
    make.deal(rep, title="Own guess", amount=333_33, probability=33)
    make.deal(boss, title="The manager's own", amount=500_00, stage=stage("Proposal"))  # a manager among reps
    make.deal(other, title="West's", amount=900_00, stage=stage("Proposal"))
    ours = nothing_but(Prospecting=(3, "335.43", "110.20"), Proposal=(1, "500", "250"))
    assert heads(east["boss_client"]) == ours
    assert heads(east["rep_client"]) == nothing_but(Prospecting=(3, "335.43", "110.20"))
    assert heads(east["other_client"]) == nothing_but(Proposal=(1, "900", "450"))
    assert heads(east["support_client"]) == nothing_but(Prospecting=(3, "335.43", "110.20"),
                                                        Proposal=(2, "1,400", "700"))
    # the owner filter narrows the rollup to one person; "mine" is the manager's own
    assert heads(east["boss_client"], f"?owner={rep.id}") == nothing_but(Prospecting=(3, "335.43", "110.20"))
    assert heads(east["boss_client"], "?owner=mine") == nothing_but(Proposal=(1, "500", "250"))
    # someone outside the manager's scope is not theirs to see, filter or not
    assert heads(east["boss_client"], f"?owner={other.id}") == nothing_but()
    # the tier filter reads the deals themselves: every customer here is tier C
    assert heads(east["boss_client"], "?tier=C") == ours
    assert heads(east["boss_client"], "?tier=A") == nothing_but()


def test_headers_follow_every_write_that_moves_them(app, make, east):
    boss, rep, other, ops = east["boss"], east["rep"], east["other"], make.user("ops")
    sold = make.deal(rep, title="Sold", amount=1_000_00)
    gone = make.deal(rep, title="Gone", amount=2_000_00, stage=stage("Proposal"))
    guessed = make.deal(rep, title="Guessed", amount=3_000_00, stage=stage("Proposal"), probability=20)
    handed = make.deal(rep, title="Handed on", amount=4_000_00, stage=stage("Negotiation"))
    assert heads(east["boss_client"]) == nothing_but(
        Prospecting=(1, "1,000", "100"), Proposal=(2, "5,000", "1,600"), Negotiation=(1, "4,000", "3,000"))
    # won for another amount, lost with a reason: closed deals count in Won and Lost, at their closing amount
    pipeline.move(sold, stage("Won"), sold.version, boss, amount=1_200_00)
    pipeline.move(gone, stage("Lost"), gone.version, boss, lost_reason=LossReason.select().first())
    # Proposal now weighs 60%, but not the deal whose probability was set by hand
    proposal = stage("Proposal")
    stages.edit(proposal, {"name_en": proposal.name_en, "name_zh": proposal.name_zh, "probability": 60,
                           "kind": "open", "rotting_days": proposal.rotting_days}, ops)
    # a deal handed to someone outside the team leaves the manager's board; a new amount counts at once
    pipeline.edit(handed, {"title": handed.title, "amount": handed.amount}, handed.customer, other, handed.version,
                  ops)
    pipeline.edit(guessed, {"title": guessed.title, "amount": 2_500_00, "probability": 20}, guessed.customer, rep,
                  guessed.version, ops)
    assert heads(east["boss_client"]) == nothing_but(Proposal=(1, "2,500", "500"), Won=(1, "1,200", None),
                                                     Lost=(1, "2,000", None))
    assert heads(east["other_client"]) == nothing_but(Negotiation=(1, "4,000", "3,000"))
