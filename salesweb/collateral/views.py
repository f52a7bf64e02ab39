"""This package's views, joined to its blueprint, and the template globals its records need: what the app
registers (salesweb/app.py)."""
from . import public_routes, routes  # noqa: F401 (the views join the blueprint)
from .blueprint import bp, public
from .queries import link_state

# what this package's templates (and others showing its records) read
bp.add_app_template_global(link_state, "share_state")
