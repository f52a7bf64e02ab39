"""Sales operations' console under /ops/."""
from . import allocation, routes, settings, stages  # noqa: F401 (the views join the blueprint)
from .blueprint import bp  # noqa: F401
