"""The pipeline board in the browser: a manager drags deals between columns with the mouse (and to Lost
with a reason, or not), a rep on a phone uses Move to, and a stale card gets the conflict answer."""
import datetime
import re

import pytest
from playwright.sync_api import expect

from salesweb.models import Deal, LossReason, Stage
from salesweb.pipeline import rules as pipeline

from .conftest import DESKTOP, PHONE, screenshot, sign_in

pytestmark = pytest.mark.browser

PHONE_WIDTH = PHONE["viewport"]["width"]


def stage(name):
    return Stage.get(Stage.name_en == name)


def column(page, name):
    return page.locator(f"#column-{stage(name).id}")


def cards(page, name):
    return column(page, name).locator("ol.column-cards > li.deal-card")


def card(page, deal):
    return page.locator(f"#deal-{deal.id}")


def titles(page, name):
    return cards(page, name).locator(".deal-title")


def expect_totals(page, name, count, amount, weighted=None):
    head = column(page, name).locator(".column-totals")
    expect(head.locator(".column-count")).to_have_text(str(count))
    expect(head.locator(".column-amount")).to_have_text(amount)
    if weighted is not None:
        expect(head.locator(".column-weighted")).to_have_text(f"≈ {weighted}")


def mark_page(page):
    page.evaluate("window.__marker = 'no reload'")


def assert_not_reloaded(page):
    assert page.evaluate("window.__marker") == "no reload"


