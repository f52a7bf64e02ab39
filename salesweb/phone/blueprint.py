"""The blueprint this package's views join: public, as a browser asks for the manifest and the service worker
whoever is signed in, and installs the offline page without anyone's cookies."""
from flask import Blueprint

bp = Blueprint("phone", __name__)
