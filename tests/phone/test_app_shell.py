"""The installable app's server side: the manifest, the service worker from the site root, the offline page that
names nobody, and what every page tells the worker (whose page it is, where their home is)."""
import gzip
import json
import re
import shutil
from pathlib import Path

from salesweb.core import settings
from salesweb.phone import shell
from salesweb.web.security import CSP

ROOT = Path(__file__).resolve().parents[2]


def test_the_manifest_installs_the_company_app_that_starts_at_the_users_home(app, client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200 and response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data(as_text=True))
    assert manifest["name"] == "salesweb" and manifest["short_name"] == "salesweb"
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == ("/", "/", "standalone")
    assert manifest["theme_color"] == "#1f5fbf"
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert sizes == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_a_long_company_name_keeps_a_short_name_under_the_icon(app, client, make):
    with app.app_context():
        settings.update({"company_name": "Eastern Industrial Pumps and Valves Ltd"}, make.user("admin"))
    manifest = json.loads(client.get("/manifest.webmanifest").get_data(as_text=True))
    assert manifest["name"] == "Eastern Industrial Pumps and Valves Ltd" and len(manifest["short_name"]) <= 12


def test_the_service_worker_is_served_from_the_root_for_every_page_with_its_shell(app, client):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/" and response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Content-Security-Policy"] == CSP  # the policy stays as it is
    body = response.get_data(as_text=True)
    listed = json.loads(re.search(r"const SHELL_FILES = (\[.*?\]);", body).group(1))
    assert "/offline" in listed and "/static/css/app.css" in listed and "/static/js/phone.js" in listed
    for url in listed:
        assert client.get(url).status_code == 200, url
    version = re.search(r'const VERSION = "([0-9a-f]{16})";', body).group(1)
    assert version == shell.version(app.static_folder, app.template_folder)


def test_a_release_that_changes_a_shell_file_is_a_new_version(tmp_path):
    static, templates = tmp_path / "static", tmp_path / "templates"
    shutil.copytree(ROOT / "static", static)
    shutil.copytree(ROOT / "templates", templates)
    before = shell.version(str(static), str(templates))
    (static / "css" / "app.css").write_text((static / "css" / "app.css").read_text() + "\n.x { }\n")
    shell.version.cache_clear()
    assert shell.version(str(static), str(templates)) != before
    (templates / "phone" / "offline.html").write_text("changed")
    shell.version.cache_clear()
    assert len({before, shell.version(str(static), str(templates))}) == 2


def test_the_offline_page_names_nobody_even_when_asked_by_someone_signed_in(app, signed_in):
    client, user = signed_in("rep", name="Wendy Walker")
    page = client.get("/offline").get_data(as_text=True)
    assert "No connection" in page and "Wendy Walker" not in page and user.email not in page
    assert "csrf" not in page.lower() and "<form" not in page and "data-user" not in page
    assert app.test_client().get("/offline").status_code == 200  # and to nobody signed in


def test_every_signed_in_page_says_whose_it_is_and_where_their_home_is(app, client, signed_in):
    rep_client, rep = signed_in("rep")
    page = rep_client.get("/rep/").get_data(as_text=True)
    body = re.search(r"<body\b[^>]*>", page).group(0)
    assert f'data-user="{rep.id}"' in body and 'data-home="/rep/"' in body
    assert 'rel="manifest" href="/manifest.webmanifest"' in page and 'id="install-offer"' in page
    manager_client, _manager = signed_in("manager")
    assert 'data-home="/manager/"' in manager_client.get("/manager/").get_data(as_text=True)
    login = client.get("/login").get_data(as_text=True)
    body = re.search(r"<body\b[^>]*>", login).group(0)
    assert "data-user" not in body and 'class="signed-out"' in body and 'id="install-offer"' not in login


def test_the_first_load_leaves_the_app_code_for_later_and_the_offline_shell_stays_small(app, client):
    page = client.get("/login").get_data(as_text=True)
    assert "phone.js" not in re.sub(r'data-phone="[^"]*"', "", page)  # not loaded by the page: app.js adds it after
    body = client.get("/sw.js").get_data(as_text=True)
    listed = json.loads(re.search(r"const SHELL_FILES = (\[.*?\]);", body).group(1))
    total = len(gzip.compress(body.encode(), 6)) + sum(
        len(gzip.compress(client.get(url).get_data(), 6)) for url in listed)
    assert total <= 150 * 1024, f"the offline shell is {total / 1024:.1f} KB gzip"


def _first_load(client, url):
    """The page and the CSS and JS it references, gzipped (as the bench counts a phone's first full load)."""
    page = client.get(url).get_data(as_text=True)
    assets = re.findall(r'<(?:script[^>]+src|link[^>]+href)="(/static/[^"?]+\.(?:js|css))', page)
    return assets, len(gzip.compress(page.encode(), 6)) + sum(
        len(gzip.compress(client.get(path).get_data(), 6)) for path in assets)


def test_the_outbox_code_comes_after_the_page_is_usable_and_the_first_load_stays_light(app, signed_in, make):
    client, rep = signed_in("rep", team="East")
    customer = make.customer(rep)
    for url in ("/rep/", f"/visits/new?customer={customer.id}&next=/rep/"):
        assets, total = _first_load(client, url)
        assert not [a for a in assets if "outbox" in a or "phone.js" in a], assets  # phone.js loads them later
        assert total <= 60 * 1024, f"{url}: {total / 1024:.1f} KB gzip"
    form = client.get(f"/visits/new?customer={customer.id}").get_data(as_text=True)
    assert 'data-timezone="Asia/Shanghai"' in form  # the offline form's time now, in the install's zone
    body = client.get("/sw.js").get_data(as_text=True)
    assert 'importScripts("/static/js/outbox.js");' in body  # the worker sends the outbox on Background Sync
    listed = json.loads(re.search(r"const SHELL_FILES = (\[.*?\]);", body).group(1))
    assert {"/static/js/outbox.js", "/static/js/visit-outbox.js"} <= set(listed)  # the offline form works


def test_every_signed_in_page_carries_the_outbox_for_its_user_only(app, client, signed_in):
    rep_client, rep = signed_in("rep")
    page = rep_client.get("/rep/").get_data(as_text=True)
    aside = re.search(r'<aside class="outbox" id="outbox" hidden[^>]*>', page).group(0)
    assert f'data-user="{rep.id}"' in aside and 'data-token="/phone/token"' in aside and 'data-book="/phone/book"' in aside
    assert 'data-one="{n} visit waiting to send"' in aside and 'data-many="{n} visits waiting to send"' in aside
    assert 'id="outbox"' not in client.get("/login").get_data(as_text=True)
