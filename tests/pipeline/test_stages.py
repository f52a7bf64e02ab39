"""Ops configure the pipeline: stages (edit, add, reorder, delete, merge) and loss reasons, through the web."""
import pytest

from salesweb.models import AuditEvent, Deal, LossReason, Stage, StageChange
from salesweb.pipeline import rules as pipeline, stages
from salesweb.core.errors import Invalid, Stale
from tests.conftest import count_queries, csrf_token, post

EN = {"Accept-Language": "en"}


def stage(name):
    return Stage.get(Stage.name_en == name)


def order():
    return [s.name_en for s in Stage.select().order_by(Stage.position)]


def positions():
    return [s.position for s in Stage.select().order_by(Stage.position)]


def column(name):
    return [d.title for d in Deal.select().where(Deal.stage == stage(name)).order_by(Deal.position, Deal.id)]


def fresh(deal):
    return Deal.get_by_id(deal.id)


def snapshot():
    """Every stage and loss reason as stored: a refused change must leave this as it was."""
    return (list(Stage.select().order_by(Stage.id).tuples()),
            list(LossReason.select().order_by(LossReason.id).tuples()),
            list(Deal.select(Deal.id, Deal.stage, Deal.position, Deal.probability, Deal.version).tuples()))


def stage_values(s, **changes):
    values = {"name_en": s.name_en, "name_zh": s.name_zh, "probability": str(s.probability), "kind": s.kind,
              "rotting_days": "" if s.rotting_days is None else str(s.rotting_days)}
    return {**values, **changes}


@pytest.fixture
def ops(app, signed_in):
    return signed_in("ops", name="Olga Ops")


@pytest.fixture
def rep(app, make):
    return make.user("rep", name="Rita Rep", team="East")


def send(client, url, data=None):
    return post(client, url, data, headers=EN, token_from="/ops/stages")


def test_the_page_lists_stages_in_order_with_their_deal_counts_in_constant_queries(app, make, ops, rep):
    client, _ = ops
    make.deal(rep, stage=stage("Proposal"))
    with count_queries() as few:
        page = client.get("/ops/stages", headers=EN)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert [body.index(f">{name}<") for name in order()] == sorted(body.index(f">{name}<") for name in order())
    assert "方案报价" in body and 'data-label="Deals">1<' in body and 'data-label="Deals">0<' in body
    for _ in range(6):
        make.deal(rep, stage=stage("Negotiation"))
    with count_queries() as many:
        body = client.get("/ops/stages", headers=EN).get_data(as_text=True)
    assert len(many) == len(few) and 'data-label="Deals">6<' in body


def test_editing_a_stage_moves_the_probability_of_deals_that_follow_it(app, make, ops, rep):
    client, user = ops
    proposal = stage("Proposal")
    follows = make.deal(rep, title="Follows", stage=proposal)
    own = make.deal(rep, title="Own", stage=proposal, probability=80)
    elsewhere = make.deal(rep, title="Elsewhere", stage=stage("Negotiation"))
    assert (follows.probability, own.probability, own.probability_overridden) == (50, 80, True)
    assert "except those whose owner set their own" in client.get(f"/ops/stages/{proposal.id}",
                                                                   headers=EN).get_data(as_text=True)
    response = send(client, f"/ops/stages/{proposal.id}", stage_values(
        proposal, name_en="Quote sent", name_zh="已报价", probability="60", rotting_days="5"))
    assert response.status_code == 302
    stored = Stage.get_by_id(proposal.id)
    assert (stored.name_en, stored.name_zh, stored.probability, stored.rotting_days) == \
        ("Quote sent", "已报价", 60, 5)
    assert fresh(follows).probability == 60 and fresh(own).probability == 80
    assert fresh(elsewhere).probability == 75
    event = AuditEvent.select().where(AuditEvent.action == "edit").order_by(AuditEvent.id.desc()).get()
    assert event.actor_id == user.id and event.object_type == "stage" and "probability 50 → 60" in event.summary


