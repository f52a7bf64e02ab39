"""This package's views, joined to its blueprint, and the template globals its records need: what the app
registers (salesweb/app.py)."""
from . import budget_routes, routes  # noqa: F401 (the views join the blueprint)
from .blueprint import bp
from ..models import EXPENSE_CATEGORY_LABELS, EXPENSE_STATUS_LABELS

# what this package's templates (and others showing its records) read
bp.add_app_template_global(EXPENSE_STATUS_LABELS, "expense_statuses")
bp.add_app_template_global(EXPENSE_CATEGORY_LABELS, "expense_categories")
