"""Products, quotes, their approval and their printout. Signed-in users only; each view checks the role and the
deal's scope."""
from . import contracts, notices, products, routes  # noqa: F401 (the views join the blueprint)
from .blueprint import bp  # noqa: F401
