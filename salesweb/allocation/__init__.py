"""Customer allocation: the console that balances books between reps, ops's for every owner (`ops_bp`, /ops/...)
and a manager's for their subtree (`manager_bp`, /manager/...); the rep each region's new customers go to (ops)."""
from . import routes  # noqa: F401 (the views join the blueprints)
from .blueprint import manager_bp, ops_bp
from ..models import ALLOCATION_FLAG_LABELS

# what this package's templates (and others showing its records) read
ops_bp.add_app_template_global(ALLOCATION_FLAG_LABELS, "allocation_flag_labels")
