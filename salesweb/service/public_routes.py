"""What a customer opens from a rep's link, without signing in: the feedback form and the NPS survey.

Each link is bound to one customer and ends; views and posts are rate-limited per address and per link
(counted in the database, so every worker agrees); a field people cannot see catches robots."""
from flask import abort, request

from . import nps, queries, rules as feedback
from ..infra import ratelimit
from ..core.settings import current_settings
from ..web.pages import render, submit
from .blueprint import public
from .forms import PublicFeedbackForm, SurveyForm



@public.after_request
def _private(response):
    """A customer's link is theirs: kept out of search engines and Referer headers, never cached."""
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _link(token, purpose):
    """The link for this token and form, or a 404 (an unknown token, or one made for the other form); over the
    limits, a 429."""
    address = request.remote_addr or "unknown"
    checks = [(f"view:{address}", ratelimit.ADDRESS_VIEWS)]
    if request.method == "POST":
        checks += [(f"post:{address}", ratelimit.ADDRESS_POSTS), (f"token:{token[:64]}", ratelimit.TOKEN_POSTS)]
    if not ratelimit.allow_all(checks):
        abort(429)
    link = queries.find_link(token)
    if link is None or link.purpose != purpose:
        abort(404)
    return link


def _closed(link, state):
    return render("service/public_closed.html", link=link, state=state, status=410)


def _answer(link, form, template, action):
    """Show the form, or take it: a filled trap field is thanked and dropped; refusals land on the form."""
    state = queries.link_state(link)
    if state != "active":
        return _closed(link, state)
    if request.method == "POST" and form.website.data:
        return render("service/public_thanks.html", link=link)
    done, status = submit(form, action)
    if done:
        return render("service/public_thanks.html", link=link)
    return render(template, form=form, link=link, status=status)


@public.route("/f/<token>", methods=["GET", "POST"])
def feedback_form(token):
    link = _link(token, "feedback")
    form = PublicFeedbackForm()
    return _answer(link, form, "service/public_feedback.html", lambda: feedback.submit(
        link, form.kind.data, form.description.data, form.contact_name.data, current_settings()))


@public.route("/nps/<token>", methods=["GET", "POST"])
def survey(token):
    link = _link(token, "survey")
    form = SurveyForm()
    return _answer(link, form, "service/public_survey.html", lambda: nps.answer(
        link, form.score.data, form.comment.data))
