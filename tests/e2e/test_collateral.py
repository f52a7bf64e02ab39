"""The collateral library in the browser: support uploads a PDF (with progress), a rep on a phone finds,
downloads and shares it, and the customer opens the link without signing in."""
import io
import re

import pytest
from playwright.sync_api import expect

from salesweb.models import CollateralItem, ShareLink
from salesweb.collateral import rules as collateral
from salesweb.demo import files as demo_files

from .conftest import DESKTOP, NARROW_PHONE, allow_invalid_form_response, assert_fits_phone, screenshot, sign_in

pytestmark = pytest.mark.browser

BROCHURE = demo_files.pdf("X900 brochure", ["The X900 pump line."] + ["Padding so the upload takes a moment."] * 40)
BIG = BROCHURE + b"%" + b"x" * (3 * 1024 * 1024) + b"\n"  # still a PDF, big enough to report progress

# Records upload progress events: the form and its progress bar are gone once the next page is swapped in.
WATCH_PROGRESS = """() => { window.progressSeen = [];
  document.addEventListener('htmx:xhr:progress', (e) => {
    const bar = document.querySelector('[data-upload-progress]');
    window.progressSeen.push({loaded: e.detail.loaded, shown: !!bar && !bar.hidden});
  }); }"""


def test_support_uploads_and_a_rep_shares_it_from_a_phone(make, new_page, browser_errors):
    boss = make.user("manager", team="East")
    rep = make.user("rep", team="East", reports_to=boss)
    make.customer(rep, name="Suzhou Precision Ltd")
    support = make.user("support")

    page = new_page(**DESKTOP)
    sign_in(page, support)
    page.get_by_role("link", name="Collateral").click()
    page.get_by_role("link", name="Upload").first.click()  # the empty library offers it twice
    expect(page.get_by_role("heading", name="Upload to the library")).to_be_visible()
    # A refused file first: the form says why and keeps what was typed.
    page.get_by_label("Title").fill("X900 brochure")
    page.get_by_label("Product tags").fill("X900, Pumps")
    page.get_by_label("Description").fill("For colleagues: margin is thin, do not discount")
    page.get_by_label("File", exact=True).set_input_files(
        {"name": "x900.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00 not a pdf" * 10})
    with page.expect_response(re.compile(r"/collateral/new$")) as refused:
        page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("This type of file is not accepted")).to_be_visible()
    allow_invalid_form_response(browser_errors, refused.value)
    expect(page.get_by_label("Product tags")).to_have_value("X900, Pumps")
    assert not CollateralItem.select().exists()

    page.evaluate(WATCH_PROGRESS)
    page.get_by_label("File", exact=True).set_input_files(
        {"name": "x900.pdf", "mimeType": "application/pdf", "buffer": BIG})
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("heading", name="X900 brochure")).to_be_visible()
    expect(page.get_by_text("Uploaded.")).to_be_visible()
    seen = page.evaluate("window.progressSeen")
    assert seen and any(s["shown"] for s in seen), seen
    screenshot(page, "collateral-item-desktop")
    page.get_by_role("link", name="← Collateral").click()
    expect(page.locator(".collateral-card", has_text="X900 brochure")).to_contain_text("X900")

    phone = new_page(**NARROW_PHONE, accept_downloads=True)
    sign_in(phone, rep)
    phone.get_by_role("link", name="Collateral").click()
    phone.wait_for_url("**/collateral")  # the new page loaded: htmx listens before the first keystroke
    phone.get_by_label("Search").fill("x90")  # the tag, as typed
    expect(phone.locator(".collateral-card")).to_have_count(1)
    assert_fits_phone(phone, "/collateral", 360)
    screenshot(phone, "collateral-library-360")
    with phone.expect_download() as got:
        phone.get_by_role("link", name="Download X900 brochure").click()
    assert got.value.suggested_filename == "x900.pdf"
    assert open(got.value.path(), "rb").read() == BIG

    phone.locator(".collateral-title", has_text="X900 brochure").click()
    phone.wait_for_url(re.compile(r"/collateral/\d+$"))
    # Typed key by key as a person does: htmx 2 pushes the URL before it swaps the page in and wires the new
    # fields at settle, so a single instant fill() straight after wait_for_url could land before anyone listens.
    phone.get_by_role("combobox", name="Customer").press_sequentially("suzhou", delay=30)
    phone.get_by_role("option", name=re.compile("Suzhou Precision")).click()
    phone.get_by_role("button", name="Create share link").click()
    link_box = phone.get_by_label("Share link", exact=True)
    expect(link_box).to_have_value(re.compile(r"/s/[\w-]{40,}$"))
    expect(phone.locator(".shares")).to_contain_text("Suzhou Precision Ltd")
    assert_fits_phone(phone, "collateral item", 360)
    screenshot(phone, "collateral-shared-360")
    url = link_box.input_value()

    customer = new_page(**NARROW_PHONE, accept_downloads=True)  # a fresh context: no sign-in
    customer.goto(url)
    expect(customer.get_by_role("heading", name="X900 brochure")).to_be_visible()
    # the customer sees the file and whom to ask, never what the library says to colleagues
    expect(customer.locator(".shared-download")).to_contain_text("x900.pdf")
    expect(customer.get_by_role("link", name=rep.email)).to_have_attribute("href", f"mailto:{rep.email}")
    expect(customer.get_by_text("For colleagues")).to_have_count(0)
    assert_fits_phone(customer, "share page", 360)
    screenshot(customer, "collateral-share-page-360")
    with customer.expect_download() as got:
        customer.get_by_role("link", name="Download").click()
    assert got.value.suggested_filename == "x900.pdf"
    assert ShareLink.get().download_count == 1

    phone.goto("/customers")
    phone.get_by_role("link", name=re.compile("Suzhou Precision Ltd")).click()
    expect(phone.locator("#timeline")).to_contain_text("X900 brochure")
    expect(phone.locator("#timeline")).to_contain_text("1 download")


