"""Weekly reports: a rep writes one each week (`own`), their manager reads and comments on it (`team`)."""
from . import routes  # noqa: F401 (the views join the blueprints)
from .blueprint import own, team  # noqa: F401
