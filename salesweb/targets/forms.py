"""The targets sheet as posted: a box per line (named by its field), the growth % and the button pressed. The
sheet has a box for each rep and team in reach, so it is read from the posted fields rather than declared as a
form class; the app's CSRF protection checks its token as it does every form's."""
from dataclasses import dataclass

from ..core.money import parse_amount
from .rules import lines


@dataclass
class PostedSheet:
    texts: dict  # {field: the text typed}
    values: dict  # {field: minor units or None}
    errors: dict  # {field: why its text is not an amount}
    growth_text: str
    action: str  # "save", or a helper button: "suggest", "use:<field>", "even:<team field>", "share:<team field>"


def posted(groups, formdata):
    """The sheet of `groups` as typed into `formdata` (the posted fields)."""
    texts, values, errors = {}, {}, {}
    for name in lines(groups):
        texts[name] = str(formdata.get(name, ""))[:40]
        try:
            values[name] = parse_amount(texts[name])
        except ValueError as refused:
            errors[name] = refused.args[0]
    return PostedSheet(texts, values, errors, str(formdata.get("growth", "10"))[:12],
                       str(formdata.get("action", "save")))
