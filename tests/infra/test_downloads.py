"""Every route that hands out a stored file: only an image may open in the browser; a PDF or any other file is
always an attachment (never opened by the browser's viewer on this site), and every one is sandboxed and never
sniffed, whatever the request asks for."""
from salesweb.infra import storage
from tests.hardening.walk import client_as, rules, url_for_rule
from tests.hardening.world import build

STORED_TYPES = {kind.mime for kind in storage.KINDS.values()}


def test_only_images_open_inline_and_every_other_stored_file_is_an_attachment(app, make):
    world = build(app, make)
    client, _token = client_as(app, world, "rep")  # East's rep holds every record the world has
    served = {}
    for endpoint, method, rule in rules(app):
        if method != "GET" or endpoint.startswith(("static", "auth.")):
            continue
        try:
            url = url_for_rule(rule, endpoint, world.ids)
        except KeyError:
            continue
        response = client.get(url + "?inline=1")  # asking for it inline, as a preview link would
        if response.mimetype not in STORED_TYPES:
            continue
        served[endpoint] = response.mimetype
        disposition = response.headers["Content-Disposition"]
        if response.mimetype.startswith("image/"):
            assert disposition.startswith("inline"), endpoint
        else:
            assert disposition.startswith("attachment"), (endpoint, response.mimetype, disposition)
        assert response.headers["Content-Security-Policy"].startswith("sandbox"), endpoint
        assert response.headers["X-Content-Type-Options"] == "nosniff", endpoint
    # the help request's attachment, the signed contract, the library and its share link hold PDFs; the visit
    # photo and the receipt are images: each of them was looked at
    assert {"service.attachment", "quotes.contract_file", "collateral.download", "shared.download"} <= {
        e for e, mime in served.items() if mime == "application/pdf"}, served
    assert {"visits.photo", "expenses.receipt"} <= {e for e, mime in served.items() if mime == "image/png"}, served
