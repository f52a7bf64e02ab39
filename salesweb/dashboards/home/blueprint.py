"""The blueprint this package's views join."""
from flask import Blueprint

bp = Blueprint("home", __name__)
