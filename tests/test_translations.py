"""Every string the UI shows has a Simplified Chinese translation."""
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "salesweb" / "translations" / "zh" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}


def _extracted():
    """(context, msgid) of every marked string, with where it was first seen; context is None for plain gettext."""
    found = {}
    for folder, mapping in (("salesweb", [("**.py", "python")]), ("templates", [("**.html", "jinja2")])):
        for filename, lineno, message, _comments, context in extract_from_dir(
                ROOT / folder, method_map=mapping, keywords=KEYWORDS):
            msgid = message[0] if isinstance(message, tuple) else message
            found.setdefault((context, msgid), f"{folder}/{filename}:{lineno}")
    return found


def test_every_ui_string_has_a_chinese_translation():
    with open(CATALOGUE, "rb") as fh:
        catalogue = read_po(fh)
    missing = []
    for (context, msgid), where in _extracted().items():
        entry = catalogue.get(msgid, context=context)
        text = entry.string if entry else None
        translated = all(text) if isinstance(text, (tuple, list)) else bool(text)
        if not entry or not translated or entry.fuzzy:
            missing.append(f"{where}: {msgid!r}" + (f" (context {context!r})" if context else ""))
    assert not missing, "untranslated (run `make extract-messages`, then translate):\n" + "\n".join(missing)


def test_translations_keep_their_placeholders():
    import re
    with open(CATALOGUE, "rb") as fh:
        catalogue = read_po(fh)
    for entry in catalogue:
        if not entry.id:
            continue
        source = entry.id[0] if isinstance(entry.id, tuple) else entry.id
        target = entry.string[0] if isinstance(entry.string, tuple) else entry.string
        assert set(re.findall(r"%\(\w+\)[sd]", source)) == set(re.findall(r"%\(\w+\)[sd]", target)), entry.id
