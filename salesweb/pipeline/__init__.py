"""The pipeline board and deals, seen by every role through the one scope rule."""
from . import routes  # noqa: F401 (the views join the blueprint)
from .blueprint import bp  # noqa: F401
