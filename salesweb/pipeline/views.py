"""This package's views, joined to its blueprint, and the template globals its records need: what the app
registers (salesweb/app.py)."""
from . import routes, stage_routes  # noqa: F401 (the views join the blueprints)
from .blueprint import bp, stage_editor
from .cards import board_cards, board_columns

# what this package's templates (and others showing its records) read
bp.add_app_template_global(board_cards, "board_cards")
bp.add_app_template_global(board_columns, "board_columns")
