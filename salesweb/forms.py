"""What every form module shares."""
from wtforms.fields.choices import SelectChoice


def options(pairs):
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]
