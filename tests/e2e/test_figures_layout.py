"""The figures pages at 360 and 1366 px, in English and Chinese, as ops and as a manager: the team home's
attainment table fits a phone (its Pace column in view), and at 1366 px the allocation console and the win rate
by source fit their cards, with no word broken inside ("Custome rs") and no figure cut ("12." for 12.8)."""
import datetime

import pytest

from salesweb.core.db import utcnow
from salesweb.models import Target, Visit
from salesweb.figures.metrics import Period
from salesweb.core.clock import local_today

from .conftest import assert_fits_phone, screenshot, sign_in

pytestmark = pytest.mark.browser

WIDE = {"viewport": {"width": 1366, "height": 900}}
PHONE = {"viewport": {"width": 360, "height": 740}, "has_touch": True, "is_mobile": True}
LOCALES = ("en-US", "zh-CN")

# Each table-scroll box on the page whose table is wider than the box, and every header whose words were broken
# inside (a one-word header on two lines, or a word split across lines).
MEASURE = """(selector) => {
  const found = {wider: [], broken: [], cut: []};
  for (const box of document.querySelectorAll(selector + ' .table-scroll')) {
    if (box.scrollWidth > box.clientWidth + 1) found.wider.push(box.scrollWidth + '>' + box.clientWidth);
    for (const cell of box.querySelectorAll('th, td')) {
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent;
        for (const match of text.matchAll(/[A-Za-z0-9.,%]{2,}/g)) {
          const range = document.createRange();
          range.setStart(node, match.index);
          range.setEnd(node, match.index + match[0].length);
          const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
          if (lines.size > 1) found.broken.push(match[0]);
          const right = range.getBoundingClientRect().right, edge = box.getBoundingClientRect().right;
          if (right > edge + 1) found.cut.push(match[0]);
        }
      }
    }
  }
  return found;
}"""


@pytest.fixture
def world(app, make):
    """Two teams with long names, a director, reps with seven-figure pipelines and 12.8 visits a week, December-
    style targets on one team and one rep."""
    director = make.user("manager", name="周杰 Zhou Jie", team="销售管理 Sales leadership")
    boss = make.user("manager", name="李伟", team="华南 South China", reports_to=director)
    reps = [make.user("rep", name=name, team="华南 South China", reports_to=boss)
            for name in ("陈静", "黄磊", "Sofia Martin")]
    other = make.user("rep", name="Tom Baker", team="Key Accounts")
    ops = make.user("ops", name="Daniel Brooks")
    with app.app_context():
        today, now = local_today(), utcnow()
        month = Period.of("month", today).start
        for n, rep in enumerate(reps + [other]):
            customer = make.customer(rep, name=f"Customer of {rep.name}", region="广东",
                                     source=("referral", "website", "trade_show", "other")[n])
            make.won_deal(rep, today, customer=customer, amount=(1_158_000_00, 1_279_000_00, 18_000_00, 70_000)[n])
            make.deal(rep, customer=customer, amount=4_484_000_00)
            for i in range(51):  # 51 visits in four weeks: 12.8 a week
                Visit.create(customer=customer, rep=rep, status="done",
                             occurred_at=now - datetime.timedelta(hours=12 * i + 1))
        Target.create(user=reps[0].id, period="month", starts_on=month, amount=3_000_000_00)
        Target.create(team=reps[0].team_id, period="month", starts_on=month, amount=5_000_000_00)
    return {"boss": boss, "director": director, "ops": ops}


@pytest.mark.parametrize("locale", LOCALES)
def test_the_team_home_s_attainment_fits_a_phone(world, new_page, locale):
    page = new_page(locale=locale, **PHONE)
    sign_in(page, world["boss"])
    card = page.locator("section[aria-labelledby=attainment-head]")
    found = page.evaluate(MEASURE, "section[aria-labelledby=attainment-head]")
    assert found == {"wider": [], "broken": [], "cut": []}, found
    pace = card.locator("thead th").last
    box, head = card.bounding_box(), pace.bounding_box()
    assert head["x"] + head["width"] <= box["x"] + box["width"], (head, box)  # Pace in view, not scrolled away
    assert card.locator("tbody tr", has_text="陈静").locator("td").last.inner_text().endswith("%")  # her pace
    screenshot(page, f"team-home-360-{locale}")


