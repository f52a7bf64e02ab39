"""This package's views, joined to its blueprint, and the template globals its records need: what the app
registers (salesweb/app.py)."""
from . import routes  # noqa: F401 (the views join the blueprints)
from .blueprint import manager_bp, ops_bp
from ..models import ALLOCATION_FLAG_LABELS

# what this package's templates (and others showing its records) read
ops_bp.add_app_template_global(ALLOCATION_FLAG_LABELS, "allocation_flag_labels")
