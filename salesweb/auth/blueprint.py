"""The blueprint this package's views join."""
from flask import Blueprint

bp = Blueprint("auth", __name__)
