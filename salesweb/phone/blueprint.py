"""The blueprints this package's views join: `bp`, public, as a browser asks for the manifest and the service worker
whoever is signed in, and installs the offline page without anyone's cookies; `signed_in`, whose views need a sign-in:
what a phone's outbox and offline visit form read."""
from flask import Blueprint

from ..core.access import require_sign_in

bp = Blueprint("phone", __name__)
signed_in = Blueprint("phone_data", __name__)

signed_in.before_request(require_sign_in)
