"""Ops: the sales process's settings (tiers, cadence, sales rules, visit norm, pool, allocation and expenses) at
/ops/settings, beside the stages and loss reasons at /ops/stages: one settings area."""
from ...settings import forms as settings_form
from ...core.settings import DEFINITIONS, PROCESS_GROUPS
from .blueprint import bp

PROCESS = tuple(d for d in DEFINITIONS if d.group in PROCESS_GROUPS)


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    return settings_form.edit(PROCESS, "ops.settings", "ops/settings.html")
