"""The install's settings pages: the admin's holds them all, the ops settings area the sales process's."""
from . import routes  # noqa: F401 (the views join the blueprints)
from .blueprint import admin, ops  # noqa: F401
