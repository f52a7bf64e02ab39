"""What a customer sees from a share link: no sign-in, one file, counted downloads, a clear page once it ends.

Downloads are rate-limited per address and per link (counted in the database, like the public forms), and a
download is counted once: a full GET or the first piece of a ranged one, once an hour for one address."""
from flask import abort, request

from . import queries, rules as collateral
from ..infra import ratelimit
from ..web.pages import render
from ..web.downloads import send_stored
from .blueprint import public

RETRY_AFTER_SECONDS = 300


def counts_as_download(response):
    """A full download or the first piece of a ranged one counts; a resumed piece, a HEAD or a 304 does not."""
    if request.method != "GET":
        return False
    if response.status_code == 200:
        return True
    ranges = request.range.ranges if response.status_code == 206 and request.range else ()
    return bool(ranges) and ranges[0][0] == 0


def _link_or_404(token):
    return queries.find_link(token) or abort(404)  # a guessed token: nothing here


@public.after_request
def _private(response):
    """A share link is for one customer: kept out of search engines and out of Referer headers."""
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@public.get("/s/<token>")
def landing(token):
    link = _link_or_404(token)
    state = queries.link_state(link)
    return render("collateral/shared.html", link=link, state=state, status=200 if state == "active" else 410)


@public.get("/s/<token>/download")
def download(token):
    link = _link_or_404(token)
    state = queries.link_state(link)
    if state != "active":
        return render("collateral/shared.html", link=link, state=state, status=410)
    address = request.remote_addr or "unknown"
    if not ratelimit.allow_all([(f"share:{address}", ratelimit.SHARE_ADDRESS_DOWNLOADS),
                                (f"share-link:{link.id}", ratelimit.SHARE_LINK_DOWNLOADS)]):
        body, status, headers = render("collateral/shared.html", link=link, state="busy", status=429)
        return body, status, {**headers, "Retry-After": str(RETRY_AFTER_SECONDS)}
    response = send_stored(link.version.file, link.version.filename, inline=request.args.get("inline") == "1")
    if counts_as_download(response) and ratelimit.allow(f"share-counted:{link.id}:{address}",
                                                        *ratelimit.DOWNLOAD_COUNTED):
        collateral.record_download(link.item, link.version, link=link)
    return response