def grab(page, source, by=".deal-customer"):
    """Press the mouse on `source`'s part `by` and start moving it, as a hand starts a drag."""
    grip = source.locator(by).bounding_box()
    assert grip, grip
    x, y = grip["x"] + grip["width"] / 2, grip["y"] + grip["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 8, y + 4, steps=4)


def release_on(page, target, where="top"):
    """Carry the held card onto `target` in small steps and let go; where: the target's top edge or its middle."""
    box = target.bounding_box()
    assert box, box
    to_x = box["x"] + box["width"] / 2
    to_y = box["y"] + (min(12, box["height"] / 4) if where == "top" else box["height"] / 2)
    page.mouse.move(to_x, to_y, steps=20)
    # A browser repeats dragover while the pointer rests, and Sortable skips those just after it moved a card
    # (30 ms): rest a moment, then nudge, or a last step onto the target may go unheard.
    page.wait_for_timeout(60)
    page.mouse.move(to_x, to_y + 2, steps=3)
    page.mouse.up()


def drag(page, source, target, where="top", by=".deal-customer"):
    """Drag `source`, grabbed by its part `by` (the Move to menu does not start a drag), onto `target` with
    the mouse, in small steps as a hand would; where: the target's top edge or its middle."""
    grab(page, source, by)
    release_on(page, target, where)


def allow_conflict_response(browser_errors, response):
    """Chromium logs any 4xx fetch as a console error. A 409 is how the board answers a move of a stale card
    (the current columns come back with a notice), so for this one response, and only its exact message,
    that log line is expected and removed; every other console error still fails the test."""
    assert response.status == 409, response.status
    expected = f"Failed to load resource: the server responded with a status of 409 ({response.status_text})"
    matching = [e for e in browser_errors if expected in e and e.endswith(f"({response.url})")]
    assert len(matching) == 1, browser_errors
    browser_errors.remove(matching[0])


def _team(make):
    manager = make.user("manager", name="Mia Manager", team="East")
    rep = make.user("rep", name="Ravi Rep", team="East")
    customer = make.customer(rep, name="Apex Machinery", tier="B")
    return manager, rep, customer


def test_manager_drags_a_deal_from_prospecting_to_proposal(make, new_page):
    manager, rep, customer = _team(make)
    alpha = make.deal(rep, customer, title="Alpha retrofit", amount=10_000_00, stage=stage("Prospecting"))
    bravo = make.deal(rep, customer, title="Bravo spares", amount=20_000_00, stage=stage("Prospecting"))
    charlie = make.deal(rep, customer, title="Charlie service", amount=30_000_00, stage=stage("Prospecting"))
    delta = make.deal(rep, customer, title="Delta line", amount=50_000_00, stage=stage("Proposal"))

    page = new_page(**DESKTOP)
    sign_in(page, manager)
    page.goto("/pipeline")
    expect(titles(page, "Prospecting")).to_have_text(["Alpha retrofit", "Bravo spares", "Charlie service"])
    expect(titles(page, "Proposal")).to_have_text(["Delta line"])
    expect_totals(page, "Prospecting", 3, "60,000", "6,000")
    expect_totals(page, "Proposal", 1, "50,000", "25,000")
    expect(card(page, bravo)).to_contain_text("Apex Machinery")
    expect(card(page, bravo)).to_contain_text("20,000")
    expect(card(page, bravo).locator(".initials")).to_have_text("RR")
    screenshot(page, "pipeline-manager-board-1280")
    mark_page(page)

    # Bravo, grabbed with the mouse, dropped on Proposal above Delta.
    with page.expect_response(re.compile(rf"/deals/{bravo.id}/move$")) as moved:
        drag(page, card(page, bravo), card(page, delta), where="top")
    assert moved.value.status == 200, moved.value.text()
    expect(titles(page, "Proposal")).to_have_text(["Bravo spares", "Delta line"])
    expect(titles(page, "Prospecting")).to_have_text(["Alpha retrofit", "Charlie service"])
    expect_totals(page, "Prospecting", 2, "40,000", "4,000")
    expect_totals(page, "Proposal", 2, "70,000", "35,000")  # the probability follows the stage: 50%
    expect(card(page, bravo)).not_to_have_class(re.compile(r"\bis-moving\b"))
    # the drag came without a next step: the board offers one, and the card stays stale until it is set
    offer = page.locator("#board-notice .next-step-offer")
    expect(offer).to_contain_text("Next step for “Bravo spares”?")
    expect(card(page, bravo).locator(".badge.overdue")).to_have_text("Stale")
    assert_not_reloaded(page)
    screenshot(page, "pipeline-manager-board-1280-after-drag")
    offer.get_by_label("Next step", exact=True).fill("Send the revised quote")
    due = datetime.date.today() + datetime.timedelta(days=3)
    offer.get_by_label("Next step due", exact=True).fill(due.isoformat())
    with page.expect_response(re.compile(rf"/deals/{bravo.id}/next-step$")) as stepped:
        offer.get_by_role("button", name="Save").click()
    assert stepped.value.status == 200, stepped.value.text()
    expect(page.locator("#board-notice")).to_have_text("Next step saved.")
    expect(card(page, bravo).locator(".badge.overdue")).to_have_count(0)
    expect(titles(page, "Proposal")).to_have_text(["Bravo spares", "Delta line"])
    assert_not_reloaded(page)

    stored = Deal.get_by_id(bravo.id)
    assert (stored.stage_id, stored.version, stored.probability) == (stage("Proposal").id, 3, 50)
    assert (stored.next_step, stored.next_step_due) == ("Send the revised quote", due)
    assert stored.position < Deal.get_by_id(delta.id).position
    untouched = {d.id: (d.stage_id, d.version) for d in Deal.select().where(Deal.id.in_([alpha.id, charlie.id, delta.id]))}
    assert untouched == {alpha.id: (stage("Prospecting").id, 1), charlie.id: (stage("Prospecting").id, 1),
                         delta.id: (stage("Proposal").id, 1)}

    # After a reload: still there, in the place it was dropped, and the headers agree.
    page.reload()
    expect(titles(page, "Proposal")).to_have_text(["Bravo spares", "Delta line"])
    expect(titles(page, "Prospecting")).to_have_text(["Alpha retrofit", "Charlie service"])
    expect_totals(page, "Prospecting", 2, "40,000", "4,000")
    expect_totals(page, "Proposal", 2, "70,000", "35,000")
    expect(card(page, bravo)).to_have_attribute("data-version", "3")


def test_manager_drops_a_deal_on_lost_gives_a_reason_and_cancels_another(make, new_page):
    manager, rep, customer = _team(make)
    echo = make.deal(rep, customer, title="Echo boilers", amount=40_000_00, stage=stage("Negotiation"))
    foxtrot = make.deal(rep, customer, title="Foxtrot pumps", amount=15_000_00, stage=stage("Negotiation"))
    golf = make.deal(rep, customer, title="Golf valves", amount=5_000_00, stage=stage("Negotiation"))
    hotel = make.deal(rep, customer, title="Hotel fittings", amount=10_000_00, stage=stage("Negotiation"))

    page = new_page(**DESKTOP)
    sign_in(page, manager)
    page.goto("/pipeline")
    expect(titles(page, "Negotiation")).to_have_text(["Echo boilers", "Foxtrot pumps", "Golf valves", "Hotel fittings"])
    expect_totals(page, "Negotiation", 4, "70,000", "52,500")
    expect_totals(page, "Lost", 0, "0")
    mark_page(page)
    dialog = page.locator("#deal-dialog")
    lost_list = column(page, "Lost").locator("ol.column-cards")

    def bring_lost_into_view():
        """Negotiation and Lost show together (the board scrolled to its end if it is wider than the screen)."""
        page.locator(".board").evaluate("board => { board.scrollLeft = board.scrollWidth; }")
        expect(lost_list).to_be_in_viewport()
        expect(cards(page, "Negotiation").first).to_be_in_viewport()

    # Echo onto Lost: the dialog asks why; with a reason it is lost.
    bring_lost_into_view()
    drag(page, card(page, echo), lost_list, where="middle")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_text("Mark “Echo boilers” as lost")
    reason = dialog.get_by_label("Why was it lost?")
    expect(reason).to_be_visible()
    reason.select_option(label="Competitor")
    dialog.get_by_label("Details").fill("Went with a cheaper local supplier")
    screenshot(page, "pipeline-manager-lost-dialog")
    with page.expect_response(re.compile(rf"/deals/{echo.id}/move$")) as moved:
        dialog.get_by_role("button", name="Mark as lost").click()
    assert moved.value.status == 200, moved.value.text()
    expect(dialog).to_be_hidden()
    expect(titles(page, "Lost")).to_have_text(["Echo boilers"])
    expect(page).to_have_url(re.compile(r"/pipeline$"))
    expect(titles(page, "Negotiation")).to_have_text(["Foxtrot pumps", "Golf valves", "Hotel fittings"])
    expect_totals(page, "Negotiation", 3, "30,000", "22,500")
    expect_totals(page, "Lost", 1, "40,000")
    assert_not_reloaded(page)
    stored = Deal.get_by_id(echo.id)
    assert (stored.stage_id, stored.version) == (stage("Lost").id, 2)
    assert LossReason.get_by_id(stored.lost_reason_id).name_en == "Competitor"
    assert stored.lost_note == "Went with a cheaper local supplier"
    assert stored.lost_on is not None

    # Golf (in the middle) onto Lost, then Cancel: back in its place, nothing stored.
    bring_lost_into_view()
    drag(page, card(page, golf), lost_list, where="middle")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_text("Mark “Golf valves” as lost")
    dialog.get_by_role("link", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(page).to_have_url(re.compile(r"/pipeline$"))  # cancelling is not a navigation to the deal's page
    expect(titles(page, "Negotiation")).to_have_text(["Foxtrot pumps", "Golf valves", "Hotel fittings"])
    expect(titles(page, "Lost")).to_have_text(["Echo boilers"])
    expect_totals(page, "Negotiation", 3, "30,000", "22,500")
    expect_totals(page, "Lost", 1, "40,000")
    assert_not_reloaded(page)
    assert {d.id: (d.stage_id, d.version, d.lost_reason_id) for d in
            Deal.select().where(Deal.id.in_([foxtrot.id, golf.id, hotel.id]))} == \
        {i: (stage("Negotiation").id, 1, None) for i in (foxtrot.id, golf.id, hotel.id)}

    page.reload()
    expect(titles(page, "Lost")).to_have_text(["Echo boilers"])
    expect(titles(page, "Negotiation")).to_have_text(["Foxtrot pumps", "Golf valves", "Hotel fittings"])


def test_rep_on_a_phone_moves_a_deal_with_move_to(make, new_page):
    rep = make.user("rep", name="Ravi Rep", team="East")
    customer = make.customer(rep, name="Apex Machinery", tier="A")
    india = make.deal(rep, customer, title="India chillers", amount=12_000_00, stage=stage("Prospecting"))
    make.deal(rep, customer, title="Juliet fans", amount=8_000_00, stage=stage("Prospecting"))
    make.deal(rep, customer, title="Kilo ducts", amount=3_000_00, stage=stage("Needs analysis"))
    other = make.user("rep", name="Olga Other", team="East")
    make.deal(other, title="Not mine", stage=stage("Prospecting"))

    page = new_page(**PHONE)
    sign_in(page, rep)
    page.goto("/pipeline")
    expect(titles(page, "Prospecting")).to_have_text(["India chillers", "Juliet fans"])
    expect(page.get_by_text("Not mine")).to_have_count(0)

    # The columns are wider than the phone together: the board scrolls sideways, the page does not.
    sizes = page.evaluate("""() => {
      const board = document.querySelector('.board');
      return {page: document.documentElement.scrollWidth, inner: window.innerWidth,
              board: board.scrollWidth, visible: board.clientWidth};
    }""")
    assert sizes["inner"] == PHONE_WIDTH, sizes
    assert sizes["page"] <= PHONE_WIDTH, sizes
    assert sizes["board"] > sizes["visible"] + 300, sizes
    scrolled = page.locator(".board").evaluate("board => { board.scrollLeft = board.clientWidth; return board.scrollLeft; }")
    assert scrolled > 0
    page.locator(".board").evaluate("board => { board.scrollLeft = 0; }")
    screenshot(page, "pipeline-rep-board-375")
    mark_page(page)

    india_card = card(page, india)
    india_card.get_by_text("Move to…", exact=True).tap()
    target = page.locator("#move-dialog").get_by_role("button", name="Needs analysis", exact=True)
    expect(target).to_be_visible()
    # the next step goes with the move
    page.locator("#move-dialog").get_by_label("Next step", exact=True).fill("Site visit with the engineer")
    page.locator("#move-dialog").get_by_label("Next step due", exact=True).fill(
        (datetime.date.today() + datetime.timedelta(days=2)).isoformat())
    box = target.bounding_box()
    assert box and box["height"] >= 36, box
    with page.expect_response(re.compile(rf"/deals/{india.id}/move$")) as moved:
        target.tap()
    assert moved.value.status == 200, moved.value.text()
    expect(titles(page, "Needs analysis")).to_have_text(["Kilo ducts", "India chillers"])
    expect(titles(page, "Prospecting")).to_have_text(["Juliet fans"])
    expect_totals(page, "Prospecting", 1, "8,000", "800")
    expect_totals(page, "Needs analysis", 2, "15,000", "3,750")
    assert_not_reloaded(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH

    stored = Deal.get_by_id(india.id)
    assert (stored.stage_id, stored.version, stored.updated_by_id) == (stage("Needs analysis").id, 2, rep.id)
    assert stored.next_step == "Site visit with the engineer"
    expect(card(page, india).locator(".badge.overdue")).to_have_count(0)  # a next step: no longer stale
    expect(page.locator("#board-notice .next-step-offer")).to_have_count(0)  # and nothing more to offer

    # The rep stays on the column they were working in: the answer does not scroll the board away.
    assert page.locator(".board").evaluate("board => board.scrollLeft") == 0


def test_a_stale_card_gets_the_conflict_notice_and_the_current_board(make, new_page, browser_errors):
    manager, rep, customer = _team(make)
    lima = make.deal(rep, customer, title="Lima compressors", amount=25_000_00, stage=stage("Prospecting"))
    make.deal(rep, customer, title="Mike heaters", amount=5_000_00, stage=stage("Prospecting"))

    page = new_page(**DESKTOP)
    sign_in(page, manager)
    page.goto("/pipeline")
    expect(titles(page, "Prospecting")).to_have_text(["Lima compressors", "Mike heaters"])
    mark_page(page)

    # Behind the page's back, the rep moves Lima to Needs analysis.
    pipeline.move(Deal.get_by_id(lima.id), stage("Needs analysis"), 1, rep)
    assert Deal.get_by_id(lima.id).version == 2

    # The manager's page still shows Lima in Prospecting, at version 1: Move to Proposal.
    stale = card(page, lima)
    expect(stale).to_have_attribute("data-version", "1")
    stale.get_by_text("Move to…", exact=True).click()
    with page.expect_console_message(lambda m: m.type == "error" and "status of 409" in m.text), \
            page.expect_response(re.compile(rf"/deals/{lima.id}/move$")) as refused:
        page.locator("#move-dialog").get_by_role("button", name="Proposal", exact=True).click()
    allow_conflict_response(browser_errors, refused.value)

    notice = page.locator("#board-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Ravi Rep")
    expect(notice).to_contain_text("Lima compressors")
    # The board shows the truth: Lima once, in Needs analysis, at its current version; nothing in Proposal.
    expect(page.locator(f"#deal-{lima.id}")).to_have_count(1)
    expect(titles(page, "Needs analysis")).to_have_text(["Lima compressors"])
    expect(card(page, lima)).to_have_attribute("data-version", "2")
    expect(titles(page, "Prospecting")).to_have_text(["Mike heaters"])
    expect(cards(page, "Proposal")).to_have_count(0)
    expect_totals(page, "Prospecting", 1, "5,000", "500")
    expect_totals(page, "Needs analysis", 1, "25,000", "6,250")
    expect_totals(page, "Proposal", 0, "0")
    assert_not_reloaded(page)
    screenshot(page, "pipeline-manager-conflict-1280")

    stored = Deal.get_by_id(lima.id)
    assert (stored.stage_id, stored.version, stored.updated_by_id) == (stage("Needs analysis").id, 2, rep.id)


BOARD_GEOMETRY = """() => {
  const board = document.querySelector('.board'), box = board.getBoundingClientRect();
  return {scroll: board.scrollWidth, visible: board.clientWidth, right: box.right, screen: window.innerWidth,
          page: document.documentElement.scrollWidth,
          columns: [...board.querySelectorAll('.column')].map(c => {
            const r = c.getBoundingClientRect(); return {right: r.right, width: r.width}; })};
}"""


def test_the_columns_share_the_screens_width_and_scroll_only_when_they_do_not_fit(make, new_page):
    manager, rep, customer = _team(make)
    make.deal(rep, customer, title="Alpha retrofit", stage=stage("Prospecting"))
    page = new_page(viewport={"width": 1366, "height": 768})
    sign_in(page, manager)
    page.goto("/pipeline")

    # 1366 px: the board takes the page's width and all six columns show, Won and Lost included.
    geometry = page.evaluate(BOARD_GEOMETRY)
    widths = [c["width"] for c in geometry["columns"]]
    assert len(widths) == 6, geometry
    assert geometry["scroll"] <= geometry["visible"], geometry
    assert all(c["right"] <= geometry["screen"] for c in geometry["columns"]), geometry
    assert geometry["screen"] - geometry["right"] <= 40, geometry  # no empty band right of the board
    assert min(widths) >= 160 and max(widths) - min(widths) < 1, widths
    expect(column(page, "Won")).to_be_in_viewport(ratio=1)
    expect(column(page, "Lost")).to_be_in_viewport(ratio=1)
    screenshot(page, "pipeline-manager-board-1366")

    # 1024 px: six readable columns do not fit, so the board (not the page) scrolls sideways.
    page.set_viewport_size({"width": 1024, "height": 768})
    geometry = page.evaluate(BOARD_GEOMETRY)
    assert geometry["scroll"] > geometry["visible"], geometry
    assert min(c["width"] for c in geometry["columns"]) >= 160, geometry
    assert geometry["page"] <= 1024, geometry

    # 360 px: a column per screen, scrolled column by column.
    page.set_viewport_size({"width": 360, "height": 740})
    geometry = page.evaluate(BOARD_GEOMETRY)
    assert all(c["width"] >= 0.8 * geometry["visible"] for c in geometry["columns"]), geometry
    assert geometry["page"] <= 360, geometry
    assert page.locator(".board").evaluate("board => getComputedStyle(board).scrollSnapType") == "x mandatory"


def test_a_card_is_dragged_by_its_title_and_a_click_on_the_title_opens_the_deal(make, new_page):
    manager, rep, customer = _team(make)
    alpha = make.deal(rep, customer, title="Alpha retrofit", amount=10_000_00, stage=stage("Prospecting"))
    bravo = make.deal(rep, customer, title="Bravo spares", amount=20_000_00, stage=stage("Needs analysis"))

    page = new_page(**DESKTOP)
    sign_in(page, manager)
    page.goto("/pipeline")
    mark_page(page)

    # Alpha, grabbed by its title (where a hand takes a card), dropped on Needs analysis above Bravo.
    with page.expect_response(re.compile(rf"/deals/{alpha.id}/move$")) as moved:
        drag(page, card(page, alpha), card(page, bravo), where="top", by=".deal-title")
    assert moved.value.status == 200, moved.value.text()
    expect(titles(page, "Needs analysis")).to_have_text(["Alpha retrofit", "Bravo spares"])
    expect(cards(page, "Prospecting")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/pipeline$"))  # the drag did not follow the title's link
    assert_not_reloaded(page)
    assert Deal.get_by_id(alpha.id).stage_id == stage("Needs analysis").id

    # A click on the title is still the way to the deal.
    card(page, alpha).locator(".deal-title").click()
    expect(page).to_have_url(re.compile(rf"/deals/{alpha.id}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Alpha retrofit")


def test_while_a_card_is_dragged_won_and_lost_wait_on_screen_and_take_it_as_their_columns_do(make, new_page):
    manager, rep, customer = _team(make)
    kilo = make.deal(rep, customer, title="Kilo ducts", amount=30_000_00, stage=stage("Negotiation"))
    lima = make.deal(rep, customer, title="Lima compressors", amount=25_000_00, stage=stage("Proposal"))

    page = new_page(viewport={"width": 1024, "height": 700})
    sign_in(page, manager)
    page.goto("/pipeline")
    mark_page(page)
    expect(column(page, "Lost")).not_to_be_in_viewport()  # the board is wider than this screen
    bar = page.locator("#drop-bar")
    won = bar.locator(".drop-zone").filter(has_text="Won")
    lost = bar.locator(".drop-zone").filter(has_text="Lost")
    dialog = page.locator("#deal-dialog")
    expect(bar).to_be_hidden()

    # Kilo grabbed by its title: Won and Lost wait at the bottom of the screen; on Won, the dialog asks.
    grab(page, card(page, kilo), by=".deal-title")
    expect(bar).to_be_visible()
    expect(won).to_be_in_viewport(ratio=1)
    expect(lost).to_be_in_viewport(ratio=1)
    release_on(page, won, where="middle")
    expect(bar).to_be_hidden()
    expect(dialog.get_by_role("heading")).to_have_text("Mark “Kilo ducts” as won")
    dialog.get_by_label("Amount won").fill("32000")
    with page.expect_response(re.compile(rf"/deals/{kilo.id}/move$")) as moved:
        dialog.get_by_role("button", name="Mark as won").click()
    assert moved.value.status == 200, moved.value.text()
    expect(dialog).to_be_hidden()
    expect(titles(page, "Won")).to_have_text(["Kilo ducts"])
    expect(cards(page, "Negotiation")).to_have_count(0)
    expect_totals(page, "Won", 1, "32,000")
    assert_not_reloaded(page)
    stored = Deal.get_by_id(kilo.id)
    assert (stored.stage_id, stored.amount, stored.version) == (stage("Won").id, 32_000_00, 2)
    assert stored.won_on is not None

    # Lima onto Lost: the reason is asked for; Cancel leaves it where it was, nothing stored.
    grab(page, card(page, lima), by=".deal-title")
    expect(lost).to_be_in_viewport(ratio=1)
    release_on(page, lost, where="middle")
    expect(dialog.get_by_role("heading")).to_have_text("Mark “Lima compressors” as lost")
    expect(dialog.get_by_label("Why was it lost?")).to_be_visible()
    dialog.get_by_role("link", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(titles(page, "Proposal")).to_have_text(["Lima compressors"])
    expect(cards(page, "Lost")).to_have_count(0)
    expect(bar).to_be_hidden()
    assert_not_reloaded(page)
    assert (Deal.get_by_id(lima.id).stage_id, Deal.get_by_id(lima.id).version) == (stage("Proposal").id, 1)


def test_on_a_phone_a_swipe_over_a_title_scrolls_a_long_press_picks_the_card_up_and_a_tap_opens_it(make, new_page):
    rep = make.user("rep", name="Ravi Rep", team="East")
    customer = make.customer(rep, name="Apex Machinery", tier="A")
    mike = make.deal(rep, customer, title="Mike heaters", amount=5_000_00, stage=stage("Prospecting"))
    make.deal(rep, customer, title="November fans", amount=7_000_00, stage=stage("Needs analysis"))

    page = new_page(**PHONE)
    sign_in(page, rep)
    page.goto("/pipeline")
    mark_page(page)
    board = page.locator(".board")
    touch = page.context.new_cdp_session(page)

    def finger(kind, x=0, y=0):
        touch.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [] if kind == "touchEnd" else [{"x": x, "y": y}]})

    def title_point():
        box = card(page, mike).locator(".deal-title").bounding_box()
        return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2

    # A quick swipe to the left that starts on the title: the board scrolls a column on, nothing moves.
    x, y = title_point()
    finger("touchStart", x, y)
    for step in range(1, 11):
        page.wait_for_timeout(16)
        finger("touchMove", x - 20 * step, y + 2)
    finger("touchEnd")
    expect(board).not_to_have_js_property("scrollLeft", 0)
    expect(page.locator("#drop-bar")).to_be_hidden()
    expect(titles(page, "Prospecting")).to_have_text(["Mike heaters"])
    board.evaluate("board => { board.scrollLeft = 0; }")

    # A long press on the title picks the card up: Won and Lost wait above the tab bar; on Lost, the reason is asked.
    x, y = title_point()
    finger("touchStart", x, y)
    page.wait_for_timeout(400)
    for step in range(1, 6):
        finger("touchMove", x, y + 20 * step)
        page.wait_for_timeout(30)
    lost = page.locator("#drop-bar .drop-zone").filter(has_text="Lost")
    expect(lost).to_be_in_viewport(ratio=1)
    box = lost.bounding_box()
    for step in range(6):
        finger("touchMove", box["x"] + box["width"] / 2, box["y"] + box["height"] / 2 + step % 2)
        page.wait_for_timeout(40)
    finger("touchEnd")
    dialog = page.locator("#deal-dialog")
    expect(dialog.get_by_role("heading")).to_have_text("Mark “Mike heaters” as lost")
    dialog.get_by_role("link", name="Cancel").tap()
    expect(dialog).to_be_hidden()
    expect(titles(page, "Prospecting")).to_have_text(["Mike heaters"])
    assert_not_reloaded(page)
    assert Deal.get_by_id(mike.id).stage_id == stage("Prospecting").id

    # A tap on the title opens the deal.
    card(page, mike).locator(".deal-title").tap()
    expect(page).to_have_url(re.compile(rf"/deals/{mike.id}$"))
