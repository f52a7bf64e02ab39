"""This package's views, joined to its blueprint, and the template globals its records need: what the app
registers (salesweb/app.py)."""
from . import contract_routes, notification_routes, product_routes, routes  # noqa: F401 (the views join the blueprint)
from .blueprint import bp
from ..core.notifications import text as notification_text
from .queries import state as quote_state

# what this package's templates (and others showing its records) read
bp.add_app_template_global(quote_state, "quote_state")
bp.add_app_template_global(notification_text, "notification_text")
