"""The front door: / sends each user to their role's home; /favicon.ico; /healthz for monitors."""
from . import routes  # noqa: F401 (the views join the blueprint)
from .blueprint import bp  # noqa: F401
