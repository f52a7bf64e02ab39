"""The blueprints this package's views join: `bp`, whose views need a sign-in, and `public`, what a customer opens
from a link without signing in."""
from flask import Blueprint

from ..core.access import require_sign_in

bp = Blueprint("collateral", __name__)
public = Blueprint("shared", __name__)

bp.before_request(require_sign_in)
