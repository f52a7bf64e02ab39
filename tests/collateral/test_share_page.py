"""The page a customer opens from a share link shows what is meant for them: the title, the file (name, kind,
size, a download button) and who sent it with how to reach them; never the item's internal description."""
import io

import pytest

from salesweb.models import ShareLink, User
from salesweb.collateral import rules as collateral
from tests.collateral.test_pages import EN, people, share  # noqa: F401 (the people fixture)
from tests.conftest import count_queries
from tests.infra.test_storage import PDF, PNG

INTERNAL = "Internal: only for Acme, quote 18% below list"


def shared(app, people, make, data=PDF, name="X200 产品手册.pdf"):
    with app.app_context():
        item = collateral.create({"title": "X200 pump brochure", "kind": "brochure", "language": "en", "tags": "X200",
                                  "description": INTERNAL}, (io.BytesIO(data), name), people["support"],
                                 app.config["UPLOAD_DIR"], 50 * 1024 * 1024)
    share(people["rep_client"], item, make.customer(people["rep"], name="Acme 上海").id)
    return ShareLink.get()


def landing(app, link, language="en"):
    response = app.test_client().get(f"/s/{link.token}", headers={"Accept-Language": language})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_customer_sees_the_title_the_file_and_the_rep_to_contact_but_not_the_description(app, people, make):
    link = shared(app, people, make)
    page = landing(app, link)
    assert "X200 pump brochure" in page
    assert "X200 产品手册.pdf" in page and "PDF" in page and f"{len(PDF)} B" in page
    assert f'href="/s/{link.token}/download"' in page and ">Download<" in page
    assert "Your contact" in page and "Rep One" in page
    assert f'href="mailto:{people["rep"].email}"' in page
    assert "Acme 上海" in page
    assert INTERNAL not in page and "18%" not in page
    zh = landing(app, link, "zh-CN")
    assert "您的联系人" in zh and "下载" in zh and people["rep"].email in zh and INTERNAL not in zh


def test_only_an_image_offers_to_be_viewed_in_the_browser(app, people, make):
    assert ">View<" not in landing(app, shared(app, people, make))
    ShareLink.delete().execute()
    photo = shared(app, people, make, data=PNG, name="x200.png")
    assert f'href="/s/{photo.token}/download?inline=1"' in landing(app, photo)


@pytest.mark.parametrize("change", ["deactivated", "removed"])
def test_a_sender_who_has_left_gives_way_to_the_company(app, people, make, change):
    link = shared(app, people, make)
    if change == "deactivated":
        User.update(active=False).where(User.id == people["rep"].id).execute()
    else:
        ShareLink.update(created_by=None).where(ShareLink.id == link.id).execute()
    page = landing(app, link)
    assert "Your contact" in page and "salesweb" in page  # the company name from the settings
    assert people["rep"].email not in page and "Rep One" not in page


def test_the_share_page_sends_a_fixed_number_of_queries(app, people, make):
    link = shared(app, people, make)
    client = app.test_client()
    with count_queries() as queries:
        client.get(f"/s/{link.token}", headers=EN)
    assert len(queries) == 1  # the link with its item, file, customer and sender, in one