def test_an_item_opened_from_a_search_keeps_its_address_and_back_returns_to_the_search(app, make, new_page):
    support = make.user("support")
    rep = make.user("rep", team="East")
    with app.app_context():
        def item(title, kind, tags):
            return collateral.create({"title": title, "kind": kind, "language": "en", "tags": tags},
                                     (io.BytesIO(BROCHURE), "item.pdf"), support, app.config["UPLOAD_DIR"], 50 * 1024 * 1024)
        x900 = item("X900 brochure", "brochure", "X900")
        item("X200 brochure", "brochure", "X200")
        item("X900 launch deck", "presentation", "X900")

    phone = new_page(**NARROW_PHONE)
    sign_in(phone, rep)
    phone.get_by_role("link", name="Collateral").click()
    phone.wait_for_url("**/collateral")
    phone.wait_for_load_state("networkidle")  # the library's script set up, as it is before a person's first tap
    cards = phone.locator(".collateral-card")
    expect(cards).to_have_count(3)

    # A filter still swaps the list at once and keeps the URL.
    phone.get_by_label("Kind").select_option(label="Brochure")
    expect(phone).to_have_url(re.compile(r"[?&]kind=brochure(&|$)"))
    expect(cards).to_have_count(2)

    # Typed with a pause in the middle: the list and the address bar follow the search.
    search = phone.get_by_label("Search")
    search.tap()
    search.press_sequentially("x9", delay=30)
    expect(phone).to_have_url(re.compile(r"[?&]q=x9(&|$)"))
    search.press_sequentially("00", delay=30)
    expect(phone).to_have_url(re.compile(r"[?&]q=x900(&|$)"))
    expect(cards).to_have_count(1)

    # Tapping the result (the search box loses focus on the way) opens the item, and the address bar stays on it.
    cards.get_by_role("link", name="X900 brochure", exact=True).tap()
    expect(phone).to_have_url(re.compile(rf"/collateral/{x900.id}$"))
    expect(phone.get_by_role("heading", name="X900 brochure")).to_be_visible()
    phone.wait_for_load_state("networkidle")
    expect(phone).to_have_url(re.compile(rf"/collateral/{x900.id}$"))

    # Back: the library searched for what was typed, with the filter, the search in the box.
    phone.go_back()
    expect(phone).to_have_url(re.compile(r"/collateral\?(.*&)?q=x900(&|$)"))
    expect(search).to_have_value("x900")
    expect(phone.get_by_label("Kind")).to_have_value("brochure")
    expect(cards).to_have_count(1)
    phone.wait_for_load_state()  # Back reloads the page (htmx keeps no history cache): let it finish first

    # Back once more: the filtered list before the search (the typing left one step in the history).
    phone.go_back()
    expect(phone).to_have_url(re.compile(r"/collateral\?(.*&)?kind=brochure(&|$)"))
    expect(phone).not_to_have_url(re.compile(r"q=x9"))
    expect(search).to_have_value("")
    expect(cards).to_have_count(2)
