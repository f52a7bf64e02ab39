"""This package's views, joined to its blueprint, and the template globals its records need: what the app
registers (salesweb/app.py)."""
from . import imports, picker, routes  # noqa: F401 (the views join the blueprint)
from .blueprint import bp
from .cadence import days_overdue

# what this package's templates (and others showing its records) read
bp.add_app_template_global(days_overdue, "days_overdue")
