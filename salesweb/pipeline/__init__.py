"""The pipeline board and deals, seen by every role through the one scope rule (`bp`); the stages and loss reasons
they move through, edited by ops (`stage_editor`)."""
from . import routes, stage_routes  # noqa: F401 (the views join the blueprints)
from .blueprint import bp, stage_editor
from .cards import board_cards, board_columns

# what this package's templates (and others showing its records) read
bp.add_app_template_global(board_cards, "board_cards")
bp.add_app_template_global(board_columns, "board_columns")
