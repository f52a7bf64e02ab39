"""This package's views, joined to its blueprint, and the template globals its records need: what the app
registers (salesweb/app.py)."""
from . import feed_routes, routes, task_routes  # noqa: F401 (the views join the blueprints)
from .blueprint import bp, feeds
from ..models import CHECK_PROBLEM_LABELS, OUTCOME_LABELS, VISIT_KIND_LABELS

# what this package's templates (and others showing its records) read
bp.add_app_template_global(VISIT_KIND_LABELS, "visit_kind_labels")
bp.add_app_template_global(OUTCOME_LABELS, "visit_outcome_labels")
bp.add_app_template_global(CHECK_PROBLEM_LABELS, "check_problem_labels")
