"""The settings page, one per role: ops keep the sales process's settings (tiers, cadence, sales rules, visit norm,
pool, allocation and expenses) at /ops/settings, beside the stages and loss reasons at /ops/stages; the admin keeps
all of them at /admin/settings. Saving goes through tiers.update_settings: the settings service validates the whole
and audits each change, and the customers' due dates and tiers follow."""
from flask import flash, redirect, request, url_for
from flask_login import current_user

from ..core.i18n import _
from ..customers import tiers
from ..core.settings import DEFINITIONS, PROCESS_GROUPS, current_settings, settings_fallbacks
from ..core.clock import local_today
from ..web.pages import render, submit
from .blueprint import admin, ops
from .forms import form_class, shown

PROCESS = tuple(d for d in DEFINITIONS if d.group in PROCESS_GROUPS)
# the settings each role keeps, by the page showing them
PAGES = {"ops": (PROCESS, "settings/ops.html"), "admin": (DEFINITIONS, "settings/admin.html")}


def edit():
    """Shows the settings in force, saves a valid post (back to this page), or shows the form again with its
    messages."""
    definitions, template = PAGES[current_user.role]
    form = shown(definitions, current_settings()) if request.method == "GET" else form_class(definitions)()
    changed = {}

    def save():
        changed.update(tiers.update_settings(form.values(), by=current_user, fallbacks=settings_fallbacks(),
                                             today=local_today()))

    done, status = submit(form, save)
    if done:
        flash(_("Settings saved.") if changed else _("Nothing changed."), "success")
        return redirect(url_for(request.endpoint))
    return render(template, form=form, definitions=definitions, status=status)


for blueprint in (ops, admin):
    blueprint.add_url_rule("/settings", "edit", edit, methods=["GET", "POST"])
