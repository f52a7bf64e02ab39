"""The pipeline board and deals, seen by every role through the one scope rule (`bp`); the stages and loss reasons
they move through, edited by ops (`stage_editor`)."""
