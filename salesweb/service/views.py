"""This package's views, joined to its blueprint, and the template globals its records need: what the app
registers (salesweb/app.py)."""
from . import routes, public_routes, help_routes  # noqa: F401 (the views join the blueprint, in this order)
from .blueprint import bp, public
from ..models import (FEEDBACK_CHANNEL_LABELS, FEEDBACK_KIND_LABELS, FEEDBACK_STATE_LABELS, HELP_QUEUE_LABELS,
                      HELP_STATUS_LABELS, SEVERITY_LABELS, URGENCY_LABELS)
from .routes import feedback_rows
from .queries import state as feedback_state

# what this package's templates (and others showing its records) read
bp.add_app_template_global(feedback_rows, "feedback_rows")
bp.add_app_template_global(feedback_state, "feedback_state")
bp.add_app_template_global(URGENCY_LABELS, "urgency_labels")
bp.add_app_template_global(HELP_STATUS_LABELS, "help_status_labels")
bp.add_app_template_global(HELP_QUEUE_LABELS, "queue_labels")
bp.add_app_template_global(FEEDBACK_KIND_LABELS, "feedback_kinds")
bp.add_app_template_global(FEEDBACK_CHANNEL_LABELS, "feedback_channels")
bp.add_app_template_global(SEVERITY_LABELS, "severity_labels")
bp.add_app_template_global(FEEDBACK_STATE_LABELS, "feedback_states")
