"""The front door: / sends each user to their role's home; /favicon.ico; /healthz for monitors."""
from flask import Blueprint

bp = Blueprint("home", __name__)

from . import routes  # noqa: E402,F401
