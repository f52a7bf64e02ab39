"""The rep's day under /rep/."""
from . import routes  # noqa: F401 (the views join the blueprint)
from .blueprint import bp  # noqa: F401
