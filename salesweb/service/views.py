"""This package's views, joined to its blueprint, and the template globals its records need: what the app
registers (salesweb/app.py)."""
from . import routes, public_routes, help_routes  # noqa: F401 (the views join the blueprint, in this order)
from .blueprint import bp, public
from .routes import feedback_rows
from .queries import state as feedback_state

# what this package's templates (and others showing its records) read
bp.add_app_template_global(feedback_rows, "feedback_rows")
bp.add_app_template_global(feedback_state, "feedback_state")
