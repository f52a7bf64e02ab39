"""The pipeline board and deals, seen by every role through the one scope rule."""
from . import routes  # noqa: F401 (the views join the blueprint)
from .blueprint import bp
from .cards import board_cards, board_columns

# what this package's templates (and others showing its records) read
bp.add_app_template_global(board_cards, "board_cards")
bp.add_app_template_global(board_columns, "board_columns")