def test_bad_stage_input_is_shown_in_the_form_and_changes_nothing(app, make, ops, rep):
    client, _ = ops
    proposal = stage("Proposal")
    make.deal(rep, stage=proposal)
    before = snapshot()
    response = send(client, f"/ops/stages/{proposal.id}", stage_values(
        proposal, name_en="  ", name_zh="x" * 61, probability="150", rotting_days="0"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "This field is required." in page and "Enter a percentage from 0 to 100." in page
    assert "Enter a number of days from 1 to 365, or leave it empty." in page and 'value="' + "x" * 61 + '"' in page
    response = send(client, f"/ops/stages/{proposal.id}", stage_values(proposal, name_en="negotiation"))
    assert response.status_code == 422 and "Another stage already has this name." in response.get_data(as_text=True)
    response = send(client, "/ops/stages", {"name_en": "Demo", "name_zh": "", "probability": "abc", "kind": "maybe",
                                            "rotting_days": "400"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="Demo"' in page and "This field is required." in page and 'aria-invalid="true"' in page
    assert snapshot() == before
    assert not AuditEvent.select().where(AuditEvent.object_type == "stage").exists()


def test_a_new_open_stage_goes_after_the_last_open_one_and_won_lost_never_rot(app, ops):
    client, _ = ops
    response = send(client, "/ops/stages", {"name_en": "Trial", "name_zh": "试用", "probability": "60",
                                            "kind": "open", "rotting_days": "7"})
    assert response.status_code == 302
    assert order() == ["Prospecting", "Needs analysis", "Proposal", "Negotiation", "Trial", "Won", "Lost"]
    assert positions() == list(range(7))
    assert (stage("Trial").probability, stage("Trial").rotting_days, stage("Trial").kind) == (60, 7, "open")
    assert "Stage “Trial” added." in client.get("/ops/stages", headers=EN).get_data(as_text=True)
    won = stage("Won")
    assert send(client, f"/ops/stages/{won.id}", stage_values(won, rotting_days="9")).status_code == 302
    assert stage("Won").rotting_days is None


def test_the_pipeline_always_has_one_won_one_lost_and_an_open_stage(app, ops):
    client, user = ops
    before = snapshot()
    response = send(client, "/ops/stages", {"name_en": "Won again", "name_zh": "又成交", "probability": "100",
                                            "kind": "won", "rotting_days": ""})
    assert response.status_code == 422
    assert "The pipeline needs exactly one won stage." in response.get_data(as_text=True)
    lost = stage("Lost")
    response = send(client, f"/ops/stages/{lost.id}", stage_values(lost, kind="open"))
    assert response.status_code == 422
    assert "The pipeline needs exactly one lost stage." in response.get_data(as_text=True)
    proposal = stage("Proposal")
    response = send(client, f"/ops/stages/{proposal.id}", stage_values(proposal, kind="won"))
    assert response.status_code == 422 and "exactly one won stage" in response.get_data(as_text=True)
    for kind in ("won", "lost"):
        response = send(client, f"/ops/stages/{Stage.get(Stage.kind == kind).id}/delete")
        assert response.status_code == 422
    assert snapshot() == before
    for name in ("Prospecting", "Needs analysis", "Proposal"):
        stages.delete(stage(name), by=user)
    last_open = stage("Negotiation")
    response = send(client, f"/ops/stages/{last_open.id}/delete")
    assert response.status_code == 422
    assert "The pipeline needs at least one open stage." in response.get_data(as_text=True)
    with pytest.raises(Invalid) as refused:
        stages.edit(last_open, {**stage_values(last_open, kind="lost", probability=75)}, by=user)
    assert "kind" in refused.value.errors
    assert order() == ["Negotiation", "Won", "Lost"] and positions() == [0, 1, 2]


def test_reorder_swaps_neighbours_and_open_stages_stay_before_won_and_lost(app, ops):
    client, _ = ops
    assert send(client, f"/ops/stages/{stage('Proposal').id}/move", {"direction": "up"}).status_code == 302
    assert order() == ["Prospecting", "Proposal", "Needs analysis", "Negotiation", "Won", "Lost"]
    assert send(client, f"/ops/stages/{stage('Prospecting').id}/move", {"direction": "down"}).status_code == 302
    assert order() == ["Proposal", "Prospecting", "Needs analysis", "Negotiation", "Won", "Lost"]
    assert send(client, f"/ops/stages/{stage('Won').id}/move", {"direction": "down"}).status_code == 302
    assert order() == ["Proposal", "Prospecting", "Needs analysis", "Negotiation", "Lost", "Won"]
    before = snapshot()
    for name, direction, message in (("Negotiation", "down", "Open stages come before Won and Lost."),
                                     ("Lost", "up", "Open stages come before Won and Lost."),
                                     ("Proposal", "up", "This stage is already first."),
                                     ("Won", "down", "This stage is already last."),
                                     ("Won", "sideways", "Move a stage up or down.")):
        response = send(client, f"/ops/stages/{stage(name).id}/move", {"direction": direction})
        assert response.status_code == 422 and message in response.get_data(as_text=True), (name, direction)
    assert snapshot() == before and positions() == list(range(6))
    page = client.get("/ops/stages", headers=EN).get_data(as_text=True)
    assert "Move Negotiation up" in page and "Move Negotiation down" not in page and "Move Lost up" not in page


def test_a_stage_with_deals_cannot_be_deleted_and_an_empty_one_can(app, make, ops, rep):
    client, user = ops
    deal = make.deal(rep, stage=stage("Needs analysis"))
    page = client.get("/ops/stages", headers=EN).get_data(as_text=True)
    assert "Delete Needs analysis" not in page and "Delete Proposal" in page and "Delete Won" not in page
    before = snapshot()
    response = send(client, f"/ops/stages/{stage('Needs analysis').id}/delete")
    assert response.status_code == 422
    assert "This stage has deals: merge it into another stage instead." in response.get_data(as_text=True)
    assert snapshot() == before and fresh(deal).stage_id == stage("Needs analysis").id
    proposal_id = stage("Proposal").id
    response = send(client, f"/ops/stages/{proposal_id}/delete")
    assert response.status_code == 302
    assert Stage.get_or_none(Stage.id == proposal_id) is None
    assert order() == ["Prospecting", "Needs analysis", "Negotiation", "Won", "Lost"] and positions() == list(range(5))
    event = AuditEvent.get((AuditEvent.action == "delete") & (AuditEvent.object_id == proposal_id))
    assert event.actor_id == user.id and "Proposal" in event.summary
    assert send(client, f"/ops/stages/{proposal_id}/delete").status_code == 404


def test_merge_moves_every_deal_keeps_its_history_whole_and_deletes_the_stage(app, make, ops, rep):
    client, user = ops
    needs, proposal = stage("Needs analysis"), stage("Proposal")
    already = make.deal(rep, title="Already", stage=proposal)
    first = make.deal(rep, title="First", stage=needs)
    second = make.deal(rep, title="Second", stage=needs, probability=90)
    third = make.deal(rep, title="Third", stage=needs)
    pipeline.move(third, needs, third.version, rep, after_id=first.id)  # Third above First in its column
    third = fresh(third)
    before = {d.id: fresh(d).version for d in (first, second, third, already)}
    page = client.get("/ops/stages", headers=EN).get_data(as_text=True)
    assert 'for="merge-%d"' % needs.id in page
    won_option = f'<option value="{stage("Won").id}">'
    assert won_option not in page.split(f'id="merge-{needs.id}"', 1)[1].split("</select>", 1)[0]

    response = send(client, f"/ops/stages/{needs.id}/merge", {"into": str(proposal.id)})
    assert response.status_code == 302
    assert Stage.get_or_none(Stage.id == needs.id) is None
    assert column("Proposal") == ["Already", "Third", "First", "Second"]
    assert order() == ["Prospecting", "Proposal", "Negotiation", "Won", "Lost"] and positions() == list(range(5))
    for deal in (first, second, third):
        assert fresh(deal).version == before[deal.id] + 1 and fresh(deal).updated_by_id == user.id
    assert fresh(already).version == before[already.id]
    assert (fresh(first).probability, fresh(second).probability, fresh(third).probability) == (50, 90, 50)
    # The deals' creation in the merged stage now reads as creation in the stage it became, at its real time.
    created = {c.deal_id: c for c in StageChange.select().where(StageChange.from_stage.is_null())}
    assert {created[d.id].to_stage_id for d in (first, second, third, already)} == {proposal.id}
    assert created[first.id].at == fresh(first).created_at
    assert not StageChange.select().where(StageChange.by == user.id).exists()  # a merge is not a move
    assert StageChange.select().count() == 4  # the four creations; a reorder within a column writes none
    assert AuditEvent.select().where((AuditEvent.action == "delete") & (AuditEvent.object_id == needs.id)
                                     & AuditEvent.summary.contains("3 deals")).exists()
    assert "3 deals moved" in client.get("/ops/stages", headers=EN).get_data(as_text=True)
    # An open board still holding the old version sees a conflict instead of moving stale data.
    with pytest.raises(Stale):
        pipeline.move(first, stage("Negotiation"), before[first.id], rep)


def test_merging_into_another_kind_or_itself_is_refused_and_changes_nothing(app, make, ops, rep):
    client, user = ops
    proposal = stage("Proposal")
    make.deal(rep, stage=proposal)
    before = snapshot()
    for into, message in ((stage("Won").id, "A stage can only be merged into a stage of the same kind."),
                          (proposal.id, "Choose another stage to merge into."),
                          ("999", "Choose a stage to merge into."), ("", "Choose a stage to merge into."),
                          ("99999999999999999999", "Choose a stage to merge into."),
                          ("abc", "Choose a stage to merge into.")):
        response = send(client, f"/ops/stages/{proposal.id}/merge", {"into": str(into)})
        assert response.status_code == 422 and message in response.get_data(as_text=True), into
    with pytest.raises(Invalid):
        stages.merge(stage("Lost"), stage("Won"), by=user)
    assert snapshot() == before
    assert not StageChange.select().where(StageChange.by == user.id).exists()


def test_loss_reasons_are_added_renamed_and_a_deactivated_one_cannot_be_chosen(app, make, ops, rep):
    client, user = ops
    response = send(client, "/ops/loss-reasons", {"name_en": "Went silent", "name_zh": "失联"})
    assert response.status_code == 302
    silent = LossReason.get(LossReason.name_en == "Went silent")
    assert silent.active and silent.position == LossReason.select().count() - 1
    response = send(client, f"/ops/loss-reasons/{silent.id}", {"name_en": "No response", "name_zh": "无回应"})
    assert response.status_code == 302
    renamed = LossReason.get_by_id(silent.id)
    assert (renamed.name_en, renamed.name_zh) == ("No response", "无回应")

    price = LossReason.get(LossReason.name_en == "Price")
    earlier = make.deal(rep, title="Earlier")
    pipeline.lose(earlier, earlier.version, rep, price)
    assert send(client, f"/ops/loss-reasons/{price.id}/active", {"active": "0"}).status_code == 302
    assert not LossReason.get_by_id(price.id).active
    assert fresh(earlier).lost_reason_id == price.id  # deals lost for it keep it
    later = make.deal(rep, title="Later")
    with pytest.raises(Invalid) as refused:
        pipeline.lose(later, later.version, rep, price)
    assert "lost_reason" in refused.value.errors and fresh(later).stage_id == stage("Prospecting").id
    assert AuditEvent.select().where((AuditEvent.action == "deactivate") & (AuditEvent.object_id == price.id)
                                     & (AuditEvent.actor == user.id)).exists()
    page = client.get("/ops/stages", headers=EN).get_data(as_text=True)
    assert "Reactivate Price" in page and "Deactivate No response" in page

    assert send(client, f"/ops/loss-reasons/{price.id}/active", {"active": "1"}).status_code == 302
    pipeline.lose(later, later.version, rep, price)
    assert fresh(later).lost_reason_id == price.id


def test_bad_loss_reason_input_is_refused_and_the_last_active_reason_stays(app, ops):
    client, user = ops
    before = snapshot()
    response = send(client, "/ops/loss-reasons", {"name_en": "Went silent", "name_zh": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "This field is required." in page and 'value="Went silent"' in page
    response = send(client, "/ops/loss-reasons", {"name_en": " price ", "name_zh": "太贵"})
    assert response.status_code == 422 and "Another reason already has this name." in response.get_data(as_text=True)
    timing = LossReason.get(LossReason.name_en == "Timing")
    response = send(client, f"/ops/loss-reasons/{timing.id}", {"name_en": "x" * 81, "name_zh": "时机"})
    assert response.status_code == 422 and "<details open>" in response.get_data(as_text=True)
    assert snapshot() == before
    for reason in LossReason.select().where(LossReason.id != timing.id):
        stages.set_reason_active(reason, False, by=user)
    response = send(client, f"/ops/loss-reasons/{timing.id}/active", {"active": "0"})
    assert response.status_code == 422
    assert "Keep at least one active reason" in response.get_data(as_text=True)
    assert LossReason.get_by_id(timing.id).active


def test_loss_reasons_can_be_reordered(app, ops):
    client, _ = ops
    names = lambda: [r.name_en for r in LossReason.select().order_by(LossReason.position)]  # noqa: E731
    first, second = names()[:2]
    assert send(client, f"/ops/loss-reasons/{LossReason.get(LossReason.name_en == second).id}/move",
                {"direction": "up"}).status_code == 302
    assert names()[:2] == [second, first]
    response = send(client, f"/ops/loss-reasons/{LossReason.get(LossReason.name_en == second).id}/move",
                    {"direction": "up"})
    assert response.status_code == 422 and "This reason is already first." in response.get_data(as_text=True)


def test_stage_changes_need_the_csrf_token(app, ops):
    client, _ = ops
    before = snapshot()
    proposal = stage("Proposal")
    assert client.post(f"/ops/stages/{proposal.id}/delete").status_code == 400
    assert client.post(f"/ops/stages/{proposal.id}", data=stage_values(proposal, probability="60")).status_code == 400
    assert client.post("/ops/loss-reasons", data={"name_en": "A", "name_zh": "甲"}).status_code == 400
    assert snapshot() == before
    csrf_token(client, "/ops/stages")  # the page renders the token its forms send


@pytest.mark.parametrize("role", ["rep", "manager", "support", "admin"])
def test_only_ops_configure_stages(app, signed_in, role):
    client, _ = signed_in(role)
    before = snapshot()
    proposal = stage("Proposal")
    price = LossReason.get(LossReason.name_en == "Price")
    token = csrf_token(client, "/account/password")
    for url in ("/ops/stages", f"/ops/stages/{proposal.id}"):
        assert client.get(url).status_code == 403, url
    for url, data in ((f"/ops/stages/{proposal.id}", stage_values(proposal, probability="60")),
                      ("/ops/stages", {"name_en": "X", "name_zh": "X", "probability": "5", "kind": "open"}),
                      (f"/ops/stages/{proposal.id}/move", {"direction": "up"}),
                      (f"/ops/stages/{proposal.id}/delete", {}),
                      (f"/ops/stages/{proposal.id}/merge", {"into": str(stage("Negotiation").id)}),
                      ("/ops/loss-reasons", {"name_en": "X", "name_zh": "X"}),
                      (f"/ops/loss-reasons/{price.id}/active", {"active": "0"})):
        assert client.post(url, data={**data, "csrf_token": token}).status_code == 403, url
    assert snapshot() == before


def test_signed_out_visitors_are_sent_to_sign_in(app, client):
    response = client.get("/ops/stages")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_stage_deals_have_passed_through_cannot_be_deleted(app, make, ops, rep):
    client, user = ops
    negotiation = stage("Negotiation")
    deal = make.deal(rep, stage=negotiation)
    pipeline.move(deal, stage("Proposal"), deal.version, rep)  # the column is empty, its history is not
    with pytest.raises(Invalid) as refused:
        stages.delete(negotiation, by=user)
    assert "history stays whole" in str(refused.value)
    assert Stage.get_or_none(Stage.id == negotiation.id) is not None
