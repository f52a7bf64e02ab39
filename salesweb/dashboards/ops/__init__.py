"""Sales operations' console under /ops/."""
from . import allocation, routes, settings  # noqa: F401 (the views join the blueprint)
from .blueprint import bp
from ...figures import charts
from ...models import ALLOCATION_FLAG_LABELS

# what this package's templates (and others showing its records) read
bp.add_app_template_global(ALLOCATION_FLAG_LABELS, "allocation_flag_labels")
bp.add_app_template_global(charts, "charts")