@pytest.mark.parametrize("locale", LOCALES)
def test_the_allocation_console_and_the_analytics_fit_1366(world, new_page, locale):
    pages = {}
    for who in ("boss", "ops"):
        page = pages[who] = new_page(locale=locale, **WIDE)
        sign_in(page, world[who])
        page.goto(f"/{world[who].role}/allocation")
        found = page.evaluate(MEASURE, "section[aria-labelledby=load-title]")
        assert found == {"wider": [], "broken": [], "cut": []}, (who, found)
        assert page.get_by_text("12.8").first.is_visible()
        screenshot(page, f"allocation-1366-{who}-{locale}")
    for url in ("/ops/", "/ops/activity", "/ops/outcomes"):
        pages["ops"].goto(url)
        found = pages["ops"].evaluate(MEASURE, "#figures")
        assert found == {"wider": [], "broken": [], "cut": []}, (url, found)
    screenshot(pages["ops"], f"ops-outcomes-1366-{locale}")


@pytest.mark.parametrize("locale", LOCALES)
def test_a_large_team_s_home_pages_its_tables_on_a_phone(app, make, new_page, locale):
    """Thirty reps: each table of people shows 25 and a pager that fits a phone; Next opens the rest."""
    boss = make.user("manager", name="王建国", team="华东 East China")
    with app.app_context():
        today = local_today()
        for i in range(30):
            rep = make.user("rep", name=f"代表 Rep {i:02d}", team="华东 East China", reports_to=boss)
            make.won_deal(rep, today, amount=(i + 1) * 100_000_00)
    page = new_page(locale=locale, **PHONE)
    sign_in(page, boss)
    assert_fits_phone(page, f"/manager/ ({locale})", 360)
    for card in ("attainment", "visits"):
        section = page.locator(f"section[aria-labelledby={card}-head]")
        assert section.locator("tbody tr").count() == 25, card
        found = page.evaluate(MEASURE, f"section[aria-labelledby={card}-head]")
        assert found == {"wider": [], "broken": [], "cut": []}, (card, found)
        pager = section.locator("nav.pager a[rel=next]")
        box = pager.bounding_box()
        assert box["height"] >= 44 and box["x"] + box["width"] <= 360, (card, box)
    screenshot(page, f"team-home-paged-360-{locale}")
    page.locator("section[aria-labelledby=attainment-head] nav.pager a[rel=next]").click()
    page.wait_for_url("**/manager/?page=2")
    attainment = page.locator("section[aria-labelledby=attainment-head]")
    assert attainment.locator("tbody tr").count() == 5
    assert attainment.locator("tbody tr").first.inner_text().startswith("代表 Rep 04")
    assert_fits_phone(page, f"/manager/?page=2 ({locale})", 360)
    screenshot(page, f"team-home-paged-2-360-{locale}")


@pytest.mark.parametrize("locale", LOCALES)
def test_a_director_s_targets_sheet_pages_by_team_on_a_phone(app, make, new_page, locale):
    director = make.user("manager", name="周杰 Zhou Jie", team="销售管理 Sales leadership")
    for team in ("华南 South China", "华东 East China", "Key Accounts"):
        boss = make.user("manager", name=f"经理 {team}", team=team, reports_to=director)
        for i in range(9):
            make.user("rep", name=f"代表 Rep {i} {team}", team=team, reports_to=boss)
    page = new_page(locale=locale, **PHONE)
    sign_in(page, director)
    page.goto("/manager/targets")
    assert page.locator("section.target-group").count() == 2
    assert_fits_phone(page, f"/manager/targets ({locale})", 360)
    box = page.locator("nav.pager a[rel=next]").bounding_box()
    assert box["height"] >= 44 and box["x"] + box["width"] <= 360, box
    screenshot(page, f"targets-paged-360-{locale}")
    page.locator("nav.pager a[rel=next]").click()
    page.wait_for_url("**/manager/targets?page=2")
    assert page.locator("section.target-group").count() == 1
    assert_fits_phone(page, f"/manager/targets?page=2 ({locale})", 360)
