"""The allocation console's load table and the budget sheet, paged, on a 360 px phone in English and Chinese: each
page fits the screen, and its pager moves to the next page and back."""
import pytest
from playwright.sync_api import expect

from .conftest import NARROW_PHONE, assert_fits_phone, screenshot, sign_in

pytestmark = pytest.mark.browser

LOCALES = {"en-US": ("Page 1 of 2", "Page 2 of 2", "Next", "Previous"),
           "zh-CN": ("第 1 页，共 2 页", "第 2 页，共 2 页", "下一页", "上一页")}


@pytest.fixture
def department(app, make):
    """Three teams with long names, each a manager and four reps with customers: 15 owners, three teams' budgets."""
    app.config["PAGE_SIZE"] = 10  # ten owners a page, and two teams (ten budget lines)
    with app.app_context():
        for team in ("华东 East China 区域销售部", "华南 South China 区域销售部", "Key Accounts 大客户部"):
            boss = make.user("manager", team=team, name=f"经理 Manager of {team}")
            for n in range(4):
                rep = make.user("rep", team=team, reports_to=boss, name=f"销售代表 Representative {team[:2]} {n}")
                for _ in range(n + 1):
                    make.customer(rep, region="江苏 Jiangsu")
    return make.user("ops", name="Olga Ops")


@pytest.mark.parametrize("locale", LOCALES)
def test_the_paged_load_table_and_budget_sheet_fit_a_phone(app, department, new_page, locale):
    first, second, following, back = LOCALES[locale]
    phone = new_page(locale=locale, **NARROW_PHONE)
    sign_in(phone, department)
    for url, name in (("/ops/allocation", "allocation"), ("/budgets", "budgets")):
        phone.goto(url)
        pager = phone.locator("nav.pager")
        expect(pager).to_contain_text(first)
        assert_fits_phone(phone, f"{url} page 1 ({locale})", 360)
        screenshot(phone, f"{name}-paged-360-{locale}")
        pager.get_by_role("link", name=following).click()
        expect(phone.locator("nav.pager")).to_contain_text(second)
        assert_fits_phone(phone, f"{url} page 2 ({locale})", 360)
        screenshot(phone, f"{name}-paged-2-360-{locale}")
        phone.locator("nav.pager").get_by_role("link", name=back).click()
        expect(phone.locator("nav.pager")).to_contain_text(first)
